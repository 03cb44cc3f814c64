"""The analysis figures (Kommuner og kategorier, Leverandører, Regionalt næringsliv) as one
JSON-serializable dict, for ``innsikt figures`` and exports. Same functions as the pages, so the
same filters give the same numbers everywhere.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from data_access.metrics import concentration, regional, spend
from data_access.metrics.common import purchases
from data_access.store.cube import LEVELS
from data_access.store.filters import Filters
from data_access.store.reference import member_codes_now, region


def _clean(value: Any) -> Any:
    """Floats rounded to øre/1e-6, NaN → None, recursively (JSON has no NaN)."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else round(value, 6)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def analysis_figures(
    cube: pl.DataFrame,
    f: Filters,
    *,
    abc_a: float | None = None,
    abc_b: float | None = None,
    dependency_share: float | None = None,
) -> dict[str, Any]:
    """Spend, concentration and regional figures for the filters (NOK; shares 0–1).

    Keys: spend, n_lines, spend_by_municipality, suppliers (overall HHI/CR/counts), excluded,
    abc, tail_spend, hhi_by_category, dependencies, regional (amounts and shares per level),
    regional_share, unknown_home_share, sme.
    """
    reg = region()
    a = reg.abc_a if abc_a is None else abc_a
    b = reg.abc_b if abc_b is None else abc_b
    dep = reg.dependency_share if dependency_share is None else dependency_share
    buy = purchases(cube, f)
    table = concentration.suppliers(cube, f, a, b)
    by_cat = concentration.by_category(cube, f)
    lv = regional.levels(cube, f).row(0, named=True)
    sme = regional.sme(cube, f, reg.sme_max_employees).row(0, named=True)
    munis = spend.by_municipality(cube, f)
    out = {
        "filters": {
            "start": f.start.isoformat(),
            "end": f.end.isoformat(),
            "municipalities": list(f.municipalities),
            "categories": list(f.categories),
            "area": f.area,
        },
        "spend": float(buy["amount"].sum()) if buy.height else 0.0,
        "n_lines": int(buy["n_lines"].sum()) if buy.height else 0,
        "spend_by_municipality": {r["muni_key"]: r["amount"] for r in munis.iter_rows(named=True)},
        "suppliers": concentration.overall(table),
        "excluded": {
            r["kind"]: {"amount": r["amount"], "n_suppliers": r["n_suppliers"]}
            for r in concentration.excluded(buy).iter_rows(named=True)
        },
        "abc": {
            r["abc"]: {
                "n_suppliers": r["n_suppliers"],
                "amount": r["amount"],
                "share": r["share"],
                "line_share": r["line_share"],
            }
            for r in concentration.classes(table).iter_rows(named=True)
        },
        "abc_cutoffs": {"a": a, "b": b},
        "tail_spend": concentration.tail(table),
        "hhi_by_category": [
            {
                "category_l1": r["category_l1"],
                "category": r["category"],
                "amount": r["amount"],
                "n_suppliers": r["n_suppliers"],
                "hhi": r["hhi"],
                "band": r["band"],
                "equivalent": r["equivalent"],
                "cr1": r["cr1"],
                "cr3": r["cr3"],
                "cr5": r["cr5"],
            }
            for r in by_cat.iter_rows(named=True)
        ],
        "dependency_share": dep,
        "dependencies": concentration.dependencies(by_cat, dep).to_dicts(),
        "regional": {lvl: {"amount": lv[lvl], "share": lv[f"{lvl}_share"]} for lvl in LEVELS},
        "regional_share": lv["regional_share"],
        "unknown_home_share": lv["unknown_share"],
        "sme": {
            "max_employees": reg.sme_max_employees,
            "share": sme["sme_share"],
            "unknown_size_share": sme["unknown_share"],
        },
        "members": member_codes_now(),
    }
    cleaned = _clean(out)
    assert isinstance(cleaned, dict)
    return cleaned
