"""The report as a PowerPoint deck (python-pptx): a title slide, then one chart per slide as a
picture with the headline sentence as the slide title and the definition in the speaker notes.
16:9 (13.333 × 7.5 in)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from charts.lang import tr
from report.content import ReportContent

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
PRIMARY = RGBColor(0x0B, 0x53, 0x94)
GREY = RGBColor(0x6E, 0x78, 0x82)


def _footer(slide, text: str) -> None:  # type: ignore[no-untyped-def]
    box = slide.shapes.add_textbox(
        Inches(0.4), HEIGHT - Inches(0.45), WIDTH - Inches(0.8), Inches(0.35)
    )
    p = box.text_frame.paragraphs[0]
    p.text = text
    p.font.size = Pt(11)
    p.font.color.rgb = GREY


def write_pptx(
    content: ReportContent, images: dict[tuple[str, str], Path], path: Path, *, created: dt.datetime
) -> None:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    props = prs.core_properties
    props.title = content.title
    props.author = "Innkjøpsinnsikt"
    props.created = props.modified = created.replace(tzinfo=None)
    demo = f" · {tr('Demodata', 'Demo data')}" if content.demo else ""
    footer = f"{content.scope_text} · {content.data_date}{demo}"

    title_layout, blank_title = prs.slide_layouts[0], prs.slide_layouts[5]
    s = prs.slides.add_slide(title_layout)
    s.shapes.title.text = content.title
    s.shapes.title.text_frame.paragraphs[0].font.color.rgb = PRIMARY
    sub = s.placeholders[1]
    sub.text = f"{content.scope_text}\n{content.data_date}{demo}"
    for shape, top, height in ((s.shapes.title, 2.0, 1.5), (sub, 3.7, 1.6)):
        # The default template is 4:3: stretch its placeholders across the 16:9 slide.
        shape.left, shape.width = Inches(0.8), WIDTH - Inches(1.6)
        shape.top, shape.height = Inches(top), Inches(height)

    for section in content.sections:
        for c in section.charts:
            slide = prs.slides.add_slide(blank_title)
            title = slide.shapes.title
            title.left, title.top = Inches(0.4), Inches(0.25)
            title.width, title.height = WIDTH - Inches(0.8), Inches(1.0)
            title.text = c.headline
            para = title.text_frame.paragraphs[0]
            para.font.size = Pt(28)
            para.font.bold = True
            para.font.color.rgb = PRIMARY
            fig_h = float(c.figure.layout.height or 450)
            ratio = max(fig_h, 500.0) / 1200.0
            box_w, box_h = WIDTH - Inches(0.8), HEIGHT - Inches(2.0)
            w = min(box_w, Emu(int(box_h / ratio)))
            h = Emu(int(w * ratio))
            slide.shapes.add_picture(
                str(images[(section.key, c.spec.id)]),
                int((WIDTH - w) / 2),
                Inches(1.35),
                width=w,
                height=h,
            )
            _footer(slide, f"{section.label} · {c.spec.title} · {footer}")
            slide.notes_slide.notes_text_frame.text = (
                f"{c.spec.title} ({section.label}). {c.spec.definition}"
            )
    prs.save(str(path))
