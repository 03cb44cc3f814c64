"""English for figures drawn by the Norwegian chart functions, without touching each of them.

The chart modules write their fixed texts in the current language (``charts.lang.tr``); what
is still written in bokmål only (axis titles, legend names, hover templates, value labels,
annotations) :func:`localize` rewrites through one phrase table, and it switches Plotly's
separators, so an English figure has English words and ``1,234.5`` numbers. Data values (names
of municipalities, suppliers, categories) are left as they are — except period labels
(``2025 Q3``, ``Mar 2025``: English in the data), shown in the reader's language in both.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import plotly.graph_objects as go

from charts.fmt import period
from charts.lang import current

# Longest phrases first, so "mill. kr, akkumulert i året" wins over "mill. kr".
PHRASES: dict[str, str] = {
    "mill. kr, akkumulert i året": "NOK million, cumulative in the year",
    "Andel av kjøpene (%)": "Share of spend (%)",
    "Fremskrevet resten av året": "Projected rest of the year",
    "Hard gevinst (mørk)": "Hard savings (dark)",
    "Kostnadsunngåelse (lys)": "Cost avoidance (light)",
    "Kostnadsunngåelse": "Cost avoidance",
    "Hard gevinst": "Hard savings",
    "Samarbeidets mål": "The cooperation's target",
    "Fremskriving": "Projection",
    "Egen kommune": "Own municipality",
    "Annen medlemskommune": "Other member",
    "Resten av fylket": "Rest of the county",
    "Resten av Norge": "Rest of Norway",
    "Utlandet eller ukjent": "Abroad or unknown",
    "Ingen data for utvalget": "No data for the selection",
    "utenfor avtale": "outside agreements",
    "kr per innbygger": "NOK per inhabitant",
    "leverandører": "suppliers",
    "største": "largest",
    "per år": "per year",
    "tusen kr": "NOK thousand",
    "mill. kr": "NOK million",
    "mrd. kr": "NOK billion",
    "Mål": "Target",
    "lev.": "supp.",
    "kvartal": "quarter",
    "Kvartal": "Quarter",
    "Andel": "Share",
    "Beløp": "Amount",
}
_PATTERN = re.compile("|".join(re.escape(p) for p in sorted(PHRASES, key=len, reverse=True)))
_K_QUARTER = re.compile(r"\b(\d{4}) K([1-4])\b")


def phrase(text: str) -> str:
    """Bokmål fixed text → English (unknown words pass through).

    >>> phrase("Hard gevinst: 12 tusen kr")
    'Hard savings: 12 NOK thousand'
    >>> phrase("2025 K3")
    '2025 Q3'
    """
    return _K_QUARTER.sub(r"\1 Q\2", _PATTERN.sub(lambda m: PHRASES[m[0]], text))


def _walk(value: object, fn: Callable[[str], str] = phrase) -> object:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list | tuple):
        return [_walk(v, fn) for v in value]
    return value


def numbers(text: str) -> str:
    """Norwegian number writing in a value label → English: decimal point, thousands comma,
    no space before ``%``.

    >>> numbers("1 234 567,5 kr · 12,5 %")
    '1,234,567.5 kr · 12.5%'
    """
    text = re.sub(r"(?<=\d),(?=\d)", ".", text)
    text = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))", ",", text)
    text = re.sub(r"(?<=\d)[ \u00a0\u202f]%", "%", text)
    return phrase(text)


def _periods(value: object) -> object:
    """Only period labels change in data positions (names of suppliers stay as written)."""
    if isinstance(value, str):
        return period(value)
    if isinstance(value, list | tuple):
        return [_periods(v) for v in value]
    return value


_TRACE_KEYS = ("name", "hovertemplate", "texttemplate", "text", "x", "y")


def _period_labels(fig: go.Figure) -> go.Figure:
    """Period labels of the data (``2025 Q3``) on category axes and in trace positions, in the
    current language (``2025 K3`` in bokmål)."""
    for name in dir(fig.layout):
        if re.fullmatch(r"[xy]axis\d*", name):
            axis = getattr(fig.layout, name)
            for key in ("categoryarray", "tickvals"):
                value = getattr(axis, key, None) if axis is not None else None
                if value is not None:
                    setattr(axis, key, _periods(value))
    for trace in fig.data:
        for key in ("x", "y"):
            value = getattr(trace, key, None)
            if isinstance(value, list | tuple) and any(isinstance(v, str) for v in value):
                setattr(trace, key, _periods(value))
    return fig


def localize(fig: go.Figure) -> go.Figure:  # noqa: C901 - one guarded step per part of a figure
    """The figure in the current language. Both: period labels as the reader writes them
    (``2025 K3`` / ``2025 Q3``). English: English separators, fixed texts translated in titles,
    axes, legends, hover, labels and annotations."""
    _period_labels(fig)
    if current() != "en":
        return fig
    fig.update_layout(separators=".,")
    layout = fig.layout
    if layout.title and layout.title.text:
        layout.title.text = phrase(layout.title.text)
    for name in dir(layout):
        if re.fullmatch(r"[xy]axis\d*", name):
            axis = getattr(layout, name)
            if axis is not None and axis.title is not None and axis.title.text:
                axis.title.text = phrase(axis.title.text)
    for ann in layout.annotations or ():
        if ann.text:
            ann.text = phrase(ann.text)
    for trace in fig.data:
        for key in _TRACE_KEYS:
            value = getattr(trace, key, None)
            if isinstance(value, str | list | tuple) and key not in ("x", "y"):
                setattr(trace, key, _walk(value, numbers if key == "text" else phrase))
        bar = getattr(trace, "colorbar", None)
        if bar is not None and bar.title is not None and bar.title.text:
            bar.title.text = phrase(bar.title.text)
    return fig
