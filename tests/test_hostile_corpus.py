"""Issue 11, findings 3, 4 and 5: a hostile-string corpus imported, then every page (AppTest)
and every download checked for live markup or formulas."""

from __future__ import annotations

import io
import re
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from data_access.importing.quarantine import quarantine_csv, quarantine_rows
from data_access.store.escape import FORMULA_START, csv_bytes, xlsx_bytes
from data_access.store.scope import Scope
from tests.conftest import ROOT, new_app
from tests.hostile import (
    FILE_NAME,
    HOSTILE_NAMES,
    build_hostile_dir,
    engine_for,
    plotly_strings,
)

# Unescaped Markdown/HTML/LaTeX that would render: a "<" or "$" not preceded by a backslash,
# a Markdown link or image.
LIVE_MD = [
    re.compile(r"(?<!\\)<(a |b>|script|img)"),
    re.compile(r"\]\(http"),
    re.compile(r"!\[[^\]]*\]\("),
    re.compile(r"(?<!\\)\$\\frac"),
    re.compile(r"(?<!\\)\*\*(Fet|rapport)\*\*"),
]
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


def test_dataframe_toolbar_download_is_off() -> None:
    """st.dataframe's own CSV download writes cells as they are: it is turned off."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
