"""The quarterly report bundle (PDF, PPTX, PNG/SVG, XLSX, manifest), shared by the
``innsikt report`` command and the Eksport page. No Streamlit here."""

from report.bundle import ReportError, ReportRequest, ReportResult, build_report

__all__ = ["ReportError", "ReportRequest", "ReportResult", "build_report"]
