"""One escaping rule for text that comes from files or the database (supplier names, file names,
column headings, descriptions), wherever it is shown or handed out.

Three sinks, three functions — all pure, no Streamlit:

- Markdown (``st.markdown``, captions, messages, widget labels render Markdown, ``$…$`` LaTeX,
  links and remote images): :func:`md`.
- Plotly text (trace names, tick labels, hover, annotations and titles render a subset of HTML,
  including ``<a href>``): :func:`plotly_text` and :func:`plotly_frame`.
- Spreadsheet cells (CSV/XLSX): a cell that begins with ``=``, ``+``, ``-``, ``@``, tab or CR is
  a formula to Excel/LibreOffice (OWASP "CSV injection"): :func:`cell` and :func:`safe_cells`.
"""

from __future__ import annotations

import contextlib
import functools
import html
import io
import re
import threading
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

import polars as pl
import xlsxwriter

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:/])")
#: Unicode bidirectional overrides/isolates and marks: in a name they reorder what is shown
#: ("\u202eSA gnippohS" reads "Shopping AS"), so they are dropped wherever text is displayed.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9][0-9 \u00a0.,]*$")


WORD_JOINER = "\u2060"
# "http\:", "https\:", "ftp\:" after escaping, "www\.", and "@" (e-mail autolinks)
_AUTOLINK = re.compile(r"(?i)(?<=h)ttps?\\:|(?<=f)tp\\:|(?<=w)ww\\.|@")


def md(text: object) -> str:
    r"""Text safe to put inside Markdown: every Markdown/LaTeX/HTML control character escaped,
    and the starts of bare links (``http://``, ``www.``, ``@``) broken with an invisible word
    joiner, because widget labels (e.g. an expander's) turn bare URLs into links even when
    their characters are escaped.

    >>> md("**fet** [lenke](x) $x$")
    '\\*\\*fet\\*\\* \\[lenke\\]\\(x\\) \\$x\\$'
    >>> md("http://x www.x a@b") == "ht\u2060tp\\:\\/\\/x ww\u2060w\\.x a@\u2060b"
    True
    >>> md(None)
    ''
    """
    if text is None:
        return ""
    escaped = _MD_SPECIAL.sub(r"\\\1", BIDI_CONTROLS.sub("", str(text)))
    return _AUTOLINK.sub(lambda m: m.group(0)[:1] + WORD_JOINER + m.group(0)[1:], escaped)


def plotly_text(text: object) -> str:
    """Text safe for Plotly: ``<``, ``>`` and ``&`` escaped so no tag is rendered.

    >>> plotly_text('<a href="http://x">Klikk</a> & Co')
    '&lt;a href="http://x"&gt;Klikk&lt;/a&gt; &amp; Co'
    """
    if text is None:
        return ""
    return html.escape(BIDI_CONTROLS.sub("", str(text)), quote=False)


def plotly_frame(df: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """The frame with the named text columns escaped for Plotly (all string columns if none).

    >>> plotly_frame(pl.DataFrame({"n": ["<b>A</b>"], "v": [1]}))["n"][0]
    '&lt;b&gt;A&lt;/b&gt;'
    """
    cols = columns or tuple(c for c, t in df.schema.items() if t == pl.String)
    return df.with_columns(
        pl.col(c)
        .str.replace_all(BIDI_CONTROLS.pattern, "")
        .str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
        for c in cols
    )


def _is_plain_number(text: str) -> bool:
    return bool(_PLAIN_NUMBER.match(text))


_P = ParamSpec("_P")
_R = TypeVar("_R")
_inside = threading.local()


def plotly_safe(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator for figure builders: every Polars frame argument reaches the builder with its
    text columns escaped (:func:`plotly_frame`), and the ``title`` too, so a supplier called
    ``<a href=…>`` is drawn as those characters, never as a link. The builder's own markup
    (``<br>`` in labels, ``<b>`` in templates) is added afterwards and keeps working. Nested
    builders (one figure function calling another) escape once.
    """

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if getattr(_inside, "depth", 0):
            return fn(*args, **kwargs)

        def safe(name: str | None, value: object) -> object:
            if isinstance(value, pl.DataFrame):
                return plotly_frame(value)
            if name in ("title", "message") and isinstance(value, str):
                return plotly_text(value)
            return value

        new_args = [safe(None, a) for a in args]
        new_kwargs = {k: safe(k, v) for k, v in kwargs.items()}
        with already_escaped():
            # Needed: ``safe`` hands back each argument as the same kind it got (a frame stays a
            # frame, a string a string), which a ParamSpec cannot express for rebuilt arguments.
            return fn(*new_args, **new_kwargs)  # type: ignore[arg-type]

    return wrapper


@contextlib.contextmanager
def already_escaped() -> Iterator[None]:
    """Inside this block figure builders take their frames as given, because the caller has
    escaped them itself (``charts.registry`` escapes exactly the columns a chart draws) — so
    no text is escaped twice and shown as ``&amp;lt;``."""
    before = getattr(_inside, "depth", 0)
    _inside.depth = 1
    try:
        yield
    finally:
        _inside.depth = before


def cell(value: object) -> object:
    """A spreadsheet cell that can never run as a formula: text beginning with a formula
    character gets a leading apostrophe (shown as text by Excel and LibreOffice). Numbers pass,
    and so does text that is only a signed number (``-1 200,50``): no formula can hide in it,
    and a quarantined amount must stay correctable. Bidirectional controls are dropped, as on
    the screen: in a spreadsheet "\u202eSA gnippohS" would read "Shopping AS".

    >>> cell('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> cell(-12.5), cell("-1 200,50"), cell("-2+3+cmd|' /C calc'!A0")[:3]
    (-12.5, '-1 200,50', "'-2")
    >>> cell("Bygg AS"), cell("\u202eSA gnippohS")
    ('Bygg AS', 'SA gnippohS')
    """
    if isinstance(value, str):
        value = BIDI_CONTROLS.sub("", value)
        if value.startswith(FORMULA_START) and not _is_plain_number(value):
            return "'" + value
    return value


def uncell(value: object) -> object:
    """Undo :func:`cell` on a value read back from our own download (quarantine re-import).

    >>> uncell("'=SUM(A1)"), uncell("'ok"), uncell(None)
    ('=SUM(A1)', "'ok", None)
    """
    if isinstance(value, str) and value[:1] == "'" and value[1:2] and value[1] in FORMULA_START:
        return value[1:]
    return value


def safe_cells(df: pl.DataFrame) -> pl.DataFrame:
    """The frame with every string cell neutralized as :func:`cell` does (numbers untouched).

    >>> safe_cells(pl.DataFrame({"n": ["@SUM(A1)", "ok", None, "-5"], "v": [-1, 2, 3, 4]})).rows()
    [("'@SUM(A1)", -1), ('ok', 2), (None, 3), ('-5', 4)]
    >>> safe_cells(pl.DataFrame({"n": ["\u202e=1+1"]})).item()
    "'=1+1"
    """
    pattern = "^[" + re.escape("".join(FORMULA_START)) + "]"
    text = [c for c, t in df.schema.items() if t == pl.String]
    df = df.with_columns(pl.col(c).str.replace_all(BIDI_CONTROLS.pattern, "") for c in text)
    return df.with_columns(
        pl.when(pl.col(c).str.contains(pattern) & ~pl.col(c).str.contains(_PLAIN_NUMBER.pattern))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text
    )


def unsafe_cells(df: pl.DataFrame) -> pl.DataFrame:
    """Undo :func:`safe_cells` on string columns (our own CSV read back for re-import)."""
    pattern = "^'[" + re.escape("".join(FORMULA_START)) + "]"
    return df.with_columns(
        pl.when(pl.col(c).str.contains(pattern))
        .then(pl.col(c).str.slice(1))
        .otherwise(pl.col(c))
        .alias(c)
        for c, t in df.schema.items()
        if t == pl.String
    )


def csv_bytes(df: pl.DataFrame, *, separator: str = ";") -> bytes:
    """A CSV download that opens in Excel (UTF-8 BOM, semicolon) with no live formula in it.

    >>> csv_bytes(pl.DataFrame({"n": ["=1+1"]}))
    b"\\xef\\xbb\\xbfn\\n'=1+1\\n"
    """
    buf = io.BytesIO()
    safe_cells(df).write_csv(buf, separator=separator)
    return b"\xef\xbb\xbf" + buf.getvalue()


def xlsx_bytes(df: pl.DataFrame, *, sheet: str = "Data") -> bytes:
    """An XLSX download with every text cell written as text: never a formula, never a link.

    xlsxwriter turns strings beginning with ``=`` into formulas and URLs into hyperlinks unless
    told not to; the apostrophe from :func:`safe_cells` also protects a copy pasted elsewhere.
    """
    buf = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    with xlsxwriter.Workbook(buf, options) as workbook:
        safe_cells(df).write_excel(workbook, worksheet=sheet, autofit=True)
    return buf.getvalue()
