"""Issue 11 for the agreement register: a register file's values are shown as text, never as
Markdown; a long error list is cut short; and the ledger import's size limits (file size,
column count, line length, field length) hold for register files too, CSV and XLSX."""

from __future__ import annotations

import io
from collections.abc import Iterator

import polars as pl
import pytest
import sqlalchemy as sa

from data_access.admin import agreements as reg
from data_access.importing import limits
from data_access.store import schema
from data_access.store.scope import Scope
from tests.conftest import new_app
from tests.hostile import live_markdown

ADMIN = Scope(role="admin", username="admin_t")
HEAD = "avtalenr;navn;kategori;start;slutt;besparelsesgrad;leverandører;kommuner"
GOOD = "OK-1;Gyldig;;01.01.2025;31.12.2026;4 %;974760673;5038"
IMAGE = "![x](http://127.0.0.1:9/x.png) **fet**"
LIVE_MD = live_markdown("fet", "999")


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEAD, *rows]) + "\n").encode("utf-8")


def _xlsx(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_excel(buf)
    return buf.getvalue()


@pytest.fixture()
def conn(sqlite_engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection to the shared demo database whose changes are rolled back."""
    with sqlite_engine.connect() as c:
        tx = c.begin()
        try:
            yield c
        finally:
            tx.rollback()


def _refusal(conn: sa.Connection, data: bytes, filename: str = "avtaler.csv") -> str:
    with pytest.raises(ValueError) as err:
        reg.import_register(conn, data, filename, ADMIN)
    return str(err.value)


# --- finding 4: file values in the page's messages ------------------------------------------


@pytest.mark.usefixtures("app_env")
def test_a_hostile_register_file_is_shown_escaped_on_the_page() -> None:
    row = (
        '"$\\frac{1}{2}$ <b>R</b>";Avtale;"' + IMAGE + '";01.01.2025;31.12.2026;4 %;'
        "**999**;[lenke](http://127.0.0.1:9/m)"
    )
    at = new_app("analytiker")
    at.run()
    at.switch_page("pages/agreements.py").run()
    at.query_params["fane"] = "Avtaleregister"
    at.run()
    at.file_uploader(key="avt_reg_upload").set_value(("avtaler.csv", _csv(row), "text/csv")).run()
    at.button(key="avt_reg_import").click().run()
    assert not at.exception
    assert len(at.error) == 1
    body = at.error[0].value
    assert body.startswith("Ingenting ble lagret:")
    # Every value is there, as escaped text: category, orgnr, municipality, ref.
    assert (
        "\\!\\[x\\]\\(ht\u2060tp\\:\\/\\/127\\.0\\.0\\.1\\:9\\/x\\.png\\) \\*\\*fet\\*\\*" in body
    )
    assert "ugyldig organisasjonsnummer\\: \\*\\*999\\*\\*" in body
    assert "ukjent kommunenummer\\: \\[lenke\\]\\(" in body
    assert "\\$\\\\frac\\{1\\}\\{2\\}\\$ \\<b\\>R\\<\\/b\\>" in body
    live = [p.pattern for p in LIVE_MD if p.search(body)]
    assert not live, (live, body)


def test_a_long_error_list_is_cut_after_twenty() -> None:
    errors = [f"rad {i}: navn mangler" for i in range(1, 36)]
    shown = reg.capped_errors(errors)
    assert shown == [*errors[:20], "… og 15 feil til"]
    assert reg.capped_errors(errors[:20]) == errors[:20]


def test_an_import_with_many_bad_rows_names_twenty_problems(conn: sa.Connection) -> None:
    rows = [f"BAD-{i};;;01.01.2025;31.12.2026;4 %;974760673;5038" for i in range(50)]
    lines = _refusal(conn, _csv(*rows)).split("\n")
    assert len(lines) == 21
    assert lines[0] == "rad 1 (BAD-0): navn mangler"
    assert lines[-1] == "… og 30 feil til"


# --- finding 8: size limits on register files ----------------------------------------------


def test_an_oversize_register_file_is_refused(
    conn: sa.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_MB", 1)  # 201 MB in a test would take too long
    data = _csv(*[GOOD.replace("OK-1", f"OK-{i}") for i in range(30_000)])
    assert len(data) > 1024 * 1024
    msg = _refusal(conn, data)
    assert msg == "filen er 1 MB; høyst 1 MB kan importeres (del den opp, f.eks. per år)"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_register_file_with_two_thousand_columns_is_refused(
    conn: sa.Connection, kind: str
) -> None:
    head = HEAD.split(";") + [f"Kolonne{i}" for i in range(2_000 - 8)]
    values = GOOD.split(";") + [""] * (2_000 - 8)
    if kind == "csv":
        data, name = (";".join(head) + "\n" + ";".join(values) + "\n").encode(), "brei.csv"
    else:
        frame = pl.DataFrame([values], schema=head, orient="row")
        data, name = _xlsx(frame), "brei.xlsx"
    msg = _refusal(conn, data, name)
    assert msg.startswith("filen har 2\u00a0000 kolonner; høyst 200 er tillatt")
    assert msg.endswith("… og 1\u00a0980 til") and len(msg) < 1_000


def test_a_register_file_with_an_overlong_line_is_refused(conn: sa.Connection) -> None:
    long_note = "x" * 150_000
    data = ("avtalenr;navn;nullpunkt\nA;B;" + long_note + "\n").encode()
    msg = _refusal(conn, data)
    assert msg == (
        "linje 2 er 150\u00a0004 tegn lang; høyst 100\u00a0000 tegn per linje er tillatt"
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_overlong_fields_are_refused_without_echoing_them(conn: sa.Connection, kind: str) -> None:
    long_cat = "Kat" + "y" * 20_000  # an XLSX cell holds at most 32 767
    frame = pl.DataFrame(
        {
            "ref": ["L-1", "L-2", "L-3"],
            "name": ["N" * 201, "Grei", "Grei"],
            "category": [None, long_cat, None],
            "start": ["01.01.2025"] * 3,
            "end": ["31.12.2026"] * 3,
            "savings_rate": ["4 %"] * 3,
            "owner": [None, None, "E" * 121],
            "baseline_note": ["z" * 1_001, None, None],
            "suppliers": ["974760673"] * 3,
        }
    )
    if kind == "csv":
        buf = io.BytesIO()
        frame.write_csv(buf, separator=";")
        data, name = buf.getvalue(), "lang.csv"
    else:
        data, name = _xlsx(frame), "lang.xlsx"
    msg = _refusal(conn, data, name)
    assert msg.split("\n") == [
        "rad 1 (L-1): feltet name er lengre enn 200 tegn",
        "rad 1 (L-1): feltet baseline_note er lengre enn 1\u00a0000 tegn",
        "rad 2 (L-2): feltet category er lengre enn 1\u00a0000 tegn",
        "rad 3 (L-3): feltet owner er lengre enn 120 tegn",
    ]
    n = conn.execute(sa.select(sa.func.count()).where(schema.agreement.c.ref.like("L-%"))).scalar()
    assert n == 0


def test_an_overlong_agreement_number_is_not_echoed(conn: sa.Connection) -> None:
    msg = _refusal(conn, _csv(GOOD.replace("OK-1", "R" * 5_000)))
    assert msg == "rad 1 (" + "R" * 60 + "…): avtalenummeret er lengre enn 60 tegn"


def test_a_long_file_name_fits_the_audit_log(conn: sa.Connection) -> None:
    """``audit_log.action`` holds 60 characters: PostgreSQL refused a longer file name."""
    name = "Avtaleregister for Innherred innkjøpssamarbeid, oppdatert mars 2026.csv"
    reg.import_register(conn, _csv(GOOD), name, ADMIN)
    a = schema.audit_log
    action = conn.execute(sa.select(a.c.action).order_by(a.c.id.desc())).scalars().first()
    assert action is not None and action.startswith("agreement.import:Avtaleregister")
    assert len(action) <= 60


@pytest.mark.parametrize(
    "data, name, want",
    [
        # A row with more fields than the heading, and a quote never closed: Polars' own
        # errors (not ValueError) once reached the page as a stack trace.
        (_csv(GOOD + ";ekstra;felt;" + IMAGE), "skjev.csv", reg.UNREADABLE_CSV),
        (_csv('"OK-1;Gyldig;;01.01.2025;31.12.2026;4 %;974760673;5038'), "sitat.csv", None),
        (_xlsx(pl.DataFrame()), "tom.xlsx", "filen er tom"),
    ],
    ids=["ragged", "unclosed-quote", "empty-sheet"],
)
def test_an_unreadable_register_file_is_refused_with_a_message(
    conn: sa.Connection, data: bytes, name: str, want: str | None
) -> None:
    msg = _refusal(conn, data, name)
    if want is not None:
        assert msg == want
    assert IMAGE not in msg and "Traceback" not in msg
