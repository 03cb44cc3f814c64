"""The analysis figures tested as data: values, colours per municipality, Norwegian labels."""

from __future__ import annotations

import polars as pl
import pytest

from charts import regional as rc
from charts import savings as svc
from charts import spend as sc
from charts import suppliers as suc
from charts.a11y import plain
from charts.theme import LEVEL_COLOURS, municipality_colour
from data_access.metrics import concentration, regional, spend
from data_access.store.filters import Filters
from tests.analysis_frames import cube

ROWS = [
    ("2019-03", "5004", 1, 11, 44_000.0),
    ("2019-03", "5039", 2, 11, 22_000.0),
    ("2019-04", "5038", 3, 21, 10_000.0),
    ("2019-05", "5038", 4, 12, 5_000.0),
]


def test_heatmap_cells_are_the_matrix_in_millions_with_historical_columns() -> None:
    c = cube(ROWS)
    m = spend.matrix(c, Filters.year(2019), structure="historical")
    fig = sc.heatmap(m, title="T").to_plotly_json()
    trace = fig["data"][0]
    assert trace["x"] == ["Steinkjer<br>(5004)", "Verdal<br>(5038)", "Verran<br>(5039)"]
    cells = {
        (y, x): z
        for y, row in zip(trace["y"], trace["z"], strict=True)
        for x, z in zip(trace["x"], row, strict=True)
        if z is not None
    }
    assert cells[("Bygg  ·  Bygg og eiendom", "Verran<br>(5039)")] == pytest.approx(0.022)
    assert fig["layout"]["title"]["text"] == "T"
    # The names stand above the cells: the title is lifted over two lines of them, and no
    # colour scale takes the width a phone needs for the columns (each cell has its figure).
    assert fig["layout"]["xaxis"]["side"] == "top"
    assert fig["layout"]["title"]["pad"]["b"] >= 2 * 17 + 8
    # On a phone Plotly turns the names (≈ 30°): "Steinkjer" (9 characters of ≈ 8 px) then
    # reaches half its width higher, over its two lines; the title stays above that.
    assert fig["layout"]["title"]["pad"]["b"] >= 9 * 8 * 0.5 + 2 * 17
    assert trace["showscale"] is False and trace["texttemplate"] == "%{z:,.1f}"


def test_a_heatmap_of_many_municipalities_carries_its_values_in_colour_and_hover() -> None:
    """A national scope (here 40 municipalities): cells too narrow for figures show none;
    the colour scale appears with the unit, the hover keeps the figure, and the title is
    lifted over upright names."""
    m = pl.DataFrame(
        {
            "muni_key": [f"{9000 + i}" for i in range(40)],
            "muni_label": [f"Kommune {9000 + i}" for i in range(40)],
            "category_l1": ["Tjenester"] * 40,
            "category": ["Konsulenttjenester"] * 40,
            "sort": [2001] * 40,
            "amount": [1e6 * (i + 1) for i in range(40)],
        }
    )
    fig = sc.heatmap(m, title="T").to_plotly_json()
    trace = fig["data"][0]
    assert len(trace["x"]) == 40 and trace["z"][0][39] == pytest.approx(40.0)
    assert trace.get("texttemplate") is None
    assert trace["showscale"] is True
    assert trace["colorbar"]["title"]["text"] == "mill. kr"
    assert "%{z:,.1f}" in trace["hovertemplate"]
    assert fig["layout"]["title"]["pad"]["b"] >= len("Kommune 9000") * 8


def test_a_heatmap_of_a_national_scope_draws_the_forty_largest_municipalities() -> None:
    """357 columns were stripes named at every ninth: beyond forty the municipalities with
    the most (per inhabitant: the highest) are drawn, largest first, each cell its own value,
    and the title says so."""
    n = 60
    m = pl.DataFrame(
        {
            "muni_key": [f"{9000 + i}" for i in range(n)] * 2,
            "muni_label": [f"Kommune {9000 + i}" for i in range(n)] * 2,
            "category_l1": ["Tjenester"] * 2 * n,
            "category": ["Konsulenttjenester"] * n + ["Renhold"] * n,
            "sort": [2001] * n + [2002] * n,
            # Kommune 9000 buys most in kroner; Kommune 9059 most per inhabitant.
            "amount": [1e6 * (n - i) for i in range(n)] * 2,
            "per_inhabitant": [100.0 * (i + 1) for i in range(n)] * 2,
        }
    )
    fig = sc.heatmap(m, title="T").to_plotly_json()
    trace = fig["data"][0]
    assert trace["x"] == [f"Kommune {9000 + i}" for i in range(40)]
    assert trace["z"][0][39] == pytest.approx((n - 39) * 1.0)  # mill. kr
    assert plain(fig["layout"]["title"]["text"]) == "T – de 40 største av 60"
    per = sc.heatmap(m, title="T", per_inhabitant=True).to_plotly_json()
    assert per["data"][0]["x"] == [f"Kommune {9000 + i}" for i in range(n - 1, n - 41, -1)]
    assert per["data"][0]["z"][1][0] == pytest.approx(100.0 * n)
    assert plain(per["layout"]["title"]["text"]) == "T – de 40 høyeste av 60"


def test_a_presentation_heatmap_grows_its_rows_and_lift_with_its_font() -> None:
    """Presentation mode draws text at 22 px instead of 14: two-line row names need taller
    rows and upright municipality names a higher lift, by the same factor."""
    m = pl.DataFrame(
        {
            "muni_key": [f"{9000 + i}" for i in range(40)] * 8,
            "muni_label": [f"Kommune {9000 + i}" for i in range(40)] * 8,
            "category_l1": ["Forbruksvarer"] * 320,
            "category": [f"Helse og velferd – forbruksmateriell {k}" for k in range(8)
                         for _ in range(40)],
            "sort": [1001 + k for k in range(8) for _ in range(40)],
            "amount": [1e6] * 320,
        }
    )  # fmt: skip
    normal = sc.heatmap(m, title="T").to_plotly_json()["layout"]
    big = sc.heatmap(m, title="T", presentation=True).to_plotly_json()["layout"]
    assert big["height"] - 120 >= round((normal["height"] - 120) * 22 / 14) - 1
    assert big["title"]["pad"]["b"] >= normal["title"]["pad"]["b"] * 22 / 14 - 1


def test_trend_of_many_municipalities_draws_the_largest_in_colours_of_their_own() -> None:
    """A national scope: the ten largest municipalities as lines, told apart by colour, and
    the title says which; six members or fewer stay all drawn, in their own colours."""
    import datetime as dt

    n = 40
    df = pl.DataFrame(
        {
            "bucket": [dt.date(2025, 1, 1)] * n,
            "label": ["2025 K1"] * n,
            "muni_key": [f"{9000 + i}" for i in range(n)],
            "muni_label": [f"Kommune {9000 + i}" for i in range(n)],
            "municipality_now": [f"{9000 + i}" for i in range(n)],
            "amount": [1e6 * (i + 1) for i in range(n)],
        }
    )
    fig = sc.trend_by_municipality(df, title="T").to_plotly_json()
    names = [t["name"] for t in fig["data"]]
    assert sorted(names) == sorted(f"Kommune {9000 + i}" for i in range(30, 40))
    styles = {(t["line"]["color"], t["line"]["dash"]) for t in fig["data"]}
    assert len(styles) == 10  # the palette's eight, then dashed
    assert fig["layout"]["title"]["text"] == "T – de 10 største av 40"
    few = sc.trend_by_municipality(df.head(6), title="T").to_plotly_json()
    assert len(few["data"]) == 6 and few["layout"]["title"]["text"] == "T"


def test_trend_of_many_with_members_among_the_largest_gives_no_two_lines_one_style() -> None:
    """Members keep their own colours — which are the palette's — so by rank alone a line
    without one came out in Levanger's orange beside Levanger's own: every drawn line now
    has a (colour, dash) of its own, the members theirs."""
    import datetime as dt

    from charts.theme import municipality_colour

    codes = ["5037", "5038", *(f"{9000 + i}" for i in range(38))]  # members the largest two
    df = pl.DataFrame(
        {
            "bucket": [dt.date(2025, 1, 1)] * len(codes),
            "label": ["2025 K1"] * len(codes),
            "muni_key": codes,
            "muni_label": [f"Kommune {c}" for c in codes],
            "municipality_now": codes,
            "amount": [1e9 if c.startswith("50") else 1e6 * (i + 1) for i, c in enumerate(codes)],
        }
    )
    fig = sc.trend_by_municipality(df, title="T").to_plotly_json()
    style = {t["name"]: (t["line"]["color"], t["line"]["dash"]) for t in fig["data"]}
    assert len(style) == 10 and len(set(style.values())) == 10
    assert style["Kommune 5037"] == (municipality_colour("5037"), "solid")
    assert style["Kommune 5038"] == (municipality_colour("5038"), "solid")


def test_a_members_colour_written_in_small_letters_is_still_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``region.toml`` may write a member's colour as #e69f00: compared as written, the
    palette's #E69F00 counted as free and the next line by rank took the member's colour."""
    own = {"5037": "#e69f00"}
    monkeypatch.setattr(sc, "_colour", lambda key, now: own.get(key, sc.NEUTRAL))
    order = ["5037", *(f"{9000 + i}" for i in range(9))]
    styles = sc.line_styles({k: k for k in order}, order, many=True)
    assert styles["5037"] == ("#e69f00", "solid")
    others = [styles[k] for k in order[1:]]
    assert ("#E69F00", "solid") not in others and len(set(others)) == 9


def test_largest_rows_draws_no_row_without_a_key_and_keeps_the_keys_type() -> None:
    """A cube row whose code has no municipality (no ``municipality_now``) was ranked as the
    text "None" and took one of the drawn places as an unnamed, empty column."""
    df = pl.DataFrame(
        {"k": ["a", "b", None, "c", "b"], "v": [1.0, 3.0, 100.0, 2.0, 1.0]},
        schema={"k": pl.Categorical, "v": pl.Float64},
    )
    rows, keep = sc.largest_rows(df, "k", "v", 2)
    assert keep.schema["k"] == pl.Categorical
    assert keep["k"].to_list() == ["b", "c"]  # b: 4, c: 2, a: 1; the keyless 100 never
    assert rows["k"].to_list() == ["b", "c", "b"]  # in the frame's own order
    tie = pl.DataFrame({"k": ["y", "x", "z"], "v": [1.0, 1.0, 0.5]})
    assert sc.largest_rows(tie, "k", "v", 2)[1]["k"].to_list() == ["x", "y"]  # ties by key


def test_per_inhabitant_of_many_municipalities_draws_the_highest() -> None:
    """A national scope with population figures: 357 bars were 16 000 px tall and 357 lines a
    band — beyond twenty bars (one year) or ten lines (several) the highest are drawn and the
    title says so; the table keeps every municipality."""
    n = 40

    def frame(years: list[int]) -> pl.DataFrame:
        return pl.DataFrame(
            [
                {
                    "muni_key": f"{9000 + i}",
                    "muni_label": f"Kommune {9000 + i}",
                    "municipality_now": f"{9000 + i}",
                    "year": y,
                    "amount": 1e6 * (i + 1),
                    "population": 1000,
                    "per_inhabitant": 1000.0 * (i + 1) + y,
                }
                for y in years
                for i in range(n)
            ]
        )

    bars = sc.per_inhabitant(frame([2025]), title="T").to_plotly_json()
    (bar,) = bars["data"]
    assert bar["y"] == [f"Kommune {9000 + i}" for i in range(20, 40)]  # highest on top
    assert plain(bars["layout"]["title"]["text"]) == "T – de 20 høyeste av 40"
    assert bars["layout"]["height"] < 1_200
    lines = sc.per_inhabitant(frame([2024, 2025]), title="T").to_plotly_json()
    assert sorted(t["name"] for t in lines["data"]) == sorted(
        f"Kommune {9000 + i}" for i in range(30, 40)
    )
    assert len({(t["line"]["color"], t["line"]["dash"]) for t in lines["data"]}) == 10
    assert plain(lines["layout"]["title"]["text"]) == "T – de 10 høyeste av 40"
    few = sc.per_inhabitant(frame([2025]).head(6), title="T").to_plotly_json()
    assert len(few["data"][0]["y"]) == 6 and plain(few["layout"]["title"]["text"]) == "T"


def test_per_inhabitant_without_population_says_so_instead_of_empty_axes() -> None:
    df = pl.DataFrame(
        {
            "muni_key": ["9001"],
            "muni_label": ["Kommune 9001"],
            "municipality_now": ["9001"],
            "year": [2025],
            "amount": [1e6],
            "population": [None],
            "per_inhabitant": [None],
        },
        schema_overrides={"population": pl.Int64, "per_inhabitant": pl.Float64},
    )
    fig = sc.per_inhabitant(df, title="T").to_plotly_json()
    assert fig["data"] == []
    assert (
        fig["layout"]["annotations"][0]["text"] == "Mangler innbyggertall for kommunene i utvalget"
    )


def test_heatmap_rows_are_named_by_category_and_told_apart_where_names_repeat() -> None:
    """The axis shows the category (wrapped at word breaks, never split around the "·" of
    the full name); the main category is added only where two share a name; each row keeps
    its full, unique name as its value (and in the hover)."""
    m = pl.DataFrame(
        {
            "muni_key": ["5038"] * 3,
            "muni_label": ["Verdal"] * 3,
            "category_l1": ["Forbruksvarer", "Tjenester", "Forbruksvarer"],
            "category": ["Forbruksmateriell og tjenester", "Annet", "Annet"],
            "sort": [1001, 2001, 1002],
            "amount": [1e6, 2e6, 3e6],
        }
    )
    fig = sc.heatmap(m, title="T").to_plotly_json()
    axis = fig["layout"]["yaxis"]
    assert axis["tickvals"] == [
        "Annet  ·  Tjenester",
        "Annet  ·  Forbruksvarer",
        "Forbruksmateriell og tjenester  ·  Forbruksvarer",
    ]
    assert axis["ticktext"] == [
        "Annet (Tjenester)",
        "Annet<br>(Forbruksvarer)",
        "Forbruksmateriell og<br>tjenester",
    ]
    assert fig["data"][0]["y"] == axis["tickvals"]
    assert fig["layout"]["height"] >= 120 + 36 * 3  # rows tall enough for two lines


def test_per_inhabitant_bars_use_each_municipalitys_colour() -> None:
    c = cube(ROWS)
    pop = pl.DataFrame(
        {
            "muni_key": ["5004", "5039", "5038"],
            "year": [2019] * 3,
            "population": [22_000, 2_000, 10_000],
        }
    ).with_columns(pl.col("year").cast(pl.Int32), pl.col("population").cast(pl.Int64))
    d = spend.per_inhabitant_by_year(c, Filters.year(2019), pop, structure="historical")
    fig = sc.per_inhabitant(d, title="T").to_plotly_json()
    bars = dict(zip(fig["data"][0]["y"], fig["data"][0]["marker"]["color"], strict=True))
    assert bars["Verran (5039)"] == municipality_colour("5039")
    assert bars["Steinkjer (5004)"] == municipality_colour("5006")  # successor's colour
    assert fig["layout"]["xaxis"]["title"]["text"] == "kr per innbygger"


def test_levels_chart_has_five_level_traces_in_fixed_colours_summing_to_100() -> None:
    c = cube(ROWS)
    lv = regional.levels(c, Filters.year(2019), by="municipality")
    fig = rc.levels_stacked(lv, label="municipality_name", title="T").to_plotly_json()
    assert [t["name"] for t in fig["data"]] == list(rc.LEVEL_LABELS.values())
    assert [t["marker"]["color"] for t in fig["data"]] == list(LEVEL_COLOURS.values())
    for i in range(len(fig["data"][0]["x"])):
        assert sum(t["x"][i] for t in fig["data"]) == pytest.approx(100.0)


def test_hhi_chart_labels_the_equivalent_number_in_norwegian() -> None:
    c = cube(
        [
            ("2024-01", "5038", 1, 11, 300.0),
            ("2024-01", "5038", 2, 11, 300.0),
            ("2024-01", "5038", 3, 11, 200.0),
            ("2024-01", "5038", 4, 11, 200.0),
        ]
    )
    fig = suc.hhi_by_category(concentration.by_category(c, Filters.year(2024)), title="T")
    data = fig.to_plotly_json()["data"][0]
    assert data["x"] == [pytest.approx(2600.0)]
    assert data["text"] == ["≈ 3,8 lev."]


@pytest.mark.parametrize(("n", "mode"), [(suc.PARETO_MARKERS - 5, "lines+markers"), (200, "lines")])
def test_pareto_draws_a_marker_per_supplier_only_while_there_are_few(n: int, mode: str) -> None:
    # Each marker is an SVG element in the browser: hundreds of them were a third of Plotly's
    # drawing time on Leverandører; above the limit the line alone carries the hover.
    c = cube([("2024-01", "5038", i, 11, 1_000.0 + i) for i in range(1, n + 1)])
    table = concentration.suppliers(c, Filters.year(2024))
    assert n - 5 < table.height <= n  # the test cube's few non-counted ids aside
    fig = suc.pareto(table, a=0.8, b=0.95, title="T").to_plotly_json()
    assert {tr["mode"] for tr in fig["data"]} == {mode}
    assert sum(len(tr["x"]) for tr in fig["data"]) == table.height  # all still on the curve
    assert all("customdata" in tr for tr in fig["data"])


def test_regional_level_charts_leave_the_top_margin_to_the_wrapped_title() -> None:
    # A fixed top margin (left from a legend once drawn above the plot) made Plotly place a
    # two-line title over the first row of bars; with the title's automargin it stays above.
    c = cube(ROWS)
    long = "Hvor kommunene handler: leverandørens hjemsted"
    stacked = rc.levels_stacked(
        regional.levels(c, Filters.year(2019), by="municipality"),
        label="municipality_name",
        title=long,
    )
    over_time = rc.levels_over_time(
        regional.levels(c, Filters.year(2019), by="quarter"), title=long
    )
    for fig in (stacked, over_time):
        assert "<br>" in fig.layout.title.text  # wrapped for a phone
        assert fig.layout.margin.t is None
        # under the chart, not above the plot: the theme's placement, not overridden
        assert fig.layout.legend.yref is None
        assert fig.layout.template.layout.legend.yref == "container"
        assert fig.layout.legend.traceorder == "normal"


def test_regional_charts_of_many_municipalities_draw_the_largest() -> None:
    """Regionalt for a national scope (summed by the database, every municipality at once):
    357 stacked bars were a chart 12 000 px tall, and the flow matrix a row per buyer with a
    column for every non-member buyer's own municipality. Beyond twenty buyers the largest
    are drawn, largest first, and the titles say so; non-members buying at home share one
    column, «Egen kommune»; six members or fewer are drawn as before."""
    n = 40
    long = pl.DataFrame(
        [
            {
                "municipality_now": f"{9000 + i}",
                "municipality_name": f"Kommune {9000 + i}",
                "regional_level": lvl,
                "home_municipality": f"{9000 + i}" if lvl == "same" else home,
                "size": size,
                "amount": 1e6 * (i + 1) * share,
            }
            for i in range(n)
            for lvl, home, size, share in (
                ("same", None, "sme", 0.3),
                ("member", "9000", "large", 0.2),
                ("norway", "0301", None, 0.5),
            )
        ]
    )
    largest = [f"Kommune {9000 + i}" for i in range(n - 1, n - 21, -1)]
    levels = regional.levels_of(long, "municipality")
    fig = rc.levels_stacked(levels, label="municipality_name", title="T").to_plotly_json()
    assert fig["data"][0]["y"] == largest
    assert plain(fig["layout"]["title"]["text"]) == "T – de 20 største av 40"
    sme = regional.sme_of(long, "municipality")
    fig = rc.sme_by_municipality(sme, title="S").to_plotly_json()
    assert fig["data"][0]["x"] == largest
    assert plain(fig["layout"]["title"]["text"]) == "S – de 20 største av 40"
    members = {"9000": "Kommune 9000"}
    flows = regional.flows_of(regional.with_home_key(long, list(members)), members)
    fig = rc.flow_matrix(flows, title="F").to_plotly_json()
    heat = fig["data"][0]
    assert heat["y"] == largest
    assert [plain(x) for x in heat["x"]] == [
        "Kommune 9000",
        "Egen kommune",
        "Resten av Norge",
    ]
    assert plain(fig["layout"]["title"]["text"]) == "F – de 20 største av 40"
    # A member buying at home stays in its own column (Innherred's six), as before.
    few = regional.flows_of(regional.with_home_key(long.head(3), list(members)), members)
    assert few["home_key"].to_list() == ["9000", "norway"]
    few_fig = rc.flow_matrix(few, title="F").to_plotly_json()
    assert few_fig["layout"]["title"]["text"] == "F"
    # A buyer that bought nothing from a home has an empty cell, not a lone "%".
    two = long.filter(pl.col("municipality_now").is_in(["9000", "9039"]))
    cells = rc.flow_matrix(
        regional.flows_of(regional.with_home_key(two, list(members)), members), title="F"
    ).to_plotly_json()["data"][0]
    text = dict(zip(cells["y"], cells["text"], strict=True))
    assert text["Kommune 9000"][1] == "" and text["Kommune 9039"][1] == "30,0\u00a0%"


def test_sme_chart_without_known_sizes_says_so() -> None:
    unknown = pl.DataFrame(
        {
            "municipality_now": ["9000", "9001"],
            "municipality_name": ["Kommune 9000", "Kommune 9001"],
            "size": [None, None],
            "amount": [1e6, 2e6],
        },
        schema_overrides={"size": pl.String},
    )
    fig = rc.sme_by_municipality(regional.sme_of(unknown, "municipality"), title="S")
    data = fig.to_plotly_json()
    assert data["data"] == [] and "ukjent" in data["layout"]["annotations"][0]["text"]


def test_savings_per_municipality_of_many_municipalities_draws_the_largest() -> None:
    """Gevinster for a national scope (summed by the database): 357 bars were a chart
    18 000 px tall. Beyond twenty municipalities the largest realized savings are drawn,
    largest on top, and the title says so; six members are drawn as before."""
    n = 40
    frame = pl.DataFrame(
        {
            "municipality_now": [f"{9000 + i}" for i in range(n)],
            "municipality_name": [f"Kommune {9000 + i}" for i in range(n)],
            "hard": [1e5 * (i + 1) for i in range(n)],
            "avoidance": [5e4 * (i + 1) for i in range(n)],
        }
    ).with_columns(realized=pl.col("hard") + pl.col("avoidance"))
    fig = svc.by_municipality(frame, title="G").to_plotly_json()
    largest_on_top = [f"Kommune {9000 + i}" for i in range(n - 20, n)]
    assert fig["data"][0]["y"] == largest_on_top
    assert plain(fig["layout"]["title"]["text"]) == "G – de 20 største av 40"
    assert fig["layout"]["height"] == 110 + 50 * 20
    six = svc.by_municipality(frame.head(6), title="G").to_plotly_json()
    assert len(six["data"][0]["y"]) == 6 and six["layout"]["title"]["text"] == "G"
