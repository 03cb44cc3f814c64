"""The global filters (period, municipalities, categories, area) and their application.

A ``Filters`` value is what the sidebar and the URL query string describe; every figure on every
page is computed from ``apply(cube, filters)``, so the same filters give the same numbers
everywhere (pages, CLI, exports).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

import polars as pl

AREAS = ("drift", "investering", "alle")


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def add_months(d: dt.date, n: int) -> dt.date:
    """First day of the month ``n`` months after ``d``'s month.

    >>> add_months(dt.date(2024, 11, 5), 3)
    datetime.date(2025, 2, 1)
    """
    idx = d.year * 12 + d.month - 1 + n
    return dt.date(idx // 12, idx % 12 + 1, 1)


@dataclass(frozen=True)
class Filters:
    """Inclusive month range, today's municipality codes (empty = all in scope), category ids
    (level 1 or 2; empty = all) and area."""

    start: dt.date
    end: dt.date
    municipalities: tuple[str, ...] = ()
    categories: tuple[int, ...] = ()
    area: str = "drift"

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", month_start(self.start))
        object.__setattr__(self, "end", month_start(self.end))
        if self.end < self.start:
            raise ValueError("period ends before it starts")
        if self.area not in AREAS:
            raise ValueError(f"unknown area {self.area!r}")

    @classmethod
    def year(
        cls,
        year: int,
        *,
        municipalities: tuple[str, ...] = (),
        categories: tuple[int, ...] = (),
        area: str = "drift",
    ) -> Filters:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 1), municipalities, categories, area)

    @property
    def n_months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous_year(self) -> Filters:
        """The same period one year earlier (for 'change from last year')."""
        return replace(self, start=add_months(self.start, -12), end=add_months(self.end, -12))


def apply(cube: pl.DataFrame, f: Filters, *, period: bool = True) -> pl.DataFrame:
    """Rows of the enriched cube inside the filters (period optional, for trends)."""
    cond = pl.lit(True)
    if period:
        cond = cond & pl.col("month").is_between(f.start, f.end)
    if f.municipalities:
        cond = cond & pl.col("municipality_now").is_in(list(f.municipalities))
    if f.categories:
        ids = list(f.categories)
        cond = cond & (pl.col("category_id").is_in(ids) | pl.col("category_l1_id").is_in(ids))
    if f.area != "alle":
        cond = cond & (pl.col("area") == f.area)
    return cube.filter(cond)


def period_range(token: str, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
    """Month range of a period token, clamped to the months with data; None when invalid.

    Tokens: ``2025`` (year), ``2025-K3`` (quarter), ``2024-01_2025-06`` (inclusive months).
    Clamping matters: "2026" with data to September compares Jan–Sep with Jan–Sep a year
    earlier, not with a whole year.

    >>> period_range("2026", dt.date(2019, 1, 1), dt.date(2026, 9, 1))
    (datetime.date(2026, 1, 1), datetime.date(2026, 9, 1))
    >>> period_range("2025-K2", dt.date(2019, 1, 1), dt.date(2026, 9, 1))
    (datetime.date(2025, 4, 1), datetime.date(2025, 6, 1))
    >>> period_range("2024-11_2025-02", dt.date(2019, 1, 1), dt.date(2026, 9, 1))
    (datetime.date(2024, 11, 1), datetime.date(2025, 2, 1))
    >>> period_range("1999", dt.date(2019, 1, 1), dt.date(2026, 9, 1)) is None
    True
    """
    if m := re.fullmatch(r"(\d{4})", token):
        y = int(m[1])
        start, end = dt.date(y, 1, 1), dt.date(y, 12, 1)
    elif m := re.fullmatch(r"(\d{4})-K([1-4])", token):
        y, q = int(m[1]), int(m[2])
        start = dt.date(y, 3 * q - 2, 1)
        end = add_months(start, 2)
    elif m := re.fullmatch(r"(\d{4})-(\d{2})_(\d{4})-(\d{2})", token):
        try:
            start = dt.date(int(m[1]), int(m[2]), 1)
            end = dt.date(int(m[3]), int(m[4]), 1)
        except ValueError:
            return None
    else:
        return None
    start, end = max(start, month_start(first)), min(end, month_start(last))
    return (start, end) if start <= end else None
