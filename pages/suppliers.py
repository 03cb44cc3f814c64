"""Leverandører: how dependent are we on few suppliers — top suppliers, Pareto curve, ABC
classes, HHI and CRn per category, tail spend and dependency warnings."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from charts import fmt, registry
from charts import suppliers as charts
from charts.overview import empty
from charts.registry import BuiltChart
from data_access.metrics import concentration as conc
from data_access.store.reference import region
from ui import chart_view, context, definitions, page
from ui.i18n import t

KEY = page.Keys("lev")

COUNTED = t(definitions.SUPPLIERS_COUNTED)
KIND_LABELS = {
    "pseudo": "samleposter (ikke én leverandør)",
    "private": "privatpersoner",
    "negative": "med negativt netto (kreditnotaer)",
}


def _rounded(df: pl.DataFrame, **decimals: int) -> pl.DataFrame:
    """Display copy: whole kroner (or the given decimals) so tables read at a glance."""
    return df.with_columns(pl.col(c).round(d) for c, d in decimals.items())


def _settings() -> tuple[float, float, float]:
    reg = region()
    with st.expander(t("Innstillinger: ABC-grenser og avhengighet"), expanded=False):
        c1, c2, c3 = st.columns(3)
        a = c1.slider(t("Klasse A til (%)"), 50, 95, round(reg.abc_a * 100), key=KEY("a"))
        b = c2.slider(t("Klasse B til (%)"), a, 99, max(a, round(reg.abc_b * 100)), key=KEY("b"))
        dep = c3.slider(
            t("Avhengighet når én leverandør har over (%)"),
            20,
            95,
            round(reg.dependency_share * 100),
            key=KEY("dep"),
        )
    return a / 100, b / 100, dep / 100


def _excluded_text(ex: pl.DataFrame) -> str:
    if ex.height == 0:
        return t("Ingen leverandører er holdt utenfor andelene.")
    parts = [
        f"{r['n_suppliers']} {t(KIND_LABELS[r['kind']])} ({fmt.kr(r['amount'])})"
        for r in ex.iter_rows(named=True)
    ]
    return t("Holdt utenfor andelene:") + " " + "; ".join(parts) + "."


def _tiles(
    overall: dict[str, float | int | None],
    tail: dict[str, float | int | None],
    n_dependencies: int,
    b: float,
    dep: float,
) -> None:
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(
        t("Leverandører med kjøp"),
        fmt.number(overall["n_suppliers"]),
        help=t(definitions.SUPPLIERS_HELP["n_suppliers"]),
    )
    m2.metric(
        t("De fem største (CR5)"),
        fmt.pct(overall["cr5"]),
        delta=f"{t('største')} {fmt.pct(overall['cr1'])}",
        delta_color="off",
        delta_arrow="off",
        help=t("Andel av kjøpene hos de fem største leverandørene (CR5) og hos den største (CR1).")
        + " "
        + COUNTED,
    )
    m3.metric(
        t("Halespend (klasse C)"),
        fmt.pct(tail["share"]),
        delta=f"{fmt.number(tail['n_suppliers'])} {t('leverandører')}",
        delta_color="off",
        delta_arrow="off",
        help=t(definitions.SUPPLIERS_HELP["tail"]).format(
            b=fmt.pct(b, 0), lines=fmt.pct(tail["line_share"])
        ),
    )
    m4.metric(
        t("Kategorier med avhengighet"),
        fmt.number(n_dependencies),
        help=t("Kategorier der én leverandør har over {share} av kjøpene.").format(
            share=fmt.pct(dep, 0)
        ),
    )


def _top_table(table: pl.DataFrame) -> None:
    st.subheader(t("Toppleverandører"))
    st.dataframe(
        _rounded(
            table.head(100).select(
                "rank",
                "supplier_name",
                pl.col("orgnr").fill_null(""),  # foreign or names-only: blank, not "None"
                "amount",
                "share",
                "n_lines",
                "abc",
                "categories",
            ),
            amount=0,
        ),
        column_config={
            "rank": st.column_config.NumberColumn("#"),
            "supplier_name": t("Leverandør"),
            "orgnr": t("Org.nr."),
            "amount": st.column_config.NumberColumn(t("Beløp (kr)"), format="localized"),
            "share": st.column_config.NumberColumn(t("Andel"), format="percent"),
            "n_lines": st.column_config.NumberColumn(t("Linjer"), format="localized"),
            "abc": t("Klasse"),
            "categories": t("Største kategorier"),
        },
        hide_index=True,
        height=360,
        key=KEY("table_top"),
    )


def _category_table(by_cat: pl.DataFrame) -> None:
    st.subheader(t("Per kategori"))
    st.dataframe(
        by_cat.select(
            "category_l1",
            "category",
            "amount",
            "n_suppliers",
            "hhi",
            "band",
            "equivalent",
            "cr1",
            "cr3",
            "cr5",
            "top_supplier",
            "excluded_amount",
        )
        .pipe(_rounded, amount=0, hhi=0, equivalent=1, excluded_amount=0)
        .with_columns(pl.col("band").replace({k: t(v) for k, v in charts.BAND_LABELS.items()})),
        column_config={
            "category_l1": t("Hovedkategori"),
            "category": t("Kategori"),
            "amount": st.column_config.NumberColumn(t("Beløp (kr)"), format="localized"),
            "n_suppliers": st.column_config.NumberColumn(t("Leverandører")),
            "hhi": st.column_config.NumberColumn("HHI", format="localized"),
            "band": t("Nivå (tommelfingerregel)"),
            "equivalent": st.column_config.NumberColumn(t("Tilsvarer antall"), format="localized"),
            "cr1": st.column_config.NumberColumn("CR1", format="percent"),
            "cr3": st.column_config.NumberColumn("CR3", format="percent"),
            "cr5": st.column_config.NumberColumn("CR5", format="percent"),
            "top_supplier": t("Største leverandør"),
            "excluded_amount": st.column_config.NumberColumn(
                t("Utenfor andelene (kr)"), format="localized"
            ),
        },
        hide_index=True,
        key=KEY("table_categories"),
    )


def _dependencies(deps: pl.DataFrame, dep: float) -> None:
    st.subheader(f"{t('Avhengighet: én leverandør over')} {fmt.pct(dep, 0)}")
    if deps.height:
        st.dataframe(
            _rounded(deps, amount=0),
            column_config={
                "category_l1": t("Hovedkategori"),
                "category": t("Kategori"),
                "top_supplier": t("Leverandør"),
                "cr1": st.column_config.NumberColumn(t("Andel"), format="percent"),
                "amount": st.column_config.NumberColumn(
                    t("Kategoriens kjøp (kr)"), format="localized"
                ),
                "n_suppliers": st.column_config.NumberColumn(t("Leverandører i kategorien")),
            },
            hide_index=True,
            key=KEY("table_dependencies"),
        )
        st.caption(
            t("En høy andel kan være riktig (én rammeavtale), men bør være et bevisst valg.")
            + " "
            + COUNTED
        )
    else:
        st.success(t("Ingen kategori har én leverandør over grensen."))


@dataclass(frozen=True)
class Results:
    """The frames and tiles for one selection and ABC/dependency setting, shared by every tab
    (each tab's charts are built only when it is opened: see :func:`charts_of`)."""

    table: pl.DataFrame
    overall: dict[str, float | int | None]
    tail: dict[str, float | int | None]
    by_cat: pl.DataFrame
    deps: pl.DataFrame
    excluded: pl.DataFrame
    classes: pl.DataFrame


def compute(ctx: context.PageContext, a: float, b: float, dep: float) -> Results:
    """The page's figures and tables (cached per selection by ``context.page_result``)."""
    d = context.purchase_rows(ctx, ("supplier_id", "category_id"))
    table = conc.suppliers_of(d, a, b)
    by_cat = conc.by_category_of(d)
    return Results(
        table=table,
        overall=conc.overall(table),
        tail=conc.tail(table),
        by_cat=by_cat,
        deps=conc.dependencies(by_cat, dep),
        excluded=conc.excluded(d),
        classes=conc.classes(table),
    )


def _build_charts(
    ctx: context.PageContext, tab: str, a: float, b: float, dep: float
) -> tuple[BuiltChart, ...]:
    r = context.page_result(ctx, "leverandorer", compute, a, b, dep)
    if tab == "top":
        title = t("Paretokurven: hvor få leverandører står for det meste")
        pareto = charts.pareto(r.table, a=a, b=b, title=title) if r.table.height else empty(title)
        return (
            registry.from_frame("leverandorer", r.table),
            registry.adhoc(
                "lev_chart_pareto",
                pareto,
                r.table.select("rank", "supplier_name", "amount", "cum_share", "abc"),
            ),
        )
    if tab == "abc":
        title = t("ABC-klasser: mange små, få store")
        abc = charts.abc_classes(r.classes, title=title) if r.table.height else empty(title)
        return (registry.adhoc("lev_chart_abc", abc, r.classes),)
    return (registry.from_frame("hhi", r.by_cat),)


def charts_of(
    ctx: context.PageContext, tab: str, a: float, b: float, dep: float
) -> tuple[BuiltChart, ...]:
    """One tab's charts ("top", "abc" or "hhi"), built when the tab is open and cached like the
    frames: building a closed tab's charts cost 40–55 ms of every filter change at 1 M lines."""
    return context.page_result(ctx, f"leverandorer_{tab}", _build_charts, tab, a, b, dep)


def _top_tab(ctx: context.PageContext, r: Results, a: float, b: float, dep: float) -> None:
    top, pareto = charts_of(ctx, "top", a, b, dep)
    left, right = st.columns(2)
    with left:
        chart_view.show(top, key="lev_chart_top")
        st.caption(
            t(
                "Netto kjøp per leverandør (navn fra Enhetsregisteret), andel av kjøpene; "
                "fargen er ABC-klassen."
            )
            + " "
            + COUNTED
        )
    with right:
        chart_view.show(pareto, key="lev_chart_pareto")
        st.caption(
            t(
                "Samlet andel av kjøpene når leverandørene legges til fra den største. "
                "Stiplet linje: {a} (grensen for klasse A)."
            ).format(a=fmt.pct(a, 0))
            + " "
            + COUNTED
        )
    _top_table(r.table)


def _abc_tab(ctx: context.PageContext, r: Results, a: float, b: float, dep: float) -> None:
    (abc,) = charts_of(ctx, "abc", a, b, dep)
    left, right = st.columns([3, 2])
    with left:
        chart_view.show(abc, key="lev_chart_abc")
        st.caption(
            t(
                "A: leverandørene som til sammen står for de første {a} av "
                "kjøpene, B: opp til {b}, C: resten (halespend)."
            ).format(a=fmt.pct(a, 0), b=fmt.pct(b, 0))
            + " "
            + COUNTED
        )
    with right:
        # Three rows, read rather than sorted: formatted the way the tiles and charts are
        # ("1 151 486 438 kr", "77,2 %"), not in the browser's locale.
        st.dataframe(
            pl.DataFrame(
                {
                    t("Klasse"): r.classes["abc"],
                    t("Leverandører"): [fmt.number(n) for n in r.classes["n_suppliers"]],
                    t("Beløp"): [fmt.kr(v) for v in r.classes["amount"]],
                    t("Andel av linjene"): [fmt.pct(v) for v in r.classes["line_share"]],
                }
            ),
            hide_index=True,
            key=KEY("table_classes"),
        )


def _category_tab(ctx: context.PageContext, r: Results, a: float, b: float, dep: float) -> None:
    (hhi,) = charts_of(ctx, "hhi", a, b, dep)
    chart_view.show(hhi, key="lev_chart_hhi")
    st.caption(
        t(
            "HHI = summen av kvadrerte andeler (0–10 000); etiketten er tilsvarende "
            "antall like store leverandører (10 000/HHI). Grønn under 1 500, gul "
            "1 500–2 500, rød over 2 500."
        )
        + " "
        + t(conc.BAND_NOTE)
    )
    _category_table(r.by_cat)


def render() -> None:
    ctx = context.current()
    f, token = ctx.filters, ctx.token
    st.title(t("Leverandører"))
    st.caption(page.scope_text(f, token))
    a, b, dep = _settings()
    r = context.page_result(ctx, "leverandorer", compute, a, b, dep)

    _tiles(r.overall, r.tail, r.deps.height, b, dep)
    st.caption(_excluded_text(r.excluded) + " " + COUNTED)

    # Only the open tab is computed and drawn: four charts and three tables on one page cost
    # the browser ≈ 0,9 s per visit.
    page.lazy_tabs(
        definitions.SUPPLIER_TABS,
        (
            lambda: _top_tab(ctx, r, a, b, dep),
            lambda: _abc_tab(ctx, r, a, b, dep),
            lambda: _category_tab(ctx, r, a, b, dep),
            lambda: _dependencies(r.deps, dep),
        ),
    )
    page.footer(f, token, COUNTED)


render()
