"""Charts that fit a phone and name themselves to a screen reader (charts.a11y), tested as data."""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go
import polars as pl
import pytest

from charts import a11y, spans
from charts import overview as oc
from charts import suppliers as suc
from charts.theme import contrast, municipality_colour, text_on


def _by_municipality() -> go.Figure:
    df = pl.DataFrame(
        {
            "municipality_now": ["5006", "5037", "5038"],
            "municipality_name": ["Steinkjer", "Levanger", "Verdal"],
            "amount": [508_300_000.0, 425_700_000.0, 316_100_000.0],
        }
    )
    return oc.spend_by_municipality(df, title="Innkjøp per kommune")


def test_accessible_name_is_the_title_and_the_largest_bar() -> None:
    name = a11y.accessible_name(_by_municipality())
    assert name == "Innkjøp per kommune – høyest: Steinkjer, 508,3 mill. kr"


def test_a_chart_can_name_its_own_key_number_and_dicts_work_too() -> None:
    fig = a11y.set_key_number(_by_municipality(), "totalt 1 250,1 mill. kr")
    assert a11y.accessible_name(fig) == "Innkjøp per kommune – totalt 1 250,1 mill. kr"
    as_dict = json.loads(fig.to_json())
    assert a11y.accessible_name(as_dict) == "Innkjøp per kommune – totalt 1 250,1 mill. kr"


def test_stacked_bars_name_the_largest_total_and_heatmaps_the_largest_cell() -> None:
    fig = go.Figure(
        [
            go.Bar(x=["2024 K1", "2024 K2"], y=[1.0, 5.0], name="A"),
            go.Bar(x=["2024 K1", "2024 K2"], y=[9.0, 1.0], name="B"),
        ]
    ).update_layout(title="Per kvartal", yaxis_title="mill. kr")
    assert a11y.accessible_name(fig) == "Per kvartal – høyest: 2024 K1, 10,0 mill. kr"
    heat = go.Figure(go.Heatmap(x=["Verdal"], y=["Bygg", "Kontor"], z=[[0.2], [0.7]]))
    heat.update_layout(title="Dekning")
    assert a11y.accessible_name(heat) == "Dekning – høyest: Kontor – Verdal, 0,7"


def test_long_titles_wrap_and_keep_their_words() -> None:
    title = "Paretokurven: hvor få leverandører står for det meste"
    fig = a11y.fit(go.Figure().update_layout(title=title))
    text = fig.layout.title.text
    assert "<br>" in text
    assert all(len(line) <= a11y.TITLE_CHARS for line in text.split("<br>"))
    assert a11y.plain(text) == title
    assert a11y.accessible_name(fig) == title


def test_long_category_labels_wrap_on_the_axis_while_data_and_hover_keep_the_full_name() -> None:
    df = pl.DataFrame(
        {
            "category": ["Mat og drikke", "Forbruksmateriell og tjenester"],
            "category_l1": ["Mat", "Forbruksvarer"],
            "amount": [1e6, 2e6],
            "share": [0.3, 0.7],
        }
    )
    fig = oc.top_categories(df, title="Største kategorier")
    assert list(fig.data[0].y) == ["Mat og drikke", "Forbruksmateriell og tjenester"]
    assert list(fig.layout.yaxis.ticktext) == ["Mat og drikke", "Forbruksmateriell og<br>tjenester"]
    assert list(fig.layout.yaxis.tickvals) == list(fig.data[0].y)
    assert "%{y}" in fig.data[0].hovertemplate  # the hover shows the full category name


def test_value_labels_are_not_clipped_and_the_right_margin_fits_the_longest() -> None:
    fig = _by_municipality()
    bar = fig.data[0]
    assert bar.cliponaxis is False
    assert fig.layout.margin.r >= a11y.CHAR_PX * len("508,3")


def test_the_legend_sits_below_the_chart_not_over_the_title() -> None:
    df = pl.DataFrame(
        {
            "abc": ["A", "B", "C"],
            "supplier_share": [0.1, 0.3, 0.6],
            "share": [0.8, 0.15, 0.05],
            "n_suppliers": [10, 30, 60],
        }
    )
    fig = suc.abc_classes(df, title="ABC-klasser")

    def placed(f: go.Figure) -> tuple[object, ...]:  # the figure's own value, else the theme's
        own, theme = f.layout.legend, f.layout.template.layout.legend
        return tuple(own[k] if own[k] is not None else theme[k] for k in ("yref", "y", "yanchor"))

    assert placed(fig) == ("container", 0, "bottom")
    title = fig.layout.template.layout.title  # the theme puts every title above the plot
    assert (title.yref, title.yanchor, title.automargin) == ("paper", "bottom", True)
    # A chart that places its own legend over the plot is put back below it.
    own = go.Figure(go.Bar(x=["a"], y=[1], name="x"), layout={"template": "innsikt"})
    own.update_layout(legend={"orientation": "h", "yanchor": "top", "y": 1.1, "x": 0})
    assert placed(a11y.fit(own)) == ("container", 0, "bottom")


def test_labels_inside_bars_read_at_4_5_to_1_on_every_member_colour() -> None:
    fig = _by_municipality()
    colours = list(fig.data[0].marker.color)
    inks = list(fig.data[0].insidetextfont.color)
    assert colours == [municipality_colour(c) for c in ("5038", "5037", "5006")]
    for bg, ink in zip(colours, inks, strict=True):
        assert contrast(ink, bg) >= 4.5, (bg, ink)
    # Plotly's own rule (white on anything "dark") fails on the green member; ours does not.
    assert contrast("#ffffff", "#009E73") < 4.5 and contrast(text_on("#009E73"), "#009E73") > 6


def test_the_ui_helper_puts_the_accessible_name_on_the_chart() -> None:
    from streamlit.testing.v1 import AppTest

    def script() -> None:
        import plotly.graph_objects as go

        from ui.style import plotly_chart

        fig = go.Figure(go.Bar(x=[1.0, 3.0], y=["A", "B"], orientation="h"))
        plotly_chart(fig.update_layout(title="T", xaxis_title="mill. kr"), key="k")

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert at.get("plotly_chart")[0].proto.alt == "T – høyest: B, 3,0 mill. kr"


def test_a_wrapped_title_adds_height_instead_of_squeezing_a_small_chart() -> None:
    fig = go.Figure(go.Bar(x=[1.0], y=["Leverandør AS"], orientation="h"))
    fig.update_layout(title="Største leverandører i Uklassifisert", height=120)
    a11y.fit(fig)
    assert fig.layout.title.text.count("<br>") == 1
    assert fig.layout.height == a11y.MIN_HEIGHT  # 120 + one title line, then the minimum
    tall = go.Figure().update_layout(title="Største leverandører i Uklassifisert", height=400)
    assert a11y.fit(tall).layout.height == 400 + a11y.LINE_PX


def test_rows_grow_when_their_labels_wrap_to_two_lines() -> None:
    names = [f"Leverandør nummer {i} med langt navn AS" for i in range(15)]
    fig = go.Figure(go.Bar(x=list(range(15)), y=names, orientation="h"))
    a11y.fit(fig.update_layout(height=110 + 30 * 15))
    assert fig.layout.height == a11y.ROW_BASE_PX + a11y.TWO_LINE_ROW_PX * 15


def test_presentation_rows_grow_with_their_larger_type() -> None:
    """A presentation slide's top suppliers: two-line names at 22 px in rows sized for 14 px
    overlapped the next bar (seen on the national database's slide 4)."""
    from charts import suppliers as sup
    from charts.theme import FONT_PX, PRESENTATION_FONT_PX

    frame = pl.DataFrame(
        {
            "supplier_name": [f"Leverandør {1000000 + i} AS" for i in range(15)],
            "amount": [1e6 * (15 - i) for i in range(15)],
            "share": [0.05] * 15,
            "abc": ["A"] * 15,
            "categories": ["Renhold"] * 15,
        }
    )
    row = round(a11y.TWO_LINE_ROW_PX * PRESENTATION_FONT_PX / FONT_PX)
    big = sup.top_suppliers(frame, title="T", presentation=True)
    assert big.layout.height >= a11y.ROW_BASE_PX + row * 15
    assert "<br>" in big.layout.yaxis.ticktext[0]
    normal = sup.top_suppliers(frame, title="T")
    assert normal.layout.height == a11y.ROW_BASE_PX + a11y.TWO_LINE_ROW_PX * 15


def test_line_charts_name_their_own_key_number() -> None:
    from charts import savings as sav

    monthly = pl.DataFrame(
        {"year": [2025, 2025, 2026], "month_no": [1, 2, 1], "cum_realized": [1e6, 2.5e6, 0.7e6]}
    )
    fig = sav.cumulative_by_month(monthly, 7.5e6, None, title="Akkumulert gevinst")
    assert a11y.accessible_name(fig) == "Akkumulert gevinst – 2026: 0,7 mill. kr hittil i året"


def test_every_chart_gets_the_theme_whether_or_not_it_is_plotlys_default() -> None:
    """``themed`` leaves out the costly template assignment only where the figure already holds
    our theme; a process where ``import streamlit`` replaced Plotly's default still gets it."""
    import plotly.io as pio

    from charts import theme

    def template_json(fig: go.Figure) -> object:
        return json.loads(fig.to_json())["layout"]["template"]

    explicit = template_json(go.Figure(layout={"template": theme.TEMPLATE}))
    before = pio.templates.default
    try:
        pio.templates.default = "streamlit"  # as after ``import streamlit`` (after ours)
        assert theme.themed(go.Figure()) == {"template": theme.TEMPLATE}
        assert template_json(_by_municipality()) == explicit
        assert pio.templates.default == theme.TEMPLATE  # ours again: the next one is fast
        assert theme.themed(go.Figure()) == {}
        assert template_json(_by_municipality()) == explicit
    finally:
        pio.templates.default = before
    big = theme.themed(go.Figure(), presentation=True)
    assert big == {"template": f"{theme.TEMPLATE}+{theme.PRESENTATION}"}


@pytest.mark.parametrize(
    ("ours", "plotlys"),
    [
        (  # a target with its label at the left end (Gevinster, Muligheter)
            lambda f: spans.hline(
                f,
                3.5,
                line={"color": "#C00", "width": 3, "dash": "dash"},
                annotation={"text": "Mål 7,5", "font": {"size": 14}, "bgcolor": "white"},
                position="top left",
            ),
            lambda f: f.add_hline(
                y=3.5,
                line={"color": "#C00", "width": 3, "dash": "dash"},
                annotation={"text": "Mål 7,5", "font": {"size": 14}, "bgcolor": "white"},
                annotation_position="top left",
            ),
        ),
        (  # the overall share, labelled at the right end (Regionalt)
            lambda f: spans.hline(
                f, 40.0, line={"width": 1}, annotation={"text": "Samlet"}, position="top right"
            ),
            lambda f: f.add_hline(
                y=40.0, line={"width": 1}, annotation_text="Samlet", annotation_position="top right"
            ),
        ),
        (  # an unlabelled cut-off (Leverandører)
            lambda f: spans.hline(f, 80.0, line={"dash": "dot"}),
            lambda f: f.add_hline(y=80.0, line={"dash": "dot"}),
        ),
        (  # the HHI band limits, under the bars
            lambda f: spans.vline(f, 1500, line={"dash": "dot"}, layer="below"),
            lambda f: f.add_vline(x=1500, line={"dash": "dot"}, layer="below"),
        ),
        (  # the selected period (Oversikt, Regionalt)
            lambda f: spans.vrect(
                f,
                0.5,
                2.5,
                fillcolor="#EEE",
                opacity=0.5,
                layer="below",
                line={"width": 0},
                annotation={"text": "Valgt", "font": {"size": 12}},
            ),
            lambda f: f.add_vrect(
                x0=0.5,
                x1=2.5,
                fillcolor="#EEE",
                opacity=0.5,
                layer="below",
                line_width=0,
                annotation={"text": "Valgt", "font": {"size": 12}},
                annotation_position="top left",
            ),
        ),
    ],
)
def test_reference_lines_are_the_shapes_plotly_itself_adds(ours: Any, plotlys: Any) -> None:
    def layout(add: Any) -> dict[str, object]:
        fig = go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 2, 3]))
        add(fig)
        out = json.loads(fig.to_json())["layout"]
        return {k: out.get(k) for k in ("shapes", "annotations")}

    assert layout(ours) == layout(plotlys)
    assert layout(ours)["shapes"]
