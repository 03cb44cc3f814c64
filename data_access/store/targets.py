"""A member's part of the yearly savings target, summed in SQL on the cube's rollup
(``spend_rollup``: the cube summed over supplier, e-handel and agreement), for a session
that holds only its own scoped cube: two sums leave the database, never another member's rows
(``metrics.savings_summary.target_share`` is the same rule on a cube in memory)."""

from __future__ import annotations

import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import connected
from data_access.store.filters import Filters


def target_share_from_db(
    conn: sa.Connection | sa.Engine, f: Filters, codes: frozenset[str] | None
) -> float:
    """``metrics.savings_summary.target_share`` computed in SQL on the spend cube, for a session that holds only
    its own scoped cube: two sums leave the database, never another member's rows."""
    if codes is None:
        return 1.0
    c, m = schema.spend_rollup, schema.municipality  # the cube summed over supplier etc.
    cond = [c.c.month.between(f.start, f.end), c.c.spend_class == "purchase"]
    if f.area != "alle":
        cond.append(c.c.area == f.area)
    own = c.c.municipality_code.in_(
        sa.select(m.c.code).where(m.c.current_code.in_(sorted(codes)))
    ) | c.c.municipality_code.in_(sorted(codes))
    q = sa.select(
        sa.func.coalesce(sa.func.sum(c.c.amount_ore), 0),
        sa.func.coalesce(sa.func.sum(sa.case((own, c.c.amount_ore), else_=0)), 0),
    ).where(*cond)
    with connected(conn) as cn:
        total, part = cn.execute(q).one()
    return float(part) / float(total) if total else 0.0
