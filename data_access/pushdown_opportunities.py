"""Muligheter aggregated by the database, for a scope too large to hold as a cube.

``metrics.opportunities.opportunities_of`` ranks the categories from the addressable purchases
(purchases matched to no agreement, private persons left out) of the 48 months ending with the
period's last month: per category and month, the municipalities and the suppliers buying each
category in the last 12 months. PostgreSQL sums them within the scope and the filters
(:func:`addressable`); one category's suppliers are summed when a person opens it
(:func:`category_suppliers`). The figures are the cube's
(``tests/test_pushdown_opportunities.py``, both databases).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import sqlalchemy as sa

from data_access.metrics.coverage import expiring
from data_access.metrics.opportunities import (
    Addressable,
    OpportunitySettings,
    category_suppliers_of,
    opportunities_of,
)
from data_access.pushdown_sql import conditions, today_code
from data_access.store import schema
from data_access.store.cube import load_categories, load_suppliers
from data_access.store.db import connected, read_frame, side_by_side
from data_access.store.filters import Filters, add_months
from data_access.store.scope import Scope


def _addressable_select(
    conn: sa.Connection, scope: Scope, f: Filters, since: dt.date, *columns: Any
) -> sa.Select[Any]:
    """``columns`` of the addressable purchases within the scope and ``f``'s municipalities,
    categories and area, in the months from ``since`` to the period's last."""
    cube, s = schema.spend_cube, schema.supplier
    return (
        sa.select(*columns)
        .select_from(cube.outerjoin(s, s.c.id == cube.c.supplier_id))
        .where(
            *conditions(conn, scope, f, period=False),
            cube.c.spend_class == "purchase",
            cube.c.agreement_id.is_(None),
            sa.not_(sa.func.coalesce(s.c.is_private, sa.false())),
            cube.c.month.between(since, f.end),
        )
    )


def addressable(conn: sa.Connection | sa.Engine, scope: Scope, f: Filters) -> Addressable:
    """``metrics.opportunities.addressable``, summed by the database in three statements side
    by side (``store.db.side_by_side``, one snapshot): the 48 months per category and month;
    the last 12 months per category and buyer (the buying members) and per category the
    suppliers of those months and those one municipality buys from (only counts leave the
    database). Whether more than one municipality is in view is read from the 12 months'
    buyers, and only when they are fewer than two from the 48 months' (counting the distinct
    buyers of the 48 months in SQL took 2,6 s of a national year's 4,7–5,3 s)."""
    cube = schema.spend_cube
    since12, since48 = add_months(f.end, -11), add_months(f.end, -47)

    def monthly(cn: sa.Connection) -> pl.DataFrame:
        q = _addressable_select(
            cn, scope, f, since48, cube.c.category_id, cube.c.month, _ore().label("ore")
        )
        return read_frame(cn, q.group_by(cube.c.category_id, cube.c.month)).select(
            pl.col("category_id").cast(pl.Int64),
            pl.col("month").cast(pl.Date),
            amount=pl.col("ore").cast(pl.Float64) / 100.0,
        )

    def buyers(cn: sa.Connection) -> pl.DataFrame:
        buyer = today_code(cn, cube.c.municipality_code).label("buyer")
        q = _addressable_select(cn, scope, f, since12, cube.c.category_id, buyer, _ore())
        return read_frame(cn, q.group_by(cube.c.category_id, buyer).having(_ore() > 0))

    def suppliers(cn: sa.Connection) -> pl.DataFrame:
        n = sa.func.count(sa.distinct(today_code(cn, cube.c.municipality_code))).label("n")
        per_supplier = (
            _addressable_select(cn, scope, f, since12, cube.c.category_id, n)
            .group_by(cube.c.category_id, cube.c.supplier_id)
            .having(_ore() > 0)
            .subquery()
        )
        q = sa.select(
            per_supplier.c.category_id,
            sa.func.count().label("suppliers"),
            sa.func.sum(sa.case((per_supplier.c.n == 1, 1), else_=0)).label("single"),
        ).group_by(per_supplier.c.category_id)
        return read_frame(cn, q).select(
            pl.col("category_id").cast(pl.Int64),
            pl.col("suppliers").cast(pl.UInt32),
            suppliers_single=pl.col("single").cast(pl.UInt32),
        )

    tasks = (monthly, buyers, suppliers)
    with connected(conn) as cn:  # for the 48 months' buyers, when asked
        if isinstance(conn, sa.Engine):
            months, per_buyer, sups = side_by_side(conn, *tasks)
        else:
            months, per_buyer, sups = (task(cn) for task in tasks)
        joint = per_buyer["buyer"].n_unique() > 1 or _buyers(cn, scope, f, since48) > 1
    members = per_buyer.group_by(pl.col("category_id").cast(pl.Int64)).agg(members=pl.len())
    return Addressable(monthly=months, members=members, suppliers=sups, joint=joint)


def _buyers(conn: sa.Connection, scope: Scope, f: Filters, since: dt.date) -> int:
    """How many municipalities have addressable rows from ``since`` to the period's end (at
    most two are counted: the caller asks whether there is more than one)."""
    buyer = today_code(conn, schema.spend_cube.c.municipality_code).label("buyer")
    q = _addressable_select(conn, scope, f, since, buyer).group_by(buyer).limit(2)
    return len(conn.execute(q).all())


def _ore() -> sa.ColumnElement[Any]:
    return sa.func.sum(schema.spend_cube.c.amount_ore)


def opportunities(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    f: Filters,
    agreements: pl.DataFrame,
    participants: pl.DataFrame,
    thresholds: pl.DataFrame,
    *,
    agreement_cats: pl.DataFrame,
    members_total: int,
    settings: OpportunitySettings | None = None,
    as_of: dt.date | None = None,
    breadth: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``metrics.opportunities.opportunities`` from the database's sums (:func:`addressable`);
    the expiring agreements are only counted, so no purchases are read for them."""
    as_of = as_of or add_months(f.end, 1)
    none_bought = pl.DataFrame(
        schema={
            "month": pl.Date,
            "spend_class": pl.String,
            "agreement_id": pl.Int64,
            "amount": pl.Float64,
        }
    )
    with connected(conn) as cn:
        a = addressable(cn, scope, f)
        names = load_categories(cn)
    return opportunities_of(
        a,
        f,
        agreements,
        thresholds,
        names=names.select(pl.col("category_id").cast(pl.Int64), "category", "category_l1"),
        expiring_agreements=expiring(
            agreements,
            none_bought,
            participants,
            as_of,
            12,
            municipalities=scope.municipalities,
            last=as_of,
        ),
        agreement_cats=agreement_cats,
        members_total=members_total,
        settings=settings,
        breadth=breadth,
    )


def category_suppliers(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    f: Filters,
    category_id: int,
    suppliers: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``metrics.opportunities.category_suppliers`` summed by the database: one category's
    addressable purchases of the last 12 months per supplier, named from ``suppliers``
    (``store.cube.load_suppliers``'s frame; read here when not given)."""
    cube = schema.spend_cube
    with connected(conn) as cn:
        buyer = today_code(cn, cube.c.municipality_code)
        q = (
            _addressable_select(
                cn,
                scope,
                f,
                add_months(f.end, -11),
                cube.c.supplier_id,
                sa.func.count(sa.distinct(buyer)).label("municipalities"),
                sa.func.sum(cube.c.amount_ore).label("ore"),
            )
            .where(cube.c.category_id == category_id)
            .group_by(cube.c.supplier_id)
        )
        sums = read_frame(cn, q)
        names = suppliers if suppliers is not None else load_suppliers(cn)
    out = sums.select(
        pl.col("supplier_id").cast(pl.Int64),
        pl.col("municipalities").cast(pl.Int64),
        addressable_12m=pl.col("ore").cast(pl.Float64) / 100.0,
    ).join(
        names.select(pl.col("supplier_id").cast(pl.Int64), "supplier_name", "orgnr"),
        on="supplier_id",
        how="left",
    )
    return category_suppliers_of(
        out.select("supplier_id", "supplier_name", "orgnr", "municipalities", "addressable_12m")
    )
