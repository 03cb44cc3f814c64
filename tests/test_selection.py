"""``filters.selection``: the rows of the cube inside the filters, identical (rows and order) to
a plain ``cube.filter`` — taken as zero-copy slices when the cube is in ``SORT_ORDER`` — and
remembered per cube object without keeping a freed cube's selections."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import random

import polars as pl
import pytest

from data_access.store import filters
from data_access.store.filters import SORT_ORDER, Filters, selection


def _cube(n: int, seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    months = [dt.date(2023 + i // 12, i % 12 + 1, 1) for i in range(36)]
    return pl.DataFrame(
        {
            "month": [rng.choice(months) for _ in range(n)],
            "area": [rng.choice(["drift", "investering"]) for _ in range(n)],
            "spend_class": [rng.choice(["purchase", "intra_public"]) for _ in range(n)],
            "municipality_now": [rng.choice(["5006", "5037", "5038"]) for _ in range(n)],
            "category_id": [rng.randint(10, 14) for _ in range(n)],
            "category_l1_id": [rng.randint(1, 2) for _ in range(n)],
            "amount": [rng.uniform(-100, 1000) for _ in range(n)],
        }
    )


def _plain(cube: pl.DataFrame, f: Filters, period: bool, purchase_only: bool) -> pl.DataFrame:
    cond = pl.lit(True)
    if period:
        cond &= pl.col("month").is_between(f.start, f.end)
    if f.municipalities:
        cond &= pl.col("municipality_now").is_in(list(f.municipalities))
    if f.categories:
        ids = list(f.categories)
        cond &= pl.col("category_id").is_in(ids) | pl.col("category_l1_id").is_in(ids)
    if f.area != "alle":
        cond &= pl.col("area") == f.area
    if purchase_only:
        cond &= pl.col("spend_class") == "purchase"
    return cube.filter(cond)


FILTERS = [
    Filters.year(2024),
    Filters(dt.date(2023, 11, 1), dt.date(2024, 2, 1), ("5038",)),
    Filters.year(2025, categories=(1, 12), area="investering"),
    Filters(dt.date(2020, 1, 1), dt.date(2030, 12, 1), area="alle"),
    Filters.year(2019),  # no rows
]


@pytest.mark.parametrize("sort", [True, False])
def test_selection_equals_a_plain_filter(sort: bool) -> None:
    cube = _cube(3_000, seed=11)
    if sort:
        cube = cube.sort(SORT_ORDER, maintain_order=True)
    assert (filters._blocks(cube) is not None) == sort  # the fast path is taken when sorted
    for f, period, purchase_only in itertools.product(FILTERS, (True, False), (True, False)):
        got = selection(cube, f, period=period, purchase_only=purchase_only)
        assert got.equals(_plain(cube, f, period, purchase_only)), (f, period, purchase_only)


def test_nulls_in_the_sort_columns_take_the_plain_path() -> None:
    cube = (
        _cube(200, seed=3)
        .sort(SORT_ORDER)
        .with_columns(
            month=pl.when(pl.int_range(pl.len()) == 5).then(None).otherwise(pl.col("month"))
        )
    )
    assert filters._blocks(cube) is None
    f = Filters.year(2024)
    assert selection(cube, f).equals(_plain(cube, f, True, False))


def test_a_selection_is_remembered_and_forgotten_with_its_cube() -> None:
    filters.forget_selections()
    cube = _cube(500, seed=5).sort(SORT_ORDER)
    f = Filters.year(2024, municipalities=("5037",))
    first = selection(cube, f, purchase_only=True)
    assert selection(cube, f, purchase_only=True) is first
    # every period of a timeline (period=False) shares one selection
    assert selection(cube, Filters.year(2023), period=False) is selection(
        cube, Filters.year(2025), period=False
    )
    assert len(filters._memo._map) > 0
    del cube, first
    gc.collect()
    selection(_cube(10, seed=1), Filters.year(2024))  # the next lookup drops the dead ones
    assert len(filters._memo._map) == 1
    filters.forget_selections()
