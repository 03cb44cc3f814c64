"""The standard charts, each defined once: id, title, definition, the frame, the figure and the
headline sentence. Pages, the Presentasjon page, the per-chart downloads and ``innsikt report``
all build a standard chart through :func:`build`, so no chart is computed two ways and what is
downloaded is the frame that drew the picture.

No Streamlit here: the inputs come in a :class:`ChartData` (the cached, scoped cube and the
reference tables), the language from ``charts.lang``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import plotly.graph_objects as go
import polars as pl

from charts import agreements as agreement_charts
from charts import fmt
from charts import opportunities as opportunity_charts
from charts import overview as overview_charts
from charts import regional as regional_charts
from charts import savings as savings_charts
from charts import spend as spend_charts
from charts import suppliers as supplier_charts
from charts.common import empty
from charts.lang import tr
from charts.localize import localize
from data_access.metrics import concentration, coverage, overview, regional, savings, spend
from data_access.store.escape import already_escaped, plotly_frame
from data_access.store.filters import Filters
from data_access.store.reference import region


@dataclass(frozen=True, eq=False)
class ChartData:
    """What a standard chart may be computed from: the scoped cube and reference tables."""

    cube: pl.DataFrame
    agreements: pl.DataFrame
    yearly_target: float
    municipalities: pl.DataFrame | None = None
    population: pl.DataFrame | None = None
    # The ranked opportunities (``metrics.opportunities.rank``'s frame) for a filter selection.
    # A function, not a frame: its inputs (stored weights, the cooperation's member counts) are
    # read from the database by the caller (ui/, report/), which charts may not do. None: the
    # Muligheter chart is empty.
    opportunities: Callable[[Filters], pl.DataFrame] | None = None


@dataclass(frozen=True)
class Column:
    """One column of a chart's data: internal name, headings, and how a spreadsheet shows it
    (``text``, ``period`` (a period label of the data, ``2025 Q3``, shown in the reader's
    language), ``kr``, ``pct`` (a share 0–1), ``int`` or ``num``)."""

    name: str
    nb: str
    en: str
    kind: str = "text"

    @property
    def heading(self) -> str:
        return tr(self.nb, self.en)


@dataclass(frozen=True)
class ChartSpec:
    """One standard chart. ``frame`` computes the data, ``draw`` the figure from exactly that
    frame, ``headline`` the sentence a slide leads with; ``total`` is the sum a spreadsheet
    states under the data (the same figure ``innsikt figures`` prints), with its label."""

    id: str
    title_nb: str
    title_en: str
    definition_nb: str
    definition_en: str
    frame: Callable[[ChartData, Filters], pl.DataFrame]
    draw: Callable[[pl.DataFrame, str, bool], go.Figure]
    headline: Callable[[pl.DataFrame], str]
    columns: tuple[Column, ...]
    total: Callable[[pl.DataFrame], float] | None = None
    total_nb: str = "Sum"
    total_en: str = "Total"
    escape: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        return tr(self.title_nb, self.title_en)

    @property
    def definition(self) -> str:
        return tr(self.definition_nb, self.definition_en)


@dataclass(frozen=True)
class BuiltChart:
    """A standard chart for one filter selection: the frame, the figure drawn from it, the
    headline sentence, and the same frame with the user-facing headings for tables and files."""

    spec: ChartSpec
    frame: pl.DataFrame
    figure: go.Figure
    headline: str

    @property
    def table(self) -> pl.DataFrame:
        return table(self.spec, self.frame)

    @property
    def total(self) -> float | None:
        return self.spec.total(self.frame) if self.spec.total and self.frame.height else None


def shown(columns: tuple[Column, ...], frame: pl.DataFrame) -> pl.DataFrame:
    """The documented columns of ``frame`` (internal names), period labels in the current
    language: what a table and a spreadsheet show."""
    cols = [c for c in columns if c.name in frame.columns]
    out = frame.select(c.name for c in cols)
    for c in cols:
        if c.kind == "period" and out.height:
            labels = {v: fmt.period(v) for v in out[c.name].unique().drop_nulls().to_list()}
            out = out.with_columns(pl.col(c.name).cast(pl.String).replace(labels))
    return out


def table(spec: ChartSpec, frame: pl.DataFrame) -> pl.DataFrame:
    """The chart's frame with only its documented columns, headed in the current language."""
    cols = {c.name: c.heading for c in spec.columns}
    out = shown(spec.columns, frame)
    return out.rename({name: cols[name] for name in out.columns})


def _sum(frame: pl.DataFrame, col: str) -> float:
    return float(frame[col].sum()) if frame.height else 0.0


def _name(value: object) -> str:
    return str(value) if value is not None else "–"


# --- the charts --------------------------------------------------------------------------


def _municipality_headline(d: pl.DataFrame) -> str:
    if d.height == 0:
        return tr("Ingen kjøp i utvalget", "No spend in the selection")
    top = d.sort("amount", descending=True).row(0, named=True)
    if d.height == 1:
        return tr(
            f"{_name(top['municipality_name'])} kjøpte for {fmt.mkr(top['amount'])}",
            f"{_name(top['municipality_name'])} spent {fmt.mkr(top['amount'])}",
        )
    return tr(
        f"{_name(top['municipality_name'])} kjøpte mest: {fmt.mkr(top['amount'])}",
        f"{_name(top['municipality_name'])} bought the most: {fmt.mkr(top['amount'])}",
    )


def _categories_frame(data: ChartData, f: Filters) -> pl.DataFrame:
    return overview.top_categories(data.cube, f, n=1_000)


def _categories_headline(d: pl.DataFrame) -> str:
    if d.height == 0:
        return tr("Ingen kjøp i utvalget", "No spend in the selection")
    top = d.row(0, named=True)
    return tr(
        f"Største kategori: {_name(top['category'])}, {fmt.mkr(top['amount'])} "
        f"({fmt.pct(top['share'])} av kjøpene)",
        f"Largest category: {_name(top['category'])}, {fmt.mkr(top['amount'])} "
        f"({fmt.pct(top['share'])} of spend)",
    )


def _trend_headline(d: pl.DataFrame) -> str:
    inside = d.filter(pl.col("in_period"))
    total = _sum(inside, "amount")
    quarters = inside["label"].n_unique() if inside.height else 0
    return tr(
        f"Innkjøp i valgt periode: {fmt.mkr(total)} ({quarters} kvartal)",
        f"Spend in the selected period: {fmt.mkr(total)} ({quarters} quarters)",
    )


def _suppliers_frame(data: ChartData, f: Filters) -> pl.DataFrame:
    reg = region()
    return concentration.suppliers(data.cube, f, reg.abc_a, reg.abc_b)


def _suppliers_headline(d: pl.DataFrame) -> str:
    if d.height == 0:
        return tr("Ingen leverandører i utvalget", "No suppliers in the selection")
    top = d.row(0, named=True)
    cr5 = float(d.head(5)["share"].sum())
    return tr(
        f"Største leverandør: {_name(top['supplier_name'])} med {fmt.pct(top['share'])}; "
        f"de fem største har {fmt.pct(cr5)}",
        f"Largest supplier: {_name(top['supplier_name'])} with {fmt.pct(top['share'])}; "
        f"the five largest have {fmt.pct(cr5)}",
    )


def _hhi_headline(d: pl.DataFrame) -> str:
    rated = d.filter(pl.col("hhi").is_not_null())
    high = rated.filter(pl.col("hhi") > 2_500).height
    return tr(
        f"{high} av {rated.height} kategorier har høy konsentrasjon (HHI over 2 500)",
        f"{high} of {rated.height} categories are highly concentrated (HHI above 2,500)",
    )


def _regional_frame(data: ChartData, f: Filters) -> pl.DataFrame:
    return regional.levels(data.cube, f, by="municipality")


def _regional_headline(d: pl.DataFrame) -> str:
    known = _sum(d, "known")
    local = _sum(d, "same") + _sum(d, "member")
    share = local / known if known else None
    return tr(
        f"{fmt.pct(share)} av kjøpene med kjent hjemsted gikk til leverandører i regionen",
        f"{fmt.pct(share)} of spend with a known home went to suppliers in the region",
    )


def _savings_frame(data: ChartData, f: Filters) -> pl.DataFrame:
    return savings.realized_by_municipality(data.cube, f, data.agreements)


def _savings_headline(d: pl.DataFrame) -> str:
    total = _sum(d, "realized")
    if d.height == 0 or total == 0:
        return tr("Ingen realisert gevinst i utvalget", "No realized savings in the selection")
    top = d.sort("realized", descending=True).row(0, named=True)
    return tr(
        f"Realisert gevinst {fmt.mkr(total)}; mest i {_name(top['municipality_name'])} "
        f"({fmt.mkr(top['realized'])})",
        f"Realized savings {fmt.mkr(total)}; most in {_name(top['municipality_name'])} "
        f"({fmt.mkr(top['realized'])})",
    )


def _outside_frame(data: ChartData, f: Filters) -> pl.DataFrame:
    return coverage.outside_by_category(data.cube, f, n=1_000)


def _outside_headline(d: pl.DataFrame) -> str:
    if d.height == 0:
        return tr("Alt kjøp i utvalget er under avtale", "All spend in the selection is covered")
    top = d.row(0, named=True)
    return tr(
        f"{fmt.mkr(_sum(d, 'outside'))} kjøpt utenfor avtale; mest i {_name(top['category'])} "
        f"({fmt.mkr(top['outside'])})",
        f"{fmt.mkr(_sum(d, 'outside'))} bought outside agreements; most in "
        f"{_name(top['category'])} ({fmt.mkr(top['outside'])})",
    )


def _matrix_frame(data: ChartData, f: Filters) -> pl.DataFrame:
    return spend.matrix(data.cube, f)


def _matrix_headline(d: pl.DataFrame) -> str:
    if d.height == 0:
        return tr("Ingen kjøp i utvalget", "No spend in the selection")
    top = d.sort("amount", descending=True).row(0, named=True)
    return tr(
        f"Største post: {_name(top['muni_label'])} – {_name(top['category'])}, "
        f"{fmt.mkr(top['amount'])}",
        f"Largest cell: {_name(top['muni_label'])} – {_name(top['category'])}, "
        f"{fmt.mkr(top['amount'])}",
    )


def _opportunities_frame(data: ChartData, f: Filters) -> pl.DataFrame:
    """The ranked opportunities with the texts a reader sees (threshold, rate source, reasons),
    in the current language."""
    if data.opportunities is None:
        return pl.DataFrame()
    ranked = data.opportunities(f)
    return opportunity_charts.described(ranked) if ranked.height else ranked


TOP_OPPORTUNITIES = 10  # as many as ``innsikt figures`` lists


def _opportunities_total(d: pl.DataFrame) -> float:
    return _sum(d.sort("rank").head(TOP_OPPORTUNITIES), "potential")


def _opportunities_headline(d: pl.DataFrame) -> str:
    if d.height == 0 or _sum(d, "potential") <= 0:
        return tr(
            "Ingen anslått potensial for felles anskaffelser i utvalget",
            "No estimated potential for joint tenders in the selection",
        )
    top = d.sort("potential", descending=True).row(0, named=True)
    return tr(
        f"Størst anslått potensial: {_name(top['category'])}, {fmt.mkr(top['potential'])} "
        "per år (anslag)",
        f"Largest estimated potential: {_name(top['category'])}, {fmt.mkr(top['potential'])} "
        "a year (estimate)",
    )


MUNI = Column("municipality_name", "Kommune", "Municipality")
AMOUNT = Column("amount", "Beløp (kr)", "Amount (NOK)", "kr")

# Charts whose frame reads no cube (the ranked opportunities come from
# ``ChartData.opportunities``): above the pushdown threshold every other chart is summed by
# the database (``data_access.pushdown.CHART_FRAMES``), and ``ui.chart_view.chart_data`` then
# hands these an empty cube (``tests/test_pushdown_page.py`` checks that each chart is one
# of the two).
CUBE_FREE = frozenset({"muligheter"})

CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        id="kommuner",
        title_nb="Innkjøp per kommune",
        title_en="Spend per municipality",
        definition_nb="Sum beløp eks. mva. på kjøpskontoer (KOSTRA-art) per medlemskommune "
        "med dagens kommunestruktur, kreditnotaer trukket fra.",
        definition_en="Sum of amounts excl. VAT on purchase accounts (KOSTRA art) per member "
        "municipality in today's structure, credit notes deducted.",
        frame=lambda data, f: overview.spend_by_municipality(data.cube, f),
        draw=lambda d, title, p: overview_charts.spend_by_municipality(
            d, title=title, presentation=p
        ),
        headline=_municipality_headline,
        columns=(Column("municipality_now", "Kommunenr.", "Municipality no."), MUNI, AMOUNT),
        total=lambda d: _sum(d, "amount"),
        escape=("municipality_name",),
    ),
    ChartSpec(
        id="kategorier",
        title_nb="Største kategorier",
        title_en="Largest categories",
        definition_nb="Innkjøp per kategori (nivå 2) med andel av totalen; figuren viser de ti "
        "største, tabellen alle.",
        definition_en="Spend per category (level 2) with its share of the total; the figure "
        "shows the ten largest, the table all.",
        frame=_categories_frame,
        draw=lambda d, title, p: overview_charts.top_categories(
            d.head(10), title=title, presentation=p
        ),
        headline=_categories_headline,
        columns=(
            Column("category_l1", "Hovedkategori", "Main category"),
            Column("category", "Kategori", "Category"),
            AMOUNT,
            Column("share", "Andel", "Share", "pct"),
        ),
        total=lambda d: _sum(d, "amount"),
        escape=("category", "category_l1"),
    ),
    ChartSpec(
        id="kvartal",
        title_nb="Innkjøp per kvartal (valgt periode uthevet)",
        title_en="Spend per quarter (selected period highlighted)",
        definition_nb="Innkjøp per kvartal og kommune for hele historikken; kvartalene i valgt "
        "periode er uthevet.",
        definition_en="Spend per quarter and municipality over the whole history; the quarters "
        "of the selected period are highlighted.",
        frame=lambda data, f: overview.trend_by_quarter(data.cube, f),
        draw=lambda d, title, p: overview_charts.trend_by_quarter(d, title=title, presentation=p),
        headline=_trend_headline,
        columns=(
            Column("label", "Kvartal", "Quarter", "period"),
            Column("municipality_now", "Kommunenr.", "Municipality no."),
            MUNI,
            AMOUNT,
            Column("in_period", "I valgt periode", "In selected period"),
        ),
        total=lambda d: _sum(d.filter(pl.col("in_period")), "amount"),
        total_nb="Sum i valgt periode",
        total_en="Total in the selected period",
        escape=("municipality_name",),
    ),
    ChartSpec(
        id="leverandorer",
        title_nb="De 15 største leverandørene",
        title_en="The 15 largest suppliers",
        definition_nb="Netto kjøp per leverandør med identitet (organisasjonsnummer, "
        "leverandørnummer eller navn), andel av kjøpene og ABC-klasse; privatpersoner, "
        "samleposter og negativt netto holdes utenfor. Figuren viser de 15 største.",
        definition_en="Net spend per supplier with an identity (organisation number, ERP "
        "supplier number or name), share of spend and ABC class; private persons, collective "
        "posts and negative net are left out. The figure shows the 15 largest.",
        frame=_suppliers_frame,
        draw=lambda d, title, p: supplier_charts.top_suppliers(d, title=title, presentation=p),
        headline=_suppliers_headline,
        columns=(
            Column("rank", "Rang", "Rank", "int"),
            Column("supplier_name", "Leverandør", "Supplier"),
            Column("orgnr", "Org.nr.", "Org. no."),
            AMOUNT,
            Column("share", "Andel", "Share", "pct"),
            Column("abc", "ABC-klasse", "ABC class"),
            Column("n_lines", "Linjer", "Lines", "int"),
            Column("categories", "Største kategorier", "Largest categories"),
        ),
        total=lambda d: _sum(d, "amount"),
        escape=("supplier_name", "categories"),
    ),
    ChartSpec(
        id="hhi",
        title_nb="Konsentrasjon per kategori (HHI)",
        title_en="Concentration per category (HHI)",
        definition_nb="HHI = summen av kvadrerte leverandørandeler (0–10 000) i kategorien; "
        "under 1 500 lav, 1 500–2 500 moderat, over 2 500 høy (kjøpers tommelfingerregel).",
        definition_en="HHI = the sum of squared supplier shares (0–10,000) in the category; "
        "below 1,500 low, 1,500–2,500 moderate, above 2,500 high (a buyer's rule of thumb).",
        frame=lambda data, f: concentration.by_category(data.cube, f),
        draw=lambda d, title, p: supplier_charts.hhi_by_category(d, title=title, presentation=p),
        headline=_hhi_headline,
        columns=(
            Column("category_l1", "Hovedkategori", "Main category"),
            Column("category", "Kategori", "Category"),
            AMOUNT,
            Column("n_suppliers", "Leverandører", "Suppliers", "int"),
            Column("hhi", "HHI", "HHI", "num"),
            Column("band", "Nivå", "Band"),
            Column("cr1", "CR1", "CR1", "pct"),
            Column("cr3", "CR3", "CR3", "pct"),
            Column("cr5", "CR5", "CR5", "pct"),
            Column("top_supplier", "Største leverandør", "Largest supplier"),
        ),
        total=lambda d: _sum(d, "amount"),
        escape=("category", "top_supplier"),
    ),
    ChartSpec(
        id="regionalt",
        title_nb="Hvor kommunene handler: leverandørens hjemsted",
        title_en="Where the municipalities buy: supplier's home",
        definition_nb="Andel av kjøpene hos leverandører i egen kommune, annen medlemskommune, "
        "resten av fylket, resten av Norge og utlandet/ukjent (hovedenhetens "
        "forretningsadresse). Regional andel regnes av kjøp med kjent hjemsted.",
        definition_en="Share of spend with suppliers in the own municipality, another member, "
        "the rest of the county, the rest of Norway and abroad/unknown (the main unit's "
        "business address). The regional share is of spend with a known home.",
        frame=_regional_frame,
        draw=lambda d, title, p: regional_charts.levels_stacked(
            d, label="municipality_name", title=title, presentation=p
        ),
        headline=_regional_headline,
        columns=(
            MUNI,
            Column("same", "Egen kommune (kr)", "Own municipality (NOK)", "kr"),
            Column("member", "Annen medlemskommune (kr)", "Other member (NOK)", "kr"),
            Column("county", "Resten av fylket (kr)", "Rest of the county (NOK)", "kr"),
            Column("norway", "Resten av Norge (kr)", "Rest of Norway (NOK)", "kr"),
            Column("abroad_unknown", "Utlandet eller ukjent (kr)", "Abroad or unknown (NOK)", "kr"),
            Column("total", "Totalt (kr)", "Total (NOK)", "kr"),
            Column("regional_share", "Regional andel", "Regional share", "pct"),
        ),
        total=lambda d: _sum(d, "total"),
        escape=("municipality_name",),
    ),
    ChartSpec(
        id="gevinst",
        title_nb="Realisert gevinst per kommune i perioden",
        title_en="Realized savings per municipality in the period",
        definition_nb="Realisert gevinst = avtalekjøp × r/(1 − r) for avtalens besparelsesgrad "
        "r, regnet av hver kommunes egne avtalekjøp; hard gevinst og kostnadsunngåelse hver for "
        "seg.",
        definition_en="Realized savings = matched spend × r/(1 − r) for the agreement's savings "
        "rate r, on each municipality's own matched spend; hard savings and cost avoidance "
        "apart.",
        frame=_savings_frame,
        draw=lambda d, title, p: savings_charts.by_municipality(d, title=title, presentation=p),
        headline=_savings_headline,
        columns=(
            MUNI,
            Column("spend", "Innkjøp (kr)", "Spend (NOK)", "kr"),
            Column("matched", "Avtalekjøp (kr)", "Matched spend (NOK)", "kr"),
            Column("realized", "Realisert gevinst (kr)", "Realized savings (NOK)", "kr"),
            Column("hard", "Hard gevinst (kr)", "Hard savings (NOK)", "kr"),
            Column("avoidance", "Kostnadsunngåelse (kr)", "Cost avoidance (NOK)", "kr"),
        ),
        total=lambda d: _sum(d, "realized"),
        total_nb="Sum realisert gevinst",
        total_en="Total realized savings",
        escape=("municipality_name",),
    ),
    ChartSpec(
        id="utenfor_avtale",
        title_nb="Kjøp utenfor avtale per kategori",
        title_en="Spend outside agreements per category",
        definition_nb="Kjøp som ikke er knyttet til en aktiv rammeavtale der kommunen deltar, "
        "per kategori (nivå 2); figuren viser de 15 største.",
        definition_en="Spend not matched to an active framework agreement the municipality "
        "takes part in, per category (level 2); the figure shows the 15 largest.",
        frame=_outside_frame,
        draw=lambda d, title, p: agreement_charts.outside_by_category(
            d.head(15), title=title, presentation=p
        ),
        headline=_outside_headline,
        columns=(
            Column("category_l1", "Hovedkategori", "Main category"),
            Column("category", "Kategori", "Category"),
            Column("outside", "Utenfor avtale (kr)", "Outside agreements (NOK)", "kr"),
            Column("suppliers", "Leverandører", "Suppliers", "int"),
            Column("share", "Andel", "Share", "pct"),
        ),
        total=lambda d: _sum(d, "outside"),
        escape=("category",),
    ),
    ChartSpec(
        id="kommune_kategori",
        title_nb="Innkjøp per kommune og kategori",
        title_en="Spend per municipality and category",
        definition_nb="Innkjøp per kommune (kolonner) og kategori (rader, nivå 2) i mill. kr.",
        definition_en="Spend per municipality (columns) and category (rows, level 2) in NOK "
        "million.",
        frame=_matrix_frame,
        draw=lambda d, title, p: spend_charts.heatmap(d, title=title, presentation=p),
        headline=_matrix_headline,
        columns=(
            Column("muni_label", "Kommune", "Municipality"),
            Column("category_l1", "Hovedkategori", "Main category"),
            Column("category", "Kategori", "Category"),
            AMOUNT,
        ),
        total=lambda d: _sum(d, "amount"),
        escape=("muni_label", "category", "category_l1"),
    ),
    ChartSpec(
        id="muligheter",
        title_nb="Anslått potensial mot kjøp utenfor avtale per kategori",
        title_en="Estimated potential against spend outside agreements per category",
        definition_nb="Anslått potensial (anslag) = kjøp utenfor avtale siste 12 mnd. × "
        "r/(1 − r), r = median besparelsesgrad i samarbeidets egne avtaler i kategorien (ellers "
        "standardsats), spenn fra 25.–75. persentil; rangert etter potensial, bredde blant "
        "medlemmene og terskelstatus.",
        definition_en="Estimated potential (estimate) = spend outside agreements in the last 12 "
        "months × r/(1 − r), r = the median savings rate of the cooperation's own agreements in "
        "the category (else the default rate), range from the 25th–75th percentile; ranked by "
        "potential, breadth across members and threshold status.",
        frame=_opportunities_frame,
        draw=lambda d, title, p: opportunity_charts.potential_vs_addressable(
            d, title=title, presentation=p
        ),
        headline=_opportunities_headline,
        columns=(
            Column("rank", "Rang", "Rank", "int"),
            Column("category_l1", "Hovedkategori", "Main category"),
            Column("category", "Kategori", "Category"),
            Column(
                "potential",
                "Anslått potensial (kr, anslag)",
                "Estimated potential (NOK, estimate)",
                "kr",
            ),
            Column(
                "potential_low", "Potensial lav (kr, anslag)", "Potential low (NOK, estimate)", "kr"
            ),
            Column(
                "potential_high",
                "Potensial høy (kr, anslag)",
                "Potential high (NOK, estimate)",
                "kr",
            ),
            Column(
                "addressable_12m",
                "Utenfor avtale siste 12 mnd. (kr)",
                "Outside agreements, last 12 months (NOK)",
                "kr",
            ),
            Column("members", "Kommuner som kjøper", "Buying municipalities", "int"),
            Column("members_total", "Medlemmer", "Members", "int"),
            Column("suppliers", "Leverandører", "Suppliers", "int"),
            Column("threshold_text", "Terskel (samlet kjøp)", "Threshold (joint spend)"),
            Column(
                "expiring",
                "Avtaler som utløper innen 12 mnd.",
                "Agreements expiring within 12 months",
                "int",
            ),
            Column("rate", "Sats r (anslag)", "Rate r (estimate)", "pct"),
            Column("rate_source_text", "Kilde for sats", "Rate source"),
            Column("reasons", "Begrunnelse", "Reasons"),
        ),
        total=_opportunities_total,
        total_nb=f"Sum anslått potensial, de {TOP_OPPORTUNITIES} øverste (anslag)",
        total_en=f"Total estimated potential, top {TOP_OPPORTUNITIES} (estimate)",
        escape=("category", "category_l1"),
    ),
)
BY_ID: dict[str, ChartSpec] = {c.id: c for c in CHARTS}


# Headings for frames of charts outside the registry (page-specific views), so their tables and
# downloads read as well as the standard charts'.
HEADINGS: dict[str, tuple[str, str, str]] = {
    c.name: (c.nb, c.en, c.kind) for spec in CHARTS for c in spec.columns
} | {
    "muni_key": ("Kommunenr.", "Municipality no.", "text"),
    "year": ("År", "Year", "text"),
    "quarter": ("Kvartal", "Quarter", "text"),
    "month": ("Måned", "Month", "text"),
    "per_inhabitant": ("Kr per innbygger", "NOK per inhabitant", "kr"),
    "population": ("Innbyggere", "Inhabitants", "int"),
    "coverage": ("Avtaledekning", "Contract coverage", "pct"),
    "loyalty": ("Avtalelojalitet", "Contract loyalty", "pct"),
    "covered": ("Under avtale (kr)", "Covered (NOK)", "kr"),
    "projected": ("Forventet gevinst (kr)", "Projected savings (NOK)", "kr"),
    "expected_loyalty": ("Forventet × lojalitet (kr)", "Projected × loyalty (NOK)", "kr"),
    "cum_realized": ("Akkumulert gevinst (kr)", "Cumulative savings (NOK)", "kr"),
    "target": ("Mål (kr)", "Target (NOK)", "kr"),
    "sme_share": ("SMB-andel", "SME share", "pct"),
    "ehandel_share": ("E-handelsandel", "E-commerce share", "pct"),
    "cum_share": ("Kumulativ andel", "Cumulative share", "pct"),
    "label": ("Periode", "Period", "period"),
    "n_categories": ("Kategorier", "Categories", "int"),
    "equivalent": ("Tilsvarer antall", "Equivalent number", "num"),
}


def adhoc(key: str, figure: go.Figure, frame: pl.DataFrame) -> BuiltChart:
    """A page-specific chart (not in the registry) wrapped so it gets the same table view and
    downloads: its frame's columns headed from :data:`HEADINGS` where known."""
    title = figure.layout.title.text if figure.layout.title and figure.layout.title.text else key
    cols = tuple(
        Column(c, *HEADINGS[c]) if c in HEADINGS else Column(c, c, c, _kind(frame, c))
        for c in frame.columns
    )
    spec = ChartSpec(
        id=key,
        title_nb=title,
        title_en=title,
        definition_nb="",
        definition_en="",
        frame=lambda data, f: frame,
        draw=lambda d, t, p: figure,
        headline=lambda d: "",
        columns=cols,
    )
    return BuiltChart(spec, frame, localize(figure), "")


def _kind(frame: pl.DataFrame, col: str) -> str:
    dtype = frame.schema[col]
    if dtype.is_integer():
        return "int"
    return "num" if dtype.is_numeric() else "text"


def get(chart_id: str) -> ChartSpec:
    """The standard chart with this id (``KeyError`` names the known ids)."""
    try:
        return BY_ID[chart_id]
    except KeyError:
        raise KeyError(f"unknown chart {chart_id!r}; known: {', '.join(BY_ID)}") from None


def draw(spec: ChartSpec, frame: pl.DataFrame, *, presentation: bool = False) -> go.Figure:
    """The figure of ``frame`` (text from files escaped for Plotly), in the current language;
    a titled placeholder when the selection is empty."""
    if frame.height == 0:
        return localize(empty(spec.title))
    safe = plotly_frame(frame, *[c for c in spec.escape if c in frame.columns])
    with already_escaped():
        fig = spec.draw(safe, spec.title, presentation)
    if presentation:  # large type needs room: legends below the axis must not cover its title
        fig.update_layout(height=max(int(fig.layout.height or 450), 620))
    return localize(fig)


def from_frame(chart_id: str, frame: pl.DataFrame, *, presentation: bool = False) -> BuiltChart:
    """A standard chart from a frame the caller computed with the chart's own frame function
    (a page that also shows the frame's figures in tiles need not compute it twice)."""
    spec = get(chart_id)
    return BuiltChart(
        spec, frame, draw(spec, frame, presentation=presentation), spec.headline(frame)
    )


def build(chart_id: str, data: ChartData, f: Filters, *, presentation: bool = False) -> BuiltChart:
    """Frame, figure and headline of one standard chart for one filter selection."""
    spec = get(chart_id)
    frame = spec.frame(data, f)
    return BuiltChart(
        spec, frame, draw(spec, frame, presentation=presentation), spec.headline(frame)
    )
