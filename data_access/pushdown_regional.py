"""Regionalt næringsliv aggregated by the database, for a scope too large to hold as a cube.

Every figure of the page sums purchases per buyer, category or supplier *and* the supplier's
regional level relative to its buyer — a level that exists only per buyer and supplier (the
supplier's home against the buying municipality's code of today), so the sums cannot be taken
over suppliers first, and per supplier and buyer they are almost the cube itself (377 000 sums
of a national year's 847 000 cube rows) — too many to send to the app. So the period's
purchases are summed per buyer, category and supplier in the database, each sum's level,
size class and flow key worked out there once, and one statement sums the five groupings the
page needs (PostgreSQL ``GROUPING SETS``, one scan; a ``UNION ALL`` of the same groupings
elsewhere): per municipality × category × level (the levels by municipality, by
category and in total), per municipality × size class (SME), per municipality × home key (the
flow matrix), per municipality × level with the suppliers that have sub-units kept apart
(head office against nearest sub-unit) and per category × supplier × level for suppliers
outside the region with a NACE code (regional alternatives). The rows are then named and
finished by the same ``metrics.regional`` functions as the cube's rows, so the figures are
the cube's (``tests/test_pushdown_regional.py``, both databases).

The definitions follow ``store.cube.with_regional_level`` (members from the municipality
table, the county of ``region.toml``) and ``metrics.regional.size_class``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import polars as pl
import sqlalchemy as sa

from data_access.metrics.regional import regional_in_use
from data_access.pushdown_sql import (
    category_ids,
    category_share,
    conditions,
    member_codes,
    summed_select,
    today_code,
    today_codes,
)
from data_access.store import schema
from data_access.store.cube import load_categories
from data_access.store.db import connected, read_frame, side_by_side
from data_access.store.filters import Filters
from data_access.store.reference import region
from data_access.store.scope import Scope, historical_codes

# The key columns of the period's scan, in the order of SQL's GROUPING() bit mask.
_KEYS = ("municipality_code", "category_id", "lvl", "size", "home_key", "sub_supplier", "far")
# The groupings, by what each serves on the page.
_SETS: dict[str, tuple[str, ...]] = {
    "levels": ("municipality_code", "category_id", "lvl"),
    "sizes": ("municipality_code", "size"),
    "flows": ("municipality_code", "home_key"),
    "locations": ("municipality_code", "sub_supplier", "lvl"),
    "far": ("category_id", "far", "lvl"),
}


def _mask(keys: tuple[str, ...], cols: tuple[str, ...]) -> int:
    """SQL's ``GROUPING(keys…)`` for a grouping by ``cols``: a bit per key left out, the first
    key the highest bit."""
    n = len(keys)
    return sum(1 << (n - 1 - i) for i, k in enumerate(keys) if k not in cols)


@dataclass(frozen=True)
class RegionalRows:
    """The period's purchase rows summed per the page's groupings, named like the cube's
    (``amount`` in kr, ``regional_level``, ``municipality_now``/``municipality_name``, the
    category's names), each ready for its ``metrics.regional`` ``…_of`` function."""

    levels: pl.DataFrame  # municipality, category, regional_level, amount
    sizes: pl.DataFrame  # municipality, size, amount
    flows: pl.DataFrame  # municipality, home_key, amount
    locations: pl.DataFrame  # municipality, supplier_id/orgnr (with sub-units), level, amount
    far: pl.DataFrame  # category, supplier (outside the region, with NACE), level, amount


def level_sql(
    home: sa.ColumnElement[str], buyer: sa.ColumnElement[str], members: list[str], county: str
) -> sa.ColumnElement[str]:
    """``store.cube.with_regional_level`` as SQL: the supplier's home against the buyer."""
    return sa.case(
        (home.is_(None), "abroad_unknown"),
        (home == buyer, "same"),
        (home.in_(members or ["-"]), "member"),
        (sa.func.substr(home, 1, len(county)) == county, "county"),
        else_="norway",
    )


def _tune(conn: sa.Connection) -> None:
    """PostgreSQL, for the rest of the transaction (of a connection this module opened): the
    groupings hashed in memory — at the default 4 MB it sorted the rows once per grouping,
    spilling to disk — and no JIT compilation, which took 0,4 s of a national year's query
    to compile what then ran in 1 s (``EXPLAIN ANALYZE``: 1,71 s with both defaults, 1,13 s
    without). Each grouping's hash table may grow to ``work_mem`` × ``hash_mem_multiplier``
    (2 in PostgreSQL 15), so up to 640 MB for the five in the worst case; the national
    bench's year used 3 MB (the groups are few: 28 821 rows)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
        conn.exec_driver_sql("SET LOCAL jit = off")


def _grouped(
    conn: sa.Connection, base: sa.Subquery, sets: dict[str, tuple[str, ...]], *, tune: bool
) -> pl.DataFrame:
    """Σ øre of ``base`` per each grouping in ``sets`` in one statement, with ``g`` naming the
    grouping of each row: ``GROUPING SETS`` on PostgreSQL (one scan), ``UNION ALL`` elsewhere."""
    return _named_groups(_grouped_ore(conn, base, sets, tune=tune), sets)


def _grouped_ore(
    conn: sa.Connection, base: sa.Subquery, sets: dict[str, tuple[str, ...]], *, tune: bool
) -> pl.DataFrame:
    """:func:`_grouped`'s rows before they are named: ``g`` the grouping's bit mask, ``ore``
    the sum in øre (sums of parts of the rows add up exactly)."""
    # GROUPING() takes only columns some grouping uses (PostgreSQL refuses the others).
    keys = _keys_of(sets)
    cols = {k: base.c[k] for k in keys}
    ore = sa.func.coalesce(sa.func.sum(base.c.amount_ore), 0).label("ore")
    if conn.dialect.name == "postgresql":
        q = sa.select(
            sa.type_coerce(sa.func.grouping(*cols.values()), sa.Integer).label("g"),
            *cols.values(),
            ore,
        ).group_by(
            sa.func.grouping_sets(*[sa.tuple_(*[cols[k] for k in v]) for v in sets.values()])
        )
    else:
        parts = [
            sa.select(
                sa.literal(_mask(keys, v), sa.Integer).label("g"),
                *[c if k in v else sa.cast(sa.null(), c.type).label(k) for k, c in cols.items()],
                ore,
            ).group_by(*[cols[k] for k in v])
            for v in sets.values()
        ]
        q = sa.union_all(*parts).subquery().select()
    if tune:  # only on a connection of our own: the settings last to the transaction's end
        _tune(conn)
    return read_frame(conn, q).with_columns(pl.col("g").cast(pl.Int64))


def _keys_of(sets: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(k for k in _KEYS if any(k in v for v in sets.values()))


def _named_groups(frame: pl.DataFrame, sets: dict[str, tuple[str, ...]]) -> pl.DataFrame:
    """``g`` as the grouping's name from ``sets``, ``ore`` as ``amount`` in kr."""
    names = {_mask(_keys_of(sets), v): name for name, v in sets.items()}
    return frame.with_columns(
        g=pl.col("g").replace_strict(names, return_dtype=pl.String),
        amount=pl.col("ore").cast(pl.Float64) / 100.0,
    ).drop("ore")


def _named(
    rows: pl.DataFrame,
    conn: sa.Connection,
    *,
    suppliers: pl.DataFrame | None = None,
    supplier_cols: tuple[str, ...] = (),
) -> pl.DataFrame:
    """Names onto summed rows as ``store.cube.enrich`` puts them onto the cube's: today's code
    and name of the buyer, the category's names and sort key, and the supplier's
    ``supplier_cols`` from ``suppliers`` (``store.cube.load_suppliers``'s frame)."""
    out = rows
    if "municipality_code" in out.columns:
        now, names = today_codes(conn)
        out = out.join(now, on="municipality_code", how="left").join(
            names, on="municipality_now", how="left"
        )
    if "category_id" in out.columns:
        cats = load_categories(conn).with_columns(pl.col("category_id").cast(pl.Int64))
        out = out.with_columns(pl.col("category_id").cast(pl.Int64)).join(
            cats, on="category_id", how="left"
        )
    if supplier_cols:
        assert suppliers is not None
        sup = suppliers.select("supplier_id", *supplier_cols).with_columns(
            pl.col("supplier_id").cast(pl.Int64)
        )
        out = out.with_columns(pl.col("supplier_id").cast(pl.Int64)).join(
            sup, on="supplier_id", how="left"
        )
    return out


def _base(
    cn: sa.Connection,
    scope: Scope,
    f: Filters,
    *,
    member_names: dict[str, str],
    max_employees: int,
) -> sa.Subquery:
    """The period's purchases summed per buyer, category and supplier, each sum with the keys
    of :data:`_KEYS` worked out (its level, the supplier's size class, the flow's home key,
    the supplier where it has sub-units or is a regional alternative's candidate)."""
    s, loc, m = schema.supplier, schema.supplier_location, schema.municipality
    # Plain sums per buyer, category and supplier first (hashed), before any level is worked
    # out: the levels are then computed once per sum instead of once per cube row (a national
    # year: 847 000 cube rows, 377 000 sums).
    keys = ("municipality_code", "category_id", "supplier_id")
    r = summed_select(cn, scope, f, keys).subquery("summed")
    home = s.c.home_municipality
    buyer = sa.func.coalesce(m.c.current_code, r.c.municipality_code)
    with_subunits = s.c.orgnr.in_(
        sa.select(loc.c.parent_orgnr).where(loc.c.municipality.is_not(None))
    )
    # Each sum's level worked out once: ``OFFSET 0`` keeps PostgreSQL from folding this step
    # into the next, where the level is used three times (and was computed three times per
    # row: 0,4 s of a national year's 1,6 s).
    a = (
        sa.select(
            r.c.municipality_code,
            r.c.category_id,
            r.c.supplier_id,
            r.c.amount_ore,
            home.label("home"),
            s.c.employees,
            s.c.nace,
            with_subunits.label("with_subunits"),
            level_sql(home, buyer, member_codes(cn), region().county).label("lvl"),
        )
        .select_from(
            r.join(s, s.c.id == r.c.supplier_id).outerjoin(m, m.c.code == r.c.municipality_code)
        )
        .offset(0)
        .subquery("attributed")
    )
    emp = a.c.employees
    size = sa.case((emp.is_(None), sa.null()), (emp < max_employees, "sme"), else_="large")
    member_home = a.c.home.in_(list(member_names) or ["-"])
    far = sa.and_(a.c.lvl.not_in(["same", "member"]), a.c.nace.is_not(None))
    return sa.select(
        a.c.municipality_code,
        a.c.category_id,
        a.c.lvl,
        sa.type_coerce(size, sa.String).label("size"),
        sa.type_coerce(sa.case((member_home, a.c.home), else_=a.c.lvl), sa.String).label(
            "home_key"
        ),
        sa.case((a.c.with_subunits, a.c.supplier_id)).label("sub_supplier"),
        sa.case((far, a.c.supplier_id)).label("far"),
        a.c.amount_ore,
    ).subquery()


def _levels(g: pl.DataFrame, cn: sa.Connection) -> pl.DataFrame:
    """The ``levels`` grouping's rows, named: municipality, category, regional_level, amount."""
    rows = g.filter(pl.col("g") == "levels").select(
        "municipality_code", "category_id", pl.col("lvl").alias("regional_level"), "amount"
    )
    return _named(rows, cn)


def levels_rows(conn: sa.Connection | sa.Engine, scope: Scope, f: Filters) -> pl.DataFrame:
    """:attr:`RegionalRows.levels` alone — Regionalt's standard chart (the levels per
    municipality) on a presentation slide, without the page's other groupings."""
    with connected(conn) as cn:
        base = _base(cn, scope, f, member_names={}, max_employees=0)
        own = isinstance(conn, sa.Engine)
        return _levels(_grouped(cn, base, {"levels": _SETS["levels"]}, tune=own), cn)


def period_rows(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    f: Filters,
    *,
    member_names: dict[str, str],
    max_employees: int,
    suppliers: pl.DataFrame,
) -> RegionalRows:
    """The period's groupings for Regionalt (one scan of the cube's period, see the module).

    ``member_names``: the flow matrix's member homes (today's code → name, as the page names
    them); ``suppliers``: ``store.cube.load_suppliers``'s frame (kept per data version by the
    caller), for the names, org. numbers and NACE codes of the suppliers kept apart.

    Given an engine on PostgreSQL and no municipality or category filter, a period of two
    months or more is summed in two halves of its months on two connections at once, reading
    one snapshot (``store.db.side_by_side``), and the halves' sums added: every grouping's
    key is a property of a cube row (its buyer, category and supplier), so the sums of the
    halves add up to the whole period's. On two cores a national year's statement took
    1,62–2,29 s, its halves side by side 1,27–1,84 s (six years, interleaved, 1 Dec). A
    filtered period is a smaller statement, and after a change of those filters it runs
    beside the history's (``ui.context.regional_rows_and_history``), itself in halves when
    broad: it stays one statement rather than make four on two cores (not measured apart)."""

    def ore(cn: sa.Connection, period: Filters, *, tune: bool) -> pl.DataFrame:
        base = _base(cn, scope, period, member_names=member_names, max_employees=max_employees)
        return _grouped_ore(cn, base, _SETS, tune=tune)

    whole = not (f.municipalities or f.categories)
    if (
        whole
        and isinstance(conn, sa.Engine)
        and conn.dialect.name == "postgresql"
        and f.n_months > 1
    ):
        parts = side_by_side(conn, *(partial(ore, period=h, tune=True) for h in f.halves()))
        keys = ["g", *_keys_of(_SETS)]
        summed = pl.concat(parts).group_by(keys).agg(pl.col("ore").sum())
    else:
        with connected(conn) as cn:
            summed = ore(cn, f, tune=isinstance(conn, sa.Engine))
    g = _named_groups(summed, _SETS)
    with connected(conn) as cn:

        def part(name: str, **cols: str) -> pl.DataFrame:
            return g.filter(pl.col("g") == name).select(
                *[pl.col(src).alias(dst) for dst, src in cols.items()], "amount"
            )

        muni = {"municipality_code": "municipality_code"}
        levels = _levels(g, cn)
        sizes = _named(part("sizes", **muni, size="size"), cn)
        flows = _named(part("flows", **muni, home_key="home_key"), cn)
        locations = _named(
            part("locations", **muni, supplier_id="sub_supplier", regional_level="lvl"),
            cn,
            suppliers=suppliers,
            supplier_cols=("orgnr",),
        )
        far_rows = _named(
            part("far", category_id="category_id", supplier_id="far", regional_level="lvl").filter(
                pl.col("supplier_id").is_not_null()
            ),
            cn,
            suppliers=suppliers,
            supplier_cols=("supplier_name", "orgnr", "nace"),
        )
    return RegionalRows(levels, sizes, flows, locations, far_rows)


def history_rows(conn: sa.Connection | sa.Engine, scope: Scope, f: Filters) -> pl.DataFrame:
    """Purchases per month and regional level over the whole history (the period is not
    applied: the same for every period, as the cube's timeline), with ``year`` and
    ``quarter``: for ``metrics.regional.in_period``.

    Given an engine on PostgreSQL and a broad filter (:func:`_history_halves`), the two halves of the
    database's months are summed on two connections at once from one snapshot
    (``store.db.side_by_side``): PostgreSQL sums the history in one process (it cannot
    estimate how few the levels are, so it expects millions of groups and does not share the
    work), and after a change of filters the period's statement beside it is short, so the
    second core stood idle. National bench, interleaved four times: everything 3,75–4,68 →
    2,15–3,65 s, two main categories 2,92–3,31 → 2,13–2,69 s."""

    def part(cn: sa.Connection, months: Filters, *, period: bool, alone: bool) -> pl.DataFrame:
        cube, s = schema.spend_cube, schema.supplier
        if alone:  # one process per half: the two already share the two cores
            cn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
        # Per cube row, not summed first: over the whole history the sums per month, buyer and
        # supplier are nearly as many as the rows (national bench: 6–8 s against 1,9–2,4 s).
        buyer = today_code(cn, cube.c.municipality_code)
        lvl = level_sql(s.c.home_municipality, buyer, member_codes(cn), region().county)
        q = (
            sa.select(cube.c.month, lvl.label("lvl"), cube.c.amount_ore)
            .select_from(cube)
            .join(s, s.c.id == cube.c.supplier_id)
        )
        base = q.where(
            *conditions(cn, scope, months, period=period), cube.c.spend_class == "purchase"
        ).subquery()
        q = sa.select(
            base.c.month,
            base.c.lvl.label("regional_level"),
            sa.func.sum(base.c.amount_ore).label("ore"),
        ).group_by(base.c.month, base.c.lvl)
        # Here JIT pays: 1,7–1,9 s with it, 2,3 s without (seven years of a national cube).
        return read_frame(cn, q)

    halves = _history_halves(conn, f) if isinstance(conn, sa.Engine) else None
    if isinstance(conn, sa.Engine) and halves is not None:
        parts = (partial(part, months=h, period=True, alone=True) for h in halves)
        rows = pl.concat(side_by_side(conn, *parts))
    else:
        with connected(conn) as cn:
            rows = part(cn, f, period=False, alone=False)
    return rows.select(
        "month",
        year=pl.col("month").dt.year().cast(pl.Int32),
        quarter=pl.col("month").dt.quarter().cast(pl.Int8),
        regional_level="regional_level",
        amount=pl.col("ore").cast(pl.Float64) / 100.0,
    )


# Below this share of the cube's rows, a category filter's history is mostly the scan of the
# cube, which two halves each repeat (national bench, one main category of 13 %: 1,02–1,33 s
# as one statement, 1,05–1,75 s in halves; two of 39 %: 2,92–3,31 → 2,13–2,69 s).
BROAD_SHARE = 0.25


def _history_halves(engine: sa.Engine, f: Filters) -> tuple[Filters, Filters] | None:
    """The two halves of the database's months (the rollup's first to last, by its month
    index) to sum the history for ``f`` in, when that is worth two processes: on PostgreSQL,
    no municipality filter (those read by index), and no category filter or one holding at
    least :data:`BROAD_SHARE` of the rows (by the table's statistics; without them, yes).
    Else None: one statement."""
    if engine.dialect.name != "postgresql" or f.municipalities:
        return None
    r = schema.spend_rollup
    with engine.connect() as cn:
        if f.categories:
            share = category_share(cn, category_ids(cn, f.categories))
            if share is not None and share < BROAD_SHARE:
                return None
        first, last = cn.execute(sa.select(sa.func.min(r.c.month), sa.func.max(r.c.month))).one()
    if first is None or first == last:
        return None
    return replace(f, start=first, end=last).halves()


def in_use(
    conn: sa.Connection | sa.Engine, scope: Scope, members: list[str], suppliers: pl.DataFrame
) -> pl.DataFrame:
    """``metrics.regional.regional_in_use`` over the whole scope (every month, area and
    category: the alternatives stay the same when the filters narrow): purchases per supplier
    at home in one of ``members`` with a NACE code, summed by the database."""
    cube, s = schema.spend_cube, schema.supplier
    with connected(conn) as cn:
        q = (
            sa.select(cube.c.supplier_id, sa.func.sum(cube.c.amount_ore).label("ore"))
            .join(s, s.c.id == cube.c.supplier_id)
            .where(
                cube.c.spend_class == "purchase",
                s.c.home_municipality.in_(members or ["-"]),
                s.c.nace.is_not(None),
            )
            .group_by(cube.c.supplier_id)
        )
        codes = historical_codes(cn, scope)
        if codes is not None:
            q = q.where(cube.c.municipality_code.in_(codes))
        rows = read_frame(cn, q).select(
            pl.col("supplier_id").cast(pl.Int64), amount=pl.col("ore").cast(pl.Float64) / 100.0
        )
        return regional_in_use(
            _named(rows, cn, suppliers=suppliers, supplier_cols=("supplier_name", "nace"))
        )
