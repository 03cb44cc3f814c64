"""Avtaler summed by the database gives the cube's figures (issue 8, point 5).

Every tab's frame — coverage (total, per category, per category and municipality), loyalty
per category, spend outside agreements per category and per supplier, the threshold watch,
expiring agreements and the e-handel trend and share — from ``data_access.pushdown_agreements``
and from the scope's cube through ``metrics.coverage`` / ``metrics.thresholds``, on both
databases, for five filter sets and three scopes.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from data_access import pushdown
from data_access import pushdown_agreements as pa
from data_access import pushdown_savings as ps
from data_access.metrics import coverage
from data_access.metrics.thresholds import threshold_watch
from data_access.store.agreements import load_agreements, load_parties
from data_access.store.cube import load_cube
from data_access.store.filters import Filters
from data_access.store.scope import Scope
from data_access.store.thresholds import load_thresholds
from tests.test_pushdown_savings import FILTER_SETS, IDS, SCOPE_IDS, SCOPES, _same, scope_cubes


@pytest.fixture(scope="module")
def cubes(engine: sa.Engine) -> dict[Scope, pl.DataFrame]:
    return scope_cubes(engine)


@pytest.mark.parametrize("f", FILTER_SETS, ids=IDS)
@pytest.mark.parametrize("sc", SCOPES, ids=SCOPE_IDS)
def test_coverage_and_outside_from_the_database_equal_the_cubes(
    engine: sa.Engine, cubes: dict[Scope, pl.DataFrame], f: Filters, sc: Scope
) -> None:
    cube = cubes[sc]
    rows = pa.coverage_rows(engine, sc, f)
    want_total = coverage.coverage_total(cube, f)
    assert want_total is not None and 0 < want_total < 1  # matched and unmatched purchases
    assert coverage.coverage_total(rows, f) == pytest.approx(want_total, rel=1e-12)
    _same(
        coverage.coverage_by_category(rows, f),
        coverage.coverage_by_category(cube, f),
        ["category_id"],
    )
    _same(
        coverage.coverage_by_category_municipality(rows, f),
        coverage.coverage_by_category_municipality(cube, f),
        ["category_l1_id", "municipality_now"],
    )
    outside = pushdown.outside_rows(engine, sc, f)
    want = coverage.outside_by_category(cube, f)
    assert want.height > 0
    _same(coverage.outside_by_category(outside, f), want, ["category_id"])
    want = coverage.outside_by_supplier(cube, f)
    assert want.height > 0 and want["municipalities"].max() >= 1
    _same(pa.outside_by_supplier(engine, sc, f, outside), want, ["supplier_id"])


@pytest.mark.parametrize("f", FILTER_SETS, ids=IDS)
@pytest.mark.parametrize("sc", SCOPES, ids=SCOPE_IDS)
def test_loyalty_per_category_from_the_database_equals_the_cubes(
    engine: sa.Engine, cubes: dict[Scope, pl.DataFrame], f: Filters, sc: Scope
) -> None:
    agreements = load_agreements(engine)
    parties, participants = load_parties(engine)
    want = coverage.loyalty_by_category(cubes[sc], f, agreements, parties, participants)
    got = pa.loyalty_by_category(engine, sc, f, ps.categories(engine, sc, agreements))
    _same(got, want, ["category_id"])


def test_loyalty_per_category_counts_a_purchase_under_two_agreements_once(
    engine: sa.Engine,
) -> None:
    """A second agreement in the busiest agreement's category, for the same municipalities
    and 2025, with another supplier as its party (added in a transaction, rolled back):
    summed per agreement the category's purchases now count twice; per category each cube
    row counts once on both paths, with a party when its supplier is one to either
    agreement."""
    sc, f = Scope.everything(), Filters.year(2025)
    with engine.connect() as c:
        agreements = load_agreements(c)
        parties, participants = load_parties(c)
        cube = load_cube(c, sc)
        cats = ps.categories(c, sc, agreements)
        first = (
            cube.filter(pl.col("agreement_id").is_not_null(), pl.col("year") == 2025)
            .group_by("agreement_id")
            .agg(pl.col("amount").sum())
            .sort("amount", descending=True)["agreement_id"][0]
        )
        category = cats.filter(pl.col("agreement_id") == first)["category_id"][0]
        mine = parties.filter(pl.col("agreement_id") == first)["orgnr"]
        other = (
            cube.filter(
                pl.col("category_id") == category,
                pl.col("year") == 2025,
                pl.col("orgnr").is_not_null(),
                ~pl.col("orgnr").is_in(mine.implode()),
            )
            .group_by("orgnr")
            .agg(pl.col("amount").sum())
            .sort("amount", descending=True)["orgnr"][0]
        )
        a = sa.table(
            "agreement",
            *(
                sa.column(n)
                for n in ("id", "ref", "name", "category_id", "start", "end", "savings_type")
            ),
        )
        new_id = int(agreements["id"].max()) + 1
        c.execute(
            sa.insert(a).values(
                id=new_id,
                ref="TEST-OVERLAP",
                name="Overlapping test agreement",
                category_id=int(category),
                start=dt.date(2025, 1, 1),
                end=dt.date(2025, 12, 31),
                savings_type="hard",
            )
        )
        sup = sa.table("agreement_supplier", sa.column("agreement_id"), sa.column("orgnr"))
        c.execute(sa.insert(sup).values(agreement_id=new_id, orgnr=other))
        muni = sa.table(
            "agreement_municipality", sa.column("agreement_id"), sa.column("municipality_code")
        )
        codes = participants.filter(pl.col("agreement_id") == first)["municipality_code"]
        c.execute(
            sa.insert(muni), [{"agreement_id": new_id, "municipality_code": m} for m in codes]
        )
        try:
            agreements = load_agreements(c)
            parties, participants = load_parties(c)
            per_agreement = coverage.loyalty_by_agreement(
                cube, f, agreements, parties, participants
            ).filter(pl.col("category_id") == category)
            want = coverage.loyalty_by_category(cube, f, agreements, parties, participants)
            got = pa.loyalty_by_category(c, sc, f, ps.categories(c, sc, agreements))
            both = want.filter(pl.col("category_id") == category)
            assert per_agreement.height >= 2
            assert per_agreement["category_spend"].sum() > both["category_spend"][0] * 1.5
            assert (
                both["in_agreement"][0]
                > per_agreement.filter(pl.col("agreement_id") == first)["in_agreement"][0]
            )
            _same(got, want, ["category_id"])
        finally:
            c.rollback()


@pytest.mark.parametrize("f", FILTER_SETS, ids=IDS)
@pytest.mark.parametrize("sc", SCOPES, ids=SCOPE_IDS)
def test_threshold_watch_from_the_database_equals_the_cubes(
    engine: sa.Engine, cubes: dict[Scope, pl.DataFrame], f: Filters, sc: Scope
) -> None:
    thresholds = load_thresholds(engine)
    seen = 0
    for by_category in (False, True):
        for level in ("regulation", "national"):
            want = threshold_watch(
                cubes[sc], f, thresholds, by_category=by_category, min_level=level
            )
            got = pa.threshold_watch(
                engine, sc, f, thresholds, by_category=by_category, min_level=level
            )
            by = ["basis", "municipality_now", "supplier_id", "category_id", "window"]
            assert got.columns == want.columns
            assert_same_flags(got, want, by)
            seen += want.height
    assert seen > 0


@pytest.mark.parametrize("sc", SCOPES, ids=SCOPE_IDS)
def test_threshold_watch_over_a_long_period_equals_the_cubes(
    engine: sa.Engine, cubes: dict[Scope, pl.DataFrame], sc: Scope
) -> None:
    """Five years: the period's 12-month windows begin before the 48 months do, so no
    earlier months are summed apart (``watch_rows``); the flags are still the cube's."""
    f = Filters(dt.date(2021, 1, 1), dt.date(2025, 12, 1))
    thresholds = load_thresholds(engine)
    want = threshold_watch(cubes[sc], f, thresholds, min_level="regulation")
    got = pa.threshold_watch(engine, sc, f, thresholds, min_level="regulation")
    assert want.height > 0
    by = ["basis", "municipality_now", "supplier_id", "category_id", "window"]
    assert_same_flags(got, want, by)


def assert_same_flags(got: pl.DataFrame, want: pl.DataFrame, by: list[str]) -> None:
    _same(got.sort(by, nulls_last=True), want.sort(by, nulls_last=True), by)


def test_threshold_watch_reads_only_the_keys_that_can_be_flagged(engine: sa.Engine) -> None:
    """The database leaves out the keys whose months cannot reach the lowest threshold: the
    rows it returns are far fewer than the unmatched purchases per supplier, municipality
    and month, and every flagged key is among them."""
    sc, f = Scope.everything(), Filters.year(2025)
    thresholds = load_thresholds(engine)
    with engine.connect() as c:
        rows = pa.watch_rows(c, sc, f, thresholds, by_category=False, min_level="national")
    every = (
        load_cube(engine, sc)
        .filter(
            pl.col("spend_class") == "purchase",
            pl.col("agreement_id").is_null(),
            pl.col("month").is_between(dt.date(2021, 2, 1), f.end),
        )
        .select("supplier_id", "municipality_now", "month")
        .unique()
    )
    municipal = rows.filter(pl.col("municipality_code").is_not_null())
    assert 0 < municipal.height < every.height / 3
    flags = pa.threshold_watch(engine, sc, f, thresholds).filter(pl.col("basis") == "municipality")
    keys = municipal.select("supplier_id", municipality_now="municipality_code").unique()
    assert flags.height > 0
    assert flags.join(keys, on=["supplier_id", "municipality_now"], how="anti").height == 0


@pytest.mark.parametrize("sc", SCOPES, ids=SCOPE_IDS)
def test_expiring_and_ehandel_from_the_database_equal_the_cubes(
    engine: sa.Engine, cubes: dict[Scope, pl.DataFrame], sc: Scope
) -> None:
    cube = cubes[sc]
    agreements = load_agreements(engine)
    _parties, participants = load_parties(engine)
    today = dt.date(2025, 6, 1)
    want = coverage.expiring(agreements, cube, participants, today, 12, sc.municipalities)
    assert want.height > 0 and want["volume_12m"].sum() > 0
    got = pa.expiring_agreements(engine, sc, agreements, participants, today)
    _same(got, want, ["agreement_id"])
    assert pa.last_month(engine, sc) == cube["month"].max()
    for f in FILTER_SETS:
        rows = pa.ehandel_rows(engine, sc, f)
        assert coverage.ehandel_share(rows, f) == pytest.approx(
            coverage.ehandel_share(cube, f), rel=1e-12
        )
        for by in ("year", "quarter"):
            _same(
                coverage.ehandel_over_time(rows, f, by),
                coverage.ehandel_over_time(cube, f, by),
                ["sort", "municipality_now"],
            )
