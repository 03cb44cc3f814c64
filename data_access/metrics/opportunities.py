"""Joint-procurement opportunities (Muligheter, PRODUCT.md §2 item 11): where the members should
buy together next, and what it would likely save.

Per level-2 category, over the 12 and 48 months ending with the period's last month (the
period's start does not matter: the windows reach back, as in the threshold watch):

- **addressable spend** = purchase spend outside active agreements (no matched agreement on the
  line; private persons left out — no competition applies to them). The same selection as the
  threshold watch (``thresholds._monthly``), so both pages speak of the same money.
- **members** buying it (positive addressable spend in the 12 months), **suppliers** in total
  and those used by only one member.
- the joint 12- and 48-month sums against the thresholds in force on the window's last day
  (``thresholds.rolling_windows`` and the date-effective join of the threshold watch): above a
  threshold, a joint competition "krever vurdering".
- **agreements expiring** within 12 months in the category (``coverage.expiring``).
- the **expected rate** r: the median rate of the cooperation's own agreements in the category
  (an agreement given as an absolute saving counts with the rate it implies, P/E = r/(1 − r)),
  else a configurable default per category group (level 1); the range is the 25th–75th
  percentile of those rates (or the default's own low–high).
- the **estimated potential** = addressable spend (12 months) × r/(1 − r): the same formula as
  the realized saving (``savings.savings_factors``), applied to spend not yet on agreement.

Everything here is an estimate and is labelled so wherever it is shown. The values are English
identifiers and numbers (a threshold status, ``joint``, a rate source); the words a reader sees
— threshold texts, the reasons for a rank, the target-gap sentence — are made from them in
``charts.opportunities``, in the reader's language.

A ``kommune`` user's cube holds only their own rows, so every amount is their own part; the
number of buying members is the cooperation's, computed in SQL as a count only
(``data_access.opportunities.cooperation_breadth``) and handed in as ``breadth``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import polars as pl

from data_access.metrics.coverage import agreement_categories, expiring
from data_access.metrics.savings import savings_factors, year_end_projection
from data_access.metrics.thresholds import _level, _with_threshold, rolling_windows
from data_access.store.filters import Filters, add_months, apply

PURCHASE = pl.col("spend_class") == "purchase"
ADDRESSABLE = PURCHASE & pl.col("agreement_id").is_null() & ~pl.col("is_private").fill_null(False)
# Threshold status of a category, strongest first (what a reason and the ranking use).
STATUS_RANK = {"eea_12": 4, "eea_48": 3, "national": 2, "regulation": 1, "under": 0}
#: Where a category's expected rate comes from: the cooperation's own agreements, or the
#: default rate of its category group.
RATE_SOURCES = ("agreements", "default")


# --- settings: weights and default rates ------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """Weights of the ranking score: potential first, then breadth across members, then the
    threshold status. Only their ratios matter (the score divides by their sum)."""

    potential: float = 0.6
    breadth: float = 0.25
    threshold: float = 0.15

    def __post_init__(self) -> None:
        values = (self.potential, self.breadth, self.threshold)
        if any(not math.isfinite(v) or v < 0 for v in values) or sum(values) <= 0:
            raise ValueError("vektene må være tall ≥ 0, og minst én må være større enn 0")


@dataclass(frozen=True)
class Rate:
    """An expected savings rate r with its range (low ≤ rate ≤ high, all in [0, 1))."""

    low: float
    rate: float
    high: float

    def __post_init__(self) -> None:
        if not (0 <= self.low <= self.rate <= self.high < 1):
            raise ValueError("satsene må oppfylle 0 ≤ lav ≤ forventet ≤ høy < 100 %")


# Defaults per category group (level 1), from the spread of rates the shipped demo's agreement
# plan uses and typical public-procurement results; staff change them on the page.
DEFAULT_RATES: dict[str, Rate] = {
    "Forbruksvarer": Rate(0.04, 0.07, 0.10),
    "IKT og kommunikasjon": Rate(0.05, 0.08, 0.12),
    "Tjenester": Rate(0.03, 0.05, 0.08),
    "Bygg og eiendom": Rate(0.02, 0.04, 0.06),
    "Transport og energi": Rate(0.03, 0.05, 0.08),
    "Utstyr": Rate(0.04, 0.07, 0.10),
    "Offentlige": Rate(0.0, 0.0, 0.0),
    "Uklassifisert": Rate(0.0, 0.0, 0.0),  # classify first: nothing to tender yet
}
FALLBACK_RATE = Rate(0.03, 0.05, 0.08)


@dataclass(frozen=True)
class OpportunitySettings:
    """What staff may change: the ranking weights and the default rates per category group
    (a tuple of pairs, so the value hashes and can key a cache)."""

    weights: Weights = field(default_factory=Weights)
    default_rates: tuple[tuple[str, Rate], ...] = tuple(DEFAULT_RATES.items())
    fallback: Rate = FALLBACK_RATE

    def rate_for(self, group: str | None) -> Rate:
        return dict(self.default_rates).get(group or "", self.fallback)


# --- the figures ------------------------------------------------------------------------------


def category_rates(agreements: pl.DataFrame, agreement_cats: pl.DataFrame) -> pl.DataFrame:
    """category_id, n_agreements, rate (median), rate_low (25th pct), rate_high (75th pct) from
    the cooperation's own agreements. An absolute saving P on value E counts as the rate it
    implies: P/E = r/(1 − r) ⇒ r = (P/E)/(1 + P/E).

    >>> ag = pl.DataFrame({"id": [1, 2, 3], "savings_rate": [0.04, 0.10, None],
    ...   "projected_saving_ore": [None, None, 25_00], "estimated_annual_value_ore": [1, 1, 100_00],
    ...   "savings_type": ["hard"] * 3})
    >>> cats = pl.DataFrame({"agreement_id": [1, 2, 3], "category_id": [7, 7, 7]})
    >>> category_rates(ag, cats).row(0)  # rates 0.04, 0.10 and 0.25/1.25 = 0.20
    (7, 3, 0.1, 0.07, 0.15)
    """
    factors = savings_factors(agreements).filter(pl.col("factor") > 0)
    rates = factors.join(agreement_cats, on="agreement_id").with_columns(
        r=pl.col("factor") / (1 + pl.col("factor"))
    )
    return (
        rates.group_by("category_id")
        .agg(
            n_agreements=pl.len().cast(pl.Int64),
            rate=pl.col("r").median(),
            rate_low=pl.col("r").quantile(0.25, interpolation="linear"),
            rate_high=pl.col("r").quantile(0.75, interpolation="linear"),
        )
        .with_columns(pl.col("rate", "rate_low", "rate_high").round(6))
        .sort("category_id")
    )


def potential(addressable: pl.Expr, rate: pl.Expr) -> pl.Expr:
    """Estimated saving = addressable × r/(1 − r); negative net spend (credit notes exceeding
    purchases) saves nothing.

    >>> pl.DataFrame({"a": [1_000_000.0, -5.0], "r": [0.2, 0.1]}).select(
    ...     potential(pl.col("a"), pl.col("r")))["a"].to_list()
    [250000.0, 0.0]
    """
    return addressable.clip(lower_bound=0) * rate / (1 - rate)


def _window_sums(monthly: pl.DataFrame, end: dt.date, thresholds: pl.DataFrame) -> pl.DataFrame:
    """category_id, joint_12m, joint_48m and the threshold status of the two sums, with the
    thresholds in force on the last day of ``end``'s month."""
    keys = ["category_id"]
    w12 = rolling_windows(monthly, keys, (end, end), 12).select(*keys, joint_12m="amount")
    w48 = rolling_windows(monthly, keys, (end, end), 48).select(*keys, joint_48m="amount")
    both = w48.join(w12, on=keys, how="left").with_columns(
        pl.col("joint_12m").fill_null(0.0), window_end=pl.lit(end, pl.Date)
    )
    if both.height == 0:
        return both.with_columns(
            threshold_status=pl.lit(None, pl.String), eea_nok=pl.lit(None, pl.Float64)
        ).drop("window_end")
    both = _with_threshold(both, thresholds)
    level12 = _level(pl.col("joint_12m"))
    return both.select(
        *keys,
        "joint_12m",
        "joint_48m",
        eea_nok="eea",
        threshold_status=pl.when(level12 == "eea")
        .then(pl.lit("eea_12"))
        .when(pl.col("joint_48m") >= pl.col("eea"))
        .then(pl.lit("eea_48"))
        .otherwise(level12.fill_null("under")),
    )


@dataclass(frozen=True)
class Addressable:
    """The addressable purchases :func:`opportunities` sums, per level-2 category, over the 48
    months ending with the period's last month — from the cube (:func:`addressable`) or
    summed by the database (``data_access.pushdown_opportunities.addressable``).

    ``monthly``: category_id, month, amount (the 48 months); ``members``: category_id,
    members (municipalities with positive addressable spend in the last 12 months);
    ``suppliers``: category_id, suppliers, suppliers_single (suppliers with positive
    addressable spend in the 12 months, and those of them one municipality buys from);
    ``joint``: more than one municipality has addressable rows in the 48 months (the sums are
    then joint ones)."""

    monthly: pl.DataFrame
    members: pl.DataFrame
    suppliers: pl.DataFrame
    joint: bool


def addressable(cube: pl.DataFrame, f: Filters) -> Addressable:
    """:class:`Addressable` from the cube (``f``'s municipalities, categories and area)."""
    d = apply(cube, f, period=False).filter(ADDRESSABLE)
    d = d.filter(pl.col("month").is_between(add_months(f.end, -47), f.end))
    last12 = d.filter(pl.col("month") >= add_months(f.end, -11))
    per_member = last12.group_by("category_id", "municipality_now").agg(a=pl.col("amount").sum())
    return Addressable(
        monthly=d.group_by("category_id", "month").agg(amount=pl.col("amount").sum()),
        members=per_member.filter(pl.col("a") > 0).group_by("category_id").agg(members=pl.len()),
        suppliers=(
            last12.group_by("category_id", "supplier_id")
            .agg(n_members=pl.col("municipality_now").n_unique(), a=pl.col("amount").sum())
            .filter(pl.col("a") > 0)
            .group_by("category_id")
            .agg(suppliers=pl.len(), suppliers_single=(pl.col("n_members") == 1).sum())
        ),
        joint=d["municipality_now"].n_unique() > 1,
    )


def opportunities(
    cube: pl.DataFrame,
    f: Filters,
    agreements: pl.DataFrame,
    participants: pl.DataFrame,
    thresholds: pl.DataFrame,
    *,
    settings: OpportunitySettings | None = None,
    as_of: dt.date | None = None,
    members_total: int | None = None,
    breadth: pl.DataFrame | None = None,
    agreement_cats: pl.DataFrame | None = None,
    municipalities: frozenset[str] | None = None,
) -> pl.DataFrame:
    """One row per level-2 category with addressable spend in the 48 months ending ``f.end``.

    ``cube`` is the user's scoped cube; ``f``'s municipalities, categories and area apply, its
    start does not. ``as_of`` (default: the day after the period) starts the 12 months in which
    expiring agreements are counted; ``municipalities`` keeps only expiring agreements they take
    part in (a kommune user's). ``breadth`` (category_id, members) replaces the member count
    computed from ``cube`` — the cooperation's count for a scoped view; ``suppliers_single`` is
    then null (which suppliers other members use is not in view). ``agreement_cats``
    (agreement_id, category_id) defaults to ``coverage.agreement_categories`` on ``cube``.

    Columns: category_id, category, category_l1, addressable_12m, addressable_48m, members,
    members_total, suppliers, suppliers_single, joint_12m, joint_48m, eea_nok,
    threshold_status, joint (the sums are over more than one municipality in view), expiring,
    n_agreements, rate, rate_low, rate_high, rate_source ("agreements" | "default"), potential,
    potential_low, potential_high.
    """
    as_of = as_of or add_months(f.end, 1)
    if members_total is None:
        members_total = int(cube["municipality_now"].n_unique()) if cube.height else 0
    cats = agreement_cats if agreement_cats is not None else agreement_categories(agreements, cube)
    return opportunities_of(
        addressable(cube, f),
        f,
        agreements,
        thresholds,
        names=cube.select("category_id", "category", "category_l1").unique("category_id"),
        expiring_agreements=expiring(
            agreements, cube, participants, as_of, 12, municipalities=municipalities
        ),
        agreement_cats=cats,
        members_total=members_total,
        settings=settings,
        breadth=breadth,
    )


def opportunities_of(
    a: Addressable,
    f: Filters,
    agreements: pl.DataFrame,
    thresholds: pl.DataFrame,
    *,
    names: pl.DataFrame,
    expiring_agreements: pl.DataFrame,
    agreement_cats: pl.DataFrame,
    members_total: int,
    settings: OpportunitySettings | None = None,
    breadth: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """:func:`opportunities` from its parts: the addressable purchases ``a``, the categories'
    ``names`` (category_id, category, category_l1), the agreements expiring within the 12
    months (``coverage.expiring``'s rows; only counted) and every agreement's category."""
    settings = settings or OpportunitySettings()
    since12 = add_months(f.end, -11)
    joint = a.joint  # one in view (a kommune user, or a filter): its own sums
    sums = _window_sums(a.monthly, f.end, thresholds)
    members = a.members
    if breadth is not None:
        members = breadth.select(
            pl.col("category_id").cast(pl.Int64), pl.col("members").cast(pl.UInt32)
        )
    rates = category_rates(agreements, agreement_cats)
    exp = expiring_agreements
    n_exp = (
        exp.join(agreement_cats, on="agreement_id").group_by("category_id").agg(expiring=pl.len())
        if exp.height
        else pl.DataFrame(schema={"category_id": pl.Int64, "expiring": pl.UInt32})
    )
    defaults = pl.DataFrame(
        [
            {"category_l1": g, "d_low": r.low, "d_rate": r.rate, "d_high": r.high}
            for g, r in settings.default_rates
        ],
        schema={
            "category_l1": pl.String,
            "d_low": pl.Float64,
            "d_rate": pl.Float64,
            "d_high": pl.Float64,
        },
    )
    fb = settings.fallback
    has_own = pl.col("rate").is_not_null()
    out = (
        sums.join(names, on="category_id", how="left")
        .join(
            a.monthly.group_by("category_id").agg(
                addressable_12m=pl.col("amount").filter(pl.col("month") >= since12).sum(),
                addressable_48m=pl.col("amount").sum(),
            ),
            on="category_id",
            how="left",
        )
        .join(members, on="category_id", how="left")
        .join(a.suppliers, on="category_id", how="left")
        .join(n_exp, on="category_id", how="left")
        .join(rates, on="category_id", how="left")
        .join(defaults, on="category_l1", how="left")
        .with_columns(
            pl.col("addressable_12m", "addressable_48m").fill_null(0.0),
            pl.col("members", "suppliers", "suppliers_single", "expiring")
            .fill_null(0)
            .cast(pl.Int64),
            pl.col("n_agreements").fill_null(0),
            members_total=pl.lit(members_total, pl.Int64),
            rate_source=pl.when(has_own).then(pl.lit("agreements")).otherwise(pl.lit("default")),
            rate=pl.coalesce("rate", "d_rate", pl.lit(fb.rate)),
            rate_low=pl.coalesce("rate_low", "d_low", pl.lit(fb.low)),
            rate_high=pl.coalesce("rate_high", "d_high", pl.lit(fb.high)),
            joint=pl.lit(joint, pl.Boolean),
        )
        .with_columns(
            potential=potential(pl.col("addressable_12m"), pl.col("rate")),
            potential_low=potential(pl.col("addressable_12m"), pl.col("rate_low")),
            potential_high=potential(pl.col("addressable_12m"), pl.col("rate_high")),
        )
    )
    if breadth is not None:
        # With the cooperation's count handed in, the rows in view cannot tell which suppliers
        # other members use: unknown, not "all of them".
        out = out.with_columns(suppliers_single=pl.lit(None, pl.Int64))
    return out.select(
        "category_id",
        "category",
        "category_l1",
        "addressable_12m",
        "addressable_48m",
        "members",
        "members_total",
        "suppliers",
        "suppliers_single",
        "joint_12m",
        "joint_48m",
        "eea_nok",
        "threshold_status",
        "joint",
        "expiring",
        "n_agreements",
        "rate",
        "rate_low",
        "rate_high",
        "rate_source",
        "potential",
        "potential_low",
        "potential_high",
    ).sort("potential", "category_id", descending=[True, False])


def category_suppliers(cube: pl.DataFrame, f: Filters, category_id: int) -> pl.DataFrame:
    """The suppliers of one category's addressable spend in the 12 months ending ``f.end``,
    largest first: supplier_id, supplier_name, orgnr, municipalities (buying it in view),
    addressable_12m, share (of the category's addressable spend). Private persons are not
    addressable, so never listed.

    >>> from data_access.store.filters import Filters
    >>> c = pl.DataFrame({"month": [dt.date(2025, 5, 1)] * 3, "municipality_now": ["A", "B", "A"],
    ...   "supplier_id": [1, 1, 2], "supplier_name": ["X", "X", "Y"], "orgnr": [None] * 3,
    ...   "category_id": [9] * 3, "category_l1_id": [1] * 3, "area": ["drift"] * 3,
    ...   "spend_class": ["purchase"] * 3, "agreement_id": [None, None, None],
    ...   "is_private": [False] * 3, "amount": [300.0, 100.0, 100.0]})
    >>> category_suppliers(c, Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 1)), 9).select(
    ...     "supplier_name", "municipalities", "share").rows()
    [('X', 2, 0.8), ('Y', 1, 0.2)]
    """
    d = (
        apply(cube, f, period=False)
        .filter(ADDRESSABLE & (pl.col("category_id") == category_id))
        .filter(pl.col("month").is_between(add_months(f.end, -11), f.end))
    )
    return category_suppliers_of(
        d.group_by("supplier_id", "supplier_name", "orgnr").agg(
            municipalities=pl.col("municipality_now").n_unique().cast(pl.Int64),
            addressable_12m=pl.col("amount").sum(),
        )
    )


def category_suppliers_of(out: pl.DataFrame) -> pl.DataFrame:
    """:func:`category_suppliers` from its sums per supplier (supplier_id, supplier_name,
    orgnr, municipalities, addressable_12m): with the shares, largest first."""
    total = float(out["addressable_12m"].sum()) if out.height else 0.0
    return out.with_columns(
        share=pl.col("addressable_12m") / total if total else pl.lit(None, pl.Float64)
    ).sort(["addressable_12m", "supplier_id"], descending=[True, False])


# --- the ranking ------------------------------------------------------------------------------


def rank(opps: pl.DataFrame, weights: Weights | None = None) -> pl.DataFrame:
    """Add score (0–1) and rank (1 = tender first); sorted by rank. The reasons for a rank are
    worded from the row's values by ``charts.opportunities.reasons``.

    score = (w_p · potential / largest potential + w_b · members / members in the cooperation
    + w_t · threshold rank / 4) / (w_p + w_b + w_t). Ties go to the larger potential.

    >>> o = pl.DataFrame({"category_id": [1, 2], "potential": [100.0, 80.0], "members": [1, 5],
    ...   "members_total": [5, 5], "threshold_status": ["under", "eea_12"]})
    >>> rank(o, Weights(1, 0, 0))["category_id"].to_list()
    [1, 2]
    >>> rank(o, Weights(0.5, 0.3, 0.2))["category_id"].to_list()
    [2, 1]
    """
    w = weights or Weights()
    total = w.potential + w.breadth + w.threshold
    top = float(opps.select(pl.col("potential").max()).item() or 0.0) if opps.height else 0.0
    pot = pl.col("potential") / top if top > 0 else pl.lit(0.0)
    breadth = (
        pl.when(pl.col("members_total") > 0)
        .then(pl.col("members") / pl.col("members_total"))
        .otherwise(0.0)
    )
    thr = pl.col("threshold_status").replace_strict(
        STATUS_RANK, default=0, return_dtype=pl.Float64
    ) / max(STATUS_RANK.values())
    out = opps.with_columns(
        score=((w.potential * pot + w.breadth * breadth + w.threshold * thr) / total).round(9)
    ).sort(["score", "potential"], descending=True)
    return out.with_columns(rank=pl.int_range(1, out.height + 1, dtype=pl.Int64))


def top_figures(ranked: pl.DataFrame, n: int = 10) -> list[dict[str, object]]:
    """The top ``n`` of a ranked frame as JSON-ready dicts (``innsikt figures``), amounts in
    NOK rounded to kroner, rates to six decimals; ``reasons`` when the frame has them (worded
    by ``charts.opportunities.described``).

    >>> r = pl.DataFrame({"rank": [1], "category_id": [9], "category": ["Kontor"],
    ...   "category_l1": ["Forbruksvarer"], "addressable_12m": [900_000.4], "members": [3],
    ...   "members_total": [5], "suppliers": [5], "threshold_status": ["regulation"],
    ...   "expiring": [1], "rate": [0.2], "rate_low": [0.2], "rate_high": [0.2],
    ...   "rate_source": ["agreements"], "potential": [225_000.1], "potential_low": [225_000.1],
    ...   "potential_high": [225_000.1], "reasons": ["…"], "score": [1.0]})
    >>> top_figures(r)[0]["potential_nok"], top_figures(r)[0]["potential_range_nok"]
    (225000, [225000, 225000])
    """
    return [
        {
            "rank": int(r["rank"]),
            "category_id": int(r["category_id"]),
            "category": r["category"],
            "category_group": r["category_l1"],
            "addressable_12m_nok": round(float(r["addressable_12m"])),
            "members": int(r["members"]),
            "members_total": int(r["members_total"]),
            "suppliers": int(r["suppliers"]),
            "threshold_status": r["threshold_status"],
            "expiring_agreements": int(r["expiring"]),
            "rate": round(float(r["rate"]), 6),
            "rate_range": [round(float(r["rate_low"]), 6), round(float(r["rate_high"]), 6)],
            "rate_source": r["rate_source"],
            "potential_nok": round(float(r["potential"])),
            "potential_range_nok": [
                round(float(r["potential_low"])),
                round(float(r["potential_high"])),
            ],
            "score": round(float(r["score"]), 4),
            **({"reasons": r["reasons"]} if "reasons" in r else {}),
            "estimate": True,
        }
        for r in ranked.head(n).iter_rows(named=True)
    ]


# --- the target gap ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetGap:
    """This year's expected realized saving against the target, and what the top candidates
    would add if tendered from ``start`` with their expected rates (estimates).

    ``by_year``: year, baseline (expected realized saving without new tenders), added
    (candidates' potential in the months of that year from ``start``), total, target.
    ``reach_year`` is the first year whose total reaches the target (None within the horizon).
    """

    year: int
    target: float
    expected: float
    gap: float
    start: dt.date
    candidates: tuple[str, ...]
    candidate_potential: float
    candidate_low: float
    candidate_high: float
    by_year: pl.DataFrame
    reach_year: int | None

    @property
    def met_already(self) -> bool:
        return self.gap <= 0


def target_gap(
    monthly: pl.DataFrame,
    target: float,
    ranked: pl.DataFrame,
    *,
    n: int,
    start: dt.date,
    horizon_years: int = 4,
) -> TargetGap:
    """``monthly`` is ``savings.realized_by_month``. The expected realized saving of the last
    year with data is its realized saving so far plus the last 12 months' monthly average for
    the months left (``savings.year_end_projection``); later years continue at the last 12
    months' average monthly rate × 12 (agreements kept as they are). A candidate saves potential/12 per month from
    ``start``'s month on.

    >>> m = pl.DataFrame({"year": [2026] * 6, "month": [dt.date(2026, i, 1) for i in range(1, 7)],
    ...   "month_no": list(range(1, 7)), "realized": [500_000.0] * 6, "hard": [0.0] * 6,
    ...   "avoidance": [0.0] * 6, "cum_realized": [500_000.0 * i for i in range(1, 7)]})
    >>> r = pl.DataFrame({"category": ["A", "B"], "potential": [1_200_000.0, 600_000.0],
    ...   "potential_low": [0.0, 0.0], "potential_high": [0.0, 0.0]})
    >>> g = target_gap(m, 7_500_000, r, n=2, start=dt.date(2027, 3, 1))
    >>> g.expected, g.gap, g.reach_year  # 6 M this year; 6 M + 1.8 M × 10/12 in 2027
    (6000000.0, 1500000.0, 2027)
    """
    top = ranked.head(max(0, n))
    pot = float(top["potential"].sum()) if top.height else 0.0
    low = float(top["potential_low"].sum()) if top.height else 0.0
    high = float(top["potential_high"].sum()) if top.height else 0.0
    if monthly.height == 0:
        year, expected, run_rate = start.year, 0.0, 0.0
    else:
        proj = year_end_projection(monthly)
        last = monthly.sort("month").row(-1, named=True)
        year = int(last["year"])
        expected = (
            float(proj["projected_year_end"])
            if proj is not None
            else float(monthly.filter(pl.col("year") == year)["realized"].sum())
        )
        run_rate = (
            float(monthly.sort("month").tail(12).select(pl.col("realized").mean()).item() or 0.0)
            * 12
        )
    rows = []
    reach: int | None = None
    for y in range(year, max(year, start.year) + horizon_years):
        baseline = expected if y == year else run_rate
        months = 0 if y < start.year else (12 if y > start.year else 13 - start.month)
        added = pot * months / 12
        rows.append(
            {
                "year": y,
                "baseline": baseline,
                "added": added,
                "total": baseline + added,
                "target": float(target),
            }
        )
        if reach is None and baseline + added >= target:
            reach = y
    return TargetGap(
        year=year,
        target=float(target),
        expected=expected,
        gap=float(target) - expected,
        start=start,
        candidates=tuple(top["category"].to_list()) if top.height else (),
        candidate_potential=pot,
        candidate_low=low,
        candidate_high=high,
        by_year=pl.DataFrame(
            rows,
            schema={
                "year": pl.Int32,
                "baseline": pl.Float64,
                "added": pl.Float64,
                "total": pl.Float64,
                "target": pl.Float64,
            },
        ),
        reach_year=reach,
    )
