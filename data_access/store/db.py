"""Engine, migrations, bulk loading and the small key/value settings table.

Nothing here imports Streamlit: the app caches ``make_engine`` with ``st.cache_resource`` in one
place (``ui/cache.py``); tests and the CLI call these functions directly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl
import sqlalchemy as sa

from data_access.store import schema, settings

if TYPE_CHECKING:  # alembic is imported only when a migration has to run (see migrate)
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str | None = None) -> sa.Engine:
    """Create an engine for ``url`` (default: the configured ``DATABASE_URL``)."""
    url = url or settings.database_url()
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        # pre-ping: a pooled connection that broke (file corrupted, disk gone) is replaced
        # instead of failing a page (``data_access.store.health`` handles a deleted file).
        engine = sa.create_engine(url, connect_args={"timeout": 60}, pool_pre_ping=True)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file 0600 before SQLite does (it would use the umask, often 0644:
    the password hashes world-readable); its -wal/-shm files inherit the mode."""
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.parent.exists():
        settings.private_file(path)


def alembic_config(engine: sa.Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


_REVISION = re.compile(r"""^(down_)?revision\b[^=]*=\s*['"]?([\w]+)""", re.MULTILINE)


@functools.cache
def head_revision() -> str:
    """The newest migration's id, read from the migration files themselves: the one revision
    no other names as its ``down_revision`` (``tests/test_startup.py`` checks it against
    alembic's own answer)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for down, rev in _REVISION.findall(path.read_text(encoding="utf-8")):
            if rev != "None":
                (parents if down else revisions).add(rev)
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def at_head(engine: sa.Engine) -> bool:
    """Whether the database is already at the newest migration (one small query)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return False
        stored = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    return stored == [head_revision()]


def migrate(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (creates it in an empty database).

    Every server start calls this (through ``bootstrap.initialize``); a database already at the
    newest migration — every start but the first after an upgrade — returns after one query,
    without importing alembic (≈ 0,14 s of the first run's imports, measured with
    ``python -X importtime``)."""
    if at_head(engine):
        return
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


# SQLite binds at most 32 766 parameters per statement (3.32 and newer; a build may set
# fewer, which the connection's own limit tells).
SQLITE_MAX_PARAMS = 32_766


def _sqlite_insert(raw: Any, table: str, df: pl.DataFrame) -> None:
    """Insert ``df`` through a sqlite3 connection as multi-row ``INSERT … VALUES (…), (…)``
    statements of up to :data:`SQLITE_MAX_PARAMS` parameters, each bound from the frame's
    columns at once.

    ``executemany`` with a tuple per row steps and resets the statement once per row and
    builds a Python tuple per row: 955 000 ledger lines (15 columns) took 3,8–4,0 s that way
    and 2,5 s this way, measured side by side on 1 Dec (an ``INSERT … SELECT`` of the same
    rows inside SQLite, the floor, took 0,95 s).
    """
    cols = df.columns
    width = len(cols)
    limit = min(SQLITE_MAX_PARAMS, raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    per = max(1, limit // width)
    quoted = ", ".join(f'"{c}"' for c in cols)
    row = "(" + ", ".join("?" for _ in cols) + ")"
    head = f'INSERT INTO "{table}" ({quoted}) VALUES '
    full = head + ", ".join([row] * per)
    cur = raw.cursor()
    try:
        for start in range(0, df.height, per):
            chunk = df.slice(start, per)
            params: list[Any] = [None] * (width * chunk.height)
            for j, name in enumerate(cols):
                params[j::width] = chunk[name].to_list()
            sql = full if chunk.height == per else head + ", ".join([row] * chunk.height)
            cur.execute(sql, params)
    finally:
        cur.close()


def bulk_insert(conn: sa.Connection, table: sa.Table, df: pl.DataFrame) -> int:
    """Insert a frame whose columns are a subset of ``table``'s, fast on each backend.

    SQLAlchemy's generic executemany costs ≈ 26 s per million rows; the driver's own paths
    (sqlite3 with multi-row statements, PostgreSQL ``COPY``) are an order of magnitude faster.
    Runs inside the caller's transaction, so an import stays all-or-nothing.
    """
    if df.height == 0:
        return 0
    cols = df.columns
    unknown = set(cols) - set(table.c.keys())
    if unknown:
        raise ValueError(f"columns not in {table.name}: {sorted(unknown)}")
    dialect = conn.dialect.name
    if dialect == "sqlite":
        # sqlite3 binds every parameter of every row in Python: a column that is null in every
        # row (often 4–5 of the ledger's 21) is left out of the statement instead, which stores
        # the same NULL at a quarter less binding work. Not when the column has a server default.
        empty = [
            c for c in cols if df[c].null_count() == df.height and table.c[c].server_default is None
        ]
        if empty and len(empty) < len(cols):
            df = df.drop(empty)
            cols = df.columns
        df = df.with_columns(
            [pl.col(c).cast(pl.String) for c, t in df.schema.items() if t in (pl.Date, pl.Datetime)]
        )
        raw = conn.connection.driver_connection
        assert raw is not None
        _sqlite_insert(raw, table.name, df)
    elif dialect == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        quoted = ", ".join(f'"{c}"' for c in cols)
        buf = io.BytesIO()
        df.write_csv(buf, include_header=False, null_value="\\N", quote_style="necessary")
        with (
            raw.cursor() as cur,
            cur.copy(
                f"COPY \"{table.name}\" ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            ) as copy,
        ):
            copy.write(buf.getvalue())
    else:
        conn.execute(table.insert(), df.to_dicts())
    return df.height


@contextlib.contextmanager
def connected(
    conn: sa.Connection | sa.Engine, *, snapshot: bool = False
) -> Iterator[sa.Connection]:
    """A Connection for read functions that take either: an Engine gets a short-lived one,
    a Connection (e.g. inside the caller's transaction) is used as it is. ``snapshot``: the
    new connection reads all its statements from one snapshot on PostgreSQL (``REPEATABLE
    READ``), for a figure built from several statements that an import committing between
    them must not split."""
    if isinstance(conn, sa.Engine):
        with conn.connect() as c:
            if snapshot and c.dialect.name == "postgresql":
                c = c.execution_options(isolation_level="REPEATABLE READ")
            yield c
    else:
        yield conn


T = TypeVar("T")


def side_by_side(engine: sa.Engine, *tasks: Callable[[sa.Connection], T]) -> list[T]:
    """Each task on a connection of its own, at the same time, and every connection reading
    the first one's snapshot (PostgreSQL's ``pg_export_snapshot``; ``REPEATABLE READ``), so
    the parts of one figure that two CPU cores sum apart come from one state of the database,
    as from one statement, even while an import commits. Elsewhere (SQLite) one after the
    other on one connection, in one transaction. The results in the order of ``tasks``."""
    if engine.dialect.name != "postgresql" or len(tasks) < 2:
        with engine.connect() as c:
            return [task(c) for task in tasks]
    with engine.connect() as first:
        first = first.execution_options(isolation_level="REPEATABLE READ")
        snap = first.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()

        def run(task: Callable[[sa.Connection], T]) -> T:
            with engine.connect() as c:
                c = c.execution_options(isolation_level="REPEATABLE READ")
                # The snapshot id is PostgreSQL's own text (hex digits and dashes), bound by
                # nobody: SET TRANSACTION takes no parameters.
                if not re.fullmatch(r"[0-9A-F-]+", str(snap)):
                    raise ValueError(f"unexpected snapshot id {snap!r}")
                c.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snap}'")
                return task(c)

        with ThreadPoolExecutor(
            max_workers=len(tasks) - 1, thread_name_prefix="innsikt-part"
        ) as pool:
            later = [pool.submit(run, t) for t in tasks[1:]]
            head = tasks[0](first)
            return [head, *(f.result() for f in later)]


def _polars_type(t: sa.types.TypeEngine[Any]) -> pl.DataType | None:
    for sa_type, pl_type in (
        (sa.Boolean, pl.Boolean()),
        (sa.Integer, pl.Int64()),
        (sa.Float, pl.Float64()),
        (sa.DateTime, pl.Datetime("us")),
        (sa.Date, pl.Date()),
        (sa.String, pl.String()),
        (sa.Text, pl.String()),
    ):
        if isinstance(t, sa_type):
            return pl_type
    return None


READ_CHUNK = 200_000  # rows turned into a frame at a time


def read_frame(
    conn: sa.Connection | sa.Engine,
    query: sa.Select[Any] | sa.CompoundSelect[Any] | sa.TextClause,
    *,
    large: bool = False,
) -> pl.DataFrame:
    """Run a select and return a Polars frame typed by the statement's columns.

    Typing from the statement (not from the values) keeps an all-null or empty column usable in
    joins, and gives real ``Date`` columns on SQLite, which stores dates as text.

    Rows become columns :data:`READ_CHUNK` at a time, so the driver's Python tuples of a large
    result are never all alive at once. ``large`` (the cube, the largest read; only for
    selects of codes, numbers, dates and flags, not free text): on PostgreSQL the rows come
    as CSV through ``COPY … TO STDOUT`` and are parsed by Polars (:func:`_read_copy`),
    elsewhere the driver hands them over in chunks instead of buffering the whole result.
    Loading a national cube (7,5 M rows, ``bench/national_bench.py``) took 45 s and peaked at
    10,3 GB as one list of tuples; its raw rows now take 4,5 s through ``COPY``.
    """
    if isinstance(conn, sa.Engine):  # the connection must stay open while rows are fetched
        with conn.connect() as c:
            return read_frame(c, query, large=large)
    if large and conn.dialect.name == "postgresql" and isinstance(query, sa.Select):
        return _read_copy(conn, query)
    result = conn.execute(query, execution_options={"stream_results": True} if large else {})
    names = list(result.keys())
    types: dict[str, pl.DataType | None] = dict.fromkeys(names)
    if isinstance(query, sa.Select):
        for name, col in zip(names, query.selected_columns, strict=True):
            types[name] = _polars_type(col.type)
    known = {n: t for n, t in types.items() if t is not None}
    chunks: list[pl.DataFrame] = []
    while rows := result.fetchmany(READ_CHUNK):
        df = pl.DataFrame(
            [tuple(r) for r in rows], schema=names, orient="row", infer_schema_length=None
        )
        chunks.append(
            df.with_columns([pl.col(n).cast(t) for n, t in known.items() if df.schema[n] != t])
        )
    if not chunks:
        return pl.DataFrame(schema={n: (t or pl.Null()) for n, t in types.items()})
    return pl.concat(chunks, how="vertical_relaxed") if len(chunks) > 1 else chunks[0]


_NULL = r"\N"


def _read_copy(conn: sa.Connection, query: sa.Select[Any]) -> pl.DataFrame:
    """A select's rows through PostgreSQL's ``COPY (…) TO STDOUT`` as CSV, parsed by Polars
    with the statement's column types (booleans arrive as ``t``/``f``). The parameters are
    bound by psycopg (COPY takes no server-side parameters); the copy runs on the caller's
    connection, inside its transaction. Not for free text: a value equal to the NULL marker
    would read as null."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    names = [c.name for c in query.selected_columns]
    types = {c.name: _polars_type(c.type) for c in query.selected_columns}
    flags = [n for n, t in types.items() if isinstance(t, pl.Boolean)]
    schema = {n: (pl.String() if n in flags or t is None else t) for n, t in types.items()}
    buf = io.BytesIO()
    raw = conn.connection.driver_connection  # psycopg's own connection (COPY is psycopg's)
    assert raw is not None
    with (
        raw.cursor() as cur,
        cur.copy(
            f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, NULL '{_NULL}')",
            compiled.params,
        ) as copy,
    ):
        for data in copy:
            buf.write(data)
    if buf.tell() == 0:
        return pl.DataFrame(schema={n: (t or pl.Null()) for n, t in types.items()})
    frame = pl.read_csv(
        buf.getvalue(), has_header=False, new_columns=names, schema=schema, null_values=_NULL
    )
    return frame.with_columns([(pl.col(n) == "t").alias(n) for n in flags])


def sync_id_sequences(conn: sa.Connection, tables: Iterable[sa.Table]) -> None:
    """After rows were loaded with explicit ids, move PostgreSQL's id sequences past them.

    COPY with explicit ids does not advance a SERIAL sequence, so the next ordinary insert
    would collide. SQLite needs nothing (it takes max(rowid) + 1).
    """
    if conn.dialect.name != "postgresql":
        return
    for t in tables:
        conn.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{t.name}"), 0) + 1, false)'
            )
        )


def inserted_id(result: sa.CursorResult[Any]) -> int:
    """The primary key of the one row an ``INSERT … VALUES`` just added."""
    key = result.inserted_primary_key
    assert key is not None, "not a single-row insert"
    return int(key[0])


def has_demo_data(conn: sa.Connection) -> bool:
    """Whether demo rows are stored: the UI labels every view "Demodata" while they are."""
    b, lt = schema.import_batch, schema.ledger_line
    q = sa.select(lt.c.id).join(b, b.c.id == lt.c.batch_id).where(b.c.is_demo.is_(True)).limit(1)
    return conn.execute(q).first() is not None


def get_setting(conn: sa.Connection, key: str, default: str | None = None) -> str | None:
    value = conn.execute(
        sa.select(schema.app_setting.c.value).where(schema.app_setting.c.key == key)
    ).scalar()
    return default if value is None else value


def set_setting(conn: sa.Connection, key: str, value: str) -> None:
    t = schema.app_setting
    updated = conn.execute(t.update().where(t.c.key == key).values(value=value)).rowcount
    if not updated:
        conn.execute(t.insert().values(key=key, value=value))


def data_version(engine: sa.Engine) -> int:
    """A counter bumped by every change to ledger, suppliers, categories or agreements.

    Cached analytic frames are keyed on it, so a change is seen on the next rerun.
    """
    with engine.connect() as conn:
        return int(get_setting(conn, "data_version", "0") or 0)


def bump_data_version(conn: sa.Connection) -> int:
    new = int(get_setting(conn, "data_version", "0") or 0) + 1
    set_setting(conn, "data_version", str(new))
    return new


def audit(conn: sa.Connection, username: str, action: str, detail: str | None = None) -> None:
    conn.execute(
        schema.audit_log.insert().values(
            at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            username=username,
            action=action,
            detail=detail,
        )
    )
