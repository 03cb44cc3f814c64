"""The agreement register (rammeavtaler) as read by every page, and matching lines to it.

A line is matched to an agreement when the supplier is party to it, the line's date is within
the agreement's validity (``start`` … ``end``, where ``end`` is the current term including
options already used) and the buying municipality (today's code) participates. An agreement
reference from the e-invoice (``contract_ref``) that names a known agreement wins.

Writing the register (validate, save, import, re-match every line, the savings target) is the
office's job and lives in :mod:`data_access.admin.agreements`.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import get_setting, read_frame
from data_access.store.reference import region
from data_access.store.scope import Scope


def load_agreements(conn: sa.Connection | sa.Engine) -> pl.DataFrame:
    a = schema.agreement
    return read_frame(conn, sa.select(a).order_by(a.c.id))


def load_parties(conn: sa.Connection | sa.Engine) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(agreement_id, orgnr) and (agreement_id, municipality_code) pairs."""
    s, m = schema.agreement_supplier, schema.agreement_municipality
    return (
        read_frame(conn, sa.select(s.c.agreement_id, s.c.orgnr)),
        read_frame(conn, sa.select(m.c.agreement_id, m.c.municipality_code)),
    )


def match_agreements(
    lines: pl.DataFrame,
    agreements: pl.DataFrame,
    parties: pl.DataFrame,
    participants: pl.DataFrame,
) -> pl.DataFrame:
    """Add ``agreement_id`` to lines with ``row`` (unique), ``date``, ``municipality_now``,
    ``orgnr`` and ``contract_ref``. When several agreements qualify, the one that started last
    wins (a renewed agreement supersedes its predecessor). An agreement reference on the
    invoice (EHF) wins over supplier matching, but only for an agreement that is active on the
    line's date and in which the buyer participates (PRODUCT.md §4: coverage counts active
    agreements only); otherwise the line falls back to supplier matching.

    >>> import datetime as d
    >>> ag = pl.DataFrame({"id": [1], "ref": ["A-1"], "start": [d.date(2020, 1, 1)],
    ...                    "end": [d.date(2020, 12, 31)]})
    >>> parties = pl.DataFrame({"agreement_id": [1], "orgnr": ["974085203"]})
    >>> part = pl.DataFrame({"agreement_id": [1], "municipality_code": ["5038"]})
    >>> lines = pl.DataFrame({"row": [0, 1, 2, 3, 4, 5],
    ...   "date": [d.date(2020, 5, 1), d.date(2021, 5, 1), d.date(2020, 5, 1), d.date(2020, 5, 1),
    ...            d.date(2023, 5, 1), d.date(2020, 5, 1)],
    ...   "municipality_now": ["5038", "5038", "5037", "5038", "5038", "5037"],
    ...   "orgnr": ["974085203", "974085203", "974085203", None, None, None],
    ...   "contract_ref": [None, None, None, "A-1", "A-1", "A-1"]})
    >>> match_agreements(lines, ag, parties, part)["agreement_id"].to_list()
    [1, None, None, 1, None, None]
    """
    if agreements.height == 0:
        return lines.with_columns(agreement_id=pl.lit(None, pl.Int64))
    ag = agreements.select(agreement_id="id", ref="ref", start="start", end="end")
    by_supplier = (
        lines.select("row", "date", "municipality_now", "orgnr")
        .filter(pl.col("orgnr").is_not_null())
        .join(parties.with_columns(pl.col("agreement_id").cast(pl.Int64)), on="orgnr")
        .join(
            participants.with_columns(pl.col("agreement_id").cast(pl.Int64)),
            left_on=["agreement_id", "municipality_now"],
            right_on=["agreement_id", "municipality_code"],
        )
        .join(ag.with_columns(pl.col("agreement_id").cast(pl.Int64)), on="agreement_id")
        .filter(pl.col("date").is_between(pl.col("start"), pl.col("end")))
        .sort(["row", "start", "agreement_id"], descending=[False, True, True])
        .unique("row", keep="first")
        .select("row", sup_match="agreement_id")
    )
    by_ref = (
        lines.select("row", "date", "municipality_now", "contract_ref")
        .filter(pl.col("contract_ref").is_not_null())
        .join(
            ag.with_columns(pl.col("agreement_id").cast(pl.Int64)),
            left_on="contract_ref",
            right_on="ref",
        )
        .join(
            participants.with_columns(pl.col("agreement_id").cast(pl.Int64)),
            left_on=["agreement_id", "municipality_now"],
            right_on=["agreement_id", "municipality_code"],
        )
        .filter(pl.col("date").is_between(pl.col("start"), pl.col("end")))
        .sort(["row", "agreement_id"])
        .unique("row", keep="first")
        .select("row", ref_match="agreement_id")
    )
    return (
        lines.join(by_supplier, on="row", how="left", maintain_order="left")
        .join(by_ref, on="row", how="left", maintain_order="left")
        .with_columns(agreement_id=pl.coalesce("ref_match", "sup_match"))
        .drop("sup_match", "ref_match")
    )


# --- the register in its editable form -------------------------------------------------------

REGISTER_COLUMNS = (
    "ref",
    "name",
    "category",
    "start",
    "end",
    "end_with_options",
    "estimated_annual_value_nok",
    "savings_rate",
    "projected_saving_nok",
    "savings_type",
    "owner",
    "baseline_note",
    "suppliers",
    "municipalities",
)


def register_frame(conn: sa.Connection | sa.Engine, *, scope: Scope | None = None) -> pl.DataFrame:
    """The register in its editable form: one row per agreement, amounts in NOK, suppliers as
    space-separated orgnr and municipalities as comma-separated codes (today's).

    For a scope limited to some municipalities (a kommune user) only the agreements one of them
    takes part in, selected in SQL; the participant lists still name every participant.
    """
    a, c = schema.agreement, schema.category
    query = (
        sa.select(
            a.c.id,
            a.c.ref,
            a.c.name,
            c.c.name.label("category"),
            a.c.start,
            a.c.end,
            a.c.end_with_options,
            a.c.estimated_annual_value_ore,
            a.c.savings_rate,
            a.c.projected_saving_ore,
            a.c.savings_type,
            a.c.owner,
            a.c.baseline_note,
        )
        .outerjoin(c, c.c.id == a.c.category_id)
        .order_by(a.c.ref)
    )
    if scope is not None and scope.municipalities is not None:
        m = schema.agreement_municipality
        query = query.where(
            a.c.id.in_(
                sa.select(m.c.agreement_id).where(
                    m.c.municipality_code.in_(sorted(scope.municipalities))
                )
            )
        )
    ag = read_frame(conn, query)
    parties, part = load_parties(conn)
    sup = parties.group_by("agreement_id").agg(suppliers=pl.col("orgnr").sort().str.join(" "))
    mun = part.group_by("agreement_id").agg(
        municipalities=pl.col("municipality_code").sort().str.join(",")
    )
    return (
        ag.with_columns(pl.col("id").cast(pl.Int64))
        .join(
            sup.with_columns(pl.col("agreement_id").cast(pl.Int64)),
            left_on="id",
            right_on="agreement_id",
            how="left",
        )
        .join(
            mun.with_columns(pl.col("agreement_id").cast(pl.Int64)),
            left_on="id",
            right_on="agreement_id",
            how="left",
        )
        .with_columns(
            estimated_annual_value_nok=pl.col("estimated_annual_value_ore").cast(pl.Float64) / 100,
            projected_saving_nok=pl.col("projected_saving_ore").cast(pl.Float64) / 100,
            suppliers=pl.col("suppliers").fill_null(""),
            municipalities=pl.col("municipalities").fill_null(""),
        )
        .select(REGISTER_COLUMNS)
    )


# --- the yearly savings target (app_setting, admin-editable) ---------------------------------

TARGET_KEY = "yearly_savings_target_nok"


def savings_target(conn: sa.Connection) -> float:
    """The yearly savings target in NOK: the admin's setting, else the region's default."""
    value = get_setting(conn, TARGET_KEY)
    try:
        return float(value) if value else region().yearly_savings_target_nok
    except ValueError:
        return region().yearly_savings_target_nok
