"""Admin edits of the pseudo-supplier list (collective posts that are not one supplier), each
audited and bumping the data version so every cached figure is recomputed."""

from __future__ import annotations

import re

import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import audit, bump_data_version
from data_access.store.pseudo import KINDS


def add_pseudo(conn: sa.Connection, kind: str, value: str, note: str, username: str) -> None:
    """Add one entry; a pattern must compile. Norwegian ``ValueError`` on bad input."""
    value = value.strip()
    if kind not in KINDS:
        raise ValueError(f"ukjent type «{kind}» (navn, nummer eller mønster)")
    if not value:
        raise ValueError("verdien kan ikke være tom")
    if kind == "pattern":
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"mønsteret er ikke et gyldig regulært uttrykk: {exc}") from exc
    t = schema.pseudo_supplier
    if conn.execute(sa.select(t.c.id).where(t.c.kind == kind, t.c.value == value)).first():
        raise ValueError(f"«{value}» står allerede på listen")
    conn.execute(t.insert().values(kind=kind, value=value[:200], note=note or None))
    bump_data_version(conn)
    audit(conn, username, "pseudo.add", f"{kind}: {value}")


def remove_pseudo(conn: sa.Connection, entry_id: int, username: str) -> None:
    t = schema.pseudo_supplier
    row = conn.execute(sa.select(t.c.kind, t.c.value).where(t.c.id == entry_id)).first()
    if row is None:
        raise ValueError("finnes ikke")
    conn.execute(t.delete().where(t.c.id == entry_id))
    bump_data_version(conn)
    audit(conn, username, "pseudo.remove", f"{row[0]}: {row[1]}")
