"""The SQL pushdown path gives the figures of the Polars path (issue 8, point 5).

Runs on PostgreSQL (where the pushdown is used at national scale) and on SQLite (the same SQL
must not drift on the embedded database either), for three filter sets and two scopes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from charts import registry
from data_access import pushdown
from data_access.metrics import concentration as conc
from data_access.metrics import spend
from data_access.metrics.common import purchases
from data_access.metrics.overview import (
    headline,
    spend_by_municipality,
    top_categories,
    trend_by_quarter,
)
from data_access.metrics.savings import savings_factors
from data_access.store.agreements import load_agreements
from data_access.store.cube import load_cube, load_municipalities, load_suppliers
from data_access.store.filters import Filters, apply
from data_access.store.population import load_population
from data_access.store.scope import Scope

FILTER_SETS = [
    Filters.year(2025),
    Filters(dt.date(2024, 4, 1), dt.date(2024, 9, 1), municipalities=("5038", "5006")),
    Filters.year(2023, categories=(1,), area="alle"),
]
# Steinkjer in 2020, compared with 2019, when Verran (5039) and old Steinkjer (5004) were apart.
MERGED = Filters.year(2020, municipalities=("5006",))
SCOPES = [Scope.everything(), Scope(role="kommune", municipalities=frozenset({"5038"}))]


def _close(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)  # type: ignore[arg-type]


# Two years: the year before (2022–2023) overlaps the period. The headline once read both
# periods in one scan and counted 2023 only as "this period", halving the year before's spend.
TWO_YEARS = Filters(dt.date(2023, 1, 1), dt.date(2024, 12, 1), area="alle")


@pytest.mark.parametrize(
    "f",
    [*FILTER_SETS, TWO_YEARS, MERGED, Filters.year(2019)],
    ids=["2025", "2024-Q2Q3-two-munis", "2023-cat1-all", "2023-24", "steinkjer-2020", "2019"],
)
@pytest.mark.parametrize("sc", SCOPES, ids=["everything", "verdal"])
def test_headline_in_sql_equals_polars(engine: sa.Engine, f: Filters, sc: Scope) -> None:
    cube = load_cube(engine, sc)
    factors = savings_factors(load_agreements(engine))
    want = headline(cube, f, factors, 7_500_000).as_dict()
    got = pushdown.headline_sql(engine, sc, f, factors, 7_500_000).as_dict()
    # The filter set selects real spend — none when it names only municipalities outside the
    # scope (Steinkjer for a Verdal user): then every figure must be empty in SQL too.
    outside = (
        sc.municipalities is not None
        and bool(f.municipalities)
        and set(f.municipalities).isdisjoint(sc.municipalities)
    )
    assert (want["spend"] == 0) if outside else (want["spend"] > 0)
    for key, value in want.items():
        assert _close(got[key], value), (key, got[key], value)
    by_muni = spend_by_municipality(cube, f).sort("municipality_now")
    sql = pushdown.spend_by_municipality_sql(engine, sc, f).sort("municipality_now")
    assert sql["municipality_now"].to_list() == by_muni["municipality_now"].to_list()
    assert all(_close(a, b) for a, b in zip(sql["amount"], by_muni["amount"], strict=True))


@pytest.mark.parametrize("f", FILTER_SETS, ids=["2025", "2024-Q2Q3-two-munis", "2023-cat1-all"])
@pytest.mark.parametrize("sc", SCOPES, ids=["everything", "verdal"])
def test_overview_charts_in_sql_equal_polars(engine: sa.Engine, f: Filters, sc: Scope) -> None:
    """Oversikt's two other standard charts (largest categories, quarterly history) and the
    filter options: what the page shows above the threshold, figure for figure."""
    cube = load_cube(engine, sc)
    want = top_categories(cube, f, n=1_000)
    got = pushdown.top_categories_sql(engine, sc, f, n=1_000)
    assert want.height > 3
    assert got["category"].to_list() == want["category"].to_list()
    assert got["category_l1"].to_list() == want["category_l1"].to_list()
    for col in ("amount", "share"):
        assert all(_close(a, b) for a, b in zip(got[col], want[col], strict=True)), col

    want_q = trend_by_quarter(cube, f)
    got_q = pushdown.trend_by_quarter_sql(engine, sc, f)
    assert want_q["in_period"].sum() > 0
    assert got_q.columns == want_q.columns
    keys = ["label", "municipality_now", "municipality_name", "in_period"]
    assert got_q.select(keys).to_dicts() == want_q.select(keys).to_dicts()
    assert all(_close(a, b) for a, b in zip(got_q["amount"], want_q["amount"], strict=True))

    months = pushdown.months_in_scope(engine, sc)
    assert months["municipality_now"].to_list() == sorted(cube["municipality_now"].unique())
    assert months["first_month"].min() == cube["month"].min()
    assert months["last_month"].max() == cube["month"].max()


@pytest.mark.parametrize("f", FILTER_SETS, ids=["2025", "2024-Q2Q3-two-munis", "2023-cat1-all"])
@pytest.mark.parametrize("sc", SCOPES, ids=["everything", "verdal"])
def test_supplier_figures_from_summed_rows_equal_polars(
    engine: sa.Engine, f: Filters, sc: Scope
) -> None:
    """Leverandører above the threshold: every supplier's share, rank and ABC class, the
    per-category HHI table and the excluded spend, from rows the database summed per supplier
    and category — frame for frame what the cube gives (order and categories text included)."""
    cube = load_cube(engine, sc)
    rows = pushdown.purchase_rows(engine, sc, f, ("supplier_id", "category_id"))
    assert 0 < rows.height < purchases(cube, f).height  # summed: fewer rows travel
    want = conc.suppliers(cube, f, 0.7, 0.9)
    assert want.height > 10 and {"A", "C"} <= set(want["abc"])
    assert_frame_equal(conc.suppliers_of(rows, 0.7, 0.9), want)
    assert_frame_equal(conc.by_category_of(rows), conc.by_category(cube, f))
    assert_frame_equal(conc.excluded(rows), conc.excluded(purchases(cube, f)))


@pytest.mark.parametrize(
    "f", [*FILTER_SETS, MERGED], ids=["2025", "2024-Q2Q3-two-munis", "2023-cat1-all", "2020-5006"]
)
@pytest.mark.parametrize("sc", SCOPES[:1], ids=["everything"])
def test_municipality_and_category_figures_from_summed_rows_equal_polars_everywhere(
    engine: sa.Engine, f: Filters, sc: Scope
) -> None:
    _municipality_and_category_figures(engine, f, sc)


@pytest.mark.parametrize("f", FILTER_SETS, ids=["2025", "2024-Q2Q3-two-munis", "2023-cat1-all"])
@pytest.mark.parametrize("sc", SCOPES[1:], ids=["verdal"])
def test_municipality_and_category_figures_from_summed_rows_equal_polars(
    engine: sa.Engine, f: Filters, sc: Scope
) -> None:
    _municipality_and_category_figures(engine, f, sc)


def _municipality_and_category_figures(engine: sa.Engine, f: Filters, sc: Scope) -> None:
    """Kommuner og kategorier above the threshold: its every figure from the rows the database
    summed per month, municipality and category (this period and a year earlier) equals the
    cube's — both municipal structures, both trend grains, per inhabitant, the drill-down."""
    cube = load_cube(engine, sc)
    summed = pushdown.purchase_rows(
        engine, sc, f, ("month", "municipality_code", "category_id"), since=f.previous_year().start
    )
    assert 0 < summed.height < cube.height
    munis = load_municipalities(engine)
    population = load_population(engine)
    for structure in ("today", "historical"):
        pop = spend.population_by_key(population, munis, structure)
        want = spend.by_municipality(cube, f, structure=structure, population=pop)
        assert want["amount"].sum() > 0
        assert_frame_equal(
            spend.by_municipality(summed, f, structure=structure, population=pop), want
        )
        assert_frame_equal(
            spend.matrix(summed, f, structure=structure, population=pop),
            spend.matrix(cube, f, structure=structure, population=pop),
        )
        assert_frame_equal(
            spend.per_inhabitant_by_year(summed, f, pop, structure=structure),
            spend.per_inhabitant_by_year(cube, f, pop, structure=structure),
        )
        for grain in ("quarter", "year"):
            for by in (True, False):
                want_t = spend.trend(cube, f, grain=grain, structure=structure, by_municipality=by)
                assert want_t["amount_prev"].sum() > 0  # the year before is compared too
                got_t = spend.trend(summed, f, grain=grain, structure=structure, by_municipality=by)
                assert_frame_equal(got_t, want_t)
    assert_frame_equal(spend.tree(summed, f), spend.tree(cube, f))
    today = spend.population_by_key(population, munis, "today")
    with_rows = pushdown.municipalities_with_rows(engine, sc, f)
    assert with_rows == set(apply(cube, f, period=False)["municipality_now"])
    per_inhabitant = spend.overall_per_inhabitant(cube, f, today)
    assert per_inhabitant is not None
    got = spend.overall_per_inhabitant(summed, f, today, with_rows)
    assert got == pytest.approx(per_inhabitant, rel=1e-12)  # summed in another order
    rows = pushdown.purchase_rows(engine, sc, f, ("supplier_id", "category_id"))
    for cat in (None, int(spend.tree(cube, f)["category_id"][0])):
        assert_frame_equal(
            spend.category_suppliers_of(rows, cat), spend.category_suppliers(cube, f, cat)
        )
    # The page's drill-down: the filters narrowed to the tree's category, one key.
    cat = int(spend.tree(cube, f).sort("amount")["category_id"][-1])
    narrowed = pushdown.purchase_rows(engine, sc, replace(f, categories=(cat,)), ("supplier_id",))
    assert_frame_equal(
        spend.category_suppliers_of(narrowed, None), spend.category_suppliers(cube, f, cat)
    )


def test_summed_rows_of_an_empty_selection_give_empty_figures(engine: sa.Engine) -> None:
    """A selection without purchases (a year before the data) gives typed, empty rows, and
    the pages' figures of them are empty tables, not errors."""
    sc, f = Scope.everything(), Filters.year(2010)
    rows = pushdown.purchase_rows(engine, sc, f, ("supplier_id", "category_id"))
    assert rows.height == 0 and {"supplier_name", "category", "amount"} <= set(rows.columns)
    assert conc.suppliers_of(rows).height == 0 and conc.by_category_of(rows).height == 0
    summed = pushdown.purchase_rows(
        engine, sc, f, ("month", "municipality_code", "category_id"), since=dt.date(2009, 1, 1)
    )
    assert summed.schema["month"] == pl.Date and summed.height == 0
    assert spend.tree(summed, f).height == 0
    assert spend.trend(summed, f, grain="quarter").height == 0


@pytest.mark.parametrize("f", FILTER_SETS, ids=["2025", "2024-Q2Q3-two-munis", "2023-cat1-all"])
@pytest.mark.parametrize(
    "chart_id",
    ["leverandorer", "hhi", "kommune_kategori", "regionalt", "gevinst", "utenfor_avtale"],
)
def test_standard_charts_from_summed_rows_equal_the_cubes(
    engine: sa.Engine, f: Filters, chart_id: str
) -> None:
    """The standard charts a presentation or export shows above the threshold: the frame
    from the database's summed rows is the registry's frame from the cube."""
    sc = Scope.everything()
    cube = load_cube(engine, sc)
    data = registry.ChartData(cube, load_agreements(engine), 7_500_000)
    want = registry.get(chart_id).frame(data, f)
    # Regionalt's and Gevinster's charts have a row per municipality: two in the second set.
    assert want.height >= (2 if chart_id in ("regionalt", "gevinst") else 4)
    spec = pushdown.CHART_FRAMES[chart_id]
    assert_frame_equal(spec.frame(engine, sc, f), want)
    if spec.by_supplier:  # as the app calls it: with the supplier table it keeps
        rows = spec.rows(engine, sc, f, load_suppliers(engine))
        assert_frame_equal(spec.finish(rows, f), want)


def test_every_standard_chart_is_summed_by_the_database_or_reads_no_cube() -> None:
    """Above the threshold the app holds no cube: each chart of the registry has its frame
    from the database, or reads none (``chart_view.chart_data`` hands those an empty one)."""
    ids = {spec.id for spec in registry.CHARTS}
    assert ids == set(pushdown.CHART_FRAMES) | registry.CUBE_FREE
    assert not set(pushdown.CHART_FRAMES) & registry.CUBE_FREE


def test_purchase_rows_refuses_unknown_keys(engine: sa.Engine) -> None:
    with pytest.raises(ValueError, match="keys must be"):
        pushdown.purchase_rows(engine, Scope.everything(), Filters.year(2025), ("amount_ore",))


def test_pushdown_only_on_postgresql_above_the_threshold(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    is_pg = engine.dialect.name == "postgresql"
    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", "0")
    with engine.connect() as c:
        c.exec_driver_sql("ANALYZE spend_cube" if is_pg else "ANALYZE")
    assert pushdown.use_pushdown(engine, Scope.everything()) is is_pg
    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", str(10**12))
    assert pushdown.use_pushdown(engine, Scope.everything()) is False


def test_figures_without_suppliers_read_the_rollup(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queries whose figures need no supplier, e-handel flag or agreement read
    spend_rollup (the cube summed over those: a fifth of its rows in the national bench), the
    others spend_cube — seen in the SQL the database receives. That their figures equal the
    cube's is what the tests above show."""
    sent: list[str] = []

    def listen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        sent.append(statement)

    read_frame = pushdown.read_frame

    def reading(conn, query, **kw):  # type: ignore[no-untyped-def]
        sent.append(str(query))  # large reads go by COPY on PostgreSQL, past the cursor
        return read_frame(conn, query, **kw)

    monkeypatch.setattr(pushdown, "read_frame", reading)

    def tables(run) -> set[str]:  # type: ignore[no-untyped-def]
        sent.clear()
        run()
        text = " ".join(sent)
        return {t for t in ("spend_rollup", "spend_cube") if t in text}

    f, sc = FILTER_SETS[2], SCOPES[0]  # a category filter: the category join as well
    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        for run in (
            lambda: pushdown.spend_by_municipality_sql(engine, sc, f),
            lambda: pushdown.top_categories_sql(engine, sc, f),
            lambda: pushdown.monthly_history_sql(engine, sc, f),
            lambda: pushdown.months_in_scope(engine, sc),
            lambda: pushdown.municipalities_with_rows(engine, sc, f),
            lambda: pushdown.purchase_rows(
                engine, sc, f, ("month", "municipality_code", "category_id")
            ),
        ):
            assert tables(run) == {"spend_rollup"}
        supplier_rows = lambda: pushdown.purchase_rows(  # noqa: E731
            engine, sc, f, ("supplier_id", "category_id")
        )
        assert tables(supplier_rows) == {"spend_cube"}
        # The headline: the period from the cube (suppliers' homes, e-handel, agreements),
        # the year before's spend from the rollup.
        factors = savings_factors(load_agreements(engine))
        assert tables(lambda: pushdown.headline_sql(engine, sc, f, factors, 7_500_000)) == {
            "spend_cube",
            "spend_rollup",
        }
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)


def test_headline_reads_both_periods_from_one_snapshot(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The period (cube) and the year before (rollup) are two statements: on PostgreSQL they
    run in one REPEATABLE READ transaction, so an import committing between them cannot give
    a change against last year from two data versions."""
    seen: list[str] = []
    previous = pushdown._purchases_ore

    def recording(conn: sa.Connection, scope: Scope, f: Filters) -> int:
        seen.append(str(conn.get_isolation_level()))
        return previous(conn, scope, f)

    monkeypatch.setattr(pushdown, "_purchases_ore", recording)
    factors = savings_factors(load_agreements(engine))
    pushdown.headline_sql(engine, Scope.everything(), Filters.year(2025), factors, 7_500_000)
    assert len(seen) == 1
    if engine.dialect.name == "postgresql":
        assert seen == ["REPEATABLE READ"]
    with engine.connect() as c:  # and the pool's next connection is back to the default
        assert c.get_isolation_level() != "REPEATABLE READ"
