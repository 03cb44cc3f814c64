"""Amount and date parsers for ledger exports, as Polars expressions (one implementation).

Why expressions: a 1 M-line file must parse in about a second, and the same code must serve the
scalar helpers used by tests and the quarantine editor, so ``parse_amount_ore`` and
``parse_date`` run the expression on a one-element frame instead of duplicating the rules.

Amounts become integer øre without ever passing through a float: the integer and fraction parts
are cut out as digit strings and combined as integers, so ``0,10 + 0,20`` stays ``30`` øre.

Accepted amount forms (PRODUCT.md §3.1): ``1 234,50``, ``1234.50``, ``kr 1 234``, ``-1 234,50``,
``1 234,50-`` (trailing minus, common in Agresso), ``(1 234,50)``, ``−1 234,50`` (Unicode minus),
thousands separated by space, non-breaking space, narrow no-break space, apostrophe or dot (with
decimal comma) / comma (with decimal point). More than two decimals are accepted only when the
extra digits are zeros; anything else is left unparsed (null), so the row is quarantined with the
raw text in its reason instead of being rounded silently.

Accepted dates: ``dd.mm.yyyy`` (also ``d.m.yyyy``), ``dd.mm.yy`` (20yy), ISO ``yyyy-mm-dd`` with
or without a time part, ``dd/mm/yyyy``, ``yyyymmdd``, and Excel serial day numbers (1900 system).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl

Decimal = Literal[",", "."]

# Grouped or plain integer part, then an optional fraction, for each decimal mark.
_COMMA_BODY = r"^(?:\d+|\d{1,3}(?:\.\d{3})+)(?:,\d*)?$"
_POINT_BODY = r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?$"
# Values that only make sense with the *other* mark as a decimal (``1234.50`` in a comma file).
_POINT_ONLY = r"^\d+\.\d{1,2}$"
_COMMA_ONLY = r"^\d+,\d{1,2}$"
# Used to detect a file's decimal mark: forms that are unambiguous for one mark.
_UNAMBIGUOUS_COMMA = r"(?:^\d+,\d{1,2}$)|(?:\.\d{3},\d*$)"
_UNAMBIGUOUS_POINT = r"(?:^\d+\.\d{1,2}$)|(?:,\d{3}\.\d*$)"

EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_DATE = dt.date(1990, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)


def _clean_amount(raw: pl.Expr) -> pl.Expr:
    """Strip currency words, all kinds of spaces and apostrophes; Unicode minus → '-'."""
    return (
        raw.str.replace_all(r"(?i)(?:nok|kr)\.?", "")
        .str.replace_all(r"[\s\u00a0\u202f\u2009']", "")
        .str.replace_all("\u2212", "-")
    )


def _sign_and_body(clean: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(negative?, unsigned body). Exactly one sign marker is allowed; '+' is ignored."""
    lead = clean.str.starts_with("-")
    trail = clean.str.ends_with("-")
    paren = clean.str.starts_with("(") & clean.str.ends_with(")")
    body = clean.str.replace(r"^\+", "").str.replace(r"^\((.*)\)$", "$1")
    body = body.str.replace(r"^-", "").str.replace(r"-$", "")
    n_signs = lead.cast(pl.Int8) + trail.cast(pl.Int8) + paren.cast(pl.Int8)
    # A body that still has a sign or bracket in it is malformed ("1-2", "--5").
    body = pl.when((n_signs <= 1) & ~body.str.contains(r"[-+()]")).then(body)
    return n_signs == 1, body


def _ore_from(body: pl.Expr, mark: Decimal, pattern: str) -> pl.Expr:
    """Øre for bodies matching ``pattern`` with decimal ``mark``; null otherwise."""
    group = "." if mark == "," else ","
    int_part = (
        body.str.split(mark).list.get(0, null_on_oob=True).str.replace_all(group, "", literal=True)
    )
    frac = (
        pl.when(body.str.contains(mark, literal=True))
        .then(body.str.split(mark).list.get(1, null_on_oob=True))
        .otherwise(pl.lit(""))
    )
    extra_ok = frac.str.slice(2).str.contains(r"^0*$")
    cents = frac.str.slice(0, 2).str.pad_end(2, "0").cast(pl.Int64, strict=False)
    whole = int_part.cast(pl.Int64, strict=False)
    ore = whole * 100 + cents
    return pl.when(body.str.contains(pattern) & extra_ok & (int_part.str.len_chars() <= 16)).then(
        ore
    )


def amount_expr(raw: pl.Expr, decimal: Decimal = ",") -> pl.Expr:
    """Integer øre from text, or null when the text is not an amount.

    ``decimal`` is the file's decimal mark; a value that is invalid with it but reads as a plain
    number with the other mark and 1–2 decimals (``1234.50`` in a comma file) is read that way.

    >>> s = pl.DataFrame({"a": ["1 234,50", "kr 1 234", "1 234,50-", "1.234,5", "12,3,4", None]})
    >>> s.select(amount_expr(pl.col("a"))).to_series().to_list()
    [123450, 123400, -123450, 123450, None, None]
    """
    neg, body = _sign_and_body(_clean_amount(raw))
    if decimal == ",":
        value = pl.coalesce(_ore_from(body, ",", _COMMA_BODY), _ore_from(body, ".", _POINT_ONLY))
    else:
        value = pl.coalesce(_ore_from(body, ".", _POINT_BODY), _ore_from(body, ",", _COMMA_ONLY))
    return pl.when(neg).then(-value).otherwise(value)


def detect_decimal(values: pl.Series, default: Decimal = ",") -> Decimal:
    """The decimal mark a column of amounts most likely uses (majority of unambiguous values).

    >>> detect_decimal(pl.Series(["1234.50", "12.00", "1,234.00"]))
    '.'
    >>> detect_decimal(pl.Series(["1 234", "1.234"]))
    ','
    """
    frame = pl.DataFrame({"v": values.cast(pl.String)})
    _, body = _sign_and_body(_clean_amount(pl.col("v")))
    counts = frame.select(
        comma=body.str.contains(_UNAMBIGUOUS_COMMA).sum(),
        point=body.str.contains(_UNAMBIGUOUS_POINT).sum(),
    ).row(0)
    comma, point = (int(c or 0) for c in counts)
    if comma == point:
        return default
    return "," if comma > point else "."


def date_expr(raw: pl.Expr, date_format: str | None = None) -> pl.Expr:
    """A ``Date`` from text in any accepted form, or null (also outside 1990–2100).

    Each format is gated by a regex, so ``01.02.21`` is never read as year 21 by ``%Y``.

    >>> f = pl.DataFrame({"d": ["1.2.2021", "2021-03-04", "2021-03-04 10:00", "44197", "31.02.2021"]})
    >>> f.select(date_expr(pl.col("d"))).to_series().to_list()  # doctest: +NORMALIZE_WHITESPACE
    [datetime.date(2021, 2, 1), datetime.date(2021, 3, 4), datetime.date(2021, 3, 4),
     datetime.date(2021, 1, 1), None]
    """
    s = raw.str.strip_chars()
    candidates: list[pl.Expr] = []
    if date_format:
        candidates.append(s.str.to_date(date_format, strict=False))
    candidates += [
        pl.when(s.str.contains(r"^\d{1,2}\.\d{1,2}\.\d{4}$")).then(
            s.str.to_date("%d.%m.%Y", strict=False)
        ),
        pl.when(s.str.contains(r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ].*)?$")).then(
            s.str.slice(0, 10).str.replace(r"[T ].*$", "").str.to_date("%Y-%m-%d", strict=False)
        ),
        pl.when(s.str.contains(r"^\d{1,2}\.\d{1,2}\.\d{2}$")).then(
            s.str.to_date("%d.%m.%y", strict=False)
        ),
        pl.when(s.str.contains(r"^\d{1,2}/\d{1,2}/\d{4}$")).then(
            s.str.to_date("%d/%m/%Y", strict=False)
        ),
        pl.when(s.str.contains(r"^\d{8}$")).then(s.str.to_date("%Y%m%d", strict=False)),
        pl.when(s.str.contains(r"^\d{5}(?:\.0+)?$")).then(
            pl.lit(EXCEL_EPOCH)
            + pl.duration(days=s.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False))
        ),
    ]
    value = pl.coalesce(candidates).cast(pl.Date)
    return pl.when(value.is_between(pl.lit(MIN_DATE), pl.lit(MAX_DATE))).then(value)


def parse_amount_ore(text: str | None, decimal: Decimal = ",") -> int | None:
    """Scalar form of :func:`amount_expr`.

    >>> parse_amount_ore("-1 234,50"), parse_amount_ore("1234.50", "."), parse_amount_ore("x")
    (-123450, 123450, None)
    """
    frame = pl.DataFrame({"a": [text]}, schema={"a": pl.String})
    return frame.select(amount_expr(pl.col("a"), decimal)).item()


def parse_date(text: str | None, date_format: str | None = None) -> dt.date | None:
    """Scalar form of :func:`date_expr`.

    >>> parse_date("05.01.2024")
    datetime.date(2024, 1, 5)
    """
    frame = pl.DataFrame({"d": [text]}, schema={"d": pl.String})
    return frame.select(date_expr(pl.col("d"), date_format)).item()
