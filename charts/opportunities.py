"""Figures, tables and words of the Muligheter page: frame in, figure (or display frame, or
sentence) out, in the current language (``charts.lang``).

Every potential is an estimate; the figures say so in their axis titles and hover text.
Category names come from the editable category tree, so they are escaped for Plotly.
``data_access.metrics.opportunities`` gives values (a threshold status, ``joint``, a rate
source); the texts a reader sees are made from them here.
"""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go
import polars as pl

from charts import fmt
from charts.a11y import responsive, wrap
from charts.lang import tr
from charts.spans import hline
from charts.theme import NEUTRAL, POSITIVE, PRIMARY, WARNING, themed
from data_access.metrics.opportunities import TargetGap
from data_access.store.escape import plotly_text

STATUS_COLOURS = {
    "eea_12": WARNING,
    "eea_48": "#E69F00",
    "national": PRIMARY,
    "regulation": "#56B4E9",
    "under": NEUTRAL,
}
STATUS_LEGEND = {
    "eea_12": "Over EØS-terskel (12 mnd.)",
    "eea_48": "Over EØS-terskel (48 mnd.)",
    "national": "Over nasjonal terskel",
    "regulation": "Over 100 000 kr",
    "under": "Under terskelverdiene",
}
STATUS_LEGEND_EN = {
    "eea_12": "Above the EEA threshold (12 months)",
    "eea_48": "Above the EEA threshold (48 months)",
    "national": "Above the national threshold",
    "regulation": "Above NOK 100,000",
    "under": "Below the thresholds",
}


# A category's joint 12/48-month sums against the thresholds, as a reader says it: (bokmål,
# English), jointly across the municipalities in view; one municipality in view is not "joint".
THRESHOLD_TEXT = {
    "eea_12": ("Over EØS-terskel samlet (12 mnd.)", "Above the EEA threshold jointly (12 months)"),
    "eea_48": ("Over EØS-terskel samlet (48 mnd.)", "Above the EEA threshold jointly (48 months)"),
    "national": ("Over nasjonal terskel samlet", "Above the national threshold jointly"),
    "regulation": ("Over 100 000 kr samlet", "Above NOK 100,000 jointly"),
    "under": ("Under terskelverdiene", "Below the thresholds"),
}
RATE_SOURCE_TEXT = {
    "agreements": ("egne avtaler", "own agreements"),
    "default": ("standard", "default"),
}
NUMBER_WORDS = {
    1: ("denne anskaffelsen", "this tender"),
    2: ("disse to anskaffelsene", "these two tenders"),
    3: ("disse tre anskaffelsene", "these three tenders"),
    4: ("disse fire anskaffelsene", "these four tenders"),
    5: ("disse fem anskaffelsene", "these five tenders"),
}


def threshold_text(status: str | None, joint: bool = True) -> str:
    """``Over EØS-terskel samlet (12 mnd.)``; without "samlet" when one municipality is in view.

    >>> threshold_text("national"), threshold_text("national", joint=False)
    ('Over nasjonal terskel samlet', 'Over nasjonal terskel')
    >>> from charts.lang import using
    >>> with using("en"):
    ...     threshold_text("eea_48")
    'Above the EEA threshold jointly (48 months)'
    """
    text = tr(*THRESHOLD_TEXT[status or "under"])
    return text if joint else text.replace(" samlet", "").replace(" jointly", "")


def _int(value: object) -> int:
    """A count from a row (null: 0)."""
    return int(value) if isinstance(value, int | float) else 0


def reasons(row: Mapping[str, object]) -> str:
    """The reasons for a rank, in words a procurement leader can read aloud (``row`` is a row of
    ``metrics.opportunities.rank``'s frame).

    >>> r = {"members": 4, "members_total": 5, "suppliers": 37, "suppliers_single": 20,
    ...      "addressable_12m": 12_400_000.0, "threshold_status": "eea_12", "joint": True,
    ...      "expiring": 1, "rate_source": "agreements", "n_agreements": 2}
    >>> reasons(r).replace("\xa0", " ")
    '4 av 5 kommuner kjøper, 37 leverandører (20 brukt av bare én kommune), 12,4 mill. kr utenfor avtale siste 12 mnd., over EØS-terskel samlet, 1 avtale utløper innen 12 mnd., sats fra 2 egne avtaler'
    >>> from charts.lang import using
    >>> with using("en"):
    ...     reasons(r).replace("\xa0", " ")
    '4 of 5 municipalities buy, 37 suppliers (20 used by only one municipality), NOK 12.4 million outside agreements in the last 12 months, above the EEA threshold jointly, 1 agreement expires within 12 months, rate from 2 own agreements'
    """
    members, total = _int(row.get("members")), _int(row.get("members_total"))
    n_sup, single = _int(row.get("suppliers")), _int(row.get("suppliers_single"))
    parts = [
        tr(f"{members} av {total} kommuner kjøper", f"{members} of {total} municipalities buy")
    ]
    sup = tr(
        f"{n_sup} leverandør" + ("" if n_sup == 1 else "er"),
        f"{n_sup} supplier" + ("" if n_sup == 1 else "s"),
    )
    if single and members > 1:
        sup += tr(
            f" ({single} brukt av bare én kommune)", f" ({single} used by only one municipality)"
        )
    parts.append(sup)
    amount = row.get("addressable_12m")
    outside = fmt.mkr(float(amount) if isinstance(amount, int | float) else 0.0)
    parts.append(
        tr(
            f"{outside} utenfor avtale siste 12 mnd.",
            f"{outside} outside agreements in the last 12 months",
        )
    )
    status = str(row.get("threshold_status") or "under")
    if status != "under":
        text = threshold_text(status, row.get("joint") is not False)
        text = text.replace(" (12 mnd.)", "").replace(" (12 months)", "")
        parts.append(text[0].lower() + text[1:])
    n_exp = _int(row.get("expiring"))
    if n_exp:
        parts.append(
            tr(
                f"{n_exp} avtale{'' if n_exp == 1 else 'r'} utløper innen 12 mnd.",
                f"{n_exp} agreement{' expires' if n_exp == 1 else 's expire'} within 12 months",
            )
        )
    n_ag = _int(row.get("n_agreements"))
    if row.get("rate_source") == "agreements":
        parts.append(
            tr(
                f"sats fra {n_ag} egne avtale{'' if n_ag == 1 else 'r'}",
                f"rate from {n_ag} own agreement{'' if n_ag == 1 else 's'}",
            )
        )
    else:
        parts.append(tr("standardsats for kategorigruppen", "default rate of the category group"))
    return ", ".join(parts)


def described(ranked: pl.DataFrame) -> pl.DataFrame:
    """``metrics.opportunities.rank``'s frame with the texts a reader sees, in the current
    language: ``threshold_text``, ``rate_source_text`` and ``reasons``."""
    rows = list(ranked.iter_rows(named=True))
    return ranked.with_columns(
        threshold_text=pl.Series(
            [threshold_text(r["threshold_status"], r.get("joint") is not False) for r in rows],
            dtype=pl.String,
        ),
        rate_source_text=pl.Series(
            [tr(*RATE_SOURCE_TEXT.get(str(r.get("rate_source")), ("", ""))) for r in rows],
            dtype=pl.String,
        ),
        reasons=pl.Series([reasons(r) for r in rows], dtype=pl.String),
    )


def gap_sentence(g: TargetGap) -> str:
    """'Med disse tre anskaffelsene fra 1. mars 2027 nås målet i 2027.' (an estimate).

    >>> import datetime as dt
    >>> g = TargetGap(2026, 7.5e6, 6e6, 1.5e6, dt.date(2027, 3, 1), ("A", "B", "C"), 2e6, 1e6,
    ...               3e6, pl.DataFrame(), 2027)
    >>> gap_sentence(g)
    'Med disse tre anskaffelsene fra 1. mars 2027 nås målet i 2027 (anslag).'
    >>> from charts.lang import using
    >>> with using("en"):
    ...     gap_sentence(g)
    'With these three tenders from 1 March 2027 the target is reached in 2027 (estimate).'
    >>> met = TargetGap(2026, 7.5e6, 9e6, -1.5e6, dt.date(2027, 3, 1), ("A",), 2e6, 1e6, 3e6,
    ...     pl.DataFrame({"year": [2026, 2027, 2028], "total": [9e6, 10.7e6, 11e6]}), 2026)
    >>> gap_sentence(met).replace("\xa0", " ")
    'Målet nås allerede i 2026 med dagens avtaler; med denne anskaffelsen fra 1. mars 2027 ventes 11,0 mill. kr i 2028 (anslag).'
    """
    n = len(g.candidates)
    if n == 0:
        return tr("Ingen kandidater valgt.", "No candidates chosen.")
    what = tr(*NUMBER_WORDS.get(n, (f"disse {n} anskaffelsene", f"these {n} tenders")))
    when = tr("fra", "from") + " " + fmt.first_of_month(g.start)
    if g.met_already:
        full = g.start.year + (1 if g.start.month > 1 else 0)
        row = g.by_year.filter(pl.col("year") == full) if g.by_year.height else g.by_year
        total = fmt.mkr(float(row["total"][0])) if row.height else ""
        more = (
            tr(
                f"; med {what} {when} ventes {total} i {full}",
                f"; with {what} {when} {total} is expected in {full}",
            )
            if row.height
            else ""
        )
        return tr(
            f"Målet nås allerede i {g.year} med dagens avtaler{more} (anslag).",
            f"The target is already met in {g.year} with today's agreements{more} (estimate).",
        )
    if g.reach_year is None:
        if g.by_year.height:
            last = int(g.by_year.select(pl.col("year").max()).item())
            return tr(
                f"Med {what} {when} nås ikke målet innen {last} (anslag).",
                f"With {what} {when} the target is not reached by {last} (estimate).",
            )
        return tr(
            f"Med {what} {when} nås ikke målet (anslag).",
            f"With {what} {when} the target is not reached (estimate).",
        )
    return tr(
        f"Med {what} {when} nås målet i {g.reach_year} (anslag).",
        f"With {what} {when} the target is reached in {g.reach_year} (estimate).",
    )


def _bubble_sizes(d: pl.DataFrame) -> list[float]:
    """Bubble diameters (px) by the share of the members buying: 10 for none to 40 for all —
    10 + 5 per member in a cooperation of six, and never wider than the plot for 357
    (10 + 5 per member made a national category's bubble 1 795 px and the chart one red
    field).

    >>> _bubble_sizes(pl.DataFrame({"members": [5, 357, 0], "members_total": [6, 357, 0]}))
    [35.0, 40.0, 10.0]
    """
    return [
        10.0 + 30.0 * min(int(m), int(n)) / int(n) if n else 10.0
        for m, n in zip(d["members"].to_list(), d["members_total"].to_list(), strict=True)
    ]


LABEL_BACKGROUND = "rgba(255, 255, 255, 0.85)"  # the plot is white: text on it ≥ 4,5:1


def _name_labels(df: pl.DataFrame, label_top: int, presentation: bool) -> list[dict[str, object]]:
    """Annotations naming the ``label_top`` highest-ranked categories, each with a line to its
    bubble, stacked from the highest bubble down at least a label's height apart (in data
    units: a share of the y range), beside the bubble away from the nearer edge.

    As text beside the bubbles the names ran into one another where the top categories lie
    close together — over each other in a national scope, whose categories are alike."""
    if "rank" not in df.columns or df.height == 0:
        return []
    top = df.filter(pl.col("rank") <= label_top).sort("potential", descending=True)
    low = min(df["potential_low"].to_list(), default=0.0) / 1e6  # the axis ends near
    high = max([0.0, *df["potential_high"].to_list()]) / 1e6
    # Two lines of 14 px type (22 px on a slide) in a plot area of ≈ 300 px (≈ 230 on a slide).
    gap = ((high - low) or 1.0) * (0.24 if presentation else 0.14)
    x_mid = max([0.0, *df["addressable_12m"].to_list()]) / 2
    sizes = dict(zip(df["category_id"].to_list(), _bubble_sizes(df), strict=True))
    notes: list[dict[str, object]] = []
    heights: list[float] = []
    for r in top.iter_rows(named=True):
        y = float(r["potential"]) / 1e6
        heights.append(y if not heights else min(y, heights[-1] - gap))
        left = float(r["addressable_12m"]) > x_mid
        radius = sizes[r["category_id"]] / 2
        notes.append(
            {
                "x": float(r["addressable_12m"]) / 1e6,
                "y": y,
                "ax": -(radius + 16) if left else radius + 16,
                "axref": "pixel",
                "ayref": "y",
                # two lines at most, as the gap allows for (the hover names it whole)
                "text": f"{r['rank']}. {wrap(plotly_text(r['category']), 16, 2)}",
                "xanchor": "right" if left else "left",
                "align": "right" if left else "left",
                "showarrow": True,
                "arrowhead": 0,
                "arrowwidth": 1,
                "arrowcolor": NEUTRAL,
                "standoff": radius,
                # over a neighbouring bubble or error bar the name stays legible
                "bgcolor": LABEL_BACKGROUND,
            }
        )
    lift = max(0.0, low - heights[-1]) if heights else 0.0  # the lowest inside the axis
    for note, at in zip(notes, heights, strict=True):
        note["ay"] = at + lift
    return notes


@responsive
def potential_vs_addressable(
    df: pl.DataFrame, *, title: str, label_top: int = 3, presentation: bool = False
) -> go.Figure:
    """One bubble per category: spend outside agreements (x) against the estimated potential
    (y), both in mill. kr, the range (25th–75th percentile rate) as an error bar, the bubble's
    size the share of the members buying, its colour the threshold status. The ``label_top``
    highest-ranked categories are named on the chart; all are named on hover.

    ``df`` is ``metrics.opportunities.rank``'s frame.
    """
    fig = go.Figure()
    if "rank" in df.columns:
        df = df.sort("rank")
    for status, colour in STATUS_COLOURS.items():
        d = df.filter(pl.col("threshold_status") == status)
        if d.height == 0:
            continue
        names = [plotly_text(n) for n in d["category"].to_list()]
        fig.add_trace(
            go.Scatter(
                x=(d["addressable_12m"] / 1e6).to_list(),
                y=(d["potential"] / 1e6).to_list(),
                mode="markers",
                name=tr(STATUS_LEGEND[status], STATUS_LEGEND_EN[status]),
                marker={
                    "color": colour,
                    "size": _bubble_sizes(d),
                    "line": {"color": "white", "width": 1},
                    "opacity": 0.85,
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": ((d["potential_high"] - d["potential"]) / 1e6).to_list(),
                    "arrayminus": ((d["potential"] - d["potential_low"]) / 1e6).to_list(),
                    "color": colour,
                    "thickness": 1,
                    "width": 3,
                },
                customdata=list(
                    zip(
                        names,
                        d["members"].to_list(),
                        d["members_total"].to_list(),
                        (d["potential_low"] / 1e6).to_list(),
                        (d["potential_high"] / 1e6).to_list(),
                        strict=True,
                    )
                ),
                hovertemplate=tr(
                    "<b>%{customdata[0]}</b><br>Utenfor avtale siste 12 mnd.: %{x:,.1f} mill. kr"
                    "<br>Anslått potensial: %{y:,.2f} mill. kr "
                    "(%{customdata[3]:,.2f}–%{customdata[4]:,.2f}, anslag)"
                    "<br>%{customdata[1]} av %{customdata[2]} kommuner kjøper<extra></extra>",
                    "<b>%{customdata[0]}</b><br>Outside agreements, last 12 months: "
                    "NOK %{x:,.1f} million<br>Estimated potential: NOK %{y:,.2f} million "
                    "(%{customdata[3]:,.2f}–%{customdata[4]:,.2f}, estimate)"
                    "<br>%{customdata[1]} of %{customdata[2]} municipalities buy<extra></extra>",
                ),
            )
        )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        xaxis_title=tr(
            "Kjøp utenfor avtale siste 12 mnd. (mill. kr)",
            "Spend outside agreements, last 12 months (NOK million)",
        ),
        # In large type a long vertical title runs into the chart title: keep it short there.
        yaxis_title=tr("mill. kr per år (anslag)", "NOK million a year (estimate)")
        if presentation
        else tr(
            "Anslått besparelse per år (mill. kr, anslag)",
            "Estimated saving a year (NOK million, estimate)",
        ),
        height=560,
        legend_title_text=tr("Samlet mot terskel:", "Joint spend against thresholds:"),
        # the title above the items: beside them it pushes the last item past a phone's width
        legend={"title_side": "top"},  # the position is the theme's (under the chart)
    )
    if presentation:  # room below the axis for the legend in large type (and in exported PNGs)
        fig.update_layout(margin={"b": 190})
    for note in _name_labels(df, label_top, presentation):
        fig.add_annotation(note)
    # No "tozero": autorange pads for the bubbles, so a small category at the origin shows whole.
    return fig


@responsive
def target_gap_by_year(
    by_year: pl.DataFrame, *, title: str, start_label: str, presentation: bool = False
) -> go.Figure:
    """Stacked bars per year: expected realized saving without new tenders, and what the chosen
    candidates add from their start month (an estimate), with the yearly target as a line."""
    years = [str(y) for y in by_year["year"].to_list()]
    fig = go.Figure(
        [
            go.Bar(
                x=years,
                y=(by_year["baseline"] / 1e6).to_list(),
                name=tr(
                    "Forventet realisert gevinst (dagens avtaler)",
                    "Expected realized savings (today's agreements)",
                ),
                marker_color=PRIMARY,
                hovertemplate=tr(
                    "%{x}: %{y:,.1f} mill. kr<extra>dagens avtaler</extra>",
                    "%{x}: NOK %{y:,.1f} million<extra>today's agreements</extra>",
                ),
            ),
            go.Bar(
                x=years,
                y=(by_year["added"] / 1e6).to_list(),
                name=tr(
                    f"Anslag for kandidatene fra {start_label}",
                    f"Estimate for the candidates from {start_label}",
                ),
                marker_color=POSITIVE,
                hovertemplate=tr(
                    "%{x}: +%{y:,.1f} mill. kr<extra>kandidatene (anslag)</extra>",
                    "%{x}: +NOK %{y:,.1f} million<extra>the candidates (estimate)</extra>",
                ),
            ),
        ]
    )
    target = float(by_year["target"][0]) if by_year.height else 0.0
    if target:
        hline(
            fig,
            target / 1e6,
            line={"color": WARNING, "dash": "dash", "width": 2},
            annotation={
                "text": tr(f"Mål {fmt.mkr(target)} per år", f"Target {fmt.mkr(target)} a year"),
                # Over the first bar the label needs its own ground to be read (WCAG contrast).
                "bgcolor": "rgba(255, 255, 255, 0.9)",
            },
            position="top left",
        )
    fig.update_layout(
        **themed(fig, presentation),
        title=title,
        barmode="stack",
        yaxis_title=tr("mill. kr per år", "NOK million a year"),
        height=440,
    )
    return fig


# The ranked list's columns: id → (bokmål, English). A page keys its column settings on
# ``ranked_headings()[id]``, so they follow the language of the table.
RANKED_COLUMNS = {
    "rank": ("Rang", "Rank"),
    "category": ("Kategori", "Category"),
    "potential": ("Potensial (anslag)", "Potential (estimate)"),
    "range": ("Spenn (anslag)", "Range (estimate)"),
    "members": ("Kommuner", "Municipalities"),
    "suppliers": ("Leverandører", "Suppliers"),
    "addressable_12m": ("Utenfor avtale 12 mnd.", "Outside agreements 12 months"),
    "threshold": ("Terskel", "Threshold"),
    "expiring": ("Utløper innen 12 mnd.", "Expiring within 12 months"),
    "reasons": ("Begrunnelse", "Reasons"),
    "addressable_48m": ("Utenfor avtale 48 mnd.", "Outside agreements 48 months"),
    "rate": ("Sats r", "Rate r"),
    "group": ("Gruppe", "Group"),
}


def ranked_headings() -> dict[str, str]:
    """The ranked list's column headings in the current language, by column id."""
    return {k: tr(*v) for k, v in RANKED_COLUMNS.items()}


def ranked_table(df: pl.DataFrame) -> pl.DataFrame:
    """The ranked list for display: headings, formats and texts in the current language,
    estimates marked. ``df`` is ``metrics.opportunities.rank``'s frame."""
    d = described(df)
    h = ranked_headings()
    of = tr("av", "of")
    return pl.DataFrame(
        {
            h["rank"]: d["rank"],
            h["category"]: d["category"],
            h["potential"]: [fmt.mkr(v, 2) for v in d["potential"].to_list()],
            h["range"]: [
                f"{fmt.mkr(lo, 2)} – {fmt.mkr(hi, 2)}"
                for lo, hi in zip(
                    d["potential_low"].to_list(), d["potential_high"].to_list(), strict=True
                )
            ],
            h["members"]: [
                f"{m} {of} {t}"
                for m, t in zip(d["members"].to_list(), d["members_total"].to_list(), strict=True)
            ],
            h["suppliers"]: d["suppliers"],
            h["addressable_12m"]: [fmt.mkr(v) for v in d["addressable_12m"].to_list()],
            h["threshold"]: d["threshold_text"],
            h["expiring"]: d["expiring"],
            h["reasons"]: d["reasons"],
            h["addressable_48m"]: [fmt.mkr(v) for v in d["addressable_48m"].to_list()],
            h["rate"]: [
                f"{fmt.pct(r)} ({s})"
                for r, s in zip(d["rate"].to_list(), d["rate_source_text"].to_list(), strict=True)
            ],
            h["group"]: d["category_l1"],
        },
        schema_overrides={h["rank"]: pl.Int64, h["suppliers"]: pl.Int64},
    )


def supplier_table(df: pl.DataFrame) -> pl.DataFrame:
    """The category's suppliers outside agreements (``opportunities.category_suppliers``), as
    displayed in the current language."""
    municipalities = tr("Kommuner", "Municipalities")
    return pl.DataFrame(
        {
            tr("Leverandør", "Supplier"): df["supplier_name"],
            tr("Organisasjonsnr.", "Organisation no."): df["orgnr"].fill_null(""),
            municipalities: df["municipalities"],
            tr("Utenfor avtale 12 mnd.", "Outside agreements 12 months"): [
                fmt.kr(v) for v in df["addressable_12m"].to_list()
            ],
            tr("Andel", "Share"): [fmt.pct(v) for v in df["share"].to_list()],
        },
        schema_overrides={municipalities: pl.Int64},
    )
