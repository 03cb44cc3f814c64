"""``innsikt report``: the quarterly report bundle from the command line.

    innsikt report --quarter 2025-K3 [--municipality K …] [--lang en] [--user NAME] --out DIR

One log line per artefact on stderr, no prompts; exit code 0 on success, 1 for a request that
cannot be served (message on stderr), 2 when writing the bundle failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from data_access.store import db, settings
from report import ReportError, ReportRequest, build_report


def cmd_report(args: argparse.Namespace) -> int:
    engine = db.make_engine(args.database_url or settings.database_url())
    req = ReportRequest(
        quarter=args.quarter,
        municipalities=tuple(sorted(set(args.municipality or []))),
        lang=args.lang,
        user=args.user,
        area=args.area,
    )
    started = time.perf_counter()

    def log(message: str, fraction: float) -> None:
        print(
            f"[{time.perf_counter() - started:6.1f} s] {fraction * 100:3.0f} % {message}",
            file=sys.stderr,
        )

    try:
        result = build_report(engine, req, Path(args.out), progress=log)
    except ReportError:
        raise
    except (OSError, RuntimeError) as exc:
        print(f"Feil: rapporten kunne ikke skrives: {exc}", file=sys.stderr)
        return 2
    print(result.zip_path)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="kvartalsrapport: PDF, PowerPoint, bilder og Excel i en zip")
    p.add_argument("--quarter", required=True, help="kvartal, f.eks. 2025-K3")
    p.add_argument("--municipality", action="append", help="dagens kommunenummer, kan gjentas")
    p.add_argument("--lang", choices=["nb", "en"], default="nb", help="språk (nb eller en)")
    p.add_argument("--user", help="lag rapporten med denne brukerens tilgang")
    p.add_argument("--area", choices=["drift", "investering", "alle"], default="drift")
    p.add_argument("--out", required=True, help="mappe rapporten skrives i")
    p.set_defaults(func=cmd_report)
