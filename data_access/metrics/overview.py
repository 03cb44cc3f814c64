"""Headline figures and standard breakdowns of the Oversikt page.

Spend is the ``purchase`` spend class (supplier spend); payments to other public bodies
(``intra_public``) are reported apart and never mixed into shares.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import polars as pl

from data_access.metrics.common import period_target, purchases
from data_access.metrics.savings import with_realized
from data_access.store.filters import Filters, apply, per_cube

KNOWN_HOME = pl.col("home_municipality").is_not_null()
REGIONAL = pl.col("regional_level").is_in(["same", "member"])


def _sum(df: pl.DataFrame, cond: pl.Expr | None = None, col: str = "amount") -> float:
    if cond is not None:
        df = df.filter(cond)
    return float(df[col].sum()) if df.height else 0.0


def _share(num: float, den: float) -> float | None:
    return num / den if den else None


@dataclass(frozen=True)
class Headline:
    """The Oversikt figures for one filter selection (NOK unless stated; shares 0–1)."""

    spend: float
    spend_previous_year: float
    change: float | None
    n_lines: int
    intra_public: float
    regional_share: float | None
    unknown_home_share: float | None
    contract_coverage: float | None
    realized_saving: float
    savings_target: float
    savings_vs_target: float | None
    ehandel_share: float | None
    ehandel_line_share: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


def headline(
    cube: pl.DataFrame, f: Filters, factors: pl.DataFrame, yearly_target_nok: float
) -> Headline:
    """All headline figures from one filtered frame (the same rows feed every tile)."""
    cur = apply(cube, f)
    buy = purchases(cube, f)  # a slice of the shared cube, not a filtered copy of ``cur``
    spend = _sum(buy)
    prev_spend = _sum(purchases(cube, f.previous_year()))
    known = _sum(buy, KNOWN_HOME)
    realized = _sum(with_realized(buy, factors), col="realized")
    target = period_target(yearly_target_nok, f)
    return Headline(
        spend=spend,
        spend_previous_year=prev_spend,
        change=(spend / prev_spend - 1) if prev_spend else None,
        n_lines=int(buy["n_lines"].sum()) if buy.height else 0,
        intra_public=_sum(cur, pl.col("spend_class") == "intra_public"),
        regional_share=_share(_sum(buy, KNOWN_HOME & REGIONAL), known),
        unknown_home_share=_share(spend - known, spend),
        contract_coverage=_share(_sum(buy, pl.col("agreement_id").is_not_null()), spend),
        realized_saving=realized,
        savings_target=target,
        savings_vs_target=_share(realized, target),
        ehandel_share=_share(_sum(buy, pl.col("ehandel")), spend),
        ehandel_line_share=_share(
            _sum(buy, pl.col("ehandel"), col="n_lines"), _sum(buy, None, col="n_lines")
        ),
    )


def spend_by_municipality(cube: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """Spend per member (today's structure), largest first."""
    return (
        purchases(cube, f)
        .group_by("municipality_now", "municipality_name")
        .agg(amount=pl.col("amount").sum())
        .sort("amount", descending=True)
    )


def trend_by_quarter(cube: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """Spend per quarter and municipality for every quarter in the data (period not applied),
    with ``in_period`` marking the quarters that overlap the selected period."""
    # The history is the same for every period: remembered per cube and rows, so a change of
    # period alone does not group the whole history again.
    per_quarter = per_cube(
        cube,
        ("trend_by_quarter", *f.rows),
        lambda: (
            purchases(cube, f, period=False)
            .group_by("year", "quarter", "municipality_now", "municipality_name")
            .agg(amount=pl.col("amount").sum())
        ),
    )
    return marked_quarters(per_quarter, f)


def marked_quarters(per_quarter: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """Sums per (year, quarter, municipality) labelled ``2025 Q3`` and marked ``in_period``
    where the quarter overlaps ``f``'s period, in time order: the quarterly history's frame,
    whether summed here or by the database (``data_access.pushdown``).

    >>> import datetime as dt
    >>> q = pl.DataFrame({"year": [2024, 2025], "quarter": [4, 1], "municipality_now": ["5038"] * 2,
    ...     "amount": [1.0, 2.0]}).with_columns(pl.col("quarter").cast(pl.Int8))
    >>> marked_quarters(q, Filters(dt.date(2025, 1, 1), dt.date(2025, 2, 1)))["in_period"].to_list()
    [False, True]
    """
    q_start = pl.date(pl.col("year"), (pl.col("quarter").cast(pl.Int32) - 1) * 3 + 1, 1)
    return per_quarter.with_columns(
        label=pl.format("{} Q{}", "year", "quarter"),
        in_period=(q_start <= f.end) & (q_start.dt.offset_by("2mo") >= f.start),
    ).sort("year", "quarter", "municipality_now")


def top_categories(cube: pl.DataFrame, f: Filters, n: int = 10) -> pl.DataFrame:
    """The ``n`` largest level-2 categories by spend, with share of total."""
    return ranked_categories(purchases(cube, f), n)


def ranked_categories(amounts: pl.DataFrame, n: int) -> pl.DataFrame:
    """Amounts (``category``, ``category_l1``, ``amount``, any grain) summed per level-2
    category, the ``n`` largest with their share of the whole: from the cube's rows here, from
    sums per category id in ``data_access.pushdown``."""
    total = _sum(amounts)
    return (
        amounts.group_by("category", "category_l1")
        .agg(amount=pl.col("amount").sum())
        .sort("amount", descending=True)
        .head(n)
        .with_columns(share=pl.col("amount") / total if total else pl.lit(None, pl.Float64))
    )
