"""Coverage, loyalty, outside spend, expiring agreements, e-handel and the CLI figures."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
import sqlalchemy as sa

from cli.figures_cmd import figures as cli_figures
from data_access.metrics import coverage
from data_access.metrics.overview import headline
from data_access.metrics.savings import savings_factors
from data_access.store.agreements import load_agreements
from data_access.store.cube import load_cube
from data_access.store.filters import Filters
from data_access.store.scope import Scope
from tests import frames

D = dt.date
PARTY = "974085203"
OTHER = "981129579"


def _setup() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    cube = frames.cube(
        [
            # Verdal takes part; the agreement runs Mar–Dec 2025.
            {"month": D(2025, 3, 1), "amount": 600.0, "orgnr": PARTY, "agreement_id": 1},
            {"month": D(2025, 4, 1), "amount": 400.0, "orgnr": OTHER, "supplier_id": 2},
            # Before the agreement: not in the loyalty base.
            {"month": D(2025, 1, 1), "amount": 1000.0, "orgnr": OTHER, "supplier_id": 2},
            # Levanger does not take part: not in the loyalty base.
            {
                "muni": "5037",
                "month": D(2025, 5, 1),
                "amount": 5000.0,
                "orgnr": OTHER,
                "supplier_id": 2,
            },
            # Another category: not in the base either.
            {
                "month": D(2025, 5, 1),
                "amount": 700.0,
                "orgnr": OTHER,
                "supplier_id": 3,
                "category_id": 10,
                "category": "Skole",
                "ehandel": True,
            },
            {
                "month": D(2025, 6, 1),
                "amount": 100.0,
                "supplier_id": 9,
                "orgnr": None,
                "is_private": True,
                "supplier_name": "Privatperson",
            },
        ]
    )
    ag = frames.agreements(
        [
            {
                "id": 1,
                "start": D(2025, 3, 1),
                "end": D(2025, 12, 31),
                "savings_rate": 0.1,
                "estimated_annual_value_ore": 1_000_00,
                "end_with_options": D(2026, 12, 31),
            }
        ]
    )
    parties = pl.DataFrame({"agreement_id": [1], "orgnr": [PARTY]})
    part = pl.DataFrame({"agreement_id": [1], "municipality_code": ["5038"]})
    return cube, ag, parties, part


def test_coverage_by_category_and_municipality() -> None:
    cube, *_ = _setup()
    f = Filters.year(2025)
    assert coverage.coverage_total(cube, f) == pytest.approx(600 / 7800)
    grid = coverage.coverage_by_category_municipality(cube, f)
    verdal = grid.filter(pl.col("municipality_now") == "5038").row(0, named=True)
    assert verdal["spend"] == pytest.approx(2800.0)
    assert verdal["coverage"] == pytest.approx(600 / 2800)
    levanger = grid.filter(pl.col("municipality_now") == "5037").row(0, named=True)
    assert levanger["coverage"] == 0.0


def test_loyalty_counts_only_active_months_participants_and_the_category() -> None:
    cube, ag, parties, part = _setup()
    f = Filters.year(2025)
    per_ag = coverage.loyalty_by_agreement(cube, f, ag, parties, part)
    # Base: Mar 600 (party) + Apr 400 + Jun 100 (a private person, not party) in Verdal, cat. 9.
    assert per_ag["loyalty"].to_list() == pytest.approx([600 / 1100])
    per_cat = coverage.loyalty_by_category(cube, f, ag, parties, part)
    assert per_cat.select("category", "in_agreement", "category_spend").rows() == [
        ("Kontor og rekvisita", 600.0, 1100.0)
    ]


def test_outside_agreements_by_supplier_hides_private_persons() -> None:
    cube, *_ = _setup()
    sup = coverage.outside_by_supplier(cube, Filters.year(2025))
    assert sup["outside"].to_list()[0] == pytest.approx(6400.0)  # supplier 2 in two members
    private = sup.filter(pl.col("supplier_id") == 9).row(0, named=True)
    assert private["supplier_name"] == "Privatperson"
    assert private["orgnr"] is None
    cats = coverage.outside_by_category(cube, Filters.year(2025))
    assert cats["outside"].sum() == pytest.approx(7800 - 600)


def test_expiring_within_6_and_12_months_with_yearly_volume() -> None:
    cube, ag, _parties, part = _setup()
    ag = pl.concat(
        [
            ag,
            frames.agreements(
                [{"id": 2, "start": D(2024, 1, 1), "end": D(2026, 9, 30), "savings_rate": 0.1}]
            ),
            frames.agreements(
                [{"id": 3, "start": D(2024, 1, 1), "end": D(2027, 9, 30), "savings_rate": 0.1}]
            ),
        ],
        how="vertical_relaxed",
    )
    part = pl.concat([part, pl.DataFrame({"agreement_id": [2], "municipality_code": ["5037"]})])
    exp = coverage.expiring(ag, cube, part, D(2025, 11, 1), 12)
    assert exp["agreement_id"].to_list() == [1, 2]
    assert exp["within_6"].to_list() == [True, False]
    assert exp["options_left"].to_list() == [True, False]
    assert exp["volume_12m"].to_list() == pytest.approx([600.0, 0.0])
    # A Verdal user sees only the agreements Verdal takes part in.
    mine = coverage.expiring(ag, cube, part, D(2025, 11, 1), 12, frozenset({"5038"}))
    assert mine["agreement_id"].to_list() == [1]


def test_ehandel_share_over_time_and_cli_figures_are_json() -> None:
    cube, ag, *_ = _setup()
    f = Filters.year(2025)
    assert coverage.ehandel_share(cube, f) == pytest.approx(700 / 7800)
    trend = coverage.ehandel_over_time(cube, f, by="quarter")
    q2 = trend.filter((pl.col("label") == "2025 Q2") & (pl.col("municipality_now") == "5038"))
    assert q2["share"].to_list() == pytest.approx([700 / (400 + 700 + 100)])
    yearly = coverage.ehandel_over_time(cube, f).filter(pl.col("municipality_now") == "5038")
    assert yearly["label"].to_list() == ["2025"]
    assert yearly["share"].to_list() == pytest.approx([700 / 2800])
    thr = frames.thresholds((D(2024, 3, 14), 100_000, 1_300_000, 2_300_000))
    figs = coverage.agreement_figures(cube, f, ag, thr, yearly_target_nok=1200.0)
    json.dumps(figs)
    assert figs["realized_saving_nok"] == pytest.approx(600 * 0.1 / 0.9, abs=0.01)
    assert figs["savings_target_nok"] == 1200.0
    assert figs["contract_coverage"] == pytest.approx(600 / 7800)
    assert figs["threshold_flags"] == 0


def test_cli_figures_agree_with_the_oversikt_headline(sqlite_engine: sa.Engine) -> None:
    cube = load_cube(sqlite_engine, Scope.everything())
    f = Filters.year(2025)
    figs = cli_figures(sqlite_engine, "2025", [], f.area)["agreements"]
    assert isinstance(figs, dict)
    json.dumps(figs)
    h = headline(cube, f, savings_factors(load_agreements(sqlite_engine)), 7_500_000)
    assert figs["realized_saving_nok"] == pytest.approx(h.realized_saving, abs=0.01)
    assert figs["contract_coverage"] == pytest.approx(h.contract_coverage)
    assert figs["ehandel_share"] == pytest.approx(h.ehandel_share)
    assert figs["yearly_savings_target_nok"] == 7_500_000
    assert figs["threshold_flags"] > 0  # the huge Levanger test line alone passes the EEA threshold
    assert figs["threshold_flags_eea"] > 0
