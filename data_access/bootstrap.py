"""First start: schema, reference data, the first admin and demo data, in one idempotent call.

Called by ``innsikt init`` (which ``make run`` runs before Streamlit, so the generated admin
password appears in the terminal) and again by the app on start, which finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from data_access import demo
from data_access.admin.users import ensure_first_admin
from data_access.store import schema, settings
from data_access.store.db import migrate
from data_access.store.reference import seed_reference


@dataclass(frozen=True)
class InitResult:
    admin_password: str | None
    demo_lines: int


def initialize(
    engine: sa.Engine,
    *,
    demo_size: float | None = None,
    with_demo: bool | None = None,
    log: Callable[[str], None] = print,
) -> InitResult:
    migrate(engine)
    if with_demo is None:
        with_demo = not settings.get("INNSIKT_NO_DEMO")
    size = demo_size if demo_size is not None else float(settings.get("INNSIKT_DEMO_SIZE") or 1.0)
    with engine.begin() as conn:
        seed_reference(conn)
        password = ensure_first_admin(conn)
    if password:
        log(
            "\n" + "=" * 72 + "\n"
            "Første oppstart: brukeren 'admin' er opprettet med passordet\n\n"
            f"    {password}\n\n"
            "Passordet vises bare denne ene gangen. Bytt det med\n"
            "    uv run innsikt user passwd admin\n"
            "og opprett flere brukere med  uv run innsikt user add --help\n" + "=" * 72 + "\n"
        )
    lines = 0
    with engine.connect() as conn:
        empty = not conn.execute(sa.select(schema.ledger_line.c.id).limit(1)).first()
    if with_demo and empty:
        log(f"Lager demodata (størrelse {size}) …")
        with engine.begin() as conn:
            lines = demo.generate(conn, size=size)["lines"]
        log(f"Demodata klare: {lines:,} linjer.".replace(",", " "))
    return InitResult(admin_password=password, demo_lines=lines)
