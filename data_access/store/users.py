"""Reading users and the audit trail (``app_user``, ``audit_log``): who may log in, with which
scope. Every change to users is in :mod:`data_access.admin.users`, audit-logged."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import connected, read_frame
from data_access.store.scope import Scope


def list_users(conn: sa.Connection | sa.Engine) -> pl.DataFrame:
    t = schema.app_user
    return read_frame(
        conn,
        sa.select(
            t.c.username,
            t.c.name,
            t.c.role,
            t.c.municipalities,
            t.c.line_detail,
            t.c.active,
            t.c.created_at,
        ).order_by(t.c.username),
    )


def scope_for(conn: sa.Connection | sa.Engine, username: str) -> Scope | None:
    """The access scope of an active user, or None (unknown or deactivated user)."""
    t = schema.app_user
    q = sa.select(t.c.role, t.c.municipalities, t.c.line_detail).where(
        t.c.username == username, t.c.active.is_(True)
    )
    with connected(conn) as c:
        row = c.execute(q).first()
    if row is None:
        return None
    munis = frozenset(row.municipalities.split(",")) if row.municipalities else None
    return Scope(
        role=row.role, municipalities=munis, line_detail=bool(row.line_detail), username=username
    )


def credentials(conn: sa.Connection | sa.Engine) -> dict[str, dict[str, dict[str, object]]]:
    """The credentials dict streamlit-authenticator takes (active users, hashed passwords)."""
    t = schema.app_user
    q = sa.select(t.c.username, t.c.name, t.c.email, t.c.password_hash, t.c.role).where(
        t.c.active.is_(True)
    )
    with connected(conn) as c:
        rows = c.execute(q).all()
    return {
        "usernames": {
            r.username: {
                "name": r.name,
                "email": r.email or f"{r.username}@localhost",
                "password": r.password_hash,
                "roles": [r.role],
            }
            for r in rows
        }
    }


def audit_log(conn: sa.Connection | sa.Engine, limit: int = 200) -> pl.DataFrame:
    """The newest audit-log entries (who did what when)."""
    a = schema.audit_log
    return read_frame(
        conn,
        sa.select(a.c.at, a.c.username, a.c.action, a.c.detail)
        .order_by(a.c.id.desc())
        .limit(limit),
    )
