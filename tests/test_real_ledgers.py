"""Real ledgers (issue 10): account layouts, every supplier counted, private persons without
collateral damage, profile values and fixed values, clear CLI words.

Expected arts, spend classes and areas are written by hand per row from the KOSTRA tables (not
computed by the importer's code); concentration figures are computed independently here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from cli import main
from data_access.admin.private_review import release, suspected
from data_access.importing import import_file, parse_profile
from data_access.importing.layouts import LAYOUTS
from data_access.importing.reclassify import reread_accounts
from data_access.importing.validate import is_person_name
from data_access.metrics import concentration as conc
from data_access.store import schema
from data_access.store.cube import load_cube
from data_access.store.db import make_engine
from data_access.store.filters import Filters
from data_access.store.scope import Scope
from tests.import_helpers import fresh_engine, pg_reference_engine, template_db

HEAD = "Kommunenr;Dato;Leverandør;Konto;Beløp;Fakturanr"
YEAR = 2024


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template_db(tmp_path_factory.mktemp("tpl10"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, template: Path, tmp_path: Path) -> Iterator[sa.Engine]:
    """A database with reference data only, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        eng = fresh_engine(template, tmp_path)
        yield eng
        eng.dispose()
        return
    with pg_reference_engine("innsikt_ledgers") as eng:
        yield eng


@pytest.fixture()
def eng(template: Path, tmp_path: Path) -> Iterator[sa.Engine]:
    e = fresh_engine(template, tmp_path)
    yield e
    e.dispose()


def _file(rows: list[tuple[str, ...]], head: str = HEAD) -> bytes:
    return ("\n".join([head, *(";".join(r) for r in rows)]) + "\n").encode()


def _stored(engine: sa.Engine) -> dict[str, tuple[str, str, str]]:
    lt = schema.ledger_line
    with engine.connect() as c:
        rows = c.execute(sa.select(lt.c.invoice_id, lt.c.art, lt.c.spend_class, lt.c.area)).all()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _counts_add_up(r) -> None:  # type: ignore[no-untyped-def]
    assert r.error is None, r.error
    assert r.rows_stored + r.rows_quarantined + r.rows_excluded == r.rows_read


# --- 1. account layouts -------------------------------------------------------------------------

# (case, profile TOML or "", [(account, area cell or "", expected art, class, area) …], layout)
# class "excluded" rows are excluded by rule (not stored); the rest are stored as written.
LAYOUT_CASES = [
    (
        "art alone",
        "",
        [
            ("115", "", "115", "purchase", "drift"),
            ("270", "", "270", "purchase", "drift"),
            ("010", "", "010", "excluded", None),
            ("429", "", "429", "excluded", None),
        ],
        "art",
    ),
    (
        "art + sub-account, 4 and 5 digits",
        "",
        [
            ("1150", "", "115", "purchase", "drift"),
            ("27010", "", "270", "purchase", "drift"),
            ("3500", "", "350", "intra_public", "drift"),
            ("01000", "", "010", "excluded", None),
            ("23010", "inv", "230", "purchase", "investering"),
        ],
        "art",
    ),
    (
        "kontoklasse-prefixed, 5 digits, with wages and investment class 0",
        "",
        [
            ("10100", "", "010", "excluded", None),  # fastlønn, not kontormateriell 101
            ("11500", "", "150", "purchase", "drift"),
            ("12700", "", "270", "purchase", "drift"),
            ("02700", "", "270", "purchase", "investering"),
            ("13500", "", "350", "intra_public", "drift"),
            ("02300", "drift", "230", "purchase", "drift"),  # an area column wins
        ],
        "kontoklasse",
    ),
    (
        "kontoklasse-prefixed, 6 digits",
        "",
        [
            ("101000", "", "010", "excluded", None),
            ("115001", "", "150", "purchase", "drift"),
            ("127010", "", "270", "purchase", "drift"),
            ("027000", "", "270", "purchase", "investering"),
        ],
        "kontoklasse",
    ),
    (
        "prefix digit + kontoklasse, 6 digits (proposed from the file)",
        "",
        [
            ("110100", "", "010", "excluded", None),
            ("111500", "", "150", "purchase", "drift"),
            ("102700", "", "270", "purchase", "investering"),
        ],
        "prefiks+kontoklasse",
    ),
    (
        "art_digits stated by the profile",
        'art_digits = "2-4"\nclass_digit = 1\n',
        [
            ("11500", "", "150", "purchase", "drift"),
            ("02700", "", "270", "purchase", "investering"),
        ],
        "siffer 2-4",
    ),
    (
        "named layout stated although the file alone would not tell",
        'account_layout = "kontoklasse"\n',
        [
            ("11500", "", "150", "purchase", "drift"),
            ("12000", "", "200", "purchase", "drift"),
        ],
        "kontoklasse",
    ),
    (
        "pattern stated by the profile",
        'account_pattern = "^K(?P<klasse>[01])-(?P<art>\\\\d{3})"\n',
        [
            ("K1-150", "", "150", "purchase", "drift"),
            ("K0-270", "", "270", "purchase", "investering"),
            ("K1-010", "", "010", "excluded", None),
        ],
        "mønster",
    ),
]


@pytest.mark.parametrize("case", LAYOUT_CASES, ids=[c[0] for c in LAYOUT_CASES])
def test_layout_corpus(db: sa.Engine, case) -> None:  # type: ignore[no-untyped-def]
    name, toml, rows, layout = case
    head = HEAD + ";Område"
    data = _file(
        [
            ("5038", "15.03.2024", "Verdal Rør AS", acc, "1000,00", f"F{i}", area)
            for i, (acc, area, *_e) in enumerate(rows)
        ],
        head,
    )
    profile = parse_profile(toml, name="t") if toml else None
    r = import_file(db, data, filename=f"{name}.csv", username="t", profile=profile)
    _counts_add_up(r)
    assert r.layout["navn"] == layout
    assert r.layout["kilde"] == ("profil" if toml else "foreslått fra filen")
    assert 1 <= len(r.layout["eksempler"]) <= 3
    stored = _stored(db)
    for i, (_acc, _area, art, cls, area) in enumerate(rows):
        if cls == "excluded":
            assert f"F{i}" not in stored
        else:
            assert stored[f"F{i}"] == (art, cls, area), (name, i)
    assert r.rows_excluded == sum(1 for row in rows if row[3] == "excluded")
    assert r.rows_stored == len(rows) - r.rows_excluded


def test_layout_report_names_wages_in_cli_words(eng: sa.Engine) -> None:
    data = _file(
        [
            ("5038", "15.03.2024", "Verdal Rør AS", "10100", "500,00", "A"),
            ("5038", "15.03.2024", "Verdal Rør AS", "11500", "500,00", "B"),
            ("5038", "15.03.2024", "Verdal Rør AS", "12700", "500,00", "C"),
        ]
    )
    r = import_file(eng, data, filename="k.csv", username="t")
    text = "\n".join(r.details())
    assert "Kontooppsett: kontoklasse + art + underkonto (5–6 siffer) (foreslått fra filen)" in text
    assert "konto 10100 → art 010 → ikke innkjøp (utelatt), drift" in text
    assert "konto 11500 → art 150 → innkjøp, drift" in text
    assert "Utelatt som ikke innkjøp (lønn, overføringer o.l.): 1 rader" in text


@pytest.mark.parametrize(
    "accounts",
    [
        ["10100", "11500", "2700", "115"],  # class-prefixed wages beside art+sub and art alone
        ["01000", "10100", "270"],
    ],
)
def test_accounts_that_fit_no_layout_refuse_the_file_with_examples(
    eng: sa.Engine, accounts: list[str]
) -> None:
    data = _file(
        [("5038", "15.03.2024", "X AS", a, "1,00", f"F{i}") for i, a in enumerate(accounts)]
    )
    r = import_file(eng, data, filename="mixed.csv", username="t")
    assert r.error is not None and "passer ikke ett kontooppsett" in r.error
    assert "10100" in r.error and ("2700" in r.error or "270" in r.error)
    assert _stored(eng) == {}


def test_account_not_fitting_a_stated_layout_is_quarantined(eng: sa.Engine) -> None:
    data = _file(
        [
            ("5038", "15.03.2024", "X AS", "11500", "1,00", "A"),
            ("5038", "15.03.2024", "X AS", "2700", "1,00", "B"),
        ]
    )
    r = import_file(
        eng,
        data,
        filename="s.csv",
        username="t",
        profile=parse_profile('account_layout = "kontoklasse"', name="k"),
    )
    _counts_add_up(r)
    assert (r.rows_stored, r.rows_quarantined) == (1, 1)
    assert r.examples["konto_ugyldig"][0]["melding"] == (
        "konto «2700» passer ikke kontooppsettet «kontoklasse + art + underkonto (5–6 siffer)»"
    )


def test_rereading_the_art_after_a_layout_change_equals_a_fresh_import(
    template: Path, tmp_path: Path
) -> None:
    rows = [
        ("5038", "10.01.2024", "Verdal Rør AS", "10100", "40000,00", "W1"),  # wages
        ("5038", "11.01.2024", "Verdal Rør AS", "11500", "1200,00", "P1"),
        ("5037", "12.02.2024", "Levanger Bygg AS", "12700", "5300,50", "P2"),
        ("5037", "12.02.2024", "Levanger Bygg AS", "13500", "800,00", "P3"),
        ("5038", "13.03.2024", "Kontorland AS", "11000", "-150,00", "P4"),
    ]
    data = _file(rows)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    wrong, fresh = fresh_engine(template, tmp_path / "a"), fresh_engine(template, tmp_path / "b")
    r1 = import_file(
        wrong,
        data,
        filename="x.csv",
        username="t",
        profile=parse_profile('account_layout = "art"', name="feil"),
    )
    assert r1.rows_stored == 5  # read the wrong way, wages became kontormateriell 101
    r2 = import_file(fresh, data, filename="x.csv", username="t")
    assert r2.layout["navn"] == "kontoklasse" and r2.rows_excluded == 1
    with wrong.begin() as c:
        out = reread_accounts(c, LAYOUTS["kontoklasse"], username="t")
    assert out == {"lines": 5, "changed": 5}
    a, b = _stored(wrong), _stored(fresh)
    assert a.pop("W1") == ("010", "excluded", "drift")  # kept, but no longer spend
    assert a == b
    lt = schema.ledger_line
    cols = (lt.c.invoice_id, lt.c.category_id, lt.c.category_rule)
    with wrong.connect() as c1, fresh.connect() as c2:
        cat_a = {r[0]: r[1:] for r in c1.execute(sa.select(*cols)).all() if r[0] != "W1"}
        cat_b = {r[0]: r[1:] for r in c2.execute(sa.select(*cols)).all()}
    assert cat_a == cat_b
    f = Filters.year(YEAR)
    ca, cb = load_cube(wrong, Scope.everything()), load_cube(fresh, Scope.everything())
    buy = lambda cube: (  # noqa: E731
        cube.filter(pl.col("spend_class") == "purchase")
        .group_by("category_id", "area")
        .agg(pl.col("amount_ore").sum())
        .sort("category_id", "area")
    )
    assert buy(ca).equals(buy(cb))
    assert conc.overall(conc.shares(ca.filter(pl.col("spend_class") == "purchase"))) == (
        conc.overall(conc.shares(cb.filter(pl.col("spend_class") == "purchase")))
    )
    assert f.start.year == YEAR


# --- 2. every supplier counted --------------------------------------------------------------------

NAMES_ONLY = [
    # (supplier as written, canonical supplier for the independent computation, NOK)
    ("Verdal Rør AS", "verdal rør", 50_000.00),
    ("VERDAL RØR A/S", "verdal rør", 10_000.00),  # another spelling, same supplier
    ("Acme Limited", "acme", 30_000.00),
    ("Springfield High School", "springfield", 12_500.00),
    ("Leeds City Council", "leeds", 8_000.00),
    ("Göteborgs Kommun", "göteborg", 6_000.00),
    ("Jens Hansen ApS", "jens hansen", 4_000.00),
    ("Nordisk Kontor Oy", "nordisk", 2_500.00),
    ("Nordisk Kontor Oy", "nordisk", -500.00),  # credit note, netted
    ("Ørin Barneskole", "ørin", 1_200.00),
    ("Kreditert Firma AS", "kreditert", -300.00),  # net negative: apart
    ("Diverse leverandører", None, 9_999.00),  # pseudo-supplier: apart
    ("Engangsleverandør", None, 1_111.00),  # pseudo-supplier: apart
    ("Kari Nordmann", None, 777.00),  # person-like name: private, apart
]


def _independent(rows: list[tuple[str, str | None, float]]) -> dict[str, object]:
    totals: dict[str, float] = {}
    for _name, key, nok in rows:
        if key is not None:
            totals[key] = totals.get(key, 0.0) + nok
    pos = sorted((v for v in totals.values() if v > 0), reverse=True)
    total = sum(pos)
    shares = [v / total for v in pos]
    cum, classes = 0.0, []
    for i, s in enumerate(shares):
        cum += s
        classes.append("A" if i == 0 or cum <= 0.80 + 1e-9 else "B" if cum <= 0.95 + 1e-9 else "C")
    return {
        "hhi": sum((100 * s) ** 2 for s in shares),
        "cr5": sum(shares[:5]),
        "cr1": shares[0],
        "n": len(pos),
        "abc": {c: classes.count(c) for c in "ABC"},
    }


def test_names_only_file_counts_every_supplier(db: sa.Engine) -> None:
    data = _file(
        [
            ("5038", "15.04.2024", name, "12700", f"{nok:.2f}".replace(".", ","), f"N{i}")
            for i, (name, _k, nok) in enumerate(NAMES_ONLY)
        ]
    )
    r = import_file(db, data, filename="names.csv", username="t")
    _counts_add_up(r)
    assert r.rows_stored == len(NAMES_ONLY)
    cube = load_cube(db, Scope.everything())
    f = Filters.year(YEAR)
    table = conc.suppliers(cube, f)
    got = conc.overall(table)
    want = _independent(NAMES_ONLY)
    assert got["hhi"] == pytest.approx(want["hhi"], rel=1e-12)
    assert got["cr5"] == pytest.approx(want["cr5"], rel=1e-12)
    assert got["cr1"] == pytest.approx(want["cr1"], rel=1e-12)
    assert got["n_suppliers"] == want["n"] == 8
    abc = dict(conc.classes(table).select("abc", "n_suppliers").iter_rows())
    assert abc == want["abc"]
    ex = {
        k: (a, n)
        for k, a, n in conc.excluded(cube.filter(pl.col("spend_class") == "purchase"))
        .select("kind", "amount", "n_suppliers")
        .iter_rows()
    }
    assert ex == {
        "negative": (pytest.approx(-300.0), 1),
        "private": (pytest.approx(777.0), 1),
        "pseudo": (pytest.approx(9_999.0 + 1_111.0), 2),
    }


def test_profile_pseudo_values_hold_a_supplier_number_apart(eng: sa.Engine) -> None:
    head = "Kommunenr;Dato;Leverandør;Leverandørnr;Konto;Beløp;Fakturanr"
    data = _file(
        [
            ("5038", "15.04.2024", "Samlekreditor", "99999", "12700", "5000,00", "A"),
            ("5038", "15.04.2024", "Verdal Rør AS", "100", "12700", "1000,00", "B"),
        ],
        head,
    )
    r = import_file(
        eng,
        data,
        filename="p.csv",
        username="t",
        profile=parse_profile('[values]\npseudo = ["99999"]', name="p"),
    )
    assert r.pseudo_lines == 1
    table = conc.suppliers(load_cube(eng, Scope.everything()), Filters.year(YEAR))
    assert table["supplier_name"].to_list() == ["Verdal Rør AS"]


# --- 3. private persons without collateral damage ----------------------------------------------

ORGANISATIONS = [
    # Norwegian
    "Verdal Idrettslag",
    "Ørin Barneskole",
    "Steinkjer Kommune",
    "Trøndelag Fylkeskommune",
    "Innherred Renovasjon IKS",
    "Levanger Sanitetsforening",
    "Stiftelsen Kirkens Bymisjon",
    "Inderøy Skolekorps",
    "Fjellheim Borettslag",
    "Snåsa Bondelag",
    # Swedish
    "Stockholms Stad",
    "Göteborgs Kommun",
    "Svenska Kyrkan",
    "Jönköpings Läns Landsting",
    "Anders Svensson Handelsbolag HB",
    "Byggtjänst Norr AB",
    # Danish
    "Jens Hansen ApS",
    "Aarhus Kommune",
    "Dansk Røde Kors Forening",
    "Odense Boldklub",
    # Finnish
    "Nordisk Kontor Oy",
    "Helsingin Kaupunki",
    # English
    "Springfield High School",
    "Leeds City Council",
    "Acme Limited",
    "Greenway CIC",
    "Smith & Sons",
    "Oxford University Press",
    "Royal Marsden NHS Foundation Trust",
    "St Mary Church",
    "Brown Partners LLP",
    "Green Valley Academy",
]


@pytest.mark.parametrize("name", ORGANISATIONS)
def test_organisation_names_are_never_suspected(name: str) -> None:
    assert not pl.DataFrame({"n": [name]}).select(is_person_name(pl.col("n"))).item()


def test_organisations_keep_their_names_on_import(eng: sa.Engine) -> None:
    data = _file(
        [("5038", "15.04.2024", n, "12700", "100,00", f"O{i}") for i, n in enumerate(ORGANISATIONS)]
    )
    r = import_file(eng, data, filename="org.csv", username="t")
    _counts_add_up(r)
    assert r.private_lines == {}
    cube = load_cube(eng, Scope.everything())
    assert not cube["is_private"].any()
    assert len(set(cube["supplier_name"].to_list())) == len(ORGANISATIONS)


def test_person_like_name_masked_released_by_admin_then_shown(eng: sa.Engine) -> None:
    head = "Kommunenr;Dato;Orgnr;Leverandør;Konto;Beløp;Fakturanr;Privat"
    data = _file(
        [
            ("5038", "15.04.2024", "", "Kari Nordmann", "12700", "1000,00", "S1", ""),
            ("5038", "15.04.2024", "", "Ola Flagget", "12700", "200,00", "S2", "J"),
            ("5038", "15.04.2024", "01017012345", "Per Persen", "12700", "300,00", "S3", ""),
        ],
        head,
    )
    r = import_file(eng, data, filename="pers.csv", username="t")
    _counts_add_up(r)
    assert r.private_lines == {"mistanke": 1, "flagg": 1, "fnr": 1}
    assert r.private_suspected_suppliers == 1
    assert "Kari" not in r.to_json()
    cube = load_cube(eng, Scope.everything())
    assert set(cube["supplier_name"].to_list()) == {"Privatperson"}
    admin = Scope(role="admin", username="boss")
    with pytest.raises(PermissionError), eng.connect() as c:
        suspected(c, Scope(role="analyst"))
    with eng.connect() as c:
        table = suspected(c, admin)
    # only the suspicion is held by name; a flag and an identity number are never held
    assert table.select("name", "status", "n_lines").rows() == [("Kari Nordmann", "skjult", 1)]
    sid = int(table["supplier_id"][0])
    with eng.begin() as c:
        assert release(c, sid, admin, "boss") == "Kari Nordmann"
    cube = load_cube(eng, Scope.everything())
    shown = cube.filter(pl.col("supplier_id") == sid).row(0, named=True)
    assert (shown["supplier_name"], shown["is_private"]) == ("Kari Nordmann", False)
    assert cube.filter(pl.col("is_private"))["supplier_name"].unique().to_list() == ["Privatperson"]
    # the next file with the same name stays released; the flagged one cannot be released
    r2 = import_file(
        eng,
        _file([("5038", "16.04.2024", "", "Kari Nordmann", "12700", "50,00", "S4", "")], head),
        filename="pers2.csv",
        username="t",
    )
    assert r2.rows_stored == 1 and r2.private_lines == {}
    with eng.connect() as c:
        names = dict(
            c.execute(
                sa.select(schema.ledger_line.c.invoice_id, schema.ledger_line.c.supplier_name_raw)
            ).all()
        )
        flagged = c.execute(
            sa.select(schema.supplier.c.id).where(schema.supplier.c.key == "privat:5038")
        ).scalar()
    assert names["S4"] == "Kari Nordmann" and names["S2"] == "Privatperson"
    with pytest.raises(ValueError), eng.begin() as c:
        release(c, int(flagged), admin, "boss")


# --- 4. [values] and [fixed] for each field -----------------------------------------------------

VALUES_HEAD = "Kommunenr;Dato;Leverandør;Konto;Beløp;Fakturanr;Privat;Ehandel;Område"


def _flags(engine: sa.Engine) -> dict[str, tuple[bool, bool, str]]:
    lt, s = schema.ledger_line, schema.supplier
    with engine.connect() as c:
        rows = c.execute(
            sa.select(lt.c.invoice_id, s.c.is_private, lt.c.ehandel, lt.c.area).join(
                s, s.c.id == lt.c.supplier_id
            )
        ).all()
    return {r[0]: (bool(r[1]), bool(r[2]), r[3]) for r in rows}


def test_profile_values_for_private_ehandel_and_area(db: sa.Engine) -> None:
    toml = """
[values.private]
true = ["P"]
[values.ehandel]
true = ["E"]
false = ["U", "-"]
[values.area]
investment = ["INV-X"]
drift = ["DR"]
"""
    data = _file(
        [
            ("5038", "15.04.2024", "Snekker Berg AS", "12700", "1,00", "V1", "P", "E", "INV-X"),
            ("5038", "15.04.2024", "Snekker Berg AS", "12700", "2,00", "V2", "N", "U", "DR"),
            ("5038", "15.04.2024", "Verdal Rør AS", "12700", "3,00", "V3", "ja", "ORD-77", ""),
            ("5038", "15.04.2024", "Verdal Rør AS", "12700", "4,00", "V4", "", "-", "drift"),
        ],
        VALUES_HEAD,
    )
    r = import_file(db, data, filename="v.csv", username="t", profile=parse_profile(toml))
    _counts_add_up(r)
    assert _flags(db) == {
        "V1": (True, True, "investering"),
        "V2": (False, False, "drift"),
        # "ja" is not this profile's word for private: the profile listed its own
        "V3": (False, True, "drift"),  # an order reference means e-handel
        "V4": (False, False, "drift"),
    }


def test_global_values_true_applies_to_the_private_flag(eng: sa.Engine) -> None:
    data = _file(
        [
            ("5038", "15.04.2024", "Snekker Berg AS", "12700", "1,00", "G1", "Y", "", ""),
            ("5038", "15.04.2024", "Verdal Rør AS", "12700", "1,00", "G2", "N", "Y", ""),
        ],
        VALUES_HEAD,
    )
    r = import_file(
        eng,
        data,
        filename="g.csv",
        username="t",
        profile=parse_profile('[values]\ntrue = ["Y"]', name="g"),
    )
    _counts_add_up(r)
    assert _flags(eng) == {"G1": (True, False, "drift"), "G2": (False, True, "drift")}


def test_fixed_values_from_profile_and_from_the_import_call(db: sa.Engine) -> None:
    # a supplier-payment export without account, area or e-handel columns
    head = "Kommunenr;Dato;Leverandør;Beløp;Fakturanr"
    data = _file(
        [
            ("5038", "15.04.2024", "Verdal Rør AS", "1000,00", "X1"),
            ("5038", "15.04.2024", "Kari Nordmann", "50,00", "X2"),
        ],
        head,
    )
    toml = '[fixed]\naccount = "270"\narea = "investering"\nehandel = true\nprivate = false\n'
    r = import_file(db, data, filename="fix.csv", username="t", profile=parse_profile(toml))
    _counts_add_up(r)
    assert set(r.fixed) == {"account", "area", "ehandel", "private"}
    assert (
        "Faste verdier: konto = 270, område = investering, e-handel = ja, privatperson = nei"
        in (r.details())
    )
    assert _stored(db) == {
        "X1": ("270", "purchase", "investering"),
        "X2": ("270", "purchase", "investering"),
    }
    assert _flags(db) == {"X1": (False, True, "investering"), "X2": (False, True, "investering")}
    # the same through the call (import page / --fixed), other values
    data2 = _file([("5038", "16.04.2024", "Verdal Rør AS", "10,00", "X3")], head)
    r2 = import_file(
        db,
        data2,
        filename="fix2.csv",
        username="t",
        fixed={"account": "115", "area": "drift", "ehandel": False, "private": True},
    )
    _counts_add_up(r2)
    assert _stored(db)["X3"] == ("115", "purchase", "drift")
    assert _flags(db)["X3"] == (True, False, "drift")


def test_file_without_account_and_no_fixed_value_is_refused(eng: sa.Engine) -> None:
    data = _file(
        [("5038", "15.04.2024", "Verdal Rør AS", "1000,00", "X1")],
        "Kommunenr;Dato;Leverandør;Beløp;Fakturanr",
    )
    r = import_file(eng, data, filename="nofix.csv", username="t")
    assert r.error is not None and "konto" in r.error


def test_bad_fixed_and_values_in_a_profile_are_errors() -> None:
    with pytest.raises(ValueError, match="ukjent felt i \\[fixed\\]"):
        parse_profile('[fixed]\nkonto = "270"')
    with pytest.raises(ValueError, match="area"):
        parse_profile('[fixed]\narea = "begge"')
    with pytest.raises(ValueError, match="art_digits"):
        parse_profile('art_digits = "2-3"')
    with pytest.raises(ValueError, match="kontooppsett"):
        parse_profile('account_layout = "ukjent"')


# --- 5. CLI words -----------------------------------------------------------------------------


def test_cli_period_errors_and_member_without_data(
    eng: sa.Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    url = eng.url.render_as_string(hide_password=False)
    import_file(
        eng,
        _file([("5038", "15.04.2024", "Verdal Rør AS", "12700", "10,00", "C1")]),
        filename="c.csv",
        username="t",
    )
    assert main(["--database-url", url, "figures", "--period", "foo"]) == 2
    err = capsys.readouterr().err
    assert "perioden «foo» kan ikke tolkes" in err and "2025-K3" in err and "2024-01_2025-06" in err
    assert main(["--database-url", url, "figures", "--year", "2024", "--municipality", "5037"]) == 1
    assert "ingen data for Levanger (5037) i perioden 2024" in capsys.readouterr().err
    assert main(["--database-url", url, "figures", "--year", "2024", "--municipality", "5099"]) == 1
    assert "ukjent kommunenummer 5099" in capsys.readouterr().err
    assert main(["--database-url", url, "figures", "--year", "2024", "--json"]) == 0
    assert dt.date.today().year >= YEAR


def test_corrected_quarantine_rows_are_read_with_their_files_layout(eng: sa.Engine) -> None:
    """A corrected row alone (``10100``) says nothing about the layout: its file's is used."""
    from data_access.importing.quarantine import quarantine_rows, reimport_quarantine

    data = _file(
        [
            ("5038", "15.03.2024", "Verdal Rør AS", "11500", "500,00", "A"),
            ("5038", "15.03.2024", "Verdal Rør AS", "12700", "500,00", "B"),
            ("5038", "15.03.2024", "Verdal Rør AS", "10100", "500,00", "C"),
            ("5038", "", "Verdal Rør AS", "11000", "700,00", "D"),  # no date: quarantined
        ]
    )
    r = import_file(eng, data, filename="q.csv", username="t")
    assert (r.layout["navn"], r.rows_quarantined) == ("kontoklasse", 1)
    rows = quarantine_rows(eng, scope=Scope.everything())
    r2 = reimport_quarantine(eng, rows.with_columns(date=pl.lit("16.03.2024")), username="t")
    assert (r2.rows_stored, r2.error) == (1, None)
    assert _stored(eng)["D"] == ("100", "purchase", "drift")  # art 100, not 110


def test_readme_profile_example_parses_and_means_what_it_says() -> None:
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    toml = text.split("```toml\n", 1)[1].split("```", 1)[0]
    p = parse_profile(toml)
    assert p.layout is not None and p.layout.name == "kontoklasse"
    assert p.flag_words("private")[0][:1] == ["p"] and p.explicit_private
    assert p.flag_words("ehandel")[1][:1] == ["-"]
    assert (p.investment_values, p.drift_values) == (["i", "inv"], ["d"])
    assert p.pseudo_values == ["Diverse leverandører", "99999"]
    assert p.fixed["account"] == "270" and p.fixed["area"] == "drift"


def test_general_ledger_through_the_cli_wage_lines_without_supplier_are_excluded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As a new user would: a class-prefixed general ledger (cp1252, Visma-like headings) with
    wage postings that have no supplier, and a names-only payment file with a fixed art."""
    head = "Firma;Bilagsnr;Bilagsdato;Konto;Kontonavn;Leverandørnavn;Org.nr;Beløp"
    ledger = [
        "5038;1;31.01.2024;10100;Fastlønn;;;412 000,00",
        "5038;2;31.01.2024;10990;Arbeidsgiveravgift;;;58 092,00",
        "5038;3;05.02.2024;11150;Matvarer;Verdal Matsentral AS;;12 500,50",
        "5038;4;06.02.2024;12700;Konsulenttjenester;Rambøll Norge AS;;80 000,00",
        "5038;5;07.02.2024;02700;Investering konsulent;Rambøll Norge AS;;150 000,00",
    ]
    f1 = tmp_path / "hovedbok.csv"
    f1.write_bytes(("\n".join([head, *ledger]) + "\n").encode("cp1252"))
    f2 = tmp_path / "utbetalinger.csv"
    f2.write_text(
        "Kommune;Betalt dato;Mottaker;Beløp\n5037;01.03.2024;Acme Limited;300,00\n"
        "5037;02.03.2024;Leeds City Council;100,00\n5037;03.03.2024;Diverse leverandører;50,00\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'ny.sqlite'}"
    assert main(["--database-url", url, "import", str(f1)]) == 0
    out = capsys.readouterr().out
    assert "hovedbok.csv: 5 rader lest, 3 lagret (242 500,50 kr), 0 i karantene, 2 utelatt" in out
    assert "Kontooppsett: kontoklasse + art + underkonto (5–6 siffer) (foreslått fra filen)" in out
    assert "konto 02700 → art 270 → innkjøp, investering" in out
    assert main(["--database-url", url, "import", str(f2)]) == 2  # no account: refused
    assert "fant ikke kolonner for: konto" in capsys.readouterr().out
    assert main(["--database-url", url, "import", str(f2), "--fixed", "account=270"]) == 0
    assert "Faste verdier: konto = 270" in capsys.readouterr().out
    assert (
        main(
            ["--database-url", url, "figures", "--year", "2024", "--municipality", "5037", "--json"]
        )
        == 0
    )
    import json

    fig = json.loads(capsys.readouterr().out)["analysis"]
    assert fig["suppliers"]["n_suppliers"] == 2
    assert fig["suppliers"]["hhi"] == pytest.approx(75.0**2 + 25.0**2)
    assert fig["excluded"]["pseudo"] == {"amount": 50.0, "n_suppliers": 1}


def test_cli_reread_with_another_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "k.csv"
    f.write_bytes(
        _file(
            [
                ("5038", "15.03.2024", "Verdal Rør AS", "10100", "500,00", "A"),
                ("5038", "15.03.2024", "Verdal Rør AS", "11500", "500,00", "B"),
            ]
        )
    )
    prof = tmp_path / "feil.toml"
    prof.write_text('account_layout = "art"\n')
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    assert main(["--database-url", url, "import", str(f), "--profile", str(prof)]) == 0
    capsys.readouterr()
    assert main(["--database-url", url, "reread", "--layout", "kontoklasse", "--batch", "1"]) == 0
    assert "2 av 2 linjer endret" in capsys.readouterr().out
    assert _stored(make_engine(url)) == {
        "A": ("010", "excluded", "drift"),
        "B": ("150", "purchase", "drift"),
    }
    assert main(["--database-url", url, "reread"]) == 2


def test_wrong_layout_then_reread_and_reimport_equals_a_fresh_import(
    template: Path, tmp_path: Path
) -> None:
    """Investment rows a wrong layout excluded (``02700`` read as wage art 027) were never
    stored: after ``reread`` the same file may be imported again with the right layout, which
    stores only those rows; the result equals a fresh import line by line."""
    rows = [
        ("5038", "10.01.2024", "Verdal Rør AS", "10100", "40000,00", "W1"),
        ("5038", "11.01.2024", "Verdal Rør AS", "11500", "1200,00", "P1"),
        ("5038", "12.02.2024", "Levanger Bygg AS", "02700", "90000,00", "I1"),
        ("5038", "12.02.2024", "Levanger Bygg AS", "12700", "5300,50", "P2"),
    ]
    data = _file(rows)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    wrong, fresh = fresh_engine(template, tmp_path / "a"), fresh_engine(template, tmp_path / "b")
    r1 = import_file(
        wrong,
        data,
        filename="x.csv",
        username="t",
        profile=parse_profile('account_layout = "art"', name="feil"),
    )
    assert (r1.rows_stored, r1.rows_excluded) == (3, 1)  # I1 lost as "wages" 027
    with wrong.begin() as c:
        reread_accounts(c, LAYOUTS["kontoklasse"], username="t")
    again = import_file(wrong, data, filename="x.csv", username="t")
    assert again.layout["navn"] == "kontoklasse" and again.already_imported_batch is None
    assert "tidligere import" in again.detected
    assert (again.rows_stored, again.excluded_by_reason) == (1, {"duplikat": 2, "ikke_innkjop": 1})
    import_file(fresh, data, filename="x.csv", username="t")
    a, b = _stored(wrong), _stored(fresh)
    assert a.pop("W1") == ("010", "excluded", "drift")
    assert a == b and b["I1"] == ("270", "purchase", "investering")
    # a third time: nothing new, the whole file is recognised
    third = import_file(wrong, data, filename="x.csv", username="t")
    assert third.already_imported_batch is not None and third.rows_stored == 0
