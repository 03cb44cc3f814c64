"""Reference data carried as configuration: the region, municipalities and their code history,
KOSTRA art classes, the category tree, thresholds and population.

The CSV files in ``data_access/reference/`` are copies of the shared reference data (with their
source columns) plus the Innherred defaults; ``seed_reference`` loads them into an empty
database, after which admins edit the tables in the app.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from data_access.store import schema, settings
from data_access.store.db import bulk_insert, set_setting, sync_id_sequences
from data_access.store.pseudo import seed_pseudo_suppliers

# The reference data is configuration, kept at data_access/reference/ beside the code packages.
REF = Path(__file__).resolve().parents[1] / "reference"
UNCLASSIFIED = "Uklassifisert"


@dataclass(frozen=True)
class Region:
    """The cooperation: members, county, target and display colours."""

    name: str
    host_municipality: str
    county: str
    county_name: str
    yearly_savings_target_nok: float
    abc_a: float
    abc_b: float
    dependency_share: float
    sme_max_employees: int
    colours: dict[str, str] = field(default_factory=dict)


@cache
def region() -> Region:
    path = Path(settings.get("INNSIKT_REGION_FILE") or REF / "region.toml")
    with path.open("rb") as f:
        raw = tomllib.load(f)
    return Region(
        name=raw["name"],
        host_municipality=raw["host_municipality"],
        county=raw["county"],
        county_name=raw["county_name"],
        yearly_savings_target_nok=float(raw["yearly_savings_target_nok"]),
        abc_a=float(raw["abc_a"]),
        abc_b=float(raw["abc_b"]),
        dependency_share=float(raw["dependency_share"]),
        sme_max_employees=int(raw["sme_max_employees"]),
        colours=dict(raw.get("colours", {})),
    )


def municipality_rows() -> pl.DataFrame:
    """One row per code ever used by a member, with validity and today's successor code.

    >>> m = municipality_rows()
    >>> m.filter(pl.col("code") == "5039").select("name", "current_code").row(0)
    ('Verran', '5006')
    """
    src = pl.read_csv(REF / "municipalities.csv", infer_schema=False)
    rows: dict[str, dict[str, Any]] = {}  # one record per code, widened as spans are read
    for r in src.iter_rows(named=True):
        current = r["code_from_2020"]
        spans = [
            (r["code_until_2017"], None, dt.date(2017, 12, 31)),
            (r["code_2018_2019"], dt.date(2018, 1, 1), dt.date(2019, 12, 31)),
            (r["code_from_2020"], dt.date(2020, 1, 1), None),
        ]
        for code, start, end in spans:
            row = rows.get(code)
            if row is None:
                rows[code] = {
                    "code": code,
                    "name": r["name"],  # a merged code is named by the first member listed
                    "valid_from": start,
                    "valid_to": end,
                    "current_code": current,
                    "county": "50" if start is not None else "17",  # Nord-Trøndelag before 2018
                    "is_member": True,
                    "note": r["note"],
                }
            else:  # same code kept across periods: widen its validity
                if start is None or (row["valid_from"] and start < row["valid_from"]):
                    row["valid_from"] = start
                row["valid_to"] = (
                    None if end is None or row["valid_to"] is None else max(end, row["valid_to"])
                )
    members = pl.DataFrame(
        list(rows.values()), schema_overrides={"valid_from": pl.Date, "valid_to": pl.Date}
    )
    others = pl.read_csv(REF / "other_municipalities.csv", infer_schema=False).with_columns(
        valid_from=pl.lit(None, pl.Date),
        valid_to=pl.lit(None, pl.Date),
        current_code=pl.col("code"),
        is_member=pl.lit(False),
        note=pl.lit(None, pl.String),
    )
    return pl.concat([members, others.select(members.columns)], how="vertical_relaxed")


def member_codes_now() -> list[str]:
    """Today's codes of the members, in display order (host last is not special)."""
    m = municipality_rows().filter(pl.col("is_member"))
    return sorted(set(m["current_code"].to_list()))


def art_classes() -> pl.DataFrame:
    return pl.read_csv(REF / "kostra_art.csv", infer_schema=False)


def categories() -> pl.DataFrame:
    return pl.read_csv(REF / "categories.csv", infer_schema=False)


def thresholds() -> pl.DataFrame:
    return pl.read_csv(REF / "thresholds.csv", try_parse_dates=True)


def seed_reference(conn: sa.Connection) -> None:
    """Fill the configuration tables of an empty database from the shipped defaults."""
    seed_pseudo_suppliers(conn)  # once per database, also for databases made before the list
    if conn.execute(sa.select(sa.func.count()).select_from(schema.municipality)).scalar():
        return
    bulk_insert(conn, schema.municipality, municipality_rows())

    pop = pl.read_csv(REF / "population.csv", schema_overrides={"municipality_code": pl.String})
    bulk_insert(conn, schema.population, pop)

    arts = art_classes()
    bulk_insert(
        conn, schema.art_class, arts.select("art_from", "art_to", "spend_class", "kostra_group")
    )

    cats = categories()
    ids: dict[tuple[str | None, str], int] = {}
    next_id = 1
    for sort, l1 in enumerate(cats["level1"].unique(maintain_order=True).to_list()):
        ids[(None, l1)] = next_id
        conn.execute(
            schema.category.insert().values(id=next_id, name=l1, parent_id=None, sort=sort)
        )
        next_id += 1
    for sort, (l1, l2) in enumerate(cats.iter_rows()):
        ids[(l1, l2)] = next_id
        conn.execute(
            schema.category.insert().values(
                id=next_id, name=l2, parent_id=ids[(None, l1)], sort=sort
            )
        )
        next_id += 1
    leaf_by_name = {l2: i for (l1, l2), i in ids.items() if l1 is not None}
    rules = [
        {
            "kind": "account",
            "art_from": r["art_from"],
            "art_to": r["art_to"],
            "category_id": leaf_by_name[r["default_category"]],
            "priority": 100,
            "note": f"KOSTRA {r['kostra_group']}",
        }
        for r in arts.iter_rows(named=True)
        if r["default_category"]
    ]
    conn.execute(schema.category_rule.insert(), rules)

    sync_id_sequences(conn, [schema.category])
    thr = thresholds()
    bulk_insert(conn, schema.threshold, thr)
    set_setting(conn, "yearly_savings_target_nok", str(int(region().yearly_savings_target_nok)))
