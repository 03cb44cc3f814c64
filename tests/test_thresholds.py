"""Threshold watch on hand-built ledgers: windows, date-effective thresholds, joint flags."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from charts import fmt
from charts.agreements import flags_table
from data_access.metrics.thresholds import threshold_watch
from data_access.store.cube import load_cube
from data_access.store.filters import Filters
from data_access.store.scope import Scope
from data_access.store.thresholds import flag_lines, load_thresholds
from tests import frames

D = dt.date
THR = frames.thresholds(
    (D(2022, 3, 23), 100_000, 1_300_000, 2_200_000),
    (D(2024, 3, 14), 100_000, 1_300_000, 2_300_000),
)


def _flags(cube: pl.DataFrame, f: Filters, **kw: object) -> pl.DataFrame:
    return threshold_watch(cube, f, THR, **kw).filter(pl.col("window") == "12m")


def test_12_month_window_crosses_the_year_boundary() -> None:
    cube = frames.cube(
        [
            {"month": D(2023, 11, 1), "amount": 800_000.0},
            {"month": D(2024, 2, 1), "amount": 700_000.0},
        ]
    )
    # Window Mar 2023–Feb 2024 holds both months: 1.5 MNOK ≥ national threshold.
    f = Filters(D(2024, 2, 1), D(2024, 2, 1))
    flags = _flags(cube, f)
    assert flags.height == 1
    row = flags.row(0, named=True)
    assert (row["window_start"], row["window_end"]) == (D(2023, 3, 1), D(2024, 2, 1))
    assert row["amount"] == 1_500_000.0
    assert row["level"] == "national"
    assert row["window"] == "12m"
    assert "review" not in flags.columns and "level_text" not in flags.columns
    # The reader's wording comes from charts: the table on the Avtaler page is unchanged.
    shown = flags_table(flags).row(0, named=True)
    assert shown["Vurdering"] == "Krever vurdering"
    assert shown["Vindu"] == "12 mnd: mar 2023–feb 2024"
    assert shown["Terskel"] == f"Over nasjonal terskelverdi ({fmt.kr(1_300_000)})"
    # Window Dec 2023–Nov 2024 no longer holds Nov 2023: 700 000 is only above the lower limit.
    late = _flags(cube, Filters(D(2024, 11, 1), D(2024, 11, 1)), min_level="regulation")
    assert late["amount"].to_list() == [700_000.0]
    assert late["level"].to_list() == ["regulation"]
    assert _flags(cube, Filters(D(2024, 11, 1), D(2024, 11, 1))).height == 0


def test_threshold_change_date_applies_the_right_threshold_before_and_after() -> None:
    # 2.25 MNOK in January 2024: above the EEA threshold of 2.2 MNOK in force until 13 March,
    # below the 2.3 MNOK in force from 14 March 2024.
    cube = frames.cube([{"month": D(2024, 1, 1), "amount": 2_250_000.0}])
    before = _flags(cube, Filters(D(2024, 2, 1), D(2024, 2, 1))).row(0, named=True)
    assert (before["level"], before["threshold_nok"]) == ("eea", 2_200_000.0)
    # March's window ends 31 March, after the change date: national threshold only.
    after = _flags(cube, Filters(D(2024, 3, 1), D(2024, 3, 1))).row(0, named=True)
    assert (after["level"], after["threshold_nok"]) == ("national", 1_300_000.0)


def test_matched_spend_private_persons_and_public_bodies_are_not_flagged() -> None:
    cube = frames.cube(
        [
            {"supplier_id": 1, "amount": 3_000_000.0, "agreement_id": 7},
            {"supplier_id": 2, "amount": 3_000_000.0, "is_private": True},
            {"supplier_id": 3, "amount": 3_000_000.0, "spend_class": "intra_public"},
            {"supplier_id": 4, "amount": 1_400_000.0},
        ]
    )
    flags = _flags(cube, Filters.year(2025))
    assert flags["supplier_id"].to_list() == [4]


def test_joint_flag_across_members_when_no_single_member_passes() -> None:
    cube = frames.cube(
        [
            {"muni": "5038", "amount": 800_000.0},
            {"muni": "5037", "amount": 700_000.0},
        ]
    )
    flags = _flags(cube, Filters.year(2025))
    assert flags["basis"].to_list() == ["total"]  # an English value; charts words it
    assert flags["municipality_name"].to_list() == [None]
    assert flags["amount"].to_list() == [1_500_000.0]
    # Limited to one municipality, there is no joint view and nothing passes.
    assert _flags(cube, Filters.year(2025, municipalities=("5038",))).height == 0


def test_by_category_splits_a_supplier_and_48_months_checks_against_eea() -> None:
    rows = [
        {"month": D(2022 + y, 6, 1), "amount": 650_000.0, "category_id": c, "category": n}
        for y in range(4)
        for c, n in ((9, "Kontor"), (10, "Skole"))
    ]
    cube = frames.cube(rows)
    f = Filters.year(2025)
    supplier_level = threshold_watch(cube, f, THR)
    w12 = supplier_level.filter(pl.col("window") == "12m")
    assert w12["amount"].to_list() == [1_300_000.0]  # both categories together
    w48 = supplier_level.filter(pl.col("window") == "48m")
    assert w48["amount"].to_list() == [5_200_000.0]  # Jan 2022–Dec 2025 holds all eight rows
    assert w48["level"].to_list() == ["eea"]
    per_cat = threshold_watch(cube, f, THR, by_category=True)
    assert per_cat.filter(pl.col("window") == "12m").height == 0  # 650 000 each
    assert sorted(per_cat.filter(pl.col("window") == "48m")["category"].to_list()) == [
        "Kontor",
        "Skole",
    ]


# --- on the demo database: the lines behind a flag ------------------------------------------


def test_lines_behind_each_flag_add_up_to_the_flag_and_respect_scope(engine: sa.Engine) -> None:
    analyst = Scope(role="analyst")
    f = Filters.year(2025)
    flags = threshold_watch(
        load_cube(engine, analyst), f, load_thresholds(engine), by_category=True
    )
    assert flags.height > 3
    for row in flags.head(6).iter_rows(named=True):
        lines, n, total = flag_lines(
            engine,
            analyst,
            supplier_id=row["supplier_id"],
            window_start=row["window_start"],
            window_end=row["window_end"],
            municipality_now=row["municipality_now"],
            category_id=row["category_id"],
            limit=5,
        )
        assert total == pytest.approx(row["amount"], abs=0.01)  # ledger (SQL) = cube
        assert lines.height == min(n, 5)
        assert lines["amount"].to_list() == sorted(lines["amount"].to_list(), reverse=True)
    levanger = flags.filter(pl.col("municipality_now") == "5037").row(0, named=True)
    verdal = Scope(role="kommune", municipalities=frozenset({"5038"}))
    lines, n, total = flag_lines(
        engine,
        verdal,
        supplier_id=levanger["supplier_id"],
        window_start=levanger["window_start"],
        window_end=levanger["window_end"],
        municipality_now="5037",
        category_id=levanger["category_id"],
    )
    assert (lines.height, n, total) == (0, 0, 0.0)  # another municipality's lines never leak
    with pytest.raises(PermissionError):
        flag_lines(
            engine,
            Scope(role="leder"),
            supplier_id=levanger["supplier_id"],
            window_start=levanger["window_start"],
            window_end=levanger["window_end"],
        )


# --- issue 10 ---
def test_suppliers_without_orgnr_are_watched_pseudo_suppliers_are_not() -> None:
    """A foreign or names-only supplier is one supplier to watch; "Diverse leverandører" is not."""
    cube = frames.cube(
        [
            {"supplier_id": 5, "amount": 1_400_000.0, "orgnr": None},
            {"supplier_id": 6, "amount": 3_000_000.0, "orgnr": None},
        ]
    ).with_columns(is_pseudo=pl.col("supplier_id") == 6)
    flags = _flags(cube, Filters.year(2025))
    assert flags["supplier_id"].to_list() == [5]
