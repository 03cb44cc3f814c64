"""Regional levels, flows, SME share and sub-unit view on hand-computed frames."""

from __future__ import annotations

import polars as pl
import pytest

from charts import regional as rc
from data_access.metrics import regional
from data_access.store.filters import Filters
from data_access.store.reference import member_codes_now
from tests.analysis_frames import cube

MEMBERS = {
    "5006": "Steinkjer",
    "5037": "Levanger",
    "5038": "Verdal",
    "5041": "Snåsa",
    "5053": "Inderøy",
}


def test_levels_for_same_member_verran_county_norway_unknown() -> None:
    c = cube(
        [
            ("2024-01", "5038", 1, 11, 100.0),  # Verdal buys from Verdal firm → same
            ("2024-01", "5038", 2, 11, 200.0),  # from Steinkjer firm → other member
            ("2019-06", "5039", 2, 11, 300.0),  # Verran 2019 from Steinkjer firm → same (5006)
            ("2019-06", "5004", 1, 11, 50.0),  # Steinkjer 2019 (5004) from Verdal → member
            ("2024-01", "5038", 3, 11, 400.0),  # Trondheim → rest of county
            ("2024-01", "5038", 4, 11, 500.0),  # Oslo → rest of Norway
            ("2024-01", "5038", 5, 11, 600.0),  # foreign, unknown home → abroad/unknown
        ]
    )
    assert c["regional_level"].to_list() == [
        "same",
        "member",
        "same",
        "member",
        "county",
        "norway",
        "abroad_unknown",
    ]
    assert c.filter(pl.col("municipality_code") == "5039")["municipality_now"].item() == "5006"
    lv = regional.levels(c, Filters.year(2024)).row(0, named=True)
    assert (lv["same"], lv["member"], lv["county"], lv["norway"], lv["abroad_unknown"]) == (
        100.0,
        200.0,
        400.0,
        500.0,
        600.0,
    )
    assert lv["regional_share"] == pytest.approx(300 / 1200)  # of known (excl. 600 unknown)
    assert lv["unknown_share"] == pytest.approx(600 / 1800)
    assert regional.regional_share(c, Filters.year(2024)) == pytest.approx(0.25)
    y19 = regional.levels(c, Filters.year(2019), by="municipality").row(0, named=True)
    assert y19["municipality_now"] == "5006"
    assert (y19["same"], y19["member"]) == (300.0, 50.0)


def test_levels_over_time_mark_the_selected_period() -> None:
    c = cube([("2023-02", "5038", 1, 11, 10.0), ("2024-05", "5038", 4, 11, 30.0)])
    q = regional.levels(c, Filters.year(2024), by="quarter")
    assert q["label"].to_list() == ["2023 Q1", "2024 Q2"]
    assert q["in_period"].to_list() == [False, True]
    assert q["same_share"].to_list() == pytest.approx([1.0, 0.0])


def test_the_history_is_grouped_once_per_rows_and_marked_per_period(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A change of period alone reuses the grouped quarterly history (``filters.per_cube``);
    other rows (a municipality chosen) group it again, and each period is marked its own."""
    c = cube(
        [
            ("2023-02", "5038", 1, 11, 10.0),
            ("2024-05", "5038", 4, 11, 30.0),
            ("2024-05", "5037", 1, 11, 5.0),
        ]
    )
    calls: list[list[str]] = []
    wide = regional._wide

    def counted(long: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
        calls.append(keys)
        return wide(long, keys)

    monkeypatch.setattr(regional, "_wide", counted)
    y2023 = regional.levels(c, Filters.year(2023), by="quarter")
    y2024 = regional.levels(c, Filters.year(2024), by="quarter")
    assert len(calls) == 1
    assert y2023["in_period"].to_list() == [True, False]
    assert y2024["in_period"].to_list() == [False, True]
    assert y2023.drop("in_period").equals(y2024.drop("in_period"))
    verdal = regional.levels(c, Filters.year(2024, municipalities=("5038",)), by="quarter")
    assert len(calls) == 2
    assert verdal["total"].to_list() == pytest.approx([10.0, 30.0])
    assert y2024["total"].to_list() == pytest.approx([10.0, 35.0])


def test_intra_public_is_not_counted() -> None:
    c = cube([("2024-01", "5038", 1, 11, 100.0), ("2024-01", "5038", 4, 11, 900.0, "intra_public")])
    assert regional.levels(c, Filters.year(2024))["total"].item() == 100.0


def test_flow_matrix_member_by_supplier_home() -> None:
    c = cube(
        [
            ("2024-01", "5038", 1, 11, 100.0),
            ("2024-01", "5038", 2, 11, 200.0),
            ("2024-01", "5037", 2, 11, 50.0),
            ("2024-01", "5037", 4, 11, 150.0),
            ("2024-01", "5037", 5, 11, 25.0),
        ]
    )
    fl = regional.flows(c, Filters.year(2024), MEMBERS)
    got = {(r["municipality_name"], r["home_key"]): r["amount"] for r in fl.iter_rows(named=True)}
    assert got == {
        ("Verdal", "5038"): 100.0,
        ("Verdal", "5006"): 200.0,
        ("Levanger", "5006"): 50.0,
        ("Levanger", "norway"): 150.0,
        ("Levanger", "abroad_unknown"): 25.0,
    }
    # Metrics name only the members (data); the levels are named for readers in charts.
    assert fl.filter(pl.col("home_key") == "norway")["home_name"].to_list() == [None]
    shown = rc.label_flows(fl)
    got = {(r["municipality_name"], r["home_label"]) for r in shown.iter_rows(named=True)}
    assert got == {
        ("Verdal", "Verdal"),
        ("Verdal", "Steinkjer"),
        ("Levanger", "Steinkjer"),
        ("Levanger", "Resten av Norge"),
        ("Levanger", "Utlandet eller ukjent"),
    }
    lev = fl.filter(pl.col("municipality_now") == "5037")
    assert lev["share"].sum() == pytest.approx(1.0)


def test_sme_share_under_250_employees_of_known_size() -> None:
    c = cube(
        [
            ("2024-01", "5038", 1, 11, 100.0),  # 12 employees
            ("2024-01", "5038", 3, 11, 300.0),  # 300 employees: not SME
            ("2024-01", "5038", 2, 11, 100.0),  # 40 employees
            ("2024-01", "5038", 5, 11, 500.0),  # size unknown
        ]
    )
    s = regional.sme(c, Filters.year(2024), 250).row(0, named=True)
    assert s["sme_share"] == pytest.approx(200 / 500)
    assert s["unknown_share"] == pytest.approx(0.5)


def test_subunit_view_uses_the_nearest_registered_location() -> None:
    c = cube([("2024-01", "5038", 4, 11, 500.0), ("2024-01", "5038", 3, 11, 100.0)])
    # Delta AS (Oslo) has a sub-unit in Verdal; Gamma has one in Levanger.
    loc = pl.DataFrame(
        {"parent_orgnr": ["100000004", "100000003"], "municipality": ["5038", "5037"]}
    )
    cmp = regional.location_comparison(c, Filters.year(2024), loc, member_codes_now(), "50")
    got = {r["level"]: (r["head_office"], r["subunit"]) for r in cmp.iter_rows(named=True)}
    assert got["same"] == (0.0, 500.0)
    assert got["member"] == (0.0, 100.0)
    assert got["norway"] == (500.0, 0.0)
    assert got["county"] == (100.0, 0.0)
    assert cmp["n_suppliers_with_subunits"][0] == 2
    assert "label" not in cmp.columns
    shown = rc.label_locations(cmp)
    assert shown.columns[-2:] == ["label", "n_suppliers_with_subunits"]
    assert shown["label"].to_list() == list(rc.LEVEL_LABELS.values())


def test_regional_alternatives_same_nace_in_the_region() -> None:
    c = cube(
        [
            ("2024-01", "5038", 4, 11, 900.0),  # Delta (Oslo, 43.210): non-regional
            ("2024-01", "5038", 1, 12, 100.0),  # Alfa (Verdal, 43.210): alternative
            ("2023-01", "5006", 2, 12, 50.0),  # Beta (Steinkjer, 43.210), used in 2023
            ("2024-01", "5038", 3, 21, 400.0),  # Gamma (47.520): no regional alternative
        ]
    )
    alt = regional.regional_alternatives(c, Filters.year(2024), member_codes_now())
    assert alt["supplier_name"].to_list() == ["Delta AS"]
    assert alt["n_alternatives"].item() == 2
    assert alt["alternatives"].item() == "Alfa AS, Beta AS"
    assert alt["level"].item() == "norway"
    assert alt.select(rc.level_label(pl.col("level")))["level"].item() == "Resten av Norge"

    # The suppliers in use are the same for every period of this cube (remembered per cube and
    # members): another period and another member list still give their own, right answers.
    again = regional.regional_alternatives(c, Filters.year(2024), member_codes_now())
    assert again.equals(alt)
    assert regional.regional_alternatives(c, Filters.year(2023), member_codes_now()).height == 0
    only_verdal = regional.regional_alternatives(c, Filters.year(2024), ["5038"])
    assert only_verdal["alternatives"].to_list() == ["Alfa AS"]
