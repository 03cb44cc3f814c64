"""Oversikt: the headline figures and three standard charts for the selected filters."""

from __future__ import annotations

import streamlit as st

from charts import fmt
from charts import overview as charts
from data_access.metrics import overview
from ui import context, definitions, page
from ui.i18n import t

DEFINITIONS = definitions.translated(definitions.OVERVIEW)


def render() -> None:
    ctx = context.current()
    f, token, cube = ctx.filters, ctx.token, ctx.cube
    target = context.agreement_data(ctx).yearly_target_nok
    h = overview.headline(cube, f, ctx.reference.savings_factors, target)

    st.title(t("Oversikt"))
    st.caption(page.scope_text(f, token))

    c1, c2, c3 = st.columns(3, border=True)
    c1.metric(
        t("Innkjøp totalt"),
        fmt.mkr(h.spend),
        delta=f"{fmt.change(h.change)} fra året før" if h.change is not None else None,
        help=DEFINITIONS["spend"] + " " + DEFINITIONS["change"],
    )
    c2.metric(t("Regional andel"), fmt.pct(h.regional_share), help=DEFINITIONS["regional"])
    c3.metric(t("Avtaledekning"), fmt.pct(h.contract_coverage), help=DEFINITIONS["coverage"])
    c4, c5, c6 = st.columns(3, border=True)
    c4.metric(
        t("Realisert gevinst"),
        fmt.mkr(h.realized_saving),
        delta=f"{fmt.pct(h.savings_vs_target, 0)} av målet ({fmt.mkr(h.savings_target)})",
        delta_color="off",
        delta_arrow="off",
        help=DEFINITIONS["savings"],
    )
    c5.metric(
        t("E-handelsandel"),
        fmt.pct(h.ehandel_share),
        delta=f"{fmt.pct(h.ehandel_line_share)} av fakturalinjene",
        delta_color="off",
        delta_arrow="off",
        help=DEFINITIONS["ehandel"],
    )
    c6.metric(t("Kjøp fra offentlige"), fmt.mkr(h.intra_public), help=DEFINITIONS["intra"])

    by_muni = overview.spend_by_municipality(cube, f)
    cats = overview.top_categories(cube, f)
    trend = overview.trend_by_quarter(cube, f)
    left, right = st.columns(2)
    with left:
        title = t("Innkjøp per kommune")
        fig = (
            charts.spend_by_municipality(by_muni, title=title)
            if by_muni.height
            else charts.empty(title)
        )
        st.plotly_chart(fig, theme=None, key="chart_municipality")
    with right:
        title = t("Største kategorier")
        fig = charts.top_categories(cats, title=title) if cats.height else charts.empty(title)
        st.plotly_chart(fig, theme=None, key="chart_categories")
    title = t("Innkjøp per kvartal") + " " + t("(valgt periode uthevet)")
    fig = charts.trend_by_quarter(trend, title=title) if trend.height else charts.empty(title)
    st.plotly_chart(fig, theme=None, key="chart_trend")

    page.footer(
        f,
        token,
        "Uklassifisert kjøp og leverandører med ukjent hjemkommune er med i totalene; "
        f"regional andel regnes av kjøp med kjent hjemkommune ({fmt.pct(h.unknown_home_share)} "
        "ukjent er holdt utenfor).",
    )


render()
