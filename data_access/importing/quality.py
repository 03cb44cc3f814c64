"""The data-quality panel's figures, as a pure function over the cube and two small tables.

Shares are of net spend (Σ amount, credit notes included, as every figure in PRODUCT.md §4),
over everything stored in scope — purchases and intra-public lines alike, since a missing
organisation number or category is a data problem whatever the spend class.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa

from data_access.importing.quarantine import quarantine_reasons
from data_access.store import schema
from data_access.store.cube import load_cube
from data_access.store.db import connected, read_frame
from data_access.store.reference import UNCLASSIFIED
from data_access.store.scope import Scope


@dataclass(frozen=True)
class DataQuality:
    """Numbers for the panel; shares are 0–1 (None when there is no spend)."""

    lines: int
    spend_ore: int
    spend_without_orgnr_ore: int
    share_without_orgnr: float | None
    spend_private_ore: int
    unclassified_ore: int
    share_unclassified: float | None
    suppliers: int
    suppliers_with_aliases: int
    aliases_merged: int
    quarantine_open: int
    quarantine_by_reason: pl.DataFrame  # årsak (reason with values blanked), rader


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def reason_group() -> pl.Expr:
    """A quarantine reason with its specific values removed, for counting by kind.

    >>> f = pl.DataFrame({"reason": ["ukjent kommunenummer 5099", "beløp «x» kan ikke tolkes"]})
    >>> f.select(reason_group()).to_series().to_list()
    ['ukjent kommunenummer …', 'beløp … kan ikke tolkes']
    """
    return (
        pl.col("reason")
        .str.replace_all(r"«[^»]*»", "…")
        .str.replace_all(r"\([^)]*\)", "")
        .str.replace_all(r"\b\d+\b", "…")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .alias("årsak")
    )


def data_quality(
    cube: pl.DataFrame, aliases: pl.DataFrame, quarantine: pl.DataFrame
) -> DataQuality:
    """Figures from the enriched cube (``amount_ore``, ``n_lines``, ``supplier_id``,
    ``identity_kind``, ``is_private``, ``category``), the aliases (``supplier_id``, ``alias``) of
    the suppliers in it, and open quarantine rows (``reason``).

    >>> cube = pl.DataFrame({"amount_ore": [800, 200], "n_lines": [3, 1], "supplier_id": [1, 2],
    ...   "identity_kind": ["orgnr", "name"], "is_private": [False, True],
    ...   "category": ["Energi", "Uklassifisert"]})
    >>> q = data_quality(cube, pl.DataFrame({"supplier_id": [1, 1], "alias": ["A AS", "A A/S"]}),
    ...                  pl.DataFrame({"reason": ["dato mangler"]}))
    >>> q.share_without_orgnr, q.share_unclassified, q.suppliers_with_aliases, q.quarantine_open
    (0.2, 0.2, 1, 1)
    """
    total = int(cube["amount_ore"].sum() or 0) if cube.height else 0
    no_org = int(cube.filter(pl.col("identity_kind") != "orgnr")["amount_ore"].sum() or 0)
    private = int(cube.filter(pl.col("is_private").fill_null(False))["amount_ore"].sum() or 0)
    uncl = int(cube.filter(pl.col("category") == UNCLASSIFIED)["amount_ore"].sum() or 0)
    in_scope = aliases.filter(pl.col("supplier_id").is_in(cube["supplier_id"].unique().implode()))
    per_sup = in_scope.group_by("supplier_id").len()
    multi = per_sup.filter(pl.col("len") > 1)
    by_reason = (
        quarantine.select(reason_group())
        .group_by("årsak")
        .agg(rader=pl.len())
        .sort(["rader", "årsak"], descending=[True, False])
        if quarantine.height
        else pl.DataFrame(schema={"årsak": pl.String, "rader": pl.UInt32})
    )
    return DataQuality(
        lines=int(cube["n_lines"].sum() or 0) if cube.height else 0,
        spend_ore=total,
        spend_without_orgnr_ore=no_org,
        share_without_orgnr=_share(no_org, total),
        spend_private_ore=private,
        unclassified_ore=uncl,
        share_unclassified=_share(uncl, total),
        suppliers=int(cube["supplier_id"].n_unique()) if cube.height else 0,
        suppliers_with_aliases=multi.height,
        aliases_merged=int((multi["len"] - 1).sum() or 0) if multi.height else 0,
        quarantine_open=quarantine.height,
        quarantine_by_reason=by_reason,
    )


def load_data_quality(
    conn: sa.Connection | sa.Engine, scope: Scope, *, cube: pl.DataFrame | None = None
) -> DataQuality:
    """:func:`data_quality` for what ``scope`` may see.

    Pass the scope's cube when the caller already holds it (the app's cached cube): then only
    the two small tables (aliases, open quarantine reasons) are read, instead of re-reading and
    re-enriching the whole cube on every run of the import page.
    """
    with connected(conn) as conn:
        al = schema.supplier_alias
        if cube is None:
            cube = load_cube(conn, scope)
        aliases = read_frame(conn, sa.select(al.c.supplier_id, al.c.alias)).with_columns(
            pl.col("supplier_id").cast(pl.Int64)
        )
        q = quarantine_reasons(conn, scope=scope)
        return data_quality(cube, aliases, q)


def recent_imports(conn: sa.Connection | sa.Engine, limit: int = 20) -> pl.DataFrame:
    """The import log, newest first (demo batches included, marked)."""
    b = schema.import_batch
    return read_frame(
        conn,
        sa.select(
            b.c.id,
            b.c.imported_at,
            b.c.imported_by,
            b.c.file_name,
            b.c.profile,
            b.c.rows_read,
            b.c.rows_stored,
            b.c.rows_quarantined,
            b.c.rows_excluded,
            b.c.is_demo,
            b.c.file_hash,
        )
        .order_by(b.c.id.desc())
        .limit(limit),
    )


def load_batch_reports(
    conn: sa.Connection | sa.Engine, batch_ids: list[int]
) -> list[dict[str, Any]]:
    """The stored file-import reports (``report_json``) of the given imports, in the given
    order. Batches without one (the demo generator's) are left out, so a page that lists the
    reports never meets a batch it cannot describe."""
    if not batch_ids:
        return []
    b = schema.import_batch
    rows = dict(
        sa_rows
        for sa_rows in _execute(
            conn, sa.select(b.c.id, b.c.report_json).where(b.c.id.in_(batch_ids))
        )
    )
    reports = [json.loads(rows[i]) for i in batch_ids if rows.get(i)]
    return [r for r in reports if isinstance(r, dict) and "rows_read" in r]


def _execute(conn: sa.Connection | sa.Engine, stmt: sa.Select[Any]) -> list[tuple[Any, ...]]:
    with connected(conn) as conn:
        return [tuple(r) for r in conn.execute(stmt)]
