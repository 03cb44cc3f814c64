"""What the report writers (PDF, PPTX) need, computed once by ``report.bundle``; its own module
so the writers and the bundle import it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass

from charts import export
from charts.registry import BuiltChart
from data_access.store.filters import Filters


@dataclass(frozen=True)
class Section:
    """One period of the report: the quarter or the year to date."""

    key: str  # "kvartal" | "hittil"
    label: str
    token: str
    filters: Filters
    charts: tuple[BuiltChart, ...]


@dataclass(frozen=True)
class ReportContent:
    """Everything the writers need, computed once."""

    title: str
    scope_text: str
    data_date: str
    data_version: int
    demo: bool
    sections: tuple[Section, ...]
    quality_notes: tuple[str, ...]
    figures: dict[str, object]

    def context(self, section: Section) -> export.Context:
        return export.Context(self.scope_text, section.label, self.data_date, self.demo)
