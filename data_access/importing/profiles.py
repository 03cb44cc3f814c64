"""Mapping profiles: how one ERP's export maps onto the ledger fields (PRODUCT.md §3.1).

A profile is a small TOML document (shipped in ``profiles/`` or saved by staff in the
``mapping_profile`` table) naming, for each ledger field, the column headings it may appear under,
plus whatever cannot be detected reliably: encoding, delimiter, decimal mark, date format, a fixed
buyer municipality, and the values that mean "yes" in the e-handel / private flags. Everything
left out is detected. The built-in ``auto`` profile knows the usual Norwegian headings.

Example (``profiles/visma.toml``)::

    name = "visma"
    description = "Visma Enterprise økonomi, bilagsliste"
    encoding = "cp1252"
    delimiter = ";"
    decimal = ","
    date_format = "%d.%m.%Y"
    [columns]
    date = ["Bilagsdato"]
    amount = ["Beløp"]
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa

from data_access.importing.parsers import Decimal
from data_access.store import schema

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"

#: Ledger fields (PRODUCT.md §3.1) in display order, with their Norwegian labels.
FIELDS: dict[str, str] = {
    "municipality": "kommunenummer",
    "date": "dato",
    "supplier_orgnr": "organisasjonsnummer",
    "supplier_name": "leverandørnavn",
    "supplier_no": "leverandørnummer",
    "account": "konto",
    "function": "funksjon",
    "amount": "beløp",
    "debit": "debet",
    "credit": "kredit",
    "invoice_id": "fakturanummer",
    "ehandel": "e-handel",
    "contract_ref": "avtalereferanse",
    "area": "område",
    "description": "beskrivelse",
    "private": "privatperson",
}
#: Fields a file must have (amount may come as debit/credit; municipality may be fixed).
REQUIRED = ("date", "account")

DEFAULT_ALIASES: dict[str, list[str]] = {
    "municipality": [
        "kommunenummer",
        "kommunenr",
        "kommune nr",
        "kommune",
        "knr",
        "municipality",
        "firma",
        "klient",
        "client",
        "selskap",
    ],
    "date": [
        "dato",
        "bilagsdato",
        "fakturadato",
        "posteringsdato",
        "date",
        "invoice date",
        "voucher date",
        "bokføringsdato",
        "transaksjonsdato",
    ],
    "supplier_orgnr": [
        "orgnr",
        "org.nr",
        "org nr",
        "organisasjonsnummer",
        "leverandør orgnr",
        "org no",
        "org.no",
        "orgno",
        "organization number",
        "foretaksnr",
        "supplier_orgnr",
    ],
    "supplier_name": [
        "leverandør",
        "leverandørnavn",
        "leverandor",
        "navn",
        "supplier",
        "supplier name",
        "lev.navn",
        "reskontronavn",
        "supplier_name",
    ],
    "supplier_no": [
        "leverandørnr",
        "leverandørnummer",
        "lev.nr",
        "levnr",
        "lev nr",
        "supplier id",
        "supplier no",
        "reskontronr",
        "apar_id",
        "supplier_no",
    ],
    "account": ["konto", "art", "kontonr", "account", "artskonto", "kostnadsart"],
    "function": ["funksjon", "function", "funk"],
    "amount": [
        "beløp",
        "belop",
        "beløp eks mva",
        "beløp eks. mva",
        "netto",
        "amount",
        "nettobeløp",
        "sum eks mva",
    ],
    "debit": ["debet", "debit"],
    "credit": ["kredit", "credit"],
    "invoice_id": [
        "fakturanr",
        "fakturanummer",
        "bilagsnr",
        "bilagsnummer",
        "bilag",
        "invoice",
        "invoice no",
        "voucher no",
        "invoice_id",
    ],
    "ehandel": [
        "ehandel",
        "e-handel",
        "ehandelsordre",
        "ordrenr",
        "innkjøpsordre",
        "order no",
        "e-handel ordre",
    ],
    "contract_ref": [
        "avtale",
        "avtalereferanse",
        "avtalenr",
        "kontraktsreferanse",
        "contract",
        "contract_ref",
    ],
    "area": ["område", "drift/investering", "area", "regnskap"],
    "description": ["tekst", "beskrivelse", "description", "bilagstekst", "fakturatekst"],
    "private": ["privatperson", "privat", "private"],
}
TRUE_VALUES = ["j", "ja", "y", "yes", "x", "1", "true", "sann"]


@dataclass(frozen=True)
class Profile:
    """A parsed mapping profile; ``None`` means "detect"."""

    name: str = "auto"
    description: str = "Automatisk gjenkjenning av vanlige kolonnenavn"
    columns: dict[str, list[str]] = field(default_factory=lambda: dict(DEFAULT_ALIASES))
    encoding: str | None = None
    delimiter: str | None = None
    decimal: Decimal | None = None
    date_format: str | None = None
    municipality: str | None = None
    sheet: str | None = None
    true_values: list[str] = field(default_factory=lambda: list(TRUE_VALUES))
    investment_values: list[str] = field(default_factory=lambda: ["i", "inv", "investering"])

    def with_municipality(self, code: str | None) -> Profile:
        return self if not code else replace(self, municipality=code)


def parse_profile(text: str, *, name: str | None = None) -> Profile:
    """A profile from TOML text; unknown fields are an error (a typo must not pass silently)."""
    raw = tomllib.loads(text)
    cols = raw.get("columns", {})
    unknown = set(cols) - set(FIELDS)
    if unknown:
        raise ValueError(f"ukjente felt i profilen: {', '.join(sorted(unknown))}")
    columns = {k: ([v] if isinstance(v, str) else list(v)) for k, v in cols.items()}
    if raw.get("extend_defaults", True):
        columns = {k: columns.get(k, []) + DEFAULT_ALIASES.get(k, []) for k in FIELDS}
    values = raw.get("values", {})
    decimal = raw.get("decimal")
    if decimal not in (None, ",", "."):
        raise ValueError('decimal må være "," eller "."')
    return Profile(
        name=name or raw.get("name", "profil"),
        description=raw.get("description", ""),
        columns=columns,
        encoding=raw.get("encoding"),
        delimiter=raw.get("delimiter"),
        decimal=decimal,
        date_format=raw.get("date_format"),
        municipality=str(raw["municipality"]) if raw.get("municipality") else None,
        sheet=raw.get("sheet"),
        true_values=[v.lower() for v in values.get("true", TRUE_VALUES)],
        investment_values=[
            v.lower() for v in values.get("investment", ["i", "inv", "investering"])
        ],
    )


def shipped_profiles() -> dict[str, str]:
    """Name → TOML text of the profiles shipped with the program."""
    return {p.stem: p.read_text("utf-8") for p in sorted(PROFILE_DIR.glob("*.toml"))}


def saved_profiles(conn: sa.Connection) -> dict[str, str]:
    t = schema.mapping_profile
    return dict(conn.execute(sa.select(t.c.name, t.c.definition_toml).order_by(t.c.name)).all())


def profile_names(conn: sa.Connection | None = None) -> list[str]:
    """'auto', the shipped profiles, then the saved ones (a saved one overrides a shipped one)."""
    names = ["auto", *shipped_profiles()]
    if conn is not None:
        names += [n for n in saved_profiles(conn) if n not in names]
    return names


def load_profile(name: str | None, conn: sa.Connection | None = None) -> Profile:
    """Resolve a profile by name (database first, then shipped) or a path to a TOML file."""
    if not name or name == "auto":
        return Profile()
    if conn is not None:
        saved = saved_profiles(conn)
        if name in saved:
            return parse_profile(saved[name], name=name)
    shipped = shipped_profiles()
    if name in shipped:
        return parse_profile(shipped[name], name=name)
    path = Path(name)
    if path.suffix == ".toml" and path.exists():
        return parse_profile(path.read_text("utf-8"), name=path.stem)
    raise LookupError(f"ukjent importprofil «{name}» (finnes: {', '.join(profile_names(conn))})")


def save_profile(conn: sa.Connection, name: str, definition_toml: str) -> Profile:
    """Validate and store a profile in the database (staff edit profiles in the app)."""
    profile = parse_profile(definition_toml, name=name)
    t = schema.mapping_profile
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if (
        conn.execute(
            t.update()
            .where(t.c.name == name)
            .values(definition_toml=definition_toml, updated_at=now)
        ).rowcount
        == 0
    ):
        conn.execute(t.insert().values(name=name, definition_toml=definition_toml, updated_at=now))
    return profile


def _norm_heading(text: str) -> str:
    return " ".join(str(text).strip().strip('"').lower().replace("_", " ").split())


def match_columns(headings: list[str], profile: Profile) -> dict[str, str]:
    """Field → the file's column for it. Earlier aliases win; each column is used once."""
    by_norm: dict[str, str] = {}
    for h in headings:
        by_norm.setdefault(_norm_heading(h), h)
    used: set[str] = set()
    mapping: dict[str, str] = {}
    for fld in FIELDS:
        for alias in profile.columns.get(fld, []):
            col = by_norm.get(_norm_heading(alias))
            if col is not None and col not in used:
                mapping[fld] = col
                used.add(col)
                break
    return mapping


def heading_score(cells: list[str], profile: Profile) -> int:
    """How many cells of a line look like headings this profile knows (for header detection)."""
    return len(match_columns(cells, profile))
