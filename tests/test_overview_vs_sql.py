"""The Oversikt figures equal an independent SQL computation over ``ledger_line`` (both backends).

The SQL here is written from PRODUCT.md §4 directly against the ledger, not the cube, so it
checks the cube, the enrichment, the filters and the metric code together.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data_access.metrics.overview import headline
from data_access.metrics.savings import savings_factors
from data_access.store.agreements import load_agreements
from data_access.store.cube import load_cube
from data_access.store.filters import Filters
from data_access.store.scope import Scope

SQL = """
SELECT
  SUM(CASE WHEN l.spend_class = 'purchase' THEN l.amount_ore ELSE 0 END) AS spend,
  SUM(CASE WHEN l.spend_class = 'intra_public' THEN l.amount_ore ELSE 0 END) AS intra,
  SUM(CASE WHEN l.spend_class = 'purchase' AND s.home_municipality IS NOT NULL
           THEN l.amount_ore ELSE 0 END) AS known,
  SUM(CASE WHEN l.spend_class = 'purchase' AND s.home_municipality IN
             (SELECT current_code FROM municipality WHERE is_member)
           THEN l.amount_ore ELSE 0 END) AS regional,
  SUM(CASE WHEN l.spend_class = 'purchase' AND l.agreement_id IS NOT NULL
           THEN l.amount_ore ELSE 0 END) AS covered,
  SUM(CASE WHEN l.spend_class = 'purchase' AND l.ehandel THEN l.amount_ore ELSE 0 END) AS eh,
  SUM(CASE WHEN l.spend_class = 'purchase' THEN
        l.amount_ore * CASE
          WHEN a.savings_rate > 0 AND a.savings_rate < 1 THEN a.savings_rate / (1 - a.savings_rate)
          WHEN a.estimated_annual_value_ore > 0
            THEN CAST(a.projected_saving_ore AS FLOAT) / a.estimated_annual_value_ore
          ELSE 0 END
      ELSE 0 END) AS realized_ore
FROM ledger_line l
JOIN supplier s ON s.id = l.supplier_id
JOIN municipality m ON m.code = l.municipality_code
LEFT JOIN agreement a ON a.id = l.agreement_id
WHERE l.date >= :start AND l.date < :end_excl
  AND (:all_munis OR m.current_code IN ({codes}))
  AND (:area = 'alle' OR l.area = :area)
"""

CASES = [
    Filters.year(2025),
    Filters(dt.date(2024, 4, 1), dt.date(2024, 6, 1), ("5038",), (), "drift"),
    Filters(dt.date(2019, 1, 1), dt.date(2019, 12, 1), ("5006", "5041"), (), "alle"),
    Filters(dt.date(2022, 7, 1), dt.date(2023, 2, 1), (), (), "investering"),
]


def _sql_figures(engine: sa.Engine, f: Filters) -> dict[str, float]:
    from data_access.store.filters import add_months

    codes = ", ".join(f"'{c}'" for c in f.municipalities) or "''"
    with engine.connect() as c:
        row = c.execute(
            sa.text(SQL.format(codes=codes)),
            {
                "start": f.start,
                "end_excl": add_months(f.end, 1),
                "all_munis": not f.municipalities,
                "area": f.area,
            },
        ).one()
    return {k: float(v or 0) / 100 for k, v in row._mapping.items()}


@pytest.mark.parametrize("f", CASES, ids=lambda f: f"{f.start}-{f.end}-{f.municipalities}-{f.area}")
def test_headline_equals_sql(engine: sa.Engine, f: Filters) -> None:
    cube = load_cube(engine, Scope(role="analyst"))
    h = headline(cube, f, savings_factors(load_agreements(engine)), 7_500_000)
    s = _sql_figures(engine, f)
    assert s["spend"] > 0
    assert h.spend == pytest.approx(s["spend"], abs=0.005)
    assert h.intra_public == pytest.approx(s["intra"], abs=0.005)
    assert h.regional_share == pytest.approx(s["regional"] / s["known"], rel=1e-12)
    assert h.contract_coverage == pytest.approx(s["covered"] / s["spend"], rel=1e-12)
    assert h.ehandel_share == pytest.approx(s["eh"] / s["spend"], rel=1e-12)
    assert h.realized_saving == pytest.approx(s["realized_ore"], abs=0.01)
    prev = _sql_figures(engine, f.previous_year())
    if prev["spend"]:
        assert h.change == pytest.approx(s["spend"] / prev["spend"] - 1, rel=1e-9)
    else:
        assert h.change is None


def test_verdal_scope_excludes_levanger_test_row(engine: sa.Engine) -> None:
    """A kommune user for Verdal gets figures from Verdal's rows only."""
    f = Filters.year(2025)
    factors = savings_factors(load_agreements(engine))
    verdal = headline(
        load_cube(engine, Scope(role="kommune", municipalities=frozenset({"5038"}))),
        f,
        factors,
        7.5e6,
    )
    everyone = headline(load_cube(engine, Scope(role="admin")), f, factors, 7.5e6)
    only_verdal_sql = _sql_figures(engine, Filters.year(2025, municipalities=("5038",)))
    assert verdal.spend == pytest.approx(only_verdal_sql["spend"], abs=0.005)
    # The spurious 987 654 321 kr Levanger line counts for everyone but never for Verdal.
    assert everyone.spend - verdal.spend > 987_654_321
    assert verdal.spend < 100_000_000
