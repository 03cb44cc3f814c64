"""The import corpus: ≥ 25 awkward or malformed exports made here, each checked for
(a) counts that add up to the rows read, (b) stored amounts equal to the øre values the rows
were built from, and (c) the documented quarantine messages, word for word.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access.importing import import_file, parse_profile, save_profile
from data_access.store import schema
from tests.import_helpers import (
    HEAD,
    Row,
    fmt_amount,
    fresh_engine,
    invalid_orgnr,
    snapshot,
    standard_rows,
    template_db,
    to_csv,
    to_xlsx,
    valid_orgnr,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template_db(tmp_path_factory.mktemp("tpl"))


Case = tuple[bytes, str, dict[str, object], list[Row]]
R = standard_rows


def _q(msg: str) -> str:
    return "quarantine:" + msg


def c_utf8() -> Case:
    rows = R()
    rows[0].name = "Åsen Økonomi og Ærlig Bygg AS"
    return to_csv(rows), "utf8.csv", {}, rows


def c_utf8_bom() -> Case:
    rows = R()
    return to_csv(rows, bom=True), "bom.csv", {}, rows


def c_cp1252() -> Case:
    rows = R()
    rows[1].name = "Ørland Sjømat og Vær AS"
    return to_csv(rows, encoding="cp1252"), "ansi.csv", {}, rows


def c_utf16() -> Case:
    rows = R()
    return to_csv(rows, encoding="utf-16"), "utf16.txt", {}, rows


def c_tab() -> Case:
    rows = R()
    return to_csv(rows, sep="\t"), "tab.txt", {}, rows


def c_comma_point() -> Case:
    rows = R()
    rows[2].name = "Hansen, Berg & Co AS"  # quoted, contains the delimiter
    return to_csv(rows, sep=",", amount="comma_point"), "comma.csv", {}, rows


def c_pipe() -> Case:
    rows = R()
    return to_csv(rows, sep="|", amount="point"), "pipe.csv", {}, rows


def c_nbsp() -> Case:
    rows = R()
    return to_csv(rows, amount="nbsp"), "nbsp.csv", {}, rows


def c_dot_thousands() -> Case:
    rows = R()
    return to_csv(rows, amount="dot"), "dot.csv", {}, rows


def c_kr() -> Case:
    rows = R()
    return to_csv(rows, amount="kr"), "kr.csv", {}, rows


def c_trailing_minus() -> Case:
    rows = R()
    return to_csv(rows, amount="comma_trailing"), "trail.csv", {}, rows


def c_point_decimal_semicolon() -> Case:
    rows = R()
    return to_csv(rows, amount="point"), "point.csv", {}, rows


def c_iso_dates() -> Case:
    rows = R()
    return to_csv(rows, date="iso"), "iso.csv", {}, rows


def c_iso_time_dates() -> Case:
    rows = R()
    return to_csv(rows, date="iso_time"), "isotime.csv", {}, rows


def c_excel_serial_dates() -> Case:
    rows = R()
    return to_csv(rows, date="serial"), "serial.csv", {}, rows


def c_short_year_dates() -> Case:
    rows = R()
    return to_csv(rows, date="dmy2"), "yy.csv", {}, rows


def c_preamble() -> Case:
    rows = R()
    pre = ["Leverandørposter Verdal kommune", "Utskrevet 05.01.2022 av ØKO", ""]
    return to_csv(rows, preamble=pre), "preamble.csv", {}, rows


def c_crlf() -> Case:
    rows = R()
    return to_csv(rows, newline="\r\n", encoding="cp1252"), "crlf.csv", {}, rows


def c_blank_lines() -> Case:
    rows = R(6)
    data = to_csv(rows).replace(b"\n5037", b"\n;;;;;;;\n\n5037")
    return data, "blank.csv", {}, rows


def c_truncated() -> Case:
    rows = R(6)
    data = to_csv(rows)
    data = data[: data.rindex(b";", 0, len(data) - 1) - 3]  # cut inside the last row
    last = rows[-1]
    cut_fields = data.rsplit(b"\n", 1)[1].count(b";") + 1
    last.fate = _q(f"raden har bare {cut_fields} av 8 felt (filen kan være avkortet)")
    return data, "truncated.csv", {}, rows


def c_credit_only() -> Case:
    rows = R(credit_only=True)
    return to_csv(rows), "credit.csv", {}, rows


def c_xlsx_native() -> Case:
    rows = R()
    return to_xlsx(rows), "native.xlsx", {}, rows


def c_xlsx_text_preamble() -> Case:
    rows = R()
    return to_xlsx(rows, native=False, preamble=["Rapport", "Periode 2021"]), "text.xlsx", {}, rows


def c_fixed_municipality() -> Case:
    rows = R(5)
    for r in rows:
        r.municipality = None
    head = [h for h in HEAD if h != "Kommunenr"]
    data = to_csv(rows, head=head).replace(b"\n;", b"\n")
    data = data.replace(b"\n;", b"\n")
    for r in rows:
        r.municipality = "5038"
    return data, "fixed.csv", {"municipality": "5038"}, rows


def c_bad_rows() -> Case:
    rows = R(4)
    d = dt.date(2021, 5, 5)
    rows += [
        Row("5099", d, 100, fate=_q("ukjent kommunenummer 5099"), invoice="Q1"),
        Row(
            "0301",
            d,
            100,
            fate=_q("kommunenummer 0301 (Oslo) er ikke medlem av samarbeidet"),
            invoice="Q2",
        ),
        Row(None, d, 100, fate=_q("kommunenummer mangler (angi kommune for filen)"), invoice="Q3"),
        Row("5038", None, 100, fate=_q("dato mangler"), invoice="Q4"),
        Row(
            "5038",
            d,
            100,
            raw_date="31.02.2021",
            fate=_q("dato «31.02.2021» kan ikke tolkes"),
            invoice="Q5",
        ),
        Row("5038", d, None, fate=_q("beløp mangler"), invoice="Q6"),
        Row(
            "5038",
            d,
            100,
            raw_amount="12,3,4",
            fate=_q("beløp «12,3,4» kan ikke tolkes"),
            invoice="Q7",
        ),
        Row("5038", d, 100, account="", fate=_q("konto mangler"), invoice="Q8"),
        Row(
            "5038",
            d,
            100,
            account="X12",
            fate=_q("konto «X12» begynner ikke med tre siffer (KOSTRA-art)"),
            invoice="Q9",
        ),
        Row(
            "5038",
            d,
            100,
            name=None,
            fate=_q("leverandør mangler (verken organisasjonsnummer, leverandørnummer eller navn)"),
            invoice="Q10",
        ),
        Row(
            "5038",
            d,
            100,
            name=None,
            orgnr="123456789",
            fate=_q(
                "organisasjonsnummer 123456789 har feil kontrollsiffer, og leverandørnavn og "
                "-nummer mangler"
            ),
            invoice="Q11",
        ),
    ]
    return to_csv(rows), "bad.csv", {}, rows


def c_excluded_accounts() -> Case:
    rows = R(4)
    d = dt.date(2021, 5, 5)
    rows += [
        Row("5038", d, 5000000, account="01010", fate="excluded", invoice="L1"),  # wages
        Row("5038", d, 700, account="2900", fate="excluded", invoice="L2"),  # internal
        Row("5038", d, 900, account="47000", fate="excluded", invoice="L3"),  # transfers
        Row("5038", d, 800, account="3500", invoice="K1"),  # intra_public: stored
    ]
    return to_csv(rows), "excluded.csv", {}, rows


def c_invalid_orgnr_kept() -> Case:
    rows = R(4)
    d = dt.date(2021, 6, 1)
    rows += [
        Row("5037", d, 12345, orgnr=invalid_orgnr(7), name="Feilnummer AS", invoice="I1"),
        Row("5037", d, 500, orgnr="97408", name="Kortnummer AS", invoice="I2"),
    ]
    return to_csv(rows), "badorg.csv", {}, rows


def c_historical_codes() -> Case:
    rows = R(2)
    rows += [
        Row("5004", dt.date(2019, 3, 1), 1000, invoice="H1"),
        Row("5039", dt.date(2019, 3, 1), 2000, invoice="H2"),
        Row("1702", dt.date(2019, 3, 1), 3000, invoice="H3"),
    ]
    return to_csv(rows), "hist.csv", {}, rows


def c_visma_profile() -> Case:
    rows = R()
    head = ["Firma", "Bilagsdato", "Org.nr", "Leverandørnavn", "Lev.nr", "Art", "Beløp", "Bilagsnr"]
    return to_csv(rows, head=head, encoding="cp1252"), "visma.csv", {"profile": "visma"}, rows


def c_unit4_profile() -> Case:
    rows = R()
    head = [
        "Client",
        "Voucher date",
        "Org no",
        "Supplier name",
        "Supplier id",
        "Account",
        "Amount",
        "Voucher no",
    ]
    pre = ["Hovedbok – transaksjoner", "Klient: Levanger\tPeriode: 202101-202112"]
    data = to_csv(rows, head=head, sep="\t", amount="point_trailing", date="iso", preamble=pre)
    return data, "unit4.txt", {"profile": "unit4"}, rows


def c_debit_credit() -> Case:
    """Debet and Kredit columns instead of one signed amount (credit notes in Kredit)."""
    rows = R()
    lines = ["Kommunenr;Dato;Orgnr;Leverandør;Konto;Debet;Kredit;Fakturanr"]
    for r in rows:
        amount = fmt_amount(abs(r.amount_ore or 0), "comma")
        debit, credit = (amount, "") if (r.amount_ore or 0) >= 0 else ("", amount)
        lines.append(
            f"{r.municipality};{r.date:%d.%m.%Y};{r.orgnr};{r.name};{r.account};"
            f"{debit};{credit};{r.invoice}"
        )
    return ("\n".join(lines) + "\n").encode(), "debet_kredit.csv", {}, rows


def c_saved_profile_from_file() -> Case:
    """A layout only a profile can read: odd headings, US dates, fixed municipality."""
    rows = R(6)
    for r in rows:
        r.municipality = "5053"
    lines = ["Dok;Bokf.;Kto;Lev;LevNavn;Sum"]
    for r in rows:
        lines.append(
            f"{r.invoice};{r.date:%m/%d/%Y};{r.account};{r.orgnr};{r.name};"
            f"{fmt_amount(r.amount_ore or 0, 'point')}"
        )
    toml = (
        'name = "egen"\ndelimiter = ";"\ndecimal = "."\ndate_format = "%m/%d/%Y"\n'
        'municipality = "5053"\nextend_defaults = false\n[columns]\ninvoice_id = "Dok"\n'
        'date = "Bokf."\naccount = "Kto"\nsupplier_orgnr = "Lev"\nsupplier_name = "LevNavn"\n'
        'amount = "Sum"\n'
    )
    return ("\n".join(lines) + "\n").encode(), "egen.csv", {"profile": parse_profile(toml)}, rows


def c_quoted_newlines() -> Case:
    """Quoted texts with the delimiter, quotes and line breaks inside them."""
    rows = R(4)
    lines = ["Kommunenr;Dato;Orgnr;Leverandør;Konto;Beløp;Fakturanr;Tekst"]
    texts = ['"Linje 1\nlinje 2"', '"Sa ""hei""; og gikk"', "", '"a;b;c"']
    for r, text in zip(rows, texts, strict=True):
        lines.append(
            f"{r.municipality};{r.date:%d.%m.%Y};{r.orgnr};{r.name};{r.account};"
            f"{fmt_amount(r.amount_ore or 0, 'comma')};{r.invoice};{text}"
        )
    return ("\n".join(lines) + "\n").encode(), "quoted.csv", {}, rows


def c_extra_fields() -> Case:
    """A delimiter inside an unquoted text shifts the row: quarantined, never stored shifted.

    Trailing empty fields beyond the header are harmless, and a quoted line break elsewhere in
    the file does not switch the check off.
    """
    rows = R(5)
    lines = ["Kommunenr;Dato;Orgnr;Leverandør;Konto;Beskrivelse;Beløp;Fakturanr"]
    texts = ["Leie", "Leie;2", "Husleie", '"Linje 1\nlinje 2"', "Vask"]
    tails = ["", "", ";;", "", " ; ;"]
    for r, text, tail in zip(rows, texts, tails, strict=True):
        lines.append(
            f"{r.municipality};{r.date:%d.%m.%Y};{r.orgnr};{r.name};{r.account};{text};"
            f"{fmt_amount(r.amount_ore or 0, 'comma')};{r.invoice}{tail}"
        )
    rows[1].fate = _q(
        "raden har flere felt enn overskriften (9 i stedet for 8) – sjekk skilletegn i teksten"
    )
    return ("\n".join(lines) + "\n").encode(), "extra.csv", {}, rows


def c_extra_fields_cp1252_crlf() -> Case:
    """The same check in a Windows file with every text quoted and one row shifted."""
    rows = R(3)
    lines = ["Kommunenr;Dato;Orgnr;Leverandør;Konto;Beskrivelse;Beløp;Fakturanr"]
    for i, r in enumerate(rows):
        text = "Leie; mars" if i == 2 else "Leie"
        lines.append(
            f'{r.municipality};{r.date:%d.%m.%Y};{r.orgnr};"{r.name}";{r.account};{text};'
            f"{fmt_amount(r.amount_ore or 0, 'comma')};{r.invoice}"
        )
    rows[2].fate = _q(
        "raden har flere felt enn overskriften (9 i stedet for 8) – sjekk skilletegn i teksten"
    )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252"), "extra_win.csv", {}, rows


def c_xlsx_three_decimals() -> Case:
    """Numeric Excel cells with more than two decimals are rounded half-up to the øre, never
    read as thousands grouping (12.345 → 12,35 kr, not 12 345 kr)."""
    import io

    import openpyxl

    amounts = [12.345, 1234.5, 0.1 + 0.2, -7.005, 100 / 3, 45000]
    expected = [1235, 123450, 30, -701, 3333, 4500000]
    rows = R(len(amounts))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD)
    for r, a, ore in zip(rows, amounts, expected, strict=True):
        r.amount_ore = ore
        ws.append([r.municipality, r.date, r.orgnr, r.name, None, r.account, a, r.invoice])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), "decimals.xlsx", {}, rows


def c_only_header() -> Case:
    return to_csv([]), "header_only.csv", {}, []


CASES: dict[str, Callable[[], Case]] = {
    name.removeprefix("c_"): fn for name, fn in globals().items() if name.startswith("c_")
}


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", sorted(CASES))
def test_corpus_file(case: str, template: Path, tmp_path: Path) -> None:
    data, filename, kwargs, rows = CASES[case]()
    engine = fresh_engine(template, tmp_path)
    report = import_file(engine, data, filename=filename, username="test", **kwargs)
    assert report.error is None, report.error

    stored = [r for r in rows if r.fate == "stored"]
    quarantined = [r for r in rows if r.fate.startswith("quarantine:")]
    excluded = [r for r in rows if r.fate == "excluded"]
    assert report.rows_read == len(rows)
    assert report.rows_stored + report.rows_quarantined + report.rows_excluded == report.rows_read
    assert (report.rows_stored, report.rows_quarantined, report.rows_excluded) == (
        len(stored),
        len(quarantined),
        len(excluded),
    )

    with engine.connect() as c:
        lt, q = schema.ledger_line, schema.quarantine_row
        total = c.execute(sa.select(sa.func.sum(lt.c.amount_ore))).scalar()
        by_invoice = dict(c.execute(sa.select(lt.c.invoice_id, lt.c.amount_ore)).all())
        messages = sorted(c.execute(sa.select(q.c.reason)).scalars())
        batch = c.execute(sa.select(schema.import_batch)).mappings().one()
    assert (total or 0) == sum(r.amount_ore or 0 for r in stored)
    assert by_invoice == {r.invoice: r.amount_ore for r in stored}
    assert messages == sorted(r.fate.removeprefix("quarantine:") for r in quarantined)
    assert (
        batch["rows_read"],
        batch["rows_stored"],
        batch["rows_quarantined"],
        batch["rows_excluded"],
    ) == (report.rows_read, len(stored), len(quarantined), len(excluded))
    assert batch["imported_by"] == "test" and batch["file_name"] == filename
    assert report.exit_code == (3 if quarantined else 0)


def test_historical_codes_are_kept_and_old_codes_moved_to_the_code_in_use(
    template: Path, tmp_path: Path
) -> None:
    data, name, _kw, _rows = c_historical_codes()
    engine = fresh_engine(template, tmp_path)
    import_file(engine, data, filename=name, username="t")
    with engine.connect() as c:
        lt = schema.ledger_line
        got = dict(
            c.execute(
                sa.select(lt.c.invoice_id, lt.c.municipality_code).where(lt.c.invoice_id.like("H%"))
            ).all()
        )
    # 1702 (Steinkjer until 2017) on a 2019 line is Steinkjer's code then in use, 5004.
    assert got == {"H1": "5004", "H2": "5039", "H3": "5004"}


def test_invalid_orgnr_is_stored_under_unknown_identity_with_a_warning(
    template: Path, tmp_path: Path
) -> None:
    data, name, _kw, _rows = c_invalid_orgnr_kept()
    engine = fresh_engine(template, tmp_path)
    report = import_file(engine, data, filename=name, username="t")
    assert report.warnings_by_kind == {"orgnr_ugyldig": 2}
    msgs = [e["melding"] for e in report.examples["advarsel:orgnr_ugyldig"]]
    assert (
        f"organisasjonsnummer {invalid_orgnr(7)} har feil kontrollsiffer – lagret som ukjent "
        "leverandør" in msgs
    )
    with engine.connect() as c:
        s = schema.supplier
        keys = set(c.execute(sa.select(s.c.key).where(s.c.identity_kind != "orgnr")).scalars())
    assert keys == {"navn:feilnummer", "navn:kortnummer"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "filen er tom"),
        (b"   \n\n", "filen er tom"),
        (
            b"Kommunenr;Dato;Konto;Tekst\n5038;01.01.2021;12000;x\n",
            "fant ikke kolonner for: beløp, leverandør (organisasjonsnummer, navn eller nummer)",
        ),
        (b"foo,bar\n1,2\n", "fant ingen overskriftsrad med kjente kolonnenavn"),
        (b"PK\x03\x04garbage", "Excel-filen kan ikke leses"),
    ],
    ids=["empty", "whitespace", "wrong_columns", "no_header", "broken_xlsx"],
)
def test_unreadable_files_fail_whole_and_store_nothing(
    data: bytes, message: str, template: Path, tmp_path: Path
) -> None:
    engine = fresh_engine(template, tmp_path)
    before = snapshot(engine)
    report = import_file(engine, data, filename="f.csv", username="t")
    assert report.error is not None and message in report.error
    assert report.exit_code == 2
    after = snapshot(engine)
    assert after.pop("audit_log") == before.pop("audit_log") + 1  # the failure is logged
    assert after == before


def test_unknown_profile_fails(template: Path, tmp_path: Path) -> None:
    engine = fresh_engine(template, tmp_path)
    report = import_file(engine, to_csv(R(2)), filename="x.csv", username="t", profile="sap")
    assert report.exit_code == 2 and "ukjent importprofil «sap»" in (report.error or "")


def test_stored_lines_get_identity_class_and_category(template: Path, tmp_path: Path) -> None:
    rows = [dataclasses.replace(r) for r in R(5)]
    engine = fresh_engine(template, tmp_path)
    import_file(engine, to_csv(rows), filename="x.csv", username="t")
    with engine.connect() as c:
        lt, s, cat = schema.ledger_line, schema.supplier, schema.category
        got = c.execute(
            sa.select(
                lt.c.invoice_id, lt.c.art, lt.c.spend_class, s.c.key, cat.c.name, lt.c.category_rule
            )
            .join(s, s.c.id == lt.c.supplier_id)
            .join(cat, cat.c.id == lt.c.category_id)
            .order_by(lt.c.invoice_id)
        ).all()
    assert got[0][:5] == (
        "F0",
        "120",
        "purchase",
        f"orgnr:{valid_orgnr(1000)}",
        "Forbruksmateriell og tjenester",
    )
    assert got[0][5].startswith("account:")
    assert [g[1] for g in got] == ["120", "270", "115", "230", "180"]


def test_profile_saved_in_database_is_used_by_name(template: Path, tmp_path: Path) -> None:
    data, _name, _kw, rows = c_saved_profile_from_file()
    engine = fresh_engine(template, tmp_path)
    toml_text = (
        'delimiter = ";"\ndecimal = "."\ndate_format = "%m/%d/%Y"\nmunicipality = "5053"\n'
        '[columns]\ninvoice_id = "Dok"\ndate = "Bokf."\naccount = "Kto"\nsupplier_orgnr = "Lev"\n'
        'supplier_name = "LevNavn"\namount = "Sum"\n'
    )
    with engine.begin() as c:
        save_profile(c, "kommune-x", toml_text)
    report = import_file(engine, data, filename="egen.csv", username="t", profile="kommune-x")
    assert (report.profile, report.rows_stored) == ("kommune-x", 6)
    assert report.amount_stored_ore == sum(r.amount_ore or 0 for r in rows)
    other = tmp_path / "uten_profil"
    other.mkdir()
    auto = import_file(fresh_engine(template, other), data, filename="egen.csv", username="t")
    assert auto.exit_code == 2  # without the profile the headings are unknown


def test_profile_with_unknown_field_is_rejected() -> None:
    with pytest.raises(ValueError, match="ukjente felt i profilen: belop"):
        parse_profile('[columns]\nbelop = "Sum"\n')


def test_shipped_profiles_parse() -> None:
    from data_access.importing.profiles import shipped_profiles

    profiles = {n: parse_profile(t, name=n) for n, t in shipped_profiles().items()}
    assert set(profiles) == {"visma", "unit4"}
    assert profiles["visma"].encoding == "cp1252" and profiles["unit4"].delimiter == "\t"
