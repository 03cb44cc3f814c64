"""The cube snapshot (Arrow IPC per data version) and the shared in-memory cube (issue 8).

Not timed: these assert what is read, when it is rebuilt, and what each scope receives.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from data_access.store import schema, snapshot
from data_access.store.cube import load_cube
from data_access.store.db import bump_data_version, make_engine
from data_access.store.scope import Scope
from tests.conftest import SPURIOUS_LEVANGER_ORE

KOMMUNE = Scope(role="kommune", municipalities=frozenset({"5038"}), username="verdal")


def _sorted(df: pl.DataFrame) -> pl.DataFrame:
    keys = ["month", "municipality_code", "supplier_id", "category_id", "area", "spend_class"]
    return df.select(sorted(df.columns)).sort([*keys, "ehandel", "agreement_id", "amount_ore"])


@pytest.fixture()
def own_db(sqlite_engine: sa.Engine, tmp_path: Path) -> sa.Engine:
    """A private copy of the demo database (these tests change its data version)."""
    src = sqlite_engine.url.database
    assert src is not None
    dst = tmp_path / "copy.sqlite"
    with sqlite_engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
    shutil.copy(src, dst)
    snapshot.forget()
    eng = make_engine(f"sqlite:///{dst}")
    yield eng
    eng.dispose()
    snapshot.forget()


def _no_sql_load(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def counting(*a, **kw):  # type: ignore[no-untyped-def]
        calls.append(1)
        return load_cube(*a, **kw)

    monkeypatch.setattr(snapshot, "load_cube", counting)
    return calls


def test_scoped_cube_holds_exactly_what_load_cube_returns(own_db: sa.Engine, tmp_path: Path):
    folder = tmp_path / "snap"
    for sc in (Scope.everything(), Scope(role="leder"), KOMMUNE):
        got = snapshot.scoped_cube(own_db, sc, folder)
        want = load_cube(own_db, sc)
        assert got.height == want.height
        assert _sorted(got).equals(_sorted(want))
    # The kommune user's cube holds only Verdal's rows, never the planted Levanger line.
    verdal = snapshot.scoped_cube(own_db, KOMMUNE, folder)
    assert set(verdal["municipality_now"].unique()) == {"5038"}
    assert SPURIOUS_LEVANGER_ORE not in verdal["amount_ore"].to_list()


def test_admin_and_leder_share_one_cube_object(own_db: sa.Engine, tmp_path: Path):
    folder = tmp_path / "snap"
    admin = snapshot.scoped_cube(own_db, Scope(role="admin", username="a"), folder)
    leder = snapshot.scoped_cube(own_db, Scope(role="leder", username="l"), folder)
    assert admin is leder


def test_snapshot_is_written_and_read_back_without_sql(
    own_db: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = tmp_path / "snap"
    first = snapshot.full_cube(own_db, folder)
    files = list(folder.glob("cube-*.arrow"))
    assert len(files) == 1
    snapshot.forget()  # a new server process: nothing in memory
    calls = _no_sql_load(monkeypatch)
    again = snapshot.full_cube(own_db, folder)
    assert calls == []  # read from the snapshot, not aggregated from SQL
    assert again.equals(first)


def test_snapshot_rebuilt_when_the_data_version_changes(
    own_db: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = tmp_path / "snap"
    snapshot.full_cube(own_db, folder)
    (old,) = folder.glob("cube-*.arrow")
    with own_db.begin() as c:
        version = bump_data_version(c)
    calls = _no_sql_load(monkeypatch)
    snapshot.full_cube(own_db, folder)
    assert calls == [1]  # the new version is built from SQL …
    (new,) = folder.glob("cube-*.arrow")  # … written, and the old version's file removed
    assert new != old and new.name.endswith(f"-v{version}.arrow")


def test_stale_snapshot_is_ignored(
    own_db: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = tmp_path / "snap"
    snapshot.full_cube(own_db, folder)
    (path,) = folder.glob("cube-*.arrow")
    stale = path.read_bytes()
    # The cube changes without a version bump (e.g. a database restored from a backup):
    # the file carries the old fingerprint and must not be served.
    with own_db.begin() as c:
        c.execute(
            schema.spend_cube.delete().where(
                schema.spend_cube.c.amount_ore == SPURIOUS_LEVANGER_ORE
            )
        )
    snapshot.forget()
    with own_db.connect() as c:
        stamp = snapshot.current_stamp(c, snapshot.database_key(own_db))
    assert snapshot.read_snapshot(path, stamp) is None
    calls = _no_sql_load(monkeypatch)
    cube = snapshot.full_cube(own_db, folder)
    assert calls == [1]
    assert SPURIOUS_LEVANGER_ORE not in cube["amount_ore"].to_list()
    assert path.read_bytes() != stale  # replaced by the current cube


def test_corrupt_snapshot_is_ignored_and_rebuilt(
    own_db: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = tmp_path / "snap"
    good = snapshot.full_cube(own_db, folder)
    (path,) = folder.glob("cube-*.arrow")
    path.write_bytes(path.read_bytes()[:200])  # truncated, as after a crash mid-copy
    snapshot.forget()
    calls = _no_sql_load(monkeypatch)
    cube = snapshot.full_cube(own_db, folder)
    assert calls == [1]
    assert cube.equals(good)
    snapshot.forget()
    calls.clear()
    assert snapshot.full_cube(own_db, folder).equals(good) and calls == []  # valid again


def test_warming_thread_fills_the_shared_cube(own_db: sa.Engine, tmp_path: Path):
    folder = tmp_path / "snap"
    snapshot.start_warming(own_db, folder).join(timeout=120)
    held = snapshot._warm[snapshot.database_key(own_db)][1]
    assert snapshot.scoped_cube(own_db, Scope(role="leder"), folder) is held
