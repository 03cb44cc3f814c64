"""Figures of the Avtaler page: coverage, loyalty, spend outside agreements, e-handel trend."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from charts import fmt
from charts.a11y import responsive
from charts.common import hbar
from charts.lang import tr
from charts.spend import BARS, TREND_LINES, largest_rows, line_styles, of_many, ranked
from charts.theme import NEUTRAL, PRIMARY, WARNING, themed
from data_access.store.escape import plotly_safe

# What a reader sees for a threshold flag (data values are English, see metrics.thresholds):
# (bokmål, English).
WINDOW_LABELS = {"12m": ("12 mnd", "12 months"), "48m": ("48 mnd", "48 months")}
THRESHOLD_LEVEL_LABELS = {
    "regulation": ("Over forskriftens nedre grense", "Above the regulation's lower limit"),
    "national": ("Over nasjonal terskelverdi", "Above the national threshold"),
    "eea": ("Over EØS-terskelverdi", "Above the EEA threshold"),
}
REVIEW = ("Krever vurdering", "Needs review")
#: The threshold watch's ``basis``: per municipality, or all municipalities in view together.
JOINT = ("Alle kommuner i utvalget samlet", "All municipalities in the selection together")


def _say(labels: dict[str, tuple[str, str]], key: str) -> str:
    return tr(*labels[key]) if key in labels else key


def _pct(v: float | None) -> str:
    return "–" if v is None else tr(f"{v * 100:.0f} %", f"{v * 100:.0f}%")


@responsive
@plotly_safe
def coverage_heatmap(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Coverage (0–100 %) per level-1 category (rows) × municipality (columns), the figure
    written in each cell; cells without spend stay blank.

    A national scope's 357 columns were a strip of unreadable cells whose axis named every
    ninth municipality: beyond :data:`charts.spend.BARS` the municipalities with the most
    purchases are drawn, largest first, and the title says so (the frame behind the chart,
    for the table and downloads, keeps every municipality)."""
    munis = df.select("municipality_now", "municipality_name").unique().sort("municipality_now")
    if munis.height > BARS:
        title = of_many(title, BARS, munis.height)
        df, largest = largest_rows(df, "municipality_now", "spend", BARS)
        munis = largest.join(munis, on="municipality_now", how="left", maintain_order="left")
    # The rows from the drawn municipalities' purchases: a category only undrawn ones buy
    # would be a row of blank cells.
    cats = df.select("category_l1_id", "category_l1").unique().sort("category_l1_id")
    look = {(r["category_l1"], r["municipality_now"]): r for r in df.iter_rows(named=True)}
    z, text, custom = [], [], []
    for cat in cats["category_l1"].to_list():
        zr, tx, cr = [], [], []
        for code in munis["municipality_now"].to_list():
            r = look.get((cat, code))
            cov = r["coverage"] if r else None
            zr.append(None if cov is None else cov * 100)
            tx.append(_pct(cov))
            cr.append((r["spend"] / 1e6) if r else 0.0)
        z.append(zr)
        text.append(tx)
        custom.append(cr)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=munis["municipality_name"].to_list(),
            y=cats["category_l1"].to_list(),
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            zmin=0,
            zmax=100,
            colorscale=[[0, "#FDECEA"], [0.5, "#9EC5E8"], [1, PRIMARY]],
            colorbar={"title": "%", "ticksuffix": tr(" %", "%")},  # as the cells: 19 % / 19%
            hovertemplate=tr(
                "%{y} – %{x}: %{z:.0f} % av %{customdata:,.1f} mill. kr<extra></extra>",
                "%{y} – %{x}: %{z:.0f}% of NOK %{customdata:,.1f} million<extra></extra>",
            ),
        )
    )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        yaxis={"autorange": "reversed"},
        height=120 + 42 * max(cats.height, 1),
    )
    return fig


@responsive
@plotly_safe
def loyalty_by_category(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Horizontal bars 0–100 %: share of the category's spend bought from the agreement's
    suppliers while an agreement is active; lowest loyalty on top (where to act first)."""
    # Ties (several categories at 100 %) by spend, largest first, and shares equal to the
    # ninth decimal as ties (a sum of kroner and one of øre differ in the last bits).
    d = df.filter(pl.col("loyalty").is_not_null()).sort(
        [pl.col("loyalty").round(9), "category_spend", "category"],
        descending=[True, True, False],
    )
    fig = go.Figure(
        go.Bar(
            y=d["category"].to_list(),
            x=(d["loyalty"] * 100).to_list(),
            orientation="h",
            marker_color=[
                WARNING if round(v * 100) < 60 else PRIMARY for v in d["loyalty"].to_list()
            ],
            # The share on the bar (short enough for a phone), the category's spend on hover.
            text=[_pct(v) for v in d["loyalty"].to_list()],
            customdata=[fmt.mkr(s) for s in d["category_spend"].to_list()],
            textposition="auto",
            hovertemplate=tr(
                "%{y}: %{x:.0f} % av %{customdata}<extra></extra>",
                "%{y}: %{x:.0f}% of %{customdata}<extra></extra>",
            ),
            name="",
        )
    )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        showlegend=False,
        xaxis={
            "title": tr("avtalelojalitet, %", "contract loyalty, %"),
            "range": [0, 102],
            "dtick": 20,
            "ticksuffix": tr(" %", "%"),
        },
        height=110 + 40 * max(d.height, 1),
    )
    return fig


@responsive
@plotly_safe
def outside_by_category(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Horizontal bars of spend outside agreements per category, largest on top."""
    d = df.sort("outside")
    return hbar(
        d["category"].to_list(),
        d["outside"].to_list(),
        title=title,
        colours=NEUTRAL,
        texts=[
            f"{fmt.mkr(v)} · {n} {tr('lev.', 'supp.')}"
            for v, n in zip(d["outside"].to_list(), d["suppliers"].to_list(), strict=True)
        ],
        hover=tr(
            "%{y}: %{x:,.1f} mill. kr utenfor avtale<extra></extra>",
            "%{y}: NOK %{x:,.1f} million outside agreements<extra></extra>",
        ),
        row_height=36,
        presentation=presentation,
    )


@responsive
@plotly_safe
def ehandel_trend(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """One line per municipality (its fixed colour): e-handel share of spend per year or
    quarter (the frame of ``coverage.ehandel_over_time``).

    A national scope's 357 grey lines under a 357-entry legend were a band no one could
    follow: beyond :data:`charts.spend.TREND_LINES` the municipalities with the most purchases
    are drawn, in colours of their own as on Oversikt's trend, and the title says so (the
    frame behind the chart keeps every municipality)."""
    labels = df.select("sort", "label").unique().sort("sort")["label"].to_list()
    largest = ranked(df, "municipality_now", "spend")
    many = len(largest) > TREND_LINES
    if many:
        df = df.filter(pl.col("municipality_now").is_in(largest[:TREND_LINES]))
        title = of_many(title, TREND_LINES, len(largest))
    codes = [str(c) for c in df["municipality_now"].unique().to_list()]
    styles = line_styles({c: c for c in codes}, largest, many)
    fig = go.Figure()
    for (code, name), g in df.group_by(
        ["municipality_now", "municipality_name"], maintain_order=True
    ):
        g = g.sort("sort")
        colour, dash = styles[str(code)]
        fig.add_trace(
            go.Scatter(
                x=g["label"].to_list(),
                y=(g["share"] * 100).to_list(),
                name=str(name),
                mode="lines+markers" if len(labels) <= 12 else "lines",
                line={"color": colour, "width": 3, "dash": dash},
                hovertemplate=f"{name} %{{x}}: %{{y:.1f}}{tr(' %', '%')}<extra></extra>",
            )
        )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        yaxis={
            "title": tr("andel av innkjøp, %", "share of spend, %"),
            "ticksuffix": tr(" %", "%"),
            "rangemode": "tozero",
        },
        xaxis={
            "categoryorder": "array",
            "categoryarray": labels,
            "tickangle": 0 if len(labels) <= 12 else -45,
            "type": "category",
        },
        height=420,
    )
    return fig


def _date(d: object) -> str:
    return "–" if d is None else f"{d:%d.%m.%Y}"


def _yes(flag: object) -> str:
    return tr("Ja", "Yes") if flag else ""


def outside_supplier_table(df: pl.DataFrame) -> pl.DataFrame:
    """Suppliers with most spend outside agreements, as displayed (current language)."""
    return pl.DataFrame(
        {
            tr("Leverandør", "Supplier"): df["supplier_name"],
            tr("Org.nr.", "Org. no."): df["orgnr"].fill_null("–"),
            tr("Største kategori", "Largest category"): df["main_category"],
            tr("Utenfor avtale", "Outside agreements"): [
                fmt.kr(v) for v in df["outside"].to_list()
            ],
            tr("Kommuner", "Municipalities"): df["municipalities"],
            tr("Fakturalinjer", "Invoice lines"): df["n_lines"],
        }
    )


def expiring_table(df: pl.DataFrame) -> pl.DataFrame:
    """Agreements expiring soon, as displayed (current language)."""
    days = tr("Dager igjen", "Days left")
    return pl.DataFrame(
        {
            tr("Avtale", "Agreement"): df["name"],
            tr("Avtalenr.", "Agreement no."): df["ref"],
            tr("Utløper", "Expires"): [_date(d) for d in df["end"].to_list()],
            days: df["days_left"],
            tr("Innen 6 mnd", "Within 6 months"): [_yes(v) for v in df["within_6"].to_list()],
            tr("Opsjon igjen", "Option left"): [
                tr(f"Ja, til {_date(d)}", f"Yes, to {_date(d)}") if o else tr("Nei", "No")
                for o, d in zip(
                    df["options_left"].to_list(), df["end_with_options"].to_list(), strict=True
                )
            ],
            tr("Kjøpt siste 12 mnd", "Bought last 12 months"): [
                fmt.kr(v) for v in df["volume_12m"].to_list()
            ],
            tr("Estimert årsverdi", "Estimated annual value"): [
                fmt.kr(v) for v in df["estimated_annual_value"].to_list()
            ],
            tr("Eier", "Owner"): df["owner"].fill_null(""),
        },
        schema_overrides={days: pl.Int64},
    )


def _basis(basis: str, municipality: str | None) -> str:
    """Who a threshold flag is about: one municipality (its name) or all in view together."""
    return tr(*JOINT) if basis == "total" else (municipality or "–")


def _window(window: str, start: dt.date, end: dt.date) -> str:
    """``12 mnd: jan 2025–des 2025`` / ``12 months: Jan 2025–Dec 2025``."""
    return f"{_say(WINDOW_LABELS, window)}: {fmt.month_year(start)}–{fmt.month_year(end)}"


def flags_table(df: pl.DataFrame) -> pl.DataFrame:
    """The threshold watch's flags as displayed (current language)."""
    return pl.DataFrame(
        {
            tr("Vurdering", "Assessment"): pl.Series([tr(*REVIEW)] * df.height, dtype=pl.String),
            tr("Grunnlag", "Basis"): [
                _basis(b, n)
                for b, n in zip(
                    df["basis"].to_list(), df["municipality_name"].to_list(), strict=True
                )
            ],
            tr("Leverandør", "Supplier"): df["supplier_name"],
            tr("Kategori", "Category"): df["category"].fill_null(tr("Alle", "All")),
            tr("Vindu", "Window"): [
                _window(w, a, b)
                for w, a, b in zip(
                    df["window"].to_list(),
                    df["window_start"].to_list(),
                    df["window_end"].to_list(),
                    strict=True,
                )
            ],
            tr("Kjøp uten avtale", "Spend without agreement"): [
                fmt.kr(v) for v in df["amount"].to_list()
            ],
            tr("Terskel", "Threshold"): [
                f"{_say(THRESHOLD_LEVEL_LABELS, lvl)} ({fmt.kr(v)})"
                for lvl, v in zip(df["level"].to_list(), df["threshold_nok"].to_list(), strict=True)
            ],
        }
    )


def flags_summary(df: pl.DataFrame) -> str:
    """The line above the threshold watch's table (Markdown): how many flags, and how many
    of them over the EEA threshold, written as every other figure — "1200 flagg" read as a
    year.

    >>> flags_summary(pl.DataFrame({"level": ["eea"] * 1_000 + ["national"] * 200}))
    '**1\xa0200 flagg krever vurdering**, størst beløp først (1\xa0000 over EØS-terskelen).'
    """
    n, eea = fmt.number(df.height), fmt.number(df.filter(pl.col("level") == "eea").height)
    return tr(
        f"**{n} flagg krever vurdering**, størst beløp først ({eea} over EØS-terskelen).",
        f"**{n} flags need review**, largest amount first ({eea} above the EEA threshold).",
    )


def flag_labels(df: pl.DataFrame) -> list[str]:
    """One line per flag for a picker: supplier · basis · category · window · amount."""
    return [
        " · ".join(
            (
                str(r["supplier_name"]),
                _basis(r["basis"], r["municipality_name"]),
                str(r["category"] or tr("Alle", "All")),
                _window(r["window"], r["window_start"], r["window_end"]),
                fmt.kr(r["amount"]),
            )
        )
        for r in df.iter_rows(named=True)
    ]


def lines_table(df: pl.DataFrame) -> pl.DataFrame:
    """Invoice lines behind a flag, as displayed (current language)."""
    return pl.DataFrame(
        {
            tr("Dato", "Date"): [_date(d) for d in df["date"].to_list()],
            tr("Kommune (kode)", "Municipality (code)"): df["municipality_code"],
            tr("Leverandør", "Supplier"): df["supplier_name"],
            tr("Konto", "Account"): df["account"],
            tr("Kategori", "Category"): df["category"],
            tr("Beløp", "Amount"): [fmt.kr(v, 2) for v in df["amount"].to_list()],
            tr("Bilag", "Voucher"): df["invoice_id"].fill_null(""),
            tr("E-handel", "E-commerce"): [_yes(v) for v in df["ehandel"].to_list()],
            tr("Tekst", "Text"): df["description"].fill_null(""),
        }
    )
