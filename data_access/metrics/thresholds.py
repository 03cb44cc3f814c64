"""Threshold watch (terskelvakt, PRODUCT.md §4), pure Polars on the cube.

For each supplier (and supplier × category) **without an agreement covering the buyer** — spend
on ledger lines with no matched agreement — the spend within a rolling 12 months is compared,
per municipality and jointly across the members in view, with the thresholds in force, and the
48-month sum with the EEA threshold (the usual maximum term of a framework agreement). A flag
means "krever vurdering" (needs review): the purchases may have needed a competition. It is
never a legal finding — the thresholds apply to the estimated value of one contract, which the
ledger can only approximate.

Computed on the monthly cube, not the ledger: a window is whole calendar months (12 months
ending with month M = the first day of M−11 to the last day of M), and the threshold used is
the one in force on the window's last day (date-effective, from the ``threshold`` table). This
keeps the watch interactive at national scale; the lines behind a flag are then read exactly
from ``ledger_line`` by ``data_access.store.thresholds.flag_lines`` with the same window, filters and scope.

Private persons are left out (no procurement competition applies to them, and they are never
shown by name); payments to public bodies are not purchases (spend class) and are left out too.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from data_access.metrics.common import PURCHASE
from data_access.store.filters import Filters, add_months, apply

UNMATCHED = pl.col("agreement_id").is_null()
LEVEL_RANK = {"regulation": 1, "national": 2, "eea": 3}
# Window keys (data values are English; charts.agreements.WINDOW_LABELS names them for readers).
WINDOW_12 = "12m"
WINDOW_48 = "48m"


# --- the watch -------------------------------------------------------------------------------


def _monthly(cube: pl.DataFrame, f: Filters, keys: list[str]) -> pl.DataFrame:
    """Unmatched purchase spend per key and month (period not applied: windows reach back)."""
    d = apply(cube, f, period=False)
    d = watchable(d.filter(PURCHASE & UNMATCHED))
    return d.group_by(*keys, "month").agg(amount=pl.col("amount").sum())


def watchable(d: pl.DataFrame) -> pl.DataFrame:
    """``d`` without private persons and pseudo-suppliers (collective posts): neither is one
    supplier to watch."""
    pseudo = pl.col("is_pseudo").fill_null(False) if "is_pseudo" in d.columns else pl.lit(False)
    return d.filter(~pl.col("is_private").fill_null(False) & ~pseudo)


def lowest_limits(thresholds: pl.DataFrame, min_level: str) -> tuple[float | None, float | None]:
    """The lowest amount any 12-month window can be flagged at with ``min_level`` (over every
    threshold row), and the lowest EEA threshold (the 48-month check): a key summing to less
    over all its windows' months cannot be flagged, so a database may leave it out
    (``data_access.pushdown_agreements.watch_rows``). None where no threshold is set.

    >>> thr = pl.DataFrame({"regulation_lower_limit_nok": [100_000.0, 100_000.0],
    ...     "national_threshold_nok": [1_300_000.0, 1_550_000.0],
    ...     "eea_threshold_municipal_goods_services_nok": [2_300_000.0, 2_400_000.0]})
    >>> lowest_limits(thr, "national")
    (1300000.0, 2300000.0)
    """
    columns = {
        "regulation": "regulation_lower_limit_nok",
        "national": "national_threshold_nok",
        "eea": "eea_threshold_municipal_goods_services_nok",
    }
    rank = LEVEL_RANK[min_level]
    chosen = [columns[lv] for lv, r in LEVEL_RANK.items() if r >= rank]
    lowest = thresholds.select(
        w12=pl.min_horizontal(pl.col(c).cast(pl.Float64).min() for c in chosen),
        w48=pl.col(columns["eea"]).cast(pl.Float64).min(),
    )
    if lowest.height == 0:
        return None, None
    w12, w48 = lowest.row(0)
    return w12, w48


def _with_threshold(windows: pl.DataFrame, thresholds: pl.DataFrame) -> pl.DataFrame:
    """Attach the thresholds in force on each window's last day (``window_end`` is a month)."""
    thr = thresholds.select(
        pl.col("valid_from").cast(pl.Date),
        regulation=pl.col("regulation_lower_limit_nok").cast(pl.Float64),
        national=pl.col("national_threshold_nok").cast(pl.Float64),
        eea=pl.col("eea_threshold_municipal_goods_services_nok").cast(pl.Float64),
    ).sort("valid_from")
    return (
        windows.with_columns(end_day=pl.col("window_end").dt.month_end())
        .sort("end_day")
        .join_asof(thr, left_on="end_day", right_on="valid_from", strategy="backward")
    )


def _level(amount: pl.Expr, *, eea_only: bool = False) -> pl.Expr:
    if eea_only:
        return pl.when(amount >= pl.col("eea")).then(pl.lit("eea"))
    return (
        pl.when(amount >= pl.col("eea"))
        .then(pl.lit("eea"))
        .when(amount >= pl.col("national"))
        .then(pl.lit("national"))
        .when(amount >= pl.col("regulation"))
        .then(pl.lit("regulation"))
    )


def rolling_windows(
    monthly: pl.DataFrame, keys: list[str], ends: tuple[dt.date, dt.date], span: int
) -> pl.DataFrame:
    """Sum of ``amount`` per key over windows of ``span`` months ending in each month of
    ``ends`` (inclusive). Each monthly row is spread over the windows it falls in.

    >>> m = pl.DataFrame({"k": ["a", "a"], "month": [dt.date(2023, 11, 1), dt.date(2024, 2, 1)],
    ...                   "amount": [1.0, 2.0]})
    >>> w = rolling_windows(m, ["k"], (dt.date(2024, 2, 1), dt.date(2024, 11, 1)), 12)
    >>> w.filter(pl.col("window_end").is_in([dt.date(2024, 2, 1), dt.date(2024, 11, 1)])
    ...   ).sort("window_end")["amount"].to_list()
    [3.0, 2.0]
    """
    first, last = ends
    inside = monthly.filter(pl.col("month").is_between(add_months(first, 1 - span), last))
    if first == last:  # one window: a plain sum, no spreading (the 48-month check)
        return (
            inside.group_by(*keys)
            .agg(amount=pl.col("amount").sum())
            .with_columns(
                window_end=pl.lit(last, pl.Date), window_start=pl.lit(add_months(last, 1 - span))
            )
        )
    return (
        inside.with_columns(
            window_end=pl.date_ranges(
                pl.col("month"), pl.col("month").dt.offset_by(f"{span - 1}mo"), "1mo"
            )
        )
        .explode("window_end")
        .filter(pl.col("window_end").is_between(first, last))
        .group_by(*keys, "window_end")
        .agg(amount=pl.col("amount").sum())
        .with_columns(window_start=pl.col("window_end").dt.offset_by(f"-{span - 1}mo"))
    )


def _watch(
    monthly: pl.DataFrame, f: Filters, thresholds: pl.DataFrame, keys: list[str], min_rank: int
) -> pl.DataFrame:
    """The flags of ``monthly``'s keys (unmatched spend per ``keys`` and month)."""
    out = []
    # 12 months rolling, every window ending inside the selected period; keep each key's worst.
    w12 = _with_threshold(rolling_windows(monthly, keys, (f.start, f.end), 12), thresholds)
    w12 = (
        w12.with_columns(level=_level(pl.col("amount")))
        .filter(pl.col("level").is_not_null())
        .with_columns(rank=pl.col("level").replace_strict(LEVEL_RANK, return_dtype=pl.Int8))
        .filter(pl.col("rank") >= min_rank)
        .sort(["rank", "amount", "window_end"], descending=True)
        .unique(keys, keep="first")
        .with_columns(window=pl.lit(WINDOW_12))
    )
    out.append(w12)
    # 48 months ending with the period's last month, against the EEA threshold.
    w48 = _with_threshold(rolling_windows(monthly, keys, (f.end, f.end), 48), thresholds)
    w48 = (
        w48.with_columns(level=_level(pl.col("amount"), eea_only=True))
        .filter(pl.col("level").is_not_null())
        .with_columns(rank=pl.lit(3, pl.Int8), window=pl.lit(WINDOW_48))
    )
    out.append(w48)
    cols = [*keys, "window", "window_start", "window_end", "amount", "level", "threshold_nok"]
    return pl.concat(
        [
            w.with_columns(
                threshold_nok=pl.when(pl.col("level") == "eea")
                .then(pl.col("eea"))
                .when(pl.col("level") == "national")
                .then(pl.col("national"))
                .otherwise(pl.col("regulation"))
            ).select(cols)
            for w in out
        ],
        how="vertical_relaxed",
    )


def threshold_watch(
    cube: pl.DataFrame,
    f: Filters,
    thresholds: pl.DataFrame,
    *,
    by_category: bool = False,
    min_level: str = "national",
) -> pl.DataFrame:
    """Flags per municipality (``basis = "municipality"``) and jointly across the
    municipalities in view (``"total"``, only when more than one is in view; its
    municipality_now and municipality_name are null), largest amount first.

    Columns: basis, municipality_now, municipality_name, supplier_id, supplier_name, orgnr,
    category_id, category (null unless ``by_category``), window ("12m" | "48m"),
    window_start, window_end (first days of the first and last month), amount (NOK), level
    (regulation | national | eea), threshold_nok. Every flag needs review ("krever
    vurdering"); the wording is the reader's, in ``charts.agreements``.
    """
    cat_keys = ["category_id"] if by_category else []
    monthly = _monthly(cube, f, ["supplier_id", "municipality_now", *cat_keys])
    in_view = apply(cube, f)["municipality_now"].n_unique() if cube.height else 0
    joint = _monthly(cube, f, ["supplier_id", *cat_keys]) if in_view > 1 else None
    return watch_of(
        monthly, joint, f, thresholds, names=cube, by_category=by_category, min_level=min_level
    )


def watch_of(
    monthly: pl.DataFrame,
    joint: pl.DataFrame | None,
    f: Filters,
    thresholds: pl.DataFrame,
    *,
    names: pl.DataFrame,
    by_category: bool,
    min_level: str,
) -> pl.DataFrame:
    """:func:`threshold_watch` from the unmatched purchases of watchable suppliers per month:
    ``monthly`` per supplier and municipality (and category), ``joint`` per supplier (and
    category) summed over the municipalities in view — None when there is only one. Any key
    may be left out that no window can flag (the database's rows,
    ``data_access.pushdown_agreements.watch_rows``). ``names``: the cube, or any frame with
    the names of the suppliers, municipalities and categories in the rows."""
    rank = LEVEL_RANK[min_level]
    cat_keys = ["category_id"] if by_category else []
    parts = [
        _watch(
            monthly, f, thresholds, ["supplier_id", "municipality_now", *cat_keys], rank
        ).with_columns(basis=pl.lit("municipality"))
    ]
    if joint is not None:
        parts.append(
            _watch(joint, f, thresholds, ["supplier_id", *cat_keys], rank).with_columns(
                basis=pl.lit("total"), municipality_now=pl.lit(None, pl.String)
            )
        )
    flags = pl.concat(parts, how="diagonal_relaxed")
    sup = names.select("supplier_id", "supplier_name", "orgnr").unique("supplier_id")
    munis = names.select("municipality_now", "municipality_name").unique("municipality_now")
    if by_category:
        cats = names.select("category_id", "category").unique("category_id")
        flags = flags.join(cats, on="category_id", how="left")
    else:
        flags = flags.with_columns(
            category_id=pl.lit(None, pl.Int64), category=pl.lit(None, pl.String)
        )
    return (
        flags.join(sup, on="supplier_id", how="left")
        .join(munis, on="municipality_now", how="left")
        .select(
            "basis",
            "municipality_now",
            "municipality_name",
            "supplier_id",
            "supplier_name",
            "orgnr",
            "category_id",
            "category",
            "window",
            "window_start",
            "window_end",
            "amount",
            "level",
            "threshold_nok",
        )
        .sort("amount", descending=True)
    )
