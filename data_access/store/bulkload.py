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

Dropping an index or a constraint needs the privileges of the table's owner. The least-privilege
app role of SECURITY.md does not own the tables: it then loads with the constraints in place
(slower, same result) instead of failing the import with "must be owner of table", and may not
``ANALYZE`` either (``refresh_statistics`` says so in the log).

SQLite enforces no foreign keys here, so only its secondary indexes are dropped and rebuilt.
Its DDL is transactional too, but Python's sqlite3 module opens the transaction only at the
first data-changing statement: the indexes are dropped only when a transaction is already open
(both callers write rows first), never as a statement that would commit on its own. With the
four secondary indexes, 190 000 lines into an empty ``ledger_line`` took 10,1 s of CPU with the
indexes maintained per row and 5,5 s loaded bare and indexed afterwards (measured for issue 8).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator

import sqlalchemy as sa

log = logging.getLogger(__name__)

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


def _owns(conn: sa.Connection, table: sa.Table) -> bool:
    """PostgreSQL: whether the current role has its owner's privileges over ``table`` (is the
    owner, a member of it, or a superuser), which dropping its indexes and constraints needs."""
    return bool(
        conn.execute(
            sa.text(
                "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(:t)"
            ),
            {"t": table.name},
        ).scalar()
    )


def _in_transaction(conn: sa.Connection) -> bool:
    """Whether the DBAPI connection has a transaction open (sqlite3 begins one lazily)."""
    return bool(getattr(conn.connection.dbapi_connection, "in_transaction", False))


@contextlib.contextmanager
def bulk_load(conn: sa.Connection, table: sa.Table, incoming: int) -> Iterator[bool]:
    """Within the block, ``table`` has no secondary (non-unique) indexes — and on PostgreSQL
    no foreign keys — when that pays off; they are re-created, exactly as declared in
    ``schema``, when the block ends without error. Yields whether the load is large against
    what is stored (statistics then need a refresh): on PostgreSQL a role that does not own
    the table keeps them in place even then."""
    dialect = conn.dialect.name
    if (
        dialect not in ("postgresql", "sqlite")
        or incoming < MIN_ROWS
        or (dialect == "sqlite" and not _in_transaction(conn))
        or not worth_rebuilding(incoming, _estimated_rows(conn, table))
    ):
        yield False
        return
    if dialect == "postgresql" and not _owns(conn, table):
        log.info("%s: not its owner, constraints kept during the load (SECURITY.md)", table.name)
        yield True  # still a large load: the caller refreshes (or reports) the statistics
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


def refresh_statistics(conn: sa.Connection, tables: Iterable[sa.Table]) -> list[str]:
    """PostgreSQL: ``ANALYZE`` the tables a large load changed, in the caller's transaction.
    Returns the tables it was not allowed to analyze (logged as a warning).

    The planner's row estimates come from these statistics. Without them, right after a load
    (before autovacuum gets to it, or never where autovacuum is off, as on this project's test
    server), PostgreSQL estimated 1 row where a year of the cube held 33 000 and joined the
    supplier table by a nested loop: the Muligheter breadth query took 2,7 s instead of 0,05 s
    at 1 M lines. ``ANALYZE`` samples a fixed number of rows, so it costs well under a second
    at any size. SQLite plans well enough without statistics here; nothing is done there.

    Up to PostgreSQL 16 only the table's owner or the database's owner (or a superuser) may
    analyze it; 17 adds the ``MAINTAIN`` privilege. Anyone else's ``ANALYZE`` "succeeds" with
    only a ``WARNING: skipping … --- only table or database owner can analyze it`` (15's
    wording) and leaves the statistics as they were. The least-privilege app role of
    SECURITY.md owns nothing, so the tables it may not analyze are named here instead, and
    left to autovacuum or to an ``ANALYZE`` run by the owner (SECURITY.md says which).
    """
    if conn.dialect.name != "postgresql":
        return []
    tables = list(tables)
    may = "pg_has_role(c.relowner, 'USAGE') OR pg_has_role(d.datdba, 'USAGE')"
    if (conn.dialect.server_version_info or (0,)) >= (17,):
        may += " OR has_table_privilege(c.oid, 'MAINTAIN')"
    rows = conn.execute(
        sa.text(
            f"SELECT t.name, {may} FROM unnest(CAST(:names AS text[])) AS t(name) "
            "JOIN pg_class c ON c.oid = to_regclass(t.name) "
            "JOIN pg_database d ON d.datname = current_database()"
        ),
        {"names": [t.name for t in tables]},
    )
    allowed = {str(name): bool(ok) for name, ok in rows}
    mine = [t for t in tables if allowed.get(t.name)]
    skipped = [t.name for t in tables if not allowed.get(t.name)]
    if mine:
        prep = conn.dialect.identifier_preparer
        conn.exec_driver_sql("ANALYZE " + ", ".join(prep.format_table(t) for t in mine))
    if skipped:
        log.warning(
            "ANALYZE skipped for %s: this database role may not analyze them (only the "
            "table's or the database's owner may; PostgreSQL 17: GRANT MAINTAIN). Queries are "
            "planned on old statistics until autovacuum analyzes them or the owner runs "
            "ANALYZE (SECURITY.md).",
            ", ".join(skipped),
        )
    return skipped
