"""The analysis figures equal an independent SQL computation over ``ledger_line`` ⋈ ``supplier``
(SQLite and PostgreSQL), to the krone, for three filter combinations.

The SQL is written from PRODUCT.md §4 against the ledger (not the cube), so it checks the cube,
its enrichment, the filters and the metric code together.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from data_access.metrics import concentration, regional, spend
from data_access.metrics.analysis import analysis_figures
from data_access.store.cube import load_cube
from data_access.store.filters import Filters, add_months
from data_access.store.scope import Scope

BASE = """
FROM ledger_line l
JOIN supplier s ON s.id = l.supplier_id
JOIN municipality m ON m.code = l.municipality_code
JOIN category c ON c.id = l.category_id
WHERE l.spend_class = 'purchase'
  AND l.date >= :start AND l.date < :end_excl
  AND (:all_munis OR m.current_code IN ({codes}))
  AND (:all_cats OR l.category_id IN ({cats}) OR c.parent_id IN ({cats}))
  AND (:area = 'alle' OR l.area = :area)
"""

MATRIX = (
    "SELECT m.current_code AS muni, l.category_id AS cat, SUM(l.amount_ore) AS ore"
    + BASE
    + (" GROUP BY m.current_code, l.category_id")
)

LEVELS = (
    """
SELECT CASE
         WHEN s.home_municipality IS NULL THEN 'abroad_unknown'
         WHEN s.home_municipality = m.current_code THEN 'same'
         WHEN s.home_municipality IN (SELECT current_code FROM municipality WHERE is_member)
           THEN 'member'
         WHEN s.home_municipality LIKE '50%' THEN 'county'
         ELSE 'norway' END AS lvl,
       SUM(l.amount_ore) AS ore,
       SUM(CASE WHEN s.employees < 250 THEN l.amount_ore ELSE 0 END) AS sme_ore,
       SUM(CASE WHEN s.employees IS NOT NULL THEN l.amount_ore ELSE 0 END) AS size_known_ore
"""
    + BASE
    + " GROUP BY 1"
)

# Net spend per category and supplier (any identity), not private nor pseudo, net > 0.
PER_SUPPLIER = (
    """
SELECT l.category_id AS cat, l.supplier_id AS sup, SUM(l.amount_ore) AS ore
"""
    + BASE
    + """
  AND NOT s.is_private AND NOT s.is_pseudo
GROUP BY l.category_id, l.supplier_id
HAVING SUM(l.amount_ore) > 0
"""
)

HHI = f"""
WITH t AS ({PER_SUPPLIER}),
     tot AS (SELECT cat, SUM(ore) AS total, COUNT(*) AS n FROM t GROUP BY cat)
SELECT t.cat, tot.total, tot.n,
       SUM((100.0 * t.ore / tot.total) * (100.0 * t.ore / tot.total)) AS hhi,
       MAX(1.0 * t.ore / tot.total) AS cr1
FROM t JOIN tot ON tot.cat = t.cat
GROUP BY t.cat, tot.total, tot.n
"""

# ABC over all counted suppliers of the selection (net > 0 over all categories together).
ABC = (
    """
WITH t AS (
  SELECT l.supplier_id AS sup, SUM(l.amount_ore) AS ore
"""
    + BASE
    + """
    AND NOT s.is_private AND NOT s.is_pseudo
  GROUP BY l.supplier_id HAVING SUM(l.amount_ore) > 0
), c AS (
  SELECT sup, ore,
         SUM(ore) OVER (ORDER BY ore DESC, sup ROWS UNBOUNDED PRECEDING) AS cum,
         ROW_NUMBER() OVER (ORDER BY ore DESC, sup) AS rnk,
         SUM(ore) OVER () AS total
  FROM t
)
SELECT CASE WHEN rnk = 1 OR 1.0 * cum / total <= 0.80 + 1e-9 THEN 'A'
            WHEN 1.0 * cum / total <= 0.95 + 1e-9 THEN 'B' ELSE 'C' END AS cls,
       COUNT(*) AS n, SUM(ore) AS ore
FROM c GROUP BY 1
"""
)


def _l1_id(engine: sa.Engine) -> int:
    """The level-1 category with the most lines (so the category filter bites)."""
    with engine.connect() as c:
        return int(
            c.execute(
                sa.text(
                    "SELECT c.parent_id FROM ledger_line l JOIN category c ON c.id = l.category_id"
                    " WHERE c.parent_id IS NOT NULL GROUP BY c.parent_id ORDER BY COUNT(*) DESC"
                    " LIMIT 1"
                )
            ).scalar_one()
        )


def _cases(engine: sa.Engine) -> list[Filters]:
    return [
        Filters.year(2025),
        Filters(
            dt.date(2024, 4, 1), dt.date(2024, 9, 1), ("5038", "5053"), (_l1_id(engine),), "alle"
        ),
        Filters.year(2019, municipalities=("5006",), area="investering"),  # Verran + Steinkjer
    ]


def _run(engine: sa.Engine, sql: str, f: Filters) -> list[sa.Row]:
    codes = ", ".join(f"'{c}'" for c in f.municipalities) or "''"
    cats = ", ".join(str(int(c)) for c in f.categories) or "-1"
    with engine.connect() as c:
        return list(
            c.execute(
                sa.text(sql.format(codes=codes, cats=cats)),
                {
                    "start": f.start,
                    "end_excl": add_months(f.end, 1),
                    "all_munis": not f.municipalities,
                    "all_cats": not f.categories,
                    "area": f.area,
                },
            )
        )


@pytest.mark.parametrize(
    "case", [0, 1, 2], ids=["2025-all", "2024-Q23-2munis-l1-alle", "2019-5006-inv"]
)
def test_analysis_figures_equal_independent_sql(engine: sa.Engine, case: int) -> None:
    f = _cases(engine)[case]
    cube = load_cube(engine, Scope(role="analyst"))

    # Spend per municipality (today's structure) × category, to the krone.
    sql_matrix = {(r.muni, int(r.cat)): int(r.ore) / 100 for r in _run(engine, MATRIX, f)}
    assert sql_matrix, "the case must select some spend"
    mat = spend.matrix(cube, f)
    ours = {(r["muni_key"], int(r["category_id"])): r["amount"] for r in mat.iter_rows(named=True)}
    assert ours.keys() == sql_matrix.keys()
    for k, v in sql_matrix.items():
        assert ours[k] == pytest.approx(v, abs=0.005), k

    # Regional levels and SME share.
    rows = _run(engine, LEVELS, f)
    lv = regional.levels(cube, f).row(0, named=True)
    sql_lv = {r.lvl: int(r.ore) / 100 for r in rows}
    for lvl in ("same", "member", "county", "norway", "abroad_unknown"):
        assert lv[lvl] == pytest.approx(sql_lv.get(lvl, 0.0), abs=0.005), lvl
    sme = regional.sme(cube, f, 250).row(0, named=True)
    assert sme["sme"] == pytest.approx(sum(int(r.sme_ore) for r in rows) / 100, abs=0.005)
    assert sme["known"] == pytest.approx(sum(int(r.size_known_ore) for r in rows) / 100, abs=0.005)

    # HHI, CR1, number of counted suppliers and counted spend per category.
    by_cat = concentration.by_category(cube, f).filter(pl.col("n_suppliers") > 0)
    ours_hhi = {int(r["category_id"]): r for r in by_cat.iter_rows(named=True)}
    sql_hhi = {int(r.cat): r for r in _run(engine, HHI, f)}
    assert ours_hhi.keys() == sql_hhi.keys()
    for cat, r in sql_hhi.items():
        o = ours_hhi[cat]
        assert o["amount"] == pytest.approx(int(r.total) / 100, abs=0.005)
        assert o["n_suppliers"] == int(r.n)
        assert o["hhi"] == pytest.approx(float(r.hhi), rel=1e-9)
        assert o["cr1"] == pytest.approx(float(r.cr1), rel=1e-9)

    # ABC classes (count and spend) and the CLI figure dict agree with the same SQL.
    sql_abc = {r.cls: (int(r.n), int(r.ore) / 100) for r in _run(engine, ABC, f)}
    figs = analysis_figures(cube, f, abc_a=0.80, abc_b=0.95)
    for cls in ("A", "B", "C"):
        n, amount = sql_abc.get(cls, (0, 0.0))
        assert figs["abc"][cls]["n_suppliers"] == n, cls
        assert figs["abc"][cls]["amount"] == pytest.approx(amount, abs=0.005), cls
    assert figs["tail_spend"]["amount"] == pytest.approx(sql_abc.get("C", (0, 0.0))[1], abs=0.005)
    assert figs["spend"] == pytest.approx(sum(sql_matrix.values()), abs=0.01)
