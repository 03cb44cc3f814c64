"""Population per municipality code and year (SSB table 07459), editable by admins.

Stored by the code in use that year (Verran 5039 and Steinkjer 5004 apart in 2019), so both the
historical view and today's structure (summed, ``metrics.spend.population_by_key``) can use it.
Every change is written to the audit log.
"""

from __future__ import annotations

import json

import polars as pl
import sqlalchemy as sa

from data_access.store import schema
from data_access.store.db import audit, bump_data_version
from data_access.store.population import load_population
from data_access.store.scope import Scope


def validate(df: pl.DataFrame, known_codes: set[str]) -> list[str]:
    """Problems a person can act on, one per bad row (empty list = valid).

    >>> validate(pl.DataFrame({"municipality_code": ["5038", "9999"], "year": [2024, 2024],
    ...   "population": [15000, -1], "source": [None, None]}), {"5038"})
    ['rad 2: ukjent kommunenummer 9999', 'rad 2: innbyggertallet må være et positivt heltall']
    """
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    for i, r in enumerate(df.iter_rows(named=True), start=1):
        code, year, pop = r.get("municipality_code"), r.get("year"), r.get("population")
        if code not in known_codes:
            problems.append(f"rad {i}: ukjent kommunenummer {code}")
        if year is None or not 1900 <= int(year) <= 2100:
            problems.append(f"rad {i}: ugyldig år {year}")
        if pop is None or int(pop) <= 0:
            problems.append(f"rad {i}: innbyggertallet må være et positivt heltall")
        key = (str(code), int(year or 0))
        if key in seen:
            problems.append(f"rad {i}: {code} {year} står to ganger")
        seen.add(key)
    return problems


def save_population(conn: sa.Connection, edited: pl.DataFrame, *, scope: Scope) -> dict[str, int]:
    """Replace the population table with ``edited`` (the whole table as edited), inside the
    caller's transaction; audit-logs what changed and bumps the data version. Admins only
    (checked here, not only in the page).

    Raises ``ValueError`` listing every problem when a row is invalid (nothing is stored).
    """
    if scope.role != "admin":
        raise PermissionError("bare administratorer kan endre befolkningstall")
    username = scope.username
    known = set(conn.execute(sa.select(schema.municipality.c.code)).scalars())
    df = edited.select(
        pl.col("municipality_code").cast(pl.String).str.strip_chars(),
        pl.col("year").cast(pl.Int64, strict=False),
        pl.col("population").cast(pl.Int64, strict=False),
        pl.col("source").cast(pl.String) if "source" in edited.columns else pl.lit(None, pl.String),
    )
    problems = validate(df, known)
    if problems:
        raise ValueError("; ".join(problems))
    before = {
        (r["municipality_code"], r["year"]): (r["population"], r["source"])
        for r in load_population(conn).iter_rows(named=True)
    }
    after = {
        (r["municipality_code"], r["year"]): (r["population"], r["source"])
        for r in df.iter_rows(named=True)
    }
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(after) & set(before) if after[k] != before[k])
    if not (added or removed or changed):
        return {"added": 0, "removed": 0, "changed": 0}
    t = schema.population
    conn.execute(t.delete())
    if df.height:
        conn.execute(t.insert(), df.to_dicts())
    detail = {
        "added": [f"{c}/{y}={after[(c, y)][0]}" for c, y in added],
        "removed": [f"{c}/{y}" for c, y in removed],
        "changed": [f"{c}/{y}: {before[(c, y)][0]}→{after[(c, y)][0]}" for c, y in changed],
    }
    audit(conn, username, "population.update", json.dumps(detail, ensure_ascii=False))
    bump_data_version(conn)
    return {"added": len(added), "removed": len(removed), "changed": len(changed)}
