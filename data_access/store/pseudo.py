"""Pseudo-suppliers: collective ledger posts that are not one supplier (PRODUCT.md §3.3).

"Diverse leverandører", "Engangsleverandør", cash and card clearing: many real suppliers
booked under one name or number. Counted as one supplier they would distort HHI, CR and ABC,
so they are held apart (and counted) like private persons. They are marked by an admin-editable
list (Administrasjon) of exact names, ERP supplier numbers and patterns, seeded with the usual
Norwegian posts, and by an import profile's ``[values] pseudo`` (stored on the supplier as
``is_pseudo``). The list is applied when suppliers are read, so an edit takes effect at once
(the data version is bumped so cached cubes are re-read).
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import get_setting, read_frame, set_setting
from data_access.store.suppliers import _SUFFIXES, normalize_name

# Stored kind (English identifier) → what the admin page shows (through the translator).
KINDS = {"name": "navn (eksakt)", "number": "leverandørnummer", "pattern": "mønster (regex)"}
SEEDED_KEY = "suppliers_pseudo_seeded"

#: The usual Norwegian collective posts (and two English ones seen in public files).
DEFAULTS: list[tuple[str, str, str]] = [
    ("name", "Diverse leverandører", "samlepost"),
    ("name", "Diverse leverandør", "samlepost"),
    ("name", "Div. leverandører", "samlepost"),
    ("name", "Engangsleverandør", "samlepost for engangsleverandører"),
    ("name", "Engangsleverandører", "samlepost for engangsleverandører"),
    ("name", "Ukjent leverandør", "samlepost"),
    ("pattern", r"^(div\.?|diverse) ?(lev|kreditor)", "diverse leverandører/kreditorer"),
    ("pattern", r"^engangs", "engangsleverandør, engangskreditor"),
    ("pattern", r"\bkontant", "kontantbetaling"),
    ("pattern", r"(kortbetaling|kortkjøp|betalingskort|firmakort|kredittkort|visakort)", "kort"),
    ("pattern", r"^(personal budgets?|sundry (suppliers|creditors))$", "engelske samleposter"),
]


def seed_pseudo_suppliers(conn: sa.Connection) -> None:
    """Insert the default list once per database (an admin may empty it afterwards)."""
    if get_setting(conn, SEEDED_KEY):
        return
    t = schema.pseudo_supplier
    have = {(k, v) for k, v in conn.execute(sa.select(t.c.kind, t.c.value))}
    rows = [{"kind": k, "value": v, "note": n} for k, v, n in DEFAULTS if (k, v) not in have]
    if rows:
        conn.execute(t.insert(), rows)
    set_setting(conn, SEEDED_KEY, "1")


def load_pseudo(conn: sa.Connection) -> pl.DataFrame:
    """The list: id, kind, value, note (ordered by kind, value)."""
    t = schema.pseudo_supplier
    return read_frame(
        conn, sa.select(t.c.id, t.c.kind, t.c.value, t.c.note).order_by(t.c.kind, t.c.value)
    )


def pseudo_expr(entries: pl.DataFrame, extra_values: list[str] | None = None) -> pl.Expr:
    """Whether a supplier row (``name``, ``key``) is on the list (or among ``extra_values``,
    names or numbers from an import profile).

    Names match after normalisation (case, punctuation, company-form suffixes), numbers match
    the ERP supplier number of ``lnr:`` keys, patterns search the name case-insensitively.

    >>> e = pl.DataFrame({"kind": ["name", "number", "pattern"],
    ...                   "value": ["Diverse leverandører", "9999", "^engangs"]})
    >>> f = pl.DataFrame({"name": ["DIVERSE LEVERANDØRER", "X", "Engangskreditor", "Y"],
    ...                   "key": ["navn:diverse leverandører", "lnr:5038:9999", "navn:e", "lnr:5038:1"]})
    >>> f.select(pseudo_expr(e)).to_series().to_list()
    [True, True, True, False]
    """
    rows = list(entries.select("kind", "value").iter_rows()) if entries.height else []
    extra = [v for v in (extra_values or []) if v]
    names = {normalize_name(v) for k, v in rows if k == "name"} | {normalize_name(v) for v in extra}
    numbers = {v.strip() for k, v in rows if k == "number"} | {v.strip() for v in extra}
    patterns = [v for k, v in rows if k == "pattern"]
    name = pl.col("name").fill_null("")
    norm = _normalized(name)
    number = pl.col("key").str.extract(r"^(?:mistanke:)?lnr:\d{4}:(.*)$", 1)
    out = norm.is_in(sorted(names - {""})) | number.is_in(sorted(numbers)).fill_null(False)
    for p in patterns:
        out = out | name.str.contains("(?i)" + p)
    return out.fill_null(False)


def _normalized(name: pl.Expr) -> pl.Expr:
    """:func:`normalize_name` as a Polars expression (vectorised: read on every cube load).

    >>> n = ["  Verdal  Rør A/S ", "DIVERSE LEVERANDØRER", "Acme Ltd."]
    >>> f = pl.DataFrame({"n": n})
    >>> f.select(_normalized(pl.col("n"))).to_series().to_list() == [normalize_name(x) for x in n]
    True
    """
    return (
        name.str.to_lowercase()
        .str.replace_all("a/s", "as", literal=True)
        .str.replace_all(r"[^\wæøå ]+", " ")
        .str.replace_all(_SUFFIXES.pattern, " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def mark_pseudo(conn: sa.Connection, suppliers: pl.DataFrame) -> pl.DataFrame:
    """``suppliers`` (with ``name``, ``key`` and stored ``is_pseudo``) with ``is_pseudo`` set by
    the admin list too. A private person is never a pseudo-supplier."""
    listed = pseudo_expr(load_pseudo(conn))
    return suppliers.with_columns(
        is_pseudo=(pl.col("is_pseudo").fill_null(False) | listed) & ~pl.col("is_private")
    )
