"""The SQL both pushdown modules build on: which table a query reads (the rollup or the cube),
the scope and the filters as a ``WHERE``, today's municipality codes, and the scope's purchases
summed per some cube columns (``data_access.pushdown``, ``data_access.pushdown_regional``)."""

from __future__ import annotations

from typing import Any

import polars as pl
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.cube import ROLLUP_DIMS
from data_access.store.db import read_frame
from data_access.store.filters import Filters
from data_access.store.scope import Scope, historical_codes

# What ``spend_rollup`` keeps apart: a query reading only these columns reads the rollup.
ROLLUP_KEYS = frozenset({"month", *ROLLUP_DIMS})


def source(*columns: str) -> sa.Table:
    """``spend_rollup`` when every column a query reads is one of its own, else ``spend_cube``.

    The rollup is the cube summed over supplier, e-handel and agreement, kept with it in one
    transaction (``store.cube.refresh_rollup``): sums over it are the cube's sums, from a
    fifth of the rows in the national bench's random data (1,6 M of 7,5 M); in real ledgers,
    where many suppliers share a month, municipality and category, we expect fewer (not
    measured)."""
    return schema.spend_rollup if set(columns) <= ROLLUP_KEYS else schema.spend_cube


def conditions(
    conn: sa.Connection,
    scope: Scope,
    f: Filters,
    *,
    period: bool = True,
    cube: sa.Table = schema.spend_cube,
) -> list[sa.ColumnElement[bool]]:
    """``metrics.filters.apply`` and the scope, as SQL on ``cube`` (spend_cube or
    spend_rollup; the categories by id, :func:`category_ids`). The municipality
    filter, on today's codes, is applied to the stored codes that map to them, so no query
    joins the municipality table to every row (≈ 0,1 s of a national year's headline:
    0,69–0,80 s with the join, 0,58–0,68 s without, in psql)."""
    cond: list[sa.ColumnElement[bool]] = []
    codes = historical_codes(conn, scope)
    if codes is not None:
        cond.append(cube.c.municipality_code.in_(codes))
    if period:
        cond.append(cube.c.month.between(f.start, f.end))
    if f.municipalities:
        cond.append(cube.c.municipality_code.in_(_stored_codes(conn, f.municipalities)))
    if f.categories:
        cond.append(cube.c.category_id.in_(category_ids(conn, f.categories)))
    if f.area != "alle":
        cond.append(cube.c.area == f.area)
    return cond


def category_ids(conn: sa.Connection, chosen: tuple[int, ...]) -> list[int]:
    """The chosen categories and their sub-categories (the Polars path's ``category_id`` or
    ``category_l1_id`` in the choice), as a list of ids for the cube's own column. Given as a
    condition on the joined category table (``id IN … OR parent_id IN …``) PostgreSQL could
    not estimate it: it expected 45 608 of a national cube's 2,3 M rows for two main
    categories, looked every row's supplier up one at a time and sorted the rows to disk to
    group them — Regionalt's history took 4,4 s in ``EXPLAIN ANALYZE``."""
    c = schema.category
    ids = sorted(chosen)
    return sorted(
        int(i)
        for i in conn.execute(
            sa.select(c.c.id).where(sa.or_(c.c.id.in_(ids), c.c.parent_id.in_(ids)))
        ).scalars()
    )


def category_share(conn: sa.Connection, ids: list[int]) -> float | None:
    """The share of the cube's rows in the categories ``ids`` by PostgreSQL's statistics of
    ``spend_cube.category_id`` (its most common values hold every category while there are
    at most 100 of them): no query of the cube. None elsewhere or without statistics."""
    if conn.dialect.name != "postgresql":
        return None
    row = conn.exec_driver_sql(
        "SELECT most_common_vals::text::int[], most_common_freqs FROM pg_stats "
        "WHERE schemaname = current_schema() AND tablename = 'spend_cube' "
        "AND attname = 'category_id'"
    ).one_or_none()
    if row is None or row[0] is None:
        return None
    chosen = set(ids)
    return float(sum(f for v, f in zip(row[0], row[1], strict=True) if v in chosen))


def _stored_codes(conn: sa.Connection, today: tuple[str, ...]) -> list[str]:
    """The stored municipality codes whose today's code is one of ``today`` (the join on
    ``municipality.current_code`` the Polars path makes, as a list)."""
    m = schema.municipality
    return sorted(
        conn.execute(sa.select(m.c.code).where(m.c.current_code.in_(sorted(today)))).scalars()
    )


def moved_codes(conn: sa.Connection) -> dict[str, str]:
    """The stored municipality codes that are not today's, each with today's (the merged
    and renumbered ones: a handful)."""
    m = schema.municipality
    rows = conn.execute(sa.select(m.c.code, m.c.current_code).where(m.c.code != m.c.current_code))
    return {str(code): str(now) for code, now in rows}


def today_code(conn: sa.Connection, stored: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """Today's code of the buying municipality as SQL on its stored code: the stored code
    itself except for the few merged ones, named in a ``CASE`` (no join to every row)."""
    moved = moved_codes(conn)
    return sa.case(moved, value=stored, else_=stored) if moved else stored


def as_today(rows: pl.DataFrame, moved: dict[str, str], sums: list[str]) -> pl.DataFrame:
    """``rows`` summed per stored ``municipality_code`` (and the other columns but ``sums``),
    as summed per today's code: the codes mapped by ``moved`` (:func:`moved_codes`), and the
    rows that then share every key — a merged municipality's old codes — added up. Grouped
    again only when a moved code is among them.

    For a large grouping this beats :func:`today_code` in the statement: PostgreSQL then
    evaluates the ``CASE`` for every row it hashes (the threshold watch's national year,
    two statements side by side in psql, four runs: 2,85–3,45 s with it, 2,36–2,85 s
    grouped by the stored code).

    >>> rows = pl.DataFrame({"municipality_code": ["5004", "5039", "5038"], "ore": [1, 2, 4]})
    >>> as_today(rows, {"5004": "5006", "5039": "5006"}, ["ore"]).sort("ore").rows()
    [('5006', 3), ('5038', 4)]
    """
    code = pl.col("municipality_code")
    if not moved or not rows["municipality_code"].is_in(list(moved)).any():
        return rows
    keys = [c for c in rows.columns if c not in sums]
    return (
        rows.with_columns(code.replace(moved))
        .group_by(keys)
        .agg(pl.col(c).sum() for c in sums)
        .select(rows.columns)
    )


def today_codes(conn: sa.Connection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every stored municipality code with today's (``municipality_code`` →
    ``municipality_now``), and today's codes with their names — as ``store.cube.enrich`` maps
    the cube's rows, for sums the database made per stored code."""
    m = schema.municipality
    munis = read_frame(conn, sa.select(m.c.code, m.c.current_code, m.c.name))
    now = munis.select(municipality_code="code", municipality_now="current_code")
    names = munis.filter(pl.col("code") == pl.col("current_code")).select(
        municipality_now="code", municipality_name="name"
    )
    return now, names


def summed_select(
    conn: sa.Connection,
    scope: Scope,
    f: Filters | None,
    keys: tuple[str, ...],
    *,
    period: bool = True,
    matched: bool | None = None,
) -> sa.Select[Any]:
    """The statement behind :func:`purchase_rows` and :func:`scope_rows`: Σ ``amount_ore`` and
    ``n_lines`` per ``keys`` (cube columns; the rollup when they are its own) of the scope's
    purchases within ``f`` (every month with ``period=False``) — or of every row in the scope
    when ``f`` is None. ``matched``: only rows matched to an agreement (True) or only those
    matched to none (False), read from the cube; None: every row.
    Hashed sums, for a caller to read or to build on (``pushdown_regional``)."""
    cube = source(*keys, *(("agreement_id",) if matched is not None else ()))
    cols = [cube.c[k] for k in keys]
    q = sa.select(
        *cols,
        sa.func.sum(cube.c.amount_ore).label("amount_ore"),
        sa.func.sum(cube.c.n_lines).label("n_lines"),
    ).select_from(cube)
    if f is None:
        codes = historical_codes(conn, scope)
        if codes is not None:
            q = q.where(cube.c.municipality_code.in_(codes))
    else:
        q = q.where(
            *conditions(conn, scope, f, period=period, cube=cube),
            cube.c.spend_class == "purchase",
        )
    if matched is not None:
        q = q.where(cube.c.agreement_id.is_not(None) if matched else cube.c.agreement_id.is_(None))
    return q.group_by(*cols)


def member_codes(conn: sa.Connection) -> list[str]:
    """Today's codes of the members, as ``store.cube.enrich_from`` takes them (the
    municipality table's ``is_member``)."""
    mu = schema.municipality
    return sorted(
        set(conn.execute(sa.select(mu.c.current_code).where(mu.c.is_member.is_(True))).scalars())
    )


def values_cte(frame: pl.DataFrame, name: str) -> sa.CTE:
    """``frame``'s rows as ``WITH name AS (SELECT … FROM (VALUES …))``, its columns named as
    the frame's, written by Polars: SQLAlchemy's literal rendering of 22 379 rows took 1,5 s,
    longer than the query using them. Only integers, dates and four-digit municipality codes
    from our own tables may go in (anything else, or a missing value, is refused); both
    databases name a ``VALUES`` list's columns column1, column2, … PostgreSQL types the
    dates as text: compare them through :func:`as_date`.

    >>> cte = values_cte(pl.DataFrame({"ag": [7], "code": ["5038"]}), "k")
    >>> str(cte.element).split(" FROM ")[1]
    "(VALUES (7, '5038')) AS v"
    """
    texts: list[pl.Expr] = []
    columns: list[sa.ColumnClause[Any]] = []
    for col, dtype in frame.schema.items():
        if frame[col].null_count():
            raise ValueError(f"values_cte: a missing value in {col}")
        if dtype.is_integer():
            texts.append(pl.col(col).cast(pl.Int64).cast(pl.String))
            columns.append(sa.column(col, sa.Integer))
        elif dtype == pl.Date:
            texts.append(pl.format("'{}'", pl.col(col).dt.strftime("%Y-%m-%d")))
            columns.append(sa.column(col, sa.Date))
        elif dtype == pl.String and frame[col].str.contains(r"^[0-9]{4}$").all():
            texts.append(pl.format("'{}'", pl.col(col)))
            columns.append(sa.column(col, sa.String))
        else:
            raise ValueError(f"values_cte: {col} is not integers, dates or municipality codes")
    row = "(" + ", ".join(["{}"] * len(texts)) + ")"
    body = frame.select(pl.format(row, *texts))[:, 0].str.join(", ")[0]
    named = ", ".join(f"column{i} AS {col}" for i, col in enumerate(frame.columns, 1))
    return sa.text(f"SELECT {named} FROM (VALUES {body}) AS v").columns(*columns).cte(name)


def as_date(conn: sa.Connection, column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A date column of :func:`values_cte` as a date: PostgreSQL types the list's date
    literals as text; SQLite stores dates as that text (its ``CAST AS DATE`` would make
    them numbers)."""
    return sa.cast(column, sa.Date) if conn.dialect.name == "postgresql" else column
