"""Savings of agreements (PRODUCT.md §4): projected and realized, against the yearly target.

For a savings rate r the spend at agreement prices would have cost spend/(1 − r) at baseline
prices, so the **realized** saving is matched spend × r/(1 − r). An agreement given as an
absolute projected saving P on an estimated annual value E saves matched spend × P/E.

The **projected** saving of an agreement for a period is its yearly projection (E × r/(1 − r),
or P) prorated by the days it is active in the period, per calendar year (a full year gives
exactly the yearly figure, leap year or not). It is a property of the whole agreement; when the
view is limited to some municipalities (a filter or a kommune user's scope) it is split among
the participants by population (``participant_shares``) — a transparent allocation that needs
no other municipality's spend, so a kommune user's figures stay computed on their rows only.

Everything realized is computed from the same filtered cube as the rest of the dashboard
(``filters.apply``, purchase spend only), so the Gevinster page, Oversikt and the CLI agree.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import polars as pl

from data_access.metrics.common import period_target, purchases
from data_access.store.filters import Filters


@dataclass(frozen=True)
class SavingsRows:
    """What Gevinster's figures are computed from: the cube itself (:meth:`of_cube`), or —
    above the pushdown threshold — the database's sums (``data_access.pushdown_savings``),
    each summed over every cube column its figures do not group by, so each figure is the
    same from them as from the cube:

    - ``history``: the purchases of every month within the other filters (the per-month and
      per-year charts), per month and agreement;
    - ``period``: the period's purchases (per municipality, per agreement), per month,
      municipality and agreement;
    - ``loyalty``: None to compute loyalty from ``period`` (then the cube), or the database's
      loyalty sums per agreement, category and party (``coverage.loyalty_of``'s rows).
    """

    history: pl.DataFrame
    period: pl.DataFrame
    loyalty: pl.DataFrame | None = None

    @classmethod
    def of_cube(cls, cube: pl.DataFrame) -> SavingsRows:
        return cls(history=cube, period=cube)


def savings_factors(agreements: pl.DataFrame) -> pl.DataFrame:
    """agreement_id, factor, savings_type for each agreement.

    >>> ag = pl.DataFrame({"id": [1, 2], "savings_rate": [0.2, None],
    ...   "projected_saving_ore": [None, 50_000_00], "estimated_annual_value_ore": [None, 1_000_000_00],
    ...   "savings_type": ["hard", "avoidance"]})
    >>> savings_factors(ag)["factor"].to_list()
    [0.25, 0.05]
    """
    rate = pl.col("savings_rate")
    return agreements.select(
        agreement_id=pl.col("id").cast(pl.Int64),
        factor=pl.when(rate.is_not_null() & (rate > 0) & (rate < 1))
        .then(rate / (1 - rate))
        .when(pl.col("estimated_annual_value_ore") > 0)
        .then(
            pl.col("projected_saving_ore").cast(pl.Float64)
            / pl.col("estimated_annual_value_ore").cast(pl.Float64)
        )
        .otherwise(0.0)
        .fill_null(0.0),
        savings_type=pl.col("savings_type"),
    )


def with_realized(frame: pl.DataFrame, factors: pl.DataFrame) -> pl.DataFrame:
    """Add ``realized`` (NOK) to cube rows: matched amount × the agreement's factor."""
    return frame.join(factors, on="agreement_id", how="left", maintain_order="left").with_columns(
        realized=pl.col("amount") * pl.col("factor").fill_null(0.0)
    )


def realized_ore(matched_ore: int, rate: float) -> int:
    """Realized saving in whole øre for matched spend at savings rate r (rounded half up).

    >>> realized_ore(1_000_000_00, 0.2)  # 1 MNOK at 20 % → 250 000 kr
    25000000
    """
    return int(matched_ore * rate / (1 - rate) + 0.5)


def yearly_projection() -> pl.Expr:
    """Projected saving per year in NOK: E × r/(1 − r) for a rate, else the absolute P.

    >>> pl.DataFrame({"savings_rate": [0.2, None], "estimated_annual_value_ore": [100_000_00, 5],
    ...   "projected_saving_ore": [None, 12_000_00]}).select(yearly_projection())["yearly"].to_list()
    [25000.0, 12000.0]
    """
    rate = pl.col("savings_rate")
    value = pl.col("estimated_annual_value_ore").cast(pl.Float64) / 100.0
    return (
        pl.when(rate.is_not_null() & (rate > 0) & (rate < 1))
        .then(value * rate / (1 - rate))
        .otherwise(pl.col("projected_saving_ore").cast(pl.Float64) / 100.0)
        .fill_null(0.0)
        .alias("yearly")
    )


def period_days(f: Filters) -> tuple[dt.date, dt.date]:
    """First and last day of the filter's month range."""
    last = calendar.monthrange(f.end.year, f.end.month)[1]
    return f.start, f.end.replace(day=last)


def active_year_fraction(start: dt.date, end: dt.date) -> pl.Expr:
    """Σ over calendar years of (days the agreement is active in [start, end] ∩ year) / days in
    that year, for agreement rows with ``start`` and ``end`` columns. A full year gives 1.0.

    >>> ag = pl.DataFrame({"start": [dt.date(2021, 7, 1)], "end": [dt.date(2023, 6, 30)]})
    >>> round(ag.select(active_year_fraction(dt.date(2021, 1, 1), dt.date(2021, 12, 31)))
    ...   .item(), 4)  # 184 of 365 days
    0.5041
    """
    total = pl.lit(0.0)
    for year in range(start.year, end.year + 1):
        y0, y1 = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
        days_in_year = 366 if calendar.isleap(year) else 365
        lo = pl.max_horizontal(pl.col("start"), pl.lit(y0))
        hi = pl.min_horizontal(pl.col("end"), pl.lit(y1))
        days = ((hi - lo).dt.total_days() + 1).clip(lower_bound=0)
        total = total + days.cast(pl.Float64) / days_in_year
    return total.alias("year_fraction")


def active_days(start: dt.date, end: dt.date) -> pl.Expr:
    """Days an agreement (``start``/``end`` columns) is active within [start, end]."""
    lo = pl.max_horizontal(pl.col("start"), pl.lit(start))
    hi = pl.min_horizontal(pl.col("end"), pl.lit(end))
    return ((hi - lo).dt.total_days() + 1).clip(lower_bound=0).alias("active_days")


def projected_for_period(agreements: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """agreement_id, active_days, projected (NOK) for the filter's period, prorated by days."""
    start, end = period_days(f)
    return agreements.select(
        agreement_id=pl.col("id").cast(pl.Int64),
        active_days=active_days(start, end),
        projected=yearly_projection() * active_year_fraction(start, end),
    )


def participant_shares(
    participants: pl.DataFrame, population: pl.DataFrame, municipalities: frozenset[str] | None
) -> pl.DataFrame:
    """agreement_id, share: the population of the participants in ``municipalities`` / the
    population of all the agreement's participants (1.0 for every agreement when None).

    ``population`` has municipality_code (today's) and population (the latest year is used).

    >>> part = pl.DataFrame({"agreement_id": [1, 1, 2], "municipality_code": ["A", "B", "B"]})
    >>> pop = pl.DataFrame({"municipality_code": ["A", "B"], "population": [300, 100]})
    >>> participant_shares(part, pop, frozenset({"B"})).sort("agreement_id")["share"].to_list()
    [0.25, 1.0]
    """
    ids = participants.select(pl.col("agreement_id").cast(pl.Int64)).unique()
    if municipalities is None:
        return ids.with_columns(share=pl.lit(1.0))
    if "year" in population.columns:  # one row per code: its latest year
        population = population.sort("year").unique("municipality_code", keep="last")
    pop = population.select("municipality_code", pl.col("population").cast(pl.Float64))
    p = participants.select(pl.col("agreement_id").cast(pl.Int64), "municipality_code").join(
        pop, on="municipality_code", how="left"
    )
    inside = pl.col("municipality_code").is_in(sorted(municipalities))
    return p.group_by("agreement_id").agg(
        share=(pl.col("population").filter(inside).sum() / pl.col("population").sum()).fill_nan(0.0)
    )


def _realized_rows(
    cube: pl.DataFrame, f: Filters, factors: pl.DataFrame, *, period: bool = True
) -> pl.DataFrame:
    """Purchase rows in the filters with ``realized`` and ``savings_type`` attached."""
    d = purchases(cube, f, period=period)
    return with_realized(d, factors)


def agreement_savings(
    cube: pl.DataFrame,
    f: Filters,
    agreements: pl.DataFrame,
    loyalty: pl.DataFrame | None = None,
    shares: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per agreement active in the period or with matched spend in it: projected vs
    realized, the loyalty-adjusted expectation (projected × loyalty) and a status.

    Agreements with no matched spend are kept with ``matched = 0`` and status
    ``"no_purchases"`` (statuses are English values; ``charts.savings.STATUS_LABELS`` says them
    in the reader's language): an agreement nobody buys on is news, not noise. ``loyalty`` is the
    frame of ``coverage.loyalty_by_agreement`` (agreement_id, loyalty); without it the
    loyalty columns are null. ``shares`` (``participant_shares``) scales the projection to the
    municipalities in view; agreements none of them takes part in are then left out.
    """
    factors = savings_factors(agreements)
    rows = _realized_rows(cube, f, factors)
    matched = (
        rows.filter(pl.col("agreement_id").is_not_null())
        .group_by("agreement_id")
        .agg(matched=pl.col("amount").sum(), realized=pl.col("realized").sum())
    )
    proj = projected_for_period(agreements, f)
    if shares is not None:
        proj = (
            proj.join(shares, on="agreement_id", how="left")
            .with_columns(
                projected=pl.col("projected") * pl.col("share").fill_null(0.0),
                active_days=pl.when(pl.col("share").fill_null(0.0) > 0)
                .then(pl.col("active_days"))
                .otherwise(0),
            )
            .drop("share")
        )
    out = (
        agreements.select(
            agreement_id=pl.col("id").cast(pl.Int64),
            ref="ref",
            name="name",
            savings_type="savings_type",
            start="start",
            end="end",
            savings_rate="savings_rate",
            yearly_projected=yearly_projection(),
        )
        .join(proj, on="agreement_id", how="left")
        .join(matched, on="agreement_id", how="left")
        .with_columns(pl.col("matched").fill_null(0.0), pl.col("realized").fill_null(0.0))
        .filter((pl.col("active_days") > 0) | (pl.col("matched") != 0))
    )
    if loyalty is not None and loyalty.height:
        out = out.join(
            loyalty.select(pl.col("agreement_id").cast(pl.Int64), "loyalty"),
            on="agreement_id",
            how="left",
        )
    else:
        out = out.with_columns(loyalty=pl.lit(None, pl.Float64))
    return out.with_columns(
        expected_loyalty=pl.col("projected") * pl.col("loyalty"),
        realized_share=pl.when(pl.col("projected") > 0).then(
            pl.col("realized") / pl.col("projected")
        ),
        status=pl.when(pl.col("matched") == 0)
        .then(pl.lit("no_purchases"))
        .when(pl.col("projected").fill_null(0) <= 0)
        .then(pl.lit("no_projection"))
        .when(pl.col("realized") >= pl.col("projected"))
        .then(pl.lit("above_expected"))
        .otherwise(pl.lit("below_expected")),
    ).sort("realized", "projected", descending=True)


def realized_by_month(cube: pl.DataFrame, f: Filters, agreements: pl.DataFrame) -> pl.DataFrame:
    """Realized saving per month for every month in the data (the period filter is not
    applied; municipality, category and area are), hard and avoidance apart, with the
    cumulative sum within each calendar year.

    Columns: year, month (date), month_no, realized, hard, avoidance, cum_realized.
    """
    rows = _realized_rows(cube, f, savings_factors(agreements), period=False)
    if rows.height == 0:
        return pl.DataFrame(
            schema={
                "year": pl.Int32,
                "month": pl.Date,
                "month_no": pl.Int8,
                "realized": pl.Float64,
                "hard": pl.Float64,
                "avoidance": pl.Float64,
                "cum_realized": pl.Float64,
            }
        )
    first, last = rows["month"].min(), rows["month"].max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)  # rows is not empty here
    months = pl.DataFrame({"month": pl.date_range(first, last, "1mo", eager=True)})
    typ = pl.col("savings_type")
    per_month = rows.group_by("month").agg(
        realized=pl.col("realized").sum(),
        hard=pl.col("realized").filter(typ == "hard").sum(),
        avoidance=pl.col("realized").filter(typ == "avoidance").sum(),
    )
    return (
        months.join(per_month, on="month", how="left")
        .with_columns(pl.col("realized", "hard", "avoidance").fill_null(0.0))
        .with_columns(
            year=pl.col("month").dt.year().cast(pl.Int32),
            month_no=pl.col("month").dt.month().cast(pl.Int8),
        )
        .sort("month")
        .with_columns(cum_realized=pl.col("realized").cum_sum().over("year"))
        .select("year", "month", "month_no", "realized", "hard", "avoidance", "cum_realized")
    )


def realized_by_year(monthly: pl.DataFrame, yearly_target_nok: float) -> pl.DataFrame:
    """Per year: realized (hard, avoidance), months with data, and share of the yearly target."""
    return (
        monthly.group_by("year")
        .agg(
            realized=pl.col("realized").sum(),
            hard=pl.col("hard").sum(),
            avoidance=pl.col("avoidance").sum(),
            months=pl.len(),
        )
        .sort("year")
        .with_columns(
            target=pl.lit(float(yearly_target_nok)),
            share_of_target=pl.col("realized") / yearly_target_nok
            if yearly_target_nok
            else pl.lit(None, pl.Float64),
        )
    )


def year_end_projection(monthly: pl.DataFrame) -> dict[str, float | int] | None:
    """Projection of the last (incomplete) year: realized so far + the average monthly realized
    saving of the last 12 months × the months left. The 12-month average carries a whole year's
    seasonality, so an early-year projection is not driven by one strong month.

    None when the last year in the data is complete (December present) or there is no data.
    """
    if monthly.height == 0:
        return None
    last = monthly.sort("month").row(-1, named=True)
    if last["month_no"] == 12:
        return None
    year = int(last["year"])
    to_date = float(monthly.filter(pl.col("year") == year)["realized"].sum())
    mean = monthly.sort("month").tail(12)["realized"].mean()
    avg = float(mean) if isinstance(mean, int | float) else 0.0
    left = 12 - int(last["month_no"])
    return {
        "year": year,
        "last_month": int(last["month_no"]),
        "to_date": to_date,
        "monthly_average": avg,
        "months_left": left,
        "projected_year_end": to_date + avg * left,
    }


def realized_by_municipality(
    cube: pl.DataFrame, f: Filters, agreements: pl.DataFrame
) -> pl.DataFrame:
    """Per member (today's structure): matched spend and realized saving on its own matched
    spend, hard and avoidance apart. The rows add up to the period's total realized saving."""
    rows = _realized_rows(cube, f, savings_factors(agreements))
    typ = pl.col("savings_type")
    return (
        rows.group_by("municipality_now", "municipality_name")
        .agg(
            spend=pl.col("amount").sum(),
            matched=pl.col("amount").filter(pl.col("agreement_id").is_not_null()).sum(),
            realized=pl.col("realized").sum(),
            hard=pl.col("realized").filter(typ == "hard").sum(),
            avoidance=pl.col("realized").filter(typ == "avoidance").sum(),
        )
        .sort("realized", descending=True)
    )


@dataclass(frozen=True)
class SavingsHeadline:
    """The Gevinster tiles for one filter selection (NOK; shares 0–1), beside ``Headline``."""

    realized: float
    hard: float
    avoidance: float
    yearly_target: float
    period_target: float  # the yearly target × months / 12
    vs_target: float | None  # realized / period target
    projected: float  # the agreements' projections for the period (allocated when scoped)
    expected: float  # projected × loyalty


def savings_headline(
    by_municipality: pl.DataFrame,
    per_agreement: pl.DataFrame,
    yearly_target_nok: float,
    f: Filters,
) -> SavingsHeadline:
    """The tiles from the two tables the page also draws (``realized_by_municipality`` and
    ``agreement_savings``), so the tiles and the charts add up to the same numbers.

    >>> by_muni = pl.DataFrame({"realized": [60.0, 40.0], "hard": [50.0, 10.0]})
    >>> per = pl.DataFrame({"projected": [80.0, 40.0], "expected_loyalty": [60.0, None]})
    >>> h = savings_headline(by_muni, per, 1_200.0, Filters.year(2025))
    >>> (h.realized, h.hard, h.avoidance, h.period_target, h.vs_target, h.projected, h.expected)
    (100.0, 60.0, 40.0, 1200.0, 0.08333333333333333, 120.0, 60.0)
    """
    realized = float(by_municipality["realized"].sum()) if by_municipality.height else 0.0
    hard = float(by_municipality["hard"].sum()) if by_municipality.height else 0.0
    target = period_target(yearly_target_nok, f)
    return SavingsHeadline(
        realized=realized,
        hard=hard,
        avoidance=realized - hard,
        yearly_target=yearly_target_nok,
        period_target=target,
        vs_target=realized / target if target else None,
        projected=float(per_agreement["projected"].sum()) if per_agreement.height else 0.0,
        expected=float(per_agreement["expected_loyalty"].fill_null(0).sum()),
    )


def realized_total(cube: pl.DataFrame, f: Filters, agreements: pl.DataFrame) -> float:
    """The period's realized saving (NOK) — the same number as Oversikt's headline."""
    rows = _realized_rows(cube, f, savings_factors(agreements))
    return float(rows["realized"].sum()) if rows.height else 0.0
