"""Review of suspected private persons (PRODUCT.md §3.2), for admins only.

A name that merely *looks* like a person's (no orgnr, no flag, no national identity number) is
masked as "Privatperson" everywhere, but the importer keeps it on a supplier of its own with the
name held (``supplier.held_name``). An admin sees those names here and can **release** a wrong
suspicion — a sole trader or an organisation the heuristic missed — after which the supplier is
shown by its name and counted in every figure like any other; later imports of the same name or
supplier number stay released. Lines flagged private (a column or a profile value) and national
identity numbers are never held by name and cannot be released.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import audit, bump_data_version, read_frame
from data_access.store.scope import Scope


def _require_admin(scope: Scope) -> None:
    if scope.role != "admin":
        raise PermissionError("bare administratorer kan se og frigi mistenkte privatpersoner")


def suspected(conn: sa.Connection, scope: Scope) -> pl.DataFrame:
    """Suspected and released persons: supplier_id, name (held), status, n_lines, amount (NOK)."""
    _require_admin(scope)
    s, lt = schema.supplier, schema.ledger_line
    stmt = (
        sa.select(
            s.c.id.label("supplier_id"),
            s.c.held_name.label("name"),
            s.c.private_reason.label("status"),
            sa.func.count(lt.c.id).label("n_lines"),
            sa.func.coalesce(sa.func.sum(lt.c.amount_ore), 0).label("amount_ore"),
        )
        .select_from(s)
        .outerjoin(lt, lt.c.supplier_id == s.c.id)
        .where(s.c.private_reason.in_(["mistanke", "frigitt"]))
        .group_by(s.c.id, s.c.held_name, s.c.private_reason)
        .order_by(s.c.private_reason.desc(), s.c.held_name)
    )
    df = read_frame(conn, stmt)
    return df.with_columns(
        amount=pl.col("amount_ore").cast(pl.Float64) / 100.0,
        status=pl.col("status").replace({"mistanke": "skjult", "frigitt": "frigitt"}),
    ).drop("amount_ore")


def release(conn: sa.Connection, supplier_id: int, scope: Scope, username: str) -> str:
    """Show a wrongly suspected supplier by its name from now on; returns the name."""
    _require_admin(scope)
    s, lt = schema.supplier, schema.ledger_line
    row = conn.execute(
        sa.select(s.c.held_name, s.c.private_reason).where(s.c.id == supplier_id)
    ).first()
    if row is None or row.private_reason != "mistanke" or not row.held_name:
        raise ValueError(
            "bare leverandører skjult på grunn av et personlignende navn kan frigis "
            "(merkede privatpersoner og fødselsnumre forblir skjult)"
        )
    conn.execute(
        s.update()
        .where(s.c.id == supplier_id)
        .values(name=row.held_name, is_private=False, private_reason="frigitt")
    )
    conn.execute(
        lt.update().where(lt.c.supplier_id == supplier_id).values(supplier_name_raw=row.held_name)
    )
    bump_data_version(conn)
    audit(conn, username, "private.release", f"leverandør {supplier_id} frigitt (ikke person)")
    return str(row.held_name)
