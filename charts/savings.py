"""Figures of the Gevinster page: Polars frame in, Plotly figure out (no Streamlit here).

Amounts are drawn in millions of NOK (the unit a council talks in), the yearly target is always
a labelled horizontal line, and hard savings and cost avoidance keep one colour each everywhere.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts import fmt
from charts.a11y import responsive, set_key_number
from charts.theme import GRID, INK, NEUTRAL, PRIMARY, WARNING, municipality_colour, template
from data_access.store.escape import plotly_safe

HARD = PRIMARY
AVOIDANCE = "#56B4E9"
PROJECTION = "#E69F00"
SAVINGS_TYPE_LABEL = {"hard": "Hard gevinst", "avoidance": "Kostnadsunngåelse"}
MONTHS = ["jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"]

# What a reader sees for an agreement's status (data values are English).
STATUS_LABELS = {
    "no_purchases": "Ingen avtalekjøp",
    "no_projection": "Mangler anslag",
    "above_expected": "Over forventet",
    "below_expected": "Under forventet",
}


def _largest(values: pl.Series) -> float:
    """The largest value of a numeric column, 1 when there is none (an axis needs a range)."""
    top = values.max()
    return float(top) if isinstance(top, int | float) and top else 1.0


def _mill(v: float) -> str:
    return f"{v / 1e6:,.1f}".replace(",", " ").replace(".", ",")


def _target_line(fig: go.Figure, target: float, presentation: bool, whole: bool = False) -> None:
    """The yearly target as a dashed red line; ``whole`` says it is the whole cooperation's
    target while the bars show only some members."""
    label = "Samarbeidets mål" if whole else "Mål"
    fig.add_hline(
        y=target / 1e6,
        line={"color": WARNING, "width": 3, "dash": "dash"},
        annotation={
            "text": f"{label} {_mill(target)} mill. kr per år",
            "font": {"color": WARNING, "size": 20 if presentation else 14},
            "bgcolor": "rgba(255,255,255,0.8)",
        },
        annotation_position="top left",
    )


@responsive
@plotly_safe
def realized_by_year(
    yearly: pl.DataFrame,
    target: float,
    projection: dict[str, float | int] | None,
    *,
    title: str,
    whole_target: bool = False,
    presentation: bool = False,
) -> go.Figure:
    """Stacked bars per year (hard savings, cost avoidance), the rest of the current year's
    projection on top in outline, and the yearly target as a line."""
    years = [str(y) for y in yearly["year"].to_list()]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=years,
            y=(yearly["hard"] / 1e6).to_list(),
            name="Hard gevinst",
            marker_color=HARD,
            hovertemplate="%{x}: %{y:,.2f} mill. kr hard gevinst<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=years,
            y=(yearly["avoidance"] / 1e6).to_list(),
            name="Kostnadsunngåelse",
            marker_color=AVOIDANCE,
            hovertemplate="%{x}: %{y:,.2f} mill. kr kostnadsunngåelse<extra></extra>",
        )
    )
    if projection is not None:
        rest = float(projection["projected_year_end"]) - float(projection["to_date"])
        fig.add_trace(
            go.Bar(
                x=[str(projection["year"])],
                y=[rest / 1e6],
                name="Fremskrevet resten av året",
                marker={"color": "rgba(0,0,0,0)", "line": {"color": PROJECTION, "width": 2}},
                marker_pattern_shape="/",
                marker_pattern_fgcolor=PROJECTION,
                hovertemplate="%{x}: + %{y:,.2f} mill. kr fremskrevet<extra></extra>",
            )
        )
    totals = yearly["realized"].to_list()
    labels = [_mill(t) for t in totals]
    tops = [t / 1e6 for t in totals]
    if projection is not None and years and years[-1] == str(projection["year"]):
        end = float(projection["projected_year_end"])
        labels[-1] = f"{labels[-1]} → {_mill(end)}"
        tops[-1] = max(tops[-1], end / 1e6)
    fig.add_trace(
        go.Scatter(
            x=years,
            y=tops,
            mode="text",
            text=labels,
            textposition="top center",
            textfont={"color": INK},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    _target_line(fig, target, presentation, whole_target)
    top = max([target, *totals, float(projection["projected_year_end"]) if projection else 0.0])
    fig.update_layout(
        template=template(presentation),
        title=title,
        barmode="stack",
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0},
        yaxis={"title": "mill. kr", "range": [0, top / 1e6 * 1.15]},
        xaxis={"type": "category"},
        height=460,
    )
    return fig


@responsive
@plotly_safe
def cumulative_by_month(
    monthly: pl.DataFrame,
    target: float,
    projection: dict[str, float | int] | None,
    *,
    title: str,
    whole_target: bool = False,
    presentation: bool = False,
) -> go.Figure:
    """One line per year: realized saving accumulated month by month, the target at year end
    as a line, the current year drawn strong and its projection to December dotted."""
    fig = go.Figure()
    years = sorted(set(monthly["year"].to_list()))
    last = years[-1] if years else None
    for y in years:
        g = monthly.filter(pl.col("year") == y).sort("month_no")
        strong = y == last
        fig.add_trace(
            go.Scatter(
                x=[MONTHS[m - 1] for m in g["month_no"].to_list()],
                y=(g["cum_realized"] / 1e6).to_list(),
                name=str(y),
                mode="lines+markers" if strong else "lines",
                line={"color": PRIMARY if strong else NEUTRAL, "width": 4 if strong else 1.5},
                opacity=1.0 if strong else 0.45 + 0.5 * (y - years[0]) / max(len(years), 1),
                hovertemplate=f"{y} %{{x}}: %{{y:,.2f}} mill. kr hittil i året<extra></extra>",
            )
        )
    if projection is not None:
        m0 = int(projection["last_month"])
        fig.add_trace(
            go.Scatter(
                x=[MONTHS[m0 - 1], "des"],
                y=[
                    float(projection["to_date"]) / 1e6,
                    float(projection["projected_year_end"]) / 1e6,
                ],
                name=f"Fremskriving {projection['year']}",
                mode="lines+markers",
                line={"color": PROJECTION, "width": 3, "dash": "dot"},
                hovertemplate="Fremskrevet %{x}: %{y:,.2f} mill. kr<extra></extra>",
            )
        )
    _target_line(fig, target, presentation, whole_target)
    top = max([target, *(monthly["cum_realized"].to_list() or [0.0])])
    fig.update_layout(
        template=template(presentation),
        title=title,
        xaxis={"categoryorder": "array", "categoryarray": MONTHS, "type": "category"},
        legend={"orientation": "h", "yanchor": "top", "y": -0.1, "x": 0},
        yaxis={"title": "mill. kr, akkumulert i året", "range": [0, top / 1e6 * 1.12]},
        height=460,
    )
    if last is not None:
        now = monthly.filter(pl.col("year") == last).sort("month_no")
        set_key_number(
            fig, f"{last}: {_mill(float(now['cum_realized'][-1]))} mill. kr hittil i året"
        )
    return fig


@responsive
@plotly_safe
def by_municipality(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Horizontal stacked bars per member (hard, avoidance), each member's own colour as the
    bar outline, largest on top."""
    d = df.sort("realized")
    names = d["municipality_name"].to_list()
    colours = [municipality_colour(c) for c in d["municipality_now"].to_list()]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=names,
            x=(d["hard"] / 1e3).to_list(),
            orientation="h",
            name="Hard gevinst",
            showlegend=False,
            marker={"color": colours, "line": {"color": colours, "width": 1}},
            hovertemplate="%{y}: %{x:,.0f} tusen kr hard gevinst<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            y=names,
            x=(d["avoidance"] / 1e3).to_list(),
            orientation="h",
            name="Kostnadsunngåelse",
            showlegend=False,
            marker={"color": colours, "opacity": 0.45, "line": {"color": colours, "width": 1}},
            text=[f"{v / 1e3:,.0f}".replace(",", " ") + " tusen kr" for v in d["realized"]],
            textposition="outside",
            hovertemplate="%{y}: %{x:,.0f} tusen kr kostnadsunngåelse<extra></extra>",
        )
    )
    for label, colour in (
        ("Hard gevinst (mørk)", "#52606D"),
        ("Kostnadsunngåelse (lys)", "#C5CDD5"),
    ):
        fig.add_trace(  # legend keys only: the bars carry each member's own colour
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=label,
                marker={"symbol": "square", "size": 14, "color": colour},
            )
        )
    fig.update_layout(
        template=template(presentation),
        title=title,
        barmode="stack",
        legend={"orientation": "h", "yanchor": "top", "y": -0.38, "x": 0},
        margin={"b": 40},
        xaxis={"title": "tusen kr", "range": [0, _largest(d["realized"]) / 1e3 * 1.3]},
        height=110 + 50 * max(d.height, 1),
    )
    return fig


@responsive
@plotly_safe
def projected_vs_realized(
    df: pl.DataFrame, *, title: str, n: int = 15, presentation: bool = False
) -> go.Figure:
    """Per agreement (the ``n`` largest by projection): projected for the period (grey),
    realized (blue), and the loyalty-adjusted expectation (diamond)."""
    d = df.sort("projected", descending=True).head(n).sort("projected")
    labels = d["name"].to_list()
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=labels,
            x=(d["projected"] / 1e3).to_list(),
            orientation="h",
            name="Forventet (periode)",
            marker_color="#CBD2D9",
            hovertemplate="%{y}: forventet %{x:,.0f} tusen kr<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            y=labels,
            x=(d["realized"] / 1e3).to_list(),
            orientation="h",
            name="Realisert",
            marker_color=PRIMARY,
            hovertemplate="%{y}: realisert %{x:,.0f} tusen kr<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=(d["expected_loyalty"] / 1e3).to_list(),
            mode="markers",
            name="Forventet × lojalitet",
            marker={"symbol": "diamond", "size": 12, "color": PROJECTION, "line": {"width": 1}},
            hovertemplate="%{y}: forventet × lojalitet %{x:,.0f} tusen kr<extra></extra>",
        )
    )
    fig.update_layout(
        template=template(presentation),
        title=title,
        barmode="group",
        bargap=0.25,
        xaxis={"title": "tusen kr", "gridcolor": GRID},
        height=130 + 42 * max(d.height, 1),
    )
    return fig


def agreement_table(df: pl.DataFrame) -> pl.DataFrame:
    """The per-agreement table as displayed (Norwegian formats, Norwegian headings)."""
    rate = [
        fmt.pct(r, 1) if r is not None else "absolutt beløp" for r in df["savings_rate"].to_list()
    ]
    return pl.DataFrame(
        {
            "Avtale": df["name"],
            "Avtalenr.": df["ref"],
            "Type": [SAVINGS_TYPE_LABEL.get(t, t) for t in df["savings_type"].to_list()],
            "Gyldig": [
                f"{a:%d.%m.%Y}–{b:%d.%m.%Y}" for a, b in zip(df["start"], df["end"], strict=True)
            ],
            "Besparelsesgrad": rate,
            "Aktive dager i perioden": df["active_days"],
            "Forventet": [fmt.kr(v) for v in df["projected"].to_list()],
            "Avtalekjøp": [fmt.kr(v) for v in df["matched"].to_list()],
            "Realisert": [fmt.kr(v) for v in df["realized"].to_list()],
            "Lojalitet": [fmt.pct(v, 0) for v in df["loyalty"].to_list()],
            "Forventet × lojalitet": [fmt.kr(v) for v in df["expected_loyalty"].to_list()],
            "Status": [STATUS_LABELS.get(s, s) for s in df["status"].to_list()],
        }
    )


def municipality_table(df: pl.DataFrame) -> pl.DataFrame:
    total = float(df["realized"].sum()) if df.height else 0.0
    return pl.DataFrame(
        {
            "Kommune": df["municipality_name"],
            "Innkjøp": [fmt.kr(v) for v in df["spend"].to_list()],
            "Avtalekjøp": [fmt.kr(v) for v in df["matched"].to_list()],
            "Hard gevinst": [fmt.kr(v) for v in df["hard"].to_list()],
            "Kostnadsunngåelse": [fmt.kr(v) for v in df["avoidance"].to_list()],
            "Realisert i alt": [fmt.kr(v) for v in df["realized"].to_list()],
            "Andel": [fmt.pct(v / total if total else None) for v in df["realized"].to_list()],
        }
    )
