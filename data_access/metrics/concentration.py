"""Supplier concentration (PRODUCT.md §4): shares, HHI, CRn, ABC classes, tail spend, dependency.

Shares are taken over suppliers with **positive net spend and an identity** (PRODUCT.md §3.3:
a valid orgnr, else the buyer's ERP supplier number, else the normalized name — a foreign
supplier or a names-only file counts like any other). Pseudo-suppliers (collective posts such
as "Diverse leverandører", ``is_pseudo``) and private persons are excluded and counted apart
(``excluded``), as are suppliers whose credit notes exceed their invoices (net ≤ 0). Credit
notes are netted per supplier before anything else.

The HHI bands are **buyer-side heuristics** borrowed from competition practice (< 1 500 low,
1 500–2 500 moderate, > 2 500 high): they describe how concentrated *our* purchases are, not the
market.
"""

from __future__ import annotations

import polars as pl

from data_access.metrics.common import purchases
from data_access.store.filters import Filters

BANDS = (
    ("low", 1500.0),
    ("moderate", 2500.0),
    ("high", float("inf")),
)  # shown via charts.suppliers.BAND_LABELS
BAND_NOTE = "Grenser for HHI er tommelfingerregler sett fra kjøpers side, ikke en markedsanalyse."
EPS = 1e-9


def hhi(share: str = "share") -> pl.Expr:
    """HHI = Σ (100·sᵢ)², 0–10 000, from shares 0–1.

    >>> pl.DataFrame({"share": [0.3, 0.3, 0.2, 0.2]}).select(hhi()).item()
    2600.0
    """
    return ((pl.col(share) * 100) ** 2).sum().alias("hhi")


def band(value: float | None) -> str | None:
    """The buyer-side heuristic band of an HHI value (boundaries belong to the lower band).

    >>> band(1499.9), band(1500), band(2500), band(2500.1)
    ('low', 'moderate', 'moderate', 'high')
    """
    if value is None:
        return None
    if value < BANDS[0][1]:
        return BANDS[0][0]
    if value <= BANDS[1][1]:
        return BANDS[1][0]
    return BANDS[2][0]


def band_expr(col: str = "hhi") -> pl.Expr:
    v = pl.col(col)
    return (
        pl.when(v.is_null())
        .then(None)
        .when(v < BANDS[0][1])
        .then(pl.lit(BANDS[0][0]))
        .when(v <= BANDS[1][1])
        .then(pl.lit(BANDS[1][0]))
        .otherwise(pl.lit(BANDS[2][0]))
        .alias("band")
    )


def eligible() -> pl.Expr:
    """Suppliers counted in shares: any identity, not a private person nor a pseudo-supplier
    (amount tested later). Needs ``is_pseudo``; see :func:`with_pseudo`."""
    return ~pl.col("is_private").fill_null(False) & ~pl.col("is_pseudo").fill_null(False)


def with_pseudo(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with an ``is_pseudo`` column (False where the cube was built without one)."""
    if "is_pseudo" in frame.columns:
        return frame
    return frame.with_columns(is_pseudo=pl.lit(False))


def supplier_totals(frame: pl.DataFrame, by: list[str] | None = None) -> pl.DataFrame:
    """Net purchase spend per supplier (within ``by`` groups), credit notes netted.

    Adds ``kind``: ``supplier`` (counted in shares, whatever its identity), ``pseudo`` (a
    collective post, ``is_pseudo``), ``private`` or ``negative`` (net ≤ 0). Expects purchase
    rows only.

    >>> f = pl.DataFrame({"supplier_id": [1, 1, 2], "supplier_name": ["A", "A", "B"],
    ...   "orgnr": ["1", "1", "2"], "identity_kind": ["orgnr"] * 3, "is_private": [False] * 3,
    ...   "amount_ore": [10000, -3000, -500], "n_lines": [2, 1, 1]})
    >>> supplier_totals(f).select("supplier_id", "amount", "kind").rows()
    [(1, 70.0, 'supplier'), (2, -5.0, 'negative')]
    """
    by = list(by or [])
    out = (
        with_pseudo(frame)
        .group_by([*by, "supplier_id"])
        .agg(
            pl.col("supplier_name").first(),
            pl.col("orgnr").first(),
            pl.col("identity_kind").first(),
            pl.col("is_private").first(),
            pl.col("is_pseudo").first(),
            amount_ore=pl.col("amount_ore").sum(),
            n_lines=pl.col("n_lines").sum(),
        )
        .with_columns(amount=pl.col("amount_ore").cast(pl.Float64) / 100.0)
        .with_columns(
            kind=pl.when(pl.col("is_private").fill_null(False))
            .then(pl.lit("private"))
            .when(pl.col("is_pseudo").fill_null(False))
            .then(pl.lit("pseudo"))
            .when(pl.col("amount_ore") <= 0)
            .then(pl.lit("negative"))
            .otherwise(pl.lit("supplier"))
        )
    )
    return out.sort(
        [*by, "amount_ore", "supplier_id"], descending=[False] * len(by) + [True, False]
    )


def shares(frame: pl.DataFrame, by: list[str] | None = None) -> pl.DataFrame:
    """Counted suppliers only, with ``share`` of their group's counted spend, ``rank`` (1 =
    largest) and ``cum_share`` (cumulative share, largest first). Exact: sums of øre.

    >>> f = pl.DataFrame({"supplier_id": [1, 2, 3], "supplier_name": list("ABC"),
    ...   "orgnr": ["1", "2", "3"], "identity_kind": ["orgnr"] * 3, "is_private": [False] * 3,
    ...   "amount_ore": [500, 300, 200], "n_lines": [1, 1, 1]})
    >>> shares(f).select("supplier_id", "share", "cum_share").rows()
    [(1, 0.5, 0.5), (2, 0.3, 0.8), (3, 0.2, 1.0)]
    """
    by = list(by or [])
    t = supplier_totals(frame, by).filter(pl.col("kind") == "supplier")
    over = by or None
    total = pl.col("amount_ore").sum().over(over) if over else pl.col("amount_ore").sum()
    cum = pl.col("amount_ore").cum_sum().over(over) if over else pl.col("amount_ore").cum_sum()
    rank = pl.int_range(1, pl.len() + 1)
    return t.with_columns(
        share=pl.col("amount_ore") / total,
        cum_share=cum / total,
        rank=(rank.over(over) if over else rank).cast(pl.Int64),
    )


def _cr(n: int) -> pl.Expr:
    return pl.col("share").filter(pl.col("rank") <= n).sum().alias(f"cr{n}")


def excluded(frame: pl.DataFrame, by: list[str] | None = None) -> pl.DataFrame:
    """Spend and supplier count left out of shares, per kind (pseudo, private, negative)."""
    by = list(by or [])
    return (
        supplier_totals(frame, by)
        .filter(pl.col("kind") != "supplier")
        .group_by([*by, "kind"])
        .agg(amount=pl.col("amount").sum(), n_suppliers=pl.len(), n_lines=pl.col("n_lines").sum())
        .sort([*by, "kind"])
    )


def by_category(cube: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """Per level-2 category: counted spend, n_suppliers, HHI, band, equivalent number
    (10 000/HHI), CR1/CR3/CR5, the largest supplier, and the spend left out of shares."""
    return by_category_of(purchases(cube, f))


def by_category_of(d: pl.DataFrame) -> pl.DataFrame:
    """:func:`by_category` of purchase rows already selected — the cube's, or rows the
    database summed per supplier and category (``pushdown.purchase_rows``): the same figures,
    since every step sums within supplier × category first."""
    keys = ["category_l1", "category", "category_id", "sort"]
    s = shares(d, keys)
    out = (
        s.group_by(keys)
        .agg(
            amount=pl.col("amount").sum(),
            n_suppliers=pl.len(),
            hhi=((pl.col("share") * 100) ** 2).sum(),
            cr1=_cr(1),
            cr3=_cr(3),
            cr5=_cr(5),
            top_supplier=pl.col("supplier_name").sort_by("rank").first(),
        )
        .with_columns(equivalent=10_000 / pl.col("hhi"), band=band_expr())
    )
    ex = (
        excluded(d, keys)
        .group_by(keys)
        .agg(excluded_amount=pl.col("amount").sum(), excluded_suppliers=pl.col("n_suppliers").sum())
    )
    return (
        out.join(ex, on=keys, how="full", coalesce=True)
        .with_columns(
            pl.col("amount").fill_null(0.0),
            pl.col("n_suppliers").fill_null(0).cast(pl.Int64),
            pl.col("excluded_amount").fill_null(0.0),
            pl.col("excluded_suppliers").fill_null(0).cast(pl.Int64),
        )
        .sort("hhi", "amount", descending=True, nulls_last=True)
    )


def abc(frame: pl.DataFrame, a: float = 0.80, b: float = 0.95) -> pl.DataFrame:
    """ABC class of counted suppliers over the whole frame: A up to ``a`` of cumulative spend
    (a supplier that brings the total to exactly ``a`` is A; the largest supplier is always A),
    B up to ``b``, C the rest.

    >>> f = pl.DataFrame({"supplier_id": [1, 2, 3, 4], "supplier_name": list("ABCD"),
    ...   "orgnr": list("1234"), "identity_kind": ["orgnr"] * 4, "is_private": [False] * 4,
    ...   "amount_ore": [50, 30, 15, 5], "n_lines": [1, 1, 1, 1]})
    >>> abc(f)["abc"].to_list()
    ['A', 'A', 'B', 'C']
    """
    if not 0 < a <= b <= 1:
        raise ValueError("ABC cut-offs must satisfy 0 < A ≤ B ≤ 1")
    s = shares(frame)
    return s.with_columns(
        abc=pl.when((pl.col("cum_share") <= a + EPS) | (pl.col("rank") == 1))
        .then(pl.lit("A"))
        .when(pl.col("cum_share") <= b + EPS)
        .then(pl.lit("B"))
        .otherwise(pl.lit("C"))
    )


def suppliers(cube: pl.DataFrame, f: Filters, a: float = 0.80, b: float = 0.95) -> pl.DataFrame:
    """Every counted supplier in the selection, largest first: name, orgnr, amount, share,
    cum_share, rank, abc, n_lines, n_categories, categories (the three largest, by name)."""
    return suppliers_of(purchases(cube, f), a, b)


def suppliers_of(d: pl.DataFrame, a: float = 0.80, b: float = 0.95) -> pl.DataFrame:
    """:func:`suppliers` of purchase rows already selected (see :func:`by_category_of`)."""
    s = abc(d, a, b)
    cats = (
        d.group_by("supplier_id", "category")
        .agg(a=pl.col("amount").sum())
        .sort("a", descending=True)
        .group_by("supplier_id")
        .agg(
            n_categories=pl.len().cast(pl.Int64),
            categories=pl.col("category").head(3).str.join(", "),
        )
    )
    return s.join(cats, on="supplier_id", how="left").sort("rank")


def classes(table: pl.DataFrame) -> pl.DataFrame:
    """Per ABC class: number of suppliers, spend, share of spend, share of lines."""
    tot_amount = float(table["amount"].sum()) if table.height else 0.0
    tot_lines = int(table["n_lines"].sum()) if table.height else 0
    base = pl.DataFrame({"abc": ["A", "B", "C"]})
    agg = table.group_by("abc").agg(
        n_suppliers=pl.len().cast(pl.Int64),
        amount=pl.col("amount").sum(),
        n_lines=pl.col("n_lines").sum().cast(pl.Int64),
    )
    return (
        base.join(agg, on="abc", how="left")
        .with_columns(
            pl.col("n_suppliers").fill_null(0),
            pl.col("amount").fill_null(0.0),
            pl.col("n_lines").fill_null(0),
        )
        .with_columns(
            share=pl.col("amount") / tot_amount if tot_amount else pl.lit(None, pl.Float64),
            line_share=pl.col("n_lines") / tot_lines if tot_lines else pl.lit(None, pl.Float64),
            supplier_share=pl.col("n_suppliers") / pl.col("n_suppliers").sum(),
        )
    )


def tail(table: pl.DataFrame) -> dict[str, float | int | None]:
    """Tail spend = class C: number of suppliers, share of spend, share of lines."""
    c = classes(table).filter(pl.col("abc") == "C").row(0, named=True)
    return {
        "n_suppliers": int(c["n_suppliers"]),
        "amount": float(c["amount"]),
        "share": c["share"],
        "line_share": c["line_share"],
        "supplier_share": c["supplier_share"],
    }


def dependencies(by_cat: pl.DataFrame, threshold: float = 0.5) -> pl.DataFrame:
    """Categories where one supplier has more than ``threshold`` of the counted spend."""
    return (
        by_cat.filter(pl.col("cr1") > threshold + EPS)
        .select("category_l1", "category", "top_supplier", "cr1", "amount", "n_suppliers")
        .sort("cr1", "amount", descending=True)
    )


def overall(table: pl.DataFrame) -> dict[str, float | int | None]:
    """HHI, equivalent number and CR1/3/5 over all counted suppliers of the selection."""
    if table.height == 0:
        return {
            "hhi": None,
            "equivalent": None,
            "cr1": None,
            "cr3": None,
            "cr5": None,
            "n_suppliers": 0,
            "amount": 0.0,
        }
    h = float(table.select(hhi()).item())
    cr = {f"cr{n}": float(table.filter(pl.col("rank") <= n)["share"].sum()) for n in (1, 3, 5)}
    return {
        "hhi": h,
        "equivalent": 10_000 / h if h else None,
        **cr,
        "n_suppliers": table.height,
        "amount": float(table["amount"].sum()),
    }
