"""SECURITY.md's least-privilege PostgreSQL deployment, run as written.

The SQL block of SECURITY.md (*PostgreSQL with least privilege*) is executed statement by
statement (``\\c`` included) in a fresh, uniquely named database, with unique role names in
place of ``innsikt_owner`` / ``innsikt_app`` (roles are cluster-wide). The owner then runs what
``innsikt init`` runs (migrations, reference data, first admin); the app role starts as the app
does, imports a generated ledger, reads the cube, saves what moves an id sequence, and is
refused every kind of DDL. Under that role PostgreSQL 15 skips ``ANALYZE`` with only a WARNING:
``refresh_statistics`` names the skipped tables instead of pretending, and the owner's
``ANALYZE`` (what SECURITY.md says to run after a large import) makes the estimates current.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from data_access.bootstrap import initialize
from data_access.importing import import_file
from data_access.store import bulkload, schema
from data_access.store.cube import load_cube
from data_access.store.db import at_head, make_engine, sync_id_sequences
from data_access.store.scope import Scope
from tests.conftest import PG_ADMIN_URL, ROOT, _pg_reachable
from tests.import_helpers import many_rows, standard_rows, to_csv

pytestmark = pytest.mark.postgres

STATS_TABLES = (schema.ledger_line, schema.spend_cube, schema.spend_rollup, schema.supplier)


def documented_sql() -> str:
    """The SQL block of SECURITY.md's *PostgreSQL with least privilege* step."""
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    section = text[text.index("PostgreSQL with least privilege") :]
    found = re.search(r"```sql\n(.*?)```", section, re.DOTALL)
    assert found, "SECURITY.md has no SQL block for the PostgreSQL roles"
    return found.group(1)


@dataclass(frozen=True)
class Deployment:
    database: str
    owner: str
    app: str

    def url(self, role: str) -> str:
        return (
            sa.engine.make_url(PG_ADMIN_URL)
            .set(username=role, database=self.database)
            .render_as_string(hide_password=False)
        )


def _run_as_documented(sql: str, names: dict[str, str]) -> None:
    """Run the documented script as the superuser, as psql would: comments dropped, one
    statement per ``;``, ``\\c NAME`` switching the connection to database NAME."""
    sql = re.sub(r"--[^\n]*", "", sql)
    for old, new in names.items():  # \b: "innsikt" alone, not inside the role names
        sql = re.sub(rf"\b{old}\b", new, sql)
    admin_url = sa.engine.make_url(PG_ADMIN_URL)
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        for chunk in re.split(r"^\s*(\\c\s+\S+)\s*$", sql, flags=re.MULTILINE):
            if chunk.startswith("\\c"):
                engine.dispose()
                target = admin_url.set(database=chunk.split()[1])
                engine = sa.create_engine(target, isolation_level="AUTOCOMMIT")
                continue
            with engine.connect() as conn:
                for statement in chunk.split(";"):
                    if statement.strip():
                        conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    problem = _pg_reachable()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL not reachable in CI: {problem}")
        pytest.skip(f"no PostgreSQL server reachable: {problem}")
    tag = uuid.uuid4().hex[:10]
    dep = Deployment(f"innsikt_roles_{tag}", f"innsikt_owner_{tag}", f"innsikt_app_{tag}")
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        _run_as_documented(
            documented_sql(),
            {"innsikt_owner": dep.owner, "innsikt_app": dep.app, "innsikt": dep.database},
        )
        owner = make_engine(dep.url(dep.owner))
        try:
            # What `innsikt init` does, without the demo data.
            initialize(owner, with_demo=False, log=lambda _m: None)
            with owner.begin() as c:  # no autovacuum racing the statistics checks below
                for t in STATS_TABLES:
                    c.exec_driver_sql(f'ALTER TABLE "{t.name}" SET (autovacuum_enabled = off)')
        finally:
            owner.dispose()
        yield dep
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{dep.database}" WITH (FORCE)')
            c.exec_driver_sql(f'DROP ROLE IF EXISTS "{dep.app}"')
            c.exec_driver_sql(f'DROP ROLE IF EXISTS "{dep.owner}"')
        admin.dispose()


@pytest.fixture(scope="module")
def app(deployment: Deployment) -> Iterator[sa.Engine]:
    engine = make_engine(deployment.url(deployment.app))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def owner(deployment: Deployment) -> Iterator[sa.Engine]:
    engine = make_engine(deployment.url(deployment.owner))
    yield engine
    engine.dispose()


def _estimate_and_count(conn: sa.Connection, table: str) -> tuple[float, int]:
    est = conn.execute(
        sa.text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}
    ).scalar_one()
    return float(est), int(conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one())


def test_the_owner_owns_everything_and_the_app_starts_without_ddl(
    deployment: Deployment, app: sa.Engine
) -> None:
    with app.connect() as c:
        assert c.exec_driver_sql("SELECT current_user").scalar() == deployment.app
        owners = set(
            c.exec_driver_sql("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")
            .scalars()
            .all()
        )
    assert owners == {deployment.owner}
    assert at_head(app)
    # The app's own start (migrate, reference data, first admin) needs no DDL and no new admin.
    result = initialize(app, with_demo=False, log=lambda _m: None)
    assert result.admin_password is None and result.demo_lines == 0


def test_the_app_role_imports_and_reads_the_cube(app: sa.Engine) -> None:
    report = import_file(app, to_csv(standard_rows()), filename="roles.csv", username="t")
    assert report.error is None and report.rows_stored > 0
    with app.connect() as c:
        stored = c.execute(
            sa.select(sa.func.count(), sa.func.sum(schema.ledger_line.c.amount_ore))
        ).one()
    assert (stored[0], stored[1]) == (report.rows_stored, report.amount_stored_ore)
    cube = load_cube(app, Scope(role="admin"))
    assert cube.height > 0 and cube["amount_ore"].sum() == report.amount_stored_ore
    verdal = load_cube(app, Scope(role="kommune", municipalities=frozenset({"5038"})))
    assert 0 < verdal["amount_ore"].sum() < report.amount_stored_ore


def test_the_app_role_may_move_id_sequences(app: sa.Engine) -> None:
    """Saving the category tree or an agreement calls ``setval``: it needs UPDATE on the
    sequence (SECURITY.md granted only USAGE, SELECT: "permission denied for sequence")."""
    with app.begin() as c:
        sync_id_sequences(c, [schema.category, schema.agreement])


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TABLE ledger_line",
        "ALTER TABLE ledger_line ADD COLUMN evil int",
        "ALTER TABLE app_user OWNER TO CURRENT_USER",
        "CREATE TABLE evil (a int)",
        "CREATE INDEX evil_ix ON ledger_line (description)",
        "DROP INDEX ix_ledger_batch",
        "TRUNCATE audit_log",
        "CREATE TEMP TABLE evil (a int)",
        "CREATE SCHEMA evil",
    ],
)
def test_the_app_role_cannot_change_the_schema(app: sa.Engine, statement: str) -> None:
    with pytest.raises(sa.exc.ProgrammingError) as refused, app.begin() as c:
        c.exec_driver_sql(statement)
    assert getattr(refused.value.orig, "sqlstate", None) == "42501", refused.value  # privilege
    with app.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(schema.audit_log)).scalar()


def test_analyze_needs_the_owner_and_the_app_says_so(
    app: sa.Engine, owner: sa.Engine, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    # PostgreSQL itself: the app role's ANALYZE "succeeds", with a WARNING, and changes nothing.
    notices: list[tuple[str, str, str]] = []

    def notice(d: Any) -> None:  # the fields are readable only inside the handler
        notices.append((d.severity, d.sqlstate, d.message_primary))

    with app.begin() as c:
        before = _estimate_and_count(c, "ledger_line")
        raw = c.connection.driver_connection
        raw.add_notice_handler(notice)
        c.exec_driver_sql("ANALYZE ledger_line")
        raw.remove_notice_handler(notice)
        assert _estimate_and_count(c, "ledger_line") == before
    assert before[0] != before[1]  # never analyzed since the import
    assert len(notices) == 1 and notices[0][:2] == ("WARNING", "01000")
    assert "ledger_line" in notices[0][2]
    if (app.dialect.server_version_info or (0,)) < (16,):
        assert notices[0][2] == (
            'skipping "ledger_line" --- only table or database owner can analyze it'
        )

    # A large import by the app role: constraints kept (no "must be owner"), statistics not
    # refreshed, and the log names the skipped tables.
    monkeypatch.setattr(bulkload, "MIN_ROWS", 100)
    caplog.set_level(logging.INFO, logger=bulkload.__name__)
    report = import_file(app, to_csv(many_rows(300, offset=500)), filename="big.csv", username="t")
    assert report.error is None and report.rows_stored == 300
    skipped = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(skipped) == 1 and skipped[0].startswith(
        "ANALYZE skipped for ledger_line, spend_cube, spend_rollup, supplier:"
    )
    with app.connect() as c:
        est, n = _estimate_and_count(c, "ledger_line")
        assert est != n and n == before[1] + 300
        fks = c.execute(
            sa.text(
                "SELECT count(*) FROM pg_constraint WHERE conrelid = 'ledger_line'::regclass "
                "AND contype = 'f'"
            )
        ).scalar()
    assert fks == len(
        [k for k in schema.ledger_line.constraints if isinstance(k, sa.ForeignKeyConstraint)]
    )

    # The owner may: refresh_statistics analyzes everything, and so does the documented
    # `ANALYZE` run as the owner after a large import.
    with owner.begin() as c:
        assert bulkload.refresh_statistics(c, [schema.ledger_line]) == []
        assert _estimate_and_count(c, "ledger_line") == (float(n), n)
    with owner.connect() as c:
        c.exec_driver_sql("ANALYZE")
        c.commit()
        for t in STATS_TABLES:
            est, count = _estimate_and_count(c, t.name)
            assert est == count > 0, t.name
