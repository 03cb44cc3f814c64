"""Reads of the category tree and the classification rules (PRODUCT.md §3.4).

One home for them because two packages need the same rows: the admin pages edit the tree and
the rules (``data_access.admin.categories``), and the import pipeline and re-classification
apply them (``data_access.importing``). Both sit on the store, so the readers live here.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import read_frame
from data_access.store.reference import UNCLASSIFIED


def load_tree(conn: sa.Connection | sa.Engine) -> pl.DataFrame:
    """Leaf categories with their level-1 name: id, level1, level2, n_lines.

    The line counts come from ``spend_rollup`` (Σ ``n_lines`` per category), not from grouping
    the whole ledger: the cube and its rollup are rebuilt in the same transaction as every
    change to the lines' categories (import, re-classification), so the counts are the same at a
    fraction of the cost.
    """
    c, p, cube = schema.category, schema.category.alias("p"), schema.spend_rollup
    used = (
        sa.select(cube.c.category_id, sa.func.sum(cube.c.n_lines).label("n"))
        .group_by(cube.c.category_id)
        .subquery()
    )
    return read_frame(
        conn,
        sa.select(
            c.c.id,
            p.c.name.label("level1"),
            c.c.name.label("level2"),
            sa.func.coalesce(used.c.n, 0).label("n_lines"),
        )
        .join(p, c.c.parent_id == p.c.id)
        .outerjoin(used, used.c.category_id == c.c.id)
        .order_by(p.c.sort, c.c.sort),
    )


def unclassified_id(conn: sa.Connection) -> int:
    """The id of the "Uklassifisert" leaf, where a line no rule matches goes."""
    c = schema.category
    cid = conn.execute(
        sa.select(c.c.id).where(c.c.name == UNCLASSIFIED, c.c.parent_id.is_not(None))
    ).scalar()
    if cid is None:
        raise LookupError("category tree has no 'Uklassifisert' leaf")
    return int(cid)


def _rules(*columns: sa.ColumnElement[object]) -> sa.Select[tuple[object, ...]]:
    """The rules in the order they are tried (priority, then id): what a rule matches on,
    followed by ``columns``."""
    r = schema.category_rule
    return sa.select(
        r.c.id, r.c.kind, r.c.supplier_key, r.c.art_from, r.c.art_to, r.c.nace_prefix, *columns
    ).order_by(r.c.priority, r.c.id)


def load_rules(conn: sa.Connection) -> pl.DataFrame:
    """The rules as ``importing.classify.classify`` applies them (with ``category_id``)."""
    r = schema.category_rule
    return read_frame(conn, _rules(r.c.category_id, r.c.priority))


def load_rules_table(conn: sa.Connection | sa.Engine) -> pl.DataFrame:
    """Rules with the category shown as 'Nivå 1 › Nivå 2' for editing."""
    r, c, p = schema.category_rule, schema.category, schema.category.alias("p")
    label = (p.c.name + " › " + c.c.name).label("category")
    return read_frame(
        conn,
        _rules(label, r.c.priority, r.c.note)
        .join(c, c.c.id == r.c.category_id)
        .join(p, p.c.id == c.c.parent_id),
    )
