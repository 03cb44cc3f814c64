"""Agreements (rammeavtaler): loading the register and matching ledger lines to it.

A line is matched to an agreement when the supplier is party to it, the line's date is within
the agreement's validity (``start`` … ``end``, where ``end`` is the current term including
options already used) and the buying municipality (today's code) participates. An agreement
reference from the e-invoice (``contract_ref``) that names a known agreement wins.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access import schema
from data_access.db import read_frame


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
    wins (a renewed agreement supersedes its predecessor).

    >>> import datetime as d
    >>> ag = pl.DataFrame({"id": [1], "ref": ["A-1"], "start": [d.date(2020, 1, 1)],
    ...                    "end": [d.date(2020, 12, 31)]})
    >>> parties = pl.DataFrame({"agreement_id": [1], "orgnr": ["974085203"]})
    >>> part = pl.DataFrame({"agreement_id": [1], "municipality_code": ["5038"]})
    >>> lines = pl.DataFrame({"row": [0, 1, 2, 3],
    ...   "date": [d.date(2020, 5, 1), d.date(2021, 5, 1), d.date(2020, 5, 1), d.date(2020, 5, 1)],
    ...   "municipality_now": ["5038", "5038", "5037", "5037"],
    ...   "orgnr": ["974085203", "974085203", "974085203", None],
    ...   "contract_ref": [None, None, None, "A-1"]})
    >>> match_agreements(lines, ag, parties, part)["agreement_id"].to_list()
    [1, None, None, 1]
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
        lines.select("row", "contract_ref")
        .filter(pl.col("contract_ref").is_not_null())
        .join(
            ag.select("ref", ref_match=pl.col("agreement_id").cast(pl.Int64)),
            left_on="contract_ref",
            right_on="ref",
        )
        .unique("row", keep="first")
        .select("row", "ref_match")
    )
    return (
        lines.join(by_supplier, on="row", how="left", maintain_order="left")
        .join(by_ref, on="row", how="left", maintain_order="left")
        .with_columns(agreement_id=pl.coalesce("ref_match", "sup_match"))
        .drop("sup_match", "ref_match")
    )
