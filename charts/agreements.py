"""Figures of the Avtaler page: coverage, loyalty, spend outside agreements, e-handel trend."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts import fmt
from charts.a11y import responsive
from charts.common import hbar
from charts.theme import NEUTRAL, PRIMARY, WARNING, municipality_colour, template
from data_access.store.escape import plotly_safe

# What a reader sees for a threshold flag (data values are English, see metrics.thresholds).
WINDOW_LABELS = {"12m": "12 mnd", "48m": "48 mnd"}
THRESHOLD_LEVEL_LABELS = {
    "regulation": "Over forskriftens nedre grense",
    "national": "Over nasjonal terskelverdi",
    "eea": "Over EØS-terskelverdi",
}
REVIEW = "Krever vurdering"


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v * 100:.0f} %"


@responsive
@plotly_safe
def coverage_heatmap(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """Coverage (0–100 %) per level-1 category (rows) × municipality (columns), the figure
    written in each cell; cells without spend stay blank."""
    cats = df.select("category_l1_id", "category_l1").unique().sort("category_l1_id")
    munis = df.select("municipality_now", "municipality_name").unique().sort("municipality_now")
    look = {(r["category_l1"], r["municipality_now"]): r for r in df.iter_rows(named=True)}
    z, text, custom = [], [], []
    for cat in cats["category_l1"].to_list():
        zr, tr, cr = [], [], []
        for code in munis["municipality_now"].to_list():
            r = look.get((cat, code))
            cov = r["coverage"] if r else None
            zr.append(None if cov is None else cov * 100)
            tr.append(_pct(cov))
            cr.append((r["spend"] / 1e6) if r else 0.0)
        z.append(zr)
        text.append(tr)
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
            colorbar={"title": "%", "ticksuffix": " %"},
            hovertemplate="%{y} – %{x}: %{z:.0f} % av %{customdata:,.1f} mill. kr<extra></extra>",
        )
    )
    fig.update_layout(
        template=template(presentation),
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
    d = df.filter(pl.col("loyalty").is_not_null()).sort("loyalty", descending=True)
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
            hovertemplate="%{y}: %{x:.0f} % av %{customdata}<extra></extra>",
            name="",
        )
    )
    fig.update_layout(
        template=template(presentation),
        title=title,
        showlegend=False,
        xaxis={"title": "avtalelojalitet, %", "range": [0, 102], "dtick": 20, "ticksuffix": " %"},
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
            f"{fmt.mkr(v)} · {n} lev."
            for v, n in zip(d["outside"].to_list(), d["suppliers"].to_list(), strict=True)
        ],
        hover="%{y}: %{x:,.1f} mill. kr utenfor avtale<extra></extra>",
        row_height=36,
        presentation=presentation,
    )


@responsive
@plotly_safe
def ehandel_trend(df: pl.DataFrame, *, title: str, presentation: bool = False) -> go.Figure:
    """One line per municipality (its fixed colour): e-handel share of spend per year or
    quarter (the frame of ``coverage.ehandel_over_time``)."""
    labels = df.select("sort", "label").unique().sort("sort")["label"].to_list()
    fig = go.Figure()
    for (code, name), g in df.group_by(
        ["municipality_now", "municipality_name"], maintain_order=True
    ):
        g = g.sort("sort")
        fig.add_trace(
            go.Scatter(
                x=g["label"].to_list(),
                y=(g["share"] * 100).to_list(),
                name=str(name),
                mode="lines+markers" if len(labels) <= 12 else "lines",
                line={"color": municipality_colour(str(code)), "width": 3},
                hovertemplate=f"{name} %{{x}}: %{{y:.1f}} %<extra></extra>",
            )
        )
    fig.update_layout(
        template=template(presentation),
        title=title,
        yaxis={"title": "andel av innkjøp, %", "ticksuffix": " %", "rangemode": "tozero"},
        legend={"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0},
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


def outside_supplier_table(df: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Leverandør": df["supplier_name"],
            "Org.nr.": df["orgnr"].fill_null("–"),
            "Største kategori": df["main_category"],
            "Utenfor avtale": [fmt.kr(v) for v in df["outside"].to_list()],
            "Kommuner": df["municipalities"],
            "Fakturalinjer": df["n_lines"],
        }
    )


def expiring_table(df: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Avtale": df["name"],
            "Avtalenr.": df["ref"],
            "Utløper": [_date(d) for d in df["end"].to_list()],
            "Dager igjen": df["days_left"],
            "Innen 6 mnd": ["Ja" if v else "" for v in df["within_6"].to_list()],
            "Opsjon igjen": [
                f"Ja, til {_date(d)}" if o else "Nei"
                for o, d in zip(
                    df["options_left"].to_list(), df["end_with_options"].to_list(), strict=True
                )
            ],
            "Kjøpt siste 12 mnd": [fmt.kr(v) for v in df["volume_12m"].to_list()],
            "Estimert årsverdi": [fmt.kr(v) for v in df["estimated_annual_value"].to_list()],
            "Eier": df["owner"].fill_null(""),
        },
        schema_overrides={"Dager igjen": pl.Int64},
    )


def flags_table(df: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Vurdering": pl.Series([REVIEW] * df.height, dtype=pl.String),
            "Grunnlag": [
                "Alle kommuner i utvalget samlet" if b == "samlet" else n
                for b, n in zip(
                    df["basis"].to_list(), df["municipality_name"].to_list(), strict=True
                )
            ],
            "Leverandør": df["supplier_name"],
            "Kategori": df["category"].fill_null("Alle"),
            "Vindu": [
                f"{WINDOW_LABELS.get(w, w)}: {MONTHS[a.month - 1]} {a.year}–{MONTHS[b.month - 1]} {b.year}"
                for w, a, b in zip(
                    df["window"].to_list(),
                    df["window_start"].to_list(),
                    df["window_end"].to_list(),
                    strict=True,
                )
            ],
            "Kjøp uten avtale": [fmt.kr(v) for v in df["amount"].to_list()],
            "Terskel": [
                f"{THRESHOLD_LEVEL_LABELS.get(lvl, lvl)} ({fmt.kr(v)})"
                for lvl, v in zip(df["level"].to_list(), df["threshold_nok"].to_list(), strict=True)
            ],
        }
    )


def lines_table(df: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Dato": [_date(d) for d in df["date"].to_list()],
            "Kommune (kode)": df["municipality_code"],
            "Leverandør": df["supplier_name"],
            "Konto": df["account"],
            "Kategori": df["category"],
            "Beløp": [fmt.kr(v, 2) for v in df["amount"].to_list()],
            "Bilag": df["invoice_id"].fill_null(""),
            "E-handel": ["Ja" if v else "" for v in df["ehandel"].to_list()],
            "Tekst": df["description"].fill_null(""),
        }
    )


MONTHS = ["jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"]
