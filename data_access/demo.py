"""Deterministic demo data for the six Innherred members (PRODUCT.md §6).

Everything here is fictional and labelled "Demodata" in the UI: organisation numbers start with
``1`` (real ones start with 8 or 9) yet pass the mod-11 check; names are invented. Volumes follow
population (≈ 1.5 bn NOK of operations spend a year at ``size=1``, ≈ 150 000 lines a year),
2019 to the last full quarter, Verran (5039) and Steinkjer (5004) apart in 2019 and Steinkjer 5006
from 2020. Same seed and size → same data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
import polars as pl
import sqlalchemy as sa

from data_access.importing.classify import classify, with_spend_class
from data_access.store import schema
from data_access.store.agreements import load_parties, match_agreements
from data_access.store.bulkload import bulk_load, refresh_statistics
from data_access.store.categories import load_rules, unclassified_id
from data_access.store.cube import rebuild_cube
from data_access.store.db import (
    audit,
    bulk_insert,
    bump_data_version,
    inserted_id,
    sync_id_sequences,
)
from data_access.store.filters import add_months
from data_access.store.reference import art_classes, seed_reference
from data_access.store.suppliers import orgnr_check_digit

LINES_PER_YEAR = 150_000
DRIFT_NOK_PER_YEAR = 1.5e9
INVEST_NOK_PER_YEAR = 0.8e9
MEMBERS_NOW = ("5006", "5037", "5038", "5041", "5053")

_WORDS_A = (
    "Bratt",
    "Lys",
    "Nord",
    "Fjell",
    "Elve",
    "Skog",
    "Vik",
    "Mo",
    "Haug",
    "Berg",
    "Øy",
    "Li",
    "Dal",
    "Strand",
    "Vang",
    "Ås",
    "Tjønn",
    "Myr",
    "Sand",
    "Kvern",
    "Lund",
    "Grav",
    "Rød",
    "Sol",
)
_WORDS_B = ("heim", "vik", "mo", "li", "berg", "dal", "sund", "voll", "haug", "nes", "stad", "rud")
_TRADES = {
    "230": ("Bygg", "Snekkeri", "Murer", "Rør", "Elektro", "Maskin", "Entreprenør"),
    "240": ("Service", "Teknikk", "Vedlikehold", "Ventilasjon", "Heis"),
    "250": ("Byggevarer", "Trelast", "Jernvare"),
    "260": ("Renhold", "Vaskeri"),
    "270": ("Rådgivning", "Konsult", "Regnskap", "Arkitekter", "Advokatfirma"),
    "115": ("Bakeri", "Gårdsmat", "Fisk", "Kjøtt"),
    "170": ("Transport", "Taxi", "Buss", "Bilverksted"),
    "120": ("Trykkeri", "Blomster", "Sport", "Musikk"),
    "150": ("Kurs", "Kompetanse"),
    "370": ("Omsorg", "Helse", "Barnevernstjenester"),
    "200": ("Møbler", "Utstyr"),
}
# NACE (SN2007) per trade, so "same industry" comparisons (regional alternatives) work.
_NACE = {
    "Bygg": "41.200",
    "Snekkeri": "43.320",
    "Murer": "43.990",
    "Rør": "43.220",
    "Elektro": "43.210",
    "Maskin": "43.120",
    "Entreprenør": "41.200",
    "Service": "33.120",
    "Teknikk": "71.129",
    "Vedlikehold": "43.390",
    "Ventilasjon": "43.220",
    "Heis": "43.290",
    "Byggevarer": "46.730",
    "Trelast": "46.730",
    "Jernvare": "47.520",
    "Renhold": "81.210",
    "Vaskeri": "96.010",
    "Rådgivning": "70.220",
    "Konsult": "70.220",
    "Regnskap": "69.201",
    "Arkitekter": "71.112",
    "Advokatfirma": "69.100",
    "Bakeri": "10.710",
    "Gårdsmat": "01.500",
    "Fisk": "46.380",
    "Kjøtt": "46.320",
    "Transport": "49.410",
    "Taxi": "49.320",
    "Buss": "49.390",
    "Bilverksted": "45.200",
    "Trykkeri": "18.120",
    "Blomster": "47.760",
    "Sport": "47.640",
    "Musikk": "85.520",
    "Kurs": "85.590",
    "Kompetanse": "85.590",
    "Omsorg": "88.990",
    "Helse": "86.900",
    "Barnevernstjenester": "87.900",
    "Møbler": "47.590",
    "Utstyr": "46.690",
}
_CHAINS = (
    ("Kontorkjeden", "100", "47.620"),
    ("Skolemateriell Norge", "105", "46.490"),
    ("Medisinsk Forsyning", "110", "46.460"),
    ("Apotekgrossisten", "114", "46.460"),
    ("Storkjøkkengrossisten", "115", "46.390"),
    ("Dagligvaregrossisten", "115", "46.390"),
    ("Forbruksvarehuset", "120", "46.900"),
    ("Telenett", "130", "61.100"),
    ("Mobilnett Norge", "130", "61.200"),
    ("Mediehuset Annonse", "140", "73.110"),
    ("Kompetansehuset", "150", "85.590"),
    ("Drivstoffkjeden", "170", "47.300"),
    ("Kraftleverandøren", "180", "35.140"),
    ("Fjernvarmeselskapet", "180", "35.300"),
    ("Forsikringsselskapet", "185", "65.120"),
    ("Eiendomsforvalteren", "190", "68.200"),
    ("Programvarehuset", "195", "58.290"),
    ("Lisensforvaltning", "195", "62.090"),
    ("Møbelkjeden", "200", "47.590"),
    ("IT-utstyr Norge", "200", "46.510"),
    ("Bilutleie Norge", "210", "77.110"),
    ("Maskinutleie", "220", "77.320"),
    ("Byggvarekjeden", "250", "47.520"),
    ("Renholdsgruppen", "260", "81.210"),
    ("Vaskeritjenester", "260", "96.010"),
    ("Konsulentgruppen", "270", "70.220"),
    ("Revisjonshuset", "270", "69.200"),
    ("Helsetjenester Privat", "370", "87.300"),
    ("Omsorgsgruppen", "370", "88.990"),
    ("Bemanningsbyrået", "370", "78.200"),
    ("Entreprenørkonsernet", "230", "41.200"),
    ("Heis og Service", "240", "43.290"),
)
_CHAIN_HOMES = ("0301", "0301", "0301", "4601", "5001", "1103", "3201", "3301")
_COUNTY_HOMES = ("5001", "5001", "5001", "5035", "5007", "5031", "5059", "5047", "5028")
_NORWAY_HOMES = ("0301", "4601", "1103", "3301", "1804", "5501", "1507", "3201")
_FOREIGN = (
    ("Nordic Software AB", "SE", "195"),
    ("Scandi Medical ApS", "DK", "110"),
    ("Lehrmittel Verlag GmbH", "DE", "105"),
    ("Cloud Services Ltd", "IE", "195"),
    ("Svensk Skolmöbel AB", "SE", "200"),
    ("Dansk Rengøring ApS", "DK", "260"),
)
_PUBLIC = (
    ("Innherred Renovasjon IKS", "5037", "380"),
    ("Innherred Revisjon IKS", "5037", "375"),
    ("Trøndelag fylkeskommune", "5006", "300"),
    ("Staten v/ Skatteetaten", "0301", "300"),
    ("Kommunale Eiendom KF", "5038", "380"),
    ("Legevakt Innherred IKS", "5037", "375"),
)
_FIRST = ("Kari", "Ola", "Ingrid", "Per", "Marit", "Jon", "Anne", "Lars", "Siri", "Nils")
_LAST = ("Nordmann", "Fjellheim", "Bakken", "Haugen", "Lien", "Moen", "Dahl", "Strand")
_CONSUMABLE_ARTS = {"100", "105", "110", "114", "115", "120", "200", "250"}

# Agreement categories: (art of the chain it covers, name, savings rate range, type).
_AGREEMENT_PLAN = (
    ("100", "Kontorrekvisita", (0.03, 0.05), "hard"),
    ("105", "Skolemateriell", (0.03, 0.04), "hard"),
    ("110", "Medisinsk forbruksmateriell", (0.02, 0.04), "hard"),
    ("115", "Næringsmidler", (0.02, 0.03), "hard"),
    ("130", "Telefoni og data", (0.04, 0.06), "hard"),
    ("170", "Drivstoff", (0.02, 0.025), "hard"),
    ("180", "Kraft", (0.02, 0.025), "avoidance"),
    ("185", "Forsikring", (0.10, 0.15), "avoidance"),
    ("200", "Møbler og IT-utstyr", (0.02, 0.04), "hard"),
    ("250", "Byggevarer", (0.02, 0.03), "hard"),
    ("260", "Renhold", (0.02, 0.025), "hard"),
    ("270", "Rådgivning", (0.02, 0.04), "avoidance"),
    ("370", "Bemanning helse", (0.02, 0.025), "hard"),
)


def last_full_quarter_end(today: dt.date) -> dt.date:
    """Last day of the last complete quarter before ``today``.

    >>> last_full_quarter_end(dt.date(2026, 11, 25))
    datetime.date(2026, 9, 30)
    """
    q_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return q_start - dt.timedelta(days=1)


def _fictional_orgnr(rng: np.random.Generator, used: set[str]) -> str:
    while True:
        first8 = "1" + "".join(str(d) for d in rng.integers(0, 10, 7))
        check = orgnr_check_digit(first8)
        if check is not None and first8 + str(check) not in used:
            used.add(first8 + str(check))
            return first8 + str(check)


def _name(rng: np.random.Generator, trade: str, used: set[str]) -> str:
    for _ in range(50):
        stem = rng.choice(_WORDS_A) + rng.choice(_WORDS_B)
        name = f"{stem} {trade} AS"
        if name not in used:
            used.add(name)
            return name
    name = f"{trade} {len(used)} AS"
    used.add(name)
    return name


# Exempt from C901: one branch per kind of demo supplier (chain, local, county, national, foreign,
# public body, private person) — a table of cases, read top to bottom.
def make_suppliers(rng: np.random.Generator, size: float) -> pl.DataFrame:  # noqa: C901
    """The supplier universe with generation weights (``weight``, ``segment``, ``art``)."""
    k = float(np.clip(size, 0.05, 1.0)) ** 0.5
    orgs: set[str] = set()
    names: set[str] = set()
    rows: list[dict[str, object]] = []

    def add(**kw: object) -> None:
        kw.setdefault("orgnr", None)
        kw.setdefault("supplier_no", None)
        kw.setdefault("is_private", False)
        kw.setdefault("is_public", False)
        kw.setdefault("country", "NO")
        rows.append(kw)

    for name, art, nace in _CHAINS:
        add(
            segment="chain",
            name=f"{name} AS",
            orgnr=_fictional_orgnr(rng, orgs),
            art=art,
            nace=nace,
            home=str(rng.choice(_CHAIN_HOMES)),
            employees=int(rng.integers(300, 5000)),
            weight=float(rng.lognormal(0, 0.5)) * 28.0,
            org_form="AS",
        )
    pops = {"5006": 26.5, "5037": 20.5, "5038": 15.1, "5041": 2.0, "5053": 6.8}
    for home, pop in pops.items():
        for _ in range(int(130 * k * (pop / 20.5) ** 0.7) + 4):
            art = str(rng.choice(list(_TRADES)))
            trade = str(rng.choice(_TRADES[art]))
            add(
                segment="local",
                name=_name(rng, trade, names),
                orgnr=_fictional_orgnr(rng, orgs),
                art=art,
                nace=_NACE[trade],
                home=home,
                employees=int(rng.choice([1, 2, 3, 5, 8, 12, 20, 35, 60, 120])),
                weight=float(rng.lognormal(0, 1.0)),
                org_form=str(rng.choice(["AS", "AS", "ENK"])),
            )
    for segment, homes, n, emp in (
        ("county", _COUNTY_HOMES, int(260 * k) + 6, (5, 400)),
        ("norway", _NORWAY_HOMES, int(300 * k) + 6, (5, 2000)),
    ):
        for _ in range(n):
            art = str(rng.choice(list(_TRADES)))
            trade = str(rng.choice(_TRADES[art]))
            add(
                segment=segment,
                name=_name(rng, trade, names),
                orgnr=_fictional_orgnr(rng, orgs),
                art=art,
                nace=_NACE[trade],
                home=str(rng.choice(homes)),
                employees=int(rng.integers(*emp)),
                weight=float(rng.lognormal(0, 1.1)) * 0.8,
                org_form="AS",
            )
    for name, country, art in _FOREIGN:
        add(
            segment="foreign",
            name=name,
            art=art,
            nace=None,
            home=None,
            country=country,
            employees=None,
            weight=0.6,
            org_form=None,
        )
    for i in range(int(40 * k) + 4):  # suppliers known only by the ERP's supplier number
        art = str(rng.choice(["120", "170", "230", "270"]))
        add(
            segment="erp",
            name=_name(rng, str(rng.choice(_TRADES[art])), names),
            supplier_no=f"{80000 + i}",
            art=art,
            nace=None,
            home=None,
            country=None,
            employees=None,
            weight=0.15,
            org_form=None,
        )
    for _ in range(int(120 * k) + 4):
        add(
            segment="private",
            name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            art="270",
            nace=None,
            home=None,
            country=None,
            employees=None,
            weight=0.02,
            org_form=None,
            is_private=True,
        )
    for name, home, art in _PUBLIC:
        add(
            segment="public",
            name=name,
            orgnr=_fictional_orgnr(rng, orgs),
            art=art,
            nace="84.110",
            home=home,
            employees=int(rng.integers(20, 400)),
            weight=9.0,
            org_form="IKS",
            is_public=True,
        )
    df = pl.DataFrame(rows, infer_schema_length=None)
    priv_seq = pl.int_range(pl.len()).over("segment")
    return df.with_row_index("supplier_id", offset=1).with_columns(
        pl.col("supplier_id").cast(pl.Int64),
        key=pl.when(pl.col("orgnr").is_not_null())
        .then(pl.format("orgnr:{}", "orgnr"))
        .when(pl.col("segment") == "erp")
        .then(pl.format("lnr:*:{}", "supplier_no"))
        .when(pl.col("is_private"))
        .then(pl.format("privat:{}", priv_seq))
        .otherwise(pl.format("navn:{}", pl.col("name").str.to_lowercase())),
        identity_kind=pl.when(pl.col("orgnr").is_not_null())
        .then(pl.lit("orgnr"))
        .when(pl.col("segment") == "erp")
        .then(pl.lit("supplier_no"))
        .otherwise(pl.lit("name")),
    )


def make_subunits(seed: int, suppliers: pl.DataFrame) -> pl.DataFrame:
    """Local branches (underenheter) of some national chains, in member and county
    municipalities, so the sub-unit location view has something to show. A separate random
    stream keeps the rest of the demo data unchanged by this step."""
    rng = np.random.default_rng(seed + 1)
    used: set[str] = set(suppliers["orgnr"].drop_nulls().to_list())
    rows = []
    places = ("5006", "5037", "5038", "5053", "5001", "5035")
    chains = suppliers.filter(pl.col("segment") == "chain")
    for parent, name, nace in chains.select("orgnr", "name", "nace").iter_rows():
        if rng.random() < 0.5:
            continue
        for place in rng.choice(places, size=int(rng.integers(1, 4)), replace=False):
            rows.append(
                {
                    "orgnr": _fictional_orgnr(rng, used),
                    "parent_orgnr": parent,
                    "name": f"{name.removesuffix(' AS')} avd. {place}",
                    "municipality": str(place),
                    "nace": nace,
                    "employees": int(rng.integers(3, 60)),
                }
            )
    return pl.DataFrame(rows)


def _buyers_for_month(month: dt.date) -> list[tuple[str, float]]:
    """(historical code, population share) of the buying municipalities in a month."""
    steinkjer = [("5004", 22.0), ("5039", 2.45)] if month.year < 2020 else [("5006", 24.5)]
    return [*steinkjer, ("5037", 20.5), ("5038", 15.1), ("5041", 2.05), ("5053", 6.8)]


_SEASON = np.array([0.85, 0.95, 1.05, 1.0, 1.05, 0.95, 0.6, 0.85, 1.1, 1.1, 1.15, 1.35])


def make_lines(
    rng: np.random.Generator, suppliers: pl.DataFrame, end: dt.date, size: float
) -> pl.DataFrame:
    """Ledger lines 2019-01 → ``end`` for the generated suppliers (vectorised per month)."""
    sup = suppliers.with_columns(pl.col("weight").cast(pl.Float64))
    seg = sup["segment"].to_numpy()
    w = sup["weight"].to_numpy().astype(float)
    home = sup["home"].to_numpy()
    ids = sup["supplier_id"].to_numpy()
    arts = sup["art"].to_numpy()
    is_chain = seg == "chain"
    drift_pool = np.flatnonzero(seg != "public")
    public_pool = np.flatnonzero(seg == "public")
    invest_pool = np.flatnonzero(np.isin(arts, ["230", "250", "200", "210"]) & (seg != "public"))
    lines_per_month = LINES_PER_YEAR * size / 12.0
    frames = []
    month = dt.date(2019, 1, 1)
    while month <= end:
        growth = 1.03 ** (month.year - 2019)
        for code, pop in _buyers_for_month(month):
            now = "5006" if code in ("5004", "5039") else code
            n = int(rng.poisson(lines_per_month * pop / 71.0 * _SEASON[month.month - 1]))
            if n == 0:
                continue
            n_pub = int(n * 0.04)
            n_inv = int(n * 0.05)
            n_drift = n - n_pub - n_inv
            # Local firms are favoured by their own municipality.
            pw = w[drift_pool] * np.where(home[drift_pool] == now, 6.0, 1.0)
            pick = np.concatenate(
                [
                    rng.choice(drift_pool, n_drift, p=pw / pw.sum()),
                    rng.choice(public_pool, n_pub),
                    rng.choice(invest_pool, n_inv, p=w[invest_pool] / w[invest_pool].sum()),
                ]
            )
            area = np.array(["drift"] * (n_drift + n_pub) + ["investering"] * n_inv)
            base = np.where(is_chain[pick], 9000.0, 6500.0) * np.where(
                area == "investering", 12.0, 1.0
            )
            base = np.where(seg[pick] == "private", 2500.0, base)
            base = np.where(seg[pick] == "public", 40000.0, base)
            amount = base * growth * rng.lognormal(0.0, 1.0, n)
            credit = rng.random(n) < 0.025
            amount = np.where(credit, -amount * rng.uniform(0.05, 0.8, n), amount)
            days = rng.integers(0, 28, n)
            p_eh = min(0.08 + 0.09 * (month.year - 2019), 0.72)
            consumable = np.isin(arts[pick], list(_CONSUMABLE_ARTS))
            ehandel = (rng.random(n) < np.where(is_chain[pick] & consumable, p_eh, p_eh * 0.08)) & (
                area == "drift"
            )
            frames.append(
                pl.DataFrame(
                    {
                        "municipality_code": [code] * n,
                        "municipality_now": [now] * n,
                        "date": [month + dt.timedelta(days=int(d)) for d in days],
                        "supplier_id": ids[pick],
                        "art": arts[pick],
                        "raw_amount": amount,
                        "ehandel": ehandel,
                        "area": area,
                        "credit": credit,
                    }
                )
            )
        month = add_months(month, 1)
    lines = pl.concat(frames)
    return lines


def _scale_amounts(lines: pl.DataFrame, size: float) -> pl.DataFrame:
    """Scale amounts so that each year's drift purchases ≈ 1.5 bn NOK × size (× 3 %/year)."""
    totals = lines.group_by("area").agg(
        pl.col("raw_amount").sum(),
        pl.col("date").min().alias("d0"),
        pl.col("date").max().alias("d1"),
    )
    factors = {}
    for area, total, d0, d1 in totals.iter_rows():
        years = ((d1 - d0).days + 1) / 365.25
        target = (
            (DRIFT_NOK_PER_YEAR if area == "drift" else INVEST_NOK_PER_YEAR) * size * 1.1 * years
        )
        factors[area] = target / total
    return lines.with_columns(
        amount_ore=(pl.col("raw_amount") * pl.col("area").replace_strict(factors) * 100)
        .round(0)
        .cast(pl.Int64)
    )


def _span_days(dates: pl.Series) -> int:
    """Days from the first to the last date of a non-empty date column."""
    first, last = dates.min(), dates.max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)
    return (last - first).days


def make_agreements(
    rng: np.random.Generator, suppliers: pl.DataFrame, lines: pl.DataFrame, end: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Agreements in two generations per category, starting 2019–2021 and renewed after ~4 years."""
    chains = suppliers.filter(pl.col("segment") == "chain")
    yearly = (
        lines.filter(pl.col("area") == "drift")
        .group_by("supplier_id")
        .agg(
            (pl.col("amount_ore").sum() / 100 / (_span_days(lines["date"]) / 365.25)).alias(
                "per_year"
            )
        )
    )
    agreements, parties, participants = [], [], []
    aid = 1
    for art, label, (r_lo, r_hi), stype in _AGREEMENT_PLAN:
        cands = chains.filter(pl.col("art") == art)
        if cands.height == 0:
            continue
        extra = suppliers.filter((pl.col("segment") == "county") & (pl.col("art") == art)).head(1)
        orgs = cands["orgnr"].to_list() + extra["orgnr"].to_list()
        sup_ids = cands["supplier_id"].to_list() + extra["supplier_id"].to_list()
        volume = float(yearly.filter(pl.col("supplier_id").is_in(sup_ids))["per_year"].sum() or 1e6)
        start = dt.date(2019 + int(rng.integers(0, 3)), int(rng.choice([1, 4, 9])), 1)
        members = list(MEMBERS_NOW)
        if rng.random() < 0.3:  # some agreements not everyone joined
            members = [m for m in members if m != str(rng.choice(MEMBERS_NOW))]
        for gen in (1, 2):
            term = int(rng.choice([2, 3]))
            opts = int(rng.choice([1, 2]))
            cur_end = add_months(start, 12 * (term + opts)) - dt.timedelta(days=1)
            rate = round(float(rng.uniform(r_lo, r_hi)), 3)
            absolute = rng.random() < 0.15
            est = round(volume * len(members) / 5 * float(rng.uniform(0.9, 1.3)), -4)
            agreements.append(
                {
                    "id": aid,
                    "ref": f"IHI-{start.year}-{aid:03d}",
                    "name": f"{label} {start.year}",
                    "start": start,
                    "end": cur_end
                    if gen == 1 or cur_end < end
                    else add_months(start, 12 * term) - dt.timedelta(days=1),
                    "end_with_options": cur_end,
                    "estimated_annual_value_ore": int(est * 100),
                    "savings_rate": None if absolute else rate,
                    "projected_saving_ore": int(round(est * rate / (1 - rate), -3) * 100)
                    if absolute
                    else None,
                    "savings_type": stype,
                    "owner": "Innherred innkjøp",
                    "baseline_note": "Nullpunkt: priser i forrige avtale (demodata)",
                    "art": art,
                }
            )
            parties += [{"agreement_id": aid, "orgnr": o} for o in orgs]
            participants += [{"agreement_id": aid, "municipality_code": m} for m in members]
            aid += 1
            start = cur_end + dt.timedelta(days=1)
            if start > end:
                break
    ag = pl.DataFrame(agreements)
    # A few current agreements expire soon, so the "expiring" lists have content.
    today = end + dt.timedelta(days=56)
    current = ag.filter(pl.col("end") >= today)["id"].to_list()
    soon = {
        i: add_months(today, int(k)) - dt.timedelta(days=1)
        for i, k in zip(current[:3], (3, 5, 10), strict=False)
    }
    ag = ag.with_columns(
        end=pl.col("id").replace_strict(soon, default=pl.col("end"), return_dtype=pl.Date),
    ).with_columns(end_with_options=pl.max_horizontal("end", "end_with_options"))
    return ag, pl.DataFrame(parties), pl.DataFrame(participants)


def generate(
    conn: sa.Connection,
    *,
    size: float = 1.0,
    seed: int = 2019,
    today: dt.date | None = None,
    username: str = "demo",
) -> dict[str, int]:
    """Replace all ledger data with demo data, inside the caller's transaction."""
    today = today or dt.date.today()
    end = last_full_quarter_end(today)
    rng = np.random.default_rng(seed)
    seed_reference(conn)
    for t in (
        schema.spend_rollup,
        schema.spend_cube,
        schema.ledger_line,
        schema.quarantine_row,
        schema.import_batch,
        schema.agreement_supplier,
        schema.agreement_municipality,
        schema.agreement,
        schema.supplier_alias,
        schema.supplier,
    ):
        conn.execute(t.delete())

    suppliers = make_suppliers(rng, size)
    lines = _scale_amounts(make_lines(rng, suppliers, end, size), size)
    ag, parties, participants = make_agreements(rng, suppliers, lines, end)

    # Suppliers in the database shape.
    sup_db = suppliers.select(
        id="supplier_id",
        key="key",
        identity_kind="identity_kind",
        orgnr="orgnr",
        name="name",
        register_name=pl.when(pl.col("orgnr").is_not_null()).then("name"),
        home_municipality="home",
        country="country",
        nace="nace",
        employees="employees",
        org_form="org_form",
        is_private="is_private",
        is_public="is_public",
    )
    bulk_insert(conn, schema.supplier, sup_db)
    bulk_insert(conn, schema.supplier_location, make_subunits(seed, suppliers))
    bulk_insert(conn, schema.agreement, ag.drop("art"))
    bulk_insert(conn, schema.agreement_supplier, parties)
    bulk_insert(conn, schema.agreement_municipality, participants)
    sync_id_sequences(conn, [schema.supplier, schema.agreement])

    batch_id = inserted_id(
        conn.execute(
            schema.import_batch.insert().values(
                file_name=f"demodata (seed {seed}, size {size})",
                file_hash=hashlib.sha256(f"demo:{seed}:{size}:{end}".encode()).hexdigest(),
                imported_by=username,
                imported_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                profile="demo",
                rows_read=lines.height,
                rows_stored=lines.height,
                rows_quarantined=0,
                rows_excluded=0,
                is_demo=True,
                report_json=json.dumps({"stored": lines.height}),
            )
        )
    )

    # Lines: identities, spend class, category and agreement through the shared steps.
    sup_attr = suppliers.select(
        "supplier_id", "key", "orgnr", "name", "supplier_no", "nace", "segment"
    )
    lines = lines.join(sup_attr, on="supplier_id", how="left").with_row_index("row")
    lines = with_spend_class(lines, art_classes())
    lines = classify(lines.rename({"key": "supplier_key"}), load_rules(conn), unclassified_id(conn))
    ag_parties, ag_participants = load_parties(conn)
    ag_frame = ag.select("id", "ref", "start", "end")
    # Some e-invoices (EHF) carry the agreement reference from 2021.
    lines = match_agreements(
        lines.with_columns(contract_ref=pl.lit(None, pl.String)),
        ag_frame,
        ag_parties,
        ag_participants,
    )
    refs = ag.select(pl.col("id").cast(pl.Int64).alias("agreement_id"), "ref")
    with_ref = (rng.random(lines.height) < 0.5) & (lines["date"].dt.year().to_numpy() >= 2021)
    lines = (
        lines.join(refs, on="agreement_id", how="left", maintain_order="left")
        .with_columns(contract_ref=pl.when(pl.Series(with_ref)).then(pl.col("ref")))
        .drop("ref")
    )
    n = lines.height
    inv_no = rng.integers(100000, 999999, n)
    out = lines.select(
        batch_id=pl.lit(batch_id),
        municipality_code="municipality_code",
        date="date",
        supplier_id="supplier_id",
        supplier_orgnr_raw="orgnr",
        supplier_name_raw="name",
        supplier_no="supplier_no",
        account=pl.col("art") + pl.lit("0"),
        art="art",
        function=pl.lit(None, pl.String),
        amount_ore="amount_ore",
        invoice_id=pl.Series([f"F{v}" for v in inv_no]),
        ehandel="ehandel",
        contract_ref="contract_ref",
        area="area",
        description=pl.when(pl.col("credit"))
        .then(pl.lit("Kreditnota"))
        .otherwise(pl.lit(None, pl.String)),
        spend_class="spend_class",
        category_id="category_id",
        category_rule="category_rule",
        agreement_id="agreement_id",
    ).with_columns(
        line_hash=pl.concat_str([pl.lit(f"demo{seed}:"), pl.int_range(pl.len()).cast(pl.String)]),
    )
    with bulk_load(conn, schema.ledger_line, out.height):  # PostgreSQL: constraints built once
        bulk_insert(conn, schema.ledger_line, out)
    cube_rows = rebuild_cube(conn)
    refresh_statistics(
        conn,
        (
            schema.ledger_line,
            schema.spend_cube,
            schema.spend_rollup,
            schema.supplier,
            schema.municipality,
        ),
    )
    bump_data_version(conn)
    audit(conn, username, "demo.generate", f"size={size} seed={seed} lines={n}")
    return {
        "lines": n,
        "suppliers": suppliers.height,
        "agreements": ag.height,
        "cube_rows": cube_rows,
    }
