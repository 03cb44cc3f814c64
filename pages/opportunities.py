"""Muligheter: where the members should buy together next, what it would likely save, and
whether the top candidates close the gap to the yearly savings target. Every potential is an
estimate and says so, with its definition on hover."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from charts import fmt, registry
from charts import opportunities as charts
from charts import overview as base
from data_access.admin import opportunities as store
from data_access.metrics import opportunities as op
from data_access.store.escape import md
from data_access.store.filters import Filters, add_months
from data_access.store.lines import invoice_lines
from data_access.store.scope import Scope
from ui import chart_view, context, definitions, drill, page
from ui.i18n import t

DEFINITIONS = definitions.translated(definitions.OPPORTUNITIES)


def _metrics(ranked: pl.DataFrame) -> None:
    top = ranked.head(10)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(
        t("Kjøp utenfor avtale siste 12 mnd."),
        fmt.mkr(float(ranked["addressable_12m"].sum()) if ranked.height else 0.0),
        help=DEFINITIONS["addressable"],
    )
    c2.metric(
        t("Anslått potensial, topp 10"),
        fmt.mkr(float(top["potential"].sum()) if top.height else 0.0),
        delta=(
            f"{fmt.mkr(float(top['potential_low'].sum()))}–"
            f"{fmt.mkr(float(top['potential_high'].sum()))} ({t('anslag')})"
        )
        if top.height
        else None,
        delta_color="off",
        delta_arrow="off",
        help=DEFINITIONS["potential"],
    )
    c3.metric(
        t("Kategorier over EØS-terskel"),
        str(ranked.filter(pl.col("threshold_status").is_in(["eea_12", "eea_48"])).height),
        help=DEFINITIONS["threshold"],
    )
    c4.metric(
        t("Avtaler som utløper innen 12 mnd."),
        str(int(ranked["expiring"].sum()) if ranked.height else 0),
    )


def _table(ranked: pl.DataFrame) -> int | None:
    """The ranked list; a click on a row returns that category (for the drill-down below)."""
    h = charts.ranked_headings()  # the table's headings, in the page's language
    event = st.dataframe(
        charts.ranked_table(ranked),
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height=min(38 * (ranked.height + 1) + 3, 460),
        column_config={
            h["rank"]: st.column_config.NumberColumn(help=DEFINITIONS["rank"]),
            h["members"]: st.column_config.TextColumn(help=DEFINITIONS["members"]),
            h["addressable_12m"]: st.column_config.TextColumn(help=DEFINITIONS["addressable"]),
            h["potential"]: st.column_config.TextColumn(help=DEFINITIONS["potential"]),
            h["range"]: st.column_config.TextColumn(help=DEFINITIONS["potential"]),
            h["threshold"]: st.column_config.TextColumn(help=DEFINITIONS["threshold"]),
            h["reasons"]: st.column_config.TextColumn(width="large"),
        },
        key="mul_table",
    )
    rows = event.selection.rows if event is not None else []  # type: ignore[union-attr]
    return int(ranked["category_id"][rows[0]]) if rows and rows[0] < ranked.height else None


def _drill(ranked: pl.DataFrame, f: Filters, sc: Scope, clicked: int | None) -> None:
    """One category's suppliers outside agreements, then its invoice lines (if the role may).
    A row clicked in the ranked list selects the category; the box can change it again."""
    st.subheader(t("Kategoriens leverandører og fakturalinjer"))
    names = {
        int(r["category_id"]): f"{r['rank']}. {r['category']}" for r in ranked.iter_rows(named=True)
    }
    cat_id = drill.category_choice(
        names, "mul_drill_category", clicked=clicked, click_key="mul_last_click"
    )
    if cat_id is None:
        return
    sup = context.category_suppliers(context.current(), int(cat_id))
    st.dataframe(charts.supplier_table(sup), hide_index=True, width="stretch", key="mul_suppliers")
    st.caption(
        t("Leverandører med kjøp utenfor avtale i kategorien siste 12 mnd.")
        + (f" {t('Bare din kommunes kjøp.')}" if sc.municipalities is not None else "")
    )
    if not sc.may_see_lines:
        st.info(t("Fakturalinjene krever tilgang til linjenivå."))
        return
    # Read from the database only when asked for: a filter change does not wait for it.
    if not st.toggle(t("Vis fakturalinjene"), key="mul_drill_vis"):
        return
    window = Filters(add_months(f.end, -11), f.end, f.municipalities, (), f.area)
    lines = invoice_lines(context.current().engine, sc, window, category_id=int(cat_id), limit=50)
    drill.show_invoice_lines(
        lines,
        what=t("fakturalinjer i kategorien siste 12 mnd."),
        tail=f" ({t('med og uten avtale')}) · {t('de 50 nyeste vises')}",
        key="mul_lines",
        with_rule=False,
    )


def _target_gap(ranked: pl.DataFrame, f: Filters, sc: Scope) -> None:
    st.subheader(t("Målgapet"))
    if sc.municipalities is not None or f.municipalities:
        st.info(
            t(
                "Målgapet gjelder hele samarbeidets gevinstmål og vises uten kommuneutvalg. "
                "Tallene over er din kommunes del."
                if sc.municipalities is not None
                else "Målgapet gjelder hele samarbeidets gevinstmål og vises uten kommuneutvalg."
            )
        )
        return
    target = context.agreement_data(context.current()).yearly_target_nok
    whole = Filters(f.start, f.end, (), (), f.area)
    monthly = context.realized_by_month(context.current(), whole)
    today = dt.date.today()
    starts = [add_months(today, i) for i in range(1, 25)]
    c1, c2 = st.columns(2)
    n = c1.number_input(
        t("Antall kandidater fra toppen av listen"),
        min_value=1,
        max_value=max(1, min(10, ranked.height)),
        value=min(3, max(1, ranked.height)),
        key="mul_gap_n",
    )
    start = c2.selectbox(
        t("Konkurransene gir effekt fra"),
        starts,
        index=3,
        format_func=fmt.first_of_month,
        key="mul_gap_start",
    )
    g = op.target_gap(monthly, target, ranked, n=int(n), start=start or starts[3])
    m1, m2, m3 = st.columns(3)
    m1.metric(
        f"{t('Forventet realisert gevinst')} {g.year}",
        fmt.mkr(g.expected),
        delta=f"{fmt.pct(g.expected / target if target else None, 0)} {t('av målet')} "
        f"{fmt.mkr(target)}",
        delta_color="off",
        delta_arrow="off",
        help=DEFINITIONS["gap"],
    )
    m2.metric(
        t("Gap til målet"),
        fmt.mkr(max(g.gap, 0.0)) if not g.met_already else t("Nådd"),
        help=DEFINITIONS["gap"],
    )
    m3.metric(
        t("Kandidatenes potensial per år (anslag)"),
        fmt.mkr(g.candidate_potential),
        delta=f"{fmt.mkr(g.candidate_low)}–{fmt.mkr(g.candidate_high)}",
        delta_color="off",
        delta_arrow="off",
        help=DEFINITIONS["potential"],
    )
    sentence = charts.gap_sentence(g)
    names = ", ".join(md(c) for c in g.candidates)
    (st.success if g.reach_year is not None else st.warning)(f"**{md(sentence)}** ({names})")
    title = t("Forventet gevinst per år med kandidatene (anslag)")
    chart_view.show(
        charts.target_gap_by_year(
            g.by_year,
            title=title,
            start_label=fmt.first_of_month(g.start),
        )
        if g.by_year.height
        else base.empty(title),
        frame=g.by_year,
        key="mul_gap_chart",
    )
    st.caption(DEFINITIONS["gap"])


def _settings(sc: Scope) -> None:
    s = context.opportunity_reference(context.current()).settings
    with st.expander(t("Vekter og standardsatser")):
        st.caption(DEFINITIONS["rank"])
        if not sc.is_staff:
            st.write(
                f"{t('Potensial')}: {s.weights.potential:g} · {t('Bredde')}: "
                f"{s.weights.breadth:g} · {t('Terskelstatus')}: {s.weights.threshold:g}"
            )
        else:
            c1, c2, c3 = st.columns(3)
            wp = c1.number_input(
                t("Potensial"), 0.0, 10.0, s.weights.potential, 0.05, key="mul_w_potential"
            )
            wb = c2.number_input(
                t("Bredde"), 0.0, 10.0, s.weights.breadth, 0.05, key="mul_w_breadth"
            )
            wt = c3.number_input(
                t("Terskelstatus"), 0.0, 10.0, s.weights.threshold, 0.05, key="mul_w_threshold"
            )
            if st.button(t("Lagre vekter"), key="mul_w_save"):
                try:
                    with context.current().engine.begin() as conn:
                        store.save_weights(conn, op.Weights(wp, wb, wt), sc)
                    st.success(t("Vektene er lagret."))
                    st.rerun()
                except (ValueError, PermissionError) as e:
                    st.error(t(str(e)))
        rates = pl.DataFrame(
            [
                {"Gruppe": g, "Lav": r.low, "Forventet": r.rate, "Høy": r.high}
                for g, r in (*s.default_rates, (store.FALLBACK_GROUP, s.fallback))
            ]
        )
        st.caption(
            t(
                "Standardsats r per kategorigruppe, brukt der samarbeidet ikke har egne avtaler "
                "i kategorien. «*» gjelder grupper uten egen sats."
            )
        )
        pct = {
            c: st.column_config.NumberColumn(t(c), format="percent", min_value=0.0, max_value=0.99)
            for c in ("Lav", "Forventet", "Høy")
        } | {"Gruppe": st.column_config.TextColumn(t("Gruppe"))}
        if not sc.is_staff:
            st.dataframe(rates, hide_index=True, column_config=pct, key="mul_rates_view")
            return
        edited = st.data_editor(
            rates.to_pandas(),
            hide_index=True,
            disabled=["Gruppe"],
            column_config=pct,
            key="mul_rates_editor",
        )
        if st.button(t("Lagre standardsatser"), key="mul_rates_save"):
            try:
                rows = pl.from_pandas(edited).to_dicts()
                new = {
                    r["Gruppe"]: op.Rate(float(r["Lav"]), float(r["Forventet"]), float(r["Høy"]))
                    for r in rows
                }
                fallback = new.pop(store.FALLBACK_GROUP, None)
                with context.current().engine.begin() as conn:
                    store.save_default_rates(conn, new, sc, fallback=fallback)
                st.success(t("Standardsatsene er lagret."))
                st.rerun()
            except (ValueError, TypeError, PermissionError) as e:
                st.error(t(str(e)))


def render() -> None:
    ctx = context.current()
    f, token = ctx.filters, ctx.token
    sc = context.current().scope
    st.title(t("Muligheter"))
    st.caption(page.scope_text(f, token))
    since = add_months(f.end, -11)
    st.markdown(
        t(
            "Hvor bør medlemmene kjøpe sammen neste gang? Kategorier med mye kjøp utenfor avtale, "
            "mange kjøpere og leverandører og høy samlet verdi står øverst."
        )
        + f" {t('Siste 12 mnd.')}: {fmt.month_name(since.month)} {since.year}–"
        f"{fmt.month_name(f.end.month)} {f.end.year}. **{t('Potensial er anslag.')}**"
    )
    ranked = context.opportunities(ctx, dt.date.today())
    _metrics(ranked)
    if ranked.height == 0:
        st.info(t("Ingen kjøp utenfor avtale i utvalget."))
    else:
        st.subheader(t("Neste felles anskaffelser"))
        clicked = _table(ranked)
        st.caption(t("Klikk en rad for å se kategoriens leverandører og fakturalinjer nedenfor."))
        # The standard chart (also in the decks and the report), drawn from this same frame.
        chart_view.show(
            registry.from_frame("muligheter", charts.described(ranked)), key="mul_scatter"
        )
        st.caption(
            t("Boblens størrelse = antall kommuner som kjøper; strek = spennet i anslaget.")
            + " "
            + DEFINITIONS["potential"]
        )
        _drill(ranked, f, sc, clicked)
        _target_gap(ranked, f, sc)
    _settings(sc)
    page.footer(
        f,
        token,
        t(
            "Kjøp utenfor avtale (KOSTRA-kjøpskontoer); uklassifisert kjøp og ukjente leverandører "
            "er med, privatpersoner er holdt utenfor. Potensial og målgap er anslag."
        )
        + (f" {t('Kommuneantall gjelder hele samarbeidet.')}" if sc.municipalities else ""),
    )


render()
