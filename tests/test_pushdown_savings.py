"""Gevinster summed by the database gives the cube's figures (issue 8, point 5).

Every frame of the page — realized saving per month and per year, the year-end projection,
per municipality, loyalty per agreement and the per-agreement table — from
``data_access.pushdown_savings``'s sums and from the scope's cube through
``metrics.savings_summary.savings_figures``, on both databases, for five filter sets and
three scopes.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from data_access import pushdown_savings as ps
from data_access.metrics.savings import SavingsRows
from data_access.metrics.savings_summary import SavingsFigures, savings_figures
from data_access.store.agreements import load_agreements, load_parties
from data_access.store.cube import load_cube
from data_access.store.filters import Filters
from data_access.store.population import load_population
from data_access.store.scope import Scope

FILTER_SETS = [
    Filters.year(2025),
    Filters(dt.date(2024, 4, 1), dt.date(2024, 9, 1), municipalities=("5038", "5006")),
    Filters.year(2023, categories=(1,), area="alle"),
    Filters(dt.date(2024, 1, 1), dt.date(2025, 6, 1), categories=(11, 23)),
    # 2019: Verran (5039) and old Steinkjer (5004) bought apart; today both are Steinkjer.
    Filters.year(2019),
]
IDS = ["2025", "2024-Q2Q3-two-munis", "2023-cat1-all", "18-months-two-leaves", "2019-merged"]
SCOPES = [
    Scope.everything(),
    Scope(role="kommune", municipalities=frozenset({"5038"})),
    Scope(role="kommune", municipalities=frozenset({"5006"})),
]
SCOPE_IDS = ["everything", "verdal", "steinkjer"]


def scope_cubes(engine: sa.Engine) -> dict[Scope, pl.DataFrame]:
    """Each of :data:`SCOPES`' cubes (the other pushdown tests keep them per module)."""
    return {sc: load_cube(engine, sc) for sc in SCOPES}


def _same(got: pl.DataFrame, want: pl.DataFrame, by: list[str]) -> None:
    """Equal frames in the same order of ``by``, amounts to the øre (the database sums øre,
    the cube kroner)."""
    assert got.columns == want.columns
    assert_frame_equal(
        got.sort(by),
        want.sort(by),
        check_dtypes=False,
        check_exact=False,
        rel_tol=1e-9,
        abs_tol=1e-6,
    )


def _figures(
    engine: sa.Engine | sa.Connection, sc: Scope, f: Filters, rows: SavingsRows
) -> SavingsFigures:
    parties, participants = load_parties(engine)
    in_view = frozenset(f.municipalities) if f.municipalities else sc.municipalities
    return savings_figures(
        rows,
        f,
        agreements=load_agreements(engine),
        parties=parties,
        participants=participants,
        population=load_population(engine),
        yearly_target=7_500_000.0,
        in_view=in_view,
    )


@pytest.mark.parametrize("f", FILTER_SETS, ids=IDS)
@pytest.mark.parametrize("sc", SCOPES, ids=SCOPE_IDS)
def test_savings_figures_from_the_database_equal_the_cubes(
    engine: sa.Engine, f: Filters, sc: Scope
) -> None:
    want = _figures(engine, sc, f, SavingsRows.of_cube(load_cube(engine, sc)))
    got = _figures(engine, sc, f, ps.savings_rows(engine, sc, f, load_agreements(engine)))

    # The demo has agreements with matched purchases in every scope: the figures are real.
    assert want.monthly.height > 12 and want.monthly["realized"].sum() > 0
    assert want.per_agreement.height > 0
    _same(got.monthly, want.monthly, ["month"])
    _same(got.yearly, want.yearly, ["year"])
    assert got.projection == pytest.approx(want.projection)
    _same(got.by_municipality, want.by_municipality, ["municipality_now"])
    _same(got.loyalty, want.loyalty, ["agreement_id"])
    _same(got.per_agreement, want.per_agreement, ["agreement_id"])


def test_loyalty_is_measured_and_agreement_categories_come_from_the_whole_scope(
    engine: sa.Engine,
) -> None:
    """The loyalty frames compared above are not empty, and an agreement without a register
    category gets the one holding most of its matched spend over every month — not only the
    period's (the period's sums alone could name another)."""
    sc, f = Scope.everything(), Filters.year(2025)
    agreements = load_agreements(engine)
    cats = ps.categories(engine, sc, agreements)
    assert cats.height > 0
    unregistered = agreements.filter(pl.col("category_id").is_null())["id"].cast(pl.Int64)
    cube = load_cube(engine, sc)
    dominant = (
        cube.filter(pl.col("agreement_id").is_in(unregistered.implode()))
        .filter(pl.col("spend_class") == "purchase")
        .group_by("agreement_id", "category_id")
        .agg(pl.col("amount").sum())
        .sort("amount", descending=True)
        .unique("agreement_id", keep="first")
        .select("agreement_id", "category_id")
    )
    assert dominant.height > 0  # the demo register leaves some categories blank
    _same(
        cats.filter(pl.col("agreement_id").is_in(unregistered.implode())),
        dominant,
        ["agreement_id"],
    )
    loyalty = _figures(engine, sc, f, SavingsRows.of_cube(cube)).loyalty
    assert loyalty.height > 0 and loyalty["category_spend"].sum() > 0


def test_an_agreement_starting_mid_month_counts_its_first_month(engine: sa.Engine) -> None:
    """Loyalty counts a month in which the agreement is active on any day: one starting on
    the 15th counts that whole month on both paths (the database compares the cube's months
    with the start's month, not the day). Changed inside a transaction, rolled back."""
    sc, f = Scope.everything(), Filters.year(2025)
    with engine.connect() as c:
        a = sa.table("agreement", sa.column("id"), sa.column("start"))
        busiest = (
            load_cube(c, sc)
            .filter(pl.col("agreement_id").is_not_null(), pl.col("year") == 2025)
            .group_by("agreement_id")
            .agg(pl.col("amount").sum())
            .sort("amount", descending=True)["agreement_id"][0]
        )
        c.execute(sa.update(a).where(a.c.id == busiest).values(start=dt.date(2025, 3, 15)))
        try:
            want = _figures(c, sc, f, SavingsRows.of_cube(load_cube(c, sc))).loyalty
            rows = ps.savings_rows(c, sc, f, load_agreements(c))
            got = _figures(c, sc, f, rows).loyalty
            one = want.filter(pl.col("agreement_id") == busiest)
            assert one["category_spend"][0] > 0  # March to December of its category
            _same(got, want, ["agreement_id"])
        finally:
            c.rollback()
