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

import html
import re

import polars as pl

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:/])")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def md(text: object) -> str:
    r"""Text safe to put inside Markdown: every Markdown/LaTeX/HTML control character escaped.

    >>> md("**fet** [lenke](http://x) $x$")
    '\\*\\*fet\\*\\* \\[lenke\\]\\(http\\:\\/\\/x\\) \\$x\\$'
    >>> md(None)
    ''
    """
    if text is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def plotly_text(text: object) -> str:
    """Text safe for Plotly: ``<``, ``>`` and ``&`` escaped so no tag is rendered.

    >>> plotly_text('<a href="http://x">Klikk</a> & Co')
    '&lt;a href="http://x"&gt;Klikk&lt;/a&gt; &amp; Co'
    """
    if text is None:
        return ""
    return html.escape(str(text), quote=False)


def plotly_frame(df: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """The frame with the named text columns escaped for Plotly (all string columns if none).

    >>> plotly_frame(pl.DataFrame({"n": ["<b>A</b>"], "v": [1]}))["n"][0]
    '&lt;b&gt;A&lt;/b&gt;'
    """
    cols = columns or tuple(c for c, t in df.schema.items() if t == pl.String)
    return df.with_columns(
        pl.col(c)
        .str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
        for c in cols
    )


def cell(value: object) -> object:
    """A spreadsheet cell that can never run as a formula: text beginning with a formula
    character gets a leading apostrophe (shown as text by Excel and LibreOffice). Numbers pass.

    >>> cell('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> cell(-12.5)
    -12.5
    >>> cell("Bygg AS")
    'Bygg AS'
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_cells(df: pl.DataFrame) -> pl.DataFrame:
    """The frame with every string cell neutralized as :func:`cell` does (numbers untouched).

    >>> safe_cells(pl.DataFrame({"n": ["@SUM(A1)", "ok", None], "v": [-1, 2, 3]})).rows()
    [("'@SUM(A1)", -1), ('ok', 2), (None, 3)]
    """
    pattern = "^[" + re.escape("".join(FORMULA_START)) + "]"
    return df.with_columns(
        pl.when(pl.col(c).str.contains(pattern))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c, t in df.schema.items()
        if t == pl.String
    )
