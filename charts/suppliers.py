"""Figures of "Leverandører": top suppliers, Pareto curve, ABC classes, HHI per category."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts import fmt
from charts.a11y import responsive, set_key_number
from charts.common import hbar
from charts.lang import tr
from charts.spans import hline, vline
from charts.theme import GRID, INK, NEUTRAL, POSITIVE, PRIMARY, WARNING, themed
from data_access.store.escape import plotly_safe

ABC_COLOURS = {"A": PRIMARY, "B": "#56B4E9", "C": NEUTRAL}
BAND_COLOURS = {"low": POSITIVE, "moderate": "#E69F00", "high": WARNING}
# What a reader sees for a band (bokmål; the page translates it for the English view, and
# ``band_label`` gives it in the current language).
BAND_LABELS = {"low": "lav", "moderate": "moderat", "high": "høy"}
BAND_LABELS_EN = {"low": "low", "moderate": "moderate", "high": "high"}


def band_label(band: str) -> str:
    return (BAND_LABELS_EN if tr("nb", "en") == "en" else BAND_LABELS).get(band, band)


def _pct(v: float | None) -> str:
    return fmt.pct(v)


@responsive
@plotly_safe
def top_suppliers(
    df: pl.DataFrame, *, title: str, n: int = 15, presentation: bool = False
) -> go.Figure:
    """The ``n`` largest suppliers as horizontal bars, coloured by ABC class, share as label."""
    d = df.head(n).sort("amount")
    return hbar(
        d["supplier_name"].to_list(),
        d["amount"].to_list(),
        title=title,
        colours=[ABC_COLOURS.get(c, NEUTRAL) for c in d["abc"].to_list()],
        # The class in words too: colour is never the only carrier of meaning (WCAG 1.4.1).
        texts=[
            f"{_pct(s)} · {c}"
            for s, c in zip(d["share"].to_list(), d["abc"].to_list(), strict=True)
        ],
        customdata=list(zip(d["categories"].to_list(), d["abc"].to_list(), strict=True)),
        hover=tr(
            "%{y}: %{x:,.2f} mill. kr, klasse %{customdata[1]}<br>%{customdata[0]}",
            "%{y}: NOK %{x:,.2f} million, class %{customdata[1]}<br>%{customdata[0]}",
        )
        + "<extra></extra>",
        row_height=30,
        presentation=presentation,
    )


PARETO_MARKERS = 60


@responsive
@plotly_safe
def pareto(
    df: pl.DataFrame, *, a: float, b: float, title: str, presentation: bool = False
) -> go.Figure:
    """Cumulative share of spend against the number of suppliers (largest first), coloured by
    ABC class, with the A cut-off (80 % by default) drawn as a line.

    Markers only up to ``PARETO_MARKERS`` suppliers: every marker is an SVG element the browser
    styles one by one, and at 1 278 suppliers (demo size 1.0) they were a third of Plotly's
    drawing time on a page switch while drawing a line thicker than the marker anyway. The
    hover still names each supplier along the line."""
    fig = go.Figure()
    mode = "lines+markers" if df.height <= PARETO_MARKERS else "lines"
    for cls in ("A", "B", "C"):
        g = df.filter(pl.col("abc") == cls)
        if g.height == 0:
            continue
        fig.add_trace(
            go.Scatter(
                x=g["rank"].to_list(),
                y=(g["cum_share"] * 100).to_list(),
                mode=mode,
                marker={"size": 4, "color": ABC_COLOURS[cls]},
                line={"color": ABC_COLOURS[cls], "width": 3},
                name=f"{tr('Klasse', 'Class')} {cls}",
                customdata=g["supplier_name"].to_list(),
                hovertemplate=tr(
                    "%{x}. %{customdata}: %{y:.1f} % samlet<extra></extra>",
                    "%{x}. %{customdata}: %{y:.1f}% cumulative<extra></extra>",
                ),
            )
        )
    n_a = df.filter(pl.col("abc") == "A").height
    share = fmt.pct(a, 0)
    hline(fig, a * 100, line={"color": INK, "dash": "dash", "width": 1})
    # The cut-off's label sits in the plot's bottom-right corner, on two short lines: the curve
    # never gets there (it leaves the bottom at the far left and runs above the line past the A
    # suppliers). Written under the line's right end it ran into the curve where they cross.
    fig.add_annotation(
        text=tr(
            f"Stiplet linje: {share} av kjøpene<br>hos {n_a} av {df.height} leverandører",
            f"Dashed line: {share} of spend<br>with {n_a} of {df.height} suppliers",
        ),
        xref="paper",
        yref="paper",
        x=1,
        y=0.03,
        xanchor="right",
        yanchor="bottom",
        showarrow=False,
        align="right",
    )
    hline(fig, b * 100, line={"color": GRID, "dash": "dot", "width": 1})
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        xaxis_title=tr(
            "Antall leverandører (største først)", "Number of suppliers (largest first)"
        ),
        yaxis={
            "title": tr("Andel av kjøpene, samlet (%)", "Share of spend, cumulative (%)"),
            "range": [0, 102],
            "ticksuffix": tr(" %", "%"),
        },
        height=420,
    )
    return set_key_number(
        fig,
        tr(
            f"{share} av kjøpene hos {n_a} av {df.height} leverandører",
            f"{share} of spend with {n_a} of {df.height} suppliers",
        ),
    )


@responsive
@plotly_safe
def abc_classes(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Per ABC class: share of suppliers beside share of spend (the tail is many, small)."""
    labels = [f"{tr('Klasse', 'Class')} {c}" for c in df["abc"].to_list()]
    fig = go.Figure(
        [
            go.Bar(
                x=labels,
                y=(df["supplier_share"] * 100).to_list(),
                name=tr("Andel av leverandørene", "Share of the suppliers"),
                marker_color=NEUTRAL,
                text=[_pct(v) for v in df["supplier_share"].to_list()],
                textposition="outside",
                customdata=df["n_suppliers"].to_list(),
                hovertemplate=tr(
                    "%{x}: %{customdata} leverandører (%{y:.1f} %)<extra></extra>",
                    "%{x}: %{customdata} suppliers (%{y:.1f}%)<extra></extra>",
                ),
            ),
            go.Bar(
                x=labels,
                y=(df["share"] * 100).to_list(),
                name=tr("Andel av kjøpene", "Share of spend"),
                marker_color=PRIMARY,
                text=[_pct(v) for v in df["share"].to_list()],
                textposition="outside",
                hovertemplate=tr(
                    "%{x}: %{y:.1f} % av kjøpene<extra></extra>",
                    "%{x}: %{y:.1f}% of spend<extra></extra>",
                ),
            ),
        ]
    )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        barmode="group",
        yaxis={"title": "%", "range": [0, 110], "ticksuffix": tr(" %", "%")},
        height=420,
    )
    return fig


@responsive
@plotly_safe
def hhi_by_category(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """HHI per category as horizontal bars coloured by band, with the band limits drawn and
    the equivalent number of suppliers as label."""
    d = df.filter(pl.col("hhi").is_not_null()).sort("hhi")
    eq = [f"≈ {fmt.number(v, 1)} {tr('lev.', 'supp.')}" for v in d["equivalent"].to_list()]
    fig = go.Figure(
        go.Bar(
            x=d["hhi"].to_list(),
            y=d["category"].to_list(),
            orientation="h",
            marker_color=[BAND_COLOURS.get(b, NEUTRAL) for b in d["band"].to_list()],
            text=eq,
            textposition="auto",
            customdata=list(
                zip(
                    [band_label(b) for b in d["band"].to_list()],
                    d["n_suppliers"].to_list(),
                    [_pct(v) for v in d["cr1"].to_list()],
                    strict=True,
                )
            ),
            hovertemplate=tr(
                "%{y}: HHI %{x:,.0f} (%{customdata[0]}), %{customdata[1]} leverandører,"
                " største %{customdata[2]}",
                "%{y}: HHI %{x:,.0f} (%{customdata[0]}), %{customdata[1]} suppliers,"
                " largest %{customdata[2]}",
            )
            + "<extra></extra>",
            name="",
        )
    )
    for x in (1500, 2500):  # the band limits, labelled on the axis itself
        # Under the bars: drawn over them, the dotted lines ran through the "≈ 10,7 lev." labels.
        vline(fig, x, line={"color": INK, "dash": "dot", "width": 1}, layer="below")
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        showlegend=False,
        xaxis={
            "title": tr("HHI (0–10 000)", "HHI (0–10,000)"),
            "range": [0, 10_400],
            "tickformat": ",.0f",
            "tickvals": [0, 1500, 2500, 5000, 10_000],
        },
        height=130 + 28 * max(d.height, 1),
    )
    return fig
