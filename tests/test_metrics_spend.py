"""Spend per municipality × category, per inhabitant, structures and trends (hand-computed)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from data_access.metrics import spend
from data_access.store.filters import Filters
from data_access.store.reference import municipality_rows
from tests.analysis_frames import cube

POP = pl.DataFrame(
    {
        "municipality_code": ["5004", "5039", "5006", "5038", "5038"],
        "year": [2019, 2019, 2020, 2019, 2020],
        "population": [20_000, 2_000, 22_500, 10_000, 10_000],
    }
)
ROWS = [
    ("2019-03", "5004", 1, 11, 44_000.0),  # Steinkjer 2019
    ("2019-03", "5039", 1, 11, 22_000.0),  # Verran 2019
    ("2019-04", "5038", 2, 21, 10_000.0),
    ("2020-03", "5006", 1, 11, 90_000.0),  # merged Steinkjer 2020
    ("2020-03", "5006", 1, 11, -4_500.0),  # credit note
    ("2020-04", "5038", 2, 21, 15_000.0),
    ("2020-05", "5038", 4, 12, 5_000.0),
    ("2020-05", "5038", 4, 12, 1_000_000.0, "intra_public"),  # not spend
]


def test_population_verran_and_steinkjer_2019_summed_for_todays_structure() -> None:
    today = spend.population_by_key(POP, municipality_rows(), "today")
    got = {(r["muni_key"], r["year"]): r["population"] for r in today.iter_rows(named=True)}
    assert got[("5006", 2019)] == 22_000
    assert got[("5006", 2020)] == 22_500
    hist = spend.population_by_key(POP, municipality_rows(), "historical")
    assert hist.filter(pl.col("muni_key") == "5039")["population"].item() == 2_000


def test_per_inhabitant_today_and_historical_2019() -> None:
    c = cube(ROWS)
    f = Filters.year(2019)
    pop_today = spend.population_by_key(POP, municipality_rows(), "today")
    t = spend.by_municipality(c, f, structure="today", population=pop_today)
    st = t.filter(pl.col("muni_key") == "5006").row(0, named=True)
    assert st["muni_label"] == "Steinkjer"
    assert st["amount"] == 66_000.0
    assert st["per_inhabitant"] == pytest.approx(3.0)  # 66 000 / 22 000
    pop_hist = spend.population_by_key(POP, municipality_rows(), "historical")
    h = spend.by_municipality(c, f, structure="historical", population=pop_hist)
    got = {r["muni_label"]: r["per_inhabitant"] for r in h.iter_rows(named=True)}
    assert got == pytest.approx(
        {"Steinkjer (5004)": 2.2, "Verran (5039)": 11.0, "Verdal (5038)": 1.0}
    )


def test_per_inhabitant_over_two_years_sums_yearly_figures_and_credit_notes_reduce() -> None:
    c = cube(ROWS)
    f = Filters(dt.date(2019, 1, 1), dt.date(2020, 12, 1))
    pop = spend.population_by_key(POP, municipality_rows(), "today")
    t = spend.by_municipality(c, f, population=pop)
    st = t.filter(pl.col("muni_key") == "5006").row(0, named=True)
    assert st["amount"] == 66_000.0 + 85_500.0
    assert st["per_inhabitant"] == pytest.approx(3.0 + 85_500 / 22_500)
    years = spend.per_inhabitant_by_year(c, f, pop)
    assert years.filter(pl.col("muni_key") == "5038")["per_inhabitant"].to_list() == pytest.approx(
        [1.0, 2.0]
    )


def test_missing_population_gives_no_per_inhabitant_rather_than_a_wrong_one() -> None:
    c = cube([("2021-01", "5041", 1, 11, 100.0)])
    pop = spend.population_by_key(POP, municipality_rows(), "today")
    t = spend.by_municipality(c, Filters.year(2021), population=pop)
    assert t["per_inhabitant"].to_list() == [None]


def test_matrix_by_municipality_and_category() -> None:
    c = cube(ROWS)
    m = spend.matrix(c, Filters.year(2020))
    got = {(r["muni_label"], r["category"]): r["amount"] for r in m.iter_rows(named=True)}
    assert got == {
        ("Steinkjer", "Bygg"): 85_500.0,
        ("Verdal", "Kontor"): 15_000.0,
        ("Verdal", "Vedlikehold"): 5_000.0,
    }
    tree = spend.tree(c, Filters.year(2020))
    assert tree["amount"].sum() == 105_500.0


def test_trend_compares_with_the_same_period_a_year_earlier() -> None:
    c = cube(ROWS)
    t = spend.trend(c, Filters.year(2020), grain="quarter", by_municipality=False)
    assert t["label"].to_list() == ["2020 Q1", "2020 Q2"]
    assert t["amount"].to_list() == [85_500.0, 20_000.0]
    assert t["amount_prev"].to_list() == [66_000.0, 10_000.0]
    assert t["change"].to_list() == pytest.approx([85_500 / 66_000 - 1, 1.0])
    y = spend.trend(c, Filters.year(2020), grain="year", by_municipality=True)
    st = y.filter(pl.col("municipality_now") == "5006").row(0, named=True)
    assert (st["amount"], st["amount_prev"]) == (85_500.0, 66_000.0)
    m = spend.trend(
        c, Filters(dt.date(2020, 3, 1), dt.date(2020, 3, 1)), grain="month", by_municipality=False
    )
    assert m["label"].to_list() == ["Mar 2020"]
    assert m["amount_prev"].to_list() == [66_000.0]


def test_historical_trend_keeps_verran_apart_in_2019() -> None:
    c = cube(ROWS)
    y = spend.trend(c, Filters.year(2019), grain="year", structure="historical")
    assert sorted(y["muni_label"].to_list()) == [
        "Steinkjer (5004)",
        "Verdal (5038)",
        "Verran (5039)",
    ]


def test_category_suppliers_show_private_persons_as_one_row() -> None:
    c = cube([("2024-01", "5038", 6, 11, 10.0), ("2024-01", "5038", 1, 11, 30.0)])
    s = spend.category_suppliers(c, Filters.year(2024), 11)
    assert s["supplier_name"].to_list() == ["Alfa AS", "Privatperson"]
    assert s["orgnr"].to_list() == ["100000001", None]
    assert s["share"].to_list() == pytest.approx([0.75, 0.25])
    assert spend.category_suppliers(c, Filters.year(2024), 1)["amount"].sum() == 40.0  # level 1


def test_overall_per_inhabitant_uses_the_summed_population_of_the_selection() -> None:
    c = cube(ROWS)
    pop = spend.population_by_key(POP, municipality_rows(), "today")
    # 2019: (66 000 + 10 000) / (22 000 + 10 000)
    assert spend.overall_per_inhabitant(c, Filters.year(2019), pop) == pytest.approx(76 / 32)
    only = Filters.year(2019, municipalities=("5038",))
    assert spend.overall_per_inhabitant(c, only, pop) == pytest.approx(1.0)


def test_trend_keeps_buckets_with_spend_only_a_year_earlier() -> None:
    """Spend only in March 2023 and nothing in 2024: 2024 shows 0 against the base, −100 %."""
    from data_access.metrics.spend import trend
    from data_access.store.filters import Filters
    from tests.analysis_frames import cube

    frame = cube([("2023-03", "5038", 1, 11, 1000.0)])
    out = trend(frame, Filters.year(2024), grain="year", by_municipality=False)
    assert out.select("amount", "amount_prev", "change").rows() == [(0.0, 1000.0, -1.0)]
    per = trend(frame, Filters.year(2024), grain="year", by_municipality=True)
    assert per.select("municipality_now", "amount", "amount_prev").rows() == [("5038", 0.0, 1000.0)]
    assert per["muni_label"].to_list() == ["Verdal"]
