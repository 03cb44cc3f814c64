"""Figures of "Regionalt næringsliv": shares per regional level, flows, SME share, sub-units."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts.theme import LEVEL_COLOURS, NEUTRAL, PRIMARY, municipality_colour, template
from data_access.cube import LEVELS
from data_access.metrics.regional import LEVEL_LABELS

SEQUENTIAL = [[0.0, "#F1F8E9"], [0.4, "#A5D6A7"], [0.75, "#43A047"], [1.0, "#1B5E20"]]


def _pct(v: float | None) -> str:
    return "" if v is None else f"{v * 100:.0f} %"


def levels_stacked(
    df: pl.DataFrame, *, label: str, title: str, presentation: bool = False
) -> go.Figure:
    """100 % stacked horizontal bars: the five levels for each row of ``df`` (a ``levels``
    frame), closest to home on the left, with labels inside segments of 6 % or more."""
    d = df.filter(pl.col("total") > 0)
    ys = d[label].to_list()
    fig = go.Figure()
    for lvl in LEVELS:
        shares = d[f"{lvl}_share"].to_list()
        fig.add_trace(
            go.Bar(
                x=[(s or 0) * 100 for s in shares],
                y=ys,
                orientation="h",
                name=LEVEL_LABELS[lvl],
                marker_color=LEVEL_COLOURS[lvl],
                text=[_pct(s) if (s or 0) >= 0.06 else "" for s in shares],
                textposition="inside",
                insidetextanchor="middle",
                customdata=(d[lvl] / 1e6).to_list(),
                hovertemplate="%{y} – "
                + LEVEL_LABELS[lvl]
                + ": %{x:.1f} % (%{customdata:,.1f} mill. kr)<extra></extra>",
            )
        )
    fig.update_layout(
        template=template(presentation),
        title=title,
        barmode="stack",
        xaxis={"title": "Andel av kjøpene (%)", "range": [0, 100], "ticksuffix": " %"},
        yaxis={"autorange": "reversed", "title": None},
        legend={"traceorder": "normal", "y": 1.02},
        height=150 + 34 * max(len(ys), 1),
        margin={"t": 100},
    )
    return fig


def levels_over_time(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Stacked 100 % columns per quarter (or year); quarters outside the period faded."""
    d = df.filter(pl.col("total") > 0)
    opacity = [1.0 if p else 0.35 for p in d["in_period"].to_list()]
    fig = go.Figure()
    for lvl in LEVELS:
        fig.add_trace(
            go.Bar(
                x=d["label"].to_list(),
                y=(d[f"{lvl}_share"].fill_null(0) * 100).to_list(),
                name=LEVEL_LABELS[lvl],
                marker={"color": LEVEL_COLOURS[lvl], "opacity": opacity},
                hovertemplate="%{x} – " + LEVEL_LABELS[lvl] + ": %{y:.1f} %<extra></extra>",
            )
        )
    fig.update_layout(
        template=template(presentation),
        title=title,
        barmode="stack",
        yaxis={"title": "Andel av kjøpene (%)", "range": [0, 100], "ticksuffix": " %"},
        xaxis={"type": "category", "tickangle": -45, "title": None},
        height=430,
        margin={"t": 100},
    )
    return fig


def flow_matrix(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Heatmap buyer (rows) × supplier's home (columns): share of the buyer's spend, in %."""
    buyers = df.select("municipality_now", "municipality_name").unique().sort("municipality_now")
    homes = df.select("home_key", "home_label", "home_order").unique().sort("home_order")
    cell = {(r["municipality_now"], r["home_key"]): r for r in df.iter_rows(named=True)}
    z, custom = [], []
    for b in buyers["municipality_now"].to_list():
        row, crow = [], []
        for h in homes["home_key"].to_list():
            r = cell.get((b, h))
            row.append(None if r is None else r["share"] * 100)
            crow.append(0.0 if r is None else r["amount"] / 1e6)
        z.append(row)
        custom.append(crow)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=homes["home_label"].to_list(),
            y=buyers["municipality_name"].to_list(),
            customdata=custom,
            colorscale=SEQUENTIAL,
            texttemplate="%{z:.1f} %",
            hovertemplate="%{y} kjøper fra %{x}: %{z:.1f} % (%{customdata:,.1f} mill. kr)"
            "<extra></extra>",
            colorbar={"title": {"text": "% av kommunens kjøp"}, "thickness": 12},
            xgap=2,
            ygap=2,
            zmin=0,
        )
    )
    fig.update_layout(
        template=template(presentation),
        title=title,
        xaxis={"side": "top", "title": "Leverandørens hjemkommune"},
        yaxis={"autorange": "reversed", "title": "Kjøpende kommune"},
        height=160 + 48 * max(buyers.height, 1),
        margin={"t": 110},
    )
    return fig


def sme_by_municipality(
    df: pl.DataFrame, *, title: str, overall: float | None = None, presentation: bool = False
) -> go.Figure:
    """SME share per municipality in its colour, the overall share as a dashed line."""
    d = df.filter(pl.col("sme_share").is_not_null()).sort("municipality_now")
    fig = go.Figure(
        go.Bar(
            x=d["municipality_name"].to_list(),
            y=(d["sme_share"] * 100).to_list(),
            marker_color=[municipality_colour(c) for c in d["municipality_now"].to_list()],
            text=[_pct(v) for v in d["sme_share"].to_list()],
            textposition="outside",
            hovertemplate="%{x}: %{y:.1f} % hos SMB<extra></extra>",
            name="",
        )
    )
    if overall is not None:
        fig.add_hline(
            y=overall * 100,
            line={"color": PRIMARY, "dash": "dash", "width": 1},
            annotation_text=f"Samlet {_pct(overall)}",
            annotation_position="top left",
        )
    fig.update_layout(
        template=template(presentation),
        title=title,
        showlegend=False,
        yaxis={"title": "Andel av kjøpene (%)", "range": [0, 100], "ticksuffix": " %"},
        height=380,
    )
    return fig


def location_comparison(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Spend per level by head-office location beside nearest sub-unit location."""
    fig = go.Figure(
        [
            go.Bar(
                x=df["label"].to_list(),
                y=(df["head_office"] / 1e6).to_list(),
                name="Etter hovedkontor",
                marker_color=NEUTRAL,
                hovertemplate="%{x}: %{y:,.1f} mill. kr (hovedkontor)<extra></extra>",
            ),
            go.Bar(
                x=df["label"].to_list(),
                y=(df["subunit"] / 1e6).to_list(),
                name="Etter nærmeste avdeling (underenhet)",
                marker_color=[LEVEL_COLOURS[lvl] for lvl in df["level"].to_list()],
                hovertemplate="%{x}: %{y:,.1f} mill. kr (avdeling)<extra></extra>",
            ),
        ]
    )
    fig.update_layout(
        template=template(presentation),
        title=title,
        barmode="group",
        yaxis_title="mill. kr",
        xaxis_title=None,
        height=380,
    )
    return fig
