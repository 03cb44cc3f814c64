"""Muligheter on hand-built cubes: every expected figure is worked out by hand in the test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from charts import opportunities as opportunity_charts
from charts.lang import using
from data_access.admin import opportunities as store
from data_access.metrics import opportunities as op
from data_access.metrics.savings import realized_by_month
from data_access.store.db import make_engine, migrate
from data_access.store.filters import Filters
from data_access.store.scope import Scope
from tests import frames

D = dt.date
THR = frames.thresholds(
    (D(2022, 3, 23), 100_000, 1_300_000, 2_200_000),
    (D(2024, 3, 14), 100_000, 1_300_000, 2_300_000),
)
NO_PARTICIPANTS = pl.DataFrame(schema={"agreement_id": pl.Int64, "municipality_code": pl.String})
TJENESTER = {
    "category_id": 12,
    "category": "Konsulenttjenester",
    "category_l1_id": 3,
    "category_l1": "Tjenester",
}


def _three_members_five_suppliers() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Category 9 bought by Verdal, Levanger and Snåsa from suppliers 1–5; agreement 1 (r = 20 %,
    supplier 1, Verdal) covers Verdal's purchases from supplier 1 from March 2025."""
    m = D(2025, 6, 1)
    cube = frames.cube(
        [
            {"muni": "5038", "supplier_id": 1, "amount": 400_000.0, "agreement_id": 1, "month": m},
            {"muni": "5038", "supplier_id": 1, "amount": 100_000.0, "month": D(2025, 2, 1)},
            {"muni": "5038", "supplier_id": 2, "amount": 300_000.0, "month": m},
            {"muni": "5037", "supplier_id": 2, "amount": 200_000.0, "month": m},
            {"muni": "5037", "supplier_id": 3, "amount": 150_000.0, "month": m},
            {"muni": "5041", "supplier_id": 4, "amount": 100_000.0, "month": m},
            {"muni": "5041", "supplier_id": 5, "amount": 50_000.0, "month": m},
            # 13 months before the period's end: in the 48-month sum only.
            {"muni": "5038", "supplier_id": 2, "amount": 1_000_000.0, "month": D(2024, 11, 1)},
            # Never addressable: a private person, a public body, an investment, another year.
            {"muni": "5038", "supplier_id": 6, "amount": 70_000.0, "is_private": True, "month": m},
            {"muni": "5038", "supplier_id": 7, "amount": 80_000.0, "spend_class": "intra_public"},
            {"muni": "5038", "supplier_id": 2, "amount": 90_000.0, "area": "investering"},
            {"muni": "5038", "supplier_id": 2, "amount": 5_000_000.0, "month": D(2021, 11, 1)},
        ]
    )
    ag = frames.agreements(
        [
            {
                "id": 1,
                "category_id": 9,
                "start": D(2025, 3, 1),
                "end": D(2026, 6, 30),
                "savings_rate": 0.2,
            }
        ]
    )
    part = pl.DataFrame({"agreement_id": [1], "municipality_code": ["5038"]})
    return cube, ag, part


F = Filters(D(2025, 1, 1), D(2025, 12, 1))  # 12 months Jan–Dec 2025, 48 months from Jan 2022


def test_category_bought_by_three_members_from_five_suppliers_with_one_agreement() -> None:
    cube, ag, part = _three_members_five_suppliers()
    o = op.opportunities(cube, F, ag, part, THR, members_total=5, as_of=D(2026, 1, 1))
    row = o.filter(pl.col("category_id") == 9).row(0, named=True)
    # 100 000 + 300 000 + 200 000 + 150 000 + 100 000 + 50 000 outside the agreement.
    assert row["addressable_12m"] == 900_000.0
    assert row["addressable_48m"] == 1_900_000.0  # + November 2024; November 2021 is outside
    assert (row["members"], row["members_total"]) == (3, 5)
    # Suppliers 1–5; only supplier 2 is used by two members.
    assert (row["suppliers"], row["suppliers_single"]) == (5, 4)
    assert (row["joint_12m"], row["joint_48m"]) == (900_000.0, 1_900_000.0)
    assert row["threshold_status"] == "regulation"  # 0.9 M ≥ 100 000, < 1.3 M national
    assert row["expiring"] == 1  # ends 30 June 2026, within 12 months of 1 January 2026
    assert (row["rate_source"], row["n_agreements"]) == ("agreements", 1)
    assert (row["rate_low"], row["rate"], row["rate_high"]) == (0.2, 0.2, 0.2)
    # 900 000 × 0.2/0.8, not 900 000 × 0.2.
    assert row["potential"] == pytest.approx(225_000.0)


def test_a_kommune_filter_keeps_only_its_part_of_the_amounts() -> None:
    cube, ag, part = _three_members_five_suppliers()
    f = Filters(F.start, F.end, municipalities=("5037",))
    row = op.opportunities(cube, f, ag, part, THR, members_total=5).row(0, named=True)
    assert row["addressable_12m"] == 350_000.0
    assert (row["members"], row["suppliers"]) == (1, 2)
    # The cooperation's count handed in from SQL replaces the count of the rows in view.
    breadth = pl.DataFrame({"category_id": [9], "members": [3]})
    row = op.opportunities(cube, f, ag, part, THR, members_total=5, breadth=breadth).row(
        0, named=True
    )
    assert (row["members"], row["addressable_12m"]) == (3, 350_000.0)
    assert row["suppliers_single"] is None  # other members' suppliers are not in view
    reason = opportunity_charts.reasons(op.rank(pl.DataFrame([row])).row(0, named=True))
    assert reason.startswith("3 av 5 kommuner kjøper, 2 leverandører, 350")


def test_rate_falls_back_to_the_group_default_without_own_agreements() -> None:
    cube, ag, part = _three_members_five_suppliers()
    cube = pl.concat(
        [cube, frames.cube([{**TJENESTER, "amount": 100_000.0, "month": D(2025, 5, 1)}])]
    )
    o = op.opportunities(cube, F, ag, part, THR, members_total=5)
    row = o.filter(pl.col("category_id") == 12).row(0, named=True)
    assert row["rate_source"] == "default"
    assert (row["rate_low"], row["rate"], row["rate_high"]) == (0.03, 0.05, 0.08)
    assert row["potential"] == pytest.approx(100_000 * 0.05 / 0.95)
    assert row["potential_low"] == pytest.approx(100_000 * 0.03 / 0.97)
    assert row["potential_high"] == pytest.approx(100_000 * 0.08 / 0.92)
    # A configured default for the group replaces the shipped one; other groups fall back.
    s = op.OpportunitySettings(default_rates=(("Tjenester", op.Rate(0.1, 0.2, 0.3)),))
    row = (
        op.opportunities(cube, F, ag, part, THR, settings=s, members_total=5)
        .filter(pl.col("category_id") == 12)
        .row(0, named=True)
    )
    assert row["potential"] == pytest.approx(25_000.0)


def test_rate_is_the_median_of_own_agreements_with_the_quartiles_as_range() -> None:
    cube = frames.cube([{"amount": 600_000.0, "month": D(2025, 3, 1)}])
    ag = frames.agreements(
        [
            {
                "id": i,
                "category_id": 9,
                "start": D(2019, 1, 1),
                "end": D(2020, 12, 31),
                "savings_rate": r,
            }
            for i, r in ((1, 0.1), (2, 0.3))
        ]
    )
    row = op.opportunities(cube, F, ag, NO_PARTICIPANTS, THR).row(0, named=True)
    assert (row["rate_low"], row["rate"], row["rate_high"]) == pytest.approx((0.15, 0.2, 0.25))
    assert row["potential"] == pytest.approx(600_000 * 0.2 / 0.8)  # 150 000
    assert row["potential_low"] == pytest.approx(600_000 * 0.15 / 0.85)
    assert row["potential_high"] == pytest.approx(600_000 * 0.25 / 0.75)  # 200 000


def test_48_month_joint_sum_crosses_the_eea_threshold_in_the_right_month() -> None:
    # 75 000 a month from January 2021, Verdal and Levanger in turns: the 48-month sum is
    # 75 000 × months. June 2023 (30 months) reaches 2.25 M ≥ the 2.2 M EEA threshold then in
    # force; May 2023 (2.175 M) does not. With today's 2.3 M it would be July.
    months = pl.date_range(D(2021, 1, 1), D(2024, 12, 1), "1mo", eager=True).to_list()
    cube = frames.cube(
        [
            {"month": m, "amount": 75_000.0, "muni": "5038" if i % 2 else "5037"}
            for i, m in enumerate(months)
        ]
    )
    ag = frames.agreements(  # in another category: the default rate applies
        [{"id": 1, "category_id": 99, "start": D(2019, 1, 1), "end": D(2019, 12, 31)}]
    )

    def status(end: dt.date) -> tuple[str, float]:
        row = op.opportunities(cube, Filters(end, end), ag, NO_PARTICIPANTS, THR).row(0, named=True)
        return row["threshold_status"], row["joint_48m"]

    assert status(D(2023, 5, 1)) == ("regulation", 2_175_000.0)
    assert status(D(2023, 6, 1)) == ("eea_48", 2_250_000.0)
    # 12 × 75 000 = 900 000 in the 12 months: the crossing is the 48-month sum's, not the 12's.
    row = op.opportunities(cube, Filters(D(2023, 6, 1), D(2023, 6, 1)), ag, NO_PARTICIPANTS, THR)
    assert row["joint_12m"].to_list() == [900_000.0]
    ranked = opportunity_charts.described(op.rank(row, op.Weights()))
    assert "over EØS-terskel samlet (48 mnd.)" in ranked["reasons"][0]


def _ranked_frame() -> pl.DataFrame:
    """Three categories: A the largest potential, B the broadest, C above the EEA threshold."""
    return pl.DataFrame(
        {
            "category_id": [1, 2, 3],
            "category": ["A", "B", "C"],
            "potential": [1_000_000.0, 600_000.0, 500_000.0],
            "members": [2, 5, 3],
            "members_total": [5, 5, 5],
            "threshold_status": ["national", "regulation", "eea_12"],
        }
    )


def test_ranking_order_follows_the_stored_weights(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    migrate(engine)
    # Defaults 0.6/0.25/0.15: A = 0.6 + 0.1 + 0.075 = 0.775; B = 0.36 + 0.25 + 0.0375 = 0.6475;
    # C = 0.3 + 0.15 + 0.15 = 0.6.
    ranked = op.rank(_ranked_frame(), store.load_settings(engine).weights)
    assert ranked["category"].to_list() == ["A", "B", "C"]
    assert ranked["score"].to_list() == pytest.approx([0.775, 0.6475, 0.6])
    analyst = Scope(role="analyst", username="ana")
    with engine.begin() as conn:
        store.save_weights(conn, op.Weights(potential=0.2, breadth=0.3, threshold=0.5), analyst)
    w = store.load_settings(engine).weights
    # A = 0.2 + 0.12 + 0.25 = 0.57; B = 0.12 + 0.3 + 0.125 = 0.545; C = 0.1 + 0.18 + 0.5 = 0.78.
    ranked = op.rank(_ranked_frame(), w)
    assert ranked["category"].to_list() == ["C", "A", "B"]
    assert ranked["rank"].to_list() == [1, 2, 3]
    with engine.connect() as conn:
        log = conn.execute(sa.text("select username, action, detail from audit_log")).all()
    assert log == [("ana", "opportunities.weights", "0.6/0.25/0.15 → 0.2/0.3/0.5")]


def test_settings_are_staff_only_and_bad_values_fall_back(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.sqlite'}")
    migrate(engine)
    with engine.begin() as conn, pytest.raises(PermissionError):
        store.save_weights(conn, op.Weights(), Scope(role="leder"))
    with pytest.raises(ValueError):
        op.Weights(potential=-1)
    with pytest.raises(ValueError):
        op.Rate(0.1, 0.05, 0.2)
    admin = Scope(role="admin", username="adm")
    with engine.begin() as conn:
        store.save_default_rates(
            conn, {"Tjenester": op.Rate(0.1, 0.2, 0.3)}, admin, fallback=op.Rate(0.0, 0.01, 0.02)
        )
    s = store.load_settings(engine)
    assert s.rate_for("Tjenester") == op.Rate(0.1, 0.2, 0.3)
    assert s.rate_for("Forbruksvarer") == op.DEFAULT_RATES["Forbruksvarer"]
    assert s.rate_for("Ny gruppe") == op.Rate(0.0, 0.01, 0.02)
    with engine.begin() as conn:  # a hand-edited, broken value: the shipped defaults apply
        conn.execute(sa.text("update app_setting set value = 'x' where key like 'opportunities_%'"))
    assert store.load_settings(engine) == op.OpportunitySettings()


def test_target_gap_says_when_the_top_candidates_reach_the_target() -> None:
    # 400 000 realized every month of 2025 and Jan–Jun 2026: 2026 is expected at 4.8 M,
    # 2.7 M short of 7.5 M. The top three (1.2 + 0.9 + 0.6 M a year) from 1 March 2027 add
    # 2.7 M × 10/12 = 2.25 M in 2027 (total 7.05 M, short) and 2.7 M in 2028 (7.5 M: reached).
    cube = frames.cube(
        [
            {"month": m, "amount": 1_600_000.0, "agreement_id": 1}
            for m in pl.date_range(D(2025, 1, 1), D(2026, 6, 1), "1mo", eager=True).to_list()
        ]
    )
    ag = frames.agreements(
        [{"id": 1, "start": D(2019, 1, 1), "end": D(2030, 1, 1), "savings_rate": 0.2}]
    )
    monthly = realized_by_month(cube, Filters(D(2025, 1, 1), D(2026, 6, 1)), ag)
    assert monthly["realized"].to_list()[0] == 400_000.0  # 1.6 M × 0.2/0.8
    ranked = pl.DataFrame(
        {
            "category": ["A", "B", "C", "D"],
            "potential": [1_200_000.0, 900_000.0, 600_000.0, 100_000.0],
            "potential_low": [600_000.0, 450_000.0, 300_000.0, 50_000.0],
            "potential_high": [1_800_000.0, 1_350_000.0, 900_000.0, 150_000.0],
        }
    )
    g = op.target_gap(monthly, 7_500_000, ranked, n=3, start=D(2027, 3, 1))
    assert (g.year, g.expected, g.gap) == (2026, pytest.approx(4_800_000.0), pytest.approx(2.7e6))
    assert g.candidates == ("A", "B", "C")
    assert (g.candidate_low, g.candidate_potential, g.candidate_high) == (1.35e6, 2.7e6, 4.05e6)
    assert g.by_year["added"].to_list() == pytest.approx([0.0, 2_250_000.0, 2.7e6, 2.7e6, 2.7e6])
    assert g.reach_year == 2028
    assert (
        opportunity_charts.gap_sentence(g)
        == "Med disse tre anskaffelsene fra 1. mars 2027 nås målet i 2028 (anslag)."
    )
    with using("en"):
        assert opportunity_charts.gap_sentence(g) == (
            "With these three tenders from 1 March 2027 the target is reached in 2028 (estimate)."
        )
    assert op.target_gap(monthly, 7_500_000, ranked, n=1, start=D(2027, 3, 1)).reach_year is None


def test_one_municipality_in_view_is_not_called_joint() -> None:
    cube = frames.cube(
        [{"muni": "5038", "amount": 800_000.0}, {"muni": "5037", "amount": 700_000.0}]
    )
    ag, part = _three_members_five_suppliers()[1:]
    ranked = op.rank(op.opportunities(cube, F, ag, part, THR))
    assert ranked.row(0, named=True)["joint"] is True  # a value; the words come from charts
    joint = opportunity_charts.described(ranked).row(0, named=True)
    assert joint["threshold_text"] == "Over nasjonal terskel samlet"  # 1.5 M ≥ 1.3 M
    assert "over nasjonal terskel samlet" in joint["reasons"]
    with using("en"):
        english = opportunity_charts.described(ranked).row(0, named=True)
    assert english["threshold_text"] == "Above the national threshold jointly"
    assert "above the national threshold jointly" in english["reasons"]
    own = op.rank(op.opportunities(cube, Filters(F.start, F.end, ("5037",)), ag, part, THR))
    assert own.row(0, named=True)["joint"] is False
    assert opportunity_charts.described(own)["threshold_text"][0] == "Over 100 000 kr"
