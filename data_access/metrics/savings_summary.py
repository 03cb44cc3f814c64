"""The Gevinster page's headline figures as one value: realized, expected in the period,
expected × loyalty, the year projection — and the target they are measured against.

A ``kommune`` view is measured against the member's *part* of the target (PRODUCT §4): by
default its share of the members' joint purchase spend in the period, stated beside the figure,
never the whole cooperation's yearly target. Shared by the page, ``innsikt figures`` and the
report, so a script and the page agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import polars as pl

from data_access.metrics import coverage, savings
from data_access.metrics.common import purchases
from data_access.store.filters import Filters


@dataclass(frozen=True)
class SavingsSummary:
    realized: float
    realized_hard: float
    realized_avoidance: float
    expected_period: float
    expected_loyalty: float
    projection_year: int | None
    projection_year_end: float | None
    yearly_target: float  # the cooperation's
    target_share: float  # 1.0 for the whole cooperation; the member's part otherwise
    period_target: float  # yearly_target × target_share × months/12
    realized_vs_target: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


def target_share(all_members_cube: pl.DataFrame, f: Filters, codes: frozenset[str] | None) -> float:
    """The part of the target that falls on ``codes``: their purchase spend in the period / all
    members' purchase spend in it (1.0 when ``codes`` is None = the whole cooperation).

    ``all_members_cube`` must be the unscoped cube; only this ratio leaves the function.

    >>> import datetime as dt
    >>> cube = pl.DataFrame({"month": [dt.date(2025, 1, 1)] * 2, "municipality_now": ["A", "B"],
    ...   "category_id": [1, 1], "category_l1_id": [1, 1], "area": ["drift"] * 2,
    ...   "spend_class": ["purchase"] * 2, "amount": [300.0, 100.0]})
    >>> target_share(cube, Filters(dt.date(2025, 1, 1), dt.date(2025, 1, 1)), frozenset({"B"}))
    0.25
    """
    if codes is None:
        return 1.0
    period = Filters(f.start, f.end, (), (), f.area)
    d = purchases(all_members_cube, period)
    total = float(d["amount"].sum()) if d.height else 0.0
    part = float(d.filter(pl.col("municipality_now").is_in(sorted(codes)))["amount"].sum())
    return part / total if total else 0.0


@dataclass(frozen=True)
class SavingsFigures:
    """Gevinster's frames for one selection, before they are drawn."""

    monthly: pl.DataFrame  # savings.realized_by_month
    yearly: pl.DataFrame  # savings.realized_by_year
    projection: dict[str, float | int] | None  # savings.year_end_projection
    by_municipality: pl.DataFrame  # savings.realized_by_municipality
    loyalty: pl.DataFrame  # coverage.loyalty_by_agreement
    per_agreement: pl.DataFrame  # savings.agreement_savings


def savings_figures(
    rows: savings.SavingsRows,
    f: Filters,
    *,
    agreements: pl.DataFrame,
    parties: pl.DataFrame,
    participants: pl.DataFrame,
    population: pl.DataFrame,
    yearly_target: float,
    in_view: frozenset[str] | None,
) -> SavingsFigures:
    """Every frame of the Gevinster page from the cube's rows or the database's sums
    (:class:`savings.SavingsRows`); ``in_view`` as for :func:`savings_summary`."""
    monthly = savings.realized_by_month(rows.history, f, agreements)
    loyalty = (
        coverage.loyalty_of(rows.loyalty)
        if rows.loyalty is not None
        else coverage.loyalty_by_agreement(rows.period, f, agreements, parties, participants)
    )
    shares = (
        savings.participant_shares(participants, population, in_view)
        if in_view is not None
        else None
    )
    return SavingsFigures(
        monthly=monthly,
        yearly=savings.realized_by_year(monthly, yearly_target),
        projection=savings.year_end_projection(monthly),
        by_municipality=savings.realized_by_municipality(rows.period, f, agreements),
        loyalty=loyalty,
        per_agreement=savings.agreement_savings(rows.period, f, agreements, loyalty, shares),
    )


def savings_summary(
    figures: SavingsFigures,
    f: Filters,
    *,
    yearly_target: float,
    share_of_target: float = 1.0,
) -> SavingsSummary:
    """The headline of :func:`savings_figures` for ``f`` (the page's frames, so a script and
    the page agree); ``share_of_target`` from :func:`target_share`."""
    by_muni, per_agreement, projection = (
        figures.by_municipality,
        figures.per_agreement,
        figures.projection,
    )
    realized = float(by_muni["realized"].sum()) if by_muni.height else 0.0
    hard = float(by_muni["hard"].sum()) if by_muni.height else 0.0
    period_target = yearly_target * share_of_target * f.n_months / 12.0
    return SavingsSummary(
        realized=realized,
        realized_hard=hard,
        realized_avoidance=realized - hard,
        expected_period=float(per_agreement["projected"].fill_null(0).sum())
        if per_agreement.height
        else 0.0,
        expected_loyalty=float(per_agreement["expected_loyalty"].fill_null(0).sum())
        if per_agreement.height
        else 0.0,
        projection_year=int(projection["year"]) if projection else None,
        projection_year_end=float(projection["projected_year_end"]) if projection else None,
        yearly_target=yearly_target,
        target_share=share_of_target,
        period_target=period_target,
        realized_vs_target=realized / period_target if period_target else None,
    )
