"""Avtaler aggregated by the database, for a scope too large to hold as a cube.

Each tab's figures are ``metrics.coverage``'s and ``metrics.thresholds``' functions, finished
from rows PostgreSQL summed within the scope and the filters, so the figures are the cube's
(``tests/test_pushdown_agreements.py``, both databases):

- **coverage**: the period's purchases per category and municipality, matched to an
  agreement from the cube and the rest from the rollup (``pushdown.by_agreement``);
- **loyalty per category**: one statement over the cube rows in an active agreement's cells,
  each counted once (:func:`loyalty_by_category`);
- **outside agreements**: unmatched purchases per supplier and category
  (``pushdown.outside_rows``), and the buying municipalities of the largest suppliers alone
  (:func:`outside_by_supplier`);
- **threshold watch**: unmatched purchases per supplier, municipality and month, read only for
  the keys whose months can reach a threshold at all (:func:`threshold_watch`);
- **expiring agreements**: the last twelve months' matched purchases per agreement;
- **e-handel**: purchases per month, municipality and e-handel over the whole history.

Rows summed over the period carry its first month (``pushdown.in_period``), so
``filters.selection`` keeps them for the same filters (the figures sum over the period and read
no month).
"""

from __future__ import annotations

import datetime as dt
import math
from functools import partial
from typing import Any

import polars as pl
import sqlalchemy as sa

from data_access.metrics.common import purchases
from data_access.metrics.coverage import (
    MATCHED,
    expiring,
    loyalty_by_category_of,
    outside_suppliers_of,
    with_municipalities,
)
from data_access.metrics.thresholds import lowest_limits, watch_of, watchable
from data_access.pushdown import (
    by_agreement,
    in_period,
    months_in_scope,
    purchase_rows,
    with_filter_keys,
)
from data_access.pushdown_savings import active_cells, tune_joins
from data_access.pushdown_sql import (
    as_date,
    as_today,
    conditions,
    moved_codes,
    source,
    today_code,
    today_codes,
    values_cte,
)
from data_access.store import schema
from data_access.store.cube import enrich_from, load_categories
from data_access.store.db import connected, read_frame, side_by_side
from data_access.store.filters import Filters, add_months
from data_access.store.scope import Scope


def coverage_rows(conn: sa.Connection | sa.Engine, scope: Scope, f: Filters) -> pl.DataFrame:
    """The period's purchases per category, municipality and agreement: what
    ``coverage.coverage_total``, ``coverage_by_category`` and
    ``coverage_by_category_municipality`` sum (a national year: the matched rows from the
    cube, the rest from the rollup)."""
    keys = with_filter_keys(("category_id", "municipality_code"), f)
    return in_period(by_agreement(conn, scope, f, keys), f)


def outside_by_supplier(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    f: Filters,
    rows: pl.DataFrame,
    n: int = 25,
) -> pl.DataFrame:
    """``coverage.outside_by_supplier`` from ``pushdown.outside_rows``: the ``n`` largest
    suppliers from the rows, and how many municipalities bought from each of them outside
    agreements, counted by the database for those ``n`` alone (per supplier and municipality
    the rows would be most of the period's cube)."""
    top = outside_suppliers_of(purchases(rows, f).filter(~MATCHED), n)
    ids = [int(i) for i in top["supplier_id"].to_list()]
    if not ids:
        none = pl.DataFrame(schema={"supplier_id": pl.Int64, "municipalities": pl.UInt32})
        return with_municipalities(top, none)
    cube = schema.spend_cube
    with connected(conn) as cn:
        buyer = today_code(cn, cube.c.municipality_code)
        q = (
            sa.select(
                cube.c.supplier_id,
                sa.func.count(sa.distinct(buyer)).label("municipalities"),
            )
            .where(
                *conditions(cn, scope, f),
                cube.c.spend_class == "purchase",
                cube.c.agreement_id.is_(None),
                cube.c.supplier_id.in_(ids),
            )
            .group_by(cube.c.supplier_id)
        )
        munis = read_frame(cn, q).with_columns(pl.col("supplier_id").cast(pl.Int64))
    return with_municipalities(top, munis)


def ehandel_rows(conn: sa.Connection | sa.Engine, scope: Scope, f: Filters) -> pl.DataFrame:
    """Every month's purchases within ``f``'s other filters per municipality and e-handel:
    ``coverage.ehandel_over_time`` (the whole history) and ``coverage.ehandel_share`` (the
    period) from the same rows; the same for every period."""
    keys = with_filter_keys(("month", "municipality_code", "ehandel"), f)
    return purchase_rows(conn, scope, f, keys, period=False)


def last_month(conn: sa.Connection | sa.Engine, scope: Scope) -> dt.date | None:
    """The last month with cube rows in ``scope`` (the cube's ``month.max()``)."""
    last = months_in_scope(conn, scope)["last_month"].max()
    return last if isinstance(last, dt.date) else None


def expiring_agreements(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    agreements: pl.DataFrame,
    participants: pl.DataFrame,
    today: dt.date,
    months: int = 12,
) -> pl.DataFrame:
    """``coverage.expiring`` with the volume bought on each agreement in the scope's last
    twelve months of data, summed by the database from the matched purchases."""
    with connected(conn) as cn:
        last = last_month(cn, scope) or today
        window = Filters(add_months(last, -11), last, area="alle")
        rows = purchase_rows(cn, scope, window, ("month", "agreement_id"), matched=True)
    return expiring(
        agreements,
        rows,
        participants,
        today,
        months,
        municipalities=scope.municipalities,
        last=last,
    )


# --- loyalty per category ---------------------------------------------------------------------


def _pieces(cells: pl.DataFrame, f: Filters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``cells`` (ag, category_id, code, first, last) as pieces — category_id, code,
    first_month, last_month, grp — in which one set of agreements is active (the group
    ``grp``) in every month, and each group's agreements (grp, ag). A cube row falls in one
    piece at most, so it is counted once however many agreements cover it, and its supplier
    is a party when it is one to any agreement of the group.

    >>> D = dt.date
    >>> cells = pl.DataFrame({"ag": [1, 2], "category_id": [5, 5], "code": ["5038"] * 2,
    ...     "first": [D(2025, 1, 1), D(2025, 3, 1)], "last": [D(2025, 12, 31)] * 2})
    >>> pieces, groups = _pieces(cells, Filters.year(2025))
    >>> pieces.sort("first_month").select("first_month", "last_month").rows()
    [(datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)), (datetime.date(2025, 3, 1), datetime.date(2025, 12, 1))]
    >>> groups.group_by("grp").agg(pl.col("ag").sort()).sort("grp")["ag"].to_list()
    [[1], [1, 2]]
    """
    months = (
        cells.with_columns(
            month=pl.date_ranges(
                pl.max_horizontal(pl.col("first"), pl.lit(f.start)),
                pl.min_horizontal(pl.col("last").dt.truncate("1mo"), pl.lit(f.end)),
                "1mo",
            )
        )
        .explode("month")
        .drop_nulls("month")
    )
    per_month = months.group_by("category_id", "code", "month").agg(
        ags=pl.col("ag").unique().sort()
    )
    groups = (
        per_month.select("ags")
        .unique()
        .with_columns(key=pl.col("ags").cast(pl.List(pl.String)).list.join(","))
        .sort("key")
        .with_row_index("grp")
    )
    runs = (
        per_month.join(groups.select("ags", "grp"), on="ags")
        .sort("category_id", "code", "month")
        .with_columns(
            run=(
                (pl.col("grp") != pl.col("grp").shift())
                | (pl.col("month") != pl.col("month").shift().dt.offset_by("1mo"))
            )
            .fill_null(True)
            .cum_sum()
            .over("category_id", "code")
        )
    )
    pieces = runs.group_by("category_id", "code", "grp", "run").agg(
        first_month=pl.col("month").min(), last_month=pl.col("month").max()
    )
    return (
        pieces.select(
            pl.col("category_id").cast(pl.Int64),
            "code",
            "first_month",
            "last_month",
            pl.col("grp").cast(pl.Int64),
        ),
        groups.select(pl.col("grp").cast(pl.Int64), "ags").explode("ags").rename({"ags": "ag"}),
    )


def loyalty_by_category(
    conn: sa.Connection | sa.Engine, scope: Scope, f: Filters, cats: pl.DataFrame
) -> pl.DataFrame:
    """``coverage.loyalty_by_category`` summed by the database: the purchases within the scope
    and ``f`` in a category, month and participating municipality where an agreement is
    active, each counted once, per category and whether the supplier (its organisation
    number) is a party to one of the agreements active there. ``cats``: each agreement's
    category (``pushdown_savings.categories``)."""
    with connected(conn) as cn:
        cells = active_cells(cn, cats, f)
        pieces, groups = _pieces(cells, f)
        if pieces.height == 0:
            return loyalty_by_category_of(
                pl.DataFrame(
                    schema={
                        "category_id": pl.Int64,
                        "category": pl.String,
                        "amount": pl.Float64,
                        "party": pl.Boolean,
                    }
                )
            )
        if isinstance(conn, sa.Engine):  # a connection of our own: settings for its query
            tune_joins(cn)
        sums = read_frame(cn, _loyalty_select(cn, scope, f, pieces, groups))
        names = load_categories(cn)
    rows = sums.select(
        pl.col("category_id").cast(pl.Int64),
        (pl.col("amount_ore").cast(pl.Float64) / 100.0).alias("amount"),
        pl.col("party").cast(pl.Boolean),
    ).join(names.select(pl.col("category_id").cast(pl.Int64), "category"), on="category_id")
    return loyalty_by_category_of(rows)


def _loyalty_select(
    conn: sa.Connection,
    scope: Scope,
    f: Filters,
    pieces: pl.DataFrame,
    groups: pl.DataFrame,
) -> sa.Select[Any]:
    """Σ øre per category and party of the cube rows in the pieces (:func:`_pieces`)."""
    cube, s, sup = schema.spend_cube, schema.supplier, schema.agreement_supplier
    k = values_cte(pieces, "k")
    g = values_cte(groups, "g")
    gp = (
        sa.select(g.c.grp, sup.c.orgnr)
        .select_from(g.join(sup, sup.c.agreement_id == g.c.ag))
        .distinct()
        .cte("gp")
    )
    party = gp.c.grp.is_not(None).label("party")
    return (
        sa.select(cube.c.category_id, party, sa.func.sum(cube.c.amount_ore).label("amount_ore"))
        .select_from(cube)
        .join(
            k,
            sa.and_(
                k.c.category_id == cube.c.category_id,
                k.c.code == cube.c.municipality_code,
                cube.c.month >= as_date(conn, k.c.first_month),
                cube.c.month <= as_date(conn, k.c.last_month),
            ),
        )
        .outerjoin(s, s.c.id == cube.c.supplier_id)  # as enrich's left join: party False
        .outerjoin(gp, sa.and_(gp.c.grp == k.c.grp, gp.c.orgnr == s.c.orgnr))
        .where(*conditions(conn, scope, f), cube.c.spend_class == "purchase")
        .group_by(cube.c.category_id, party)
    )


# --- threshold watch -------------------------------------------------------------------------


def threshold_watch(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    f: Filters,
    thresholds: pl.DataFrame,
    *,
    by_category: bool = False,
    min_level: str = "national",
    suppliers: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``metrics.thresholds.threshold_watch`` from the database's rows (:func:`watch_rows`)."""
    rows = watch_rows(conn, scope, f, thresholds, by_category=by_category, min_level=min_level)
    with connected(conn) as cn:
        joint = _in_view(cn, scope, f) > 1
        rows = watchable(enrich_from(cn, rows, suppliers))
    keys = ["supplier_id", "month", *(["category_id"] if by_category else [])]
    per_municipality = pl.col("municipality_code").is_not_null()
    monthly = rows.filter(per_municipality).select(*keys, "municipality_now", "amount")
    together = rows.filter(~per_municipality).select(*keys, "amount") if joint else None
    return watch_of(
        monthly,
        together,
        f,
        thresholds,
        names=rows,
        by_category=by_category,
        min_level=min_level,
    )


def watch_rows(
    conn: sa.Connection | sa.Engine,
    scope: Scope,
    f: Filters,
    thresholds: pl.DataFrame,
    *,
    by_category: bool,
    min_level: str,
) -> pl.DataFrame:
    """The unmatched purchases per month the watch compares with the thresholds — per
    supplier and municipality (today's code as ``municipality_code``) and per supplier over
    the municipalities in view (``municipality_code`` null), each also per category with
    ``by_category`` — over the months its windows reach (eleven before the period, 47
    before its end). Only for the keys whose months sum to the lowest threshold a window
    could be flagged at (``thresholds.lowest_limits``): no window of the others can be, and
    a national year has ~10⁶ keys. Private persons and pseudo-suppliers are still in: the
    caller knows them (``thresholds.watchable``).

    PostgreSQL sums the months, and Polars keeps the keys that can reach a limit: the same
    choice made in SQL (the sums grouped again per key, joined back, and once more over
    the municipalities) took 5,9–6,4 s for a national year against 2,6–3,0 s to read the
    1,28 M monthly sums and 0,3 s to choose. The months before any 12-month window count
    only in the 48 months' sum, so they are summed into one row per key dated at their
    first month, which no 12-month window reaches (0,65 M rows); those and the windows'
    months are summed side by side (``store.db.side_by_side``) when ``conn`` is an engine:
    PostgreSQL hashed them in one process."""
    w12, w48 = lowest_limits(thresholds, min_level)
    cat_keys = ["category_id"] if by_category else []
    start12, start48 = add_months(f.start, -11), add_months(f.end, -47)
    # A period of more than 37 months: its 12-month windows reach back further than 48 months.
    parts = [partial(_unmatched, scope=scope, f=f, months=(start12, f.end), cat=by_category)]
    if start48 < start12:  # the earlier months, as one row per key
        parts.append(
            partial(
                _unmatched,
                scope=scope,
                f=f,
                months=(start48, add_months(start12, -1)),
                cat=by_category,
                dated=start48,
            )
        )
    if isinstance(conn, sa.Engine):
        m = pl.concat(side_by_side(conn, *parts))
    else:
        m = pl.concat([part(conn) for part in parts])
    month, ore = pl.col("month"), pl.col("amount_ore")
    reach = []
    for since, limit in ((start12, w12), (start48, w48)):
        if limit is not None:  # in øre, rounded down
            reach.append(ore.filter(month >= since).sum() >= math.floor(limit * 100))
    if not reach:
        return m.clear()

    def reaching(d: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
        can = d.group_by(keys).agg(pl.any_horizontal(reach).alias("can")).filter("can")
        return d.join(can.select(keys), on=keys)

    joint = (
        m.group_by("supplier_id", *cat_keys, "month")
        .agg(ore.sum())
        .with_columns(municipality_code=pl.lit(None, pl.String))
    )
    return pl.concat(
        [
            reaching(m, ["supplier_id", "municipality_code", *cat_keys]),
            reaching(joint, ["supplier_id", *cat_keys]).select(m.columns),
        ]
    )


def _unmatched(
    conn: sa.Connection,
    *,
    scope: Scope,
    f: Filters,
    months: tuple[dt.date, dt.date],
    cat: bool,
    dated: dt.date | None = None,
) -> pl.DataFrame:
    """Unmatched purchases within the scope and ``f``'s filters but the period, in the
    ``months`` (first and last), per supplier, today's buyer (``municipality_code``), category with
    ``cat``, and month — or summed over the months and dated ``dated``."""
    cube = schema.spend_cube
    # Grouped by the stored code and named today's in Polars (``as_today``): a CASE per row
    # cost PostgreSQL 10-15 % of the national watch.
    keys = [cube.c.supplier_id, cube.c.municipality_code, *([cube.c.category_id] if cat else [])]
    cols = [*keys] if dated is not None else [*keys, cube.c.month]
    q = (
        sa.select(*cols, sa.func.sum(cube.c.amount_ore).label("amount_ore"))
        .where(
            *conditions(conn, scope, f, period=False),
            cube.c.spend_class == "purchase",
            cube.c.agreement_id.is_(None),
            cube.c.month.between(*months),
        )
        .group_by(*cols)
    )
    rows = read_frame(conn, q, large=True)
    month = pl.lit(dated, pl.Date) if dated is not None else pl.col("month").cast(pl.Date)
    stored = rows.select(
        pl.col("supplier_id").cast(pl.Int64),
        pl.col("municipality_code").cast(pl.String),
        *([pl.col("category_id").cast(pl.Int64)] if cat else []),
        month.alias("month"),
        pl.col("amount_ore").cast(pl.Int64),
    )
    return as_today(stored, moved_codes(conn), ["amount_ore"])


def _in_view(conn: sa.Connection, scope: Scope, f: Filters) -> int:
    """How many of today's municipalities have cube rows (any spend class) in ``f`` — the
    watch's joint flags need more than one (``metrics.thresholds.threshold_watch``)."""
    r = source("municipality_code", "category_id")
    q = sa.select(r.c.municipality_code).where(*conditions(conn, scope, f, cube=r))
    stored = read_frame(conn, q.group_by(r.c.municipality_code))
    now, _names = today_codes(conn)
    return stored.join(now, on="municipality_code")["municipality_now"].n_unique()
