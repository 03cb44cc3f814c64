"""Users and roles, kept in the database (``app_user``) so that a shared deployment manages them
in one place. Passwords are bcrypt hashes, the format streamlit-authenticator verifies.

There is no default password anywhere: the first start creates ``admin`` with a generated
password that is printed once to the terminal (``ensure_first_admin``). This module holds every
change to users (each audit-logged); reading them is :mod:`data_access.store.users`.
"""

from __future__ import annotations

import datetime as dt
import secrets

import bcrypt
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import audit
from data_access.store.login_security import revoke_sessions
from data_access.store.scope import ROLES, Scope

BCRYPT_ROUNDS = 12


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    if len(password.encode()) > 72:
        raise ValueError("passordet kan være høyst 72 byte")
    if len(password) < 8:
        raise ValueError("passordet må ha minst 8 tegn")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def _codes(municipalities: list[str] | tuple[str, ...] | None) -> str | None:
    if not municipalities:
        return None
    return ",".join(sorted({m.strip() for m in municipalities if m.strip()}))


def add_user(
    conn: sa.Connection,
    username: str,
    *,
    name: str,
    role: str,
    password: str,
    municipalities: list[str] | None = None,
    line_detail: bool = False,
    email: str | None = None,
    by: str = "cli",
    rounds: int = BCRYPT_ROUNDS,
) -> None:
    """Create a user; a ``kommune`` user must name the municipalities (today's codes)."""
    if role not in ROLES:
        raise ValueError(f"ukjent rolle {role!r}; gyldige: {', '.join(ROLES)}")
    Scope(role=role, municipalities=frozenset(municipalities) if municipalities else None)
    if role == "kommune":
        known = set(conn.execute(sa.select(schema.municipality.c.current_code)).scalars())
        unknown = set(municipalities or []) - known
        if unknown:
            raise ValueError(f"ukjent kommunenummer {', '.join(sorted(unknown))}")
    exists = conn.execute(
        sa.select(schema.app_user.c.username).where(schema.app_user.c.username == username)
    ).scalar()
    if exists:
        raise ValueError(f"brukeren {username!r} finnes allerede")
    conn.execute(
        schema.app_user.insert().values(
            username=username,
            name=name,
            email=email,
            password_hash=hash_password(password, rounds),
            role=role,
            municipalities=_codes(municipalities) if role == "kommune" else None,
            line_detail=line_detail,
            active=True,
            created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
    )
    audit(conn, by, "user.add", f"{username} role={role} municipalities={_codes(municipalities)}")


def set_password(conn: sa.Connection, username: str, password: str, *, by: str = "cli") -> None:
    t = schema.app_user
    n = conn.execute(
        t.update().where(t.c.username == username).values(password_hash=hash_password(password))
    ).rowcount
    if not n:
        raise ValueError(f"ingen bruker {username!r}")
    audit(conn, by, "user.passwd", username)
    revoke_sessions(conn, username, by=by, reason="nytt passord")


def ensure_first_admin(conn: sa.Connection) -> str | None:
    """Create ``admin`` with a generated password when there are no users; return it once."""
    if conn.execute(sa.select(sa.func.count()).select_from(schema.app_user)).scalar():
        return None
    password = secrets.token_urlsafe(12)
    add_user(conn, "admin", name="Administrator", role="admin", password=password, by="first-start")
    return password


def update_user(
    conn: sa.Connection,
    username: str,
    *,
    role: str,
    municipalities: list[str] | None,
    line_detail: bool,
    active: bool,
    by: str,
) -> None:
    """Change a user's role, scope, line-detail grant or active flag (audit-logged).

    The last active admin cannot be demoted or deactivated, so the installation never locks
    itself out.
    """
    if role not in ROLES:
        raise ValueError(f"ukjent rolle {role!r}")
    Scope(role=role, municipalities=frozenset(municipalities) if municipalities else None)
    t = schema.app_user
    if role != "admin" or not active:
        admins = set(
            conn.execute(
                sa.select(t.c.username).where(t.c.role == "admin", t.c.active.is_(True))
            ).scalars()
        )
        if admins == {username}:
            raise ValueError("den siste aktive administratoren kan ikke fjernes")
    n = conn.execute(
        t.update()
        .where(t.c.username == username)
        .values(
            role=role,
            municipalities=_codes(municipalities) if role == "kommune" else None,
            line_detail=line_detail,
            active=active,
        )
    ).rowcount
    if not n:
        raise ValueError(f"ingen bruker {username!r}")
    audit(
        conn,
        by,
        "user.update",
        f"{username} role={role} municipalities={_codes(municipalities)} "
        f"line_detail={line_detail} active={active}",
    )
    if not active:
        revoke_sessions(conn, username, by=by, reason="deaktivert")
