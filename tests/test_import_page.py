"""The import page renders for staff after an import with rejected rows, and refuses others."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access.importing import import_file
from data_access.importing.quality import load_batch_reports
from data_access.store import schema
from data_access.store.db import make_engine
from tests.conftest import ROOT
from tests.import_helpers import Row, standard_rows, to_csv

pytestmark = pytest.mark.usefixtures("app_env")


def _page(user: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "import_data.py"), default_timeout=120)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = user
    return at


def test_page_after_import_with_rejected_rows(app_env: Path) -> None:
    engine = make_engine(f"sqlite:///{app_env / 'innsikt.sqlite'}")
    rows = [
        *standard_rows(6),
        Row("5099", dt.date(2021, 1, 1), 100, invoice="X1"),
        Row("5038", None, 100, invoice="X2"),
    ]
    rep = import_file(engine, to_csv(rows), filename="sidetest.csv", username="admin_t")
    assert rep.rows_quarantined == 2
    at = _page("admin_t")
    at.session_state["imp_last"] = [rep.batch_id]
    at.run()
    assert not at.exception, at.exception
    labels = {m.label: m.value for m in at.metric}
    assert labels["Rader lest"] == "8" and labels["I karantene"] == "2"
    assert int(labels["Rader i karantene"]) >= 2
    text = " ".join(str(df.value) for df in at.dataframe)
    assert "ukjent kommunenummer 5099" in text
    assert any("Karantene" in s.value for s in at.subheader)


def test_page_refuses_non_staff() -> None:
    at = _page("verdal").run()
    assert not at.exception
    assert any("bare for innkjøpskontoret" in e.value for e in at.error)


def test_batch_reports_leave_out_the_demo_batch(sqlite_engine: sa.Engine) -> None:
    """The demo generator's batch has no file-import report; the Import page lists reports of
    the newest imports, so on a fresh demo database it must not meet one it cannot show (it
    crashed with KeyError 'rows_read' before)."""
    b = schema.import_batch
    with sqlite_engine.connect() as conn:
        ids = [int(i) for i in conn.execute(sa.select(b.c.id)).scalars()]
    assert ids  # the demo batch is there
    assert load_batch_reports(sqlite_engine, ids) == []


def test_page_in_english_translates_the_import_messages(app_env: Path) -> None:
    """``?lang=en``: the report's reasons, the quarantine list and the data-quality groups come
    from ``data_access`` in bokmål and are shown in English (issue 12 point 6)."""
    engine = make_engine(f"sqlite:///{app_env / 'innsikt.sqlite'}")
    rows = [
        *standard_rows(6),
        Row("5098", dt.date(2021, 1, 1), 100, invoice="Y1"),
        Row("5038", None, 100, invoice="Y2"),
    ]
    rep = import_file(engine, to_csv(rows), filename="english.csv", username="admin_t")
    assert rep.rows_quarantined == 2
    at = _page("admin_t")
    at.query_params["lang"] = ["en"]
    at.session_state["imp_last"] = [rep.batch_id]
    at.run()
    assert not at.exception, at.exception
    labels = {m.label: m.value for m in at.metric}
    assert labels["Rows read"] == "8" and labels["Quarantined"] == "2"
    text = " ".join(str(df.value) for df in at.dataframe)
    assert "unknown municipality number 5098" in text
    assert "date missing" in text
    assert "ukjent kommunenummer" not in text and "dato mangler" not in text
    shown = " ".join(e.value for e in [*at.markdown, *at.caption])
    assert "Account layout" in shown and "Kontooppsett" not in shown
    assert "delimiter" in shown and "skilletegn" not in shown
