"""Figures that fit a phone and a tablet, and that say what they show to a screen reader.

``fit`` is applied to every figure the chart modules return (the ``@responsive`` decorator):
the width a figure gets is only known in the browser, so it makes each figure safe at the
narrowest width we support (a 390 px phone):

* long titles and axis titles are wrapped (Plotly never wraps them; it cuts them at the edge
  of the chart),
* long category labels are wrapped on the axis (``ticktext``) while the data, and so the hover
  text, keep the full name,
* the legend goes below the chart, where it can take as many rows as it needs, instead of
  being drawn over the title,
* value labels are never clipped by the plot area: they may extend into a right margin wide
  enough for the longest one.

``accessible_name`` gives a chart its text alternative: the title and its key number
(Streamlit's ``st.plotly_chart(fig, alt=...)`` puts it on the chart as ``aria-label``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

import plotly.graph_objects as go

from charts import fmt, lang
from charts.theme import FONT_PX, INK, LEGEND, text_on

P = ParamSpec("P")
TITLE_CHARS = 32  # 18 px title type on a 390 px phone holds ≈ 36 characters, less in a column
MIN_HEIGHT = 260  # px: room for a two-line title, one bar and an axis with its title
LINE_PX = 24  # one more line of an 18 px title
TWO_LINE_ROW_PX = 36  # a category row holding a two-line 14 px label
ROW_BASE_PX = 120  # title, x axis and its title around the rows
AXIS_TITLE_CHARS = 22  # an axis title is centred on the plot area, which a phone narrows
LABEL_CHARS = 20  # a category label line; two lines at most, then "…"
LABEL_LINES = 2
CHAR_PX = 8.0  # average width of a character at 14 px (Source Sans / DejaVu), rounded up
KEY_NUMBER = "key_number"  # layout.meta entry a chart may set to name its key number

_TAG = re.compile(r"<[^>]+>")


def plain(text: object) -> str:
    """Plotly text without its markup: ``<br>`` becomes a space, other tags vanish."""
    s = str(text or "").replace("<br>", " ").replace("<br />", " ")
    return re.sub(r"\s+", " ", _TAG.sub("", s)).strip()


def wrap(text: str, width: int, max_lines: int | None = None) -> str:
    """Break ``text`` into lines of at most ``width`` characters at spaces (Plotly ``<br>``);
    existing ``<br>`` are kept, a word longer than a line stays whole, and past ``max_lines``
    the last line ends in "…".

    >>> wrap("Forbruksmateriell og tjenester", 20)
    'Forbruksmateriell og<br>tjenester'
    >>> wrap("Kort", 20)
    'Kort'
    >>> wrap("a b c d e f", 3, max_lines=2)
    'a b<br>c d…'
    """
    lines: list[str] = []
    for part in str(text).split("<br>"):
        line = ""
        for word in part.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    if max_lines is not None and len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1].rstrip(" ,.·–") + "…"]
    return "<br>".join(lines)


def _categories(fig: go.Figure, axis: str) -> list[str]:
    """The string categories drawn along ``axis`` ("x" or "y") of the first subplot."""
    seen: dict[str, None] = {}
    for tr in fig.data:
        if getattr(tr, f"{axis}axis", axis) not in (axis, None):
            continue
        horizontal = getattr(tr, "orientation", None) == "h"
        if tr.type == "bar" and axis == ("x" if horizontal else "y"):
            continue  # the value axis
        if tr.type not in ("bar", "heatmap", "scatter", "box"):
            continue
        values = getattr(tr, axis, None)
        if values is None:
            continue
        for v in values:
            if isinstance(v, str):
                seen.setdefault(v, None)
    return list(seen)


def _wrap_axis(fig: go.Figure, axis: str) -> None:
    ax = fig.layout[f"{axis}axis"]
    if ax.ticktext is not None or ax.tickvals is not None:
        return
    cats = _categories(fig, axis)
    longest = max((len(line) for c in cats for line in c.split("<br>")), default=0)
    if longest <= LABEL_CHARS:
        return
    ax.tickmode = "array"
    ax.tickvals = cats
    ax.ticktext = [wrap(c, LABEL_CHARS, LABEL_LINES) for c in cats]
    if axis == "y" and fig.layout.height:  # rows tall enough for two-line labels
        # …at the figure's type size: a presentation's 22 px labels overlapped the next bar.
        row = round(TWO_LINE_ROW_PX * _font_px(fig) / FONT_PX)
        fig.layout.height = max(fig.layout.height, ROW_BASE_PX + row * len(cats))


def _font_px(fig: go.Figure) -> float:
    """The size of the figure's text: its own, else its template's (presentation mode's is
    larger), else the theme's."""
    return float(fig.layout.font.size or fig.layout.template.layout.font.size or FONT_PX)


def _text_px(texts: Sequence[object] | None) -> float:
    if texts is None or isinstance(texts, str):
        return CHAR_PX * len(plain(texts)) if isinstance(texts, str) else 0.0
    return max((CHAR_PX * len(plain(t)) for t in texts), default=0.0)


def _label_colours(bar: go.Bar) -> None:
    """Value labels inside a bar in ink or white by contrast with the bar, ink outside."""
    colours = bar.marker.color
    if bar.insidetextfont.color is None:
        if isinstance(colours, str):
            bar.insidetextfont.color = text_on(colours)
        elif isinstance(colours, Sequence) and all(isinstance(c, str) for c in colours):
            bar.insidetextfont.color = [text_on(c) for c in colours]
    if bar.outsidetextfont.color is None:
        bar.outsidetextfont.color = INK


def fit(fig: go.Figure) -> go.Figure:  # noqa: C901 - one pass over the figure's parts, each a short guarded step
    """Make ``fig`` readable at phone width in place (see the module docstring); returns it.

    Properties are set as attributes, not through ``update_layout``: Plotly parses and
    validates every ``update_layout`` call's paths (≈ 1,2 ms for ``margin_r=``, 0,2 ms as an
    attribute on this machine), and this runs for every chart of every page."""
    layout = fig.layout
    title = layout.title.text
    if title and "<br>" not in title and len(title) > TITLE_CHARS:
        title = wrap(title, TITLE_CHARS)
        layout.title.text = title
        if layout.height:  # the title's extra lines come on top, not out of the plot
            layout.height = layout.height + LINE_PX * title.count("<br>")
    if layout.height and layout.height < MIN_HEIGHT:
        layout.height = MIN_HEIGHT
    for axis in ("x", "y"):
        _wrap_axis(fig, axis)
        axis_title = layout[f"{axis}axis"].title
        text = axis_title.text
        if text and "<br>" not in text and len(text) > AXIS_TITLE_CHARS:
            axis_title.text = wrap(text, AXIS_TITLE_CHARS)
    right = 0.0
    for tr in fig.data:
        if tr.type not in ("bar", "scatter") or tr.text is None:
            continue
        if tr.type == "bar":
            _label_colours(tr)
        if tr.type == "bar" and tr.textposition in ("inside", "none"):
            continue
        if tr.type == "scatter" and "text" not in (tr.mode or ""):
            continue
        tr.cliponaxis = False
        px = _text_px(tr.text)
        right = max(right, px if getattr(tr, "orientation", None) == "h" else px / 2)
    if right:
        layout.margin.r = max(layout.margin.r or 0, round(right) + 10)
    # The theme puts the legend below the chart; a chart that placed its own (above the plot,
    # in paper coordinates) is put back. Only then: an update costs Plotly ≈ 5 ms a figure.
    legend = layout.legend
    if layout.showlegend is not False and any(
        legend[k] is not None and legend[k] != v for k, v in LEGEND.items()
    ):
        fig.update_layout(legend=LEGEND)
    return fig


def responsive(build: Callable[P, go.Figure]) -> Callable[P, go.Figure]:
    """Decorator for a chart module's figure function: its figure goes through ``fit``."""

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> go.Figure:
        return fit(build(*args, **kwargs))

    return wrapper


def set_key_number(fig: go.Figure, text: str) -> go.Figure:
    """Name the chart's key number for its accessible name (kept in ``layout.meta``)."""
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    meta[KEY_NUMBER] = text
    fig.update_layout(meta=meta)
    return fig


def _unit(fig: go.Figure, axis: str) -> str:
    t = fig.layout[f"{axis}axis"].title.text
    return plain(t) if t else ""


def _value(v: float, unit: str) -> str:
    decimals = 0 if abs(v) >= 1000 else 1
    return f"{fmt.number(v, decimals)} {unit}".strip()


def _derived_key_number(fig: go.Figure) -> str | None:
    """The largest category of a bar chart (stacked series summed), or a heatmap's largest
    cell; ``None`` when the figure has no such number."""
    bars = [t for t in fig.data if t.type == "bar" and t.x is not None and t.y is not None]
    if bars:
        horizontal = bars[0].orientation == "h"
        cat_axis, val_axis = ("y", "x") if horizontal else ("x", "y")
        totals: dict[str, float] = {}
        for tr in bars:
            for c, v in zip(getattr(tr, cat_axis), getattr(tr, val_axis), strict=False):
                if isinstance(v, int | float):
                    totals[plain(c)] = totals.get(plain(c), 0.0) + float(v)
        if totals:
            best = max(totals, key=lambda k: totals[k])
            return f"{lang.tr('høyest', 'highest')}: {best}, {_value(totals[best], _unit(fig, val_axis))}"
    heat = [t for t in fig.data if t.type == "heatmap" and t.z is not None]
    if heat:
        h = heat[0]
        cells = [
            (float(v), plain(y), plain(x))
            for y, row in zip(h.y or [], h.z, strict=False)
            for x, v in zip(h.x or [], row, strict=False)
            if isinstance(v, int | float)
        ]
        if cells:
            v, y, x = max(cells)
            return f"{lang.tr('høyest', 'highest')}: {y} – {x}, {fmt.number(v, 1)}"
    return None


def accessible_name(fig: go.Figure | dict[str, Any]) -> str:
    """The chart's text alternative: its title and key number, e.g. "Innkjøp per kommune –
    høyest: Steinkjer, 508,3 mill. kr". A chart names its own key number with
    ``set_key_number``; otherwise the largest bar (or heatmap cell) is used."""
    f = fig if isinstance(fig, go.Figure) else go.Figure(fig)
    title = plain(f.layout.title.text) or lang.tr("Diagram", "Chart")
    meta = f.layout.meta if isinstance(f.layout.meta, dict) else {}
    key = meta.get(KEY_NUMBER) or _derived_key_number(f)
    return f"{title} – {plain(key)}" if key else title
