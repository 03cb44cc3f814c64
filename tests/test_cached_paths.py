"""Figures that used to re-scan the ledger or reload the cube now come from what is cached
(issue 8, point 2): they must give exactly the figures of the full scans they replace."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access.importing import load_data_quality
from data_access.store import schema
from data_access.store.categories import load_tree
from data_access.store.cube import load_cube
from data_access.store.db import read_frame
from data_access.store.scope import Scope


def test_category_tree_counts_equal_a_count_over_the_ledger(engine: sa.Engine) -> None:
    lt = schema.ledger_line
    with engine.connect() as c:
        tree = load_tree(c)
        truth = read_frame(
            c, sa.select(lt.c.category_id, sa.func.count().label("n")).group_by(lt.c.category_id)
        )
    got = tree.select(category_id="id", n="n_lines").filter(pl.col("n") > 0).sort("category_id")
    assert got["n"].sum() > 0
    assert got.equals(truth.with_columns(pl.col("category_id").cast(pl.Int64)).sort("category_id"))


def test_data_quality_from_the_cached_cube_equals_the_reloaded_one(engine: sa.Engine) -> None:
    for sc in (Scope.everything(), Scope(role="kommune", municipalities=frozenset({"5038"}))):
        cube = load_cube(engine, sc)
        cached, reloaded = load_data_quality(engine, sc, cube=cube), load_data_quality(engine, sc)
        assert cached.lines > 0
        _same(cached, reloaded)


def _same(a, b) -> None:  # type: ignore[no-untyped-def]
    """Field by field: the frame inside the dataclass does not compare with ``==``."""
    for k in a.__dataclass_fields__:
        x, y = getattr(a, k), getattr(b, k)
        if isinstance(x, pl.DataFrame):
            assert x.equals(y), k
        else:
            assert x == y, k
