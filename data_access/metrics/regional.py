"""How much stays with regional business (PRODUCT.md §4 "Regional share", "SME share").

Each cube row already carries ``regional_level`` of its supplier relative to its buyer, on
today's codes (so Verran's 2019 purchases from a Steinkjer firm are "same"): ``same``,
``member``, ``county``, ``norway``, ``abroad_unknown``. Regional share = spend at ``same`` or
``member`` / spend where the home municipality is known; unknown is reported apart.
All purchase spend counts, unclassified spend and unknown suppliers included.
"""

from __future__ import annotations

import polars as pl

from data_access.metrics.common import PURCHASE, purchases
from data_access.metrics.overview import KNOWN_HOME, REGIONAL
from data_access.store.cube import LEVELS
from data_access.store.filters import Filters, per_cube

_RANK = {lvl: i for i, lvl in enumerate(LEVELS)}
GROUPS = {
    "municipality": ["municipality_now", "municipality_name"],
    "category": ["category_l1", "category", "sort"],
    "year": ["year"],
    "quarter": ["year", "quarter"],
    "none": [],
}


def level_of(home: pl.Expr, buyer: pl.Expr, members: list[str], county: str) -> pl.Expr:
    """The regional level of a supplier home relative to a buyer (both today's codes)."""
    return (
        pl.when(home.is_null())
        .then(pl.lit("abroad_unknown"))
        .when(home == buyer)
        .then(pl.lit("same"))
        .when(home.is_in(members))
        .then(pl.lit("member"))
        .when(home.str.starts_with(county))
        .then(pl.lit("county"))
        .otherwise(pl.lit("norway"))
    )


def _wide(long: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Amounts per level as columns, with total, known, regional share and unknown share.

    Summed per key and level first (one grouping of the rows), then spread into the five
    columns on that small frame: the five filtered sums compared every row's level five times
    (at 1 M lines, 15 → 12 ms for the quarterly history, which a change of period alone now
    reuses: :func:`levels`)."""
    per_level = long.group_by([*keys, "regional_level"]).agg(pl.col("amount").sum())
    cols = [
        pl.col("amount").filter(pl.col("regional_level") == lvl).sum().alias(lvl) for lvl in LEVELS
    ]
    out = per_level.group_by(keys).agg(cols) if keys else per_level.select(cols)
    out = out.with_columns(total=pl.sum_horizontal(*LEVELS)).with_columns(
        known=pl.col("total") - pl.col("abroad_unknown")
    )
    out = out.with_columns(
        regional_share=pl.when(pl.col("known") != 0)
        .then((pl.col("same") + pl.col("member")) / pl.col("known"))
        .otherwise(None),
        unknown_share=pl.when(pl.col("total") != 0)
        .then(pl.col("abroad_unknown") / pl.col("total"))
        .otherwise(None),
        **{
            f"{lvl}_share": pl.when(pl.col("total") != 0)
            .then(pl.col(lvl) / pl.col("total"))
            .otherwise(None)
            for lvl in LEVELS
        },
    )
    return out.sort(keys) if keys else out


def levels(cube: pl.DataFrame, f: Filters, by: str = "none") -> pl.DataFrame:
    """Spend per regional level (columns ``same`` … ``abroad_unknown``, ``*_share`` of the
    total) and ``regional_share`` of known, per ``by``: none, municipality, category, year,
    quarter. For ``quarter``/``year`` the period filter is not applied (full history) and
    ``in_period`` marks the buckets inside it."""
    keys = GROUPS[by]
    if by not in ("year", "quarter"):
        return levels_of(purchases(cube, f), by)
    # The whole history: the same for every period, remembered per cube and rows.
    out = per_cube(
        cube, ("levels", by, *f.rows), lambda: _wide(purchases(cube, f, period=False), keys)
    )
    return in_period(out, purchases(cube, f).select(keys), by)


def levels_of(rows: pl.DataFrame, by: str = "none") -> pl.DataFrame:
    """:func:`levels` (``by`` not a time) of purchase rows already selected by the filters:
    ``regional_level``, ``amount`` and the columns of ``GROUPS[by]`` — the cube's rows, or
    sums the database made per those columns (``data_access.pushdown_regional``)."""
    return _wide(rows, GROUPS[by])


def levels_over_time_of(history: pl.DataFrame, f: Filters, by: str = "quarter") -> pl.DataFrame:
    """:func:`levels` per ``year`` or ``quarter`` from the purchases of every month within the
    other filters, summed per ``month`` (with ``year`` and ``quarter``) and level — rows the
    database summed (``data_access.pushdown_regional.history_rows``); a month with rows inside
    the period marks its bucket as the cube's rows of the period do."""
    inside = history.filter(pl.col("month").is_between(f.start, f.end))
    return in_period(_wide(history, GROUPS[by]), inside, by)


def in_period(history: pl.DataFrame, inside: pl.DataFrame, by: str) -> pl.DataFrame:
    """The whole history's levels per year or quarter (``_wide``) with ``in_period`` marking the
    buckets that ``inside`` (the period's rows, the bucket's columns) has, and a ``label``."""
    keys = GROUPS[by]
    marks = inside.select(keys).unique().with_columns(in_period=pl.lit(True))
    out = history.join(marks, on=keys, how="left").with_columns(
        pl.col("in_period").fill_null(False)
    )
    if by == "quarter":
        return out.with_columns(label=pl.format("{} Q{}", "year", "quarter"))
    return out.with_columns(label=pl.col("year").cast(pl.String))


def regional_share(cube: pl.DataFrame, f: Filters) -> float | None:
    """The headline regional share (same definition as Oversikt)."""
    d = purchases(cube, f)
    known = float(d.filter(KNOWN_HOME)["amount"].sum()) if d.height else 0.0
    reg = float(d.filter(KNOWN_HOME & REGIONAL)["amount"].sum()) if d.height else 0.0
    return reg / known if known else None


def flows(cube: pl.DataFrame, f: Filters, member_names: dict[str, str]) -> pl.DataFrame:
    """The flow matrix buyer (today's code) × supplier home: one column per member home,
    then the levels ``same`` (a buyer outside the members buying at home), ``county``,
    ``norway``, ``abroad_unknown``.

    ``member_names``: today's code → name for all members (supplier homes are named even when
    the user's scope holds one buyer). Long form: municipality_now, municipality_name,
    home_key (a member's code or one of the four level keys), home_name (the member's name;
    null for a level, named for readers by ``charts.regional.label_flows``), home_order,
    amount, share (of the buyer's spend).
    """
    return flows_of(with_home_key(purchases(cube, f), list(member_names)), member_names)


def with_home_key(rows: pl.DataFrame, members: list[str]) -> pl.DataFrame:
    """Add ``home_key``: the supplier's home when it is a member (``members``: today's codes),
    else its regional level — ``same`` only for a buyer outside the members (a national
    scope), whose own municipality would otherwise be a column of its own for every buyer.

    >>> f = pl.DataFrame({"home_municipality": ["5038", "0301", "9001"],
    ...     "regional_level": ["same", "norway", "same"]})
    >>> with_home_key(f, ["5038"])["home_key"].to_list()
    ['5038', 'norway', 'same']
    """
    home = pl.col("home_municipality")
    return rows.with_columns(
        home_key=pl.when(home.is_in(members)).then(home).otherwise(pl.col("regional_level"))
    )


def flows_of(rows: pl.DataFrame, member_names: dict[str, str]) -> pl.DataFrame:
    """:func:`flows` of purchase rows already selected, each with ``municipality_now``,
    ``municipality_name``, ``home_key`` (:func:`with_home_key`) and ``amount``."""
    order = {c: i for i, c in enumerate(member_names)}
    n = len(order)
    orders = {**order, "same": n, "county": n + 1, "norway": n + 2, "abroad_unknown": n + 3}
    out = (
        rows.group_by("municipality_now", "municipality_name", "home_key")
        .agg(pl.col("amount").sum())
        .with_columns(
            home_name=pl.col("home_key").replace_strict(
                member_names, default=None, return_dtype=pl.String
            ),
            home_order=pl.col("home_key").replace_strict(orders, default=n + 4).cast(pl.Int64),
            share=pl.col("amount") / pl.col("amount").sum().over("municipality_now"),
        )
    )
    return out.sort("municipality_now", "home_order")


def sme(cube: pl.DataFrame, f: Filters, max_employees: int = 250, by: str = "none") -> pl.DataFrame:
    """SME share: spend with suppliers of fewer than ``max_employees`` employees / spend with
    suppliers whose size is known; unknown size reported apart (``unknown_share`` of total)."""
    rows = purchases(cube, f).with_columns(size=size_class(pl.col("employees"), max_employees))
    return sme_of(rows, by)


def size_class(employees: pl.Expr, max_employees: int) -> pl.Expr:
    """``sme`` below ``max_employees`` employees, ``large`` from it, null where unknown.

    >>> pl.select(size_class(pl.Series([3, 250, None]), 250)).to_series().to_list()
    ['sme', 'large', None]
    """
    return (
        pl.when(employees.is_null())
        .then(pl.lit(None, pl.String))
        .when(employees < max_employees)
        .then(pl.lit("sme"))
        .otherwise(pl.lit("large"))
    )


def sme_of(rows: pl.DataFrame, by: str = "none") -> pl.DataFrame:
    """:func:`sme` of purchase rows already selected, each with ``size``
    (:func:`size_class`), ``amount`` and the columns of ``GROUPS[by]``."""
    keys = GROUPS[by]
    size = pl.col("size")
    cols = [
        pl.col("amount").sum().alias("total"),
        pl.col("amount").filter(size.is_not_null()).sum().alias("known"),
        pl.col("amount").filter(size == "sme").sum().alias("sme"),
    ]
    out = rows.group_by(keys).agg(cols) if keys else rows.select(cols)
    out = out.with_columns(
        sme_share=pl.when(pl.col("known") != 0).then(pl.col("sme") / pl.col("known")),
        unknown_share=pl.when(pl.col("total") != 0).then(
            (pl.col("total") - pl.col("known")) / pl.col("total")
        ),
    )
    return out.sort(keys) if keys else out


def with_location_level(
    frame: pl.DataFrame, locations: pl.DataFrame, members: list[str], county: str
) -> pl.DataFrame:
    """Add ``location_level``: the closest of the supplier's head office and its registered
    sub-units (``supplier_location``: parent_orgnr, municipality) to the buyer; equals
    ``regional_level`` for suppliers without known sub-units. ``has_subunits`` marks the rest.

    >>> f = pl.DataFrame({"municipality_now": ["5038", "5038"], "orgnr": ["1", "2"],
    ...   "home_municipality": ["0301", "0301"], "regional_level": ["norway", "norway"]})
    >>> loc = pl.DataFrame({"parent_orgnr": ["1"], "municipality": ["5038"]})
    >>> with_location_level(f, loc, ["5038"], "50")["location_level"].to_list()
    ['same', 'norway']
    """
    loc = locations.select(
        orgnr=pl.col("parent_orgnr").cast(pl.String),
        loc_home=pl.col("municipality").cast(pl.String),
    ).filter(pl.col("loc_home").is_not_null())
    pairs = frame.select("municipality_now", "orgnr").unique().filter(pl.col("orgnr").is_not_null())
    best = (
        pairs.join(loc, on="orgnr", how="inner")
        .with_columns(lvl=level_of(pl.col("loc_home"), pl.col("municipality_now"), members, county))
        .with_columns(rank=pl.col("lvl").replace_strict(_RANK, return_dtype=pl.Int64))
        .group_by("municipality_now", "orgnr")
        .agg(sub_rank=pl.col("rank").min())
    )
    inverse = dict(enumerate(LEVELS))
    return (
        frame.join(best, on=["municipality_now", "orgnr"], how="left")
        .with_columns(
            has_subunits=pl.col("sub_rank").is_not_null(),
            location_level=pl.min_horizontal(
                pl.col("regional_level").replace_strict(_RANK, return_dtype=pl.Int64),
                pl.col("sub_rank"),
            ).replace_strict(inverse, return_dtype=pl.String),
        )
        .drop("sub_rank")
    )


def location_comparison(
    cube: pl.DataFrame, f: Filters, locations: pl.DataFrame, members: list[str], county: str
) -> pl.DataFrame:
    """Per level: spend by head-office location and by nearest sub-unit location, side by
    side (``head_office``, ``subunit``), with ``n_suppliers_with_subunits`` in the selection.
    ``level`` is the English key; ``charts.regional.label_locations`` names it."""
    return location_comparison_of(purchases(cube, f), locations, members, county)


def location_comparison_of(
    rows: pl.DataFrame, locations: pl.DataFrame, members: list[str], county: str
) -> pl.DataFrame:
    """:func:`location_comparison` of purchase rows already selected (``municipality_now``,
    ``supplier_id``, ``orgnr``, ``regional_level``, ``amount``). Rows of suppliers without
    sub-units may come summed per buyer and level with ``supplier_id`` and ``orgnr`` null."""
    d = with_location_level(rows, locations, members, county)
    head = d.group_by("regional_level").agg(head_office=pl.col("amount").sum())
    sub = d.group_by("location_level").agg(subunit=pl.col("amount").sum())
    n = d.filter(pl.col("has_subunits"))["supplier_id"].n_unique() if d.height else 0
    return (
        pl.DataFrame({"level": list(LEVELS)})
        .join(head.rename({"regional_level": "level"}), on="level", how="left")
        .join(sub.rename({"location_level": "level"}), on="level", how="left")
        .with_columns(
            pl.col("head_office").fill_null(0.0),
            pl.col("subunit").fill_null(0.0),
            n_suppliers_with_subunits=pl.lit(n, pl.Int64),
        )
    )


_FAR_KEYS = ("category_l1", "category", "sort", "supplier_id", "supplier_name", "orgnr", "nace")


def regional_alternatives(
    cube: pl.DataFrame, f: Filters, members: list[str], per_category: int = 3
) -> pl.DataFrame:
    """The largest non-regional suppliers per category for which a regional alternative exists
    among the suppliers already used: same NACE code, home in a member municipality.

    "Used" means with purchase spend anywhere in the user's scope (any period), so the list
    stays stable when the period is narrowed. Columns: category_l1, category, supplier_name,
    orgnr, nace, amount, level (the English key, as ``regional_level``: the nearest of the
    supplier's levels when the selection's buyers differ), n_alternatives, alternatives (up to
    three names, largest first).
    """

    def in_use() -> pl.DataFrame:
        return regional_in_use(
            cube.filter(
                PURCHASE & pl.col("home_municipality").is_in(members) & pl.col("nace").is_not_null()
            )
        )

    # The same for every filter change of this cube: computed once per cube and members.
    used = per_cube(cube, ("regional_in_use", tuple(sorted(members))), in_use)
    return alternatives_of(purchases(cube, f), used, per_category)


def regional_in_use(rows: pl.DataFrame) -> pl.DataFrame:
    """Per NACE code, the regional suppliers in use: ``n_alternatives`` and up to three names,
    largest first (``alternatives``), from purchase rows of suppliers at home in a member
    municipality with a NACE code (``supplier_id``, ``supplier_name``, ``nace``, ``amount``)."""
    return (
        rows.group_by("supplier_id", "supplier_name", "nace")
        .agg(a=pl.col("amount").sum())
        .filter(pl.col("a") > 0)
        # Ties in amount ordered by name, so the three names do not depend on row order.
        .sort(["a", "supplier_name"], descending=[True, False])
        .group_by("nace", maintain_order=True)
        .agg(
            n_alternatives=pl.len().cast(pl.Int64),
            alternatives=pl.col("supplier_name").head(3).str.join(", "),
        )
    )


def alternatives_of(rows: pl.DataFrame, used: pl.DataFrame, per_category: int = 3) -> pl.DataFrame:
    """:func:`regional_alternatives` of purchase rows already selected — the cube's, or sums
    the database made per category, supplier and level — against :func:`regional_in_use`."""
    far = (
        rows.filter(
            ~pl.col("regional_level").is_in(["same", "member"]) & pl.col("nace").is_not_null()
        )
        .group_by(*_FAR_KEYS)
        .agg(
            amount=pl.col("amount").sum(),
            rank=pl.col("regional_level").replace_strict(_RANK, return_dtype=pl.Int64).min(),
        )
        .filter(pl.col("amount") > 0)
        .join(used, on="nace", how="inner")
        .with_columns(
            level=pl.col("rank").replace_strict(dict(enumerate(LEVELS)), return_dtype=pl.String)
        )
        .select(*_FAR_KEYS, "amount", "level", "n_alternatives", "alternatives")
        .sort(["amount", "supplier_name"], descending=[True, False])
    )
    return (
        far.with_columns(r=pl.int_range(1, pl.len() + 1).over("category"))
        .filter(pl.col("r") <= per_category)
        .drop("r")
        .sort(["amount", "supplier_name"], descending=[True, False])
        .drop("sort", "supplier_id")
    )
