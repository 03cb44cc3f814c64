"""A fresh install without demo data: every page opens and says there is no data yet."""

from __future__ import annotations

from pathlib import Path

import pytest

import app as _app
from data_access.admin.users import add_user
from data_access.bootstrap import initialize
from data_access.store.db import make_engine
from tests.conftest import TEST_PASSWORD, new_app


@pytest.fixture()
def empty_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    engine = make_engine(f"sqlite:///{tmp_path / 'innsikt.sqlite'}")
    result = initialize(engine, with_demo=False, log=lambda _m: None)
    assert result.admin_password and result.demo_lines == 0
    with engine.begin() as c:
        add_user(c, "admin_t", name="Test admin", role="admin", password=TEST_PASSWORD, rounds=4)
        add_user(
            c,
            "verdal",
            name="Test kommune",
            role="kommune",
            password=TEST_PASSWORD,
            municipalities=["5038"],
            rounds=4,
        )
    engine.dispose()
    monkeypatch.setenv("INNSIKT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("INNSIKT_NO_DEMO", "1")
    monkeypatch.setenv(
        "INNSIKT_COOKIE_KEY", "test-cookie-key-for-tests-only-not-a-secret-0123456789"
    )
    return tmp_path


@pytest.mark.parametrize("user", ["admin_t", "verdal"])
def test_every_page_opens_on_an_empty_database(empty_install: Path, user: str) -> None:
    at = new_app(user)
    at.run()
    assert not at.exception, at.exception
    assert not any("Demodata" in w.value for w in at.sidebar.warning)
    opened = 0
    for script, *_rest, roles in _app.PAGES:
        if roles is not None and ("admin" if user == "admin_t" else "kommune") not in roles:
            continue
        at.switch_page(script).run()
        assert not at.exception, (script, at.exception)
        opened += 1
    assert opened >= 6
    at.switch_page("pages/overview.py").run()
    assert any("Ingen regnskapsdata ennå" in c.value for c in at.caption)
