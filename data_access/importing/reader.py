"""Reading ledger exports as they really come: CSV/text or Excel, into one all-text frame.

Everything is read as text and parsed later by :mod:`parsers`, so a value the readers cannot
interpret is kept verbatim and can be shown in a quarantine reason. Detection, in order:

1. **Format**: Excel by the ZIP signature (``PK``) or an ``.xlsx``/``.xlsm`` name; else text.
2. **Encoding** (text): a BOM decides (UTF-8, UTF-16); else strict UTF-8; else Windows-1252
   (Latin-1 for its five undefined bytes). A profile may fix it.
3. **Delimiter and header row**: for each candidate (``;``, tab, ``,``, ``|``), the first 60 lines
   are split and scored by how many cells are headings the profile knows; the best line is the
   header, so title rows above the table ("Rapport …", blank lines) are skipped.
4. **Ragged rows**: each record's field count is kept, so a row cut short (a truncated file) is
   quarantined as such instead of being read with its missing fields as empty, and a row with
   more non-empty fields than the header (a delimiter inside an unquoted text) is quarantined
   instead of being read with its columns shifted (see :func:`_field_counts`).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import re
import zipfile
from dataclasses import dataclass

import polars as pl

from data_access.importing.limits import (
    check_columns,
    check_file_size,
    check_line_lengths,
    truncate_fields,
)
from data_access.importing.profiles import Profile, heading_score

DELIMITERS = (";", "\t", ",", "|")
HEADER_SCAN = 60
ROW_COL = "_row"
NFIELDS_COL = "_nfields"


class FileFormatError(ValueError):
    """The file cannot be read as a ledger export at all (message in Norwegian)."""


@dataclass
class RawTable:
    """The file's table as text, with what was detected about it."""

    frame: pl.DataFrame  # original headings + _row (1-based line/row number) + _nfields
    headings: list[str]
    kind: str  # "csv" | "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int = 1
    blank_rows: int = 0
    truncated_cells: int = 0  # text cells cut to limits.MAX_FIELD_CHARS


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Line endings normalized to ``\\n``."""
    if encoding:
        text = data.decode(encoding)
        used = encoding
    elif data.startswith(b"\xef\xbb\xbf"):
        text, used = data[3:].decode("utf-8"), "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, used = data.decode("utf-16"), "utf-16"
    else:
        try:
            text, used = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, used = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                text, used = data.decode("latin-1"), "latin-1"
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.lstrip("\ufeff"), used


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []


def detect_layout(lines: list[str], profile: Profile) -> tuple[str, int]:
    """(delimiter, 0-based header line index) by heading score, then by field count."""
    candidates = [profile.delimiter] if profile.delimiter else list(DELIMITERS)
    best: tuple[int, int, int] | None = None  # (score, n_cells, -index)
    choice = (candidates[0], 0)
    for d in candidates:
        for i, line in enumerate(lines[:HEADER_SCAN]):
            cells = _split(line, d)
            if len(cells) < 2:
                continue
            key = (heading_score(cells, profile), len(cells), -i)
            if best is None or key > best:
                best, choice = key, (d, i)
    if best is None or best[0] < 2:
        raise FileFormatError(
            "fant ingen overskriftsrad med kjente kolonnenavn (dato, konto, beløp …) "
            "blant de første linjene; velg eller lag en importprofil"
        )
    return choice


def read_text(data: bytes, profile: Profile) -> RawTable:
    text, used = decode(data, profile.encoding)
    if not text.strip():
        raise FileFormatError("filen er tom")
    check_line_lengths(text)
    # Header detection looks only at the first lines; no need to split a 100 MB text for that.
    head = text[: 256 * 1024].split("\n")[:HEADER_SCAN]
    delimiter, header_idx = detect_layout(head, profile)
    start = 0
    for _ in range(header_idx):
        start = text.index("\n", start) + 1
    body = text[start:]
    headings = _split(body.split("\n", 1)[0], delimiter)
    check_columns(headings)
    frame = (
        pl.read_csv(
            body.encode("utf-8"),
            separator=delimiter,
            has_header=False,
            infer_schema=False,
            truncate_ragged_lines=True,
            quote_char='"',
            skip_rows=1,
            new_columns=[f"c{i}" for i in range(len(headings))],
        )
        if body.count("\n") > 0 and body.split("\n", 1)[1].strip()
        else pl.DataFrame(schema={f"c{i}": pl.String for i in range(len(headings))})
    )
    frame = frame.select([pl.col(f"c{i}") for i in range(len(headings))])
    frame.columns = _unique_names(headings)
    frame = frame.with_columns(_field_counts(body, delimiter, len(headings), frame.height))
    frame = frame.with_columns(
        pl.int_range(header_idx + 2, header_idx + 2 + pl.len(), dtype=pl.Int64).alias(ROW_COL)
    )
    return RawTable(
        frame=frame,
        headings=list(frame.columns[: len(headings)]),
        kind="csv",
        encoding=used,
        delimiter=delimiter,
        header_line=header_idx + 1,
    )


def _field_counts(body: str, delimiter: str, width: int, n_rows: int) -> pl.Series:
    """Fields per data row (``_nfields``), for rows cut short and rows with too many fields.

    Quoted fields (which may hold the delimiter and line breaks) are blanked out first, so each
    remaining line is one record and its delimiters separate fields. A row with more fields than
    the header counts only up to its last non-empty field: trailing empty fields (``;;`` at the
    end, common in exports) are harmless, a shifted row is not. If the records cannot be lined up
    with the rows read (an unbalanced quote), every row counts as complete, as before.
    """
    d = re.escape(delimiter)
    # A quote opens a field only at the start of a field, as in the CSV reader.
    quoted = re.compile(rf'(?:(?<=^)|(?<={d})|(?<=\n))"(?:[^"]|"")*"(?={d}|\n|$)')
    rest = body.split("\n", 1)[1] if "\n" in body else ""
    plain = quoted.sub("", rest) if '"' in rest else rest
    lines = plain.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != n_rows:
        return pl.repeat(width, n_rows, dtype=pl.Int32, eager=True).alias(NFIELDS_COL)
    s = pl.Series(NFIELDS_COL, lines, dtype=pl.String)
    raw = s.str.count_matches(delimiter, literal=True).cast(pl.Int32) + 1
    over = (raw > width).arg_true()
    if over.len() == 0:  # the common case: the trailing-field regex runs on no row at all
        return raw
    used = (
        s.gather(over)
        .str.replace(rf"(?:{d}[\s\u00a0]*)+$", "")
        .str.count_matches(delimiter, literal=True)
        .cast(pl.Int32)
        + 1
    )
    return raw.scatter(
        over, pl.select(pl.max_horizontal(used, pl.lit(width, pl.Int32))).to_series()
    )


def _unique_names(headings: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headings):
        name = h.strip() or f"kolonne {i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _cell_text(value: object) -> str | None:
    """Excel cell → text: dates ISO, whole numbers as digits, other numbers with a decimal point
    and **at most two decimals**, so the text reads the same whatever decimal mark the file's
    text cells use (``12.35`` is never thousands grouping; three decimals could be).

    A numeric cell with more than two decimals is rounded half-up (away from zero) to the øre,
    from its shortest decimal form: 12.345 → ``12.35``, -7.005 → ``-7.01``, 0.1 + 0.2 → ``0.30``,
    100/3 → ``33.33``. That is the value Excel shows in a money format and the one the ERP
    posted; sub-øre digits in a number cell come from formulas or binary noise, not from a real
    amount, so rounding loses no spend (a *text* cell with three decimals is still quarantined by
    the parser, see :mod:`parsers`).

    >>> [_cell_text(v) for v in (12.345, 1234.5, 0.1 + 0.2, -7.005, 45000.0, 7, "x")]
    ['12.35', '1234.50', '0.30', '-7.01', '45000', '7', 'x']
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | decimal.Decimal):
        exact = decimal.Decimal(repr(value) if isinstance(value, float) else value)
        if not exact.is_finite():
            return str(value)
        if exact == exact.to_integral_value():
            return str(int(exact))
        return str(exact.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP))
    text = str(value)
    return text if text.strip() else None


def read_xlsx(data: bytes, profile: Profile) -> RawTable:
    try:
        import openpyxl  # only for .xlsx files: ≈ 0,1 s of import a server start need not pay

        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise FileFormatError(f"Excel-filen kan ikke leses ({exc})") from exc
    try:
        ws = wb[profile.sheet] if profile.sheet else wb.worksheets[0]
        rows = [[_cell_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not any(any(c is not None for c in r) for r in rows):
        raise FileFormatError("filen er tom")
    best: tuple[int, int] | None = None
    header_idx = 0
    for i, r in enumerate(rows[:HEADER_SCAN]):
        cells = [c or "" for c in r]
        key = (heading_score(cells, profile), -i)
        if best is None or key > best:
            best, header_idx = key, i
    if best is None or best[0] < 2:
        raise FileFormatError(
            "fant ingen overskriftsrad med kjente kolonnenavn (dato, konto, beløp …); "
            "velg eller lag en importprofil"
        )
    header = rows[header_idx]
    width = max((i + 1 for i, c in enumerate(header) if c), default=0)
    check_columns([c or "" for c in header[:width]])
    names = _unique_names([c or "" for c in header[:width]])
    body = [(list(r[:width]) + [None] * width)[:width] for r in rows[header_idx + 1 :]]
    frame = pl.DataFrame(body, schema={n: pl.String for n in names}, orient="row")
    frame = frame.with_columns(
        pl.lit(width, pl.Int32).alias(NFIELDS_COL),
        pl.int_range(header_idx + 2, header_idx + 2 + pl.len(), dtype=pl.Int64).alias(ROW_COL),
    )
    return RawTable(frame=frame, headings=names, kind="xlsx", header_line=header_idx + 1)


def read_table(data: bytes, filename: str, profile: Profile) -> RawTable:
    """Read any supported export; rows that are blank in every column are dropped and counted,
    and the size limits (``limits.py``) are applied."""
    check_file_size(data)
    is_zip = data[:2] == b"PK"
    if is_zip or filename.lower().endswith((".xlsx", ".xlsm")):
        table = read_xlsx(data, profile)
    elif filename.lower().endswith(".xls") and data[:4] == b"\xd0\xcf\x11\xe0":
        raise FileFormatError("gammelt Excel-format (.xls) støttes ikke; lagre som .xlsx eller CSV")
    else:
        table = read_text(data, profile)
    cols = table.headings
    blank = pl.all_horizontal(
        [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in cols]
    )
    n_before = table.frame.height
    table.frame = table.frame.filter(~blank)
    table.blank_rows = n_before - table.frame.height
    table.frame, table.truncated_cells = truncate_fields(table.frame, cols)
    return table
