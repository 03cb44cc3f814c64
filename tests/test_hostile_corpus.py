"""Issue 11, findings 3, 4 and 5: a hostile-string corpus imported, then every page (AppTest)
and every download checked for live markup or formulas."""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import re
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from data_access.importing.quarantine import quarantine_csv, quarantine_rows
from data_access.store.escape import BIDI_CONTROLS, FORMULA_START, csv_bytes, xlsx_bytes
from data_access.store.scope import Scope
from tests.conftest import ROOT, new_app
from tests.hostile import (
    FILE_NAME,
    HOSTILE_NAMES,
    build_hostile_dir,
    engine_for,
    live_markdown,
    plotly_strings,
)

LIVE_MD = live_markdown("Fet", "rapport")
LIVE_PLOTLY = re.compile(r"<(a href=\"http://127|b>Fet|script|img)", re.I)


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    folder = tmp_path_factory.mktemp("hostile")
    batch = build_hostile_dir(folder)
    mp = pytest.MonkeyPatch()
    mp.setenv("INNSIKT_DATA_DIR", str(folder))
    mp.delenv("DATABASE_URL", raising=False)
    mp.setenv("INNSIKT_COOKIE_KEY", "hostile-test-cookie-key-0123456789-abcdefghijkl")
    yield folder, batch
    mp.undo()


def _markdown_texts(at) -> list[str]:  # type: ignore[no-untyped-def]
    """Every text AppTest exposes that Streamlit renders as Markdown."""
    texts: list[str] = []
    for kind in (
        "markdown",
        "caption",
        "error",
        "warning",
        "info",
        "success",
        "title",
        "subheader",
        "header",
        "toast",
    ):
        texts += [str(e.value) for e in at.get(kind)]
    texts += [str(e.label) for e in at.get("expander")]
    texts += [str(m.label) for m in at.metric]
    return texts


def _pages() -> list[str]:
    import app

    return [spec[0] for spec in app.PAGES]


def test_every_page_shows_the_corpus_inert(hostile_dir: tuple[Path, int]) -> None:
    _folder, batch = hostile_dir
    seen_escaped_in_chart = False
    for script in _pages():
        at = new_app(logged_in_as="admin_t")
        at.session_state["imp_last"] = [batch]
        at.run()
        at.switch_page(str(ROOT / script)).run()
        # Only a page's open tab runs (Avtaler): open each of the others through the URL.
        for tab in [None, *(tb.label for tb in at.tabs[1:])]:
            if tab is not None:
                at.query_params["fane"] = tab
                at.run()
            assert not at.exception, (script, tab, at.exception)
            for text in _markdown_texts(at):
                for live in LIVE_MD:
                    assert not live.search(text), (script, tab, live.pattern, text[:300])
            for chart in at.get("plotly_chart"):
                for s in plotly_strings(chart.proto.spec):
                    assert not LIVE_PLOTLY.search(s), (script, tab, s[:300])
                    assert "\u202e" not in s, "a bidi override would reorder what is shown"
                    seen_escaped_in_chart |= "&lt;a href" in s
    assert seen_escaped_in_chart, "the hostile suppliers must reach a chart for this to test"


def test_import_page_shows_file_name_and_headings_as_text(hostile_dir: tuple[Path, int]) -> None:
    _folder, batch = hostile_dir
    at = new_app(logged_in_as="admin_t")
    at.session_state["imp_last"] = [batch]
    at.run()
    at.switch_page(str(ROOT / "pages/import_data.py")).run()
    labels = [e.label for e in at.get("expander")]
    assert any("\\*\\*rapport\\*\\*" in lbl and "\\!\\[b\\]" in lbl for lbl in labels), labels
    assert not any(FILE_NAME in lbl for lbl in labels)


def _csv_cells(data: bytes) -> list[str]:
    frame = pl.read_csv(data.removeprefix(b"\xef\xbb\xbf"), separator=";", infer_schema=False)
    return [v for col in frame.iter_columns() for v in col.to_list() if isinstance(v, str)]


def _assert_no_formula(cells: list[str]) -> None:
    live = [
        c for c in cells if c.startswith(FORMULA_START) and not re.fullmatch(r"[+-][\d ,.]+", c)
    ]
    assert not live, live[:5]


def test_quarantine_download_is_inert_and_round_trips(hostile_dir: tuple[Path, int]) -> None:
    folder, _batch = hostile_dir
    engine = engine_for(folder)
    rows = quarantine_rows(engine, scope=Scope(role="admin"))
    engine.dispose()
    assert rows.height >= 1
    data = quarantine_csv(rows)
    cells = _csv_cells(data)
    assert any(c.startswith("'=HYPERLINK") for c in cells), "the formula amount is neutralized"
    _assert_no_formula(cells)
    from data_access.importing.quarantine import _read_corrected

    back = _read_corrected(data)  # the re-import takes the apostrophe off again
    values = {v for col in back.iter_columns() for v in col.to_list()}
    assert '=HYPERLINK("http://127.0.0.1:9/q","q")' in values


def test_csv_and_xlsx_writers_keep_every_hostile_cell_text(hostile_dir: tuple[Path, int]) -> None:
    frame = pl.DataFrame({"leverandor": HOSTILE_NAMES, "belop": list(range(len(HOSTILE_NAMES)))})
    _assert_no_formula(_csv_cells(csv_bytes(frame)))
    book = zipfile.ZipFile(io.BytesIO(xlsx_bytes(frame)))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    strings = book.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet and "hyperlink" not in sheet.lower()  # no formula, no link
    texts = re.findall(r"<t[^>]*>(.*?)</t>", strings, re.S)
    _assert_no_formula([t.replace("&amp;", "&").replace("&quot;", '"') for t in texts])
    assert "'=cmd|' /C calc'!A0" in [t.replace("&apos;", "'") for t in texts]


# --- the app's own downloads, made from the imported corpus --------------------------------

# The corpus's formulas as an inert download holds them: behind the project's apostrophe
# (``escape.cell``). The HTML name is plain text in a spreadsheet, so it comes out unchanged.
NEUTRALIZED = {
    "'=cmd|' /C calc'!A0",
    '\'=HYPERLINK("http://127.0.0.1:9/h","klikk")',
    "'@SUM(A1) Regnskap AS",
    "'+1+1 Pluss AS",
    "'-2+3 Minus AS",
    '<a href="http://127.0.0.1:9/x">Klikk</a> AS',
}


def _live_formula(value: object) -> bool:
    """A cell a spreadsheet would run: text starting with a formula character, unless it is
    only a signed number (``escape.cell`` lets ``-1 200,50`` through: no formula fits)."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not re.fullmatch(r"[+-][\d \u00a0,.]+(e[+-]\d+)?", value)
    )


def _csv_file_cells(data: bytes) -> list[str]:
    """Every cell of a Bokmål download (``;``) as a spreadsheet reads it, title rows and
    totals included."""
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")
    return [c for row in rows for c in row]


def _xlsx_file_cells(data: bytes) -> list[object]:
    """Every cell value of every sheet; fails on a formula cell or a hyperlink."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    values: list[object] = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                assert c.hyperlink is None, (ws.title, c.coordinate, c.hyperlink)
                values.append(c.value)
    return values


@contextlib.contextmanager
def _capture_downloads(files: list[tuple[str, str, bytes]], where: list[str]) -> Iterator[None]:
    """Every CSV and XLSX download button the app draws while ``where[0]`` names the view,
    with the bytes a click would fetch: deferred data (a callable) is called inside the run,
    where the page's context is. ``st.download_button`` is bound to the main container when
    Streamlit is imported, so it is replaced as well as the method of the containers."""
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    original = DeltaGenerator.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        if where[0] and file_name and file_name.endswith((".csv", ".xlsx")):
            got = data() if callable(data) else data
            files.append((where[0], file_name, got.encode() if isinstance(got, str) else got))
        return original(self, label, data, file_name, *args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(DeltaGenerator, "download_button", spy)
    mp.setattr(st, "download_button", functools.partial(spy, st._main))
    try:
        yield
    finally:
        mp.undo()


def _assert_inert_and_reached(
    files: list[tuple[str, str, bytes]], *, kinds: tuple[str, ...] = ("csv", "xlsx")
) -> None:
    """No live formula in any cell of any file, and the corpus's names in each kind of file
    (so the check ran on them)."""
    seen: dict[str, set[str]] = {kind: set() for kind in kinds}
    for where, name, data in files:
        kind = name.rsplit(".", 1)[1]
        cells = _csv_file_cells(data) if kind == "csv" else _xlsx_file_cells(data)
        live = [c for c in cells if _live_formula(c)]
        assert not live, (where, name, live[:5])
        # A bidi override reorders a name in a spreadsheet as on a screen: dropped (escape.cell).
        spoof = [c for c in cells if isinstance(c, str) and BIDI_CONTROLS.search(c)]
        assert not spoof, (where, name, spoof[:3])
        seen[kind] |= {c for c in cells if isinstance(c, str)} & NEUTRALIZED
    for kind, found in seen.items():
        assert found == NEUTRALIZED, f"the corpus did not reach the {kind} downloads: {found}"


def test_every_csv_and_xlsx_download_on_every_page_is_inert(
    hostile_dir: tuple[Path, int],
) -> None:
    """What "Last ned" (Excel, CSV) under every chart and table, the quarantine list and the
    agreement register hand out after the corpus is imported: every page and tab (as for
    the page test above), every file built from the frame the page drew."""
    _folder, batch = hostile_dir
    files: list[tuple[str, str, bytes]] = []
    where = [""]
    with _capture_downloads(files, where):
        for script in _pages():
            at = new_app(logged_in_as="admin_t")
            at.session_state["imp_last"] = [batch]
            where[0] = ""  # the first page, before the switch: opened on its own below
            at.run()
            where[0] = script
            at.switch_page(str(ROOT / script)).run()
            for tab in [None, *(tb.label for tb in at.tabs[1:])]:
                if tab is not None:
                    where[0] = f"{script}?fane={tab}"
                    at.query_params["fane"] = tab
                    at.run()
                assert not at.exception, (where[0], at.exception)
    assert {"karantene.csv", "avtaleregister.csv"} <= {name for _w, name, _d in files}
    _assert_inert_and_reached(files)


@pytest.mark.slow
def test_quarterly_report_workbook_from_the_corpus_is_inert(
    hostile_dir: tuple[Path, int], tmp_path: Path
) -> None:
    """The Eksport page's and ``innsikt report``'s bundle (``report.build_report``, ≈ 15 s:
    it draws every chart as PNG and SVG) for the quarter holding the corpus: its workbook has
    a sheet per chart with the imported names in them, and not one live formula or link."""
    from report import ReportRequest, build_report

    folder, _batch = hostile_dir
    engine = engine_for(folder)
    try:
        result = build_report(engine, ReportRequest(quarter="2025-K1", user="admin_t"), tmp_path)
    finally:
        engine.dispose()
    with zipfile.ZipFile(result.zip_path) as bundle:
        (name,) = [n for n in bundle.namelist() if n.endswith(".xlsx")]
        assert not [n for n in bundle.namelist() if n.endswith(".csv")], "a CSV to check too"
        data = bundle.read(name)
    _assert_inert_and_reached([("kvartalsrapport", "kvartalsrapport.xlsx", data)], kinds=("xlsx",))


def test_dataframe_toolbar_download_is_off() -> None:
    """st.dataframe's own CSV download writes cells as they are: it is turned off."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
