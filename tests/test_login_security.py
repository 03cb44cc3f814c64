"""Issue 11, findings 1, 2 and 6: throttling, lockout, unlock, revocation and stale cookies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access.admin.users import add_user, set_password, update_user
from data_access.store import login_security as ls
from data_access.store import schema
from data_access.store.db import make_engine, migrate
from tests.conftest import TEST_PASSWORD, fresh_pg_database, new_app

T0 = dt.datetime(2026, 11, 29, 12, 0, 0)


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    monkeypatch.setenv("INNSIKT_LOGIN_MAX_FAILURES", "5")
    monkeypatch.setenv("INNSIKT_LOGIN_LOCK_MINUTES", "15")
    engine = make_engine(f"sqlite:///{tmp_path / 'auth.sqlite'}")
    migrate(engine)
    with engine.begin() as conn:
        add_user(conn, "ola", name="Ola", role="leder", password=TEST_PASSWORD, rounds=4)
        add_user(conn, "kari", name="Kari", role="admin", password=TEST_PASSWORD, rounds=4)
    return engine


def _fail(engine: sa.Engine, user: str, ip: str | None, at: dt.datetime) -> None:
    with engine.begin() as conn:
        ls.record_failure(conn, user, ip, at)


def _check(engine: sa.Engine, user: str, ip: str | None, at: dt.datetime) -> ls.Refusal | None:
    with engine.connect() as conn:
        return ls.check(conn, user, ip, at)


def test_growing_delay_then_lockout_after_n_failures_then_expiry(db: sa.Engine) -> None:
    at = T0
    delays = []
    for _ in range(4):
        _fail(db, "ola", "10.0.0.1", at)
        refusal = _check(db, "ola", "10.0.0.1", at)
        assert refusal is not None and not refusal.locked
        delays.append((refusal.until - at).total_seconds())
        at = refusal.until  # the next try exactly when allowed
        assert _check(db, "ola", "10.0.0.1", at) is None
    assert delays == [1, 2, 4, 8]
    _fail(db, "ola", "10.0.0.1", at)  # the fifth failure locks the user name
    refusal = _check(db, "ola", "10.0.0.2", at + dt.timedelta(minutes=14))  # any address
    assert refusal is not None and refusal.locked
    assert "sperret i 1 min" in refusal.message(at + dt.timedelta(minutes=14))
    assert _check(db, "ola", "10.0.0.2", at + dt.timedelta(minutes=15, seconds=1)) is None
    with db.connect() as conn:
        actions = conn.execute(sa.select(schema.audit_log.c.action)).scalars().all()
    assert actions.count("login.failed") == 5 and actions.count("login.locked") == 1


def test_client_address_is_locked_across_user_names(db: sa.Engine) -> None:
    at = T0
    for i in range(15):  # 3 × 5 failures, each on a new user name, each after its delay
        _fail(db, f"gjett{i}", "10.9.9.9", at)
        at += dt.timedelta(seconds=31)
    refusal = _check(db, "kari", "10.9.9.9", at)
    assert refusal is not None and refusal.locked
    assert _check(db, "kari", "10.0.0.1", at) is None  # another address is not affected


def test_admin_unlock_lifts_the_lock_and_is_audited(db: sa.Engine) -> None:
    for i in range(5):
        _fail(db, "ola", None, T0 + dt.timedelta(seconds=60 * i))
    at = T0 + dt.timedelta(minutes=5)
    assert _check(db, "ola", None, at).locked  # type: ignore[union-attr]
    with db.connect() as conn:
        assert ls.locks(conn, at)["key"].to_list() == ["user:ola"]
    with db.begin() as conn:
        assert ls.unlock(conn, "ola", by="kari") == 1
    assert _check(db, "ola", None, at) is None
    with db.connect() as conn:
        last = conn.execute(
            sa.select(schema.audit_log).order_by(schema.audit_log.c.id.desc())
        ).first()
    assert (last.username, last.action, last.detail) == ("kari", "login.unlock", "user:ola")


def test_success_clears_the_user_count_but_not_the_address(db: sa.Engine) -> None:
    for i in range(4):
        _fail(db, "ola", "10.0.0.1", T0 + dt.timedelta(seconds=60 * i))
    with db.begin() as conn:
        ls.record_success(conn, "ola", "10.0.0.1")
        keys = set(conn.execute(sa.select(schema.login_throttle.c.key)).scalars())
    assert keys == {"ip:10.0.0.1"}


def test_password_change_deactivation_and_logout_everywhere_bump_the_version(
    db: sa.Engine,
) -> None:
    with db.connect() as conn:
        assert ls.token_version(conn, "ola") == 0
    with db.begin() as conn:
        set_password(conn, "ola", "nytt-passord-1", by="kari")
    assert ls.token_version(db, "ola") == 1
    with db.begin() as conn:
        ls.revoke_sessions(conn, "ola", by="kari", reason="logg ut overalt")
    assert ls.token_version(db, "ola") == 2
    with db.begin() as conn:
        update_user(
            conn,
            "ola",
            role="leder",
            municipalities=None,
            line_detail=False,
            active=False,
            by="kari",
        )
    assert ls.token_version(db, "ola") is None  # deactivated: no cookie version is valid


def test_cli_unlock_and_logout(db: sa.Engine, capsys: pytest.CaptureFixture[str]) -> None:
    from cli import main

    url = str(db.url)
    for i in range(5):
        _fail(db, "ola", None, ls.now() - dt.timedelta(seconds=60 * (5 - i)))
    assert _check(db, "ola", None, ls.now()).locked  # type: ignore[union-attr]
    assert main(["--database-url", url, "user", "unlock", "ola"]) == 0
    assert "opphevet" in capsys.readouterr().err
    assert _check(db, "ola", None, ls.now()) is None
    assert main(["--database-url", url, "user", "logout", "ola"]) == 0
    assert ls.token_version(db, "ola") == 1


# --- the login form (AppTest): refused before the password is checked -----------------------


def _try(password: str, user: str = "sperretest"):  # type: ignore[no-untyped-def]
    at = new_app()
    at.run()
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.usefixtures("app_env")
def test_form_locks_after_n_failures_and_refuses_the_right_password(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INNSIKT_LOGIN_MAX_FAILURES", "3")
    engine = make_engine(f"sqlite:///{app_env / 'innsikt.sqlite'}")
    with engine.begin() as conn:
        add_user(conn, "sperretest", name="Sperre", role="leder", password=TEST_PASSWORD, rounds=4)
    try:
        first = _try("feil-1")
        assert any("Feil brukernavn eller passord" in e.value for e in first.error)
        soon = _try(TEST_PASSWORD)  # within the 1 s delay: refused, right password or not
        assert soon.session_state["authentication_status"] is not True
        assert any("Vent" in e.value for e in soon.error)
        for _ in range(2):  # two more failures, each after its delay → locked (limit 3)
            with engine.begin() as conn:
                conn.execute(
                    schema.login_throttle.update().values(next_try_at=None)
                )  # skip the wait, not the count
            _try("feil-2")
        locked = _try(TEST_PASSWORD)
        assert locked.session_state["authentication_status"] is not True
        assert len(locked.metric) == 0
        assert any("For mange mislykkede innlogginger" in e.value for e in locked.error)
        with engine.begin() as conn:
            ls.unlock(conn, "sperretest", by="admin_t")
        ok = _try(TEST_PASSWORD)
        assert ok.session_state["authentication_status"] is True
    finally:
        with engine.begin() as conn:
            conn.execute(schema.login_throttle.delete())
        engine.dispose()


@pytest.mark.usefixtures("app_env")
def test_revoked_session_shows_the_login_form_without_error(app_env: Path) -> None:
    """An open session ends on its next run after a password change elsewhere (finding 2)."""
    engine = make_engine(f"sqlite:///{app_env / 'innsikt.sqlite'}")
    with engine.begin() as conn:
        add_user(conn, "okttest", name="Økt", role="leder", password=TEST_PASSWORD, rounds=4)
    at = _try(TEST_PASSWORD, user="okttest")
    assert at.session_state["authentication_status"] is True
    at.run()
    assert len(at.metric) > 0
    with engine.begin() as conn:
        set_password(conn, "okttest", "helt-nytt-passord", by="admin_t")
    engine.dispose()
    at.run()
    assert not at.exception and len(at.error) == 0
    assert len(at.metric) == 0
    assert [w.label for w in at.text_input] == ["Brukernavn", "Passord"]


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, db: sa.Engine) -> Iterator[sa.Engine]:
    """The throttle tables on each backend (PostgreSQL skipped where no server runs)."""
    if request.param == "sqlite":
        yield db
        return
    with fresh_pg_database("innsikt_login") as url:
        engine = make_engine(url)
        migrate(engine)
        try:
            yield engine
        finally:
            engine.dispose()


def test_a_row_inserted_between_the_read_and_the_insert_is_counted(any_db: sa.Engine) -> None:
    """Two first failures at once for one key: the other session inserts the key's row after
    this one looked for it and before this one inserts. That was a primary-key error (an
    error box on the login form); now both failures are counted."""
    key = ls.user_key("ola")
    fired: list[str] = []

    def other_session_first(_conn, _cursor, statement, *_args) -> None:
        if not fired and statement.lstrip().upper().startswith("INSERT INTO LOGIN_THROTTLE"):
            fired.append(statement)
            with any_db.connect() as other, other.begin():  # a second connection of the pool
                other.execute(
                    schema.login_throttle.insert().values(
                        key=key,
                        failures=1,
                        last_failure_at=T0,
                        next_try_at=T0 + dt.timedelta(seconds=1),
                    )
                )

    with any_db.begin() as conn:
        sa.event.listen(conn, "before_cursor_execute", other_session_first)
        ls.record_failure(conn, "ola", None, T0)
    assert fired  # the race was staged
    with any_db.connect() as conn:
        row = conn.execute(
            sa.select(schema.login_throttle).where(schema.login_throttle.c.key == key)
        ).one()
    assert row.failures == 2
    assert row.next_try_at == T0 + dt.timedelta(seconds=2)


@pytest.mark.usefixtures("app_env")
def test_admin_lifts_a_lock_and_logs_a_user_out_everywhere_on_the_page(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Administrasjon → Innlogging: a locked user name is listed and unlocked with the button
    (the lock gone, audited by the admin), and "Logg ut overalt" ends a user's sessions (the
    token version moves on, audited) — the page's side of findings 1 and 2."""
    monkeypatch.setenv("INNSIKT_LOGIN_MAX_FAILURES", "3")
    engine = make_engine(f"sqlite:///{app_env / 'innsikt.sqlite'}")
    with engine.begin() as conn:
        add_user(conn, "laast", name="Låst", role="leder", password=TEST_PASSWORD, rounds=4)
    now = ls.now()
    for i in range(3):
        _fail(engine, "laast", None, now - dt.timedelta(seconds=3 - i))
    assert _check(engine, "laast", None, now) is not None
    before = ls.token_version(engine, "laast")
    try:
        at = new_app("admin_t")
        at.run()
        at.switch_page("pages/admin.py").run()
        assert not at.exception, at.exception
        assert "user:laast" in at.selectbox(key="admin_unlock").options
        at.selectbox(key="admin_unlock").set_value("user:laast")
        at.button(key="admin_unlock_btn").click().run()
        assert not at.exception, at.exception
        assert any("Sperren er opphevet" in s.value for s in at.success)
        assert _check(engine, "laast", None, ls.now()) is None
        at.selectbox(key="admin_revoke_who").set_value("laast")
        at.button(key="admin_revoke_btn").click().run()
        assert not at.exception, at.exception
        assert any("Alle innlogginger er avsluttet" in s.value for s in at.success)
        assert ls.token_version(engine, "laast") == (before or 0) + 1
        a = schema.audit_log
        with engine.connect() as conn:
            actions = set(
                conn.execute(
                    sa.select(a.c.action).where(
                        a.c.username == "admin_t", a.c.detail.like("%laast%")
                    )
                ).scalars()
            )
        assert {"login.unlock", "user.sessions_revoked"} <= actions, actions
    finally:
        with engine.begin() as conn:
            conn.execute(
                schema.login_throttle.delete().where(schema.login_throttle.c.key.like("%laast%"))
            )
        engine.dispose()
