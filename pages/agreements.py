"""Avtaler: coverage, loyalty, spend outside agreements, threshold watch, expiring agreements,
e-handel, and the agreement register (editable by the procurement office)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa
import streamlit as st

from charts import agreements as charts
from charts import fmt, registry
from charts import overview as base
from charts.registry import BuiltChart
from data_access.admin import agreements as register
from data_access.admin.thresholds import save_thresholds
from data_access.metrics import coverage
from data_access.store.escape import csv_bytes, md
from data_access.store.scope import Scope
from ui import chart_view, context, definitions, page
from ui.context import AgreementData
from ui.i18n import t

KEY = page.Keys("avt")

DEFINITIONS = definitions.translated(definitions.AGREEMENTS)
LEVELS = definitions.translated(definitions.THRESHOLD_LEVELS)
REGISTER_HELP = definitions.translated(definitions.REGISTER_HELP)


@dataclass(frozen=True)
class Coverage:
    """The coverage tab for one selection."""

    total: float | None
    outside_total: float
    heatmap: BuiltChart
    loyalty: BuiltChart


def compute_coverage(ctx: context.PageContext) -> Coverage:
    """Coverage and loyalty for the context's rows and filters (cached per selection by
    ``context.page_result``): from the cube, or above the threshold the database's sums."""
    rows, f = context.coverage_rows(ctx), ctx.filters
    by_cat = coverage.coverage_by_category(rows, f)
    title = t("Avtaledekning per kategori og kommune")
    grid = coverage.coverage_by_category_municipality(rows, f)
    heat = charts.coverage_heatmap(grid, title=title) if grid.height else base.empty(title)
    title = t("Avtalelojalitet per kategori med aktiv avtale")
    loyal = context.loyalty_by_category(ctx)
    loyal_fig = (
        charts.loyalty_by_category(loyal, title=title) if loyal.height else base.empty(title)
    )
    return Coverage(
        total=coverage.coverage_total(rows, f),
        outside_total=float(by_cat["outside"].sum()) if by_cat.height else 0.0,
        heatmap=registry.adhoc("avt_heatmap", heat, grid),
        loyalty=registry.adhoc("avt_loyalty", loyal_fig, loyal),
    )


def _coverage_tab(ctx: context.PageContext) -> None:
    r = context.page_result(ctx, "avtaler_dekning", compute_coverage)
    c1, c2 = st.columns(2)
    c1.metric(t("Avtaledekning"), fmt.pct(r.total), help=DEFINITIONS["coverage"])
    c2.metric(t("Kjøp utenfor avtale"), fmt.mkr(r.outside_total), help=DEFINITIONS["outside"])
    chart_view.show(r.heatmap, key="avt_heatmap")
    st.caption(DEFINITIONS["coverage"] + " " + t("Lys celle = lav dekning."))
    chart_view.show(r.loyalty, key="avt_loyalty")
    st.caption(DEFINITIONS["loyalty"] + " " + t("Rødt = under 60 %."))


@dataclass(frozen=True)
class Outside:
    """The tab of spend outside agreements for one selection."""

    categories: BuiltChart
    suppliers: pl.DataFrame


def compute_outside(ctx: context.PageContext) -> Outside:
    """Spend outside agreements per category and supplier (cached like the coverage tab)."""
    title = t("Kjøp utenfor avtale per kategori")
    cats, suppliers = context.outside(ctx)
    fig = charts.outside_by_category(cats, title=title) if cats.height else base.empty(title)
    return Outside(
        categories=registry.adhoc("avt_outside_cat", fig, cats),
        suppliers=charts.outside_supplier_table(suppliers),
    )


def _outside_tab(ctx: context.PageContext) -> None:
    r = context.page_result(ctx, "avtaler_utenfor", compute_outside)
    chart_view.show(r.categories, key="avt_outside_cat")
    st.caption(DEFINITIONS["outside"] + " " + t("Tallet etter beløpet er antall leverandører."))
    st.markdown("**" + t("Leverandørene med mest kjøp utenfor avtale") + "**")
    st.dataframe(r.suppliers, hide_index=True, width="stretch")


@dataclass(frozen=True)
class Watch:
    """The threshold watch's flags with their table and picker labels as shown."""

    flags: pl.DataFrame
    table: pl.DataFrame
    labels: list[str]


def compute_watch(ctx: context.PageContext, by_category: bool, min_level: str) -> Watch:
    """The flags and their formatted table and labels, kept with the flags
    (``context.page_result``): a national year has ~9 000 flags, and formatting them in
    Python on every run made a rerun with the flags cached (a choice of flag, a toggle) take
    0,13–0,18 s instead of 0,04–0,06 s (national bench, side by side)."""
    flags = context.threshold_flags(ctx, by_category=by_category, min_level=min_level)
    return Watch(flags, charts.flags_table(flags), charts.flag_labels(flags))


def _watch_tab(ad: AgreementData, sc: Scope) -> None:
    st.caption(DEFINITIONS["watch"])
    c1, c2 = st.columns(2)
    by = c1.segmented_control(
        t("Grupper"),
        ["supplier", "category"],
        default="supplier",
        key=KEY("watch_by"),
        format_func=lambda v: {
            "supplier": t("Per leverandør"),
            "category": t("Per leverandør og kategori"),
        }[v],
    )
    level = c2.selectbox(
        t("Vis flagg"), list(LEVELS), key=KEY("watch_level"), format_func=lambda v: LEVELS[v]
    )
    w = context.page_result(
        context.current(), "avtaler_terskel", compute_watch, by == "category", level or "national"
    )
    flags = w.flags
    if flags.height == 0:
        st.success(t("Ingen leverandører over terskelverdiene uten avtale i utvalget."))
    else:
        st.markdown(charts.flags_summary(flags))
        if w.table.height > 8:  # long lists scroll; short ones show without empty rows
            st.dataframe(w.table, hide_index=True, width="stretch", height=320)
        else:
            st.dataframe(w.table, hide_index=True, width="stretch")
        _flag_lines(flags, w.labels, sc)
    with st.expander(t("Terskelverdier (dato for ikrafttredelse)")):
        _thresholds_editor(ad.thresholds, sc)


def _flag_lines(flags: pl.DataFrame, labels: list[str], sc: Scope) -> None:
    if not sc.may_see_lines:
        st.info(t("Fakturalinjene bak flaggene krever tilgang til linjenivå."))
        return
    pick = st.selectbox(
        t("Vis fakturalinjene bak"),
        range(len(labels)),
        format_func=lambda i: labels[i],
        key=KEY("watch_pick"),
    )
    row = flags.row(int(pick or 0), named=True)
    lines, n, total = context.flag_lines(context.current(), row)
    st.caption(
        t("{n} fakturalinjer uten avtale, sum {total}").format(n=n, total=fmt.kr(total))
        + (t(" – de {n} største vises.").format(n=lines.height) if n > lines.height else ".")
    )
    st.dataframe(charts.lines_table(lines), hide_index=True, width="stretch")


def _thresholds_editor(table: pl.DataFrame, sc: Scope) -> None:
    view = table.with_columns(pl.col("valid_from").cast(pl.Date))
    if sc.role != "admin":
        st.dataframe(view, hide_index=True, width="stretch")
        return
    edited = st.data_editor(
        view.to_pandas(),
        num_rows="dynamic",
        hide_index=True,
        key=KEY("thr_editor"),
        column_config={
            "valid_from": st.column_config.DateColumn(t("Gyldig fra"), format="DD.MM.YYYY"),
            "regulation_lower_limit_nok": st.column_config.NumberColumn(t("Nedre grense (kr)")),
            "national_threshold_nok": st.column_config.NumberColumn(t("Nasjonal terskel (kr)")),
            "eea_threshold_municipal_goods_services_nok": st.column_config.NumberColumn(
                t("EØS, varer og tjenester (kr)")
            ),
            "eea_threshold_works_nok": st.column_config.NumberColumn(t("EØS, bygg og anlegg (kr)")),
            "source": st.column_config.TextColumn(t("Kilde")),
        },
    )
    if st.button(t("Lagre terskelverdier"), key=KEY("thr_save")):
        try:
            with context.current().engine.begin() as conn:
                n = save_thresholds(conn, pl.from_pandas(edited), sc)
            st.success(t("{n} terskelrader lagret.").format(n=n))
        except (ValueError, PermissionError) as e:
            st.error(md(t(str(e))))  # may quote what was typed: text, never Markdown


def compute_expiring(ctx: context.PageContext) -> pl.DataFrame:
    """Agreements whose current period ends within 12 months of today, with their purchases
    in the last 12 months of data in the context's rows (cached per day and rows)."""
    return context.expiring_agreements(ctx, dt.date.today())


def _expiring_tab(ctx: context.PageContext) -> None:
    today = dt.date.today()
    exp = context.page_result(ctx, "avtaler_utloper", compute_expiring)
    c1, c2 = st.columns(2)
    c1.metric(t("Utløper innen 6 måneder"), str(exp.filter(pl.col("within_6")).height))
    c2.metric(t("Utløper innen 12 måneder"), str(exp.height))
    if exp.height:
        st.dataframe(charts.expiring_table(exp), hide_index=True, width="stretch")
    st.caption(
        t(
            "Avtaler der gjeldende periode slutter mellom {today} og 12 måneder frem. "
            "«Kjøpt siste 12 mnd» er avtalekjøp de siste 12 månedene med data i din tilgang."
        ).format(today=f"{today:%d.%m.%Y}")
    )


@dataclass(frozen=True)
class Ehandel:
    """The e-handel tab for one selection and grouping (year or quarter)."""

    share: float | None
    trend: BuiltChart


def compute_ehandel(ctx: context.PageContext, by: str) -> Ehandel:
    """The e-handel share and its trend per year or quarter (cached like the other tabs)."""
    rows, f = context.ehandel_rows(ctx), ctx.filters
    title = t(
        "E-handelsandel per kommune og år"
        if by == "year"
        else "E-handelsandel per kommune og kvartal"
    )
    trend = coverage.ehandel_over_time(rows, f, by)
    fig = charts.ehandel_trend(trend, title=title) if trend.height else base.empty(title)
    return Ehandel(coverage.ehandel_share(rows, f), registry.adhoc("avt_ehandel", fig, trend))


def _ehandel_tab(ctx: context.PageContext) -> None:
    by = st.segmented_control(
        t("Vis per"),
        ["year", "quarter"],
        default="year",
        key=KEY("eh_by"),
        format_func=lambda v: {"year": t("År"), "quarter": t("Kvartal")}[v],
    )
    eh = context.page_result(ctx, "avtaler_ehandel", compute_ehandel, by or "year")
    st.metric(t("E-handelsandel i perioden"), fmt.pct(eh.share))
    chart_view.show(eh.trend, key="avt_ehandel")
    last = context.last_month(ctx)
    partial = (
        " "
        + t("Siste år er til og med {month} {year}.").format(
            month=fmt.month(last.month), year=last.year
        )
        if last is not None and last.month != 12
        else ""
    )
    st.caption(
        DEFINITIONS["ehandel"]
        + " "
        + t("Hele historikken vises; perioden velger ikke år her.")
        + partial
    )


def _register_tab(ad: AgreementData, sc: Scope) -> None:
    reg = ad.register  # scoped in the store: a kommune user gets their agreements only
    config = _register_columns(context.current().reference.categories["category"].to_list())
    if not sc.is_staff:
        st.dataframe(reg, hide_index=True, width="stretch", column_config=config)
        return
    st.caption(
        t(
            "Rediger direkte i tabellen (legg til eller slett rader) og lagre. Alle endringer "
            "logges, og avtalekoblingen av alle fakturalinjer beregnes på nytt."
        )
    )
    edited = st.data_editor(
        reg.to_pandas(),
        num_rows="dynamic",
        hide_index=True,
        key=KEY("reg_editor"),
        column_config=config,
    )
    if st.button(t("Lagre avtaleregisteret"), key=KEY("reg_save"), type="primary"):
        _save(
            lambda conn: register.save_register(
                conn, pl.from_pandas(edited), sc, delete_missing=True
            )
        )
    st.markdown("**" + t("Importer avtaler fra CSV eller Excel") + "**")
    st.caption(
        t(
            "Kolonner som i tabellen over (eller norske overskrifter: avtalenr, navn, kategori, "
            "start, slutt, …). Rader oppdateres etter avtalenummer; andre avtaler beholdes. "
            "Er én rad ugyldig, lagres ingenting."
        )
    )
    st.download_button(
        t("Last ned registeret som mal (CSV)"),
        data=lambda: csv_bytes(ad.register),
        file_name="avtaleregister.csv",
        mime="text/csv",
        on_click="ignore",
        key=KEY("reg_template"),
    )
    up = st.file_uploader(t("Velg fil"), type=["csv", "txt", "xlsx"], key=KEY("reg_upload"))
    if up is not None and st.button(t("Importer"), key=KEY("reg_import")):
        _save(lambda conn: register.import_register(conn, up.getvalue(), up.name, sc))


def _register_columns(categories: list[str]) -> dict[str, object]:
    """Column labels, formats and help for the register, read-only or editable."""
    return {
        "ref": st.column_config.TextColumn(
            t("Avtalenr."), help=REGISTER_HELP["ref"], required=True
        ),
        "name": st.column_config.TextColumn(t("Navn"), required=True),
        "category": st.column_config.SelectboxColumn(
            t("Kategori"), options=sorted(set(categories))
        ),
        "start": st.column_config.DateColumn("Start", format="DD.MM.YYYY", required=True),
        "end": st.column_config.DateColumn(t("Slutt"), format="DD.MM.YYYY", required=True),
        "end_with_options": st.column_config.DateColumn(
            t("Slutt med opsjoner"), format="DD.MM.YYYY"
        ),
        "estimated_annual_value_nok": st.column_config.NumberColumn(
            t("Estimert årsverdi (kr)"), format="localized", min_value=0
        ),
        "savings_rate": st.column_config.NumberColumn(
            t("Besparelsesgrad"),
            help=REGISTER_HELP["savings_rate"],
            format="percent",
            min_value=0.0,
            max_value=0.99,
        ),
        "projected_saving_nok": st.column_config.NumberColumn(
            t("Gevinst per år (kr)"), help=REGISTER_HELP["projected_saving_nok"], format="localized"
        ),
        "savings_type": st.column_config.SelectboxColumn(
            t("Gevinsttype"), options=["hard", "avoidance"], help=REGISTER_HELP["savings_type"]
        ),
        "owner": st.column_config.TextColumn(t("Eier")),
        "baseline_note": st.column_config.TextColumn(t("Nullpunkt")),
        "suppliers": st.column_config.TextColumn(
            t("Leverandører"), help=REGISTER_HELP["suppliers"]
        ),
        "municipalities": st.column_config.TextColumn(
            t("Kommuner"), help=REGISTER_HELP["municipalities"]
        ),
    }


def _save(action: Callable[[sa.Connection], dict[str, object]]) -> None:
    try:
        with (
            st.spinner(t("Lagrer og kobler alle fakturalinjer til avtalene på nytt …")),
            context.current().engine.begin() as conn,
        ):
            result = action(conn)
    except (ValueError, PermissionError) as e:
        # The problems quote the file's or the editor's values (refs, categories, orgnr,
        # municipality numbers): escaped, so a value is shown as typed and never rendered as
        # Markdown — an image in it would make every viewer's browser fetch a remote address.
        problems = md(t(str(e))).replace("\n", "  \n")
        st.error(t("Ingenting ble lagret:") + "\n\n" + problems)
        return
    st.success(
        t("Nye: {created}, endret: {updated}, slettet: {deleted}.").format(
            created=len(result["created"]),
            updated=len(result["updated"]),
            deleted=len(result["deleted"]),
        )
        + (
            " " + t("{n} linjer er nå knyttet til avtaler.").format(n=result["matched_lines"])
            if "matched_lines" in result
            else ""
        )
    )


def render() -> None:
    ctx = context.current()
    f, token, sc = ctx.filters, ctx.token, ctx.scope
    ad = context.agreement_data(ctx)

    st.title(t("Avtaler"))
    st.caption(page.scope_text(f, token))
    page.lazy_tabs(
        definitions.AGREEMENT_TABS,
        (
            lambda: _coverage_tab(ctx),
            lambda: _outside_tab(ctx),
            lambda: _watch_tab(ad, sc),
            lambda: _expiring_tab(ctx),
            lambda: _ehandel_tab(ctx),
            lambda: _register_tab(ad, sc),
        ),
    )
    page.footer(
        f,
        token,
        "Kjøp = KOSTRA-kjøpskontoer; uklassifisert kjøp og ukjente leverandører er med. "
        "Privatpersoner vises aldri med navn og er holdt utenfor terskelvakten.",
    )


render()
