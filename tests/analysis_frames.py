"""Small hand-made cubes for the analysis metric tests, enriched by the real ``cube.enrich``.

Each test lists its rows as (month, buyer code, supplier id, category id, kroner[, spend class]);
suppliers and categories are fixed below, so every expected number can be computed by hand.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from data_access.store.cube import enrich
from data_access.store.reference import member_codes_now, municipality_rows, region

# id: (name, orgnr, identity_kind, home, nace, employees, is_private)
SUPPLIERS: dict[int, tuple[str, str | None, str, str | None, str | None, int | None, bool]] = {
    1: ("Alfa AS", "100000001", "orgnr", "5038", "43.210", 12, False),  # Verdal
    2: ("Beta AS", "100000002", "orgnr", "5006", "43.210", 40, False),  # Steinkjer
    3: ("Gamma AS", "100000003", "orgnr", "5001", "47.520", 300, False),  # Trondheim
    4: ("Delta AS", "100000004", "orgnr", "0301", "43.210", 5000, False),  # Oslo
    5: ("Utland GmbH", None, "name", None, None, None, False),  # foreign, no orgnr
    6: ("Ola Nordmann", None, "name", None, None, None, True),  # private person
    7: ("Lnr-leverandør", None, "supplier_no", None, None, None, False),
    8: ("Epsilon AS", "100000008", "orgnr", "5037", None, 3, False),  # Levanger
    9: ("Diverse leverandører", None, "supplier_no", None, None, None, False),  # pseudo
}
PSEUDO = {9}
CATEGORIES = pl.DataFrame(
    {
        "category_id": [11, 12, 21],
        "category": ["Bygg", "Vedlikehold", "Kontor"],
        "category_l1": ["Bygg og eiendom", "Bygg og eiendom", "Forbruksvarer"],
        "category_l1_id": [1, 1, 2],
        "sort": [1001, 1002, 2001],
    }
)


def suppliers_frame() -> pl.DataFrame:
    rows = [
        {
            "supplier_id": i,
            "supplier_name": "Privatperson" if s[6] else s[0],
            "orgnr": s[1],
            "identity_kind": s[2],
            "home_municipality": s[3],
            "country": "NO" if s[3] else None,
            "nace": s[4],
            "employees": s[5],
            "is_private": s[6],
            "is_public": False,
            "is_pseudo": i in PSEUDO,
        }
        for i, s in SUPPLIERS.items()
    ]
    return pl.DataFrame(rows, schema_overrides={"employees": pl.Int64, "nace": pl.String})


Row = tuple[str, str, int, int, float] | tuple[str, str, int, int, float, str]


def cube(rows: list[Row], *, area: str = "drift") -> pl.DataFrame:
    """An enriched cube from (YYYY-MM, buyer code, supplier, category, NOK[, spend class])."""
    raw = pl.DataFrame(
        {
            "month": [dt.date(int(r[0][:4]), int(r[0][5:7]), 1) for r in rows],
            "municipality_code": [r[1] for r in rows],
            "supplier_id": [r[2] for r in rows],
            "category_id": [r[3] for r in rows],
            "area": [area] * len(rows),
            "spend_class": [r[5] if len(r) > 5 else "purchase" for r in rows],
            "ehandel": [False] * len(rows),
            "agreement_id": [None] * len(rows),
            "amount_ore": [round(r[4] * 100) for r in rows],
            "n_lines": [1] * len(rows),
        },
        schema_overrides={"agreement_id": pl.Int64},
    )
    return enrich(
        raw, suppliers_frame(), municipality_rows(), CATEGORIES, member_codes_now(), region().county
    )
