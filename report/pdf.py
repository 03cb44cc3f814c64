"""The report as PDF (fpdf2): title page, contents, one page per chart (headline sentence,
picture, definition), then definitions and data-quality notes.

A4 landscape, DejaVu Sans (Debian's fonts-dejavu) for every Norwegian letter and sign; without
it the core Helvetica font is used with the text reduced to Latin-1.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fpdf import FPDF

from charts.lang import tr
from report.content import ReportContent

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
PAGE_W, PAGE_H, MARGIN = 297.0, 210.0, 12.0
INK = (31, 41, 51)
GREY = (110, 120, 130)
PRIMARY = (11, 83, 148)


class _Doc(FPDF):
    footer_text = ""

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-10)
        self.set_font(self.body_font, size=8)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.safe(f"{self.footer_text} · {tr('Side', 'Page')} {self.page_no()}"))

    body_font = "Helvetica"
    unicode = False

    def safe(self, text: str) -> str:
        if self.unicode:
            return text
        table = {"−": "-", "–": "-", "—": "-", "≈": "~", "×": "x", "›": ">", "\u2009": " "}
        text = "".join(table.get(ch, ch) for ch in text)
        return text.encode("latin-1", "replace").decode("latin-1")


def _doc(content: ReportContent, created: dt.datetime) -> _Doc:
    pdf = _Doc(orientation="L", unit="mm", format="A4")
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        pdf.body_font, pdf.unicode = "DejaVu", True
    pdf.set_creation_date(created)
    pdf.set_title(content.title)
    pdf.set_author("Innkjøpsinnsikt")
    pdf.set_creator("Innkjøpsinnsikt")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=14)
    demo = f" · {tr('Demodata', 'Demo data')}" if content.demo else ""
    pdf.footer_text = f"{content.title} · {content.scope_text} · {content.data_date}{demo}"
    return pdf


def _text(pdf: _Doc, text: str, size: float, *, bold: bool = False, colour=INK, h=None) -> None:  # type: ignore[no-untyped-def]
    pdf.set_font(pdf.body_font, "B" if bold else "", size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, h or size * 0.5, pdf.safe(text), align="L", new_x="LMARGIN", new_y="NEXT")


def write_pdf(  # noqa: C901, PLR0915 - the pages of the report in reading order
    content: ReportContent, images: dict[tuple[str, str], Path], path: Path, *, created: dt.datetime
) -> None:
    pdf = _doc(content, created)

    # Title page
    pdf.add_page()
    pdf.set_y(55)
    _text(pdf, content.title, 30, bold=True, colour=PRIMARY, h=14)
    pdf.ln(4)
    _text(pdf, content.scope_text, 16, h=9)
    _text(pdf, content.data_date, 12, colour=GREY, h=7)
    for s in content.sections:
        _text(pdf, s.label, 12, colour=GREY, h=7)
    if content.demo:
        pdf.ln(4)
        _text(
            pdf,
            tr("Demodata – fiktive tall, ikke ekte regnskap.", "Demo data – fictional figures."),
            14,
            bold=True,
            colour=(198, 40, 40),
            h=8,
        )
    pdf.ln(8)
    _text(
        pdf,
        tr("Laget", "Generated")
        + f" {created:%d.%m.%Y %H:%M} UTC · "
        + tr("dataversjon", "data version")
        + f" {content.data_version}",
        10,
        colour=GREY,
        h=6,
    )

    # Contents: title (1), contents (2), then one page per chart, then the notes.
    pdf.add_page()
    _text(pdf, tr("Innhold", "Contents"), 20, bold=True, colour=PRIMARY, h=10)
    pdf.ln(2)
    page = 3
    links: list[int] = []
    for s in content.sections:
        _text(pdf, s.label, 12, bold=True, h=7)
        for c in s.charts:
            link = pdf.add_link()
            links.append(link)
            pdf.set_font(pdf.body_font, "", 10)
            pdf.set_text_color(*INK)
            pdf.cell(230, 5.5, pdf.safe(f"   {c.spec.title}"), link=link)
            pdf.cell(0, 5.5, str(page), align="R", new_x="LMARGIN", new_y="NEXT")
            page += 1
    notes_link = pdf.add_link()
    pdf.set_font(pdf.body_font, "B", 12)
    pdf.cell(
        230,
        8,
        pdf.safe(tr("Definisjoner og datakvalitet", "Definitions and data quality")),
        link=notes_link,
    )
    pdf.cell(0, 8, str(page), align="R", new_x="LMARGIN", new_y="NEXT")

    # One page per chart
    i = 0
    for s in content.sections:
        for c in s.charts:
            pdf.add_page()
            pdf.set_link(links[i])
            i += 1
            _text(pdf, f"{s.label} · {c.spec.title}", 10, colour=GREY, h=5)
            pdf.ln(1)
            _text(pdf, c.headline, 18, bold=True, colour=PRIMARY, h=9)
            pdf.ln(2)
            img = images[(s.key, c.spec.id)]
            fig_h = float(c.figure.layout.height or 450)
            box_w, box_h = PAGE_W - 2 * MARGIN, 118.0
            w = min(box_w, box_h * 1200.0 / max(fig_h, 500.0))
            pdf.image(str(img), x=MARGIN + (box_w - w) / 2, w=w)
            pdf.ln(2)
            _text(pdf, c.spec.definition, 9, colour=GREY, h=4.5)

    # Definitions and data quality
    pdf.add_page()
    pdf.set_link(notes_link)
    _text(pdf, tr("Definisjoner", "Definitions"), 16, bold=True, colour=PRIMARY, h=9)
    seen: set[str] = set()
    for s in content.sections:
        for c in s.charts:
            if c.spec.id in seen:
                continue
            seen.add(c.spec.id)
            _text(pdf, c.spec.title, 10, bold=True, h=5.5)
            _text(pdf, c.spec.definition, 9, h=4.5)
            pdf.ln(1)
    pdf.ln(3)
    _text(pdf, tr("Datakvalitet", "Data quality"), 16, bold=True, colour=PRIMARY, h=9)
    for note in content.quality_notes:
        _text(pdf, "• " + note, 9, h=4.8)
    pdf.output(str(path))
