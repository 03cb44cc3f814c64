"""Gevinster aggregated by the database, for a scope too large to hold as a cube.

The page's figures sum purchases per agreement — per month over the whole history (the
per-year and per-month charts), per municipality in the period (the table, the tiles), and
for loyalty per month, municipality, category and supplier in the agreements' categories —
and take each agreement's category from where most of its matched spend falls over the
whole scope. Each is summed here over every other column of the cube
(:func:`data_access.pushdown.purchase_rows`), named as the cube's rows are, and handed to the
same ``metrics.savings`` and ``metrics.coverage`` functions as :class:`SavingsRows`, so the
figures are the cube's (``tests/test_pushdown_savings.py``, both databases).

The history and the categories read every month of the scope's cube (a seq scan of a
national cube): the app keeps them per data version and filter rows, so a change of period
reads only the period's two sums.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import polars as pl
import sqlalchemy as sa

from data_access.metrics.coverage import agreement_categories
from data_access.metrics.savings import SavingsRows
from data_access.pushdown import purchase_rows, with_filter_keys
from data_access.store.filters import Filters
from data_access.store.scope import Scope

# Filters whose conditions are the scope's alone (every municipality, category and area);
# read with ``period=False``, so the months given here do not matter.
_WHOLE_SCOPE = Filters(dt.date(2000, 1, 1), dt.date(2000, 1, 1), area="alle")
# A category id no category has: loyalty rows for no category (no agreement has one).
_NO_CATEGORY = -1


def history_rows(conn: sa.Connection | sa.Engine, scope: Scope, f: Filters) -> pl.DataFrame:
    """Purchases of every month within ``f``'s other filters, per month and agreement
    (``savings.realized_by_month``; the same for every period)."""
    return purchase_rows(
        conn, scope, f, with_filter_keys(("month", "agreement_id"), f), period=False
    )


def categories(
    conn: sa.Connection | sa.Engine, scope: Scope, agreements: pl.DataFrame
) -> pl.DataFrame:
    """``coverage.agreement_categories`` over the whole scope: the register's category, else
    the one holding most of the agreement's matched purchases (summed per agreement and
    category; the same for every filter)."""
    rows = purchase_rows(conn, scope, _WHOLE_SCOPE, ("agreement_id", "category_id"), period=False)
    return agreement_categories(agreements, rows)


def period_rows(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    f: Filters,
    *,
    history: pl.DataFrame,
    cats: pl.DataFrame,
    suppliers: pl.DataFrame | None = None,
) -> SavingsRows:
    """The period's sums beside the ``history`` and ``cats`` the caller keeps: per
    municipality and agreement, and — for loyalty — per month, municipality, category and
    supplier, read only for the agreements' categories (each row outside them would be
    dropped by the loyalty's join on the category anyway)."""
    period = purchase_rows(
        conn, scope, f, with_filter_keys(("month", "municipality_code", "agreement_id"), f)
    )
    wanted = f
    if not f.categories:  # the filter's own categories are kept as they are (a subset)
        ids = tuple(sorted({int(c) for c in cats["category_id"].to_list()})) or (_NO_CATEGORY,)
        wanted = replace(f, categories=ids)
    loyalty = purchase_rows(
        conn,
        scope,
        wanted,
        ("month", "municipality_code", "category_id", "supplier_id"),
        suppliers=suppliers,
    )
    return SavingsRows(history=history, period=period, loyalty=loyalty, categories=cats)
