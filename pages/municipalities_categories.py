"""Kommuner og kategorier: where the money goes, per municipality, category, inhabitant and
over time, with a drill-down category → suppliers → invoice lines."""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl
import streamlit as st

from charts import fmt, registry
from charts import spend as charts
from charts.overview import empty
from charts.registry import BuiltChart
from data_access.admin.population import save_population
from data_access.metrics import spend
from data_access.store.lines import invoice_lines
from ui import chart_view, context, definitions, drill, page
from ui.i18n import t

KEY = page.Keys("kk")

INCLUDED = t(definitions.MUNICIPALITIES_INCLUDED)
STRUCTURES = {"today": "Dagens kommuner", "historical": "Historisk (Verran egen i 2019)"}
MEASURES = {"amount": "Kroner", "per_inhabitant": "Kroner per innbygger"}
GRAINS = {"month": "Måned", "quarter": "Kvartal", "year": "År"}
PAGE_SIZE = 50


def _choice(label: str, options: dict[str, str], key: str, default: str) -> str:
    value = st.segmented_control(
        t(label), list(options), format_func=lambda k: t(options[k]), default=default, key=key
    )
    return value or default


def _chart(fig_fn, frame: pl.DataFrame, title: str, key: str, **kw) -> BuiltChart:
    """A page chart with its frame, built inside :func:`compute` (so cached with it)."""
    fig = fig_fn(frame, title=title, **kw) if frame.height else empty(title)
    return registry.adhoc(key, fig, frame)


def _drill_chart(ctx: context.PageContext, cat_id: int, category: str) -> BuiltChart:
    """The largest suppliers in one category (cached per category by ``page_result``)."""
    # The category is one of the selection's own (the tree's), so narrowing the filters to it
    # selects exactly its rows; above the threshold only its suppliers' sums travel.
    narrowed = ctx.with_filters(replace(ctx.filters, categories=(cat_id,)), ctx.token)
    sup = spend.category_suppliers_of(context.purchase_rows(narrowed, ("supplier_id",)), None)
    title = f"{t('Største leverandører i')} {category}"
    return _chart(charts.category_suppliers, sup, title, "kk_chart_drill")


def _drill_down(ctx: context.PageContext, tree: pl.DataFrame) -> None:
    f = ctx.filters
    st.subheader(t("Fra kategori til leverandør og faktura"))
    cats = tree.sort("amount", descending=True)
    if cats.height == 0:
        st.info(t("Ingen kjøp i utvalget."))
        return
    labels = {
        int(r["category_id"]): f"{r['category']} ({r['category_l1']}) – {fmt.mkr(r['amount'])}"
        for r in cats.iter_rows(named=True)
    }
    cat_id = drill.category_choice(labels, KEY("drill_kategori"))
    category = cats.filter(pl.col("category_id") == cat_id)["category"].item()
    built = context.page_result(ctx, "kk_drill", _drill_chart, cat_id, category)
    sup = built.frame
    left, right = st.columns([3, 2])
    with left:
        chart_view.show(built, key="kk_chart_drill")
        st.caption(
            t(
                "Netto kjøp per leverandør i kategorien (kreditnotaer trukket fra), andel av "
                "kategorien. Leverandører uten organisasjonsnummer er med; privatpersoner samlet "
                "som «Privatperson»."
            )
        )
    with right:
        st.dataframe(
            sup.select("supplier_name", "orgnr", "amount", "share", "n_lines").with_columns(
                pl.col("amount").round(0),
                pl.col("orgnr").fill_null(""),  # blank, not "None"
            ),
            column_config={
                "supplier_name": st.column_config.TextColumn(t("Leverandør")),
                "orgnr": st.column_config.TextColumn(t("Org.nr.")),
                "amount": st.column_config.NumberColumn(t("Beløp (kr)"), format="localized"),
                "share": st.column_config.NumberColumn(t("Andel"), format="percent"),
                "n_lines": st.column_config.NumberColumn(t("Linjer"), format="localized"),
            },
            hide_index=True,
            height=420,
            key=KEY("table_drill"),
        )
    sc = context.current().scope
    if not sc.may_see_lines:
        st.info(
            t(
                "Fakturalinjer vises ikke for din rolle. Be en administrator om tilgang til "
                "linjedetaljer om du trenger dem."
            )
        )
        return
    # The lines are read from the database only when asked for (one query per page of 50),
    # so a filter change does not wait for a query nobody looks at.
    if not st.toggle(t("Vis fakturalinjene"), key=KEY("drill_vis")):
        st.caption(t("Slå på for å se fakturalinjene bak kategorien, nyeste først."))
        return
    names = {int(r["supplier_id"]): r["supplier_name"] for r in sup.iter_rows(named=True)}
    sup_id = st.selectbox(
        t("Leverandør"),
        [0, *names],
        key=KEY("drill_leverandor"),
        format_func=lambda k: t("Alle leverandører i kategorien") if k == 0 else names[k],
    )
    number = st.number_input(t("Side"), min_value=1, value=1, step=1, key=KEY("drill_side"))
    lines = invoice_lines(
        context.current().engine,
        sc,
        f,
        category_id=cat_id,
        supplier_id=sup_id or None,
        limit=PAGE_SIZE,
        offset=(int(number) - 1) * PAGE_SIZE,
    )
    pages = max(1, -(-lines.total // PAGE_SIZE))
    drill.show_invoice_lines(
        lines,
        what=t("fakturalinjer"),
        tail=f" · {t('side')} {int(number)} {t('av')} {pages} · {t('nyeste først')}",
        key=KEY("table_lines"),
        with_rule=True,
    )


def _population_editor() -> None:
    with st.expander(t("Innbyggertall (administrator)")):
        st.caption(
            t(
                "Innbyggere per kommunenummer og år (SSB tabell 07459), med nummeret som gjaldt "
                "det året: Verran (5039) og Steinkjer (5004) hver for seg i 2019. Endringer "
                "logges."
            )
        )
        current = context.analysis_reference(context.current()).population
        edited = st.data_editor(
            current,
            num_rows="dynamic",
            disabled=["name"],
            column_config={
                "municipality_code": t("Kommunenr."),
                "name": t("Navn"),
                "year": st.column_config.NumberColumn(t("År"), format="%d"),
                "population": st.column_config.NumberColumn(t("Innbyggere"), format="localized"),
                "source": t("Kilde"),
            },
            hide_index=True,
            key=KEY("population_editor"),
        )
        if st.button(t("Lagre innbyggertall"), key=KEY("population_save")):
            frame = edited if isinstance(edited, pl.DataFrame) else pl.from_pandas(edited)
            try:
                with context.current().engine.begin() as conn:
                    result = save_population(conn, frame, scope=context.current().scope)
            except ValueError as exc:
                st.error(t(str(exc)))
            else:
                st.success(
                    t("Lagret: {changed} endret, {added} nye, {removed} fjernet.").format(
                        changed=result["changed"], added=result["added"], removed=result["removed"]
                    )
                )


@dataclass(frozen=True)
class Results:
    """Tiles, charts and the category tree for one selection and the page's three choices."""

    total: float
    prev: float
    per_inhabitant_today: float | None
    tree: pl.DataFrame
    heatmap: BuiltChart
    per_inhabitant: BuiltChart
    treemap: BuiltChart
    trend: BuiltChart
    trend_by_municipality: BuiltChart


def compute(ctx: context.PageContext, structure: str, measure: str, grain: str) -> Results:
    """Everything above the drill-down (cached per selection by ``context.page_result``)."""
    # Every figure here sums per month, municipality and category: above the threshold the
    # database sums over the rest (suppliers, agreements) for this period and a year earlier.
    cube = context.cube_for(ctx, ("month", "municipality_code", "category_id"))
    f, ref = ctx.filters, ctx.reference
    per_inh = measure == "per_inhabitant"
    population = context.analysis_reference(ctx).population
    pop = spend.population_by_key(population, ref.municipalities, structure)
    pop_today = spend.population_by_key(population, ref.municipalities, "today")
    by_muni = spend.by_municipality(cube, f, structure=structure, population=pop)
    trend_total = spend.trend(cube, f, grain="year", by_municipality=False)
    tree = spend.tree(cube, f)
    unit = t("kr per innbygger") if per_inh else t("mill. kr")
    grain_name = t(GRAINS[grain]).lower()
    return Results(
        total=float(by_muni["amount"].sum()) if by_muni.height else 0.0,
        prev=float(trend_total["amount_prev"].sum()) if trend_total.height else 0.0,
        per_inhabitant_today=spend.overall_per_inhabitant(
            cube, f, pop_today, context.municipalities_with_rows(ctx)
        ),
        tree=tree,
        heatmap=_chart(
            charts.heatmap,
            spend.matrix(cube, f, structure=structure, population=pop),
            f"{t('Innkjøp per kommune og kategori')} ({unit})",
            "kk_chart_heatmap",
            per_inhabitant=per_inh,
        ),
        per_inhabitant=_chart(
            charts.per_inhabitant,
            spend.per_inhabitant_by_year(cube, f, pop, structure=structure),
            t("Innkjøp per innbygger"),
            "kk_chart_per_inhabitant",
        ),
        treemap=_chart(charts.treemap, tree, t("Kategoritreet etter innkjøp"), "kk_chart_tree"),
        trend=_chart(
            charts.trend_total,
            spend.trend(cube, f, grain=grain, by_municipality=False),
            f"{t('Innkjøp per')} {grain_name} {t('mot samme periode året før')}",
            "kk_chart_trend",
        ),
        trend_by_municipality=_chart(
            charts.trend_by_municipality,
            spend.trend(cube, f, grain=grain, structure=structure),
            f"{t('Innkjøp per kommune per')} {grain_name}",
            "kk_chart_trend_muni",
        ),
    )


def _tiles(r: Results) -> None:
    m1, m2, m3 = st.columns(3)
    m1.metric(
        t("Innkjøp"),
        fmt.mkr(r.total),
        delta=f"{fmt.change(r.total / r.prev - 1)} {t('fra året før')}" if r.prev else None,
        help=t("Sum beløp eks. mva. på kjøpskontoer, kreditnotaer trukket fra.") + " " + INCLUDED,
    )
    m2.metric(
        t("Per innbygger"),
        fmt.kr(r.per_inhabitant_today),
        help=t(definitions.MUNICIPALITIES_HELP["per_inhabitant"]),
    )
    m3.metric(
        t("Kategorier med kjøp"),
        fmt.number(r.tree.filter(pl.col("amount") > 0).height),
        help=t("Antall kategorier (nivå 2) med positivt netto kjøp i utvalget."),
    )


def _show(built: BuiltChart, caption: str) -> None:
    chart_view.show(built, key=built.spec.id)
    st.caption(caption)


def render() -> None:
    ctx = context.current()
    f, token = ctx.filters, ctx.token
    st.title(t("Kommuner og kategorier"))
    st.caption(page.scope_text(f, token))

    c1, c2, c3 = st.columns(3)
    with c1:
        structure = _choice("Kommunestruktur", STRUCTURES, KEY("struktur"), "today")
    with c2:
        measure = _choice("Vis", MEASURES, KEY("maal"), "amount")
    with c3:
        grain = _choice("Tidsinndeling", GRAINS, KEY("tid"), "quarter")
    r = context.page_result(ctx, "kommuner", compute, structure, measure, grain)
    _tiles(r)

    _show(
        r.heatmap,
        (
            t(
                "Hver rute er kommunens netto kjøp i kategorien i perioden, delt på "
                "innbyggertallet (år for år). Kategoriene står i kategoritreets rekkefølge."
            )
            if measure == "per_inhabitant"
            else t(
                "Hver rute er kommunens netto kjøp i kategorien i perioden. Kategoriene står i "
                "kategoritreets rekkefølge."
            )
        )
        + " "
        + INCLUDED,
    )
    _show(
        r.per_inhabitant,
        t(
            "Netto kjøp i året delt på kommunens innbyggertall det året; Verran og Steinkjer "
            "summeres for 2019 i dagens struktur."
        )
        + " "
        + INCLUDED,
    )
    _show(
        r.treemap,
        t(
            "Arealet er netto kjøp; store felt er hovedkategorier, små er underkategorier "
            "(pek på et felt for tall). Kategorier med negativt netto (flere kreditnotaer enn "
            "fakturaer) vises ikke."
        )
        + " "
        + INCLUDED,
    )

    st.subheader(t("Utvikling"))
    _show(
        r.trend,
        t("Blå: valgt periode. Grå: de samme månedene ett år tidligere. Etiketten er endringen.")
        + " "
        + INCLUDED,
    )
    _show(
        r.trend_by_municipality,
        t("Én linje per kommune, med kommunens faste farge (de ti største når det er flere).")
        + " "
        + INCLUDED,
    )

    _drill_down(ctx, r.tree)
    if ctx.scope.role == "admin":
        _population_editor()
    page.footer(
        f,
        token,
        INCLUDED + " " + t("Kjøp fra offentlige virksomheter er holdt utenfor."),
    )


render()
