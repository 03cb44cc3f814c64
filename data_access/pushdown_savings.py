"""Gevinster aggregated by the database, for a scope too large to hold as a cube.

The page's figures sum purchases per agreement: per month over the whole history (the
per-year and per-month charts), per municipality in the period (the table, the tiles), and
for loyalty per agreement and whether the supplier is one of its parties, over the cube rows
in the agreement's category, participating municipalities and active months. The first two
are the cube summed over every other column (:func:`data_access.pushdown.purchase_rows`, with
the month and the columns the filters select on among the keys); loyalty is one joined
statement (:func:`loyalty_rows`) — summed per supplier first it would be almost the cube
itself (656 634 rows for a national year in the bench, 2,8 s). Each agreement's category is
the register's, else the one holding most of its matched purchases over the whole scope
(:func:`categories`). The same ``metrics.savings`` and ``metrics.coverage`` functions finish
them as :class:`SavingsRows`, so the figures are the cube's
(``tests/test_pushdown_savings.py``, both databases).

The history and the categories read every month of the scope's cube (a seq scan of a
national cube): the app keeps them per data version and filter rows, so a change of period
reads only the period's two statements.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa

from data_access.metrics.coverage import LOYALTY_ROWS, agreement_categories
from data_access.metrics.savings import SavingsRows
from data_access.pushdown import agreement_sums, by_agreement, purchase_rows, with_filter_keys
from data_access.pushdown_sql import as_date, conditions, values_cte
from data_access.store import schema
from data_access.store.agreements import load_agreements, load_parties
from data_access.store.cube import load_categories
from data_access.store.db import connected, read_frame
from data_access.store.filters import Filters
from data_access.store.scope import Scope

# Filters whose conditions are the scope's alone (every municipality, category and area);
# read with ``period=False``, so the months given here do not matter.
_WHOLE_SCOPE = Filters(dt.date(2000, 1, 1), dt.date(2000, 1, 1), area="alle")


def history_rows(conn: sa.Connection | sa.Engine, scope: Scope, f: Filters) -> pl.DataFrame:
    """Purchases of every month within ``f``'s other filters, per month and agreement
    (``savings.realized_by_month``; the same for every period)."""
    return by_agreement(conn, scope, f, with_filter_keys(("month",), f), period=False)


def categories(
    conn: sa.Connection | sa.Engine, scope: Scope, agreements: pl.DataFrame
) -> pl.DataFrame:
    """``coverage.agreement_categories`` over the whole scope: the register's category, else
    the one holding most of the agreement's matched purchases (summed per agreement and
    category; the same for every filter)."""
    rows = purchase_rows(
        conn, scope, _WHOLE_SCOPE, ("agreement_id", "category_id"), period=False, matched=True
    )
    return agreement_categories(agreements, rows)


def active_cells(conn: sa.Connection, cats: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """(ag, category_id, code, first, last): each agreement's category, each stored
    municipality code whose today's code takes part in it, and its first and last month —
    ``coverage._active_cells`` before the months are spelled out (the database compares
    each row's month with the term) — for the agreements active in ``f``'s period."""
    m = schema.municipality
    _parties, participants = load_parties(conn)
    stored = read_frame(conn, sa.select(m.c.code, m.c.current_code))
    return (
        load_agreements(conn)
        .select(
            ag=pl.col("id").cast(pl.Int64),
            first=pl.col("start").dt.truncate("1mo"),
            last=pl.col("end"),
        )
        .join(
            cats.select(ag=pl.col("agreement_id").cast(pl.Int64), category_id="category_id"),
            on="ag",
        )
        .join(
            participants.select(
                ag=pl.col("agreement_id").cast(pl.Int64), current_code="municipality_code"
            ),
            on="ag",
        )
        .filter(pl.col("first") <= f.end, pl.col("last") >= f.start)
        .join(stored, on="current_code")
        .select("ag", pl.col("category_id").cast(pl.Int64), "code", "first", "last")
        .sort("ag", "code")
    )


def loyalty_rows(
    conn: sa.Connection | sa.Engine, scope: Scope, f: Filters, cats: pl.DataFrame
) -> pl.DataFrame:
    """``coverage.loyalty_of``'s rows — ag, category_id, category, party, amount — summed by
    the database: the purchases within the scope and ``f`` in each agreement's category
    (``cats``), in a month it is active on any day and bought by a participating
    municipality, per agreement, category and whether the row's supplier (its organisation
    number) is one of the agreement's parties — as ``coverage._loyalty_rows`` tags the cube's
    rows. The cells (:func:`active_cells`) travel as a literal ``VALUES`` list
    (``pushdown_sql.values_cte``) joined to the cube on its own columns: joined to the
    agreements' categories first, PostgreSQL multiplied a national year's rows by the
    agreements sharing a category and took 58–133 s."""
    with connected(conn) as cn:
        cells = active_cells(cn, cats, f)
        if cells.height == 0:
            return pl.DataFrame(schema=LOYALTY_ROWS)
        k = values_cte(
            cells.rename({"first": "first_month", "last": "last_day"}).select(
                "ag", "category_id", "code", "first_month", "last_day"
            ),
            "k",
        )
        if isinstance(conn, sa.Engine):  # a connection of our own: settings for its query
            tune_joins(cn)
        sums = read_frame(cn, _loyalty_select(cn, scope, f, k))
        names = load_categories(cn)
    return (
        sums.with_columns(pl.col("ag").cast(pl.Int64), pl.col("category_id").cast(pl.Int64))
        .join(
            names.select(pl.col("category_id").cast(pl.Int64), "category"),
            on="category_id",
            how="left",
        )
        .select(
            "ag",
            "category_id",
            "category",
            (pl.col("amount_ore").cast(pl.Float64) / 100.0).alias("amount"),
            pl.col("party").cast(pl.Boolean),
        )
    )


def tune_joins(conn: sa.Connection) -> None:
    """PostgreSQL, for the rest of the transaction: hash joins and a hashed aggregate in
    memory, no JIT. The planner cannot estimate the join with the ``VALUES`` list (it guessed
    2 rows where a national year gives 821 864), so it looked each row's supplier up by index
    and sorted the rows to disk to group them: ``EXPLAIN ANALYZE`` 3,3 s with the defaults,
    1,6 s with these, 1,1 s with them and only the period's agreements' cells (the hash
    tables: 9 499 cells, 60 000 suppliers, 4 082 groups)."""
    if conn.dialect.name == "postgresql":
        for setting in ("work_mem = '64MB'", "enable_nestloop = off", "enable_sort = off"):
            conn.exec_driver_sql(f"SET LOCAL {setting}")
        conn.exec_driver_sql("SET LOCAL jit = off")


def _loyalty_select(
    conn: sa.Connection, scope: Scope, f: Filters, k: sa.CTE
) -> sa.Select[tuple[int, int, bool, int]]:
    """Σ øre per agreement, category and party of the cube rows in the cells ``k``, within
    the scope's and ``f``'s conditions."""
    cube = schema.spend_cube
    sup, s = schema.agreement_supplier, schema.supplier
    party = sup.c.agreement_id.is_not(None)
    q = (
        sa.select(
            k.c.ag,
            k.c.category_id,
            party.label("party"),
            sa.func.sum(cube.c.amount_ore).label("amount_ore"),
        )
        .select_from(cube)
        .join(
            k,
            sa.and_(k.c.category_id == cube.c.category_id, k.c.code == cube.c.municipality_code),
        )
        .outerjoin(s, s.c.id == cube.c.supplier_id)  # as enrich's left join: party False
        .outerjoin(sup, sa.and_(sup.c.agreement_id == k.c.ag, sup.c.orgnr == s.c.orgnr))
    )
    first, last = as_date(conn, k.c.first_month), as_date(conn, k.c.last_day)
    return q.where(
        *conditions(conn, scope, f),
        cube.c.spend_class == "purchase",
        cube.c.month >= first,
        cube.c.month <= last,
    ).group_by(k.c.ag, k.c.category_id, party)


def savings_rows(
    conn: sa.Connection | sa.Engine, scope: Scope, f: Filters, agreements: pl.DataFrame
) -> SavingsRows:
    """Everything Gevinster computes on, one statement after the other (the app reads them
    side by side and keeps the history and the categories: ``ui.context.savings_rows``)."""
    with connected(conn) as cn:
        return SavingsRows(
            history=history_rows(cn, scope, f),
            period=agreement_sums(cn, scope, f),
            loyalty=loyalty_rows(cn, scope, f, categories(cn, scope, agreements)),
        )
