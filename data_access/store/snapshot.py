"""A columnar snapshot of the enriched cube per data version, and the cube warm in memory.

Reading the cube from SQLite and enriching it costs seconds at a million ledger lines (≈ 2,7 s,
README "Performance"); every server start paid it again before the first page could draw. Now
the full, enriched cube of a data version is written once to an Arrow IPC file in the data
folder and read back in one call on the next start. A snapshot is used only when
its metadata matches the database it describes (its URL, data version and a cheap fingerprint
of ``spend_cube``); a stale, foreign or corrupt file is ignored and replaced.

The process keeps the full cube of the current data version in memory (one object, shared
read-only by every session and role; Polars frames are immutable) and hands out scoped views:
rows of the user's municipalities only, filtered here in ``data_access`` so a kommune user never
receives another municipality's rows. :func:`start_warming` loads it in a background thread as
soon as the engine exists, so the login form is not kept waiting.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import polars as pl

# pyarrow is imported here, at import time in the main thread, never first inside the warming
# thread: Streamlit imports it too, and two threads importing it at once can see it
# half-initialised (seen: "partially initialized module 'pyarrow.ipc'" on the login page).
import pyarrow as pa
import pyarrow.ipc as ipc
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.cube import load_cube
from data_access.store.db import get_setting
from data_access.store.scope import Scope, historical_codes

log = logging.getLogger(__name__)

# Bump when the enriched cube's columns or row order change: older snapshots are then ignored.
# 2: rows sorted by filters.SORT_ORDER (issue 8).
FORMAT = 2
PREFIX = "cube-"


@dataclass(frozen=True)
class Stamp:
    """What a snapshot must match to be used: the database, its data version, the cube."""

    database: str
    version: int
    cube_rows: int
    cube_lines: int
    cube_ore: int
    format: int = FORMAT

    def as_metadata(self) -> dict[str, str]:
        return {"innsikt_stamp": json.dumps(self.__dict__, sort_keys=True)}


def database_key(engine: sa.Engine) -> str:
    """A short, password-free name for the database (snapshots of two databases never mix)."""
    url = engine.url.render_as_string(hide_password=True)
    return hashlib.sha256(url.encode()).hexdigest()[:12]


def current_stamp(conn: sa.Connection, database: str) -> Stamp:
    """The stamp of the database as it is now: one small query on ``spend_cube``."""
    c = schema.spend_cube
    rows, lines, ore = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(c.c.n_lines), 0),
            sa.func.coalesce(sa.func.sum(c.c.amount_ore), 0),
        )
    ).one()
    version = int(get_setting(conn, "data_version", "0") or 0)
    return Stamp(database, version, int(rows), int(lines), int(ore))


def snapshot_path(folder: Path, stamp: Stamp) -> Path:
    return folder / f"{PREFIX}{stamp.database}-v{stamp.version}.arrow"


def read_snapshot(path: Path, stamp: Stamp) -> pl.DataFrame | None:
    """The snapshot at ``path`` if it exists, is readable and matches ``stamp``; else None."""
    if not path.exists():
        return None
    try:
        with ipc.open_file(str(path)) as reader:
            meta = reader.schema.metadata or {}
        found = json.loads(meta.get(b"innsikt_stamp", b"{}"))
        if found != json.loads(stamp.as_metadata()["innsikt_stamp"]):
            log.info("snapshot %s is stale (%s), ignored", path.name, found)
            return None
        return pl.read_ipc(path)  # one call; the file is uncompressed Arrow
    except Exception as exc:  # a truncated or foreign file: rebuild, never fail the app
        log.warning("snapshot %s unreadable (%s), ignored", path.name, exc)
        return None


def write_snapshot(path: Path, cube: pl.DataFrame, stamp: Stamp) -> None:
    """Write atomically (temporary file, then rename), then remove this database's older ones."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = cube.to_arrow()
    table = table.replace_schema_metadata(stamp.as_metadata())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with pa.OSFile(str(tmp), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    os.replace(tmp, path)
    for old in path.parent.glob(f"{PREFIX}{stamp.database}-v*.arrow"):
        if old != path:
            old.unlink(missing_ok=True)


# --- the cube kept warm in this process ------------------------------------------------------

_lock = threading.Lock()
_warm: dict[str, tuple[Stamp, pl.DataFrame]] = {}


def full_cube(engine: sa.Engine, folder: Path | None) -> pl.DataFrame:
    """The full enriched cube of the database's current data version: from memory, else from
    the snapshot in ``folder``, else built from SQL (and then snapshotted).

    One object per database and version is kept (the previous version is dropped), so every
    scope is served from the same frame.
    """
    key = database_key(engine)
    with engine.connect() as conn:
        version = int(get_setting(conn, "data_version", "0") or 0)
    held = _warm.get(key)
    if held is not None and held[0].version == version:  # in this process the version suffices
        return held[1]
    with _lock:  # one loader at a time; the others then find it in memory
        held = _warm.get(key)
        if held is not None and held[0].version == version:
            return held[1]
        with engine.connect() as conn:
            stamp = current_stamp(conn, key)
        path = snapshot_path(folder, stamp) if folder is not None else None
        cube = read_snapshot(path, stamp) if path is not None else None
        if cube is None:
            cube = load_cube(engine, Scope.everything())
            if path is not None:
                try:
                    write_snapshot(path, cube, stamp)
                except OSError as exc:  # a read-only data folder still serves the app
                    log.warning("could not write snapshot %s: %s", path, exc)
        _warm[key] = (stamp, cube)
        return cube


def scoped_cube(engine: sa.Engine, scope: Scope, folder: Path | None) -> pl.DataFrame:
    """The enriched cube rows ``scope`` may see (the same rows as ``cube.load_cube``).

    Everything-scopes get the shared full frame itself; a kommune scope gets a filtered copy
    holding only rows of its municipalities' historical codes.
    """
    cube = full_cube(engine, folder)
    if scope.municipalities is None:
        return cube
    with engine.connect() as conn:
        codes = historical_codes(conn, scope)
    if codes is None:
        return cube
    return cube.filter(pl.col("municipality_code").is_in(sorted(codes)))


def forget() -> None:
    """Drop the in-memory cubes (tests; a process that wants its memory back)."""
    with _lock:
        _warm.clear()


def start_warming(engine: sa.Engine, folder: Path | None) -> threading.Thread:
    """Load the full cube in a daemon thread, so the first page after login finds it ready
    while the server already answers (the login form shows at once)."""

    def run() -> None:
        try:
            full_cube(engine, folder)
        except Exception as exc:  # the page will load it itself and show any error there
            log.warning("warming the cube failed: %s", exc)

    thread = threading.Thread(target=run, name="innsikt-cube-warmer", daemon=True)
    thread.start()
    return thread
