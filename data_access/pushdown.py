"""Aggregation in the database, for scopes too large to hold as a cube in the app.

At national scale (all ~357 municipalities, ~100 M ledger lines) the enriched cube of an
everything-scope has tens of millions of rows: too much to keep per app process. When
``DATABASE_URL`` is PostgreSQL and a scope's cube passes ``INNSIKT_PUSHDOWN_ROWS`` rows,
figures are computed by PostgreSQL with the scope and the filters in the ``WHERE`` — on
``spend_rollup`` (the cube summed over supplier, e-handel and agreement) where a figure needs
none of those, else on ``spend_cube`` (indexes on municipality and month for both) — and only
the few aggregated rows travel to the app. The figures are defined exactly as in ``metrics`` (tested against the
Polars path on PostgreSQL for several filter sets).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import polars as pl
import sqlalchemy as sa

from data_access import pushdown_regional
from data_access.metrics import concentration, coverage, regional, savings, spend
from data_access.metrics.overview import Headline, marked_quarters, ranked_categories
from data_access.pushdown_sql import (
    conditions,
    member_codes,
    source,
    summed_select,
    today_code,
    today_codes,
)
from data_access.store import schema, settings
from data_access.store.agreements import load_agreements
from data_access.store.cube import enrich_from, load_categories
from data_access.store.db import connected, read_frame
from data_access.store.filters import Filters
from data_access.store.reference import region
from data_access.store.scope import Scope, historical_codes

DEFAULT_ROWS = 5_000_000
DEFAULT_SELECTION_ROWS = 1_000_000


def pushdown_rows() -> int:
    """The cube size (rows in scope) from which PostgreSQL aggregates instead of the app."""
    return int(settings.get("INNSIKT_PUSHDOWN_ROWS") or DEFAULT_ROWS)


def selection_rows() -> int:
    """Above the threshold, the most cube rows of the municipalities a quarterly report may be
    made for (``INNSIKT_SELECTION_ROWS``; ``report.bundle`` computes on their cube, every page
    asks the database).

    Separate from the threshold because it bounds memory, not where figures are computed: in
    the national bench 40 municipalities' 840 940 cube rows took the app process from 0,55 to
    0,91 GB, so a selection as large as the threshold's 5 M rows would need ≈ 2,7 GB."""
    return int(settings.get("INNSIKT_SELECTION_ROWS") or DEFAULT_SELECTION_ROWS)


def cube_rows(conn: sa.Connection | sa.Engine, scope: Scope) -> int:
    """Rows of ``spend_cube`` in ``scope``: the planner's estimate for the whole table (no scan
    of a national cube on every run), an indexed count for a municipality scope."""
    with connected(conn) as c:
        codes = historical_codes(c, scope)
        cube = schema.spend_cube
        if codes is None and c.dialect.name == "postgresql":
            est = c.execute(
                sa.text(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('spend_cube')"
                )
            ).scalar()
            if est is not None and int(est) >= 0:
                return int(est)
        q = sa.select(sa.func.count()).select_from(cube)
        if codes is not None:
            q = q.where(cube.c.municipality_code.in_(codes))
        return int(c.execute(q).scalar() or 0)


def use_pushdown(conn: sa.Connection | sa.Engine, scope: Scope) -> bool:
    """True on PostgreSQL when the scope's cube is larger than ``INNSIKT_PUSHDOWN_ROWS``."""
    return conn.dialect.name == "postgresql" and cube_rows(conn, scope) > pushdown_rows()


def _sums(conn: sa.Connection, scope: Scope, f: Filters, members: list[str]) -> pl.DataFrame:
    """One row per (spend class, agreement) of the period with every sum the headline needs,
    in øre. Reads ``spend_cube`` (the regional share needs each supplier's home, the e-handel
    and agreement figures their own columns) for the period alone: the year before's spend
    comes from the rollup (:func:`_purchases_ore`), so a year's headline reads one year of
    the cube, not two (median 0,80–0,85 s instead of 1,72–1,84 s in the national bench).
    Reading both periods in one scan also counted the months they share (a period longer
    than a year) only as this period."""
    cube, s = schema.spend_cube, schema.supplier
    amount = cube.c.amount_ore
    home = s.c.home_municipality

    def when(
        cond: sa.ColumnElement[bool], col: sa.ColumnElement[Any] = amount
    ) -> sa.ColumnElement[Any]:
        return sa.func.coalesce(sa.func.sum(sa.case((cond, col), else_=0)), 0)

    buyer = today_code(conn, cube.c.municipality_code)
    regional = sa.and_(home.is_not(None), sa.or_(home == buyer, home.in_(members or ["-"])))
    q = sa.select(
        cube.c.spend_class,
        cube.c.agreement_id,
        sa.func.coalesce(sa.func.sum(amount), 0).label("amount"),
        sa.func.coalesce(sa.func.sum(cube.c.n_lines), 0).label("n_lines"),
        when(home.is_not(None)).label("known"),
        when(regional).label("regional"),
        when(cube.c.ehandel.is_(True)).label("ehandel"),
        when(cube.c.ehandel.is_(True), cube.c.n_lines).label("ehandel_lines"),
    ).select_from(cube)
    q = (
        q.join(s, s.c.id == cube.c.supplier_id)
        .where(*conditions(conn, scope, f))
        .group_by(cube.c.spend_class, cube.c.agreement_id)
    )
    return read_frame(conn, q)


def _purchases_ore(conn: sa.Connection, scope: Scope, f: Filters) -> int:
    """Σ øre of the purchases within the scope and the filters, from the rollup."""
    cube = source("municipality_code", "category_id")
    q = sa.select(sa.func.coalesce(sa.func.sum(cube.c.amount_ore), 0)).select_from(cube)
    q = q.where(*conditions(conn, scope, f, cube=cube), cube.c.spend_class == "purchase")
    return int(conn.execute(q).scalar() or 0)


def headline_sql(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    f: Filters,
    factors: pl.DataFrame,
    yearly_target_nok: float,
) -> Headline:
    """:func:`metrics.overview.headline`, aggregated by the database: the same figures from
    one grouped query of the period (at most a few hundred rows) and the year before's spend
    from the rollup."""
    with connected(conn, snapshot=True) as c:  # this period and the year before: one snapshot
        cur = _sums(c, scope, f, member_codes(c))
        prev_spend = _purchases_ore(c, scope, f.previous_year()) / 100.0

    def total(df: pl.DataFrame, col: str, cond: pl.Expr | None = None) -> float:
        d = df if cond is None else df.filter(cond)
        return float(d[col].sum() or 0) / 100.0 if d.height else 0.0

    purchase = pl.col("spend_class") == "purchase"
    buy = cur.filter(purchase).with_columns(pl.col("agreement_id").cast(pl.Int64))
    spend = total(buy, "amount")
    known = total(buy, "known")
    realized = (
        float(
            buy.join(factors, on="agreement_id", how="left")
            .select(
                (pl.col("amount").cast(pl.Float64) / 100.0 * pl.col("factor").fill_null(0.0)).sum()
            )
            .item()
            or 0.0
        )
        if buy.height
        else 0.0
    )
    n_lines = int(buy["n_lines"].sum() or 0) if buy.height else 0
    target = yearly_target_nok * f.n_months / 12.0

    def share(num: float, den: float) -> float | None:
        return num / den if den else None

    return Headline(
        spend=spend,
        spend_previous_year=prev_spend,
        change=(spend / prev_spend - 1) if prev_spend else None,
        n_lines=n_lines,
        intra_public=total(cur, "amount", pl.col("spend_class") == "intra_public"),
        regional_share=share(total(buy, "regional"), known),
        unknown_home_share=share(spend - known, spend),
        contract_coverage=share(total(buy, "amount", pl.col("agreement_id").is_not_null()), spend),
        realized_saving=realized,
        savings_target=target,
        savings_vs_target=share(realized, target),
        ehandel_share=share(total(buy, "ehandel"), spend),
        ehandel_line_share=share(
            float(buy["ehandel_lines"].sum() or 0) if buy.height else 0.0, float(n_lines)
        ),
    )


def spend_by_municipality_sql(
    conn: sa.Connection | sa.Engine, scope: Scope, f: Filters
) -> pl.DataFrame:
    """:func:`metrics.overview.spend_by_municipality` in the database.

    Summed per current municipality code first (a few hundred groups, hashed), and only then
    joined to the names: grouped by code *and* name in one step, PostgreSQL sorted every row of
    the period by name (2 M rows for two years of 30 M lines, spilling to disk): 1,3 s of a
    2,3-s filter change in ``bench/national_bench.py``.
    """
    cube, m = source("municipality_code", "category_id"), schema.municipality
    now = m.alias("now")
    with connected(conn) as cn:
        q = (
            sa.select(
                m.c.current_code.label("municipality_now"),
                sa.func.sum(cube.c.amount_ore).label("ore"),
            )
            .select_from(cube)
            .join(m, m.c.code == cube.c.municipality_code)
        )
        per_code = (
            q.where(*conditions(cn, scope, f, cube=cube), cube.c.spend_class == "purchase")
            .group_by(m.c.current_code)
            .subquery()
        )
        named = (
            sa.select(
                per_code.c.municipality_now,
                now.c.name.label("municipality_name"),
                (per_code.c.ore / 100.0).label("amount"),
            )
            .join(now, now.c.code == per_code.c.municipality_now)
            .order_by(sa.desc("amount"))
        )
        return read_frame(cn, named)


def top_categories_sql(
    conn: sa.Connection | sa.Engine, scope: Scope, f: Filters, n: int = 10
) -> pl.DataFrame:
    """:func:`metrics.overview.top_categories` in the database: summed per category id (a few
    hundred groups, hashed, no sort of the period's rows), then named and ranked by the same
    :func:`metrics.overview.ranked_categories`."""
    cube = source("municipality_code", "category_id")
    with connected(conn) as cn:
        q = sa.select(cube.c.category_id, sa.func.sum(cube.c.amount_ore).label("ore")).select_from(
            cube
        )
        per_id = read_frame(
            cn,
            q.where(
                *conditions(cn, scope, f, cube=cube), cube.c.spend_class == "purchase"
            ).group_by(cube.c.category_id),
        )
        names = load_categories(cn).select("category_id", "category", "category_l1")
    amounts = per_id.select(
        pl.col("category_id").cast(pl.Int64), amount=pl.col("ore").cast(pl.Float64) / 100.0
    ).join(names, on="category_id", how="left")
    return ranked_categories(amounts, n)


def monthly_history_sql(conn: sa.Connection | sa.Engine, scope: Scope, f: Filters) -> pl.DataFrame:
    """Purchases per month and today's municipality code over the whole history (the period
    is not applied, so the result is the same for every period). Summed per stored code (no
    join unless a filter needs one; hashed, a few thousand rows travel), mapped here."""
    cube = source("month", "municipality_code", "category_id")
    with connected(conn) as cn:
        q = sa.select(
            cube.c.month, cube.c.municipality_code, sa.func.sum(cube.c.amount_ore).label("ore")
        ).select_from(cube)
        per_code = read_frame(
            cn,
            q.where(
                *conditions(cn, scope, f, period=False, cube=cube),
                cube.c.spend_class == "purchase",
            ).group_by(cube.c.month, cube.c.municipality_code),
        )
        now, names = today_codes(cn)
    return (
        per_code.join(now, on="municipality_code", how="left")
        .group_by(pl.col("month").cast(pl.Date), "municipality_now")
        .agg(amount=pl.col("ore").sum().cast(pl.Float64) / 100.0)
        .join(names, on="municipality_now", how="left")
    )


def quarters(history: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """:func:`metrics.overview.trend_by_quarter`'s frame from :func:`monthly_history_sql`:
    summed per quarter, then labelled and marked as the cube path does."""
    per_quarter = history.group_by(
        year=pl.col("month").dt.year().cast(pl.Int32),
        quarter=pl.col("month").dt.quarter().cast(pl.Int8),
        municipality_now="municipality_now",
        municipality_name="municipality_name",
    ).agg(pl.col("amount").sum())
    return marked_quarters(per_quarter, f)


def trend_by_quarter_sql(conn: sa.Connection | sa.Engine, scope: Scope, f: Filters) -> pl.DataFrame:
    """:func:`metrics.overview.trend_by_quarter` in the database (history, then quarters)."""
    return quarters(monthly_history_sql(conn, scope, f), f)


def months_in_scope(conn: sa.Connection | sa.Engine, scope: Scope) -> pl.DataFrame:
    """Per today's municipality code in scope, the first and last month with cube rows: what
    the filter options need (periods, municipalities) when the cube itself is not loaded.
    Grouped per stored code on ``ix_rollup_muni_month``, then mapped to today's codes."""
    cube = source("month", "municipality_code")
    with connected(conn) as cn:
        codes = historical_codes(cn, scope)
        q = sa.select(
            cube.c.municipality_code,
            sa.func.min(cube.c.month).label("first_month"),
            sa.func.max(cube.c.month).label("last_month"),
        )
        if codes is not None:
            q = q.where(cube.c.municipality_code.in_(codes))
        per_code = read_frame(cn, q.group_by(cube.c.municipality_code))
        now, _names = today_codes(cn)
    return (
        per_code.join(now, on="municipality_code", how="left")
        .group_by("municipality_now")
        .agg(pl.col("first_month").cast(pl.Date).min(), pl.col("last_month").cast(pl.Date).max())
        .sort("municipality_now")
    )


# The spend_cube columns rows can be kept apart by in :func:`purchase_rows`.
KEYS = (
    "month",
    "municipality_code",
    "supplier_id",
    "category_id",
    "area",
    "ehandel",
    "agreement_id",
)


def with_filter_keys(keys: tuple[str, ...], f: Filters) -> tuple[str, ...]:
    """``keys`` and the columns ``filters.selection`` filters on for ``f`` besides the month,
    for rows a ``metrics`` function selects the purchases from again.

    >>> with_filter_keys(("month",), Filters.year(2025, municipalities=("5038",), categories=(3,)))
    ('month', 'municipality_code', 'category_id')
    """
    extra = (("municipality_code",) if f.municipalities else ()) + (
        ("category_id",) if f.categories else ()
    )
    return keys + tuple(k for k in extra if k not in keys)


def purchase_rows(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    f: Filters,
    keys: tuple[str, ...],
    *,
    since: dt.date | None = None,
    period: bool = True,
    matched: bool | None = None,
    suppliers: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """:func:`metrics.common.purchases` — the purchase rows within the scope and the filters —
    summed by the database over every cube column but ``keys`` (see :data:`KEYS`), then named
    and attributed by :func:`store.cube.enrich` as the cube's rows are. A figure that first
    sums within ``keys`` (supplier shares sum per supplier and category) is the same from
    these rows as from the cube's, and far fewer rows travel: a year of a national cube is
    ≈ 1 M purchase rows, its supplier × category sums 76 000.

    ``since``: the months from ``since`` (not the period's first) to the period's last, so
    that the rows are also a cube for the same filters a year earlier: with ``month`` among
    the keys they can stand in for the cube in a ``metrics`` function (``spend.trend`` takes
    ``purchases(cube, f)`` and ``purchases(cube, f.previous_year())``); ``period=False``:
    every month (``purchases(cube, f, period=False)``). ``spend_class`` is
    ``purchase`` and ``area`` the filters' area on every row (summed over both for
    ``alle``), so ``filters.selection`` selects them again unchanged. ``matched``: only
    the purchases matched to an agreement (``coverage.MATCHED``), with False only those
    matched to none. ``suppliers``:
    ``store.cube.load_suppliers``'s frame, when the caller keeps one (read here otherwise:
    0,2–0,4 s for 60 000 suppliers)."""
    window = f if since is None else replace(f, start=min(since, f.start))
    rows = _summed(conn, scope, window, keys, suppliers, period=period, matched=matched)
    constant = {"spend_class": pl.lit("purchase")}
    if "area" not in keys:
        constant["area"] = pl.lit(f.area)
    return rows.with_columns(**constant)


def scope_rows(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    keys: tuple[str, ...],
    *,
    suppliers: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every cube row in ``scope`` — all months, areas and spend classes, no filters — summed
    over every column but ``keys`` and named like :func:`purchase_rows`: the cube for a figure
    over the whole scope that sums within ``keys`` (the import page's data quality)."""
    return _summed(conn, scope, None, keys, suppliers)


def _summed(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    f: Filters | None,
    keys: tuple[str, ...],
    suppliers: pl.DataFrame | None,
    *,
    period: bool = True,
    matched: bool | None = None,
) -> pl.DataFrame:
    """Σ amount_ore, n_lines per ``keys`` of the scope's cube rows — purchases within ``f``
    (every month with ``period=False``; with ``matched`` only those matched to an
    agreement, or to none), or every row when ``f`` is None — enriched by :func:`store.cube.enrich`."""
    unknown = set(keys) - set(KEYS)
    if unknown or not keys:
        raise ValueError(f"purchase_rows: keys must be some of {KEYS}, not {sorted(unknown)}")
    with connected(conn) as cn:
        return enrich_from(
            cn,
            read_frame(
                cn, summed_select(cn, scope, f, keys, period=period, matched=matched), large=True
            ),
            suppliers,
        )


def municipalities_with_rows(
    conn: sa.Connection | sa.Engine, scope: Scope, f: Filters
) -> frozenset[str]:
    """Today's codes of the municipalities with cube rows in the filters over the whole
    history (every spend class): ``filters.apply(cube, f, period=False)``'s municipalities,
    which ``spend.overall_per_inhabitant`` counts inhabitants of. The same for every period."""
    cube = source("municipality_code", "category_id")
    with connected(conn) as cn:
        q = sa.select(cube.c.municipality_code).select_from(cube)
        stored = read_frame(
            cn,
            q.where(*conditions(cn, scope, f, period=False, cube=cube)).group_by(
                cube.c.municipality_code
            ),
        )
        now, _names = today_codes(cn)
    return frozenset(stored.join(now, on="municipality_code")["municipality_now"].to_list())


# (connection, scope, filters) → rows; with ``ChartFrame.by_supplier`` also ``suppliers=``.
Query = Callable[..., pl.DataFrame]


def _as_is(frame: pl.DataFrame, _f: Filters) -> pl.DataFrame:
    return frame


@dataclass(frozen=True)
class ChartFrame:
    """How the database gives a standard chart's frame: ``query`` aggregates, ``finish``
    turns its rows into the chart's frame for the filters. ``period_free``: the query ignores
    the period, so a caller may keep its rows per ``Filters.rows`` and only finish them anew
    when the period changes (the quarterly history: 0,7 s of a national Oversikt run).
    ``by_supplier``: the rows are per supplier, and ``rows`` takes the supplier table a caller
    keeps (else it is read for each query: 0,2–0,4 s for 60 000 suppliers)."""

    query: Query
    finish: Callable[[pl.DataFrame, Filters], pl.DataFrame] = _as_is
    period_free: bool = False
    by_supplier: bool = False

    def rows(
        self,
        conn: sa.Connection | sa.Engine,
        scope: Scope,
        f: Filters,
        suppliers: pl.DataFrame | None = None,
    ) -> pl.DataFrame:
        if self.by_supplier:
            return self.query(conn, scope, f, suppliers=suppliers)
        return self.query(conn, scope, f)

    def frame(self, conn: sa.Connection | sa.Engine, scope: Scope, f: Filters) -> pl.DataFrame:
        return self.finish(self.rows(conn, scope, f), f)


# The standard charts (``charts.registry`` ids) whose frame the database computes, each the
# frame the registry's own function gives from the cube (``tests/test_pushdown.py``).
def _per_supplier(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    f: Filters,
    *,
    suppliers: pl.DataFrame | None = None,
) -> pl.DataFrame:
    return purchase_rows(conn, scope, f, ("supplier_id", "category_id"), suppliers=suppliers)


def _per_municipality(conn: sa.Connection | sa.Engine, scope: Scope, f: Filters) -> pl.DataFrame:
    return purchase_rows(conn, scope, f, ("month", "municipality_code", "category_id"))


def agreement_sums(conn: sa.Connection | sa.Engine, scope: Scope, f: Filters) -> pl.DataFrame:
    """The period's purchases per month, municipality and agreement: Gevinster's table per
    municipality and per-agreement figures (``data_access.pushdown_savings``) and its chart."""
    return by_agreement(conn, scope, f, with_filter_keys(("month", "municipality_code"), f))


def by_agreement(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    f: Filters,
    keys: tuple[str, ...],
    *,
    period: bool = True,
) -> pl.DataFrame:
    """:func:`purchase_rows` per ``keys`` and ``agreement_id``, read in two parts: the
    purchases matched to an agreement summed from the cube, and the rest per ``keys`` from
    the rollup (:func:`_with_rest`). Summing every purchase per agreement hashes all the
    cube's rows, most of them matched to none: the national bench's seven years took
    1,64–1,70 s that way, 0,99–1,07 s in the two parts (1 Dec). Both parts are read from one
    snapshot when ``conn`` is an engine, so that an import between them cannot unbalance
    the rest."""
    with connected(conn, snapshot=True) as cn:
        matched = purchase_rows(cn, scope, f, (*keys, "agreement_id"), period=period, matched=True)
        every = purchase_rows(cn, scope, f, keys, period=period)
    return _with_rest(matched, every, keys)


def _with_rest(matched: pl.DataFrame, every: pl.DataFrame, keys: tuple[str, ...]) -> pl.DataFrame:
    """``matched`` (per ``keys`` and agreement) and, per ``keys``, what ``every`` (all
    purchases per ``keys``) holds beyond them as a row without agreement — where some line is
    unmatched, as the cube's own rows summed per ``keys`` and agreement would have it. Those
    rows carry no saving, but they give ``savings.realized_by_month`` its months and
    ``savings.realized_by_municipality`` each municipality's spend.

    >>> m = pl.DataFrame({"month": [1, 2], "agreement_id": [7, 7], "amount_ore": [300, 500],
    ...   "n_lines": [1, 2], "amount": [3.0, 5.0]})
    >>> e = pl.DataFrame({"month": [1, 2, 3], "amount_ore": [1000, 500, 200],
    ...   "n_lines": [3, 2, 1], "amount": [10.0, 5.0, 2.0]})
    >>> _with_rest(m, e, ("month",)).sort("month", "agreement_id").rows()
    [(1, None, 700, 2, 7.0), (1, 7, 300, 1, 3.0), (2, 7, 500, 2, 5.0), (3, None, 200, 1, 2.0)]
    """
    per_key = matched.group_by(keys).agg(
        m_ore=pl.col("amount_ore").sum(), m_lines=pl.col("n_lines").sum()
    )
    rest = (
        every.join(per_key, on=list(keys), how="left")
        .with_columns(
            amount_ore=pl.col("amount_ore") - pl.col("m_ore").fill_null(0),
            n_lines=pl.col("n_lines") - pl.col("m_lines").fill_null(0),
            agreement_id=pl.lit(None, matched.schema["agreement_id"]),
        )
        .filter(pl.col("n_lines") > 0)
        .with_columns(amount=pl.col("amount_ore").cast(pl.Float64) / 100.0)
    )
    return pl.concat([matched, rest.select(matched.columns)])


def in_period(rows: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """Rows summed over ``f``'s period, dated at its first month: ``filters.selection`` keeps
    them for the same filters, for a figure that sums over the period and reads no month."""
    return rows.with_columns(month=pl.lit(f.start, pl.Date))


def outside_rows(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    f: Filters,
    *,
    suppliers: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The period's purchases matched to no agreement, per supplier and category
    (``coverage.outside_by_category``; Avtaler's suppliers outside agreements,
    ``pushdown_agreements.outside_by_supplier``)."""
    keys = with_filter_keys(("supplier_id", "category_id"), f)
    rows = purchase_rows(conn, scope, f, keys, matched=False, suppliers=suppliers)
    return in_period(rows, f).with_columns(agreement_id=pl.lit(None, pl.Int64))


def _realized_per_municipality(
    conn: sa.Connection | sa.Engine, scope: Scope, f: Filters
) -> pl.DataFrame:
    """The Gevinster chart's frame (``savings.realized_by_municipality``) from
    :func:`agreement_sums`, with the register's agreements."""
    with connected(conn) as cn:
        return savings.realized_by_municipality(
            agreement_sums(cn, scope, f), f, load_agreements(cn)
        )


def _suppliers_table(rows: pl.DataFrame, _f: Filters) -> pl.DataFrame:
    reg = region()
    return concentration.suppliers_of(rows, reg.abc_a, reg.abc_b)


CHART_FRAMES: dict[str, ChartFrame] = {
    "kommuner": ChartFrame(spend_by_municipality_sql),
    "kategorier": ChartFrame(lambda conn, scope, f: top_categories_sql(conn, scope, f, n=1_000)),
    "kvartal": ChartFrame(monthly_history_sql, quarters, period_free=True),
    # From the purchases summed per supplier and category, or per month, municipality and
    # category (:func:`purchase_rows`), by the same metrics functions as the cube's charts.
    "leverandorer": ChartFrame(_per_supplier, _suppliers_table, by_supplier=True),
    "hhi": ChartFrame(
        _per_supplier, lambda rows, _f: concentration.by_category_of(rows), by_supplier=True
    ),
    "kommune_kategori": ChartFrame(_per_municipality, spend.matrix),
    # Regionalt's levels per municipality, from the period's sums per municipality,
    # category and level (``pushdown_regional``).
    "regionalt": ChartFrame(
        pushdown_regional.levels_rows, lambda rows, _f: regional.levels_of(rows, "municipality")
    ),
    # Gevinster's realized saving per municipality (``pushdown_savings`` for the whole page).
    "gevinst": ChartFrame(_realized_per_municipality),
    # Avtaler's spend outside agreements per category (``pushdown_agreements``).
    "utenfor_avtale": ChartFrame(
        outside_rows,
        lambda rows, f: coverage.outside_by_category(rows, f, n=1_000),
        by_supplier=True,
    ),
}
