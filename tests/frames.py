"""Hand-built cube frames and agreement registers for the savings, coverage and threshold tests.

Only the columns the metrics read are present; amounts are chosen so every expected figure can
be worked out by hand in the test itself.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

NAMES = {"5038": "Verdal", "5037": "Levanger", "5041": "Snåsa"}


def cube(rows: list[dict[str, object]]) -> pl.DataFrame:
    """Cube rows with defaults: purchase, drift, category 9 under 1, no agreement."""
    out = []
    for r in rows:
        month = r.get("month", dt.date(2025, 1, 1))
        amount = float(r.get("amount", 0.0))
        out.append(
            {
                "month": month,
                "year": month.year,
                "quarter": (month.month - 1) // 3 + 1,
                "municipality_code": r.get("muni", "5038"),
                "municipality_now": r.get("muni", "5038"),
                "municipality_name": NAMES.get(str(r.get("muni", "5038")), "?"),
                "supplier_id": r.get("supplier_id", 1),
                "supplier_name": r.get("supplier_name", f"Lev {r.get('supplier_id', 1)}"),
                "orgnr": r.get("orgnr", "974085203"),
                "is_private": r.get("is_private", False),
                "category_id": r.get("category_id", 9),
                "category": r.get("category", "Kontor og rekvisita"),
                "category_l1_id": r.get("category_l1_id", 1),
                "category_l1": r.get("category_l1", "Forbruksvarer"),
                "area": r.get("area", "drift"),
                "spend_class": r.get("spend_class", "purchase"),
                "ehandel": r.get("ehandel", False),
                "agreement_id": r.get("agreement_id"),
                "amount": amount,
                "amount_ore": round(amount * 100),
                "n_lines": r.get("n_lines", 1),
            }
        )
    return pl.DataFrame(
        out,
        schema_overrides={
            "month": pl.Date,
            "agreement_id": pl.Int64,
            "supplier_id": pl.Int64,
            "category_id": pl.Int64,
            "category_l1_id": pl.Int64,
            "year": pl.Int32,
            "quarter": pl.Int8,
            "n_lines": pl.Int64,
            "amount_ore": pl.Int64,
        },
    )


def agreements(rows: list[dict[str, object]]) -> pl.DataFrame:
    base = {
        "ref": None,
        "name": None,
        "category_id": None,
        "end_with_options": None,
        "estimated_annual_value_ore": None,
        "savings_rate": None,
        "projected_saving_ore": None,
        "savings_type": "hard",
        "owner": "Innkjøp",
    }
    out = []
    for r in rows:
        d = {**base, **r}
        d["ref"] = d["ref"] or f"A-{d['id']}"
        d["name"] = d["name"] or f"Avtale {d['id']}"
        out.append(d)
    return pl.DataFrame(
        out,
        schema_overrides={
            "id": pl.Int64,
            "category_id": pl.Int64,
            "start": pl.Date,
            "end": pl.Date,
            "end_with_options": pl.Date,
            "estimated_annual_value_ore": pl.Int64,
            "savings_rate": pl.Float64,
            "projected_saving_ore": pl.Int64,
        },
    )


def thresholds(*rows: tuple[dt.date, int, int, int]) -> pl.DataFrame:
    """(valid_from, lower limit, national, EEA goods/services) rows."""
    return pl.DataFrame(
        {
            "valid_from": [r[0] for r in rows],
            "regulation_lower_limit_nok": [r[1] for r in rows],
            "national_threshold_nok": [r[2] for r in rows],
            "eea_threshold_municipal_goods_services_nok": [r[3] for r in rows],
            "eea_threshold_works_nok": [r[3] * 25 for r in rows],
        }
    )
