"""Norwegian number formats for the UI (babel, locale nb_NO).

Babel's group separator is a non-breaking space (U+00A0), so a figure never wraps in the middle.

>>> kr(1234567)
'1\\xa0234\\xa0567\\xa0kr'
>>> pct(0.125)
'12,5\\xa0%'
>>> mkr(1.5e9)
'1,5\\xa0mrd.\\xa0kr'
>>> mkr(7.5e6)
'7,5\\xa0mill.\\xa0kr'
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal

LOCALE = "nb_NO"
NBSP = "\u00a0"


def number(value: float | None, decimals: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE).replace("-", "−")


def kr(value: float | None, decimals: int = 0) -> str:
    """``1 234 567 kr``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{number(value, decimals)}{NBSP}kr"


def mkr(value: float | None, decimals: int = 1) -> str:
    """Large amounts: ``1,5 mrd. kr``, ``7,5 mill. kr``, smaller as ``123 456 kr``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    a = abs(value)
    if a >= 1e9:
        return f"{number(value / 1e9, decimals)}{NBSP}mrd.{NBSP}kr"
    if a >= 1e6:
        return f"{number(value / 1e6, decimals)}{NBSP}mill.{NBSP}kr"
    return kr(value)


def pct(share: float | None, decimals: int = 1) -> str:
    """A share 0–1 as ``12,5 %``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{number(share * 100, decimals)}{NBSP}%"


def change(share: float | None, decimals: int = 1) -> str:
    """A signed change: ``+3,2 %`` / ``−1,0 %``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    # ASCII signs: st.metric colours a delta by its leading "-" (a U+2212 minus reads as up).
    body = pct(abs(share), decimals)
    return ("+" if share >= 0 else "-") + body
