"""Oversikt metrics on hand-built cubes (values computed by hand)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from data_access.metrics import overview
from data_access.metrics.savings import savings_factors
from data_access.store.filters import Filters
from tests.analysis_frames import cube

ROWS = [
    ("2023-02", "5038", 1, 11, 1000.0),
    ("2024-02", "5038", 1, 11, 1500.0),  # same supplier a year later: +50 %
    ("2024-05", "5038", 4, 21, 500.0),  # Oslo supplier: not regional
    ("2024-05", "5038", 5, 21, 250.0),  # foreign: unknown home, outside the share
    ("2024-06", "5037", 2, 11, -100.0),  # credit note from Steinkjer's firm, bought by Levanger
    ("2024-06", "5037", 2, 11, 300.0, "intra_public"),  # public body: shown apart
]


def test_headline_by_hand() -> None:
    c = cube(ROWS)
    h = overview.headline(c, Filters.year(2024), savings_factors(_no_agreements()), 12_000.0)
    assert h.spend == pytest.approx(1500 + 500 + 250 - 100)
    assert h.spend_previous_year == pytest.approx(1000)
    assert h.change == pytest.approx(2150 / 1000 - 1)
    assert h.intra_public == pytest.approx(300)
    # Regional: Verdal→Verdal 1500 and Levanger→Steinkjer firm −100, of known-home 1900.
    assert h.regional_share == pytest.approx(1400 / 1900)
    assert h.unknown_home_share == pytest.approx(250 / 2150)
    assert h.contract_coverage == 0
    assert h.savings_target == pytest.approx(12_000)
    half = overview.headline(
        c,
        Filters(dt.date(2024, 1, 1), dt.date(2024, 6, 1)),
        savings_factors(_no_agreements()),
        12_000.0,
    )
    assert half.savings_target == pytest.approx(6_000)  # prorated by months


def test_trend_marks_quarters_overlapping_the_period() -> None:
    c = cube(ROWS)
    t = overview.trend_by_quarter(c, Filters(dt.date(2024, 3, 1), dt.date(2024, 4, 1)))
    marked = sorted(set(t.filter("in_period")["label"].to_list()))
    assert marked == ["2024 Q1", "2024 Q2"]
    assert "2023 Q1" in t["label"].to_list()


def _no_agreements() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "id": pl.Int64,
            "savings_rate": pl.Float64,
            "projected_saving_ore": pl.Int64,
            "estimated_annual_value_ore": pl.Int64,
            "savings_type": pl.String,
        }
    )
