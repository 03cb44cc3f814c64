"""Savings on hand-built ledgers: proration, realized to the øre, per-member split, projection."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest

from data_access.metrics import savings
from data_access.store.filters import Filters
from tests import frames

D = dt.date


def test_agreement_active_half_the_period_is_prorated_by_days() -> None:
    # Active 1 Jul 2021 → 30 Jun 2022: 184 of 365 days of 2021. E = 1 MNOK, r = 20 % → 250 000/yr.
    ag = frames.agreements(
        [
            {
                "id": 1,
                "start": D(2021, 7, 1),
                "end": D(2022, 6, 30),
                "estimated_annual_value_ore": 1_000_000_00,
                "savings_rate": 0.2,
            },
            # Absolute: P = 36 500 kr/yr, active 1 Jan → 31 Mar 2021 = 90 days.
            {
                "id": 2,
                "start": D(2021, 1, 1),
                "end": D(2021, 3, 31),
                "estimated_annual_value_ore": 500_000_00,
                "projected_saving_ore": 36_500_00,
            },
        ]
    )
    p = savings.projected_for_period(ag, Filters.year(2021)).sort("agreement_id")
    assert p["active_days"].to_list() == [184, 90]
    assert p["projected"][0] == pytest.approx(250_000 * 184 / 365, abs=1e-6)
    assert p["projected"][1] == pytest.approx(36_500 * 90 / 365, abs=1e-6)
    # A whole year gives exactly the yearly figure, also in a leap year.
    full = frames.agreements(
        [
            {
                "id": 3,
                "start": D(2019, 1, 1),
                "end": D(2030, 12, 31),
                "estimated_annual_value_ore": 1_000_000_00,
                "savings_rate": 0.2,
            }
        ]
    )
    assert savings.projected_for_period(full, Filters.year(2024))["projected"][0] == pytest.approx(
        250_000.0
    )


def test_realized_is_matched_spend_times_r_over_one_minus_r_to_the_ore() -> None:
    cube = frames.cube(
        [
            {"amount": 1_234_567.89, "agreement_id": 1},
            {"amount": -10_000.01, "agreement_id": 1},  # a credit note reduces the saving
            {"amount": 555_555.55, "agreement_id": 2},
            {"amount": 99_999.99},  # unmatched: no saving
        ]
    )
    ag = frames.agreements(
        [
            {
                "id": 1,
                "start": D(2024, 1, 1),
                "end": D(2026, 12, 31),
                "savings_rate": 0.07,
                "estimated_annual_value_ore": 1,
            },
            {
                "id": 2,
                "start": D(2024, 1, 1),
                "end": D(2026, 12, 31),
                "savings_rate": None,
                "estimated_annual_value_ore": 2_000_000_00,
                "projected_saving_ore": 150_000_00,
            },
        ]
    )
    got = savings.realized_total(cube, Filters.year(2025), ag)
    matched1 = Decimal("1234567.89") - Decimal("10000.01")
    expected = matched1 * Decimal("0.07") / Decimal("0.93") + Decimal("555555.55") * Decimal(
        "150000"
    ) / Decimal("2000000")
    assert Decimal(str(got)).quantize(Decimal("0.01"), ROUND_HALF_UP) == expected.quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert savings.realized_ore(122_456_788, 0.07) == int(
        (Decimal(122_456_788) * Decimal("0.07") / Decimal("0.93")).quantize(
            Decimal(1), ROUND_HALF_UP
        )
    )


def test_split_per_member_adds_up_to_the_total_and_uses_own_spend() -> None:
    cube = frames.cube(
        [
            {"muni": "5038", "amount": 100_000.0, "agreement_id": 1},
            {"muni": "5037", "amount": 300_000.0, "agreement_id": 1},
            {"muni": "5037", "amount": 50_000.0, "agreement_id": 2},
            {"muni": "5041", "amount": 70_000.0},
        ]
    )
    ag = frames.agreements(
        [
            {"id": 1, "start": D(2024, 1, 1), "end": D(2026, 1, 1), "savings_rate": 0.2},
            {
                "id": 2,
                "start": D(2024, 1, 1),
                "end": D(2026, 1, 1),
                "savings_rate": 0.5,
                "savings_type": "avoidance",
            },
        ]
    )
    f = Filters.year(2025)
    per = savings.realized_by_municipality(cube, f, ag).sort("municipality_now")
    assert per["municipality_now"].to_list() == ["5037", "5038", "5041"]
    assert per["realized"].to_list() == pytest.approx([75_000 + 50_000, 25_000, 0.0])
    assert per["hard"].to_list() == pytest.approx([75_000, 25_000, 0.0])
    assert per["avoidance"].to_list() == pytest.approx([50_000, 0.0, 0.0])
    assert per["realized"].sum() == pytest.approx(savings.realized_total(cube, f, ag))


def test_agreements_without_matched_spend_are_listed_not_hidden() -> None:
    cube = frames.cube(
        [{"amount": 80_000.0, "agreement_id": 1}, {"amount": 1_000.0, "agreement_id": 4}]
    )
    ag = frames.agreements(
        [
            {
                "id": 1,
                "start": D(2025, 1, 1),
                "end": D(2025, 12, 31),
                "savings_rate": 0.2,
                "estimated_annual_value_ore": 400_000_00,
            },
            {
                "id": 2,
                "start": D(2025, 1, 1),
                "end": D(2025, 12, 31),
                "savings_rate": 0.1,
                "estimated_annual_value_ore": 90_000_00,
            },
            {"id": 3, "start": D(2019, 1, 1), "end": D(2020, 12, 31), "savings_rate": 0.1},
            # A rate but no estimated value: zero projection, realized still counted.
            {"id": 4, "start": D(2025, 1, 1), "end": D(2025, 12, 31), "savings_rate": 0.5},
        ]
    )
    loyalty = pl.DataFrame({"agreement_id": [1], "loyalty": [0.5]})
    out = savings.agreement_savings(cube, Filters.year(2025), ag, loyalty)
    by_id = {r["agreement_id"]: r for r in out.iter_rows(named=True)}
    assert set(by_id) == {1, 2, 4}  # agreement 3 is neither active nor bought on in 2025
    assert by_id[2]["matched"] == 0.0
    assert by_id[2]["status"] == "no_purchases"
    assert by_id[1]["realized"] == pytest.approx(20_000.0)
    assert by_id[1]["projected"] == pytest.approx(100_000.0)
    assert by_id[1]["expected_loyalty"] == pytest.approx(50_000.0)  # projected × loyalty
    assert by_id[1]["status"] == "below_expected"
    assert (by_id[4]["projected"], by_id[4]["realized"]) == (0.0, pytest.approx(1_000.0))
    assert by_id[4]["status"] == "no_projection"


def test_cumulative_realized_restarts_each_year_and_projection_uses_last_12_months() -> None:
    rows = []
    for m in range(1, 13):
        rows.append({"month": D(2024, m, 1), "amount": 10_000.0 * m, "agreement_id": 1})
    for m in range(1, 4):
        rows.append({"month": D(2025, m, 1), "amount": 50_000.0, "agreement_id": 1})
    cube = frames.cube(rows)
    ag = frames.agreements(
        [{"id": 1, "start": D(2019, 1, 1), "end": D(2030, 1, 1), "savings_rate": 0.5}]
    )
    monthly = savings.realized_by_month(cube, Filters.year(2025), ag)
    y24 = monthly.filter(pl.col("year") == 2024)
    assert y24["cum_realized"][-1] == pytest.approx(10_000 * 78)  # Σ m for 1..12 = 78
    assert monthly.filter(pl.col("year") == 2025)["cum_realized"].to_list() == pytest.approx(
        [50_000, 100_000, 150_000]
    )
    yearly = savings.realized_by_year(monthly, 7_500_000)
    assert yearly["share_of_target"].to_list() == pytest.approx([780_000 / 7.5e6, 150_000 / 7.5e6])
    proj = savings.year_end_projection(monthly)
    assert proj is not None
    last12 = [10_000.0 * m for m in range(4, 13)] + [50_000.0] * 3
    avg = sum(last12) / 12
    assert proj["months_left"] == 9
    assert proj["projected_year_end"] == pytest.approx(150_000 + 9 * avg)
    # A complete last year has no projection.
    assert savings.year_end_projection(y24) is None


def test_projection_in_a_restricted_view_is_split_by_population_of_participants() -> None:
    cube = frames.cube([{"muni": "5038", "amount": 10_000.0, "agreement_id": 1}])
    ag = frames.agreements(
        [
            {
                "id": 1,
                "start": D(2025, 1, 1),
                "end": D(2025, 12, 31),
                "savings_rate": 0.2,
                "estimated_annual_value_ore": 400_000_00,
            },
            {
                "id": 2,
                "start": D(2025, 1, 1),
                "end": D(2025, 12, 31),
                "savings_rate": 0.2,
                "estimated_annual_value_ore": 400_000_00,
            },
        ]
    )
    part = pl.DataFrame({"agreement_id": [1, 1, 2], "municipality_code": ["5038", "5037", "5037"]})
    pop = pl.DataFrame(
        {
            "municipality_code": ["5038", "5037", "5038", "5037"],
            "year": [2024, 2024, 2025, 2025],
            "population": [1, 1, 15_000, 5_000],  # the latest year counts
        }
    )
    shares = savings.participant_shares(part, pop, frozenset({"5038"}))
    out = savings.agreement_savings(cube, Filters.year(2025), ag, shares=shares)
    assert out["agreement_id"].to_list() == [1]  # Verdal is not in agreement 2
    assert out["projected"][0] == pytest.approx(100_000 * 15_000 / 20_000)
    everyone = savings.participant_shares(part, pop, None)
    assert everyone.sort("agreement_id")["share"].to_list() == [1.0, 1.0]
