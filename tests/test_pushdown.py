"""The SQL pushdown path gives the figures of the Polars path (issue 8, point 5).

Runs on PostgreSQL (where the pushdown is used at national scale) and on SQLite (the same SQL
must not drift on the embedded database either), for three filter sets and two scopes.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
import sqlalchemy as sa

from data_access import pushdown
from data_access.metrics.overview import (
    headline,
    spend_by_municipality,
    top_categories,
    trend_by_quarter,
)
from data_access.metrics.savings import savings_factors
from data_access.store.agreements import load_agreements
from data_access.store.cube import load_cube
from data_access.store.filters import Filters
from data_access.store.scope import Scope

FILTER_SETS = [
    Filters.year(2025),
    Filters(dt.date(2024, 4, 1), dt.date(2024, 9, 1), municipalities=("5038", "5006")),
    Filters.year(2023, categories=(1,), area="alle"),
]
SCOPES = [Scope.everything(), Scope(role="kommune", municipalities=frozenset({"5038"}))]


def _close(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)  # type: ignore[arg-type]


@pytest.mark.parametrize("f", FILTER_SETS, ids=["2025", "2024-Q2Q3-two-munis", "2023-cat1-all"])
@pytest.mark.parametrize("sc", SCOPES, ids=["everything", "verdal"])
def test_headline_in_sql_equals_polars(engine: sa.Engine, f: Filters, sc: Scope) -> None:
    cube = load_cube(engine, sc)
    factors = savings_factors(load_agreements(engine))
    want = headline(cube, f, factors, 7_500_000).as_dict()
    got = pushdown.headline_sql(engine, sc, f, factors, 7_500_000).as_dict()
    assert want["spend"] > 0  # the filter set selects real spend
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
