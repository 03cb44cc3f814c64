"""Gevinster: realized savings against the yearly target, per year, per member, per agreement."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from charts import fmt, registry
from charts import overview as base
from charts import savings as charts
from charts.registry import BuiltChart
from data_access.admin.agreements import set_savings_target
from data_access.metrics import savings
from data_access.metrics.savings_summary import savings_figures
from ui import chart_view, context, definitions, page
from ui.i18n import t

KEY = page.Keys("sav")

DEFINITIONS = definitions.translated(definitions.SAVINGS)


def _tiles(
    h: savings.SavingsHeadline,
    projection: dict[str, float | int] | None,
    target: float,
    in_view: frozenset[str] | None,
) -> None:
    c1, c2, c2b, c3, c4 = st.columns(5)
    c1.metric(
        t("Realisert gevinst"),
        fmt.mkr(h.realized),
        delta=f"{fmt.pct(h.vs_target, 0)} {t('av')} "
        + (
            t("samarbeidets mål")
            if in_view is not None
            else f"{t('målet')} ({fmt.mkr(h.period_target)})"
        ),
        delta_color="off",
        delta_arrow="off",
        help=DEFINITIONS["realized"]
        + " "
        + DEFINITIONS["target"]
        + " "
        + t("Målet for perioden er {target}.").format(target=fmt.mkr(h.period_target)),
    )
    c2.metric(t("Hard gevinst"), fmt.mkr(h.hard), help=DEFINITIONS["hard"])
    c2b.metric(t("Kostnadsunngåelse"), fmt.mkr(h.avoidance), help=DEFINITIONS["hard"])
    c3.metric(t("Forventet i perioden"), fmt.mkr(h.projected), help=DEFINITIONS["projected"])
    c4.metric(
        t("Forventet × lojalitet"),
        fmt.mkr(h.expected),
        help=DEFINITIONS["projected"] + " " + DEFINITIONS["loyalty"],
    )
    if in_view is not None:  # PRODUCT §4: a member is measured against its part of the target
        ctx = context.current()
        share = context.target_share(ctx, ctx.filters, in_view)
        part = h.period_target * share
        st.caption(
            f"{t('Mot kommunenes del av målet')}: {fmt.pct(h.realized / part if part else None, 0)}"
            f" {t('av')} {fmt.mkr(part)} ({fmt.pct(share)} {t('av medlemmenes felles innkjøp')})."
        )
    if projection is not None:
        st.info(
            t(
                "**{year}:** {to_date} realisert til og med {month}. Med snittet for de siste "
                "12 månedene ({average} per måned) blir året **{year_end}** – {share} av "
                "{goal} på {target}."
            ).format(
                year=projection["year"],
                to_date=fmt.mkr(float(projection["to_date"])),
                month=fmt.month(int(projection["last_month"])),
                average=fmt.mkr(float(projection["monthly_average"])),
                year_end=fmt.mkr(float(projection["projected_year_end"])),
                share=fmt.pct(float(projection["projected_year_end"]) / target, 0),
                goal=t("samarbeidets mål") if in_view is not None else t("målet"),
                target=fmt.mkr(target),
            )
        )


def _target_editor(ctx: context.PageContext, target: float) -> None:
    sc = ctx.scope
    with st.expander(t("Endre årlig gevinstmål")):
        value = st.number_input(
            t("Årlig gevinstmål (kr)"),
            min_value=0,
            value=int(target),
            step=100_000,
            key=KEY("target"),
        )
        if st.button(t("Lagre mål"), key=KEY("target_save")):
            try:
                with ctx.engine.begin() as conn:
                    set_savings_target(conn, float(value), sc)
                st.success(t("Målet er nå {target} per år.").format(target=fmt.mkr(float(value))))
                st.rerun()
            except (ValueError, PermissionError) as e:
                st.error(t(str(e)))


def _per_municipality(r: Results) -> None:
    st.subheader(t("Gevinst per medlemskommune"))
    by_muni = r.by_municipality.frame
    left, right = st.columns([3, 2])
    with left:
        chart_view.show(r.by_municipality, key="sav_by_muni")
        st.caption(
            t("Hver kommunes gevinst regnes av kommunens egne avtalekjøp; summen er totalen.")
        )
    with right:
        st.dataframe(charts.municipality_table(by_muni), hide_index=True, width="stretch")


def _per_agreement(r: Results, in_view: frozenset[str] | None) -> None:
    st.subheader(t("Gevinst per avtale"))
    per_agreement = r.per_agreement
    chart_view.show(r.per_agreement_chart, key="sav_per_agreement")
    st.caption(DEFINITIONS["projected"] + " " + DEFINITIONS["loyalty"])
    none = per_agreement.filter(per_agreement["status"] == "no_purchases").height
    if none:
        st.warning(
            t(
                "{n} aktive avtaler har ingen avtalekjøp i utvalget – de står nederst i tabellen."
            ).format(n=none)
        )
    st.dataframe(charts.agreement_table(per_agreement), hide_index=True, width="stretch")
    if in_view is not None:
        st.caption(
            t(
                "Forventet gevinst er avtalens anslag fordelt på deltakerkommunene etter innbyggertall; "
                "realisert gevinst og lojalitet gjelder kommunene i utvalget. Gevinstmålet gjelder "
                "hele samarbeidet."
            )
        )


def _in_view(ctx: context.PageContext) -> frozenset[str] | None:
    """The municipalities the figures are about: the filter's, else the scope's (None = all)."""
    f = ctx.filters
    return frozenset(f.municipalities) if f.municipalities else ctx.scope.municipalities


@dataclass(frozen=True)
class Results:
    """Headline, projection, charts and tables for one selection."""

    headline: savings.SavingsHeadline
    projection: dict[str, float | int] | None
    by_year: BuiltChart
    cumulative: BuiltChart
    by_municipality: BuiltChart
    per_agreement: pl.DataFrame
    per_agreement_chart: BuiltChart


def compute(ctx: context.PageContext) -> Results:
    """Everything the page shows (cached per selection by ``context.page_result``): from the
    cube, or above the threshold from the database's sums (``context.savings_rows``)."""
    f, agreements = ctx.filters, ctx.reference.agreements
    ad = context.agreement_data(ctx)
    target = ad.yearly_target_nok
    in_view = _in_view(ctx)
    fig = savings_figures(
        context.savings_rows(ctx),
        f,
        agreements=agreements,
        parties=ad.parties,
        participants=ad.participants,
        population=ad.population,
        yearly_target=target,
        in_view=in_view,
    )
    monthly, yearly, projection = fig.monthly, fig.yearly, fig.projection
    by_muni, per_agreement = fig.by_municipality, fig.per_agreement
    whole = in_view is not None
    title = t("Realisert gevinst per år mot målet")
    by_year = (
        charts.realized_by_year(yearly, target, projection, title=title, whole_target=whole)
        if yearly.height
        else base.empty(title)
    )
    title = t("Akkumulert gevinst gjennom året")
    cumulative = (
        charts.cumulative_by_month(monthly, target, projection, title=title, whole_target=whole)
        if monthly.height
        else base.empty(title)
    )
    title = t("Forventet og realisert gevinst per avtale i perioden")
    per_agreement_fig = (
        charts.projected_vs_realized(per_agreement, title=title)
        if per_agreement.height
        else base.empty(title)
    )
    return Results(
        headline=savings.savings_headline(by_muni, per_agreement, target, f),
        projection=projection,
        by_year=registry.adhoc("sav_by_year", by_year, yearly),
        cumulative=registry.adhoc("sav_cumulative", cumulative, monthly),
        by_municipality=registry.from_frame("gevinst", by_muni),
        per_agreement=per_agreement,
        per_agreement_chart=registry.adhoc("sav_per_agreement", per_agreement_fig, per_agreement),
    )


def render() -> None:
    ctx = context.current()
    f, token, sc = ctx.filters, ctx.token, ctx.scope
    target = context.agreement_data(ctx).yearly_target_nok

    st.title(t("Gevinster"))
    st.caption(page.scope_text(f, token))
    r = context.page_result(ctx, "gevinster", compute)
    in_view = _in_view(ctx)

    _tiles(r.headline, r.projection, target, in_view)

    chart_view.show(r.by_year, key="sav_by_year")
    st.caption(
        t(
            "Hvert år fra 2019 med den valgte kommune-, kategori- og områdeavgrensningen "
            "(perioden velger ikke år her)."
        )
        + " "
        + DEFINITIONS["realized"]
    )
    chart_view.show(r.cumulative, key="sav_cumulative")
    st.caption(
        t(
            "Linjene viser hvor mye som er spart hittil i hvert år, måned for måned; inneværende år er "
            "uthevet, og den prikkede linjen fremskriver det til desember."
        )
    )

    _per_municipality(r)

    _per_agreement(r, in_view)

    if sc.role == "admin":
        _target_editor(ctx, target)

    page.footer(
        f,
        token,
        "Gevinst regnes av kjøp (KOSTRA-kjøpskontoer) som er knyttet til en aktiv avtale; "
        "uklassifisert kjøp og ukjente leverandører er med.",
    )


render()
