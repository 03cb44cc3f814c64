"""Figures of the Gevinster page: Polars frame in, Plotly figure out (no Streamlit here).

Amounts are drawn in millions of NOK (the unit a council talks in), the yearly target is always
a labelled horizontal line, and hard savings and cost avoidance keep one colour each everywhere.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts import fmt
from charts.a11y import responsive, set_key_number
from charts.lang import tr
from charts.spans import hline
from charts.spend import BARS, of_many
from charts.theme import GRID, INK, NEUTRAL, PRIMARY, WARNING, municipality_colour, themed
from data_access.store.escape import plotly_safe

HARD = PRIMARY
AVOIDANCE = "#56B4E9"
PROJECTION = "#E69F00"
# What a reader sees for a savings type and an agreement's status (data values are English):
# (bokmål, English).
SAVINGS_TYPE_LABEL = {
    "hard": ("Hard gevinst", "Hard savings"),
    "avoidance": ("Kostnadsunngåelse", "Cost avoidance"),
}
STATUS_LABELS = {
    "no_purchases": ("Ingen avtalekjøp", "No agreement purchases"),
    "no_projection": ("Mangler anslag", "No projection"),
    "above_expected": ("Over forventet", "Above projection"),
    "below_expected": ("Under forventet", "Below projection"),
}


def _label(labels: dict[str, tuple[str, str]], key: str) -> str:
    return tr(*labels[key]) if key in labels else key


def _largest(values: pl.Series) -> float:
    """The largest value of a numeric column, 1 when there is none (an axis needs a range)."""
    top = values.max()
    return float(top) if isinstance(top, int | float) and top else 1.0


def _mill(v: float) -> str:
    return fmt.number(v / 1e6, 1)


def _target_line(fig: go.Figure, target: float, presentation: bool, whole: bool = False) -> None:
    """The yearly target as a dashed red line; ``whole`` says it is the whole cooperation's
    target while the bars show only some members."""
    label = tr("Samarbeidets mål", "The cooperation's target") if whole else tr("Mål", "Target")
    hline(
        fig,
        target / 1e6,
        line={"color": WARNING, "width": 3, "dash": "dash"},
        annotation={
            "text": tr(
                f"{label} {_mill(target)} mill. kr per år",
                f"{label} NOK {_mill(target)} million a year",
            ),
            "font": {"color": WARNING, "size": 20 if presentation else 14},
            "bgcolor": "rgba(255,255,255,0.8)",
        },
        position="top left",
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
            name=tr("Hard gevinst", "Hard savings"),
            marker_color=HARD,
            hovertemplate=tr(
                "%{x}: %{y:,.2f} mill. kr hard gevinst<extra></extra>",
                "%{x}: NOK %{y:,.2f} million hard savings<extra></extra>",
            ),
        )
    )
    fig.add_trace(
        go.Bar(
            x=years,
            y=(yearly["avoidance"] / 1e6).to_list(),
            name=tr("Kostnadsunngåelse", "Cost avoidance"),
            marker_color=AVOIDANCE,
            hovertemplate=tr(
                "%{x}: %{y:,.2f} mill. kr kostnadsunngåelse<extra></extra>",
                "%{x}: NOK %{y:,.2f} million cost avoidance<extra></extra>",
            ),
        )
    )
    if projection is not None:
        rest = float(projection["projected_year_end"]) - float(projection["to_date"])
        fig.add_trace(
            go.Bar(
                x=[str(projection["year"])],
                y=[rest / 1e6],
                name=tr("Fremskrevet resten av året", "Projected rest of the year"),
                marker={"color": "rgba(0,0,0,0)", "line": {"color": PROJECTION, "width": 2}},
                marker_pattern_shape="/",
                marker_pattern_fgcolor=PROJECTION,
                hovertemplate=tr(
                    "%{x}: + %{y:,.2f} mill. kr fremskrevet<extra></extra>",
                    "%{x}: + NOK %{y:,.2f} million projected<extra></extra>",
                ),
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
        **themed(fig, presentation),
        title=title,
        barmode="stack",
        yaxis={"title": tr("mill. kr", "NOK million"), "range": [0, top / 1e6 * 1.15]},
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
                x=[fmt.month(m) for m in g["month_no"].to_list()],
                y=(g["cum_realized"] / 1e6).to_list(),
                name=str(y),
                mode="lines+markers" if strong else "lines",
                line={"color": PRIMARY if strong else NEUTRAL, "width": 4 if strong else 1.5},
                opacity=1.0 if strong else 0.45 + 0.5 * (y - years[0]) / max(len(years), 1),
                hovertemplate=tr(
                    f"{y} %{{x}}: %{{y:,.2f}} mill. kr hittil i året<extra></extra>",
                    f"{y} %{{x}}: NOK %{{y:,.2f}} million so far this year<extra></extra>",
                ),
            )
        )
    if projection is not None:
        m0 = int(projection["last_month"])
        fig.add_trace(
            go.Scatter(
                x=[fmt.month(m0), fmt.month(12)],
                y=[
                    float(projection["to_date"]) / 1e6,
                    float(projection["projected_year_end"]) / 1e6,
                ],
                name=f"{tr('Fremskriving', 'Projection')} {projection['year']}",
                mode="lines+markers",
                line={"color": PROJECTION, "width": 3, "dash": "dot"},
                hovertemplate=tr(
                    "Fremskrevet %{x}: %{y:,.2f} mill. kr<extra></extra>",
                    "Projected %{x}: NOK %{y:,.2f} million<extra></extra>",
                ),
            )
        )
    _target_line(fig, target, presentation, whole_target)
    top = max([target, *(monthly["cum_realized"].to_list() or [0.0])])
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        xaxis={"categoryorder": "array", "categoryarray": list(fmt.months()), "type": "category"},
        yaxis={
            "title": tr("mill. kr, akkumulert i året", "NOK million, cumulative in the year"),
            "range": [0, top / 1e6 * 1.12],
        },
        height=460,
    )
    if last is not None:
        now = monthly.filter(pl.col("year") == last).sort("month_no")
        so_far = _mill(float(now["cum_realized"][-1]))
        set_key_number(
            fig,
            tr(
                f"{last}: {so_far} mill. kr hittil i året",
                f"{last}: NOK {so_far} million so far this year",
            ),
        )
    return fig


@responsive
@plotly_safe
def by_municipality(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Horizontal stacked bars per member (hard, avoidance), each member's own colour as the
    bar outline, largest on top; at most :data:`charts.spend.BARS` municipalities, the title
    saying which when there are more (a national scope: 357 bars were 18 000 px tall)."""
    d = df.sort("realized")
    if d.height > BARS:
        title = of_many(title, BARS, d.height)
        d = d.tail(BARS)
    names = d["municipality_name"].to_list()
    colours = [municipality_colour(c) for c in d["municipality_now"].to_list()]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=names,
            x=(d["hard"] / 1e3).to_list(),
            orientation="h",
            name=tr("Hard gevinst", "Hard savings"),
            showlegend=False,
            marker={"color": colours, "line": {"color": colours, "width": 1}},
            hovertemplate=tr(
                "%{y}: %{x:,.0f} tusen kr hard gevinst<extra></extra>",
                "%{y}: NOK %{x:,.0f} thousand hard savings<extra></extra>",
            ),
        )
    )
    fig.add_trace(
        go.Bar(
            y=names,
            x=(d["avoidance"] / 1e3).to_list(),
            orientation="h",
            name=tr("Kostnadsunngåelse", "Cost avoidance"),
            showlegend=False,
            marker={"color": colours, "opacity": 0.45, "line": {"color": colours, "width": 1}},
            text=[
                tr(f"{fmt.number(v / 1e3)} tusen kr", f"NOK {fmt.number(v / 1e3)} thousand")
                for v in d["realized"]
            ],
            textposition="outside",
            hovertemplate=tr(
                "%{y}: %{x:,.0f} tusen kr kostnadsunngåelse<extra></extra>",
                "%{y}: NOK %{x:,.0f} thousand cost avoidance<extra></extra>",
            ),
        )
    )
    for label, colour in (
        (tr("Hard gevinst (mørk)", "Hard savings (dark)"), "#52606D"),
        (tr("Kostnadsunngåelse (lys)", "Cost avoidance (light)"), "#C5CDD5"),
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
        **themed(fig, presentation),
        title=title,
        barmode="stack",
        margin={"b": 40},
        xaxis={
            "title": tr("tusen kr", "NOK thousand"),
            "range": [0, _largest(d["realized"]) / 1e3 * 1.3],
        },
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
            name=tr("Forventet (periode)", "Projected (period)"),
            marker_color="#CBD2D9",
            hovertemplate=tr(
                "%{y}: forventet %{x:,.0f} tusen kr<extra></extra>",
                "%{y}: projected NOK %{x:,.0f} thousand<extra></extra>",
            ),
        )
    )
    fig.add_trace(
        go.Bar(
            y=labels,
            x=(d["realized"] / 1e3).to_list(),
            orientation="h",
            name=tr("Realisert", "Realized"),
            marker_color=PRIMARY,
            hovertemplate=tr(
                "%{y}: realisert %{x:,.0f} tusen kr<extra></extra>",
                "%{y}: realized NOK %{x:,.0f} thousand<extra></extra>",
            ),
        )
    )
    fig.add_trace(
        go.Scatter(
            y=labels,
            x=(d["expected_loyalty"] / 1e3).to_list(),
            mode="markers",
            name=tr("Forventet × lojalitet", "Projected × loyalty"),
            marker={"symbol": "diamond", "size": 12, "color": PROJECTION, "line": {"width": 1}},
            hovertemplate=tr(
                "%{y}: forventet × lojalitet %{x:,.0f} tusen kr<extra></extra>",
                "%{y}: projected × loyalty NOK %{x:,.0f} thousand<extra></extra>",
            ),
        )
    )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        barmode="group",
        bargap=0.25,
        xaxis={"title": tr("tusen kr", "NOK thousand"), "gridcolor": GRID},
        height=130 + 42 * max(d.height, 1),
    )
    return fig


def agreement_table(df: pl.DataFrame) -> pl.DataFrame:
    """The per-agreement table as displayed: headings, formats and labels in the current
    language."""
    rate = [
        fmt.pct(r, 1) if r is not None else tr("absolutt beløp", "absolute amount")
        for r in df["savings_rate"].to_list()
    ]
    return pl.DataFrame(
        {
            tr("Avtale", "Agreement"): df["name"],
            tr("Avtalenr.", "Agreement no."): df["ref"],
            "Type": [_label(SAVINGS_TYPE_LABEL, t) for t in df["savings_type"].to_list()],
            tr("Gyldig", "Valid"): [
                f"{a:%d.%m.%Y}–{b:%d.%m.%Y}" for a, b in zip(df["start"], df["end"], strict=True)
            ],
            tr("Besparelsesgrad", "Savings rate"): rate,
            tr("Aktive dager i perioden", "Active days in the period"): df["active_days"],
            tr("Forventet", "Projected"): [fmt.kr(v) for v in df["projected"].to_list()],
            tr("Avtalekjøp", "Agreement purchases"): [fmt.kr(v) for v in df["matched"].to_list()],
            tr("Realisert", "Realized"): [fmt.kr(v) for v in df["realized"].to_list()],
            tr("Lojalitet", "Loyalty"): [fmt.pct(v, 0) for v in df["loyalty"].to_list()],
            tr("Forventet × lojalitet", "Projected × loyalty"): [
                fmt.kr(v) for v in df["expected_loyalty"].to_list()
            ],
            "Status": [_label(STATUS_LABELS, s) for s in df["status"].to_list()],
        }
    )


def municipality_table(df: pl.DataFrame) -> pl.DataFrame:
    """Savings per member as displayed, in the current language."""
    total = float(df["realized"].sum()) if df.height else 0.0
    return pl.DataFrame(
        {
            tr("Kommune", "Municipality"): df["municipality_name"],
            tr("Innkjøp", "Spend"): [fmt.kr(v) for v in df["spend"].to_list()],
            tr("Avtalekjøp", "Agreement purchases"): [fmt.kr(v) for v in df["matched"].to_list()],
            tr("Hard gevinst", "Hard savings"): [fmt.kr(v) for v in df["hard"].to_list()],
            tr("Kostnadsunngåelse", "Cost avoidance"): [
                fmt.kr(v) for v in df["avoidance"].to_list()
            ],
            tr("Realisert i alt", "Realized in total"): [
                fmt.kr(v) for v in df["realized"].to_list()
            ],
            tr("Andel", "Share"): [
                fmt.pct(v / total if total else None) for v in df["realized"].to_list()
            ],
        }
    )
