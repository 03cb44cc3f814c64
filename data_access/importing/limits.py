"""Size limits for imported files (issue 11): what a ledger export may reasonably contain.

A limit is either a refusal of the whole file with a clear Norwegian message (file size, column
count, line length: signs of a wrong or hostile file, and costly to parse), or a truncation that
keeps the row and says so (one over-long text field). The README lists the same numbers.
"""

from __future__ import annotations

import polars as pl

MAX_FILE_MB = 200  # the same as Streamlit's server.maxUploadSize in .streamlit/config.toml
MAX_COLUMNS = 200
MAX_LINE_CHARS = 100_000
MAX_FIELD_CHARS = 1_000
#: Ledger fields stored in shorter columns than MAX_FIELD_CHARS (schema.py): cut to fit.
FIELD_MAX = {"supplier_name": 200, "supplier_no": 40}
SHOWN_HEADINGS = 20  # an error message lists at most this many of the file's headings
ELLIPSIS = "…"


class LimitError(ValueError):
    """The file breaks a size limit (message in Norwegian, shown to the user as it is)."""


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def check_file_size(data: bytes) -> None:
    if len(data) > MAX_FILE_MB * 1024 * 1024:
        raise LimitError(
            f"filen er {_n(len(data) // (1024 * 1024))} MB; høyst {MAX_FILE_MB} MB kan importeres "
            "(del den opp, f.eks. per år)"
        )


def check_columns(headings: list[str]) -> None:
    if len(headings) > MAX_COLUMNS:
        raise LimitError(
            f"filen har {_n(len(headings))} kolonner; høyst {MAX_COLUMNS} er tillatt. "
            f"Første kolonner: {shown_headings(headings)}"
        )


def check_line_lengths(text: str) -> None:
    r"""Refuse a text file with a line longer than :data:`MAX_LINE_CHARS` (1-based line no.).

    The common case, every line short, is settled by one split and ``max`` in C (0,35 s for a
    million lines here, where the line-by-line walk below took 0,6 s); only a file that fails
    is walked, to find the first long line's number.

    >>> check_line_lengths("a;b\n" * 3)
    >>> try:
    ...     check_line_lengths("a\n" + "x" * (MAX_LINE_CHARS + 1) + "\nb")
    ... except LimitError as e:
    ...     print(str(e).replace("\u00a0", " "))
    linje 2 er 100 001 tegn lang; høyst 100 000 tegn per linje er tillatt
    """
    if len(text) <= MAX_LINE_CHARS or max(map(len, text.split("\n"))) <= MAX_LINE_CHARS:
        return
    start = 0
    line_no = 1
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > MAX_LINE_CHARS:
            raise LimitError(
                f"linje {_n(line_no)} er {_n(end - start)} tegn lang; høyst "
                f"{_n(MAX_LINE_CHARS)} tegn per linje er tillatt"
            )
        start = end + 1
        line_no += 1


def shown_headings(headings: list[str]) -> str:
    """The first headings, each cut short, for an error message (never thousands of them)."""
    shown = [h if len(h) <= 60 else h[:60] + ELLIPSIS for h in headings[:SHOWN_HEADINGS]]
    rest = len(headings) - len(shown)
    return ", ".join(shown) + (f" … og {_n(rest)} til" if rest > 0 else "")


def truncate_fields(
    frame: pl.DataFrame, columns: list[str], limits: dict[str, int] | None = None
) -> tuple[pl.DataFrame, int]:
    """Cut text cells longer than their limit (default :data:`MAX_FIELD_CHARS`), ending them
    with "…"; return the frame and how many cells were cut, so the import report says so."""
    columns = [c for c in columns if c in frame.columns]
    if not columns:
        return frame, 0
    limit = {c: (limits or {}).get(c, MAX_FIELD_CHARS) for c in columns}
    long = [pl.col(c).str.len_chars().gt(limit[c]).fill_null(False) for c in columns]
    n = int(frame.select(pl.sum_horizontal(long).sum()).item() or 0)
    if n == 0:
        return frame, 0
    cut = frame.with_columns(
        pl.when(pl.col(c).str.len_chars() > limit[c])
        .then(pl.col(c).str.slice(0, limit[c] - 1) + pl.lit(ELLIPSIS))
        .otherwise(pl.col(c))
        .alias(c)
        for c in columns
    )
    return cut, n
