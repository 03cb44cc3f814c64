"""Issue 11, finding 8: size limits on imported files — refused or truncated, with a message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access.importing import import_file, limits
from data_access.importing.quarantine import quarantine_rows
from data_access.store import schema
from data_access.store.scope import Scope
from tests.import_helpers import HEAD, Row, fresh_engine, standard_rows, template_db, to_csv


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template_db(tmp_path_factory.mktemp("tpl_limits"))


@pytest.fixture()
def eng(template: Path, tmp_path: Path) -> sa.Engine:
    return fresh_engine(template, tmp_path)


def _with_text(rows: list[Row], texts: list[str]) -> bytes:
    """The rows with a Tekst column (the description field)."""
    base = to_csv(rows).decode().rstrip("\n").split("\n")
    out = [base[0] + ";Tekst"] + [line + ";" + t for line, t in zip(base[1:], texts, strict=True)]
    return ("\n".join(out) + "\n").encode()


def test_two_thousand_columns_are_refused_with_a_short_message(eng: sa.Engine) -> None:
    extra = [f"Kolonne{i}" for i in range(2_000 - len(HEAD))]
    head = HEAD + extra
    line = ";".join(
        ["5038", "01.02.2025", "", "Bygg AS", "", "12000", "100,00", "F1"] + [""] * len(extra)
    )
    data = (";".join(head) + "\n" + line + "\n").encode()
    rep = import_file(eng, data, filename="brei.csv", username="t")
    assert rep.error and "filen har 2\u00a0000 kolonner; høyst 200 er tillatt" in rep.error
    assert "… og 1\u00a0980 til" in rep.error and len(rep.error) < 1_000
    with eng.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(schema.ledger_line)).scalar() == 0


def test_missing_columns_message_lists_at_most_twenty_headings(eng: sa.Engine) -> None:
    head = ["Dato", "Konto"] + [f"Ukjent{i}" for i in range(148)]
    data = (";".join(head) + "\n" + ";".join("x" for _ in head) + "\n").encode()
    rep = import_file(eng, data, filename="ukjent.csv", username="t")
    assert rep.error and "… og 130 til" in rep.error and "Ukjent147" not in rep.error


def test_an_over_long_line_is_refused_naming_it(eng: sa.Engine) -> None:
    rows = standard_rows(3)
    data = _with_text(rows, ["kort", "x" * 150_000, "kort"])
    rep = import_file(eng, data, filename="lang.csv", username="t")
    assert rep.error and rep.error.startswith("linje 3 er 150\u00a0")
    assert "høyst 100\u00a0000 tegn per linje" in rep.error


def test_long_fields_are_truncated_and_reported(eng: sa.Engine) -> None:
    rows = standard_rows(3)
    rows[1].name = "Veldig " + "lang " * 100 + "AS"  # 507 characters
    data = _with_text(rows, ["kort", "y" * 5_000, "kort"])
    rep = import_file(eng, data, filename="felt.csv", username="t")
    assert rep.error is None and rep.rows_stored == 3
    assert rep.warnings_by_kind.get("felt_avkortet") == 2
    ll = schema.ledger_line
    with eng.connect() as c:
        texts = c.execute(sa.select(ll.c.description).order_by(ll.c.id)).scalars().all()
        names = c.execute(sa.select(ll.c.supplier_name_raw)).scalars().all()
    assert max(len(t or "") for t in texts) == limits.MAX_FIELD_CHARS
    assert any(t and t.endswith("…") for t in texts)
    assert max(len(n or "") for n in names) == 200


def test_an_over_long_amount_is_quarantined_without_echoing_it_in_full(eng: sa.Engine) -> None:
    rows = [*standard_rows(2), Row("5038", dt.date(2025, 1, 1), None, raw_amount="9" * 50_000)]
    rep = import_file(eng, to_csv(rows), filename="belop.csv", username="t")
    assert rep.error is None and rep.rows_quarantined == 1
    q = quarantine_rows(eng, scope=Scope(role="admin"))
    longest = max(len(str(v)) for col in q.iter_columns() for v in col.to_list() if v is not None)
    assert longest <= limits.MAX_FIELD_CHARS


def test_a_file_over_the_size_limit_is_refused(
    eng: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_MB", 0)  # the 200 MB limit, scaled down for a test
    rep = import_file(eng, to_csv(standard_rows(3)), filename="stor.csv", username="t")
    assert rep.error and "høyst 0 MB kan importeres" in rep.error
