"""Figures of the Oversikt page: Polars frame in, Plotly figure out (no Streamlit here).

Built with ``go`` traces rather than ``px`` (3× cheaper per figure, STACK.md) and with explicit
templates, so the same figure exports correctly as PNG/SVG.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts import fmt
from charts.a11y import responsive
from charts.common import empty, hbar
from charts.lang import tr

__all__ = ["empty", "spend_by_municipality", "top_categories", "trend_by_quarter"]
from charts.spans import vrect
from charts.spend import BARS, TREND_LINES, of_many, ranked
from charts.theme import COLORWAY, GRID, INK, NEUTRAL, PRIMARY, municipality_colour, themed
from data_access.store.escape import plotly_safe


@responsive
@plotly_safe
def spend_by_municipality(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Horizontal bars, one fixed colour per municipality, largest on top — the
    :data:`charts.spend.BARS` largest when there are more (357 bars were 16 000 px tall)."""
    d = df.sort("amount")
    if d.height > BARS:
        title = of_many(title, BARS, d.height)
        d = d.tail(BARS)
    return hbar(
        d["municipality_name"].to_list(),
        d["amount"].to_list(),
        title=title,
        colours=[municipality_colour(c) for c in d["municipality_now"].to_list()],
        texts=[fmt.number(v / 1e6, 1) for v in d["amount"].to_list()],
        row_height=45,
        presentation=presentation,
    )


@responsive
@plotly_safe
def trend_by_quarter(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Stacked bars per quarter, one series per municipality; quarters outside the selected
    period are drawn faded so the selection stands out in its history. Beyond
    :data:`charts.spend.TREND_LINES` the largest are stacked one by one (members in their
    colour, the others in the palette's) and the rest as one grey series, so each bar's
    height is still the whole total."""
    fig = go.Figure()
    labels = (
        df.select("year", "quarter", "label").unique().sort("year", "quarter")["label"].to_list()
    )
    largest = ranked(df, "municipality_now", "amount")
    colours = {c: municipality_colour(c) for c in largest}
    hatched: set[str] = set()  # past the palette's eight colours, the bars come hatched
    if len(largest) > TREND_LINES:
        keep = largest[:TREND_LINES]
        for rank, code in enumerate(keep):
            if colours[code] == NEUTRAL:
                colours[code] = COLORWAY[rank % len(COLORWAY)]
                if rank >= len(COLORWAY):
                    hatched.add(code)
        n_rest = len(largest) - len(keep)
        rest = (
            df.filter(~pl.col("municipality_now").is_in(keep))
            .group_by("year", "quarter", "label", "in_period")
            .agg(pl.col("amount").sum())
            .with_columns(
                municipality_now=pl.lit("*"),
                municipality_name=pl.lit(
                    tr(f"Øvrige {n_rest} kommuner", f"Other {n_rest} municipalities")
                ),
            )
        )
        colours["*"] = NEUTRAL
        df = pl.concat(
            [
                df.filter(pl.col("municipality_now").is_in(keep)).sort(
                    pl.col("municipality_now").replace_strict(
                        {c: i for i, c in enumerate(keep)}, return_dtype=pl.Int64
                    ),
                    "year",
                    "quarter",
                ),
                rest.sort("year", "quarter").select(df.columns),
            ]
        )
        title = of_many(title, TREND_LINES, len(largest), rest=True)
    for (code, name), g in df.group_by(
        ["municipality_now", "municipality_name"], maintain_order=True
    ):
        fig.add_trace(
            go.Bar(
                x=g["label"].to_list(),
                y=(g["amount"] / 1e6).to_list(),
                name=str(name),
                marker_color=colours[str(code)],
                marker_pattern_shape="/" if code in hatched else "",
                marker_opacity=[1.0 if p else 0.35 for p in g["in_period"].to_list()],
                hovertemplate="%{x} – " + str(name) + ": %{y:,.1f} mill. kr<extra></extra>",
            )
        )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        barmode="stack",
        yaxis_title=tr("mill. kr", "NOK million"),
        xaxis={"categoryorder": "array", "categoryarray": labels, "tickangle": -45},
        height=420,
    )
    # The selected period is also marked in words: the fading is not the only cue (WCAG 1.4.1).
    in_period = set(df.filter(pl.col("in_period"))["label"].to_list())
    chosen = [i for i, q in enumerate(labels) if q in in_period]
    if chosen and len(chosen) < len(labels):
        vrect(
            fig,
            chosen[0] - 0.5,
            chosen[-1] + 0.5,
            fillcolor=GRID,
            opacity=0.5,
            layer="below",
            line={"width": 0},
            annotation={"text": tr("Valgt", "Selected"), "font": {"color": INK, "size": 12}},
        )
    return fig


@responsive
@plotly_safe
def top_categories(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Horizontal bars of the largest categories, with their share of total spend."""
    d = df.sort("amount")
    return hbar(
        d["category"].to_list(),
        d["amount"].to_list(),
        title=title,
        colours=PRIMARY,
        texts=[fmt.pct(s) for s in d["share"].to_list()],
        customdata=d["category_l1"].to_list(),
        hover=tr(
            "%{y} (%{customdata}): %{x:,.1f} mill. kr<extra></extra>",
            "%{y} (%{customdata}): NOK %{x:,.1f} million<extra></extra>",
        ),
        presentation=presentation,
    )
