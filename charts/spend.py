"""Figures of "Kommuner og kategorier": Polars frame in, Plotly figure out (no Streamlit).

``go`` traces with the explicit ``innsikt`` template; one fixed colour per municipality;
amounts in mill. kr unless the figure is per inhabitant (kr).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts import fmt
from charts.a11y import (
    CHAR_PX,
    LABEL_CHARS,
    LABEL_LINES,
    ROW_BASE_PX,
    TWO_LINE_ROW_PX,
    responsive,
    wrap,
)
from charts.common import empty
from charts.lang import tr
from charts.theme import (
    COLORWAY,
    FONT_PX,
    NEUTRAL,
    PRESENTATION_FONT_PX,
    PRIMARY,
    municipality_colour,
    themed,
)
from data_access.store.escape import plotly_safe


def _colour(key: str, now: str) -> str:
    """The municipality's colour; a historical code without its own (Steinkjer 5004) takes
    its successor's, while Verran 5039 keeps its own."""
    c = municipality_colour(key)
    return c if c != NEUTRAL else municipality_colour(now)


HEATMAP_NAMES_PX = 48  # px above the cells for two-line municipality names and a gap
# Beyond this many municipalities (a national scope) the cells are too narrow for figures:
# the colour then carries the value, with its scale, and the hover the figure.
HEATMAP_LABELLED_COLUMNS = 16
# Beyond this many the columns were stripes named at every ninth (357 at 1 400 px): the
# municipalities with the most are drawn, the title saying so.
HEATMAP_COLUMNS = 40
SEQUENTIAL = [[0.0, "#F0F4F8"], [0.35, "#9FB3C8"], [0.7, "#2F6FAB"], [1.0, "#0B3C6B"]]
# A national scope has 357 municipalities: beyond these counts the largest (or highest) are
# drawn, the title says so, and the table and downloads keep every one.
TREND_LINES = 10  # municipalities drawn as lines, or stacked one by one, at most
BARS = 20  # municipalities drawn as bars at most


def _ranking(df: pl.DataFrame, key: str, value: str, *, mean: bool = False) -> pl.DataFrame:
    """``key``'s values (one column, their own type) by ``value`` summed (or averaged),
    largest first, ties by key."""
    agg = pl.col(value).mean() if mean else pl.col(value).sum()
    return df.group_by(key).agg(agg).sort([value, key], descending=[True, False]).select(key)


def ranked(df: pl.DataFrame, key: str, value: str, *, mean: bool = False) -> list[str]:
    """``key``'s values by ``value`` summed (or averaged), largest first; ties by key."""
    return [str(k) for k in _ranking(df, key, value, mean=mean)[key].to_list()]


def largest_rows(
    df: pl.DataFrame, key: str, value: str, shown: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``df``'s rows of the ``shown`` keys with the largest ``value`` summed (as
    :func:`ranked`), and those keys as a one-column frame of ``key``'s own type, largest
    first — what a chart of too many municipalities draws. Anything derived for the chart
    (its rows, columns, categories) is taken from the rows returned, so nothing is left that
    only undrawn municipalities have. A row without a key is never drawn: ranked as the text
    "None" it took one of the places as an unnamed, empty column."""
    keep = _ranking(df.filter(pl.col(key).is_not_null()), key, value).head(shown)
    return df.filter(pl.col(key).is_in(keep[key].implode())), keep


def of_many(
    title: str, shown: int, total: int, *, highest: bool = False, rest: bool = False
) -> str:
    """The title of a chart that draws ``shown`` of ``total`` municipalities: it says which."""
    nb, en = ("høyeste", "highest") if highest else ("største", "largest")
    more_nb, more_en = (", resten samlet", ", the rest together") if rest else ("", "")
    return f"{title} – " + tr(
        f"de {shown} {nb} av {total}{more_nb}", f"the {shown} {en} of {total}{more_en}"
    )


def line_styles(nows: dict[str, str], order: list[str], many: bool) -> dict[str, tuple[str, str]]:
    """(colour, dash) of each drawn municipality's line, by key: its own colour (``nows``:
    key → today's code, for a historical code's successor's); among many (a national scope's
    largest, ``order`` by rank), those without one take the palette's next (colour, dash) pair
    that no drawn line already has — a member's own colour is one of the palette's, so by rank
    alone a second line came out in Levanger's orange — solid through the palette, then
    dashed, then dotted."""
    own = {k: _colour(k, nows[k]) for k in order if k in nows}
    # Compared in capitals: a colour in region.toml may be written #ff7f0e or #FF7F0E.
    taken = {(c.upper(), "solid") for c in own.values() if c != NEUTRAL}
    free = (p for d in ("solid", "dash", "dot") for p in ((c, d) for c in COLORWAY))
    styles: dict[str, tuple[str, str]] = {}
    for k, colour in own.items():
        if colour != NEUTRAL or not many:
            styles[k] = (colour, "solid")
        else:
            styles[k] = next(
                (p for p in free if (p[0].upper(), p[1]) not in taken), (NEUTRAL, "dot")
            )
    return styles


def _nows(df: pl.DataFrame) -> dict[str, str]:
    """Each ``muni_key`` of ``df`` → its ``municipality_now``."""
    pairs = df.select("muni_key", "municipality_now").unique("muni_key").iter_rows()
    return {str(k): str(n) for k, n in pairs}


def _layout(fig: go.Figure, title: str, presentation: bool, **kw: object) -> go.Figure:
    fig.update_layout(**themed(fig, presentation), title=title, **kw)
    return fig


@responsive
@plotly_safe
def heatmap(
    df: pl.DataFrame, *, title: str, per_inhabitant: bool = False, presentation: bool = False
) -> go.Figure:
    """Municipality (columns) × level-2 category (rows, tree order), each cell labelled.

    ``df``: long form from ``metrics.spend.matrix`` (muni_key, muni_label, category_l1,
    category, sort, amount[, per_inhabitant]). Beyond :data:`HEATMAP_COLUMNS` municipalities
    the largest (per inhabitant: the highest) are drawn, largest first; the frame behind the
    chart, for the table and downloads, keeps every one.
    """
    value = "per_inhabitant" if per_inhabitant else "amount"
    munis = df.select("muni_key", "muni_label").unique().sort("muni_key")
    if munis.height > HEATMAP_COLUMNS:
        # A category's kroner per inhabitant sum to the municipality's: ranked by the sum.
        df, keep = largest_rows(df, "muni_key", value, HEATMAP_COLUMNS)
        title = of_many(title, HEATMAP_COLUMNS, munis.height, highest=per_inhabitant)
        munis = keep.join(munis, on="muni_key", how="left", maintain_order="left")
    cats = df.select("category_l1", "category", "sort").unique().sort("sort", descending=True)
    cols = munis["muni_key"].to_list()
    wide = (
        df.pivot(on="muni_key", index=["category", "sort"], values=value, aggregate_function="sum")
        .join(cats.select("category", "category_l1", "sort"), on=["category", "sort"], how="right")
        .sort("sort", descending=True)
    )
    z = [[r.get(c) for c in cols] for r in wide.iter_rows(named=True)]
    scale = 1.0 if per_inhabitant else 1e6
    zs = [[None if v is None else v / scale for v in row] for row in z]
    rows = list(wide.select("category", "category_l1").iter_rows())
    # Each row is named by its full "category · main category" (unique, shown in the hover);
    # the axis shows the category alone, wrapped at word breaks — the rows stand in the
    # tree's order, so the main category is context, not identity — and adds the main
    # category only where two categories share a name.
    y = [f"{cat}  ·  {l1}" for cat, l1 in rows]
    names = [cat for cat, _l1 in rows]
    shown = [
        wrap(f"{cat} ({l1})" if names.count(cat) > 1 else str(cat), LABEL_CHARS, LABEL_LINES)
        for cat, l1 in rows
    ]
    # Presentation mode draws every text at 22 px instead of 14 (charts.theme): rows, names
    # and the lift over them grow by the same factor, or two-line labels overlap.
    grow = PRESENTATION_FONT_PX / FONT_PX if presentation else 1.0
    row_px = round((TWO_LINE_ROW_PX if any("<br>" in label for label in shown) else 30) * grow)
    number = "%{z:,.0f}" if per_inhabitant else "%{z:,.1f}"
    unit = (
        tr("kr per innbygger", "NOK per inhabitant")
        if per_inhabitant
        else tr("mill. kr", "NOK million")
    )
    labelled = len(cols) <= HEATMAP_LABELLED_COLUMNS
    x = [lbl.replace(" (", "<br>(") for lbl in munis["muni_label"].to_list()]
    fig = go.Figure(
        go.Heatmap(
            z=zs,
            x=x,
            y=y,
            colorscale=SEQUENTIAL,
            texttemplate=number if labelled else None,
            textfont={"size": round(12 * grow)},
            hovertemplate="%{y}<br>%{x}: " + number + " " + unit + "<extra></extra>",
            # No colour scale while every cell carries its figure: on a phone the scale would
            # take the width the columns need (the unit is in the title).
            showscale=not labelled,
            colorbar={"title": {"text": unit}, "thickness": 12},
            xgap=2 if labelled else 0,
            ygap=2,
        )
    )
    fig = _layout(
        fig,
        title,
        presentation,
        height=ROW_BASE_PX + row_px * max(len(y), 1),
        # Names stay level where they fit and turn when a narrow screen crowds them.
        xaxis={"side": "top", "title": None},
        yaxis={"title": None, "tickmode": "array", "tickvals": y, "ticktext": shown},
        margin={"t": 110},
    )
    # The municipality names sit above the cells, where the title (anchored on the plot area)
    # would be drawn over them: its bottom padding lifts it over two lines of names, and the
    # title's automargin grows the top margin to hold it however many lines it wraps to.
    # On a phone Plotly turns the names when they do not fit level (about 30°); the longest
    # then reaches up about half its length, so the lift covers that too.
    lines = max((label.count("<br>") + 1 for label in x), default=1)
    # Many columns are turned upright (90°): the longest name then reaches its full length.
    reach = 0.6 if labelled else 1.0
    longest = max((len(part) for label in x for part in label.split("<br>")), default=0)
    ticks = 0 if labelled else 20  # upright names stand on tick marks and a gap
    turned = round((longest * CHAR_PX * reach + 17 * lines + ticks) * grow)
    fig.update_layout(title={"pad": {"b": round(max(HEATMAP_NAMES_PX * grow, turned))}})
    return fig


@responsive
@plotly_safe
def treemap(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """The category tree sized by spend (level 1 boxes holding level 2). Net negative
    categories (more credit notes than invoices) cannot be drawn as area and are left out."""
    d = df.filter(pl.col("amount") > 0)
    l1 = d.group_by("category_l1").agg(pl.col("amount").sum()).sort("amount", descending=True)
    total = float(d["amount"].sum()) or 1.0
    ids = [
        "alle",
        *l1["category_l1"].to_list(),
        *(d["category_l1"] + "/" + d["category"]).to_list(),
    ]
    everything = tr("Alle kategorier", "All categories")
    labels = [everything, *l1["category_l1"].to_list(), *d["category"].to_list()]
    parents = ["", *["alle"] * l1.height, *d["category_l1"].to_list()]
    values = [total, *l1["amount"].to_list(), *d["amount"].to_list()]
    fig = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=[v / 1e6 for v in values],
            customdata=[fmt.pct(v / total, 0) for v in values],
            branchvalues="total",
            texttemplate=tr(
                "<b>%{label}</b><br>%{value:,.1f} mill. kr · %{customdata}",
                "<b>%{label}</b><br>NOK %{value:,.1f} million · %{customdata}",
            ),
            hovertemplate=tr(
                "%{label}: %{value:,.1f} mill. kr (%{customdata} av alt)<extra></extra>",
                "%{label}: NOK %{value:,.1f} million (%{customdata} of all)<extra></extra>",
            ),
            maxdepth=3,
            marker={"colorscale": SEQUENTIAL, "line": {"width": 1, "color": "white"}},
            root_color="white",
        )
    )
    return _layout(
        fig,
        title,
        presentation,
        height=520,
        margin={"t": 50, "l": 0, "r": 0},
    )


@responsive
@plotly_safe
def per_inhabitant(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Spend per inhabitant: bars per municipality in its colour; several years side by side.

    ``df``: from ``metrics.spend.per_inhabitant_by_year``.
    """
    years = sorted(set(df["year"].to_list()))
    fig = go.Figure()
    d = df.filter(pl.col("per_inhabitant").is_not_null())
    if d.height == 0:  # spend, but no population figures for these municipalities
        return empty(
            title,
            tr(
                "Mangler innbyggertall for kommunene i utvalget",
                "No population figures for the selected municipalities",
            ),
        )
    if len(years) == 1:
        d = d.sort("per_inhabitant")
        if d.height > BARS:  # a national scope: 357 bars were 16 000 px tall
            title = of_many(title, BARS, d.height, highest=True)
            d = d.tail(BARS)
        fig.add_trace(
            go.Bar(
                x=d["per_inhabitant"].to_list(),
                y=d["muni_label"].to_list(),
                orientation="h",
                marker_color=[
                    _colour(k, n) for k, n in zip(d["muni_key"], d["municipality_now"], strict=True)
                ],
                text=[fmt.kr(v) for v in d["per_inhabitant"].to_list()],
                textposition="auto",
                customdata=d["population"].to_list(),
                hovertemplate=tr(
                    "%{y}: %{x:,.0f} kr per innbygger (%{customdata:,.0f} innbyggere)",
                    "%{y}: NOK %{x:,.0f} per inhabitant (%{customdata:,.0f} inhabitants)",
                )
                + "<extra></extra>",
                name="",
            )
        )
        return _layout(
            fig,
            title,
            presentation,
            showlegend=False,
            xaxis={"title": tr("kr per innbygger", "NOK per inhabitant"), "tickformat": ",.0f"},
            height=90 + 45 * max(d.height, 1),
        )
    order = ranked(d, "muni_key", "per_inhabitant", mean=True)
    many = len(order) > TREND_LINES
    if many:  # as trend_by_municipality: the highest on average over the years
        d = d.filter(pl.col("muni_key").is_in(order[:TREND_LINES]))
        title = of_many(title, TREND_LINES, len(order), highest=True)
    styles = line_styles(_nows(d), order, many)
    for (key, label, _now), g in d.sort("muni_key", "year").group_by(
        ["muni_key", "muni_label", "municipality_now"], maintain_order=True
    ):
        colour, dash = styles[str(key)]
        fig.add_trace(
            go.Scatter(
                x=[str(y) for y in g["year"].to_list()],
                y=g["per_inhabitant"].to_list(),
                name=str(label),
                mode="lines+markers",
                line={"color": colour, "width": 3, "dash": dash},
                hovertemplate=str(label)
                + tr(" %{x}: %{y:,.0f} kr per innbygger", " %{x}: NOK %{y:,.0f} per inhabitant")
                + "<extra></extra>",
            )
        )
    return _layout(
        fig,
        title,
        presentation,
        yaxis={
            "title": tr("kr per innbygger", "NOK per inhabitant"),
            "rangemode": "tozero",
            "tickformat": ",.0f",
        },
        xaxis={"type": "category", "title": None},
        height=440,
        margin={"t": 90},
    )


@responsive
@plotly_safe
def trend_total(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Spend per period (bars) beside the same period one year earlier (grey), change in hover.

    ``df``: ``metrics.spend.trend(..., by_municipality=False)``.
    """
    labels = df["label"].to_list()
    change = ["–" if c is None else fmt.change(c).replace("-", "−") for c in df["change"].to_list()]
    fig = go.Figure(
        [
            go.Bar(
                x=labels,
                y=(df["amount_prev"] / 1e6).to_list(),
                name=tr("Samme periode året før", "Same period a year earlier"),
                marker_color=NEUTRAL,
                hovertemplate=tr(
                    "%{x}, året før: %{y:,.1f} mill. kr<extra></extra>",
                    "%{x}, a year earlier: NOK %{y:,.1f} million<extra></extra>",
                ),
            ),
            go.Bar(
                x=labels,
                y=(df["amount"] / 1e6).to_list(),
                name=tr("Valgt periode", "Selected period"),
                marker_color=PRIMARY,
                customdata=change,
                text=[("" if c == "–" else c) for c in change] if len(labels) <= 12 else None,
                textposition="outside",
                hovertemplate=tr(
                    "%{x}: %{y:,.1f} mill. kr (%{customdata})<extra></extra>",
                    "%{x}: NOK %{y:,.1f} million (%{customdata})<extra></extra>",
                ),
            ),
        ]
    )
    return _layout(
        fig,
        title,
        presentation,
        barmode="group",
        yaxis_title=tr("mill. kr", "NOK million"),
        xaxis={"type": "category", "title": None, "tickangle": -45 if len(labels) > 12 else 0},
        height=440,
        margin={"t": 90},
    )


@responsive
@plotly_safe
def trend_by_municipality(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """One line per municipality (its colour), spend per period — the :data:`TREND_LINES`
    largest when there are more.

    ``df``: ``metrics.spend.trend(..., by_municipality=True)``.
    """
    fig = go.Figure()
    order = df.select("bucket", "label").unique().sort("bucket")["label"].to_list()
    # A national scope's 357 lines are a grey band: beyond TREND_LINES the largest are drawn
    # (the title says so; the table and downloads keep every municipality), and those without
    # a member's colour take the palette's, so each line can be told from its legend entry.
    largest = ranked(df, "muni_key", "amount")
    many = len(largest) > TREND_LINES
    if many:
        df = df.filter(pl.col("muni_key").is_in(largest[:TREND_LINES]))
        title = of_many(title, TREND_LINES, len(largest))
    styles = line_styles(_nows(df), largest, many)
    for (key, label, _now), g in df.sort("bucket").group_by(
        ["muni_key", "muni_label", "municipality_now"], maintain_order=True
    ):
        colour, dash = styles[str(key)]
        fig.add_trace(
            go.Scatter(
                x=g["label"].to_list(),
                y=(g["amount"] / 1e6).to_list(),
                name=str(label),
                mode="lines+markers",
                line={"color": colour, "width": 3, "dash": dash},
                hovertemplate=str(label)
                + tr(" %{x}: %{y:,.1f} mill. kr", " %{x}: NOK %{y:,.1f} million")
                + "<extra></extra>",
            )
        )
    return _layout(
        fig,
        title,
        presentation,
        yaxis={"title": tr("mill. kr", "NOK million"), "rangemode": "tozero"},
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": order, "title": None},
        showlegend=True,
        height=440,
        margin={"t": 90},
    )


@responsive
@plotly_safe
def category_suppliers(
    df: pl.DataFrame, *, title: str, n: int = 15, presentation: bool = False
) -> go.Figure:
    """The ``n`` largest suppliers of a category, as horizontal bars with their share."""
    d = df.head(n).sort("amount")
    fig = go.Figure(
        go.Bar(
            x=(d["amount"] / 1e6).to_list(),
            y=d["supplier_name"].to_list(),
            orientation="h",
            marker_color=PRIMARY,
            text=[fmt.pct(s or 0) for s in d["share"].to_list()],
            textposition="auto",
            hovertemplate=tr(
                "%{y}: %{x:,.2f} mill. kr<extra></extra>",
                "%{y}: NOK %{x:,.2f} million<extra></extra>",
            ),
            name="",
        )
    )
    return _layout(
        fig,
        title,
        presentation,
        showlegend=False,
        xaxis_title=tr("mill. kr", "NOK million"),
        height=90 + 30 * max(d.height, 1),
    )
