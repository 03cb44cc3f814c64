"""The thresholds table (terskelverdier by date), edited by admins: validated, replaced in one
transaction, audit-logged, data version bumped so the threshold watch picks it up."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import audit, bump_data_version
from data_access.store.scope import Scope
from data_access.store.thresholds import COLUMNS, load_thresholds


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
