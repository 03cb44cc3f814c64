"""Where the money goes: spend per municipality × category, per inhabitant, and trends.

All functions take the enriched cube and the global ``Filters`` and return small Polars frames;
spend is the ``purchase`` spend class (``overview.PURCHASE``), credit notes included.

Two municipal structures (PRODUCT.md §5):

* ``"today"``: old codes mapped forward, so Verran (5039) and Steinkjer (5004) in 2019 are both
  Steinkjer 5006, and their 2019 populations are summed;
* ``"historical"``: the code used at the time, so Verran stands apart in 2019 (labels carry the
  code, because 5004 and 5006 are both called Steinkjer).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import polars as pl

from data_access.metrics.common import purchases
from data_access.store.filters import Filters, apply

Structure = Literal["today", "historical"]
Grain = Literal["month", "quarter", "year"]
STRUCTURES: tuple[Structure, ...] = ("today", "historical")
GRAINS: tuple[Grain, ...] = ("month", "quarter", "year")
# Period labels are data values, so English; charts.fmt.period shows them in the reader's language.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def with_municipality_key(frame: pl.DataFrame, structure: Structure = "today") -> pl.DataFrame:
    """Add ``muni_key`` (code) and ``muni_label`` for the chosen municipal structure.

    >>> f = pl.DataFrame({"municipality_code": ["5039", "5004", "5006"],
    ...   "municipality_now": ["5006"] * 3, "municipality_name": ["Steinkjer"] * 3,
    ...   "municipality_hist_name": ["Verran", "Steinkjer", "Steinkjer"]})
    >>> with_municipality_key(f, "historical")["muni_label"].to_list()
    ['Verran (5039)', 'Steinkjer (5004)', 'Steinkjer (5006)']
    >>> with_municipality_key(f, "today")["muni_key"].unique().to_list()
    ['5006']
    """
    if structure == "historical":
        return frame.with_columns(
            muni_key=pl.col("municipality_code"),
            muni_label=pl.format("{} ({})", "municipality_hist_name", "municipality_code"),
        )
    if structure != "today":
        raise ValueError(f"unknown structure {structure!r}")
    return frame.with_columns(
        muni_key=pl.col("municipality_now"), muni_label=pl.col("municipality_name")
    )


def population_by_key(
    population: pl.DataFrame, municipalities: pl.DataFrame, structure: Structure = "today"
) -> pl.DataFrame:
    """Population per ``muni_key`` and year; for today's structure old codes are summed into
    their successor (Verran 2 450 + Steinkjer 22 000 in 2019 → Steinkjer 24 450).

    ``population``: municipality_code, year, population. ``municipalities``: code,
    current_code (the ``municipality`` table).

    >>> pop = pl.DataFrame({"municipality_code": ["5004", "5039", "5006"],
    ...   "year": [2019, 2019, 2020], "population": [22000, 2450, 24300]})
    >>> m = pl.DataFrame({"code": ["5004", "5039", "5006"], "current_code": ["5006"] * 3})
    >>> population_by_key(pop, m).sort("year").rows()
    [('5006', 2019, 24450), ('5006', 2020, 24300)]
    """
    pop = population.select(
        pl.col("municipality_code").cast(pl.String),
        pl.col("year").cast(pl.Int32),
        pl.col("population").cast(pl.Int64),
    )
    if structure == "historical":
        return pop.rename({"municipality_code": "muni_key"})
    mapping = municipalities.select(municipality_code="code", muni_key="current_code")
    return (
        pop.join(mapping, on="municipality_code", how="left")
        .with_columns(pl.coalesce("muni_key", "municipality_code").alias("muni_key"))
        .group_by("muni_key", "year")
        .agg(pl.col("population").sum())
        .select("muni_key", "year", "population")
    )


def _per_inhabitant(rows: pl.DataFrame, by: list[str], pop: pl.DataFrame | None) -> pl.DataFrame:
    """Sum ``amount`` by ``by`` (which includes muni_key); with ``pop`` also Σ_year amount/pop.

    Per inhabitant over a period = Σ over its years of (spend in that year / that year's
    population): for one year it is §4's definition, for a quarter the quarter's spend per
    inhabitant, and it adds up across categories.
    """
    yearly = rows.group_by([*by, "year"]).agg(amount=pl.col("amount").sum())
    if pop is None:
        return yearly.group_by(by).agg(pl.col("amount").sum())
    yearly = yearly.join(pop, on=["muni_key", "year"], how="left").with_columns(
        per_inhabitant=pl.col("amount") / pl.col("population")
    )
    return yearly.group_by(by).agg(
        pl.col("amount").sum(),
        # null when any year lacks a population figure: a partial sum would mislead.
        per_inhabitant=pl.when(pl.col("population").is_null().any())
        .then(None)
        .otherwise(pl.col("per_inhabitant").sum()),
        population=pl.col("population").last(),
    )


def matrix(
    cube: pl.DataFrame,
    f: Filters,
    *,
    structure: Structure = "today",
    population: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Spend per municipality × level-2 category (long form), with ``per_inhabitant`` when a
    population table (from ``population_by_key``) is given.

    Columns: muni_key, muni_label, category_l1, category, category_id, sort, amount
    [, per_inhabitant, population]. Sorted by category tree order, then municipality.
    """
    d = with_municipality_key(purchases(cube, f), structure)
    by = ["muni_key", "muni_label", "category_l1", "category", "category_id", "sort"]
    out = _per_inhabitant(d, by, population)
    return out.sort("sort", "muni_key")


def by_municipality(
    cube: pl.DataFrame,
    f: Filters,
    *,
    structure: Structure = "today",
    population: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Spend (and per inhabitant) per municipality for the period, largest first."""
    d = with_municipality_key(purchases(cube, f), structure)
    out = _per_inhabitant(d, ["muni_key", "muni_label", "municipality_now"], population)
    return out.sort("amount", descending=True)


def per_inhabitant_by_year(
    cube: pl.DataFrame, f: Filters, population: pl.DataFrame, *, structure: Structure = "today"
) -> pl.DataFrame:
    """Spend per inhabitant per municipality and calendar year inside the period.

    Columns: muni_key, muni_label, municipality_now, year, amount, population, per_inhabitant.
    """
    d = with_municipality_key(purchases(cube, f), structure)
    return (
        d.group_by("muni_key", "muni_label", "municipality_now", "year")
        .agg(amount=pl.col("amount").sum())
        .join(population, on=["muni_key", "year"], how="left")
        .with_columns(per_inhabitant=pl.col("amount") / pl.col("population"))
        .sort("year", "muni_key")
    )


def tree(cube: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """Spend per level-1 and level-2 category (for a treemap), largest first within level 1."""
    d = purchases(cube, f)
    return (
        d.group_by("category_l1", "category_l1_id", "category", "category_id", "sort")
        .agg(amount=pl.col("amount").sum(), n_lines=pl.col("n_lines").sum())
        .sort("sort")
    )


def _bucket(grain: Grain) -> pl.Expr:
    m = pl.col("month")
    if grain == "month":
        return m
    if grain == "quarter":
        return pl.date(m.dt.year(), (m.dt.quarter() - 1) * 3 + 1, 1)
    if grain == "year":
        return pl.date(m.dt.year(), 1, 1)
    raise ValueError(f"unknown grain {grain!r}")


def bucket_label(start: dt.date, grain: Grain) -> str:
    """'Mar 2025', '2025 Q1' or '2025' (English: a data value, shown through ``charts.fmt.period``).

    >>> bucket_label(dt.date(2025, 4, 1), "quarter"), bucket_label(dt.date(2025, 3, 1), "month")
    ('2025 Q2', 'Mar 2025')
    """
    if grain == "month":
        return f"{_MONTHS[start.month - 1]} {start.year}"
    if grain == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def trend(
    cube: pl.DataFrame,
    f: Filters,
    *,
    grain: Grain = "quarter",
    structure: Structure = "today",
    by_municipality: bool = True,
) -> pl.DataFrame:
    """Spend per period bucket inside the filters, with the same bucket one year earlier.

    Columns: bucket (first day), label, [muni_key, muni_label, municipality_now,] amount,
    amount_prev (same months a year earlier, 0 when none), change (None without a base).
    Only months inside the selected period are counted, on both sides, so a part-year
    selection is compared like for like.
    """
    keys = ["muni_key", "muni_label", "municipality_now"] if by_municipality else []

    def agg(frame: pl.DataFrame, shift: int) -> pl.DataFrame:
        # Summed per month first, on the cube's own column: the date arithmetic of the bucket
        # and the shift then run on a few dozen rows, not on every row of the selection (at
        # 1 M lines, grouping 35 000 rows by the computed bucket took 4,4 ms, by month 0,9).
        d = with_municipality_key(frame, structure)
        d = d.group_by("month", *keys).agg(pl.col("amount").sum())
        if shift:
            d = d.with_columns(month=pl.col("month").dt.offset_by(f"{shift}mo"))
        return d.group_by([_bucket(grain).alias("bucket"), *keys]).agg(pl.col("amount").sum())

    # The purchase rows as slices of the shared cube (``purchases``), not a filtered copy.
    cur = agg(purchases(cube, f), 0)
    prev_rows = agg(purchases(cube, f.previous_year()), 12).rename({"amount": "amount_prev"})
    if by_municipality:
        # The historical key changes across years (5004 → 5006): compare on today's code.
        on = ["bucket", "municipality_now"]
        prev = prev_rows.group_by(on).agg(pl.col("amount_prev").sum())
    else:
        on = ["bucket"]
        prev = prev_rows
    # Full join: a bucket with spend only a year earlier is a fall to 0, not a missing row.
    out = cur.join(prev, on=on, how="full", coalesce=True).with_columns(
        pl.col("amount").fill_null(0.0), pl.col("amount_prev").fill_null(0.0)
    )
    if by_municipality:
        names = (
            pl.concat([cur.select(keys), prev_rows.select(keys)])
            .unique("municipality_now", keep="first", maintain_order=True)
            .rename({"muni_key": "_k", "muni_label": "_l"})
        )
        out = (
            out.join(names, on="municipality_now", how="left")
            .with_columns(
                muni_key=pl.coalesce("muni_key", "_k"), muni_label=pl.coalesce("muni_label", "_l")
            )
            .drop("_k", "_l")
        )
    if by_municipality and structure == "historical":
        # Two historical codes of one municipality in a bucket (Verran and Steinkjer 2019)
        # cannot each be compared with the merged base: no comparison rather than a wrong one.
        n = pl.len().over(on)
        out = out.with_columns(amount_prev=pl.when(n > 1).then(None).otherwise("amount_prev"))
    out = out.with_columns(
        change=pl.when(pl.col("amount_prev") > 0)
        .then(pl.col("amount") / pl.col("amount_prev") - 1)
        .otherwise(None),
        label=pl.col("bucket").map_elements(
            lambda d: bucket_label(d, grain), return_dtype=pl.String
        ),
    )
    return out.sort("bucket", *keys)


def category_suppliers(cube: pl.DataFrame, f: Filters, category_id: int | None) -> pl.DataFrame:
    """Drill-down step 2: the suppliers of one category (or of the whole selection).

    Private persons are one row "Privatperson" (never by name). Columns: supplier_id (−1 for
    private persons), supplier_name, orgnr, identity_kind, home_municipality, amount, n_lines,
    share (of the category's spend).
    """
    return category_suppliers_of(purchases(cube, f), category_id)


def category_suppliers_of(d: pl.DataFrame, category_id: int | None) -> pl.DataFrame:
    """:func:`category_suppliers` of purchase rows already selected (the cube's, or rows the
    database summed per supplier and category: ``pushdown.purchase_rows``)."""
    if category_id is not None:
        d = d.filter(
            (pl.col("category_id") == category_id) | (pl.col("category_l1_id") == category_id)
        )
    d = d.with_columns(
        supplier_id=pl.when(pl.col("is_private")).then(-1).otherwise("supplier_id"),
        orgnr=pl.when(pl.col("is_private")).then(None).otherwise("orgnr"),
        home_municipality=pl.when(pl.col("is_private")).then(None).otherwise("home_municipality"),
    )
    total = float(d["amount"].sum()) if d.height else 0.0
    return (
        d.group_by("supplier_id")
        .agg(
            pl.col("supplier_name").first(),
            pl.col("orgnr").first(),
            pl.col("identity_kind").first(),
            pl.col("home_municipality").first(),
            amount=pl.col("amount").sum(),
            n_lines=pl.col("n_lines").sum(),
        )
        .with_columns(share=pl.col("amount") / total if total else pl.lit(None, pl.Float64))
        .sort("amount", "supplier_id", descending=[True, False])
    )


def overall_per_inhabitant(
    cube: pl.DataFrame,
    f: Filters,
    population: pl.DataFrame,
    municipalities: frozenset[str] | None = None,
) -> float | None:
    """Spend per inhabitant for the whole selection: Σ over years of (spend that year / summed
    population that year of the selected municipalities). None when a population is missing.

    ``population``: today's structure (``population_by_key(..., "today")``). The selected
    municipalities are those with rows in the filters in any month; ``municipalities`` gives
    them when ``cube`` holds fewer months (``pushdown.municipalities_with_rows``).
    """
    if municipalities is None:
        keys = apply(cube, f, period=False).select(muni_key="municipality_now").unique()
    else:
        keys = pl.DataFrame({"muni_key": sorted(municipalities)}, schema={"muni_key": pl.String})
    d = purchases(cube, f)
    if d.height == 0 or keys.height == 0:
        return None
    yearly = d.group_by("year").agg(amount=pl.col("amount").sum())
    pop = (
        keys.join(population, on="muni_key", how="left")
        .group_by("year")
        .agg(population=pl.col("population").sum(), n=pl.len())
    )
    j = yearly.join(pop, on="year", how="left")
    if j["population"].null_count() or (j["n"] < keys.height).any():
        return None
    return float((j["amount"] / j["population"]).sum())
