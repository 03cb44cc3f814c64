"""Regionalt næringsliv summed by the database gives the cube's figures (issue 8, point 5).

Every frame the page shows — the levels in total, per municipality, per category and per
quarter, the flow matrix, the SME shares, head office against sub-unit, and the regional
alternatives — from ``data_access.pushdown_regional``'s sums and from the whole cube through
``metrics.regional``, on both databases, for three filter sets and two scopes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from data_access import pushdown_regional as pr
from data_access.metrics import regional
from data_access.store import cube as cube_module
from data_access.store.cube import load_cube, load_municipalities, load_suppliers
from data_access.store.filters import Filters
from data_access.store.locations import load_supplier_locations
from data_access.store.reference import member_codes_now, region
from data_access.store.scope import Scope

FILTER_SETS = [
    Filters.year(2025),
    Filters(dt.date(2024, 4, 1), dt.date(2024, 9, 1), municipalities=("5038", "5006")),
    Filters.year(2023, categories=(1,), area="alle"),
    # 2019: Verran (5039) and old Steinkjer (5004) bought apart; today both are Steinkjer.
    Filters.year(2019),
]
IDS = ["2025", "2024-Q2Q3-two-munis", "2023-cat1-all", "2019-merged"]
SCOPES = [
    Scope.everything(),
    Scope(role="kommune", municipalities=frozenset({"5038"})),
    Scope(role="kommune", municipalities=frozenset({"5006"})),
]


def _same(got: pl.DataFrame, want: pl.DataFrame) -> None:
    """Equal frames, amounts to the øre (the database sums øre, the cube kroner)."""
    assert got.columns == want.columns
    assert_frame_equal(got, want, check_dtypes=False, check_exact=False, rel_tol=1e-9, abs_tol=1e-6)


def _member_names(engine: sa.Engine) -> dict[str, str]:
    munis = load_municipalities(engine)
    return dict(
        munis.filter(pl.col("is_member") & (pl.col("code") == pl.col("current_code")))
        .sort("code")
        .select("code", "name")
        .iter_rows()
    )


@pytest.mark.parametrize("f", FILTER_SETS, ids=IDS)
@pytest.mark.parametrize("sc", SCOPES, ids=["everything", "verdal", "steinkjer"])
def test_regional_figures_from_the_database_equal_the_cubes(
    engine: sa.Engine, f: Filters, sc: Scope
) -> None:
    cube = load_cube(engine, sc)
    reg, members, names = region(), member_codes_now(), _member_names(engine)
    locations = load_supplier_locations(engine)
    suppliers = load_suppliers(engine)
    # A size bound some suppliers sit exactly on: "fewer than" must mean the same on both sides.
    bound = int(cube["employees"].drop_nulls().mode().sort()[0])
    rows = pr.period_rows(
        engine, sc, f, member_names=names, max_employees=bound, suppliers=suppliers
    )
    history = pr.history_rows(engine, sc, f)

    total = regional.levels(cube, f)
    assert total["total"][0] > 0 and 0 < total["regional_share"][0] < 1
    _same(regional.levels_of(rows.levels), total)
    for by in ("municipality", "category"):
        want = regional.levels(cube, f, by=by)
        assert want.height > 1 or by == "municipality"
        _same(regional.levels_of(rows.levels, by), want)
    for by in ("quarter", "year"):
        want = regional.levels(cube, f, by=by)
        assert want["in_period"].sum() > 0 and not want["in_period"].all()
        _same(regional.levels_over_time_of(history, f, by), want)
    for by in ("none", "municipality"):
        want = regional.sme(cube, f, bound, by=by)
        assert want["known"].sum() > want["sme"].sum() > 0
        _same(regional.sme_of(rows.sizes, by), want)
    want_flows = regional.flows(cube, f, names)
    assert want_flows["home_name"].is_not_null().sum() > 0  # members' homes named
    _same(regional.flows_of(rows.flows, names), want_flows)
    want_loc = regional.location_comparison(cube, f, locations, members, reg.county)
    assert want_loc["n_suppliers_with_subunits"][0] > 0  # the demo's sub-units in play
    _same(regional.location_comparison_of(rows.locations, locations, members, reg.county), want_loc)
    want_alt = regional.regional_alternatives(cube, f, members)
    assert want_alt.height > 0
    _same(regional.alternatives_of(rows.far, pr.in_use(engine, sc, members, suppliers)), want_alt)


def test_the_level_follows_the_configured_county(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cooperation in another county (``region.toml``'s ``county``): the cube and the
    database both count that county's suppliers as "county" — the cube once always took
    Trøndelag's 50."""
    oslo = dataclasses.replace(region(), county="03")
    monkeypatch.setattr(cube_module, "region", lambda: oslo)
    monkeypatch.setattr(pr, "region", lambda: oslo)
    f = Filters.year(2025)
    cube = load_cube(engine, Scope.everything())
    suppliers = load_suppliers(engine)
    oslo_homes = cube.filter(pl.col("home_municipality").str.starts_with("03"))
    assert oslo_homes.height > 0
    assert set(oslo_homes["regional_level"]) == {"county"}
    county_homes = cube.filter(pl.col("regional_level") == "county")["home_municipality"]
    assert county_homes.str.starts_with("03").all()
    rows = pr.period_rows(
        engine,
        Scope.everything(),
        f,
        member_names=_member_names(engine),
        max_employees=250,
        suppliers=suppliers,
    )
    _same(regional.levels_of(rows.levels, "municipality"), regional.levels(cube, f, "municipality"))


def test_category_share_comes_from_the_statistics(pg_engine: sa.Engine, sqlite_engine) -> None:
    """``pushdown_sql.category_share``: after ``ANALYZE`` the share of the cube's rows in some
    categories, without reading the cube — every category together is the whole, one main
    category (with its sub-categories) its real fraction within the statistics' sampling."""
    from data_access.pushdown_sql import category_ids, category_share

    with pg_engine.begin() as c:
        c.exec_driver_sql("ANALYZE spend_cube")
    cube = pl.read_database(
        "SELECT category_id, count(*) AS n FROM spend_cube GROUP BY category_id",
        pg_engine,
    )
    total = int(cube["n"].sum())
    with pg_engine.connect() as c:
        everything = category_share(c, cube["category_id"].to_list())
        ids = category_ids(c, (1,))
        one = category_share(c, ids)
    real = int(cube.filter(pl.col("category_id").is_in(ids))["n"].sum()) / total
    assert everything == pytest.approx(1.0, abs=1e-3)  # frequencies are float4
    assert 0 < real < 1 and one == pytest.approx(real, abs=0.02)
    with sqlite_engine.connect() as c:
        assert category_share(c, ids) is None


def test_history_in_halves_only_for_a_broad_filter(pg_engine: sa.Engine) -> None:
    """Regionalt's history is summed in two halves of its months only when the filter leaves
    much of the cube: not for municipalities (read by index), not for a category holding
    less than ``BROAD_SHARE`` of the rows — and its figures are the same either way."""
    from data_access.pushdown_sql import category_ids, category_share

    with pg_engine.begin() as c:
        c.exec_driver_sql("ANALYZE spend_cube")
    with pg_engine.connect() as c:
        shares = {k: category_share(c, category_ids(c, (k,))) or 0.0 for k in range(1, 9)}
    small = min(shares, key=lambda k: shares[k])
    broad = tuple(sorted(shares, key=lambda k: -shares[k])[:2])
    assert shares[small] < pr.BROAD_SHARE <= sum(shares[k] for k in broad)
    halves = pr._history_halves(pg_engine, Filters.year(2025))
    assert halves is not None and halves[0].start < halves[1].start
    assert halves[0].end < halves[1].start and halves[0].start.year < 2025  # the whole history
    assert pr._history_halves(pg_engine, Filters.year(2025, municipalities=("5038",))) is None
    assert pr._history_halves(pg_engine, Filters.year(2025, categories=(small,))) is None
    assert pr._history_halves(pg_engine, Filters.year(2025, categories=broad)) is not None
    for f in (Filters.year(2025, categories=broad), Filters.year(2025, categories=(small,))):
        with pg_engine.connect() as c:  # a connection: one statement, never halves
            one = pr.history_rows(c, Scope.everything(), f)
        halves = pr.history_rows(pg_engine, Scope.everything(), f)
        key = ["month", "regional_level"]
        _same(halves.sort(key), one.sort(key))
        assert one.height > 0
