"""``charts.fmt.number`` formats exactly as babel's ``format_decimal`` with the same pattern
(it replaced the babel call for speed; babel stays the reference)."""

from __future__ import annotations

import random

import pytest
from babel.numbers import format_decimal

from charts import fmt
from charts.lang import using


def _babel(value: float, decimals: int, lang: str) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    locale = fmt.LOCALE_EN if lang == "en" else fmt.LOCALE
    return format_decimal(value, format=pattern, locale=locale).replace("-", "−")


EDGES = [0, 0.0, -0.0, -0.4, 0.5, 1.5, 2.5, -2.5, 0.125, 2.675, 1.005, 0.005, 99_999.995]
EDGES += [12.345, 7, -7, 10**12, 1e15, 123_456_789.125, -1_234.5678, float("inf")]


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_number_equals_babel_on_edges_and_random_values(lang: str) -> None:
    rng = random.Random(8)
    values: list[float] = [*EDGES]
    values += [rng.uniform(-1e9, 1e9) for _ in range(3_000)]
    values += [round(rng.uniform(-1e5, 1e5), 3) for _ in range(3_000)]
    values += [rng.randint(-(10**10), 10**10) for _ in range(1_000)]
    with using(lang):
        for v in values:
            for decimals in (0, 1, 2):
                assert fmt.number(v, decimals) == _babel(v, decimals, lang), (v, decimals)


def test_norwegian_and_english_separators() -> None:
    assert fmt.kr(1_234_567.4) == "1\xa0234\xa0567\xa0kr"
    assert fmt.number(-1234.56, 1) == "−1\xa0234,6"
    with using("en"):
        assert fmt.number(-1234.56, 1) == "−1,234.6"
