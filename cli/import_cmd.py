"""``innsikt import`` and ``innsikt enrich``: ledger exports and register files from the terminal.

    innsikt import FILE... [--profile P] [--municipality K]
    innsikt enrich ENHETER_FILE

Progress goes to stderr; each imported file prints one summary line on stdout::

    levanger_2025q1.csv: 41 230 rader lest, 40 911 lagret (…), 12 i karantene, 307 utelatt

Exit codes of ``import`` (for scheduled jobs):

* **0** – every row of every file was stored or excluded by rule (non-purchase account,
  already imported);
* **3** – the import succeeded but rows were quarantined (see "Import og datakvalitet" or the
  quarantine list); the stored rows are committed;
* **2** – at least one file could not be imported (unreadable, required columns missing, unknown
  profile, database error); nothing from that file was stored. Other files given on the same
  command line are still imported, each in its own transaction.

``enrich`` exits 0 on success and 2 when the file cannot be read. Usage errors exit 1 (argparse
exits 2 for malformed options, before any work is done).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from data_access.importing import EXIT_FAILED, EXIT_OK, EXIT_QUARANTINED, import_file
from data_access.store import db, settings


def _engine(args: argparse.Namespace):
    from data_access.bootstrap import initialize

    engine = db.make_engine(getattr(args, "database_url", None) or settings.database_url())
    initialize(engine, with_demo=False, log=lambda m: print(m, file=sys.stderr))
    return engine


def _progress(name: str):
    last = {"pct": -1}

    def report(fraction: float, message: str) -> None:
        pct = int(fraction * 100)
        if pct != last["pct"]:
            last["pct"] = pct
            print(f"\r{name}: {pct:3d} % {message[:60]:<60}", end="", file=sys.stderr, flush=True)
        if fraction >= 1.0:
            print(file=sys.stderr)

    return report


def cmd_import(args: argparse.Namespace) -> int:  # noqa: C901 - one branch per exit code, read top to bottom
    try:
        fixed = _fixed(args.fixed or [])
    except ValueError as exc:
        print(f"FEILET – {exc}", flush=True)
        return EXIT_FAILED
    engine = _engine(args)
    code = EXIT_OK
    for path in args.files:
        name = Path(path).name
        try:
            report = import_file(
                engine,
                Path(path),
                filename=name,
                username=args.user,
                profile=args.profile,
                municipality=args.municipality,
                progress=_progress(name),
                fixed=fixed,
            )
        except OSError as exc:
            print(f"{name}: FEILET – filen kan ikke leses ({exc})", flush=True)
            code = EXIT_FAILED
            continue
        except Exception as exc:  # a DB error must give exit 2, not a traceback
            print(file=sys.stderr)
            print(f"{name}: FEILET – {type(exc).__name__}: {exc} (ingenting lagret)", flush=True)
            code = EXIT_FAILED
            continue
        print(report.summary(), flush=True)
        for line in report.details():
            print(f"  {line}", flush=True)
        for kind, examples in report.examples.items():
            for ex in examples[:3]:
                print(f"  rad {ex['rad']}: {ex['melding']}", file=sys.stderr)
            if kind in report.quarantined_by_reason and report.quarantined_by_reason[kind] > 3:
                print(f"  … {report.quarantined_by_reason[kind]} rader i alt", file=sys.stderr)
        if report.exit_code == EXIT_FAILED:
            code = EXIT_FAILED
        elif report.exit_code == EXIT_QUARANTINED and code == EXIT_OK:
            code = EXIT_QUARANTINED
    return code


def _fixed(pairs: list[str]) -> dict[str, object]:
    """``--fixed account=270 --fixed area=drift`` as a dict (checked by the profile parser)."""
    from data_access.importing.profiles import parse_fixed

    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"--fixed må ha formen felt=verdi, ikke «{pair}»")
        out[key.strip()] = value.strip()
    parse_fixed(out)
    return out


def cmd_reread(args: argparse.Namespace) -> int:
    """Re-read the art of stored lines with another account layout (no re-import)."""
    from data_access.importing.layouts import layout_from_settings
    from data_access.importing.reclassify import reread_accounts

    try:
        layout = layout_from_settings(args.layout, args.art_digits, args.class_digit)
        if layout is None:
            raise ValueError("angi --layout eller --art-digits")
        engine = _engine(args)
        with engine.begin() as conn:
            res = reread_accounts(conn, layout, batch_ids=args.batch, username=args.user)
    except ValueError as exc:
        print(f"FEILET – {exc}", flush=True)
        return EXIT_FAILED
    print(f"{res['changed']} av {res['lines']} linjer endret (kontooppsett: {layout.label})")
    return EXIT_OK


def cmd_enrich(args: argparse.Namespace) -> int:
    from data_access.importing.enrich import enrich_suppliers

    engine = _engine(args)
    try:
        report = enrich_suppliers(
            engine,
            Path(args.file),
            username=args.user,
            progress=lambda n: print(
                f"\r{n:>10} enheter lest", end="", file=sys.stderr, flush=True
            ),
        )
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        print(f"{Path(args.file).name}: FEILET – {exc}", flush=True)
        return EXIT_FAILED
    print(file=sys.stderr)
    print(f"{Path(args.file).name}: {report.summary()}", flush=True)
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``import`` and ``enrich`` to the ``innsikt`` command."""
    p = subparsers.add_parser(
        "import",
        help="importer regnskapsuttrekk (CSV/XLSX)",
        description="Importer regnskapsuttrekk. Utgangskoder: 0 alt lagret eller utelatt etter "
        "regel, 3 rader i karantene, 2 importen feilet.",
    )
    p.add_argument("files", nargs="+", metavar="FIL")
    p.add_argument(
        "--profile",
        default=None,
        help="importprofil (auto, visma, unit4, lagret navn eller sti til .toml)",
    )
    p.add_argument("--municipality", default=None, help="kommunenummer for hele filen")
    p.add_argument("--user", default="cli", help="navn i importloggen (standard: cli)")
    p.add_argument(
        "--fixed",
        action="append",
        metavar="FELT=VERDI",
        help="fast verdi for alle rader, f.eks. account=270, area=drift, ehandel=false "
        "(kan gjentas)",
    )
    p.set_defaults(func=cmd_import)

    p = subparsers.add_parser(
        "reread",
        help="les arten på nytt fra lagrede kontoer med et annet kontooppsett",
        description="Les art, utgiftsklasse, kategori og område på nytt fra de lagrede kontoene "
        "(når en fil ble lest med feil kontooppsett); ingen ny import.",
    )
    p.add_argument("--layout", choices=["art", "kontoklasse", "prefiks+kontoklasse"])
    p.add_argument("--art-digits", help='art-sifrenes plass, f.eks. "2-4"')
    p.add_argument("--class-digit", type=int, help="kontoklassens siffer, f.eks. 1")
    p.add_argument("--batch", type=int, action="append", help="bare denne importen (kan gjentas)")
    p.add_argument("--user", default="cli")
    p.set_defaults(func=cmd_reread)

    p = subparsers.add_parser(
        "enrich", help="berik leverandører fra Enhetsregisteret (JSON/CSV, gzip)"
    )
    p.add_argument("file", metavar="ENHETER_FIL")
    p.add_argument("--user", default="cli")
    p.set_defaults(func=cmd_enrich)
