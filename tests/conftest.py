"""Shared fixtures: small demo databases on SQLite and PostgreSQL, users per role, AppTest.

The PostgreSQL fixture creates a uniquely named database on the server at 127.0.0.1:5432 and
drops it afterwards. It may skip (with the reason printed) only when no server is reachable and
``CI`` is not set; in CI an unreachable server fails the run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access import demo
from data_access.admin.users import add_user
from data_access.bootstrap import initialize
from data_access.store import schema
from data_access.store.db import make_engine, migrate
from tests.app_server import seed_login

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get(
    "INNSIKT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DEMO_SIZE = 0.02  # ≈ 3 000 lines a year: fast, yet every member, year and segment is present
TEST_PASSWORD = "test-passord-123"  # test users only, hashed with bcrypt cost 4
ROLE_USERS = {
    "admin": ("admin_t", None),
    "analyst": ("analytiker", None),
    "leder": ("leder", None),
    "kommune": ("verdal", ["5038"]),
}
# A deliberately large Levanger line that a Verdal user must never see or count.
SPURIOUS_LEVANGER_ORE = 987_654_321_00


def _add_spurious_levanger_line(conn: sa.Connection) -> None:
    from data_access.store.cube import rebuild_cube

    batch = conn.execute(sa.select(sa.func.min(schema.import_batch.c.id))).scalar()
    supplier = conn.execute(sa.select(sa.func.min(schema.supplier.c.id))).scalar()
    cat = conn.execute(sa.select(sa.func.max(schema.category.c.id))).scalar()
    conn.execute(
        schema.ledger_line.insert().values(
            batch_id=batch,
            line_hash="test:levanger",
            municipality_code="5037",
            date=dt.date(2025, 6, 15),
            supplier_id=supplier,
            account="1200",
            art="120",
            amount_ore=SPURIOUS_LEVANGER_ORE,
            ehandel=False,
            area="drift",
            spend_class="purchase",
            category_id=cat,
            category_rule="test",
            description="Testlinje fra Levanger",
        )
    )
    rebuild_cube(conn)


def build_demo_db(engine: sa.Engine) -> None:
    migrate(engine)
    with engine.begin() as conn:
        demo.generate(conn, size=DEMO_SIZE, today=dt.date(2026, 11, 25))
        _add_spurious_levanger_line(conn)
        for role, (username, munis) in ROLE_USERS.items():
            add_user(
                conn,
                username,
                name=f"Test {role}",
                role=role,
                password=TEST_PASSWORD,
                municipalities=munis,
                rounds=4,
            )


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    path = tmp_path_factory.mktemp("sqlite") / "demo.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    build_demo_db(engine)
    return engine


def _pg_reachable() -> str | None:
    try:
        eng = sa.create_engine(PG_ADMIN_URL)
        with eng.connect() as c:
            c.execute(sa.text("select 1"))
        eng.dispose()
        return None
    except Exception as exc:  # any failure means "not reachable"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


@contextlib.contextmanager
def fresh_pg_database(prefix: str = "innsikt_test") -> Iterator[str]:
    """Create a uniquely named PostgreSQL database, yield its URL, drop it afterwards.

    Skips (with the reason printed) only when no server is reachable and ``CI`` is unset; in
    CI an unreachable server fails the test instead.
    """
    problem = _pg_reachable()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL not reachable in CI: {problem}")
        print(f"\nPostgreSQL tests skipped: no server reachable ({problem})")
        pytest.skip(f"no PostgreSQL server reachable: {problem}")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database shared by the session's data-layer tests."""
    with fresh_pg_database() as url:
        yield url


@pytest.fixture(scope="session")
def pg_engine(pg_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(pg_url)
    build_demo_db(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> sa.Engine:
    """The demo database on each backend: data-layer tests run on both."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_engine")
    return request.getfixturevalue("sqlite_engine")


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding a prepared demo database, used by AppTest and browser tests."""
    folder = tmp_path_factory.mktemp("appdata")
    engine = make_engine(f"sqlite:///{folder / 'innsikt.sqlite'}")
    build_demo_db(engine)
    initialize(engine, log=lambda _m: None)  # creates the first admin as on a real start
    engine.dispose()
    return folder


@pytest.fixture()
def app_env(app_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at the prepared data folder (SQLite) for an AppTest."""
    monkeypatch.setenv("INNSIKT_DATA_DIR", str(app_data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv(
        "INNSIKT_COOKIE_KEY", "test-cookie-key-for-tests-only-not-a-secret-0123456789"
    )
    return app_data_dir


def new_app(logged_in_as: str | None = None):
    """An AppTest of app.py, optionally with a user's login seeded in session state."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if logged_in_as is not None:
        role = next(r for r, (u, _m) in ROLE_USERS.items() if u == logged_in_as)
        seed_login(
            at,
            logged_in_as,
            name=f"Test {role}",
            role=role,
            token_version=_token_version(logged_in_as),
        )
    return at


def _token_version(username: str) -> int | None:
    """The user's current token version, as a real login would record it (issue 11)."""
    from data_access.store import settings
    from data_access.store.login_security import token_version

    engine = make_engine(settings.database_url())
    try:
        return token_version(engine, username)
    finally:
        engine.dispose()
