"""Threshold watch (terskelvakt, PRODUCT.md §4) and the admin-editable thresholds table.

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
from ``ledger_line`` by ``flag_lines`` with the same window, filters and scope.

Private persons are left out (no procurement competition applies to them, and they are never
shown by name); payments to public bodies are not purchases (spend class) and are left out too.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import sqlalchemy as sa

from data_access import schema
from data_access.db import audit, bump_data_version, connected, read_frame
from data_access.filters import Filters, add_months, apply
from data_access.scope import Scope, historical_codes
from data_access.suppliers import PRIVATE_LABEL

PURCHASE = pl.col("spend_class") == "purchase"
UNMATCHED = pl.col("agreement_id").is_null()
LEVEL_RANK = {"regulation": 1, "national": 2, "eea": 3}
LEVEL_TEXT = {
    "regulation": "Over forskriftens nedre grense",
    "national": "Over nasjonal terskelverdi",
    "eea": "Over EØS-terskelverdi",
}
REVIEW = "Krever vurdering"
COLUMNS = (
    "valid_from",
    "regulation_lower_limit_nok",
    "national_threshold_nok",
    "eea_threshold_municipal_goods_services_nok",
    "eea_threshold_works_nok",
    "source",
)


# --- the watch -------------------------------------------------------------------------------


def _monthly(cube: pl.DataFrame, f: Filters, keys: list[str]) -> pl.DataFrame:
    """Unmatched purchase spend per key and month (period not applied: windows reach back)."""
    # Private persons and pseudo-suppliers (collective posts) are not one supplier to watch.
    d = apply(cube, f, period=False)
    pseudo = pl.col("is_pseudo").fill_null(False) if "is_pseudo" in d.columns else pl.lit(False)
    d = d.filter(PURCHASE & UNMATCHED & ~pl.col("is_private").fill_null(False) & ~pseudo)
    return d.group_by(*keys, "month").agg(amount=pl.col("amount").sum())


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
    cube: pl.DataFrame, f: Filters, thresholds: pl.DataFrame, keys: list[str], min_rank: int
) -> pl.DataFrame:
    monthly = _monthly(cube, f, keys)
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
        .with_columns(window=pl.lit("12 mnd"))
    )
    out.append(w12)
    # 48 months ending with the period's last month, against the EEA threshold.
    w48 = _with_threshold(rolling_windows(monthly, keys, (f.end, f.end), 48), thresholds)
    w48 = (
        w48.with_columns(level=_level(pl.col("amount"), eea_only=True))
        .filter(pl.col("level").is_not_null())
        .with_columns(rank=pl.lit(3, pl.Int8), window=pl.lit("48 mnd"))
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
    """Flags per municipality (``basis = "kommune"``) and jointly across the municipalities in
    view (``"samlet"``, only when more than one is in view), largest amount first.

    Columns: basis, municipality_now, municipality_name, supplier_id, supplier_name, orgnr,
    category_id, category (null unless ``by_category``), window ("12 mnd" | "48 mnd"),
    window_start, window_end (first days of the first and last month), amount (NOK), level
    (regulation | national | eea), level_text, threshold_nok, review ("Krever vurdering").
    """
    rank = LEVEL_RANK[min_level]
    cat_keys = ["category_id"] if by_category else []
    parts = [
        _watch(
            cube, f, thresholds, ["supplier_id", "municipality_now", *cat_keys], rank
        ).with_columns(basis=pl.lit("kommune"))
    ]
    in_view = apply(cube, f)["municipality_now"].n_unique() if cube.height else 0
    if in_view > 1:
        parts.append(
            _watch(cube, f, thresholds, ["supplier_id", *cat_keys], rank).with_columns(
                basis=pl.lit("samlet"), municipality_now=pl.lit(None, pl.String)
            )
        )
    flags = pl.concat(parts, how="diagonal_relaxed")
    if not by_category:
        flags = flags.with_columns(category_id=pl.lit(None, pl.Int64))
    names = cube.select("supplier_id", "supplier_name", "orgnr").unique("supplier_id")
    munis = cube.select("municipality_now", "municipality_name").unique("municipality_now")
    cats = cube.select("category_id", "category").unique("category_id")
    return (
        flags.join(names, on="supplier_id", how="left")
        .join(munis, on="municipality_now", how="left")
        .join(cats, on="category_id", how="left")
        .with_columns(
            level_text=pl.col("level").replace_strict(LEVEL_TEXT, return_dtype=pl.String),
            review=pl.lit(REVIEW),
            municipality_name=pl.when(pl.col("basis") == "samlet")
            .then(pl.lit("Alle i utvalget"))
            .otherwise("municipality_name"),
        )
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
            "level_text",
            "threshold_nok",
            "review",
        )
        .sort("amount", descending=True)
    )


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

        def joined(q: sa.Select) -> sa.Select:
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


# --- the thresholds table (admin) ------------------------------------------------------------


def load_thresholds(conn: sa.Connection | sa.Engine) -> pl.DataFrame:
    t = schema.threshold
    return read_frame(conn, sa.select(*[t.c[k] for k in COLUMNS]).order_by(t.c.valid_from))


def validate_thresholds(df: pl.DataFrame) -> list[str]:
    """Problems a person can act on; empty when the table may be saved."""
    errors: list[str] = []
    missing = [c for c in COLUMNS[:-1] if c not in df.columns]
    if missing:
        return [f"mangler kolonne(r): {', '.join(missing)}"]
    if df.height == 0:
        return ["tabellen kan ikke være tom"]
    if df["valid_from"].null_count():
        errors.append("hver rad må ha en gyldig-fra-dato")
    dup = df.filter(pl.col("valid_from").is_duplicated())["valid_from"].unique().to_list()
    if dup:
        errors.append("samme gyldig-fra-dato flere ganger: " + ", ".join(map(str, dup)))
    for i, r in enumerate(df.iter_rows(named=True), start=1):
        vals = [r[c] for c in COLUMNS[1:5]]
        if any(v is None or v <= 0 for v in vals):
            errors.append(f"rad {i}: alle terskelverdier må være positive tall")
            continue
        low, nat, eea, _works = vals
        if not low <= nat <= eea:
            errors.append(f"rad {i}: nedre grense ≤ nasjonal terskel ≤ EØS-terskel må holde")
    return errors


def save_thresholds(
    conn: sa.Connection, df: pl.DataFrame, scope: Scope, *, username: str | None = None
) -> int:
    """Replace the thresholds table (admin only), audit-logged, in the caller's transaction.

    Raises PermissionError for non-admins and ValueError with the problems for invalid input.
    """
    if scope.role != "admin":
        raise PermissionError("bare administrator kan endre terskelverdiene")
    df = df.with_columns(
        pl.col("valid_from").cast(pl.Date),
        *[pl.col(c).cast(pl.Int64, strict=False) for c in COLUMNS[1:5]],
    )
    if "source" not in df.columns:
        df = df.with_columns(source=pl.lit(None, pl.String))
    errors = validate_thresholds(df)
    if errors:
        raise ValueError("; ".join(errors))
    before = load_thresholds(conn)
    t = schema.threshold
    conn.execute(t.delete())
    rows = df.select(COLUMNS).sort("valid_from").to_dicts()
    conn.execute(t.insert(), rows)
    old = {str(r["valid_from"]) for r in before.iter_rows(named=True)}
    new = {str(r["valid_from"]) for r in rows}
    audit(
        conn,
        username or scope.username or "admin",
        "threshold.save",
        f"{len(rows)} rader; nye: {sorted(new - old)}; fjernet: {sorted(old - new)}",
    )
    bump_data_version(conn)
    return len(rows)
