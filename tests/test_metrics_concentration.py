"""Supplier concentration on hand-computed frames (PRODUCT.md §4: shares, HHI, CRn, ABC)."""

from __future__ import annotations

import pytest

from data_access.metrics import concentration as conc
from data_access.metrics.analysis import analysis_figures
from data_access.store.filters import Filters
from tests.analysis_frames import cube

Y = Filters.year(2024)


def _cat(by_cat, name):
    return by_cat.filter(by_cat["category"] == name).row(0, named=True)


def test_shares_30_30_20_20_give_hhi_2600_and_3_85_equivalent() -> None:
    c = cube(
        [
            ("2024-01", "5038", 1, 11, 300.0),
            ("2024-02", "5038", 2, 11, 300.0),
            ("2024-03", "5038", 3, 11, 200.0),
            ("2024-04", "5038", 4, 11, 200.0),
        ]
    )
    row = _cat(conc.by_category(c, Y), "Bygg")
    assert row["hhi"] == pytest.approx(2600.0)
    assert row["equivalent"] == pytest.approx(3.846, abs=0.001)
    assert round(row["equivalent"], 2) == 3.85
    assert row["band"] == "high"  # > 2 500
    assert (row["cr1"], row["cr3"], row["cr5"]) == pytest.approx((0.3, 0.8, 1.0))
    assert row["n_suppliers"] == 4


def test_one_supplier_category_gives_10000() -> None:
    c = cube([("2024-01", "5038", 1, 21, 50.0), ("2024-05", "5006", 1, 21, 70.0)])
    row = _cat(conc.by_category(c, Y), "Kontor")
    assert row["hhi"] == pytest.approx(10_000.0)
    assert row["equivalent"] == pytest.approx(1.0)
    assert row["cr1"] == pytest.approx(1.0)
    assert conc.dependencies(conc.by_category(c, Y), 0.5)["category"].to_list() == ["Kontor"]


def test_credit_notes_reduce_a_suppliers_spend() -> None:
    # Alfa 600 − 200 credit = 400, Beta 400: 50/50 → HHI 5 000 (without netting: 60/40 → 5 200)
    c = cube(
        [
            ("2024-01", "5038", 1, 11, 600.0),
            ("2024-02", "5038", 1, 11, -200.0),
            ("2024-03", "5038", 2, 11, 400.0),
        ]
    )
    row = _cat(conc.by_category(c, Y), "Bygg")
    assert row["amount"] == pytest.approx(800.0)
    assert row["hhi"] == pytest.approx(5000.0)
    t = conc.suppliers(c, Y)
    assert t.filter(t["supplier_id"] == 1)["amount"].item() == pytest.approx(400.0)


def test_net_negative_supplier_is_excluded_from_shares_and_counted_apart() -> None:
    c = cube(
        [
            ("2024-01", "5038", 1, 11, 300.0),
            ("2024-02", "5038", 2, 11, 100.0),
            ("2024-03", "5038", 2, 11, -150.0),  # Beta nets to −50
            ("2024-04", "5038", 3, 11, 100.0),
        ]
    )
    row = _cat(conc.by_category(c, Y), "Bygg")
    assert row["n_suppliers"] == 2
    assert row["amount"] == pytest.approx(400.0)
    assert row["hhi"] == pytest.approx(75.0**2 + 25.0**2)
    assert row["excluded_suppliers"] == 1
    assert row["excluded_amount"] == pytest.approx(-50.0)


def test_pseudo_suppliers_and_private_persons_are_excluded_and_counted_apart() -> None:
    """PRODUCT §3.3: suppliers without an orgnr (foreign, ERP number only) are counted like any
    other; only collective posts (pseudo-suppliers) and private persons stand apart."""
    c = cube(
        [
            ("2024-01", "5038", 1, 11, 100.0),
            ("2024-02", "5038", 5, 11, 1000.0),  # no orgnr (foreign, name only): counted
            ("2024-03", "5038", 6, 11, 500.0),  # private person
            ("2024-04", "5038", 7, 11, 250.0),  # ERP supplier number only: counted
            ("2024-05", "5038", 9, 11, 400.0),  # "Diverse leverandører": pseudo
        ]
    )
    row = _cat(conc.by_category(c, Y), "Bygg")
    total = 100.0 + 1000.0 + 250.0
    expected = sum((100 * a / total) ** 2 for a in (100.0, 1000.0, 250.0))
    assert row["hhi"] == pytest.approx(expected)
    assert row["n_suppliers"] == 3
    assert row["excluded_suppliers"] == 2
    assert row["excluded_amount"] == pytest.approx(900.0)
    fig = analysis_figures(c, Y)
    assert fig["excluded"]["pseudo"] == {"amount": 400.0, "n_suppliers": 1}
    assert fig["excluded"]["private"] == {"amount": 500.0, "n_suppliers": 1}
    # the private person is never named in any table
    assert "Ola Nordmann" not in str(conc.suppliers(c, Y).to_dicts())


def test_abc_boundary_at_exactly_80_percent_is_a() -> None:
    # 50 + 30 = exactly 80 % → both A; 15 brings 95 % exactly → B; the last 5 % → C
    c = cube(
        [
            ("2024-01", "5038", 1, 11, 5000.0),
            ("2024-01", "5038", 2, 12, 3000.0),
            ("2024-01", "5038", 3, 21, 1500.0),
            ("2024-01", "5038", 4, 21, 500.0),
        ]
    )
    t = conc.suppliers(c, Y, 0.80, 0.95)
    assert t["abc"].to_list() == ["A", "A", "B", "C"]
    assert t["cum_share"].to_list() == pytest.approx([0.5, 0.8, 0.95, 1.0])
    # configurable cut-offs: with A at 70 % the second supplier becomes B
    assert conc.suppliers(c, Y, 0.70, 0.95)["abc"].to_list() == ["A", "B", "B", "C"]
    tail = conc.tail(t)
    assert tail["n_suppliers"] == 1
    assert tail["share"] == pytest.approx(0.05)
    assert tail["line_share"] == pytest.approx(0.25)


def test_largest_supplier_is_always_a_even_above_the_cut_off() -> None:
    # 90 % alone is above the A cut-off, yet the largest supplier is A; the rest (90→100 %) is C
    c = cube([("2024-01", "5038", 1, 11, 900.0), ("2024-01", "5038", 2, 11, 100.0)])
    assert conc.suppliers(c, Y)["abc"].to_list() == ["A", "C"]


def test_hhi_bands_are_buyer_side_heuristics() -> None:
    assert [conc.band(v) for v in (1000, 1500, 2500, 2600)] == [
        "low",
        "moderate",
        "moderate",
        "high",
    ]
    assert "kjøpers side" in conc.BAND_NOTE


def test_overall_and_period_filter() -> None:
    c = cube(
        [
            ("2024-01", "5038", 1, 11, 300.0),
            ("2024-01", "5038", 2, 21, 100.0),
            ("2023-12", "5038", 3, 11, 10_000.0),  # outside 2024
        ]
    )
    o = conc.overall(conc.suppliers(c, Y))
    assert o["n_suppliers"] == 2
    assert o["hhi"] == pytest.approx(75.0**2 + 25.0**2)
    assert o["cr1"] == pytest.approx(0.75)
