"""Issue 11, finding 9: the data folder, the database and the cookie key are private from the
moment they exist; the server listens on the loopback by default."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from data_access.store import settings
from data_access.store.db import make_engine, migrate
from tests.conftest import ROOT


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture()
def fresh_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "nytt" / "data"
    monkeypatch.setenv("INNSIKT_DATA_DIR", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("INNSIKT_COOKIE_KEY", raising=False)
    old = os.umask(0o022)  # a common default: new files 0644 unless the code says otherwise
    yield folder
    os.umask(old)


def test_data_folder_database_and_cookie_key_are_private(fresh_dir: Path) -> None:
    folder = settings.data_dir()
    assert _mode(folder) == 0o700
    key = settings.cookie_key()
    assert len(key) > 40 and _mode(folder / "cookie_key") == 0o600
    engine = make_engine(settings.database_url())
    migrate(engine)
    engine.dispose()
    for name in os.listdir(folder):  # the database and its -wal/-shm files
        assert _mode(folder / name) == 0o600, name


def test_existing_loose_files_are_tightened(fresh_dir: Path) -> None:
    fresh_dir.mkdir(parents=True, mode=0o755)
    os.chmod(fresh_dir, 0o755)
    (fresh_dir / "cookie_key").write_text("k" * 64)
    os.chmod(fresh_dir / "cookie_key", 0o644)
    (fresh_dir / "innsikt.sqlite").touch(mode=0o644)
    os.chmod(fresh_dir / "innsikt.sqlite", 0o644)
    settings.data_dir()
    settings.cookie_key()
    make_engine(settings.database_url()).dispose()
    assert _mode(fresh_dir) == 0o700
    assert _mode(fresh_dir / "cookie_key") == 0o600
    assert _mode(fresh_dir / "innsikt.sqlite") == 0o600


def test_the_cookie_key_is_never_written_world_readable(
    fresh_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key is created 0600 before its first byte is written (not chmod-ed afterwards)."""
    settings.data_dir()
    seen: list[int] = []
    real_fdopen = os.fdopen

    def spy(fd: int, *a, **kw):  # type: ignore[no-untyped-def]
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_fdopen(fd, *a, **kw)

    monkeypatch.setattr(os, "fdopen", spy)
    settings.cookie_key()
    assert seen == [0o600]


def test_server_listens_on_loopback_by_default() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    makefile = (ROOT / "Makefile").read_text()
    assert "ADDRESS ?= 127.0.0.1" in makefile and "--server.address $(ADDRESS)" in makefile
