"""Property tests of the amount and date parsers against their formatted inputs."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_access.importing.parsers import (
    amount_expr,
    date_expr,
    detect_decimal,
    parse_amount_ore,
    parse_date,
)
from tests.import_helpers import EXCEL_EPOCH, fmt_amount, fmt_date

AMOUNT_STYLES = [
    "comma",
    "nbsp",
    "dot",
    "plain_comma",
    "kr",
    "comma_trailing",
    "dot_trailing",
    "nbsp_trailing",
]
POINT_STYLES = ["point", "comma_point", "point_trailing", "comma_point_trailing"]
ore_values = st.integers(min_value=-(10**13), max_value=10**13)


def _parse_all(texts: list[str], decimal: str) -> list[int | None]:
    """Parse a batch in one frame (the expression compiles its regexes once per call)."""
    frame = pl.DataFrame({"a": texts}, schema={"a": pl.String})
    return frame.select(amount_expr(pl.col("a"), decimal)).to_series().to_list()


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(st.tuples(ore_values, st.sampled_from(AMOUNT_STYLES)), min_size=1, max_size=60)
)
def test_amount_round_trips_in_comma_files(items: list[tuple[int, str]]) -> None:
    items = [(o, s) for o, s in items if not (s == "kr" and o % 100)]  # "kr 1 234" has no øre
    texts = [fmt_amount(o, s) for o, s in items]
    assert _parse_all(texts, ",") == [o for o, _ in items]


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(st.tuples(ore_values, st.sampled_from(POINT_STYLES)), min_size=1, max_size=60)
)
def test_amount_round_trips_in_point_files(items: list[tuple[int, str]]) -> None:
    assert _parse_all([fmt_amount(o, s) for o, s in items], ".") == [o for o, _ in items]


@settings(max_examples=60, deadline=None)
@given(items=st.lists(st.tuples(st.integers(0, 10**9), st.booleans()), min_size=1, max_size=60))
def test_whole_kroner_with_currency_word(items: list[tuple[int, bool]]) -> None:
    texts = [("-" if neg else "") + "kr " + f"{kr:,}".replace(",", " ") for kr, neg in items]
    assert _parse_all(texts, ",") == [(-kr if neg else kr) * 100 for kr, neg in items]


@settings(max_examples=60, deadline=None)
@given(ores=st.lists(ore_values, min_size=1, max_size=60))
def test_vectorised_parse_equals_exact_integer_sum(ores: list[int]) -> None:
    """Summing parsed øre equals summing the integers (no float on the way)."""
    parsed = _parse_all([fmt_amount(o, "comma") for o in ores], ",")
    assert parsed == ores
    assert sum(p or 0 for p in parsed) == sum(ores)


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="0123456789 ,.-+kr()x", max_size=14), min_size=1, max_size=40)
)
def test_amount_parser_never_raises_and_is_sign_symmetric(texts: list[str]) -> None:
    values = _parse_all(texts, ",")
    plain = [
        (t.strip(), v)
        for t, v in zip(texts, values, strict=True)
        if v is not None
        and not t.strip().startswith(("-", "(", "+"))
        and not t.strip().endswith(("-", ")"))
    ]
    if plain:
        assert _parse_all(["-" + t for t, _ in plain], ",") == [-v for _, v in plain]


@pytest.mark.parametrize(
    ("text", "decimal", "ore"),
    [
        ("1 234,50", ",", 123450),
        ("1234.50", ",", 123450),
        ("kr 1 234", ",", 123400),
        ("-1 234,50", ",", -123450),
        ("1 234,50-", ",", -123450),
        ("1\u00a0234,50", ",", 123450),
        ("1.234.567,89", ",", 123456789),
        ("1.234", ",", 123400),
        ("(12,00)", ",", -1200),
        ("\u221212,5", ",", -1250),
        ("NOK 1,234.56", ".", 123456),
        ("12,340", ",", 1234),
        ("0,1", ",", 10),
        ("1234.50-", ".", -123450),
    ],
)
def test_amount_examples(text: str, decimal: str, ore: int) -> None:
    assert parse_amount_ore(text, decimal) == ore


@pytest.mark.parametrize("text", ["", "-", "kr", "1-2", "--5", "12,3,4", "1,234", "abc", "1.2.3,4"])
def test_amount_rejects(text: str) -> None:
    assert parse_amount_ore(text, ",") is None


def test_detect_decimal() -> None:
    assert detect_decimal(pl.Series(["1234.50", "99.5", "1"])) == "."
    assert detect_decimal(pl.Series(["1 234,50", "99,5"])) == ","
    assert detect_decimal(pl.Series(["100", "200"])) == ","


dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31))


@settings(max_examples=300, deadline=None)
@given(d=dates, style=st.sampled_from(["dmy", "iso", "iso_time", "serial", "slash"]))
def test_date_round_trips(d: dt.date, style: str) -> None:
    assert parse_date(fmt_date(d, style)) == d


@settings(max_examples=200, deadline=None)
@given(d=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2068, 12, 31)))
def test_two_digit_years_are_this_century(d: dt.date) -> None:
    assert parse_date(fmt_date(d, "dmy2")) == d


@settings(max_examples=200, deadline=None)
@given(d=dates)
def test_unpadded_day_month(d: dt.date) -> None:
    assert parse_date(f"{d.day}.{d.month}.{d.year}") == d


@settings(max_examples=100, deadline=None)
@given(days=st.lists(st.integers(min_value=32874, max_value=73000), min_size=1, max_size=30))
def test_excel_serials_vectorised(days: list[int]) -> None:
    frame = pl.DataFrame({"d": [str(n) for n in days]})
    got = frame.select(date_expr(pl.col("d"))).to_series().to_list()
    assert got == [EXCEL_EPOCH + dt.timedelta(days=n) for n in days]


@pytest.mark.parametrize(
    "text", ["31.02.2021", "2021-13-01", "01.01.1850", "hello", "", "1.2", "99999999"]
)
def test_date_rejects(text: str) -> None:
    assert parse_date(text) is None


def test_profile_date_format_first() -> None:
    assert parse_date("03/04/2021", "%m/%d/%Y") == dt.date(2021, 3, 4)
    assert parse_date("03/04/2021") == dt.date(2021, 4, 3)
