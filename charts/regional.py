"""Figures of "Regionalt næringsliv": shares per regional level, flows, SME share, sub-units."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts import fmt
from charts.a11y import responsive
from charts.common import empty
from charts.lang import tr
from charts.spans import hline, vrect
from charts.spend import BARS, largest_rows, of_many
from charts.theme import INK, LEVEL_COLOURS, NEUTRAL, PRIMARY, municipality_colour, themed
from data_access.store.cube import LEVELS
from data_access.store.escape import plotly_safe

# What a reader sees for a regional level (data values are the English keys of ``LEVELS``):
# bokmål, and English beside it (``level_labels()`` gives the current language's).
LEVEL_LABELS = {
    "same": "Egen kommune",
    "member": "Annen medlemskommune",
    "county": "Resten av fylket",
    "norway": "Resten av Norge",
    "abroad_unknown": "Utlandet eller ukjent",
}
LEVEL_LABELS_EN = {
    "same": "Own municipality",
    "member": "Other member",
    "county": "Rest of the county",
    "norway": "Rest of Norway",
    "abroad_unknown": "Abroad or unknown",
}
SEQUENTIAL = [[0.0, "#F1F8E9"], [0.4, "#A5D6A7"], [0.75, "#43A047"], [1.0, "#1B5E20"]]
SHORT_HOME = {
    "Resten av fylket": "Resten av<br>fylket",
    "Resten av Norge": "Resten av<br>Norge",
    "Utlandet eller ukjent": "Utlandet<br>eller ukjent",
    "Rest of the county": "Rest of the<br>county",
    "Abroad or unknown": "Abroad or<br>unknown",
}


def _pct(v: float | None) -> str:
    return "" if v is None else tr(f"{v * 100:.0f} %", f"{v * 100:.0f}%")


def level_labels() -> dict[str, str]:
    """Level key → its name in the current language."""
    return LEVEL_LABELS_EN if tr("nb", "en") == "en" else LEVEL_LABELS


def level_label(level: pl.Expr) -> pl.Expr:
    """The name of a regional level key in the current language (unknown keys pass through
    unchanged)."""
    return level.replace_strict(level_labels(), default=level, return_dtype=pl.String)


def label_flows(df: pl.DataFrame) -> pl.DataFrame:
    """A ``metrics.regional.flows`` frame with ``home_label`` in place of ``home_name``: the
    member's name, or the level's name for the homes outside the members."""
    if "home_name" not in df.columns:
        return df
    label = pl.coalesce(pl.col("home_name"), level_label(pl.col("home_key")))
    return df.with_columns(label.alias("home_name")).rename({"home_name": "home_label"})


def label_locations(df: pl.DataFrame) -> pl.DataFrame:
    """A ``metrics.regional.location_comparison`` frame with each level's ``label``
    (before ``n_suppliers_with_subunits``, as shown and downloaded)."""
    if "label" in df.columns:
        return df
    out = df.with_columns(label=level_label(pl.col("level")))
    last = [c for c in ("label", "n_suppliers_with_subunits") if c in out.columns]
    return out.select(*[c for c in out.columns if c not in last], *last)


@responsive
@plotly_safe
def levels_stacked(
    df: pl.DataFrame, *, label: str, title: str, presentation: bool = False
) -> go.Figure:
    """100 % stacked horizontal bars: the five levels for each row of ``df`` (a ``levels``
    frame), closest to home on the left, with labels inside segments of 6 % or more.

    Per municipality, a national scope's 357 rows were a chart 12 000 px tall: beyond
    :data:`charts.spend.BARS` it draws the largest by spend, largest first, and its title says
    so (the frame behind it, for the table and downloads, keeps every municipality)."""
    d = df.filter(pl.col("total") > 0)
    if label == "municipality_name" and d.height > BARS:
        title = of_many(title, BARS, d.height)
        d = d.sort(["total", label], descending=[True, False]).head(BARS)
    ys = d[label].to_list()
    fig = go.Figure()
    names = level_labels()
    for lvl in LEVELS:
        shares = d[f"{lvl}_share"].to_list()
        fig.add_trace(
            go.Bar(
                x=[(s or 0) * 100 for s in shares],
                y=ys,
                orientation="h",
                name=names[lvl],
                marker_color=LEVEL_COLOURS[lvl],
                text=[_pct(s) if (s or 0) >= 0.06 else "" for s in shares],
                textposition="inside",
                insidetextanchor="middle",
                customdata=(d[lvl] / 1e6).to_list(),
                hovertemplate="%{y} – "
                + names[lvl]
                + tr(
                    ": %{x:.1f} % (%{customdata:,.1f} mill. kr)",
                    ": %{x:.1f}% (NOK %{customdata:,.1f} million)",
                )
                + "<extra></extra>",
            )
        )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        barmode="stack",
        xaxis={
            "title": tr("Andel av kjøpene (%)", "Share of spend (%)"),
            "range": [0, 100],
            "ticksuffix": tr(" %", "%"),
        },
        yaxis={"autorange": "reversed", "title": None},
        # fit() puts the legend under the chart; the title's automargin then keeps the top
        # clear (a fixed top margin, left from a legend above the plot, let a wrapped title
        # run into the first row).
        legend={"traceorder": "normal"},
        height=170 + 34 * max(len(ys), 1),
    )
    return fig


@responsive
@plotly_safe
def levels_over_time(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Stacked 100 % columns per quarter (or year) over the whole history; the selected period
    is framed (not faded: faded colours would read as another level)."""
    d = df.filter(pl.col("total") > 0)
    labels = d["label"].to_list()
    fig = go.Figure()
    names = level_labels()
    for lvl in LEVELS:
        fig.add_trace(
            go.Bar(
                x=labels,
                y=(d[f"{lvl}_share"].fill_null(0) * 100).to_list(),
                name=names[lvl],
                marker_color=LEVEL_COLOURS[lvl],
                hovertemplate=f"%{{x}} – {names[lvl]}: %{{y:.1f}}{tr(' %', '%')}<extra></extra>",
            )
        )
    inside = [i for i, p in enumerate(d["in_period"].to_list()) if p]
    if inside:
        vrect(
            fig,
            inside[0] - 0.5,
            inside[-1] + 0.5,
            y0=0,
            y1=1.0,
            line={"color": INK, "width": 2},
            fillcolor="rgba(0,0,0,0)",
            layer="above",
            annotation={"text": tr("Valgt periode", "Selected period")},
        )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        barmode="stack",
        bargap=0.15,
        yaxis={
            "title": tr("Andel av kjøpene (%)", "Share of spend (%)"),
            "range": [0, 106],
            "ticksuffix": tr(" %", "%"),
        },
        xaxis={"type": "category", "tickangle": -45, "title": None},
        legend={"traceorder": "normal"},
        height=450,
    )
    return fig


def _no_sizes() -> str:
    """The SME chart's message when no supplier in the selection has a known size."""
    return tr(
        "Antall ansatte er ukjent for alle leverandørene i utvalget",
        "The number of employees is unknown for every supplier in the selection",
    )


def _column(label: str) -> str:
    """A flow matrix column's heading on two lines, so ten of them fit side by side."""
    return SHORT_HOME.get(label) or label.replace(" ", "<br>", 1)


@responsive
@plotly_safe
def flow_matrix(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Heatmap buyer (rows) × supplier's home (columns): share of the buyer's spend, in %.
    Beyond :data:`charts.spend.BARS` buyers (a national scope), the largest buyers' rows, the
    title saying so."""
    df = label_flows(df)
    buyers = df.select("municipality_now", "municipality_name").unique().sort("municipality_now")
    if buyers.height > BARS:
        title = of_many(title, BARS, buyers.height)
        df, largest = largest_rows(df, "municipality_now", "amount", BARS)
        buyers = largest.join(buyers, on="municipality_now", how="left", maintain_order="left")
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
            x=[_column(h) for h in homes["home_label"].to_list()],
            y=buyers["municipality_name"].to_list(),
            customdata=custom,
            colorscale=SEQUENTIAL,
            # Written out per cell: a template wrote a lone "%" where a buyer bought nothing.
            text=[["" if v is None else fmt.pct(v / 100) for v in r] for r in z],
            texttemplate="%{text}",
            hovertemplate=tr(
                "%{y} kjøper fra %{x}: %{z:.1f} % (%{customdata:,.1f} mill. kr)",
                "%{y} buys from %{x}: %{z:.1f}% (NOK %{customdata:,.1f} million)",
            )
            + "<extra></extra>",
            colorbar={
                "title": {"text": tr("% av kommunens kjøp", "% of the municipality's spend")},
                "thickness": 12,
            },
            xgap=2,
            ygap=2,
            zmin=0,
        )
    )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        xaxis={
            "title": tr("Leverandørens hjemkommune", "Supplier's home municipality"),
            "tickangle": 0,
        },
        yaxis={"autorange": "reversed", "title": tr("Kjøpende kommune", "Buying municipality")},
        height=200 + 48 * max(buyers.height, 1),
    )
    return fig


@responsive
@plotly_safe
def sme_by_municipality(
    df: pl.DataFrame, *, title: str, overall: float | None = None, presentation: bool = False
) -> go.Figure:
    """SME share per municipality in its colour, the overall share as a dashed line; beyond
    :data:`charts.spend.BARS` municipalities the largest by spend, the title saying so."""
    d = df.filter(pl.col("sme_share").is_not_null()).sort("municipality_now")
    if d.height == 0:  # no supplier of a known size: say so, not an empty pair of axes
        return empty(title, _no_sizes())
    if d.height > BARS:
        title = of_many(title, BARS, d.height)
        d = d.sort(["total", "municipality_now"], descending=[True, False]).head(BARS)
    fig = go.Figure(
        go.Bar(
            x=d["municipality_name"].to_list(),
            y=(d["sme_share"] * 100).to_list(),
            marker_color=[municipality_colour(c) for c in d["municipality_now"].to_list()],
            text=[_pct(v) for v in d["sme_share"].to_list()],
            textposition="outside",
            hovertemplate=tr(
                "%{x}: %{y:.1f} % hos SMB<extra></extra>",
                "%{x}: %{y:.1f}% with SMEs<extra></extra>",
            ),
            name="",
        )
    )
    if overall is not None:
        hline(
            fig,
            overall * 100,
            line={"color": PRIMARY, "dash": "dash", "width": 1},
            annotation={"text": f"{tr('Samlet', 'Overall')} {_pct(overall)}"},
            position="top right",
        )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        showlegend=False,
        yaxis={
            "title": tr("Andel av kjøpene (%)", "Share of spend (%)"),
            "range": [0, 100],
            "ticksuffix": tr(" %", "%"),
        },
        height=380,
    )
    return fig


@responsive
@plotly_safe
def location_comparison(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Spend per level by head-office location beside nearest sub-unit location."""
    df = label_locations(df)
    fig = go.Figure(
        [
            go.Bar(
                x=df["label"].to_list(),
                y=(df["head_office"] / 1e6).to_list(),
                name=tr("Etter hovedkontor", "By head office"),
                marker_color=NEUTRAL,
                hovertemplate=tr(
                    "%{x}: %{y:,.1f} mill. kr (hovedkontor)<extra></extra>",
                    "%{x}: NOK %{y:,.1f} million (head office)<extra></extra>",
                ),
            ),
            go.Bar(
                x=df["label"].to_list(),
                y=(df["subunit"] / 1e6).to_list(),
                name=tr("Etter nærmeste avdeling (underenhet)", "By nearest branch (sub-unit)"),
                marker_color=[LEVEL_COLOURS[lvl] for lvl in df["level"].to_list()],
                hovertemplate=tr(
                    "%{x}: %{y:,.1f} mill. kr (avdeling)<extra></extra>",
                    "%{x}: NOK %{y:,.1f} million (branch)<extra></extra>",
                ),
            ),
        ]
    )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        barmode="group",
        yaxis_title=tr("mill. kr", "NOK million"),
        xaxis_title=None,
        height=380,
    )
    return fig
