"""Spend class and category of ledger lines, as pure Polars steps.

Spend class by art (``reference/kostra_art.csv``): ``purchase`` counts as spend,
``intra_public`` is kept and shown apart, ``excluded`` is not spend and never stored as such.
Category by the first matching rule: supplier → account (art) → NACE → "Uklassifisert"; the
deciding rule is returned with each line (``category_rule``), so a user can see why.
"""

from __future__ import annotations

import polars as pl


def expand_art_ranges(ranges: pl.DataFrame, value_cols: list[str]) -> pl.DataFrame:
    """One row per 3-digit art covered by the ranges (first range wins on overlap), with the
    ranges' ``value_cols``: the lookup both the spend class and the account rules join on.

    >>> r = pl.DataFrame({"art_from": ["100", "102"], "art_to": ["102", "103"], "v": [1, 2]})
    >>> expand_art_ranges(r, ["v"]).rows()
    [('100', 1), ('101', 1), ('102', 1), ('103', 2)]
    """
    rows = ranges.with_columns(
        art=pl.int_ranges(pl.col("art_from").cast(pl.Int32), pl.col("art_to").cast(pl.Int32) + 1)
    ).explode("art")
    return (
        rows.with_columns(pl.col("art").cast(pl.String).str.zfill(3))
        .unique("art", keep="first", maintain_order=True)
        .select("art", *value_cols)
    )


def with_spend_class(lines: pl.DataFrame, art_classes: pl.DataFrame) -> pl.DataFrame:
    """Add ``spend_class`` from the art; an art outside every range is ``excluded``.

    >>> arts = pl.DataFrame({"art_from": ["100", "300"], "art_to": ["299", "369"],
    ...                      "spend_class": ["purchase", "intra_public"]})
    >>> with_spend_class(pl.DataFrame({"art": ["120", "350", "050"]}), arts)["spend_class"].to_list()
    ['purchase', 'intra_public', 'excluded']
    """
    lookup = expand_art_ranges(art_classes, ["spend_class"])
    return lines.join(lookup, on="art", how="left", maintain_order="left").with_columns(
        pl.col("spend_class").fill_null("excluded")
    )


def classify(lines: pl.DataFrame, rules: pl.DataFrame, fallback_id: int) -> pl.DataFrame:
    """Add ``category_id`` and ``category_rule`` ('supplier:ID', 'account:ID', 'nace:ID', 'none').

    ``lines`` needs ``art``, ``supplier_key`` and ``nace`` (nullable).

    >>> rules = pl.DataFrame({"id": [1, 2, 3], "kind": ["supplier", "account", "nace"],
    ...   "supplier_key": ["orgnr:974085203", None, None], "art_from": [None, "100", None],
    ...   "art_to": [None, "104", None], "nace_prefix": [None, None, "62"],
    ...   "category_id": [10, 20, 30], "priority": [100, 100, 100]})
    >>> lines = pl.DataFrame({"art": ["100", "100", "270", "270"],
    ...   "supplier_key": ["orgnr:974085203", "navn:x", "navn:y", "navn:z"],
    ...   "nace": [None, None, "62.010", None]})
    >>> classify(lines, rules, 99).select("category_id", "category_rule").rows()
    [(10, 'supplier:1'), (20, 'account:2'), (30, 'nace:3'), (99, 'none')]
    """
    sup = (
        rules.filter(pl.col("kind") == "supplier")
        .unique("supplier_key", keep="first", maintain_order=True)
        .select("supplier_key", sup_cat="category_id", sup_rule="id")
    )
    acc_ranges = rules.filter(pl.col("kind") == "account").rename(
        {"category_id": "acc_cat", "id": "acc_rule"}
    )
    acc = expand_art_ranges(acc_ranges, ["acc_cat", "acc_rule"])
    nace_rules = rules.filter(pl.col("kind") == "nace").select("nace_prefix", "category_id", "id")

    out = lines.join(sup, on="supplier_key", how="left", maintain_order="left").join(
        acc, on="art", how="left", maintain_order="left"
    )
    # NACE: longest matching prefix wins (few rules, so an expression chain is cheap).
    nace_cat = pl.lit(None, pl.Int64)
    nace_rule = pl.lit(None, pl.Int64)
    for prefix, cat, rid in sorted(nace_rules.rows(), key=lambda r: len(r[0] or "")):
        hit = pl.col("nace").fill_null("").str.starts_with(prefix or "\x00")
        nace_cat = pl.when(hit).then(pl.lit(cat)).otherwise(nace_cat)
        nace_rule = pl.when(hit).then(pl.lit(rid)).otherwise(nace_rule)
    out = out.with_columns(nace_cat=nace_cat, nace_rule=nace_rule)
    return out.with_columns(
        category_id=pl.coalesce("sup_cat", "acc_cat", "nace_cat", pl.lit(fallback_id)).cast(
            pl.Int64
        ),
        category_rule=pl.when(pl.col("sup_cat").is_not_null())
        .then(pl.format("supplier:{}", "sup_rule"))
        .when(pl.col("acc_cat").is_not_null())
        .then(pl.format("account:{}", "acc_rule"))
        .when(pl.col("nace_cat").is_not_null())
        .then(pl.format("nace:{}", "nace_rule"))
        .otherwise(pl.lit("none")),
    ).drop("sup_cat", "sup_rule", "acc_cat", "acc_rule", "nace_cat", "nace_rule")
