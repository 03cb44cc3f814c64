"""``innsikt report``: every artefact, PDF/PPTX structure, XLSX totals = ``innsikt figures``,
no other municipality's rows for a kommune user, identical data files for identical arguments."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from pptx import Presentation
from pypdf import PdfReader

from charts.export import xlsx_sheet_totals
from charts.registry import CHARTS
from cli import main
from tests.conftest import SPURIOUS_LEVANGER_ORE

pytestmark = pytest.mark.slow
QUARTER = "2025-K2"  # holds the planted Levanger line (15 June 2025)


def _url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _run(engine: sa.Engine, out: Path, *extra: str) -> Path:
    rc = main(
        ["--database-url", _url(engine), "report", "--quarter", QUARTER, "--out", str(out), *extra]
    )
    assert rc == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


@pytest.fixture(scope="module")
def office_report(sqlite_engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(sqlite_engine, tmp_path_factory.mktemp("report_office"))


@pytest.fixture(scope="module")
def verdal_reports(
    sqlite_engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    a = _run(sqlite_engine, tmp_path_factory.mktemp("report_verdal_a"), "--user", "verdal")
    b = _run(sqlite_engine, tmp_path_factory.mktemp("report_verdal_b"), "--user", "verdal")
    return a, b


def test_every_artefact_is_written_and_listed_in_the_manifest(office_report: Path) -> None:
    n = len(CHARTS) * 2  # the quarter and the year to date
    files = {
        p.relative_to(office_report).as_posix() for p in office_report.rglob("*") if p.is_file()
    }
    assert {
        "rapport.pdf",
        "presentasjon.pptx",
        "manifest.json",
        "data/kvartalsrapport.xlsx",
    } <= files
    assert len([f for f in files if f.endswith(".png")]) == n
    assert len([f for f in files if f.endswith(".svg")]) == n
    manifest = json.loads((office_report / "manifest.json").read_text())
    assert manifest["quarter"] == QUARTER and manifest["language"] == "nb"
    assert manifest["period"]["kvartal"]["start"] == "2025-04-01"
    assert manifest["period"]["hittil"] == {
        "label": "Hittil i år (jan–jun 2025)",
        "start": "2025-01-01",
        "end": "2025-06-01",
    }
    assert isinstance(manifest["data_version"], int)
    import hashlib

    for name, meta in manifest["files"].items():
        assert hashlib.sha256((office_report / name).read_bytes()).hexdigest() == meta["sha256"]
    assert set(manifest["files"]) == files - {"manifest.json"}
    with zipfile.ZipFile(office_report.with_suffix(".zip")) as z:
        assert {n.split("/", 1)[1] for n in z.namelist()} == files


def test_pdf_has_a_page_per_chart_carrying_its_text(office_report: Path) -> None:
    reader = PdfReader(office_report / "rapport.pdf")
    n = len(CHARTS) * 2
    assert len(reader.pages) == 2 + n + 1  # title, contents, charts, definitions
    assert "Kvartalsrapport 2025 K2" in reader.pages[0].extract_text()
    assert "Innhold" in reader.pages[1].extract_text()
    for i, spec in enumerate(CHARTS * 2):
        text = reader.pages[2 + i].extract_text()
        assert spec.title in text.replace("\n", " ")
        assert spec.definition_nb[:40] in text.replace("\n", " ")
    first_chart = reader.pages[2].extract_text()
    assert re.search(r"kjøpte mest: [\d ,]+ (mill\.|mrd\.) kr", first_chart)
    last = reader.pages[-1].extract_text()
    assert "Definisjoner" in last and "Datakvalitet" in last


def test_pptx_has_one_picture_per_chart_slide(office_report: Path) -> None:
    prs = Presentation(str(office_report / "presentasjon.pptx"))
    slides = list(prs.slides)
    assert len(slides) == 1 + len(CHARTS) * 2
    for slide, spec in zip(slides[1:], CHARTS * 2, strict=True):
        pictures = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert len(pictures) == 1
        assert slide.shapes.title.text  # the headline sentence
        assert spec.definition_nb[:40] in slide.notes_slide.notes_text_frame.text


def _expected(fig: dict, chart_id: str) -> float:
    h, a = fig["headline"], fig["analysis"]
    return {
        "kommuner": h["spend"],
        "kategorier": h["spend"],
        "kvartal": h["spend"],
        "kommune_kategori": h["spend"],
        "regionalt": h["spend"],
        "leverandorer": a["suppliers"]["amount"],
        "hhi": a["suppliers"]["amount"],
        "gevinst": fig["savings"]["realized"],
        "utenfor_avtale": h["spend"] * (1 - h["contract_coverage"]),
        # The top 10 opportunities' estimated potential (kroner-rounded each in the JSON).
        "muligheter": sum(o["potential_nok"] for o in fig["opportunities"]),
    }[chart_id]


def test_every_xlsx_sheet_total_equals_innsikt_figures(
    office_report: Path, sqlite_engine: sa.Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    totals = xlsx_sheet_totals((office_report / "data" / "kvartalsrapport.xlsx").read_bytes())
    assert len(totals) == len(CHARTS) * 2
    for period, tag in ((QUARTER, "K"), ("2025-01_2025-06", "ÅTD")):
        capsys.readouterr()
        assert (
            main(["--database-url", _url(sqlite_engine), "figures", "--period", period, "--json"])
            == 0
        )
        fig = json.loads(capsys.readouterr().out)
        for i, spec in enumerate(CHARTS, 1 if tag == "K" else len(CHARTS) + 1):
            sheet = f"{i:02d} {spec.id} {tag}"[:28]
            tol = 6.0 if spec.id == "muligheter" else 1.0
            assert totals[sheet] == pytest.approx(_expected(fig, spec.id), abs=tol), sheet


def _texts(folder: Path) -> dict[str, str]:
    """Every artefact as searchable text (PDF text, the XML inside XLSX/PPTX, SVG, JSON)."""
    out: dict[str, str] = {}
    for p in folder.rglob("*"):
        if p.suffix == ".pdf":
            out[p.name] = " ".join(page.extract_text() for page in PdfReader(p).pages)
        elif p.suffix in (".xlsx", ".pptx"):
            with zipfile.ZipFile(p) as z:
                out[p.name] = " ".join(
                    z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")
                )
        elif p.suffix in (".svg", ".json"):
            out[p.name] = p.read_text(encoding="utf-8")
    return out


KR = SPURIOUS_LEVANGER_ORE // 100  # 987 654 321 kr
# 987 654 321 kr in every way a number is written here: digits with any separator, the øre, and
# as mill. kr (987,7 / 987.7 — not part of a longer number such as an SVG coordinate).
FOREIGN = re.compile(
    r"987[\s\u00a0\u202f.,]?654[\s\u00a0\u202f.,]?321|(?<![\d.])987[,.]7(?!\d)|98765432100"
)


def test_the_planted_levanger_amount_is_found_in_the_office_report(office_report: Path) -> None:
    assert KR == 987_654_321
    found = [name for name, text in _texts(office_report).items() if FOREIGN.search(text)]
    assert "kvartalsrapport.xlsx" in found and "rapport.pdf" in found  # the search works


def test_a_kommune_report_has_no_other_municipality(verdal_reports: tuple[Path, Path]) -> None:
    folder = verdal_reports[0]
    texts = _texts(folder)
    assert len(texts) == len(CHARTS) * 2 + 5  # SVGs, PDF, PPTX, XLSX, JSON, manifest
    for name, text in texts.items():
        assert not FOREIGN.search(text), name
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["scope"]["text"].startswith("Verdal")
    import openpyxl

    wb = openpyxl.load_workbook(folder / "data" / "kvartalsrapport.xlsx", read_only=True)
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(min_row=5, values_only=True))
        heads = list(rows[0])
        if "Kommune" in heads:
            col = heads.index("Kommune")
            assert {r[col] for r in rows[1:] if r[col] and not str(r[0]).startswith("Sum")} <= {
                "Verdal",
                None,
            }, ws.title
    figs = json.loads((folder / "data" / "nokkeltall.json").read_text())
    # Measured against Verdal's part of the target, never the cooperation's 7,5 mill. kr.
    assert 0 < figs["kvartal"]["savings"]["target_share"] < 0.5
    assert figs["kvartal"]["savings"]["period_target"] < 7.5e6 / 4 * 0.5


def _muligheter_sheet(folder: Path, tag: str) -> dict[str, tuple]:
    """Category → (potential, addressable 12 months, members, members total) of the report's
    Muligheter sheet for the quarter (``K``) or the year to date (``ÅTD``)."""
    import openpyxl

    wb = openpyxl.load_workbook(folder / "data" / "kvartalsrapport.xlsx", read_only=True)
    (ws,) = [w for w in wb.worksheets if w.title.endswith(f"muligheter {tag}")]
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    heads = list(rows[0])
    col = {h: heads.index(h) for h in heads if h}
    out = {}
    for r in rows[1:]:
        if r[col["Kategori"]] is None:
            continue
        out[r[col["Kategori"]]] = (
            r[col["Anslått potensial (kr, anslag)"]],
            r[col["Utenfor avtale siste 12 mnd. (kr)"]],
            r[col["Kommuner som kjøper"]],
            r[col["Medlemmer"]],
        )
    return out


def test_the_muligheter_sheet_equals_innsikt_figures_per_category(
    office_report: Path, sqlite_engine: sa.Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = _muligheter_sheet(office_report, "K")
    capsys.readouterr()
    args = ["--database-url", _url(sqlite_engine), "figures", "--period", QUARTER, "--json"]
    assert main(args) == 0
    opps = json.loads(capsys.readouterr().out)["opportunities"]
    assert len(opps) == min(10, len(sheet)) and opps
    for o in opps:
        potential, addressable, members, _total = sheet[o["category"]]
        assert potential == pytest.approx(o["potential_nok"], abs=0.5), o["category"]
        assert addressable == pytest.approx(o["addressable_12m_nok"], abs=0.5)
        assert members == o["members"]


def test_a_kommune_muligheter_sheet_carries_only_its_own_amounts(
    office_report: Path,
    verdal_reports: tuple[Path, Path],
    sqlite_engine: sa.Engine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    office = _muligheter_sheet(office_report, "K")
    verdal = _muligheter_sheet(verdal_reports[0], "K")
    assert verdal
    capsys.readouterr()
    args = ["--database-url", _url(sqlite_engine), "figures", "--period", QUARTER, "--json"]
    assert main([*args, "--user", "verdal"]) == 0
    opps = json.loads(capsys.readouterr().out)["opportunities"]
    for o in opps:  # Verdal's own figures, as `innsikt figures --user verdal` gives them
        assert verdal[o["category"]][0] == pytest.approx(o["potential_nok"], abs=0.5)
    assert sum(v[1] for v in verdal.values()) < sum(v[1] for v in office.values())
    for category, (_pot, addressable, members, total) in verdal.items():
        assert addressable <= office[category][1] + 0.5, category  # a part, never more
        assert (members, total) == office[category][2:]  # counts stay the cooperation's
    assert any(v[2] > 1 for v in verdal.values())  # ... so more than Verdal alone buys


def test_same_arguments_give_identical_data_files(verdal_reports: tuple[Path, Path]) -> None:
    a, b = verdal_reports
    for rel in ("data/kvartalsrapport.xlsx", "data/nokkeltall.json"):
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    ma, mb = (json.loads((p / "manifest.json").read_text()) for p in (a, b))
    for rel in ("data/kvartalsrapport.xlsx", "data/nokkeltall.json"):
        assert ma["files"][rel]["sha256"] == mb["files"][rel]["sha256"]


def test_report_refuses_bad_requests(
    sqlite_engine: sa.Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _url(sqlite_engine)
    assert (
        main(["--database-url", url, "report", "--quarter", "2025-5", "--out", str(tmp_path)]) == 1
    )
    assert "ugyldig kvartal" in capsys.readouterr().err
    args = ["--database-url", url, "report", "--quarter", QUARTER, "--out", str(tmp_path)]
    assert main([*args, "--user", "verdal", "--municipality", "5037"]) == 1
    assert "utenfor tilgangen" in capsys.readouterr().err
    assert main([*args, "--user", "finnes_ikke"]) == 1
    assert (
        main(["--database-url", url, "report", "--quarter", "2031-K1", "--out", str(tmp_path)]) == 1
    )
    assert not any(tmp_path.iterdir())  # nothing half-written


# --- issue 12 point 6: ``--lang en`` gives English everywhere in the report -----------------

#: Words that only a bokmål report writes (data values — names of suppliers, categories and
#: agreements from the demo register — are Norwegian in both languages and not checked).
BOKMAL_ONLY = re.compile(
    r"\b(Kommune|Kommuner|Leverandør|Leverandører|Beløp|Andel|Kvartal|Kvartalsrapport|Innhold"
    r"|Definisjoner|Datakvalitet|Hittil|Innkjøp|Realisert|Forventet|Anslått|kjøpte|mest"
    r"|januar|februar|mars|april|mai|juni|juli|august|oktober|desember|okt|des)\b"
    r"|mill\. kr|mrd\. kr|\d K[1-4]\b"
)


@pytest.fixture(scope="module")
def english_report(sqlite_engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(sqlite_engine, tmp_path_factory.mktemp("report_en"), "--lang", "en")


def test_english_report_has_no_bokmal_in_pdf_xlsx_headings_and_slide_titles(
    english_report: Path,
) -> None:
    import openpyxl

    manifest = json.loads((english_report / "manifest.json").read_text())
    assert manifest["language"] == "en"
    reader = PdfReader(english_report / "rapport.pdf")
    assert "Quarterly report 2025 Q2" in reader.pages[0].extract_text()
    for i, page in enumerate(reader.pages):
        # the report's own text; data values (supplier, category and agreement names) aside
        text = page.extract_text().replace("\n", " ")
        found = BOKMAL_ONLY.findall(text)
        assert not found, f"PDF page {i + 1}: {found} in {text[:300]!r}"
    wb = openpyxl.load_workbook(english_report / "data" / "kvartalsrapport.xlsx", read_only=True)
    by_title = {spec.title_en: spec for spec in CHARTS}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(min_row=1, max_row=5, values_only=True))
        title, context, headline = rows[0][0], rows[1][0], rows[2][0]
        headings = [h for h in rows[4] if h]
        spec = by_title[title]  # the chart's English title
        assert headings and set(headings) <= {c.en for c in spec.columns}, (ws.title, headings)
        words = f"{title} {context} {headline}"
        assert not BOKMAL_ONLY.search(words), (ws.title, words)
        cells = [v for r in ws.iter_rows(min_row=6, values_only=True) for v in r if v]
        texts = [v for v in cells if isinstance(v, str)]
        assert not [v for v in texts if BOKMAL_ONLY.search(v)], ws.title  # labels, reasons …
        if "Reasons" in headings:
            reasons = [
                r[headings.index("Reasons")] for r in ws.iter_rows(min_row=6, values_only=True)
            ]
            assert any(re.match(r"\d+ of \d+ municipalities buy", str(v)) for v in reasons)
    prs = Presentation(str(english_report / "presentasjon.pptx"))
    for n, slide in enumerate(prs.slides, 1):
        title = slide.shapes.title.text if slide.shapes.title else ""
        assert title and not BOKMAL_ONLY.search(title), f"slide {n}: {title!r}"
