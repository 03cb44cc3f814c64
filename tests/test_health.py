"""Issue 11, finding 7: the database deleted and restored while the app runs — one clear
message on every page (no stale figures, no traceback), then the figures again, no restart."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access.store import health
from data_access.store.db import make_engine
from tests.conftest import ROOT, new_app


@pytest.fixture()
def own_db(app_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the prepared database (this test deletes it)."""
    src = sqlite3.connect(app_data_dir / "innsikt.sqlite")
    dst = sqlite3.connect(tmp_path / "innsikt.sqlite")
    src.backup(dst)
    src.close()
    dst.close()
    monkeypatch.setenv("INNSIKT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INNSIKT_COOKIE_KEY", "health-test-cookie-key-0123456789-abcdefghijkl")
    return tmp_path / "innsikt.sqlite"


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def _message(at) -> str:  # type: ignore[no-untyped-def]
    return " ".join(e.value for e in at.error)


PAGES = ["pages/overview.py", "pages/suppliers.py", "pages/agreements.py"]


def test_deleted_then_restored_database(own_db: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.sqlite"
    shutil.copy(own_db, backup)
    at = new_app(logged_in_as="analytiker")
    at.run()
    assert not at.exception and len(at.metric) > 0
    for page in PAGES:
        at.switch_page(str(ROOT / page)).run()
        assert not at.exception and len(at.get("plotly_chart")) > 0

    _remove(own_db)
    for page in PAGES:  # every page: the message, nothing else
        at.switch_page(str(ROOT / page)).run()
        assert not at.exception, at.exception
        assert "Databasen er ikke tilgjengelig" in _message(at), (page, at.main)
        assert len(at.metric) == 0 and len(at.get("plotly_chart")) == 0
        assert len(at.dataframe) == 0
    assert not own_db.exists(), "the check must not create an empty database in its place"

    shutil.copy(backup, own_db)  # restored while the app keeps running
    at.run()
    assert not at.exception
    assert "Databasen er ikke tilgjengelig" not in _message(at)
    assert len(at.get("plotly_chart")) > 0
    at.switch_page(str(ROOT / "pages/overview.py")).run()
    assert len(at.metric) > 0


def test_corrupted_file_gives_the_message_then_recovers(own_db: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.sqlite"
    shutil.copy(own_db, backup)
    at = new_app(logged_in_as="analytiker")
    at.run()
    assert len(at.metric) > 0
    _remove(own_db)
    own_db.write_bytes(b"dette er ikke en database" * 100)
    at.run()
    assert not at.exception
    assert "Databasen er ikke tilgjengelig" in _message(at) and len(at.metric) == 0
    _remove(own_db)
    shutil.copy(backup, own_db)
    at.run()
    assert not at.exception and len(at.metric) > 0


def test_check_reports_a_replaced_file(tmp_path: Path) -> None:
    from data_access.store.db import migrate

    path = tmp_path / "h.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    assert health.check(engine) is False
    with engine.connect() as conn:  # a consistent copy (WAL included)
        conn.exec_driver_sql(f"VACUUM INTO '{tmp_path / 'copy.sqlite'}'")
    _remove(path)
    with pytest.raises(health.DatabaseUnavailable, match="finnes ikke"):
        health.check(engine)
    shutil.copy(tmp_path / "copy.sqlite", path)
    assert health.check(engine) is True  # a new file: the caller drops its caches
    assert health.check(engine) is False


def test_postgresql_dropping_and_refusing_connections_then_returning(
    pg_engine: sa.Engine, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PostgreSQL restart as the app sees it: every pooled connection cut (the engine's
    pre-ping reconnects: the next run shows its figures, no error), then the database refusing
    connections (the message on the page, no stale figures), then accepting them again (the
    figures again, no restart of the app)."""
    import streamlit as st

    from data_access.store import snapshot

    monkeypatch.setenv("DATABASE_URL", pg_url)
    monkeypatch.setenv("INNSIKT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("INNSIKT_COOKIE_KEY", "health-test-cookie-key-0123456789-abcdefghijkl")
    st.cache_data.clear()
    st.cache_resource.clear()
    snapshot.forget()
    name = sa.make_url(pg_url).database
    admin = sa.create_engine(
        sa.make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )

    def cut_connections() -> int:
        with admin.connect() as c:
            return len(
                c.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :db AND pid <> pg_backend_pid()"
                    ),
                    {"db": name},
                ).all()
            )

    def allow(yes: bool) -> None:
        with admin.connect() as c:
            c.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(yes).lower()}')

    at = new_app(logged_in_as="analytiker")
    at.run()
    assert not at.exception and len(at.metric) > 0
    try:
        assert cut_connections() > 0  # the app's pooled connections, among others
        at.sidebar.selectbox(key="f_periode").set_value("2024").run()  # new figures: queries
        assert not at.exception, at.exception
        assert "Databasen er ikke tilgjengelig" not in _message(at) and len(at.metric) > 0

        allow(False)
        cut_connections()
        at.sidebar.selectbox(key="f_periode").set_value("2023").run()
        assert not at.exception, at.exception
        assert "Databasen er ikke tilgjengelig" in _message(at)
        assert len(at.metric) == 0 and len(at.get("plotly_chart")) == 0
    finally:
        allow(True)
        admin.dispose()
    at.run()
    assert not at.exception, at.exception
    assert "Databasen er ikke tilgjengelig" not in _message(at)
    assert len(at.metric) > 0 and len(at.get("plotly_chart")) > 0
    st.cache_data.clear()
    st.cache_resource.clear()
    snapshot.forget()
