"""Alembic environment: runs migrations on the engine handed over by ``db.migrate``.

Used from code (``innsikt`` CLI and app start) and from the ``alembic`` command with
``-x url=...`` for autogenerating new revisions against ``data_access.store.schema.metadata``.
"""

from __future__ import annotations

from alembic import context

from data_access.store import schema
from data_access.store.db import make_engine

config = context.config
target_metadata = schema.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        url = context.get_x_argument(as_dictionary=True).get("url")
        engine = make_engine(url)
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations_online()
