"""Loading many rows into a large table: constraints and indexes built once, not per row.

On PostgreSQL every row ``COPY``-ed into ``ledger_line`` checked four foreign keys (each a
``SELECT … FOR KEY SHARE`` on the referenced row, the same import batch for every line) and
updated four secondary B-trees: measured here, 200 000 lines took 17 s with the foreign keys and
6 s without. For a load that is large compared with what the table holds, dropping the foreign
keys and secondary indexes, loading, and re-creating them (one sorted build and one validating
scan each) is far cheaper. Everything happens in the caller's transaction — PostgreSQL's DDL is
transactional — so a failed import still leaves the table, its indexes and constraints exactly
as they were. Small loads into a large table keep the constraints (re-validating 100 M rows for
a file of 1 000 lines would cost more than it saves).

While such a load runs, ``ledger_line`` is locked exclusively (line-detail reads wait for the
import to commit); dashboards read ``spend_cube`` and cached frames. The table size is
PostgreSQL's own estimate (``pg_class.reltuples``), kept current by autovacuum.

SQLite enforces no foreign keys here, so only its secondary indexes are dropped and rebuilt.
Its DDL is transactional too, but Python's sqlite3 module opens the transaction only at the
first data-changing statement: the indexes are dropped only when a transaction is already open
(both callers write rows first), never as a statement that would commit on its own. With the
four secondary indexes, 190 000 lines into an empty ``ledger_line`` took 10,1 s of CPU with the
indexes maintained per row and 5,5 s loaded bare and indexed afterwards (measured for issue 8).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import sqlalchemy as sa

# Below this many incoming rows the per-row cost is small whatever the table holds.
MIN_ROWS = 50_000
# Rebuild when the load adds at least this share of the rows already stored.
MIN_SHARE = 0.5


def worth_rebuilding(incoming: int, stored: int) -> bool:
    """Whether dropping and re-creating constraints beats maintaining them row by row.

    >>> worth_rebuilding(1_000_000, 0), worth_rebuilding(1_000, 0), worth_rebuilding(60_000, 10**8)
    (True, False, False)
    """
    return incoming >= MIN_ROWS and incoming >= MIN_SHARE * stored


def _estimated_rows(conn: sa.Connection, table: sa.Table) -> int:
    """PostgreSQL's own estimate (no scan); exact enough to choose a strategy. SQLite counts
    (it has no estimate; a count walks the smallest index, milliseconds at a million rows)."""
    if conn.dialect.name == "sqlite":
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)
    n = conn.execute(
        sa.text("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(:t)"),
        {"t": table.name},
    ).scalar()
    return max(int(n or 0), 0)


def _in_transaction(conn: sa.Connection) -> bool:
    """Whether the DBAPI connection has a transaction open (sqlite3 begins one lazily)."""
    return bool(getattr(conn.connection.dbapi_connection, "in_transaction", False))


@contextlib.contextmanager
def bulk_load(conn: sa.Connection, table: sa.Table, incoming: int) -> Iterator[bool]:
    """Within the block, ``table`` has no secondary (non-unique) indexes — and on PostgreSQL
    no foreign keys — when that pays off; they are re-created, exactly as declared in
    ``schema``, when the block ends without error. Yields whether they were dropped."""
    dialect = conn.dialect.name
    if (
        dialect not in ("postgresql", "sqlite")
        or incoming < MIN_ROWS
        or (dialect == "sqlite" and not _in_transaction(conn))
        or not worth_rebuilding(incoming, _estimated_rows(conn, table))
    ):
        yield False
        return
    fks = (
        [c for c in table.constraints if isinstance(c, sa.ForeignKeyConstraint)]
        if dialect == "postgresql"
        else []
    )
    indexes = [i for i in table.indexes if not i.unique]
    for fk in fks:
        conn.execute(sa.schema.DropConstraint(fk))
    for ix in indexes:
        conn.execute(sa.schema.DropIndex(ix))
    yield True
    if dialect == "postgresql":
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")  # sorted index builds
    for ix in indexes:
        conn.execute(sa.schema.CreateIndex(ix))
    for fk in fks:
        conn.execute(sa.schema.AddConstraint(fk))


def refresh_statistics(conn: sa.Connection, tables: Iterable[sa.Table]) -> None:
    """PostgreSQL: ``ANALYZE`` the tables a large load changed, in the caller's transaction.

    The planner's row estimates come from these statistics. Without them, right after a load
    (before autovacuum gets to it, or never where autovacuum is off, as on this project's test
    server), PostgreSQL estimated 1 row where a year of the cube held 33 000 and joined the
    supplier table by a nested loop: the Muligheter breadth query took 2,7 s instead of 0,05 s
    at 1 M lines. ``ANALYZE`` samples a fixed number of rows, so it costs well under a second
    at any size. SQLite plans well enough without statistics here; nothing is done there.
    """
    if conn.dialect.name != "postgresql":
        return
    prep = conn.dialect.identifier_preparer
    conn.exec_driver_sql("ANALYZE " + ", ".join(prep.format_table(t) for t in tables))
