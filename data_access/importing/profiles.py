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

from data_access.importing.layouts import Layout, layout_from_settings
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
        "betalt dato",
        "betalingsdato",
        "utbetalingsdato",
        "payment date",
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
        "mottaker",
        "betalingsmottaker",
        "kreditor",
        "kreditornavn",
        "vendor",
        "vendor name",
        "payee",
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
        "kreditornr",
        "vendor id",
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
FALSE_VALUES = ["", "0", "n", "nei", "no", "false", "usann", "-"]
INVESTMENT_VALUES = ["i", "inv", "investering", "investment"]
DRIFT_VALUES = ["d", "drift", "operations"]
#: A fixed true/false flag is written into the text column as one of these tokens, which every
#: flag reading recognises whatever the profile's ``[values]`` say.
FIXED_TRUE, FIXED_FALSE = "\x01ja", "\x01nei"
#: Fields that may be fixed (``[fixed]``): everything a file may lack but a row needs or can have.
FIXABLE = tuple(f for f in FIELDS if f not in ("debit", "credit", "amount", "date"))


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
    investment_values: list[str] = field(default_factory=lambda: list(INVESTMENT_VALUES))
    #: Per-field words (``[values.private]``, ``[values.ehandel]``, ``[values.area]``); None =
    #: the global ``true``/``false`` lists. ``explicit_private``: the profile listed the words
    #: that mean "private", so any other value means "not private".
    false_values: list[str] = field(default_factory=lambda: list(FALSE_VALUES))
    private_true: list[str] | None = None
    private_false: list[str] | None = None
    ehandel_true: list[str] | None = None
    ehandel_false: list[str] | None = None
    drift_values: list[str] = field(default_factory=lambda: list(DRIFT_VALUES))
    explicit_private: bool = False
    #: Names or supplier numbers that are collective posts in this ERP (pseudo-suppliers).
    pseudo_values: list[str] = field(default_factory=list)
    #: Account layout stated by the profile (None: proposed from the file).
    layout: Layout | None = None
    #: Field → value for every row (``[fixed]``); booleans as FIXED_TRUE / FIXED_FALSE.
    fixed: dict[str, str] = field(default_factory=dict)

    def with_municipality(self, code: str | None) -> Profile:
        return self if not code else replace(self, municipality=code)

    def with_fixed(self, values: dict[str, object] | None) -> Profile:
        """This profile with more fixed values (from the import page or the command line)."""
        if not values:
            return self
        return replace(self, fixed={**self.fixed, **parse_fixed(values)})

    def flag_words(self, fld: str) -> tuple[list[str], list[str]]:
        """(true words, false words) for a flag field (``private`` or ``ehandel``)."""
        t = self.private_true if fld == "private" else self.ehandel_true
        f = self.private_false if fld == "private" else self.ehandel_false
        return (
            [*(t if t is not None else self.true_values), FIXED_TRUE],
            [*(f if f is not None else self.false_values), FIXED_FALSE],
        )


def parse_fixed(raw: dict[str, object]) -> dict[str, str]:
    """``[fixed]`` values as text for the ledger fields; a typo or a wrong value is an error.

    >>> parse_fixed({"account": 270, "area": "Drift", "ehandel": False})["area"]
    'drift'

    """
    out: dict[str, str] = {}
    for key, value in raw.items():
        if key not in FIXABLE:
            raise ValueError(f"ukjent felt i [fixed]: {key} (mulige: {', '.join(FIXABLE)})")
        if value is None or value == "":
            continue
        if key in ("ehandel", "private"):
            if isinstance(value, bool):
                out[key] = FIXED_TRUE if value else FIXED_FALSE
            elif str(value).strip().lower() in TRUE_VALUES:
                out[key] = FIXED_TRUE
            elif str(value).strip().lower() in FALSE_VALUES:
                out[key] = FIXED_FALSE
            else:
                raise ValueError(f"[fixed] {key} må være true eller false, ikke «{value}»")
        elif key == "area":
            v = str(value).strip().lower()
            if v not in ("drift", "investering"):
                raise ValueError(
                    f'[fixed] area må være "drift" eller "investering", ikke «{value}»'
                )
            out[key] = v
        else:
            out[key] = str(value).strip()
    return out


def _words(values: object, what: str) -> list[str]:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        raise ValueError(f"[values] {what} må være en liste med ord")
    return [str(v).strip().lower() for v in values]


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
    known_values = {"true", "false", "investment", "drift", "pseudo", "private", "ehandel", "area"}
    unknown_values = set(values) - known_values
    if unknown_values:
        raise ValueError(f"ukjente nøkler i [values]: {', '.join(sorted(unknown_values))}")
    per: dict[str, dict[str, object]] = {}
    for fld in ("private", "ehandel", "area"):
        sub = values.get(fld, {})
        if not isinstance(sub, dict):
            raise ValueError(f'[values.{fld}] må være en tabell, f.eks. true = ["J"]')
        per[fld] = sub
    true_words = _words(values["true"], "true") if "true" in values else list(TRUE_VALUES)
    false_words = _words(values["false"], "false") if "false" in values else list(FALSE_VALUES)
    priv, eh, area = per["private"], per["ehandel"], per["area"]
    inv = area.get("investment", area.get("investering", values.get("investment")))
    drift = area.get("drift", values.get("drift"))
    layout = layout_from_settings(
        raw.get("account_layout"),
        raw.get("art_digits"),
        raw.get("class_digit"),
        raw.get("account_pattern"),
    )
    fixed_raw = raw.get("fixed", {})
    if not isinstance(fixed_raw, dict):
        raise ValueError("[fixed] må være en tabell")
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
        true_values=true_words,
        false_values=false_words,
        investment_values=_words(inv, "investment") if inv is not None else list(INVESTMENT_VALUES),
        drift_values=_words(drift, "drift") if drift is not None else list(DRIFT_VALUES),
        private_true=_words(priv["true"], "private.true") if "true" in priv else None,
        private_false=_words(priv["false"], "private.false") if "false" in priv else None,
        ehandel_true=_words(eh["true"], "ehandel.true") if "true" in eh else None,
        ehandel_false=_words(eh["false"], "ehandel.false") if "false" in eh else None,
        explicit_private="true" in priv or "true" in values,
        pseudo_values=[str(v).strip() for v in values.get("pseudo", [])],
        layout=layout,
        fixed=parse_fixed(fixed_raw),
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
