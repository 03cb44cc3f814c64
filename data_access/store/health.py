"""Is the database there? One check per app run, so a broken database shows one clear message
instead of errors on some pages and stale figures on others (issue 11), and a restored
database is picked up without restarting the app.

SQLite needs more than a ping: a connection to a deleted file keeps reading the unlinked file
(old data, no error), and opening a missing path would silently create an empty database. So
the file is looked at first: missing → unavailable; replaced (another inode) → the pool is
disposed, so new connections open the restored file. PostgreSQL relies on ``pool_pre_ping``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import sqlalchemy as sa

from data_access.store import schema

log = logging.getLogger(__name__)

_seen: dict[int, tuple[int, int]] = {}  # id(engine) → (st_dev, st_ino) of its SQLite file


class DatabaseUnavailable(RuntimeError):
    """The database cannot be used right now (missing, unreadable, server down)."""


def sqlite_file(engine: sa.Engine) -> Path | None:
    """The file of a file-based SQLite database; None for other databases or in-memory ones."""
    if engine.dialect.name != "sqlite":
        return None
    db = engine.url.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


def check(engine: sa.Engine) -> bool:
    """Raise :class:`DatabaseUnavailable` unless the database answers a real query.

    Returns True when the SQLite file was replaced since the last check (the caller should drop
    cached results: they may come from the old file).
    """
    replaced = False
    path = sqlite_file(engine)
    if path is not None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise DatabaseUnavailable(f"databasefilen {path.name} finnes ikke") from None
        ident = (st.st_dev, st.st_ino)
        before = _seen.get(id(engine))
        if before is not None and before != ident:
            log.warning("database file %s was replaced: reconnecting", path)
            engine.dispose()
            replaced = True
        _seen[id(engine)] = ident
    try:
        with engine.connect() as conn:
            conn.execute(sa.select(schema.app_setting.c.key).limit(1)).all()
    except sa.exc.SQLAlchemyError as exc:
        log.error("database unavailable: %s", exc)
        engine.dispose()  # drop connections that may point at a broken or vanished database
        raise DatabaseUnavailable(str(exc).splitlines()[0]) from exc
    return replaced
