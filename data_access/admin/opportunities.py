"""Muligheter: the stored settings (ranking weights, default rates per category group) and the
cooperation-wide counts a scoped user may see.

Settings live in ``app_setting`` under keys prefixed ``opportunities_`` as JSON; staff
(admin, analyst) change them, every change is audit-logged. A missing or unreadable value falls
back to the shipped defaults (``metrics.opportunities``), so a bad edit never breaks the page.

``cooperation_breadth`` answers one question for a ``kommune`` user — how many members buy each
category outside agreements — from the spend cube in SQL, returning counts only: no other
member's amount ever leaves the database.
"""

from __future__ import annotations

import json

import polars as pl
import sqlalchemy as sa

from data_access.metrics.opportunities import (
    DEFAULT_RATES,
    FALLBACK_RATE,
    OpportunitySettings,
    Rate,
    Weights,
)
from data_access.store import schema
from data_access.store.db import (
    audit,
    bump_data_version,
    connected,
    get_setting,
    read_frame,
    set_setting,
)
from data_access.store.filters import Filters, add_months
from data_access.store.scope import Scope

WEIGHTS_KEY = "opportunities_weights"
RATES_KEY = "opportunities_default_rates"
FALLBACK_GROUP = "*"  # the rate for a category group without its own default
STAFF = ("admin", "analyst")


def _weights(raw: str | None) -> Weights:
    try:
        d = json.loads(raw) if raw else {}
        return Weights(**{k: float(v) for k, v in d.items() if k in Weights.__annotations__})
    except (ValueError, TypeError):
        return Weights()


def _rates(raw: str | None) -> tuple[tuple[tuple[str, Rate], ...], Rate]:
    rates, fallback = dict(DEFAULT_RATES), FALLBACK_RATE
    try:
        stored = json.loads(raw) if raw else {}
        for group, (low, rate, high) in stored.items():
            r = Rate(float(low), float(rate), float(high))
            if group == FALLBACK_GROUP:
                fallback = r
            else:
                rates[str(group)] = r
    except (ValueError, TypeError, AttributeError):
        return tuple(DEFAULT_RATES.items()), FALLBACK_RATE
    return tuple(rates.items()), fallback


def load_settings(conn: sa.Connection | sa.Engine) -> OpportunitySettings:
    """The stored weights and default rates (shipped defaults where nothing is stored)."""
    with connected(conn) as c:
        weights = _weights(get_setting(c, WEIGHTS_KEY))
        rates, fallback = _rates(get_setting(c, RATES_KEY))
    return OpportunitySettings(weights=weights, default_rates=rates, fallback=fallback)


def _check_staff(scope: Scope) -> None:
    if scope.role not in STAFF:
        raise PermissionError("bare innkjøpskontoret (administrator eller analytiker) kan endre")


def save_weights(conn: sa.Connection, weights: Weights, scope: Scope) -> None:
    """Store the ranking weights (staff only), audit-logged, in the caller's transaction."""
    _check_staff(scope)
    old = load_settings(conn).weights
    value = {
        "potential": weights.potential,
        "breadth": weights.breadth,
        "threshold": weights.threshold,
    }
    set_setting(conn, WEIGHTS_KEY, json.dumps(value))
    audit(
        conn,
        scope.username or scope.role,
        "opportunities.weights",
        f"{old.potential:g}/{old.breadth:g}/{old.threshold:g} → "
        f"{weights.potential:g}/{weights.breadth:g}/{weights.threshold:g}",
    )
    bump_data_version(conn)


def save_default_rates(
    conn: sa.Connection, rates: dict[str, Rate], scope: Scope, *, fallback: Rate | None = None
) -> None:
    """Store the default rates per category group (staff only), audit-logged. Groups left out
    keep the shipped default."""
    _check_staff(scope)
    value: dict[str, list[float]] = {g: [r.low, r.rate, r.high] for g, r in rates.items()}
    if fallback is not None:
        value[FALLBACK_GROUP] = [fallback.low, fallback.rate, fallback.high]
    set_setting(conn, RATES_KEY, json.dumps(value, ensure_ascii=False))
    audit(
        conn,
        scope.username or scope.role,
        "opportunities.default_rates",
        "; ".join(f"{g}: {v[1]:.3f} ({v[0]:.3f}–{v[2]:.3f})" for g, v in sorted(value.items())),
    )
    bump_data_version(conn)


def members_total(conn: sa.Connection | sa.Engine) -> int:
    """The cooperation's members today (distinct current codes of member municipalities)."""
    m = schema.municipality
    with connected(conn) as c:
        return int(
            c.execute(
                sa.select(sa.func.count(sa.distinct(m.c.current_code))).where(m.c.is_member)
            ).scalar()
            or 0
        )


def cooperation_breadth(conn: sa.Connection | sa.Engine, f: Filters) -> pl.DataFrame:
    """category_id, members: how many members (today's codes) have positive spend outside
    agreements in each level-2 category in the 12 months ending ``f.end`` — across the whole
    cooperation, whatever the user's scope or municipality filter. Area and categories of ``f``
    apply. Only counts leave the database.
    """
    cube, m, s, c = schema.spend_cube, schema.municipality, schema.supplier, schema.category
    cond: list[sa.ColumnElement[bool]] = [
        cube.c.month >= add_months(f.end, -11),
        cube.c.month <= f.end,
        cube.c.spend_class == "purchase",
        cube.c.agreement_id.is_(None),
        sa.not_(s.c.is_private),
        m.c.is_member,
    ]
    if f.area != "alle":
        cond.append(cube.c.area == f.area)
    if f.categories:
        cats = list(f.categories)
        cond.append(sa.or_(c.c.id.in_(cats), c.c.parent_id.in_(cats)))
    per_member = (
        sa.select(cube.c.category_id, m.c.current_code)
        .select_from(
            cube.join(m, m.c.code == cube.c.municipality_code)
            .join(s, s.c.id == cube.c.supplier_id)
            .join(c, c.c.id == cube.c.category_id)
        )
        .where(*cond)
        .group_by(cube.c.category_id, m.c.current_code)
        .having(sa.func.sum(cube.c.amount_ore) > 0)
        .subquery()
    )
    q = sa.select(per_member.c.category_id, sa.func.count().label("members")).group_by(
        per_member.c.category_id
    )
    return read_frame(conn, q).with_columns(
        pl.col("category_id").cast(pl.Int64), pl.col("members").cast(pl.Int64)
    )


def agreement_categories_all(conn: sa.Connection | sa.Engine) -> pl.DataFrame:
    """agreement_id → category_id for the whole cooperation (the register's category, else the
    category holding most of the agreement's matched spend over all members) — the same rule
    as ``coverage.agreement_categories``, computed in SQL so a scoped user's rates come from
    every agreement without their amounts reaching the user. Only ids leave the database."""
    a, cube = schema.agreement, schema.spend_cube
    sums = (
        sa.select(
            cube.c.agreement_id,
            cube.c.category_id,
            sa.func.sum(cube.c.amount_ore).label("a"),
        )
        .where(cube.c.agreement_id.is_not(None), cube.c.spend_class == "purchase")
        .group_by(cube.c.agreement_id, cube.c.category_id)
    )
    with connected(conn) as c:
        dom = read_frame(c, sums)
        reg = read_frame(c, sa.select(a.c.id, a.c.category_id))
    dominant = (
        dom.with_columns(
            pl.col("agreement_id").cast(pl.Int64), pl.col("category_id").cast(pl.Int64)
        )
        .sort(["a", "category_id"], descending=[True, False])
        .unique("agreement_id", keep="first")
        .select("agreement_id", dominant="category_id")
    )
    return (
        reg.select(agreement_id=pl.col("id").cast(pl.Int64), r=pl.col("category_id").cast(pl.Int64))
        .join(dominant, on="agreement_id", how="left")
        .select("agreement_id", category_id=pl.coalesce("r", "dominant"))
        .filter(pl.col("category_id").is_not_null())
        .sort("agreement_id")
    )
