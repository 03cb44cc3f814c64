"""Files made from a chart: PNG and SVG of the figure, CSV and XLSX of the frame that drew it.

Pure (no Streamlit), shared by the per-chart downloads and ``innsikt report``. Spreadsheets get
a title row (chart, scope, period, data date), user-facing headings, numbers as numbers with
Norwegian (or English) formats, a total row where the chart has one, and every text cell
neutralized (``data_access.store.escape.cell``) so a spreadsheet never runs a supplier name as a formula.
The XLSX is deterministic: fixed document properties and timestamps, so the same data give the
same bytes.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
import xlsxwriter

from charts.lang import current, tr
from charts.registry import CHARTS, BuiltChart, Column, shown
from data_access.store.escape import cell, safe_cells

PNG_WIDTH, PNG_HEIGHT_MIN = 1200, 500
# Spreadsheet number formats; the codes are locale-free, Excel shows them with the reader's
# separators (a Norwegian Excel: 1 234 567 kr, 12,5 %).
XLSX_FORMATS = {
    "kr": '#,##0 "kr"',
    "pct": "0.0 %",
    "int": "#,##0",
    "num": "#,##0.0",
}
XLSX_FORMATS_EN = {**XLSX_FORMATS, "kr": '"NOK "#,##0', "pct": "0.0%"}
FIXED_TIME = dt.datetime(2000, 1, 1)


@dataclass(frozen=True)
class Context:
    """What a file states about its data: scope (municipalities, categories, area), period
    and the date the data reach."""

    scope: str
    period: str
    data_date: str
    demo: bool = False

    def line(self) -> str:
        parts = [self.period, self.scope, self.data_date]
        if self.demo:
            parts.append(tr("Demodata", "Demo data"))
        return " · ".join(p for p in parts if p)


# --- images ------------------------------------------------------------------------------


@contextlib.contextmanager
def image_server() -> Iterator[None]:
    """One kaleido browser for many images (≈ 0.3 s each instead of ≈ 3 s); stopped after.

    kaleido (and openpyxl below) are imported where used: a page run that never makes an
    image would otherwise pay ≈ 0,3 s of imports at the server's first run."""
    import kaleido

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kaleido.start_sync_server(silence_warnings=True)
    try:
        yield
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kaleido.stop_sync_server(silence_warnings=True)


def _size(fig: go.Figure) -> tuple[int, int]:
    height = fig.layout.height or 450
    return PNG_WIDTH, max(PNG_HEIGHT_MIN, int(height))


def png(fig: go.Figure, scale: float = 2.0) -> bytes:
    """PNG at 2× scale (sharp on a projector and in slides)."""
    width, height = _size(fig)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bytes(fig.to_image(format="png", width=width, height=height, scale=scale))


def svg(fig: go.Figure) -> bytes:
    width, height = _size(fig)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bytes(fig.to_image(format="svg", width=width, height=height))


# --- spreadsheets ------------------------------------------------------------------------


def _columns(chart: BuiltChart) -> list[Column]:
    return [c for c in chart.spec.columns if c.name in chart.frame.columns]


def _csv_number(value: object, kind: str) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return tr("ja", "yes") if value else tr("nei", "no")
    if isinstance(value, int | float):
        text = f"{value:.2f}" if kind == "kr" else (f"{value:.6g}" if kind != "int" else str(value))
        return text.replace(".", ",") if current() == "nb" else text
    return cell(value)


def to_csv(chart: BuiltChart, ctx: Context) -> bytes:
    """CSV of the chart's frame: a title row, a scope row, headings, data, the total.

    Bokmål: ``;`` between fields and decimal comma (what a Norwegian Excel opens directly);
    English: ``,`` and decimal point. UTF-8 with BOM so Excel reads the letters right."""
    cols = _columns(chart)
    out = io.StringIO()
    w = csv.writer(out, delimiter=";" if current() == "nb" else ",", lineterminator="\r\n")
    w.writerow([cell(chart.spec.title)])
    w.writerow([cell(ctx.line())])
    w.writerow([c.heading for c in cols])
    safe = safe_cells(shown(chart.spec.columns, chart.frame))
    for row in safe.iter_rows():
        w.writerow([_csv_number(v, c.kind) for v, c in zip(row, cols, strict=True)])
    if chart.total is not None:
        w.writerow([tr(chart.spec.total_nb, chart.spec.total_en), _csv_number(chart.total, "kr")])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28].strip() or "Ark"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:25]} {n}"
        n += 1
    used.add(name.lower())
    return name


def to_xlsx(charts: Sequence[BuiltChart], ctx: Context, *, title: str = "") -> bytes:
    """One workbook, a sheet per chart (same layout as the CSV), numbers as numbers with
    number formats, deterministic bytes (fixed properties and timestamps)."""
    return _workbook([(c, ctx) for c in charts], title, None)


def to_xlsx_sections(
    groups: Sequence[tuple[Context, Sequence[BuiltChart]]],
    *,
    title: str = "",
    sheet_names: Sequence[str] | None = None,
) -> bytes:
    """As :func:`to_xlsx` for charts of several periods (each group has its own context)."""
    return _workbook([(c, ctx) for ctx, charts in groups for c in charts], title, sheet_names)


def _workbook(
    items: Sequence[tuple[BuiltChart, Context]], title: str, names: Sequence[str] | None
) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    wb.set_properties(
        {"title": title or "Innkjøpsinnsikt", "author": "Innkjøpsinnsikt", "created": FIXED_TIME}
    )
    formats = XLSX_FORMATS_EN if current() == "en" else XLSX_FORMATS
    bold = wb.add_format({"bold": True})
    big = wb.add_format({"bold": True, "font_size": 14})
    number = {k: wb.add_format({"num_format": v}) for k, v in formats.items()}
    total_fmt = wb.add_format({"bold": True, "num_format": formats["kr"], "top": 1})
    used: set[str] = set()
    for n, (chart, ctx) in enumerate(items):
        ws = wb.add_worksheet(_sheet_name(names[n] if names else chart.spec.title, used))
        cols = _columns(chart)
        ws.write_string(0, 0, str(cell(chart.spec.title)), big)
        ws.write_string(1, 0, str(cell(ctx.line())))
        ws.write_string(2, 0, str(cell(chart.headline)))
        for j, c in enumerate(cols):
            ws.write_string(4, j, c.heading, bold)
            ws.set_column(j, j, 28 if c.kind == "text" else 14)
        frame = shown(chart.spec.columns, chart.frame)
        for i, row in enumerate(frame.iter_rows(), start=5):
            for j, (value, c) in enumerate(zip(row, cols, strict=True)):
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(i, j, value)
                elif isinstance(value, int | float):
                    # Rounded (øre for amounts) so parallel float sums that differ in the last
                    # bits still give the same file.
                    digits = 2 if c.kind == "kr" else 8
                    ws.write_number(
                        i, j, round(float(value), digits), number.get(c.kind, number["num"])
                    )
                else:
                    ws.write_string(i, j, str(cell(str(value))))
        if chart.total is not None:
            i = 5 + frame.height
            ws.write_string(i, 0, tr(chart.spec.total_nb, chart.spec.total_en), bold)
            col = next((j for j, c in enumerate(cols) if c.kind == "kr"), max(len(cols) - 1, 1))
            ws.write_number(i, col, round(float(chart.total), 2), total_fmt)
        ws.freeze_panes(5, 0)
    wb.close()
    return buf.getvalue()


def file_stem(chart_id: str, token: str) -> str:
    """``innkjop_kommuner_2025-K3`` — safe in every file system."""
    return f"innkjop_{chart_id}_{token}".replace("/", "-").replace(" ", "_")


def xlsx_sheet_totals(data: bytes) -> dict[str, float]:
    """Sheet name → the number in its total row (for tests and checks; reads with openpyxl)."""
    import openpyxl

    labels = {c.total_nb for c in CHARTS} | {c.total_en for c in CHARTS}
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    out: dict[str, float] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=6, values_only=True):
            if row and row[0] in labels:
                out[ws.title] = float(next(v for v in row[1:] if isinstance(v, int | float)))
    return out
