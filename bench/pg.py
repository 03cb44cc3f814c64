"""PostgreSQL databases for the benches: one admin URL (``INNSIKT_BENCH_PG_URL``), and the
create / drop statements the benches share, so a cached bench database is made one way."""

from __future__ import annotations

import os

import sqlalchemy as sa

PG_ADMIN = os.environ.get(
    "INNSIKT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def database_url(name: str) -> str:
    """The URL of database ``name`` on the admin URL's server."""
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def create_database(name: str, *, fresh: bool = False) -> str:
    """Create database ``name`` if it is missing (with ``fresh``, drop it first); its URL."""
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            if fresh:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if not c.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first():
                c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return database_url(name)


def drop_database(name: str) -> None:
    """Drop database ``name`` (connections to it are closed)."""
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
