"""Oversikt: the headline figures and three standard charts for the selected filters."""

from __future__ import annotations

import streamlit as st

from charts import fmt
from ui import chart_view, context, definitions, page
from ui.i18n import t

DEFINITIONS = definitions.translated(definitions.OVERVIEW)


def render() -> None:
    ctx = context.current()
    f, token = ctx.filters, ctx.token
    target = context.agreement_data(ctx).yearly_target_nok
    # A member's view is measured against its part of the target (PRODUCT §4).
    in_view = frozenset(f.municipalities) if f.municipalities else ctx.scope.municipalities
    target *= context.target_share(ctx, f, in_view)
    h = context.headline(ctx, target)

    st.title(t("Oversikt"))
    st.caption(page.scope_text(f, token))

    c1, c2, c3 = st.columns(3, border=True)
    c1.metric(
        t("Innkjøp totalt"),
        fmt.mkr(h.spend),
        delta=f"{fmt.change(h.change)} {t('fra året før')}" if h.change is not None else None,
        help=t(DEFINITIONS["spend"]) + " " + t(DEFINITIONS["change"]),
    )
    c2.metric(t("Regional andel"), fmt.pct(h.regional_share), help=t(DEFINITIONS["regional"]))
    c3.metric(t("Avtaledekning"), fmt.pct(h.contract_coverage), help=t(DEFINITIONS["coverage"]))
    c4, c5, c6 = st.columns(3, border=True)
    c4.metric(
        t("Realisert gevinst"),
        fmt.mkr(h.realized_saving),
        delta=f"{fmt.pct(h.savings_vs_target, 0)} "
        + (t("av kommunens del av målet") if in_view is not None else t("av målet"))
        + f" ({fmt.mkr(h.savings_target)})",
        delta_color="off",
        delta_arrow="off",
        help=t(DEFINITIONS["savings"]),
    )
    c5.metric(
        t("E-handelsandel"),
        fmt.pct(h.ehandel_share),
        delta=f"{fmt.pct(h.ehandel_line_share)} {t('av fakturalinjene')}",
        delta_color="off",
        delta_arrow="off",
        help=t(DEFINITIONS["ehandel"]),
    )
    c6.metric(t("Kjøp fra offentlige"), fmt.mkr(h.intra_public), help=t(DEFINITIONS["intra"]))

    left, right = st.columns(2)
    with left:
        chart_view.show("kommuner", key="chart_municipality", f=f, token=token)
    with right:
        chart_view.show("kategorier", key="chart_categories", f=f, token=token)
    chart_view.show("kvartal", key="chart_trend", f=f, token=token)

    page.footer(
        f,
        token,
        t(
            "Uklassifisert kjøp og leverandører med ukjent hjemkommune er med i totalene; "
            "regional andel regnes av kjøp med kjent hjemkommune ({unknown} ukjent er holdt "
            "utenfor)."
        ).format(unknown=fmt.pct(h.unknown_home_share)),
    )


render()
