"""Regionalt næringsliv: how much of the spend stays with business in the buying municipality
and the region — per municipality, per category, over time, as flows, SME share, sub-units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
import streamlit as st

from charts import fmt, registry
from charts import regional as charts
from charts.overview import empty
from charts.registry import BuiltChart
from data_access.metrics import regional
from data_access.store.reference import Region, member_codes_now, region
from ui import chart_view, context, definitions, page
from ui.i18n import t

KEY = page.Keys("reg")

INCLUDED = t(definitions.REGIONAL_INCLUDED)
LEVELS_DEF = t(definitions.REGIONAL_HOME)


def _plot(fig_fn, frame: pl.DataFrame, title: str, key: str, **kw) -> BuiltChart:
    """A page chart with its frame, built inside :func:`compute` (so cached with it)."""
    fig = fig_fn(frame, title=title, **kw) if frame.height else empty(title)
    return registry.adhoc(key, fig, frame)


def _show(built: BuiltChart, caption: str) -> None:
    chart_view.show(built, key=built.spec.id)
    st.caption(caption)


@dataclass(frozen=True)
class Results:
    """Tiles, charts and the alternatives table for one selection."""

    row: dict[str, Any]
    sme_row: dict[str, Any]
    by_municipality: BuiltChart
    by_category: BuiltChart
    over_time: BuiltChart
    flows: BuiltChart
    sme: BuiltChart
    locations: BuiltChart | None  # None: no supplier in the selection has sub-units
    n_with_subunits: int
    alternatives: pl.DataFrame


@dataclass(frozen=True)
class Frames:
    """The page's figures as frames, from the cube or (above the threshold) from the sums the
    database made (``data_access.pushdown_regional``) — the same frames either way."""

    total: pl.DataFrame
    by_municipality: pl.DataFrame
    by_category: pl.DataFrame
    over_time: pl.DataFrame
    flows: pl.DataFrame
    sme: pl.DataFrame
    sme_by_municipality: pl.DataFrame
    locations: pl.DataFrame
    alternatives: pl.DataFrame


def _frames(ctx: context.PageContext, member_names: dict[str, str]) -> Frames:
    f, reg = ctx.filters, region()
    members = member_codes_now()
    locations = context.analysis_reference(ctx).locations
    if ctx.in_database:  # a national scope: summed by the database, no cube in the app
        rows, history = context.regional_rows_and_history(ctx, member_names, reg.sme_max_employees)
        return Frames(
            total=regional.levels_of(rows.levels),
            by_municipality=regional.levels_of(rows.levels, "municipality"),
            by_category=regional.levels_of(rows.levels, "category"),
            over_time=regional.levels_over_time_of(history, f),
            flows=regional.flows_of(rows.flows, member_names),
            sme=regional.sme_of(rows.sizes),
            sme_by_municipality=regional.sme_of(rows.sizes, "municipality"),
            locations=regional.location_comparison_of(
                rows.locations, locations, members, reg.county
            ),
            alternatives=regional.alternatives_of(rows.far, context.regional_in_use(ctx, members)),
        )
    cube = ctx.cube
    return Frames(
        total=regional.levels(cube, f),
        by_municipality=regional.levels(cube, f, by="municipality"),
        by_category=regional.levels(cube, f, by="category"),
        over_time=regional.levels(cube, f, by="quarter"),
        flows=regional.flows(cube, f, member_names),
        sme=regional.sme(cube, f, reg.sme_max_employees),
        sme_by_municipality=regional.sme(cube, f, reg.sme_max_employees, by="municipality"),
        locations=regional.location_comparison(cube, f, locations, members, reg.county),
        alternatives=regional.regional_alternatives(cube, f, members),
    )


def compute(ctx: context.PageContext) -> Results:
    """Everything the page shows (cached per selection by ``context.page_result``)."""
    munis = ctx.reference.municipalities
    member_names = dict(
        munis.filter(pl.col("is_member") & (pl.col("code") == pl.col("current_code")))
        .sort("code")
        .select("code", "name")
        .iter_rows()
    )
    fr = _frames(ctx, member_names)
    sme_row = fr.sme.row(0, named=True) if fr.sme.height else {}
    cmp = charts.label_locations(fr.locations)
    n_sub = int(cmp["n_suppliers_with_subunits"][0]) if cmp.height else 0
    return Results(
        row=fr.total.row(0, named=True) if fr.total.height else {},
        sme_row=sme_row,
        by_municipality=registry.from_frame("regionalt", fr.by_municipality),
        by_category=_plot(
            charts.levels_stacked,
            fr.by_category.sort("total", descending=True),
            t("Hvor kjøpene i hver kategori går"),
            "reg_chart_category",
            label="category",
        ),
        over_time=_plot(
            charts.levels_over_time,
            fr.over_time,
            t("Utvikling per kvartal (valgt periode markert)"),
            "reg_chart_time",
        ),
        flows=_plot(
            charts.flow_matrix,
            charts.label_flows(fr.flows),
            t("Pengestrømmer: kjøpende kommune × leverandørens hjemkommune"),
            "reg_chart_flows",
        ),
        sme=_plot(
            charts.sme_by_municipality,
            fr.sme_by_municipality,
            t("Andel hos små og mellomstore leverandører (SMB)"),
            "reg_chart_sme",
            overall=sme_row.get("sme_share"),
        ),
        locations=(
            _plot(
                charts.location_comparison,
                cmp,
                t("Hovedkontor eller lokal avdeling?"),
                "reg_chart_locations",
            )
            if n_sub
            else None
        ),
        n_with_subunits=n_sub,
        alternatives=fr.alternatives,
    )


def _tiles(row: dict[str, Any], sme_row: dict[str, Any], reg: Region) -> None:
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(
        t("Regional andel"),
        fmt.pct(row.get("regional_share")),
        help=t(definitions.REGIONAL_HELP["regional"]) + " " + LEVELS_DEF,
    )
    m2.metric(
        t("I egen kommune"),
        fmt.pct(row.get("same_share")),
        help=t("Andel av alle kjøp hos leverandører i kjøpende kommune."),
    )
    m3.metric(
        t("Små og mellomstore (SMB)"),
        fmt.pct(sme_row.get("sme_share")),
        help=t(definitions.REGIONAL_HELP["sme"]).format(n=reg.sme_max_employees),
    )
    m4.metric(
        t("Ukjent hjemkommune"),
        fmt.pct(row.get("unknown_share")),
        help=t(definitions.REGIONAL_HELP["unknown"]),
    )


def _level_charts(r: Results, reg: Region) -> None:
    level_caption = (
        t(
            "Andel av kjøpene på de fem nivåene: egen kommune, annen medlemskommune, resten av "
            "{county}, resten av Norge, utlandet eller ukjent."
        ).format(county=reg.county_name)
        + f" {LEVELS_DEF} {INCLUDED}"
    )
    _show(r.by_municipality, level_caption)
    _show(r.by_category, level_caption + " " + t("Største kategori øverst."))
    _show(r.over_time, level_caption)


def _sme_and_locations(r: Results, reg: Region) -> None:
    left, right = st.columns(2)
    with left:
        _show(
            r.sme,
            t(
                "Kjøp hos leverandører med færre enn {n} ansatte, av kjøp der antall ansatte "
                "er kjent ({unknown} ukjent, holdt utenfor). Uklassifisert kjøp er med."
            ).format(n=reg.sme_max_employees, unknown=fmt.pct(r.sme_row.get("unknown_share"))),
        )
    with right:
        if r.locations is None:
            st.markdown(f"**{t('Etter avdelingens beliggenhet (underenheter)')}**")
            st.info(
                t(
                    "Ingen av leverandørene i utvalget har registrerte underenheter ennå. Last inn "
                    "Enhetsregisterets fil over underenheter for å se om kjøp fra nasjonale "
                    "firma går til en lokal avdeling."
                )
            )
        else:
            _show(
                r.locations,
                t(
                    "Samme kjøp fordelt etter hovedkontorets og etter nærmeste registrerte "
                    "avdelings beliggenhet ({n} leverandører har underenheter)."
                ).format(n=r.n_with_subunits)
                + f" {INCLUDED}",
            )


def _alternatives(alt: pl.DataFrame) -> None:
    st.subheader(t("Store kjøp utenfor regionen der regionale alternativer finnes"))
    if alt.height:
        st.dataframe(
            alt.head(30).with_columns(
                pl.col("amount").round(0), level=charts.level_label(pl.col("level"))
            ),
            column_config={
                "category_l1": t("Hovedkategori"),
                "category": t("Kategori"),
                "supplier_name": t("Leverandør"),
                "orgnr": t("Org.nr."),
                "nace": t("Næringskode"),
                "amount": st.column_config.NumberColumn(t("Beløp (kr)"), format="localized"),
                "level": t("Hjemsted"),
                "n_alternatives": st.column_config.NumberColumn(t("Regionale alternativer")),
                "alternatives": t("Eksempler (allerede brukt)"),
            },
            hide_index=True,
            key=KEY("table_alternatives"),
        )
    else:
        st.info(
            t(
                "Ingen treff: ingen av de største leverandørene utenfor regionen har samme "
                "næringskode som en regional leverandør dere allerede bruker."
            )
        )
    st.caption(
        t(
            "De største leverandørene per kategori med hjemsted utenfor medlemskommunene, der minst "
            "én leverandør dere allerede handler med har samme næringskode (NACE) og hjemsted i en "
            "medlemskommune. Et utgangspunkt for markedsdialog, ikke en vurdering av om "
            "alternativet kan levere."
        )
    )


def render() -> None:
    ctx = context.current()
    f, token = ctx.filters, ctx.token
    reg = region()
    st.title(t("Regionalt næringsliv"))
    st.caption(page.scope_text(f, token))
    r = context.page_result(ctx, "regionalt", compute)
    _tiles(r.row, r.sme_row, reg)

    _level_charts(r, reg)

    _show(
        r.flows,
        t(
            "Hver rad er én kjøpende kommune og summerer til 100 %: andel av kommunens kjøp hos "
            "leverandører hjemmehørende i hver medlemskommune, i resten av fylket, i resten av "
            "Norge og utlandet/ukjent."
        )
        + f" {INCLUDED}",
    )

    _sme_and_locations(r, reg)

    _alternatives(r.alternatives)
    page.footer(f, token, INCLUDED)


render()
