"""Reading thresholds (``threshold``) and the ledger lines behind a threshold-watch flag.

The watch itself is pure Polars on the cube (:mod:`data_access.metrics.thresholds`); the lines
behind a flag are read exactly from ``ledger_line`` here, with the same window, filters and
scope, the scope and limit in SQL. Admins edit the table in :mod:`data_access.admin.thresholds`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import connected, read_frame
from data_access.store.filters import add_months
from data_access.store.scope import Scope, historical_codes
from data_access.store.suppliers import PRIVATE_LABEL

COLUMNS = (
    "valid_from",
    "regulation_lower_limit_nok",
    "national_threshold_nok",
    "eea_threshold_municipal_goods_services_nok",
    "eea_threshold_works_nok",
    "source",
)


def load_thresholds(conn: sa.Connection | sa.Engine) -> pl.DataFrame:
    t = schema.threshold
    return read_frame(conn, sa.select(*[t.c[k] for k in COLUMNS]).order_by(t.c.valid_from))


# --- the lines behind a flag -----------------------------------------------------------------


def _month_end(d: dt.date) -> dt.date:
    return add_months(d, 1) - dt.timedelta(days=1)


def _flag_conditions(
    conn: sa.Connection,
    scope: Scope,
    *,
    supplier_id: int,
    window_start: dt.date,
    window_end: dt.date,
    municipality_now: str | None,
    category_id: int | None,
    categories: tuple[int, ...],
    municipalities: tuple[str, ...],
    area: str,
) -> list[sa.ColumnElement[bool]]:
    """WHERE conditions for the lines behind a flag (ledger_line ⋈ municipality ⋈ category)."""
    lt, m, c = schema.ledger_line, schema.municipality, schema.category
    cond: list[sa.ColumnElement[bool]] = [
        lt.c.supplier_id == supplier_id,
        lt.c.agreement_id.is_(None),
        lt.c.spend_class == "purchase",
        lt.c.date.between(window_start, _month_end(window_end)),
    ]
    codes = historical_codes(conn, scope)
    if codes is not None:
        cond.append(lt.c.municipality_code.in_(codes))
    wanted: set[str] | None = {municipality_now} if municipality_now else None
    if municipalities:
        wanted = set(municipalities) if wanted is None else wanted & set(municipalities)
    if wanted is not None:
        cond.append(m.c.current_code.in_(sorted(wanted)))
    if category_id is not None:
        cond.append(lt.c.category_id == category_id)
    if categories:
        cond.append(sa.or_(c.c.id.in_(categories), c.c.parent_id.in_(categories)))
    if area != "alle":
        cond.append(lt.c.area == area)
    return cond


def flag_lines(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    *,
    supplier_id: int,
    window_start: dt.date,
    window_end: dt.date,
    municipality_now: str | None = None,
    category_id: int | None = None,
    categories: tuple[int, ...] = (),
    municipalities: tuple[str, ...] = (),
    area: str = "drift",
    limit: int = 500,
) -> tuple[pl.DataFrame, int, float]:
    """The unmatched purchase lines behind a flag, read from ``ledger_line`` with the scope,
    filters and limit in SQL, largest amount first, plus the number of lines and their sum
    (NOK) without the limit. ``window_end`` is the first day of the last month (as in
    ``threshold_watch``); the whole month is included.

    Raises PermissionError for a scope without line detail (``leder`` unless granted).
    """
    if not scope.may_see_lines:
        raise PermissionError("brukeren har ikke tilgang til fakturalinjer")
    with connected(conn) as conn:
        lt, m, s, c = schema.ledger_line, schema.municipality, schema.supplier, schema.category
        cond = _flag_conditions(
            conn,
            scope,
            supplier_id=supplier_id,
            window_start=window_start,
            window_end=window_end,
            municipality_now=municipality_now,
            category_id=category_id,
            categories=categories,
            municipalities=municipalities,
            area=area,
        )

        def joined(q: sa.Select[Any]) -> sa.Select[Any]:
            return (
                q.join(m, m.c.code == lt.c.municipality_code)
                .join(s, s.c.id == lt.c.supplier_id)
                .join(c, c.c.id == lt.c.category_id)
                .where(*cond)
            )

        q = joined(
            sa.select(
                lt.c.date,
                m.c.current_code.label("municipality_now"),
                lt.c.municipality_code,
                sa.case(
                    (s.c.is_private, sa.literal(PRIVATE_LABEL)),
                    else_=sa.func.coalesce(s.c.register_name, s.c.name),
                ).label("supplier_name"),
                lt.c.account,
                c.c.name.label("category"),
                lt.c.amount_ore,
                lt.c.invoice_id,
                lt.c.contract_ref,
                lt.c.ehandel,
                # Free text about a private person may name them: never shown.
                sa.case((s.c.is_private, sa.null()), else_=lt.c.description).label("description"),
            ).select_from(lt)
        )
        df = read_frame(conn, q.order_by(lt.c.amount_ore.desc(), lt.c.id).limit(limit))
        n, total = conn.execute(
            joined(
                sa.select(
                    sa.func.count(), sa.func.coalesce(sa.func.sum(lt.c.amount_ore), 0)
                ).select_from(lt)
            )
        ).one()
        lines = df.with_columns(amount=pl.col("amount_ore").cast(pl.Float64) / 100).drop(
            "amount_ore"
        )
        return lines, int(n), int(total) / 100
