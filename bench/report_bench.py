"""Benchmark: ``innsikt report`` (the quarterly bundle) at a realistic data size.

Run: ``uv run python bench/report_bench.py --size 1.0`` (size 1.0 ≈ 150 000 lines a year,
2019 → last full quarter ≈ 1.1 M ledger lines). Builds a demo database in a temporary folder
(or reuses ``--db``), then times the whole report and its phases from the progress log. Every
number is measured in this run on this machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from data_access import demo
from data_access.store import schema
from data_access.store.db import make_engine, migrate
from report import ReportRequest, build_report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=float, default=1.0)
    parser.add_argument("--quarter", default="2025-K3")
    parser.add_argument("--db", help="an existing database file to reuse (SQLite path)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.sqlite"
        engine = make_engine(f"sqlite:///{path}")
        if not args.db or not path.exists():
            migrate(engine)
            t = time.perf_counter()
            with engine.begin() as conn:
                demo.generate(conn, size=args.size, today=dt.date(2026, 11, 25))
            print(f"demo data (size {args.size}) built in {time.perf_counter() - t:.1f} s")
        else:
            migrate(engine)
        with engine.connect() as conn:
            lines = conn.execute(
                sa.select(sa.func.count()).select_from(schema.ledger_line)
            ).scalar()
        marks: list[tuple[float, str]] = []
        start = time.perf_counter()

        def progress(message: str, _fraction: float) -> None:
            marks.append((time.perf_counter() - start, message))

        result = build_report(
            engine, ReportRequest(quarter=args.quarter), Path(tmp) / "out", progress=progress
        )
        total = time.perf_counter() - start
        computed = max(t for t, m in marks if m.startswith("beregnet"))
        first_image = min(t for t, m in marks if m.endswith(".png"))
        images_done = max(t for t, m in marks if m.endswith((".png", ".svg")))
        pdf = next(t for t, m in marks if m.endswith("rapport.pdf"))
        pptx = next(t for t, m in marks if m.endswith("presentasjon.pptx"))
        n_images = len([m for _t, m in marks if m.endswith((".png", ".svg"))])
        print(f"ledger lines: {lines:,}")
        print(f"report {args.quarter} (quarter + year to date, {n_images} images): {total:.1f} s")
        print(f"  load cube + compute every chart:      {computed:6.1f} s")
        print(f"  XLSX + JSON, start the image browser: {first_image - computed:6.1f} s")
        print(f"  PNG + SVG images:                     {images_done - first_image:6.1f} s")
        print(f"  PDF:                                  {pdf - images_done:6.1f} s")
        print(
            f"  PPTX + manifest + zip:                {total - pdf:6.1f} s  (pptx at {pptx:.1f} s)"
        )
        print(f"  zip: {result.zip_path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
