"""Login throttling, lockout and session revocation, kept in the database.

streamlit-authenticator keeps its failure counter in the credentials dict, which the app
rebuilds from the database on every run, so its own limit never triggers (STACK.md). Here the
failures live in ``login_throttle``, one row per user name and one per client address:

- after each failure the next try is refused for a growing delay (1, 2, 4 … s, at most 30 s);
- after ``INNSIKT_LOGIN_MAX_FAILURES`` failures (per client address: three times as many) the
  key is locked for ``INNSIKT_LOGIN_LOCK_MINUTES``; an admin can unlock it earlier;
- failures older than the lock period are forgotten; a successful login clears the user's row
  (not the address's: a valid account must not reset an attacker's count).

Revocation: every user has a ``token_version``. A login cookie carries the version it was issued
under; logout, a password change, deactivation and "Logg ut overalt" bump it, so every cookie and
every open session of that user ends at once (checked on every run in ``ui/auth.py``).

Everything here is audited and free of Streamlit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from data_access.store import schema, settings
from data_access.store.db import audit, connected, read_frame

MAX_DELAY_S = 30
IP_FACTOR = 3  # a client address may fail this many times more often than one user name


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def max_failures() -> int:
    return max(1, int(settings.get("INNSIKT_LOGIN_MAX_FAILURES") or 5))


def lock_minutes() -> float:
    return max(0.0, float(settings.get("INNSIKT_LOGIN_LOCK_MINUTES") or 15))


def user_key(username: str) -> str:
    """The throttle key of a user name, normalized as the login library does."""
    return "user:" + username.lower().strip()[:150]


def ip_key(address: str | None) -> str | None:
    """The throttle key of a client address; None when it is unknown (AppTest, some proxies):
    one shared "unknown" bucket would let one attacker lock everybody out."""
    return "ip:" + address[:150] if address else None


def _keys(username: str, address: str | None) -> list[tuple[str, int]]:
    keys = [(user_key(username), max_failures())]
    ip = ip_key(address)
    if ip is not None:
        keys.append((ip, IP_FACTOR * max_failures()))
    return keys


@dataclass(frozen=True)
class Refusal:
    """Why a login attempt is refused before the password is checked, and until when."""

    locked: bool
    until: dt.datetime

    def message(self, at: dt.datetime | None = None) -> str:
        seconds = max(1, int((self.until - (at or now())).total_seconds() + 0.999))
        if self.locked:
            minutes = max(1, (seconds + 59) // 60)
            return (
                "For mange mislykkede innlogginger. Innloggingen er sperret i "
                f"{minutes} min. En administrator kan oppheve sperren."
            )
        return f"Vent {seconds} s før du prøver igjen."


def _rows(conn: sa.Connection, keys: list[str]) -> list[sa.Row[Any]]:
    t = schema.login_throttle
    return list(conn.execute(sa.select(t).where(t.c.key.in_(keys))).all())


def _fresh(row: sa.Row[Any], at: dt.datetime) -> bool:
    """Failures older than the lock period are forgotten."""
    return bool(row.last_failure_at >= at - dt.timedelta(minutes=lock_minutes()))


def check(
    conn: sa.Connection, username: str, address: str | None, at: dt.datetime | None = None
) -> Refusal | None:
    """A refusal if this user name or client address is locked or must still wait."""
    at = at or now()
    worst: Refusal | None = None
    for row in _rows(conn, [k for k, _limit in _keys(username, address)]):
        if row.locked_until is not None and row.locked_until > at:
            r = Refusal(True, row.locked_until)
        elif row.next_try_at is not None and row.next_try_at > at and _fresh(row, at):
            r = Refusal(False, row.next_try_at)
        else:
            continue
        if worst is None or (r.locked, r.until) > (worst.locked, worst.until):
            worst = r
    return worst


def _claimed_row(conn: sa.Connection, key: str, at: dt.datetime) -> sa.Row[Any]:
    """The key's row, created if missing and held by this transaction until it ends.

    Looking for the row and inserting it in two statements raced: two first failures at once
    for one key (a user name tried from two browsers, two users behind one address) both found
    no row, and the second insert broke the login form with a primary-key error. An insert
    that does nothing on conflict cannot fail that way, and reading the row after it — with
    ``FOR UPDATE`` on PostgreSQL; SQLite already holds the write lock from the insert — sees
    the other failure, so neither is lost. The new row counts 0 failures until updated below,
    in the same transaction, so no one sees it so.
    """
    t = schema.login_throttle
    insert = pg_insert(t) if conn.dialect.name == "postgresql" else sqlite_insert(t)
    conn.execute(
        insert.values(key=key, failures=0, last_failure_at=at).on_conflict_do_nothing(
            index_elements=[t.c.key]
        )
    )
    return conn.execute(sa.select(t).where(t.c.key == key).with_for_update()).one()


def record_failure(
    conn: sa.Connection, username: str, address: str | None, at: dt.datetime | None = None
) -> None:
    """Count a wrong password for the user name and the client address (audited).

    Keys are taken in one order (user name, then address), so two failures at once wait for
    each other instead of deadlocking."""
    at = at or now()
    t = schema.login_throttle
    for key, limit in _keys(username, address):
        row = _claimed_row(conn, key, at)
        before = row.failures if _fresh(row, at) else 0
        if row.locked_until is not None and row.locked_until <= at:
            before = 0  # a lock that ran out starts a new count
        failures = before + 1
        delay = dt.timedelta(seconds=min(MAX_DELAY_S, 2 ** (failures - 1)))
        locked_until = at + dt.timedelta(minutes=lock_minutes()) if failures >= limit else None
        conn.execute(
            t.update()
            .where(t.c.key == key)
            .values(
                failures=failures,
                last_failure_at=at,
                next_try_at=at + delay,
                locked_until=locked_until,
            )
        )
        if locked_until is not None and (row.locked_until is None or row.locked_until <= at):
            audit(conn, "system", "login.locked", f"{key} after {failures} failures")
    audit(conn, username.lower().strip()[:80] or "?", "login.failed", f"from {address or 'ukjent'}")


def record_success(conn: sa.Connection, username: str, address: str | None) -> None:
    t = schema.login_throttle
    conn.execute(t.delete().where(t.c.key == user_key(username)))
    audit(conn, username, "login.ok", f"from {address or 'ukjent'}")


def unlock(conn: sa.Connection, key_or_user: str, *, by: str) -> int:
    """Lift a lock (and the waiting delay) early; a bare name means ``user:<name>``."""
    key = key_or_user if key_or_user.startswith(("user:", "ip:")) else user_key(key_or_user)
    t = schema.login_throttle
    n = conn.execute(t.delete().where(t.c.key == key)).rowcount
    audit(conn, by, "login.unlock", key)
    return int(n or 0)


def locks(conn: sa.Connection | sa.Engine, at: dt.datetime | None = None) -> pl.DataFrame:
    """Keys locked right now (for Administrasjon)."""
    t = schema.login_throttle
    at = at or now()
    return read_frame(
        conn,
        sa.select(t.c.key, t.c.failures, t.c.last_failure_at, t.c.locked_until)
        .where(t.c.locked_until > at)
        .order_by(t.c.key),
    )


# --- revocation ---------------------------------------------------------------------------


def token_version(conn: sa.Connection | sa.Engine, username: str) -> int | None:
    """The current token version of an active user; None for unknown or deactivated users."""
    u = schema.app_user
    q = sa.select(u.c.token_version).where(u.c.username == username, u.c.active.is_(True))
    with connected(conn) as c:
        value = c.execute(q).scalar()
    return None if value is None else int(value)


def revoke_sessions(conn: sa.Connection, username: str, *, by: str, reason: str) -> None:
    """End every login cookie and open session of the user (bump the token version)."""
    u = schema.app_user
    conn.execute(
        u.update().where(u.c.username == username).values(token_version=u.c.token_version + 1)
    )
    audit(conn, by, "user.sessions_revoked", f"{username}: {reason}")
