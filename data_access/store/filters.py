"""The global filters (period, municipalities, categories, area) and their application.

A ``Filters`` value is what the sidebar and the URL query string describe; every figure on every
page is computed from ``apply(cube, filters)``, so the same filters give the same numbers
everywhere (pages, CLI, exports).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
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

    def halves(self) -> tuple[Filters, Filters]:
        """The period's first and second half in whole months (the first the shorter when
        the months are odd), for a sum taken in two parts at once (``store.db.side_by_side``).

        >>> [(h.start.month, h.end.month) for h in Filters.year(2025).halves()]
        [(1, 6), (7, 12)]
        >>> [(h.start, h.end) for h in Filters(dt.date(2024, 11, 1), dt.date(2025, 1, 1)).halves()]
        [(datetime.date(2024, 11, 1), datetime.date(2024, 11, 1)), (datetime.date(2024, 12, 1), datetime.date(2025, 1, 1))]
        """
        if self.n_months < 2:
            raise ValueError("a period of one month has no halves")
        split = self.start.year * 12 + self.start.month - 1 + self.n_months // 2

        def month(n: int) -> dt.date:  # n months since the year 0's January
            return dt.date(n // 12, n % 12 + 1, 1)

        return replace(self, end=month(split - 1)), replace(self, start=month(split))

    @property
    def rows(self) -> tuple[str, tuple[str, ...], tuple[int, ...]]:
        """Everything but the period (area, municipalities, categories): the key of figures
        over the whole history, which a change of period alone leaves as they are.

        >>> Filters.year(2024).rows == Filters.year(2025).rows
        True
        """
        return (self.area, self.municipalities, self.categories)

    def previous_year(self) -> Filters:
        """The same period one year earlier (for 'change from last year')."""
        return replace(self, start=add_months(self.start, -12), end=add_months(self.end, -12))


def apply(cube: pl.DataFrame, f: Filters, *, period: bool = True) -> pl.DataFrame:
    """Rows of the enriched cube inside the filters (period optional, for trends).

    One page run asks for the same rows of the same shared cube many times (every figure
    starts here), and copying them is the largest single cost of a run at a million ledger
    lines. The result is therefore remembered per cube object, filters and ``period``
    (:func:`selection`); callers treat it as read-only, as they treat the cube.
    """
    return selection(cube, f, period=period, purchase_only=False)


# The enriched cube is sorted by these columns when it is built (``store.cube.enrich``), so an
# area, a spend class and a month range are one contiguous run of rows: a zero-copy slice.
SORT_ORDER = ("area", "spend_class", "month")


def _blocks(cube: pl.DataFrame) -> list[tuple[str, str, int, int]] | None:
    """(area, spend class, first row, end row) of each block when ``cube`` is laid out in
    :data:`SORT_ORDER` (every block contiguous, months ascending within it); else None.

    >>> cube = pl.DataFrame({"area": ["drift", "drift", "investering"],
    ...     "spend_class": ["purchase"] * 3,
    ...     "month": [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 1, 1)]})
    >>> _blocks(cube)
    [('drift', 'purchase', 0, 2), ('investering', 'purchase', 2, 3)]
    >>> _blocks(cube.reverse()) is None
    True
    """
    if cube.height == 0 or not set(SORT_ORDER) <= set(cube.columns):
        return None
    if cube.select(pl.any_horizontal(pl.col(*SORT_ORDER).is_null().any())).item():
        return None  # the schema forbids nulls here; a hand-built frame is filtered instead
    runs = (
        cube.select(*SORT_ORDER)
        .with_row_index("row")
        .group_by("area", "spend_class", maintain_order=True)
        .agg(
            lo=pl.col("row").min(),
            hi=pl.col("row").max() + 1,
            n=pl.len(),
            ascending=(pl.col("month").diff().fill_null(dt.timedelta(0)) >= dt.timedelta(0)).all(),
        )
    )
    contiguous = (runs["hi"] - runs["lo"] == runs["n"]).all() and runs["ascending"].all()
    keys = list(zip(runs["area"], runs["spend_class"], strict=True))
    if not contiguous or keys != sorted(keys):
        return None
    return [
        (a, c, int(lo), int(hi))
        for a, c, lo, hi in runs.select("area", "spend_class", "lo", "hi").iter_rows()
    ]


def _select(cube: pl.DataFrame, f: Filters, period: bool, purchase_only: bool) -> pl.DataFrame:
    blocks = _layout.get(cube)
    if blocks is None:
        rows = cube
        cond = pl.lit(True)
        if period:
            cond = cond & pl.col("month").is_between(f.start, f.end)
        if f.area != "alle":
            cond = cond & (pl.col("area") == f.area)
        if purchase_only:
            cond = cond & (pl.col("spend_class") == "purchase")
    else:  # slices of the sorted cube: no copy for area, spend class and period
        pieces = []
        for area, spend_class, lo, hi in blocks:
            if (f.area != "alle" and area != f.area) or (
                purchase_only and spend_class != "purchase"
            ):
                continue
            if period:
                months = cube["month"].slice(lo, hi - lo)
                lo, hi = (
                    lo + int(months.search_sorted(f.start, "left")),
                    lo + int(months.search_sorted(f.end, "right")),
                )
            pieces.append(cube.slice(lo, hi - lo))
        rows = pl.concat(pieces, rechunk=False) if pieces else cube.clear()
        cond = pl.lit(True)
    if f.municipalities:
        cond = cond & pl.col("municipality_now").is_in(list(f.municipalities))
    if f.categories:
        ids = list(f.categories)
        cond = cond & (pl.col("category_id").is_in(ids) | pl.col("category_l1_id").is_in(ids))
    return (
        rows if blocks is not None and not (f.municipalities or f.categories) else rows.filter(cond)
    )


class _Layouts:
    """:func:`_blocks` of each shared cube, computed once per cube object (weakly held)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._map: dict[
            int, tuple[weakref.ref[pl.DataFrame], list[tuple[str, str, int, int]] | None]
        ] = {}

    def get(self, cube: pl.DataFrame) -> list[tuple[str, str, int, int]] | None:
        with self._lock:
            held = self._map.get(id(cube))
            if held is not None and held[0]() is cube:
                return held[1]
        blocks = _blocks(cube)
        with self._lock:
            self._map = {k: v for k, v in self._map.items() if v[0]() is not None}
            self._map[id(cube)] = (weakref.ref(cube), blocks)
        return blocks


_layout = _Layouts()


class _Memo:
    """The last filtered selections of shared cubes, at most ``entries`` of them.

    Keyed on the cube's identity (checked through a weak reference, so a freed cube's id that
    Python reuses never returns stale rows), the filters and the selection kind. When a cube is
    freed (a new data version), its selections go with it. A selection that is a slice shares
    the cube's memory; one that had to be filtered (municipalities, categories) is a copy, at
    most a cube's size. Streamlit runs sessions in threads: one lock guards the map; the
    filtering itself runs outside it.
    """

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._dead = False
        self._lock = threading.Lock()
        self._map: OrderedDict[
            tuple[Hashable, ...], tuple[weakref.ref[pl.DataFrame], pl.DataFrame]
        ] = OrderedDict()

    def get(self, key: tuple[Hashable, ...], cube: pl.DataFrame) -> pl.DataFrame | None:
        with self._lock:
            self._purge()
            hit = self._map.get(key)
            if hit is None or hit[0]() is not cube:
                return None
            self._map.move_to_end(key)
            return hit[1]

    def put(self, key: tuple[Hashable, ...], cube: pl.DataFrame, rows: pl.DataFrame) -> None:
        with self._lock:
            self._purge()
            self._map[key] = (weakref.ref(cube, self._freed), rows)
            self._map.move_to_end(key)
            while len(self._map) > self.entries:
                self._map.popitem(last=False)

    def _purge(self) -> None:
        """Drop the selections of cubes freed since the last call (lock held)."""
        if self._dead:
            self._dead = False
            for k in [k for k, v in self._map.items() if v[0]() is None]:
                del self._map[k]

    def _freed(self, _ref: object) -> None:
        """A cube was freed. Runs inside the garbage collector, possibly while this thread
        holds the lock, so it only marks; the next lookup or insert drops the dead entries."""
        self._dead = True

    def clear(self) -> None:
        with self._lock:
            self._map.clear()


_ALL_MONTHS = dt.date(1, 1, 1)

_memo = _Memo(entries=16)
_derived = _Memo(entries=64)  # small frames (a history per filter rows): more of them


def selection(
    cube: pl.DataFrame, f: Filters, *, period: bool = True, purchase_only: bool = False
) -> pl.DataFrame:
    """``apply`` (and with ``purchase_only`` only spend class ``purchase``), remembered.

    >>> cube = pl.DataFrame({"month": [dt.date(2025, 1, 1)] * 2, "spend_class":
    ...     ["purchase", "intra_public"], "municipality_now": ["5038"] * 2,
    ...     "category_id": [1, 1], "category_l1_id": [1, 1], "area": ["drift"] * 2})
    >>> first = selection(cube, Filters.year(2025), purchase_only=True)
    >>> first.height, selection(cube, Filters.year(2025), purchase_only=True) is first
    (1, True)
    """
    if not period:  # the months do not matter: every period shares one selection
        f = replace(f, start=_ALL_MONTHS, end=_ALL_MONTHS)
    key = (id(cube), f, period, purchase_only)
    hit = _memo.get(key, cube)
    if hit is not None:
        return hit
    rows = _select(cube, f, period, purchase_only)
    _memo.put(key, cube, rows)
    return rows


def per_cube(
    cube: pl.DataFrame, key: tuple[Hashable, ...], compute: Callable[[], pl.DataFrame]
) -> pl.DataFrame:
    """A frame derived from ``cube`` alone (not from the filters), computed once per cube object
    and ``key`` and remembered like :func:`selection` (gone with the cube). For figures that
    look at the whole scope whatever the period — Regionalt's list of regional suppliers in use
    was 12–16 ms of every filter change at 1 M lines.

    >>> cube = pl.DataFrame({"x": [1, 2, 3]})
    >>> first = per_cube(cube, ("sum",), lambda: cube.select(pl.col("x").sum()))
    >>> first.item(), per_cube(cube, ("sum",), lambda: pl.DataFrame()) is first
    (6, True)
    """
    full = (id(cube), *key)
    hit = _derived.get(full, cube)
    if hit is not None:
        return hit
    rows = compute()
    _derived.put(full, cube, rows)
    return rows


def forget_selections() -> None:
    """Drop the remembered selections (tests; a process that wants its memory back)."""
    _memo.clear()
    _derived.clear()


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
