"""Contract coverage, contract loyalty, spend outside agreements, expiring agreements and the
e-handel share (PRODUCT.md §4), all from the filtered cube.

- **Coverage** (avtaledekning) = spend on lines matched to an active agreement / total spend.
  Matching happens per ledger line (``agreements.match_agreements`` / ``rematch_all``), so the
  cube's ``agreement_id`` is exact to the day.
- **Loyalty** (avtalelojalitet) of an agreement = spend in its category with its suppliers /
  all spend in its category, in the months it is active and for the municipalities that take
  part. The cube is monthly, so a month counts when the agreement is active on any day of it
  (agreements usually start on the 1st; the error is at most one month at each end).
  An agreement's category is ``agreement.category_id`` when set, otherwise the category where
  most of its matched spend falls (the register often leaves the category blank).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from data_access.metrics.common import PURCHASE, period_target, purchases
from data_access.metrics.savings import savings_factors, with_realized
from data_access.metrics.thresholds import threshold_watch
from data_access.store.filters import Filters, add_months
from data_access.store.reference import region

MATCHED = pl.col("agreement_id").is_not_null()
# The columns of :func:`loyalty_of`'s rows (``_loyalty_rows`` adds the cube's row index).
LOYALTY_ROWS: dict[str, type[pl.DataType]] = {
    "ag": pl.Int64,
    "category_id": pl.Int64,
    "category": pl.String,
    "amount": pl.Float64,
    "party": pl.Boolean,
}


def _spend(d: pl.DataFrame, *keys: str) -> pl.DataFrame:
    return (
        d.group_by(*keys)
        .agg(
            spend=pl.col("amount").sum(),
            covered=pl.col("amount").filter(MATCHED).sum(),
        )
        .with_columns(
            coverage=pl.when(pl.col("spend") > 0).then(pl.col("covered") / pl.col("spend")),
            outside=pl.col("spend") - pl.col("covered"),
        )
    )


def coverage_total(cube: pl.DataFrame, f: Filters) -> float | None:
    """Coverage of the whole selection (the Oversikt headline figure)."""
    d = purchases(cube, f)
    spend = float(d["amount"].sum()) if d.height else 0.0
    return float(d.filter(MATCHED)["amount"].sum()) / spend if spend else None


def coverage_by_category_municipality(cube: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """Coverage per level-1 category × municipality (today's structure), for a heatmap."""
    d = purchases(cube, f)
    return _spend(d, "category_l1_id", "category_l1", "municipality_now", "municipality_name").sort(
        "category_l1_id", "municipality_now"
    )


def coverage_by_category(cube: pl.DataFrame, f: Filters) -> pl.DataFrame:
    """Coverage per level-2 category, largest spend first."""
    d = purchases(cube, f)
    return _spend(d, "category_id", "category", "category_l1").sort("spend", descending=True)


def outside_by_category(cube: pl.DataFrame, f: Filters, n: int = 15) -> pl.DataFrame:
    """Spend outside agreements per level-2 category, largest first."""
    d = purchases(cube, f).filter(~MATCHED)
    total = float(d["amount"].sum()) if d.height else 0.0
    return (
        d.group_by("category_id", "category", "category_l1")
        .agg(outside=pl.col("amount").sum(), suppliers=pl.col("supplier_id").n_unique())
        .sort("outside", descending=True)
        .head(n)
        .with_columns(share=pl.col("outside") / total if total else pl.lit(None, pl.Float64))
    )


def outside_by_supplier(cube: pl.DataFrame, f: Filters, n: int = 25) -> pl.DataFrame:
    """The suppliers with the most spend outside agreements (private persons shown as
    'Privatperson', never by name), with their largest category and the number of
    municipalities buying from them outside agreements."""
    d = purchases(cube, f).filter(~MATCHED)
    top = outside_suppliers_of(d, n)
    munis = (
        d.filter(pl.col("supplier_id").is_in(top["supplier_id"].implode()))
        .group_by("supplier_id")
        .agg(municipalities=pl.col("municipality_now").n_unique())
    )
    return with_municipalities(top, munis)


def outside_suppliers_of(d: pl.DataFrame, n: int = 25) -> pl.DataFrame:
    """:func:`outside_by_supplier` without the municipalities, from purchase rows outside
    agreements per supplier and category at least (the cube's, or the database's sums:
    ``data_access.pushdown_agreements.outside_by_supplier``, which counts the
    municipalities of these ``n`` suppliers alone)."""
    top_cat = (
        d.group_by("supplier_id", "category")
        .agg(a=pl.col("amount").sum())
        .sort("a", descending=True)
        .unique("supplier_id", keep="first")
        .select("supplier_id", main_category="category")
    )
    return (
        d.group_by("supplier_id", "supplier_name", "orgnr", "is_private")
        .agg(outside=pl.col("amount").sum(), n_lines=pl.col("n_lines").sum())
        .join(top_cat, on="supplier_id", how="left")
        .with_columns(orgnr=pl.when(~pl.col("is_private").fill_null(False)).then("orgnr"))
        .drop("is_private")
        .sort("outside", descending=True)
        .head(n)
    )


def with_municipalities(top: pl.DataFrame, munis: pl.DataFrame) -> pl.DataFrame:
    """:func:`outside_suppliers_of`'s rows with ``munis`` (supplier_id, municipalities)."""
    return top.join(munis, on="supplier_id", how="left", maintain_order="left").select(
        "supplier_id",
        "supplier_name",
        "orgnr",
        "outside",
        pl.col("municipalities").fill_null(0).cast(pl.UInt32),
        "n_lines",
        "main_category",
    )


def agreement_categories(agreements: pl.DataFrame, cube: pl.DataFrame) -> pl.DataFrame:
    """agreement_id → category_id: the register's category, else the category holding most of
    the agreement's matched spend (over all the data in scope)."""
    dominant = (
        cube.filter(MATCHED & PURCHASE)
        .group_by("agreement_id", "category_id")
        .agg(a=pl.col("amount").sum())
        .sort("a", descending=True)
        .unique("agreement_id", keep="first")
        .select("agreement_id", dominant="category_id")
    )
    return (
        agreements.select(agreement_id=pl.col("id").cast(pl.Int64), reg=pl.col("category_id"))
        .join(dominant, on="agreement_id", how="left")
        .select("agreement_id", category_id=pl.coalesce(pl.col("reg").cast(pl.Int64), "dominant"))
        .filter(pl.col("category_id").is_not_null())
    )


def _active_cells(
    agreements: pl.DataFrame, participants: pl.DataFrame, cats: pl.DataFrame, f: Filters
) -> pl.DataFrame:
    """(agreement_id, category_id, municipality_now, month) where the agreement is active in the
    month (any day) inside the filter's period, for each participating municipality."""
    months = (
        agreements.select(
            agreement_id=pl.col("id").cast(pl.Int64),
            month=pl.date_ranges(
                pl.col("start").dt.truncate("1mo"), pl.col("end").dt.truncate("1mo"), "1mo"
            ),
        )
        .explode("month")
        .filter(pl.col("month").is_between(f.start, f.end))
    )
    part = participants.select(
        agreement_id=pl.col("agreement_id").cast(pl.Int64), municipality_now="municipality_code"
    )
    return months.join(cats, on="agreement_id").join(part, on="agreement_id")


def _loyalty_rows(
    cube: pl.DataFrame,
    f: Filters,
    agreements: pl.DataFrame,
    parties: pl.DataFrame,
    participants: pl.DataFrame,
) -> pl.DataFrame:
    """Filtered purchase rows inside an active agreement's category, month and participating
    municipality, tagged with the agreement and whether the supplier is party to it."""
    d = purchases(cube, f).with_row_index("row")
    cats = agreement_categories(agreements, cube)
    cells = _active_cells(agreements, participants, cats, f)
    if cells.height == 0 or d.height == 0:
        return pl.DataFrame(schema={"row": pl.UInt32, **LOYALTY_ROWS})
    p = parties.select(ag=pl.col("agreement_id").cast(pl.Int64), orgnr="orgnr", party=pl.lit(True))
    return (
        d.select("row", "category_id", "category", "municipality_now", "month", "orgnr", "amount")
        .join(
            cells.rename({"agreement_id": "ag"}),
            on=["category_id", "municipality_now", "month"],
        )
        .join(p, on=["ag", "orgnr"], how="left")
        .with_columns(pl.col("party").fill_null(False))
        .select("row", "ag", "category_id", "category", "amount", "party")
    )


def loyalty_by_agreement(
    cube: pl.DataFrame,
    f: Filters,
    agreements: pl.DataFrame,
    parties: pl.DataFrame,
    participants: pl.DataFrame,
) -> pl.DataFrame:
    """agreement_id, category, in_agreement (spend with its suppliers), category_spend, loyalty."""
    return loyalty_of(_loyalty_rows(cube, f, agreements, parties, participants))


def loyalty_of(rows: pl.DataFrame) -> pl.DataFrame:
    """:func:`loyalty_by_agreement` from its rows: ag, category_id, category, amount, party —
    one per cube row, or summed per agreement, category and ``party`` (the database's sums,
    ``data_access.pushdown_savings.loyalty_rows``)."""
    return (
        _loyalty(rows, ["ag", "category_id", "category"])
        .rename({"ag": "agreement_id"})
        .sort("agreement_id")
    )


def _loyalty(rows: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Spend with agreement suppliers (``party``) / all spend, per ``keys``."""
    return (
        rows.group_by(keys)
        .agg(
            in_agreement=pl.col("amount").filter(pl.col("party")).sum(),
            category_spend=pl.col("amount").sum(),
        )
        .with_columns(
            loyalty=pl.when(pl.col("category_spend") > 0).then(
                pl.col("in_agreement") / pl.col("category_spend")
            )
        )
    )


def loyalty_by_category(
    cube: pl.DataFrame,
    f: Filters,
    agreements: pl.DataFrame,
    parties: pl.DataFrame,
    participants: pl.DataFrame,
) -> pl.DataFrame:
    """Per category with an active agreement: spend with any active agreement's suppliers /
    all spend in the category where an agreement is active (each cube row counted once)."""
    r = _loyalty_rows(cube, f, agreements, parties, participants)
    per_row = r.group_by("row", "category_id", "category").agg(
        amount=pl.col("amount").first(), party=pl.col("party").any()
    )
    return loyalty_by_category_of(per_row)


def loyalty_by_category_of(rows: pl.DataFrame) -> pl.DataFrame:
    """:func:`loyalty_by_category` from its rows — category_id, category, amount, party —
    one per cube row in an active agreement's cell, or summed per category and ``party``
    (the database's sums, ``data_access.pushdown_agreements.loyalty_by_category``)."""
    return (
        _loyalty(rows, ["category_id", "category"])
        .with_columns(leakage=pl.col("category_spend") - pl.col("in_agreement"))
        .sort("category_spend", descending=True)
    )


def expiring(
    agreements: pl.DataFrame,
    cube: pl.DataFrame,
    participants: pl.DataFrame,
    today: dt.date,
    months: int = 12,
    municipalities: frozenset[str] | None = None,
    last: dt.date | None = None,
) -> pl.DataFrame:
    """Agreements whose current term ends within ``months`` after ``today``, soonest first, with
    the yearly volume bought on them (matched spend in the last 12 months of data in scope), the
    estimated annual value, and whether options remain (``end_with_options`` later than ``end``).

    ``municipalities`` (today's codes) keeps only agreements one of them takes part in, so a
    kommune user sees their own agreements. ``last``: the last month with data in scope, when
    ``cube`` holds only some of the scope's rows (the database's matched purchases); else
    ``cube``'s last month.
    """
    horizon = add_months(today, months) - dt.timedelta(days=1)
    ag = agreements.filter(pl.col("end").is_between(today, horizon))
    if municipalities is not None:
        ids = participants.filter(pl.col("municipality_code").is_in(sorted(municipalities)))[
            "agreement_id"
        ]
        ag = ag.filter(pl.col("id").is_in(ids.to_list()))
    latest = last if last is not None else (cube["month"].max() if cube.height else today)
    since = add_months(latest if isinstance(latest, dt.date) else today, -11)
    volume = (
        cube.filter(PURCHASE & MATCHED & (pl.col("month") >= since))
        .group_by("agreement_id")
        .agg(volume_12m=pl.col("amount").sum())
    )
    return (
        ag.select(
            agreement_id=pl.col("id").cast(pl.Int64),
            ref="ref",
            name="name",
            end="end",
            end_with_options="end_with_options",
            estimated_annual_value=pl.col("estimated_annual_value_ore").cast(pl.Float64) / 100,
            owner="owner",
        )
        .join(volume, on="agreement_id", how="left")
        .with_columns(
            pl.col("volume_12m").fill_null(0.0),
            days_left=(pl.col("end") - pl.lit(today)).dt.total_days(),
            within_6=pl.col("end") < pl.lit(add_months(today, 6)),
            options_left=pl.col("end_with_options").fill_null(pl.col("end")) > pl.col("end"),
        )
        .sort("end")
    )


def ehandel_over_time(cube: pl.DataFrame, f: Filters, by: str = "year") -> pl.DataFrame:
    """E-handel share per municipality and year (``by="year"``) or quarter (``"quarter"``) for
    the whole history (the period filter is not applied, so the trend shows), by amount and by
    number of lines. ``label`` is the x value ("2024" or "2024 Q3", English; ``charts.fmt.period``
    shows it to a reader), ``sort`` orders it."""
    d = purchases(cube, f, period=False)
    eh = pl.col("ehandel")
    keys = ["year", "quarter"] if by == "quarter" else ["year"]
    out = (
        d.group_by(*keys, "municipality_now", "municipality_name")
        .agg(
            spend=pl.col("amount").sum(),
            ehandel=pl.col("amount").filter(eh).sum(),
            lines=pl.col("n_lines").sum(),
            ehandel_lines=pl.col("n_lines").filter(eh).sum(),
            months=pl.col("month").n_unique(),
        )
        .with_columns(
            share=pl.when(pl.col("spend") > 0).then(pl.col("ehandel") / pl.col("spend")),
            line_share=pl.when(pl.col("lines") > 0).then(pl.col("ehandel_lines") / pl.col("lines")),
        )
    )
    if by == "quarter":
        out = out.with_columns(
            label=pl.format("{} Q{}", "year", "quarter"),
            sort=pl.col("year").cast(pl.Int64) * 10 + pl.col("quarter").cast(pl.Int64),
        )
    else:
        out = out.with_columns(
            label=pl.col("year").cast(pl.String), sort=pl.col("year").cast(pl.Int64) * 10
        )
    return out.sort("sort", "municipality_now")


def ehandel_share(cube: pl.DataFrame, f: Filters) -> float | None:
    d = purchases(cube, f)
    spend = float(d["amount"].sum()) if d.height else 0.0
    return float(d.filter(pl.col("ehandel"))["amount"].sum()) / spend if spend else None


def agreement_figures(
    cube: pl.DataFrame,
    filters: Filters,
    agreements: pl.DataFrame,
    thresholds: pl.DataFrame,
    *,
    yearly_target_nok: float | None = None,
) -> dict[str, object]:
    """The agreement figures for ``innsikt figures`` (JSON-serializable): realized savings (hard
    and avoidance apart), target for the period, coverage, e-handel share and the number of
    threshold flags (national threshold and above, per municipality and jointly)."""
    yearly = (
        float(yearly_target_nok)
        if yearly_target_nok is not None
        else region().yearly_savings_target_nok
    )
    d = with_realized(purchases(cube, filters), savings_factors(agreements))
    realized = float(d["realized"].sum()) if d.height else 0.0
    hard = float(d.filter(pl.col("savings_type") == "hard")["realized"].sum()) if d.height else 0.0
    target = period_target(yearly, filters)
    watch = threshold_watch(cube, filters, thresholds)
    return {
        "realized_saving_nok": round(realized, 2),
        "realized_hard_nok": round(hard, 2),
        "realized_avoidance_nok": round(realized - hard, 2),
        "savings_target_nok": round(target, 2),
        "yearly_savings_target_nok": round(yearly, 2),
        "savings_vs_target": realized / target if target else None,
        "contract_coverage": coverage_total(cube, filters),
        "ehandel_share": ehandel_share(cube, filters),
        "threshold_flags": int(watch.height),
        "threshold_flags_eea": int(watch.filter(pl.col("level") == "eea").height),
    }
