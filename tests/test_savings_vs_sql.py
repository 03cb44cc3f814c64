"""With demo data, the Gevinster and Avtaler figures equal an independent SQL computation over
``ledger_line`` joined with ``agreement`` (SQLite and PostgreSQL).

The SQL is written from PRODUCT.md §4 directly against the ledger and the register, not the
cube, so it checks matching, the cube, the filters and the metric code together.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from data_access.metrics import coverage, savings
from data_access.store.agreements import load_agreements
from data_access.store.cube import load_cube
from data_access.store.filters import Filters
from data_access.store.scope import Scope

FACTOR = """CASE
  WHEN a.savings_rate > 0 AND a.savings_rate < 1 THEN a.savings_rate / (1 - a.savings_rate)
  WHEN a.estimated_annual_value_ore > 0
    THEN CAST(a.projected_saving_ore AS FLOAT) / a.estimated_annual_value_ore
  ELSE 0 END"""


def _year(engine: sa.Engine) -> str:
    if engine.dialect.name == "sqlite":
        return "CAST(strftime('%Y', l.date) AS INTEGER)"
    return "CAST(EXTRACT(YEAR FROM l.date) AS INTEGER)"


def _sql_realized_by_year(engine: sa.Engine, codes: tuple[str, ...], until_month: int = 12):
    month = (
        "CAST(strftime('%m', l.date) AS INTEGER)"
        if engine.dialect.name == "sqlite"
        else "CAST(EXTRACT(MONTH FROM l.date) AS INTEGER)"
    )
    where = " AND m.current_code IN :codes" if codes else ""
    q = sa.text(
        f"""
        SELECT {_year(engine)} AS year,
               SUM(l.amount_ore * {FACTOR}) / 100.0 AS realized,
               SUM(CASE WHEN a.savings_type = 'hard' THEN l.amount_ore * {FACTOR} ELSE 0 END)
                 / 100.0 AS hard
        FROM ledger_line l
        JOIN agreement a ON a.id = l.agreement_id
        JOIN municipality m ON m.code = l.municipality_code
        WHERE l.spend_class = 'purchase' AND l.area = 'drift' AND {month} <= :until {where}
        GROUP BY 1 ORDER BY 1
        """
    )
    if codes:
        q = q.bindparams(sa.bindparam("codes", expanding=True))
    params: dict[str, object] = {"until": until_month}
    if codes:
        params["codes"] = list(codes)
    with engine.connect() as c:
        return {int(y): (float(r), float(h)) for y, r, h in c.execute(q, params).all()}


@pytest.mark.parametrize("codes", [(), ("5038",)], ids=["alle", "verdal"])
def test_realized_per_year_and_cumulative_equal_sql(
    engine: sa.Engine, codes: tuple[str, ...]
) -> None:
    cube = load_cube(engine, Scope(role="analyst"))
    agreements = load_agreements(engine)
    f = Filters.year(2025, municipalities=codes)
    monthly = savings.realized_by_month(cube, f, agreements)
    yearly = savings.realized_by_year(monthly, 7_500_000)
    sql = _sql_realized_by_year(engine, codes)
    assert yearly["year"].to_list()[0] == 2019
    assert set(yearly["year"].to_list()) == set(sql)
    assert min(r for r, _h in sql.values()) > 0
    for row in yearly.iter_rows(named=True):
        realized, hard = sql[row["year"]]
        assert row["realized"] == pytest.approx(realized, abs=0.01)
        assert row["hard"] == pytest.approx(hard, abs=0.01)
        # The cumulative line ends each year at the year's total.
        last = monthly.filter(pl.col("year") == row["year"]).sort("month")["cum_realized"][-1]
        assert last == pytest.approx(realized, abs=0.01)
    # Mid-year: the cumulative value at June equals the SQL sum of January–June.
    june = _sql_realized_by_year(engine, codes, until_month=6)
    for year, (realized, _hard) in june.items():
        at_june = monthly.filter((pl.col("year") == year) & (pl.col("month_no") == 6))
        assert at_june["cum_realized"][0] == pytest.approx(realized, abs=0.01)


def test_per_member_split_and_coverage_equal_sql(engine: sa.Engine) -> None:
    cube = load_cube(engine, Scope(role="analyst"))
    agreements = load_agreements(engine)
    f = Filters.year(2025)
    per = savings.realized_by_municipality(cube, f, agreements)
    grid = coverage.coverage_by_category_municipality(cube, f)
    q = sa.text(
        f"""
        SELECT m.current_code AS muni, p.name AS l1,
               SUM(l.amount_ore) / 100.0 AS spend,
               SUM(CASE WHEN l.agreement_id IS NOT NULL THEN l.amount_ore ELSE 0 END) / 100.0
                 AS covered,
               SUM(l.amount_ore * COALESCE({FACTOR}, 0)) / 100.0 AS realized
        FROM ledger_line l
        JOIN municipality m ON m.code = l.municipality_code
        JOIN category c ON c.id = l.category_id
        JOIN category p ON p.id = c.parent_id
        LEFT JOIN agreement a ON a.id = l.agreement_id
        WHERE l.spend_class = 'purchase' AND l.area = 'drift'
          AND l.date >= :start AND l.date <= :end
        GROUP BY m.current_code, p.name
        """
    )
    with engine.connect() as c:
        rows = c.execute(q, {"start": dt.date(2025, 1, 1), "end": dt.date(2025, 12, 31)}).all()
    assert len(rows) == grid.height > 10
    by_muni: dict[str, float] = {}
    for muni, l1, spend, covered, realized in rows:
        cell = grid.filter((pl.col("municipality_now") == muni) & (pl.col("category_l1") == l1))
        assert cell["spend"][0] == pytest.approx(float(spend), abs=0.01)
        assert cell["covered"][0] == pytest.approx(float(covered), abs=0.01)
        by_muni[muni] = by_muni.get(muni, 0.0) + float(realized)
    assert dict(per.select("municipality_now", "realized").iter_rows()) == pytest.approx(by_muni)


def test_projected_for_the_period_equals_sql_day_proration(engine: sa.Engine) -> None:
    agreements = load_agreements(engine)
    f = Filters.year(2025)
    ours = savings.projected_for_period(agreements, f).filter(pl.col("active_days") > 0)
    if engine.dialect.name == "sqlite":
        days = "julianday(MIN(a.\"end\", '2025-12-31')) - julianday(MAX(a.start, '2025-01-01')) + 1"
    else:
        days = "(LEAST(a.\"end\", DATE '2025-12-31') - GREATEST(a.start, DATE '2025-01-01') + 1)"
    q = sa.text(
        f"""
        SELECT a.id, {days} AS days,
          CASE WHEN a.savings_rate > 0 AND a.savings_rate < 1
               THEN a.estimated_annual_value_ore / 100.0 * a.savings_rate / (1 - a.savings_rate)
               ELSE a.projected_saving_ore / 100.0 END AS yearly
        FROM agreement a
        WHERE a.start <= '2025-12-31' AND a."end" >= '2025-01-01'
        """
    )
    with engine.connect() as c:
        sql = {int(i): float(y) * float(d) / 365 for i, d, y in c.execute(q).all()}
    assert len(sql) == ours.height > 5
    assert dict(ours.select("agreement_id", "projected").iter_rows()) == pytest.approx(sql)
