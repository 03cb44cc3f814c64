"""The Oversikt, Gevinster and Avtaler figures tested as data (STYLE.md §12): trace types, the
values drawn against the metric frames they were given, axis titles — via to_plotly_json()."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from charts import agreements as ac
from charts import fmt, registry
from charts import overview as oc
from charts import savings as sc
from charts.a11y import plain
from charts.lang import using
from charts.theme import PRIMARY, WARNING, municipality_colour
from data_access.metrics import coverage, overview, savings
from data_access.store.agreements import load_agreements, load_parties
from data_access.store.cube import load_cube
from data_access.store.filters import Filters
from data_access.store.scope import Scope
from ui import state

F = Filters.year(2025)


@pytest.fixture(scope="module")
def data(sqlite_engine: sa.Engine) -> dict[str, pl.DataFrame]:
    parties, participants = load_parties(sqlite_engine)
    return {
        "cube": load_cube(sqlite_engine, Scope.everything()),
        "agreements": load_agreements(sqlite_engine),
        "parties": parties,
        "participants": participants,
    }


def _json(fig: Any) -> dict[str, Any]:
    out: dict[str, Any] = fig.to_plotly_json()
    return out


def _axis_title(layout: dict[str, Any], axis: str) -> str:
    return plain(layout[axis]["title"]["text"])  # titles wrap for phones (#14)


# --- Oversikt -------------------------------------------------------------------------------


def test_spend_by_municipality_bars_are_millions_in_each_members_colour(data: dict) -> None:
    frame = overview.spend_by_municipality(data["cube"], F)
    fig = _json(oc.spend_by_municipality(frame, title="T"))
    (bar,) = fig["data"]
    assert bar["type"] == "bar" and bar["orientation"] == "h"
    drawn = dict(zip(bar["y"], bar["x"], strict=True))
    for r in frame.iter_rows(named=True):
        assert drawn[r["municipality_name"]] == pytest.approx(r["amount"] / 1e6)
    colours = dict(zip(bar["y"], bar["marker"]["color"], strict=True))
    assert colours["Verdal"] == municipality_colour("5038")
    assert bar["x"] == sorted(bar["x"])  # largest at the top of a horizontal bar chart
    assert fig["layout"]["title"]["text"] == "T"


def test_trend_by_quarter_stacks_one_bar_trace_per_municipality(data: dict) -> None:
    frame = overview.trend_by_quarter(data["cube"], F)
    fig = _json(oc.trend_by_quarter(frame, title="T"))
    assert {t["type"] for t in fig["data"]} == {"bar"}
    assert len(fig["data"]) == frame["municipality_now"].n_unique()
    assert fig["layout"]["barmode"] == "stack"
    assert _axis_title(fig["layout"], "yaxis") == "mill. kr"
    total = sum(sum(v for v in t["y"]) for t in fig["data"])
    assert total == pytest.approx(frame["amount"].sum() / 1e6)
    faded = [o for t in fig["data"] for o in t["marker"]["opacity"] if o < 1]
    assert faded  # quarters outside 2025 are drawn faded


def _national(n: int = 40) -> pl.DataFrame:
    """A national scope's quarterly frame: n municipalities, the larger the higher the code,
    four quarters of 2025 in the period and four of 2024 outside it."""
    rows = [
        {
            "year": year,
            "quarter": q,
            "municipality_now": f"{9000 + i}",
            "municipality_name": f"Kommune {9000 + i}",
            "amount": 1e6 * (i + 1) * q,
            "in_period": year == 2025,
            "label": f"{year} K{q}",
        }
        for year in (2024, 2025)
        for q in (1, 2, 3, 4)
        for i in range(n)
    ]
    return pl.DataFrame(rows).with_columns(pl.col("quarter").cast(pl.Int8))


def test_many_municipalities_draw_the_twenty_largest_bars() -> None:
    """357 municipalities made a bar chart 16 000 px tall: beyond twenty the largest are
    drawn, largest on top, and the title says so."""
    frame = (
        _national()
        .filter(pl.col("year") == 2025, pl.col("quarter") == 1)
        .select("municipality_now", "municipality_name", "amount")
    )
    fig = _json(oc.spend_by_municipality(frame, title="T"))
    (bar,) = fig["data"]
    assert bar["y"] == [f"Kommune {9000 + i}" for i in range(20, 40)]  # largest last = on top
    assert bar["x"] == pytest.approx([(i + 1) for i in range(20, 40)])
    assert plain(fig["layout"]["title"]["text"]) == "T – de 20 største av 40"
    assert fig["layout"]["height"] < 1_200


def test_many_municipalities_stack_the_ten_largest_and_the_rest_together() -> None:
    """357 stacked series under a 357-entry legend squeezed the plot to a strip: beyond ten,
    the ten largest are stacked one by one in colours of their own and the rest as one grey
    series, so every bar still stands for the whole total of its quarter."""
    frame = _national()
    fig = _json(oc.trend_by_quarter(frame, title="T"))
    names = [t["name"] for t in fig["data"]]
    assert names[:10] == [f"Kommune {9000 + i}" for i in range(39, 29, -1)]
    assert names[10:] == ["Øvrige 30 kommuner"]
    styles = {(t["marker"]["color"], t["marker"]["pattern"]["shape"]) for t in fig["data"]}
    assert len(styles) == 11  # the palette's eight, two of them again hatched, the rest grey
    per_quarter: dict[str, float] = {}
    for t in fig["data"]:
        for x, y in zip(t["x"], t["y"], strict=True):
            per_quarter[x] = per_quarter.get(x, 0.0) + y
    want = frame.group_by("label").agg(pl.col("amount").sum() / 1e6)
    assert per_quarter == pytest.approx(dict(want.iter_rows()))
    assert plain(fig["layout"]["title"]["text"]) == "T – de 10 største av 40, resten samlet"
    faded = {o for t in fig["data"] for o in t["marker"]["opacity"]}
    assert faded == {0.35, 1.0}  # 2024 still faded, the rest series included
    with using("en"):
        en = _json(oc.trend_by_quarter(frame, title="T"))
    assert en["data"][-1]["name"] == "Other 30 municipalities"
    few = _json(oc.trend_by_quarter(_national(6), title="T"))
    assert len(few["data"]) == 6 and few["layout"]["title"]["text"] == "T"


def test_top_categories_are_the_ten_largest_in_millions(data: dict) -> None:
    frame = overview.top_categories(data["cube"], F)
    fig = _json(oc.top_categories(frame, title="T"))
    (bar,) = fig["data"]
    assert bar["type"] == "bar"
    assert len(bar["y"]) == frame.height <= 10
    assert sorted(bar["x"]) == pytest.approx(sorted(frame["amount"] / 1e6))


# --- Gevinster ------------------------------------------------------------------------------


def test_realized_by_year_stacks_hard_and_avoidance_under_the_target_line(data: dict) -> None:
    monthly = savings.realized_by_month(data["cube"], F, data["agreements"])
    yearly = savings.realized_by_year(monthly, 7_500_000)
    projection = {"year": 2026, "last_month": 6, "to_date": 2e6, "projected_year_end": 4e6}
    fig = _json(sc.realized_by_year(yearly, 7_500_000, projection, title="T"))
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    assert [b["name"] for b in bars] == [
        "Hard gevinst",
        "Kostnadsunngåelse",
        "Fremskrevet resten av året",
    ]
    assert bars[0]["y"] == pytest.approx((yearly["hard"] / 1e6).to_list())
    assert bars[1]["y"] == pytest.approx((yearly["avoidance"] / 1e6).to_list())
    assert bars[2]["x"] == ["2026"] and bars[2]["y"] == pytest.approx([2.0])
    (target,) = fig["layout"]["shapes"]
    assert target["y0"] == target["y1"] == pytest.approx(7.5)
    assert "7,5 mill. kr per år" in fig["layout"]["annotations"][0]["text"]
    assert _axis_title(fig["layout"], "yaxis") == "mill. kr"


def test_cumulative_by_month_has_one_line_per_year_and_a_dotted_projection(data: dict) -> None:
    monthly = savings.realized_by_month(data["cube"], Filters.year(2024), data["agreements"])
    projection = savings.year_end_projection(monthly)
    fig = _json(sc.cumulative_by_month(monthly, 7_500_000, projection, title="T"))
    years = sorted(set(monthly["year"].to_list()))
    lines = [t for t in fig["data"] if t["type"] == "scatter" and not t["name"].startswith("Frem")]
    assert [t["name"] for t in lines] == [str(y) for y in years]
    last = monthly.filter(pl.col("year") == years[-1]).sort("month_no")
    assert lines[-1]["y"] == pytest.approx((last["cum_realized"] / 1e6).to_list())
    assert _axis_title(fig["layout"], "yaxis") == "mill. kr, akkumulert i året"
    if projection is not None:
        (proj,) = [t for t in fig["data"] if t["name"].startswith("Fremskriving")]
        assert proj["line"]["dash"] == "dot"


def test_savings_by_municipality_bars_are_thousands_and_sum_to_the_total(data: dict) -> None:
    frame = savings.realized_by_municipality(data["cube"], F, data["agreements"])
    fig = _json(sc.by_municipality(frame, title="T"))
    hard, avoid = (t for t in fig["data"] if t["type"] == "bar")
    assert hard["orientation"] == "h" and hard["name"] == "Hard gevinst"
    drawn = sum(hard["x"]) + sum(avoid["x"])
    assert drawn == pytest.approx(frame["realized"].sum() / 1e3)
    assert _axis_title(fig["layout"], "xaxis") == "tusen kr"


# --- Avtaler --------------------------------------------------------------------------------


def test_coverage_heatmap_cells_are_percent_of_each_category_and_municipality(
    data: dict,
) -> None:
    grid = coverage.coverage_by_category_municipality(data["cube"], F)
    fig = _json(ac.coverage_heatmap(grid, title="T"))
    (heat,) = fig["data"]
    assert heat["type"] == "heatmap"
    assert heat["zmin"] == 0 and heat["zmax"] == 100
    cells = [v for row in heat["z"] for v in row if v is not None]
    assert cells and all(0 <= v <= 100 for v in cells)
    r = grid.filter(pl.col("coverage").is_not_null()).row(0, named=True)
    i, j = heat["y"].index(r["category_l1"]), heat["x"].index(r["municipality_name"])
    assert heat["z"][i][j] == pytest.approx(r["coverage"] * 100)
    assert heat["colorbar"]["ticksuffix"] == " %"  # "19 %" in bokmål, as in the cells
    with using("en"):
        english = _json(ac.coverage_heatmap(grid, title="T"))["data"][0]
    assert english["colorbar"]["ticksuffix"] == "%" and english["text"][i][j].endswith("%")
    assert not english["text"][i][j].endswith(" %")


def test_loyalty_bars_are_percent_with_low_loyalty_in_warning_colour(data: dict) -> None:
    frame = coverage.loyalty_by_category(
        data["cube"], F, data["agreements"], data["parties"], data["participants"]
    )
    fig = _json(ac.loyalty_by_category(frame, title="T"))
    (bar,) = fig["data"]
    assert bar["type"] == "bar" and bar["orientation"] == "h"
    drawn = dict(zip(bar["y"], bar["x"], strict=True))
    for r in frame.iter_rows(named=True):
        assert drawn[r["category"]] == pytest.approx(r["loyalty"] * 100)
    colours = dict(zip(bar["y"], bar["marker"]["color"], strict=True))
    for c, v in drawn.items():
        assert colours[c] == (WARNING if round(v) < 60 else PRIMARY)
    assert fig["layout"]["xaxis"]["ticksuffix"] == " %"
    assert _axis_title(fig["layout"], "xaxis") == "avtalelojalitet, %"


def test_outside_by_category_and_ehandel_trend(data: dict) -> None:
    outside = coverage.outside_by_category(data["cube"], F)
    fig = _json(ac.outside_by_category(outside, title="T"))
    (bar,) = fig["data"]
    assert bar["type"] == "bar"
    assert sorted(bar["x"]) == pytest.approx(sorted(outside["outside"] / 1e6))

    trend = coverage.ehandel_over_time(data["cube"], F, "year")
    fig = _json(ac.ehandel_trend(trend, title="T"))
    assert {t["type"] for t in fig["data"]} == {"scatter"}
    verdal = next(t for t in fig["data"] if t["name"] == "Verdal")
    rows = trend.filter(pl.col("municipality_now") == "5038").sort("label")
    assert verdal["y"] == pytest.approx((rows["share"] * 100).to_list())
    assert _axis_title(fig["layout"], "yaxis") == "andel av innkjøp, %"


def _national_coverage() -> pl.DataFrame:
    """Coverage per category and municipality for 40 municipalities, Kommune 9000 buying the
    least and Kommune 9039 the most (as ``coverage.coverage_by_category_municipality``)."""
    rows = [
        {
            "category_l1_id": k,
            "category_l1": f"Kategori {k}",
            "municipality_now": f"{9000 + i}",
            "municipality_name": f"Kommune {9000 + i}",
            "spend": 1e6 * (i + 1) * (k + 1),
            "coverage": (i % 10) / 10,
        }
        for k in range(3)
        for i in range(40)
    ]
    return pl.DataFrame(rows)


def test_coverage_heatmap_of_many_municipalities_draws_the_twenty_largest() -> None:
    """A national scope's 357 columns were a strip of unreadable cells: beyond twenty the
    municipalities with the most purchases are drawn, largest first, each cell still its
    own coverage, and the title says so."""
    grid = _national_coverage()
    heat = _json(ac.coverage_heatmap(grid, title="T"))
    (trace,) = heat["data"]
    assert trace["x"] == [f"Kommune {9000 + i}" for i in range(39, 19, -1)]
    assert trace["y"] == ["Kategori 0", "Kategori 1", "Kategori 2"]
    assert trace["z"][1][0] == pytest.approx(90.0)  # Kommune 9039: 39 % 10 → 90 %
    assert trace["z"][2][19] == pytest.approx(0.0)  # Kommune 9020: 20 % 10 → 0 %
    assert plain(heat["layout"]["title"]["text"]) == "T – de 20 største av 40"
    few = grid.filter(pl.col("municipality_now") < "9006")
    small = _json(ac.coverage_heatmap(few, title="T"))
    assert small["data"][0]["x"] == [f"Kommune {9000 + i}" for i in range(6)]  # by code
    assert plain(small["layout"]["title"]["text"]) == "T"


def test_coverage_heatmap_of_many_municipalities_has_no_row_only_undrawn_ones_buy() -> None:
    """A category bought only by municipalities beyond the twenty drawn was a row of blank
    cells: the rows are the drawn municipalities' categories."""
    grid = _national_coverage()
    only_small = pl.DataFrame(
        {
            "category_l1_id": [7],
            "category_l1": ["Kategori bare de minste kjøper"],
            "municipality_now": ["9001"],
            "municipality_name": ["Kommune 9001"],
            "spend": [1.0],
            "coverage": [0.5],
        }
    )
    (trace,) = _json(ac.coverage_heatmap(pl.concat([grid, only_small]), title="T"))["data"]
    assert trace["y"] == ["Kategori 0", "Kategori 1", "Kategori 2"]
    assert len(trace["z"]) == 3 and all(len(row) == 20 for row in trace["z"])
    # Among few municipalities, every category is a row.
    few = pl.concat([grid.filter(pl.col("municipality_now") < "9006"), only_small])
    (small,) = _json(ac.coverage_heatmap(few, title="T"))["data"]
    assert small["y"][-1] == "Kategori bare de minste kjøper"


def test_ehandel_trend_of_many_municipalities_draws_the_ten_largest_in_own_colours() -> None:
    """357 grey lines under a 357-entry legend: beyond ten, the ten municipalities with the
    most purchases, each in a colour (and dash) of its own, and the title says so."""
    trend = pl.DataFrame(
        [
            {
                "municipality_now": f"{9000 + i}",
                "municipality_name": f"Kommune {9000 + i}",
                "label": str(year),
                "sort": year * 10,
                "spend": 1e6 * (i + 1),
                "share": i / 100,
            }
            for i in range(40)
            for year in (2024, 2025)
        ]
    )
    fig = _json(ac.ehandel_trend(trend, title="T"))
    names = [t["name"] for t in fig["data"]]
    assert sorted(names) == sorted(f"Kommune {9000 + i}" for i in range(30, 40))
    for t in fig["data"]:
        i = int(t["name"].removeprefix("Kommune ")) - 9000
        assert t["y"] == pytest.approx([i, i])
    styles = {(t["line"]["color"], t["line"]["dash"]) for t in fig["data"]}
    assert len(styles) == 10
    assert plain(fig["layout"]["title"]["text"]) == "T – de 10 største av 40"
    # Members among the largest keep their own colours, and no other line takes one of them.
    members = trend.with_columns(
        municipality_now=pl.col("municipality_now").replace({"9039": "5037", "9038": "5041"})
    )
    fig = _json(ac.ehandel_trend(members, title="T"))
    style = {t["name"]: (t["line"]["color"], t["line"]["dash"]) for t in fig["data"]}
    assert len(set(style.values())) == 10
    assert style["Kommune 9039"] == (municipality_colour("5037"), "solid")
    assert style["Kommune 9038"] == (municipality_colour("5041"), "solid")


# --- issue 12 point 6: tables, months and period labels in English --------------------------


def _flags() -> pl.DataFrame:
    """Two threshold flags as ``metrics.thresholds.threshold_watch`` gives them: one for a
    municipality, one for all in view together (``basis`` values are English)."""
    return pl.DataFrame(
        {
            "basis": ["municipality", "total"],
            "municipality_now": ["5038", None],
            "municipality_name": ["Verdal", None],
            "supplier_id": [1, 1],
            "supplier_name": ["Kontorkjeden AS"] * 2,
            "orgnr": [None, None],
            "category_id": [None, None],
            "category": [None, None],
            "window": ["12m", "48m"],
            "window_start": [dt.date(2025, 1, 1), dt.date(2022, 1, 1)],
            "window_end": [dt.date(2025, 12, 1)] * 2,
            "amount": [1_500_000.0, 2_500_000.0],
            "level": ["national", "eea"],
            "threshold_nok": [1_300_000.0, 2_300_000.0],
        }
    )


def test_agreement_tables_follow_the_language(data: dict) -> None:
    exp = coverage.expiring(
        data["agreements"], data["cube"], data["participants"], dt.date(2025, 1, 1), 24
    )
    assert exp.height
    nb = ac.flags_table(_flags())
    assert nb.columns[:4] == ["Vurdering", "Grunnlag", "Leverandør", "Kategori"]
    assert nb["Grunnlag"].to_list() == ["Verdal", "Alle kommuner i utvalget samlet"]
    assert nb["Vindu"].to_list()[0] == "12 mnd: jan 2025–des 2025"
    with using("en"):
        flags = ac.flags_table(_flags())
        labels = ac.flag_labels(_flags())
        expiring = ac.expiring_table(exp)
        outside = ac.outside_supplier_table(coverage.outside_by_supplier(data["cube"], F))
    assert flags.columns == [
        "Assessment",
        "Basis",
        "Supplier",
        "Category",
        "Window",
        "Spend without agreement",
        "Threshold",
    ]
    assert flags.row(1) == (
        "Needs review",
        "All municipalities in the selection together",
        "Kontorkjeden AS",
        "All",
        "48 months: Jan 2022–Dec 2025",
        "NOK\xa02,500,000",
        "Above the EEA threshold (NOK\xa02,300,000)",
    )
    assert labels[0] == (
        "Kontorkjeden AS · Verdal · All · 12 months: Jan 2025–Dec 2025 · NOK\xa01,500,000"
    )
    assert expiring.columns[:5] == [
        "Agreement",
        "Agreement no.",
        "Expires",
        "Days left",
        "Within 6 months",
    ]
    assert set(expiring["Option left"].to_list()) <= {"No"} | {
        v for v in expiring["Option left"].to_list() if v.startswith("Yes, to ")
    }
    assert outside.columns[0] == "Supplier" and "Invoice lines" in outside.columns


def test_savings_tables_follow_the_language(data: dict) -> None:
    per_agreement = savings.agreement_savings(data["cube"], F, data["agreements"])
    by_muni = savings.realized_by_municipality(data["cube"], F, data["agreements"])
    with using("en"):
        agreements = sc.agreement_table(per_agreement)
        municipalities = sc.municipality_table(by_muni)
    assert agreements.columns == [
        "Agreement",
        "Agreement no.",
        "Type",
        "Valid",
        "Savings rate",
        "Active days in the period",
        "Projected",
        "Agreement purchases",
        "Realized",
        "Loyalty",
        "Projected × loyalty",
        "Status",
    ]
    assert set(agreements["Type"].to_list()) <= {"Hard savings", "Cost avoidance"}
    assert all(v.startswith("NOK") for v in agreements["Realized"].to_list())
    assert municipalities.columns[0] == "Municipality"
    assert "Realized in total" in municipalities.columns


def test_month_names_and_period_labels_follow_the_language(data: dict) -> None:
    monthly = savings.realized_by_month(data["cube"], Filters.year(2024), data["agreements"])
    nb = _json(sc.cumulative_by_month(monthly, 7_500_000, None, title="T"))
    with using("en"):
        en = _json(sc.cumulative_by_month(monthly, 7_500_000, None, title="T"))
    assert nb["layout"]["xaxis"]["categoryarray"][4] == "mai"
    assert en["layout"]["xaxis"]["categoryarray"] == [
        *("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    ]
    assert {x for t in en["data"] for x in t["x"]} <= set(en["layout"]["xaxis"]["categoryarray"])
    # Period labels are English values in the data, shown as the reader writes them.
    built = {}
    for lang in ("nb", "en"):
        with using(lang):
            built[lang] = registry.build(
                "kvartal", registry.ChartData(data["cube"], data["agreements"], 7.5e6), F
            )
    assert "2025 Q1" in built["nb"].frame["label"].to_list()
    x_nb = {x for t in _json(built["nb"].figure)["data"] for x in t["x"]}
    x_en = {x for t in _json(built["en"].figure)["data"] for x in t["x"]}
    assert "2025 K1" in x_nb and "2025 Q1" not in x_nb
    assert "2025 Q1" in x_en and "2025 K1" not in x_en
    assert "2025 K1" in built["nb"].table["Kvartal"].to_list()
    with using("en"):
        assert "2025 Q1" in built["en"].table["Quarter"].to_list()
        assert fmt.first_of_month(dt.date(2027, 3, 1)) == "1 March 2027"
        assert (
            state.period_label("2025-K3", Filters(dt.date(2025, 7, 1), dt.date(2025, 9, 1)))
            == "2025 Q3"
        )
        assert state.period_label("2026", Filters(dt.date(2026, 1, 1), dt.date(2026, 5, 1))) == (
            "2026 (Jan–May)"
        )
    assert (
        state.period_label("2025-K3", Filters(dt.date(2025, 7, 1), dt.date(2025, 9, 1)))
        == "2025 K3"
    )
