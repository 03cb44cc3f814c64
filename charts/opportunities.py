"""Figures and tables of the Muligheter page: frame in, figure (or display frame) out.

Every potential is an estimate; the figures say so in their axis titles and hover text.
Category names come from the editable category tree, so they are escaped for Plotly.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts import fmt
from charts.a11y import responsive, wrap
from charts.lang import tr
from charts.theme import NEUTRAL, POSITIVE, PRIMARY, WARNING, template
from data_access.store.escape import plotly_text

STATUS_COLOURS = {
    "eea_12": WARNING,
    "eea_48": "#E69F00",
    "national": PRIMARY,
    "regulation": "#56B4E9",
    "under": NEUTRAL,
}
STATUS_LEGEND = {
    "eea_12": "Over EØS-terskel (12 mnd.)",
    "eea_48": "Over EØS-terskel (48 mnd.)",
    "national": "Over nasjonal terskel",
    "regulation": "Over 100 000 kr",
    "under": "Under terskelverdiene",
}
STATUS_LEGEND_EN = {
    "eea_12": "Above the EEA threshold (12 months)",
    "eea_48": "Above the EEA threshold (48 months)",
    "national": "Above the national threshold",
    "regulation": "Above NOK 100,000",
    "under": "Below the thresholds",
}


@responsive
def potential_vs_addressable(
    df: pl.DataFrame, *, title: str, label_top: int = 3, presentation: bool = False
) -> go.Figure:
    """One bubble per category: spend outside agreements (x) against the estimated potential
    (y), both in mill. kr, the range (25th–75th percentile rate) as an error bar, the bubble's
    size the number of buying members, its colour the threshold status. The ``label_top``
    highest-ranked categories are named on the chart; all are named on hover.

    ``df`` is ``metrics.opportunities.rank``'s frame.
    """
    fig = go.Figure()
    if "rank" in df.columns:
        df = df.sort("rank")
    x_mid = max(df["addressable_12m"].to_list(), default=0.0) / 2
    for status, colour in STATUS_COLOURS.items():
        d = df.filter(pl.col("threshold_status") == status)
        if d.height == 0:
            continue
        names = [plotly_text(n) for n in d["category"].to_list()]
        ranks = d["rank"].to_list() if "rank" in d.columns else [None] * d.height
        fig.add_trace(
            go.Scatter(
                x=(d["addressable_12m"] / 1e6).to_list(),
                y=(d["potential"] / 1e6).to_list(),
                mode="markers+text",
                name=tr(STATUS_LEGEND[status], STATUS_LEGEND_EN[status]),
                marker={
                    "color": colour,
                    "size": [10 + 5 * int(m) for m in d["members"].to_list()],
                    "line": {"color": "white", "width": 1},
                    "opacity": 0.85,
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": ((d["potential_high"] - d["potential"]) / 1e6).to_list(),
                    "arrayminus": ((d["potential"] - d["potential_low"]) / 1e6).to_list(),
                    "color": colour,
                    "thickness": 1,
                    "width": 3,
                },
                text=[
                    # wrapped: a phone-wide plot has room for about 16 characters a line
                    wrap(f"{r}. {n}", 16) if r is not None and r <= label_top else ""
                    for r, n in zip(ranks, names, strict=True)
                ],
                # Names read away from the nearer edge, so neither axis end cuts them.
                textposition=[
                    "top left" if x > x_mid else "top right" for x in d["addressable_12m"].to_list()
                ],
                cliponaxis=False,
                customdata=list(
                    zip(
                        names,
                        d["members"].to_list(),
                        d["members_total"].to_list(),
                        (d["potential_low"] / 1e6).to_list(),
                        (d["potential_high"] / 1e6).to_list(),
                        strict=True,
                    )
                ),
                hovertemplate=tr(
                    "<b>%{customdata[0]}</b><br>Utenfor avtale siste 12 mnd.: %{x:,.1f} mill. kr"
                    "<br>Anslått potensial: %{y:,.2f} mill. kr "
                    "(%{customdata[3]:,.2f}–%{customdata[4]:,.2f}, anslag)"
                    "<br>%{customdata[1]} av %{customdata[2]} kommuner kjøper<extra></extra>",
                    "<b>%{customdata[0]}</b><br>Outside agreements, last 12 months: "
                    "NOK %{x:,.1f} million<br>Estimated potential: NOK %{y:,.2f} million "
                    "(%{customdata[3]:,.2f}–%{customdata[4]:,.2f}, estimate)"
                    "<br>%{customdata[1]} of %{customdata[2]} municipalities buy<extra></extra>",
                ),
            )
        )
    fig.update_layout(
        template=template(presentation),
        title=title,
        xaxis_title=tr(
            "Kjøp utenfor avtale siste 12 mnd. (mill. kr)",
            "Spend outside agreements, last 12 months (NOK million)",
        ),
        # In large type a long vertical title runs into the chart title: keep it short there.
        yaxis_title=tr("mill. kr per år (anslag)", "NOK million a year (estimate)")
        if presentation
        else tr(
            "Anslått besparelse per år (mill. kr, anslag)",
            "Estimated saving a year (NOK million, estimate)",
        ),
        height=560,
        legend_title_text=tr("Samlet mot terskel:", "Joint spend against thresholds:"),
        # the title above the items: beside them it pushes the last item past a phone's width
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "title_side": "top"},
    )
    if presentation:  # room below the axis for the legend in large type (and in exported PNGs)
        fig.update_layout(margin={"b": 190})
    # No "tozero": autorange pads for the bubbles, so a small category at the origin shows whole.
    return fig


@responsive
def target_gap_by_year(
    by_year: pl.DataFrame, *, title: str, start_label: str, presentation: bool = False
) -> go.Figure:
    """Stacked bars per year: expected realized saving without new tenders, and what the chosen
    candidates add from their start month (an estimate), with the yearly target as a line."""
    years = [str(y) for y in by_year["year"].to_list()]
    fig = go.Figure(
        [
            go.Bar(
                x=years,
                y=(by_year["baseline"] / 1e6).to_list(),
                name="Forventet realisert gevinst (dagens avtaler)",
                marker_color=PRIMARY,
                hovertemplate="%{x}: %{y:,.1f} mill. kr<extra>dagens avtaler</extra>",
            ),
            go.Bar(
                x=years,
                y=(by_year["added"] / 1e6).to_list(),
                name=f"Anslag for kandidatene fra {start_label}",
                marker_color=POSITIVE,
                hovertemplate="%{x}: +%{y:,.1f} mill. kr<extra>kandidatene (anslag)</extra>",
            ),
        ]
    )
    target = float(by_year["target"][0]) if by_year.height else 0.0
    if target:
        fig.add_hline(
            y=target / 1e6,
            line={"color": WARNING, "dash": "dash", "width": 2},
            annotation_text=f"Mål {fmt.mkr(target)} per år",
            annotation_position="top left",
        )
    fig.update_layout(
        template=template(presentation),
        title=title,
        barmode="stack",
        yaxis_title="mill. kr per år",
        height=440,
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
    )
    return fig


def ranked_table(df: pl.DataFrame) -> pl.DataFrame:
    """The ranked list for display: Norwegian headings and formats, estimates marked."""
    return pl.DataFrame(
        {
            "Rang": df["rank"],
            "Kategori": df["category"],
            "Potensial (anslag)": [fmt.mkr(v, 2) for v in df["potential"].to_list()],
            "Spenn (anslag)": [
                f"{fmt.mkr(lo, 2)} – {fmt.mkr(hi, 2)}"
                for lo, hi in zip(
                    df["potential_low"].to_list(), df["potential_high"].to_list(), strict=True
                )
            ],
            "Kommuner": [
                f"{m} av {t}"
                for m, t in zip(df["members"].to_list(), df["members_total"].to_list(), strict=True)
            ],
            "Leverandører": df["suppliers"],
            "Utenfor avtale 12 mnd.": [fmt.mkr(v) for v in df["addressable_12m"].to_list()],
            "Terskel": df["threshold_text"],
            "Utløper innen 12 mnd.": df["expiring"],
            "Begrunnelse": df["reasons"],
            "Utenfor avtale 48 mnd.": [fmt.mkr(v) for v in df["addressable_48m"].to_list()],
            "Sats r": [
                f"{fmt.pct(r)} ({'egne avtaler' if s == 'avtaler' else 'standard'})"
                for r, s in zip(df["rate"].to_list(), df["rate_source"].to_list(), strict=True)
            ],
            "Gruppe": df["category_l1"],
        },
        schema_overrides={"Rang": pl.Int64, "Leverandører": pl.Int64},
    )


def supplier_table(df: pl.DataFrame) -> pl.DataFrame:
    """The category's suppliers outside agreements (``opportunities.category_suppliers``)."""
    return pl.DataFrame(
        {
            "Leverandør": df["supplier_name"],
            "Organisasjonsnr.": df["orgnr"].fill_null(""),
            "Kommuner": df["municipalities"],
            "Utenfor avtale 12 mnd.": [fmt.kr(v) for v in df["addressable_12m"].to_list()],
            "Andel": [fmt.pct(v) for v in df["share"].to_list()],
        },
        schema_overrides={"Kommuner": pl.Int64},
    )
