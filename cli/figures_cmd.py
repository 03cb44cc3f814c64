"""``innsikt figures``: the dashboard's figures on the terminal or as JSON.

The numbers come from the same functions as the pages (``data_access.metrics``), on the same
cube and filters, so the CLI, the pages and the exports agree.
"""

from __future__ import annotations

import argparse
import json
import sys

import polars as pl

from data_access import db, settings
from data_access.agreements import load_agreements, load_parties, savings_target
from data_access.cube import load_cube
from data_access.filters import Filters, period_range
from data_access.metrics import overview
from data_access.metrics.analysis import analysis_figures
from data_access.metrics.coverage import agreement_figures
from data_access.metrics.savings import savings_factors
from data_access.metrics.savings_summary import savings_summary, target_share_from_db
from data_access.metrics.thresholds import load_thresholds
from data_access.population import load_population
from data_access.scope import Scope
from data_access.users import scope_for


def figures(  # type: ignore[no-untyped-def]
    engine,
    token: str,
    municipalities: list[str],
    area: str,
    scope: Scope | None = None,
    cube: pl.DataFrame | None = None,
) -> dict[str, object]:
    """All figures for a period token and municipality selection, as a JSON-ready dict,
    computed on what ``scope`` may see (default: everything, for the operator). ``cube``: the
    scope's cube when the caller has it already (the report)."""
    scope = scope or Scope.everything()
    if cube is None:
        cube = load_cube(engine, scope)
    if cube.height == 0:
        raise LookupError("databasen har ingen regnskapslinjer")
    rng = period_range(token, cube["month"].min(), cube["month"].max())
    if rng is None:
        raise ValueError(f"ingen data for perioden {token}")
    known = set(cube["municipality_now"].unique().to_list())
    unknown = set(municipalities) - known
    if unknown:
        raise ValueError(f"ukjent kommunenummer {', '.join(sorted(unknown))}")
    f = Filters(rng[0], rng[1], tuple(sorted(municipalities)), (), area)
    with engine.connect() as conn:
        agreements = load_agreements(conn)
        thresholds = load_thresholds(conn)
        target = savings_target(conn)
        parties, participants = load_parties(conn)
        population = load_population(conn)
    in_view = frozenset(f.municipalities) if f.municipalities else scope.municipalities
    # A kommune view is measured against the member's part of the target (PRODUCT §4).
    share = target_share_from_db(engine, f, in_view)
    h = overview.headline(cube, f, savings_factors(agreements), target * share)
    out: dict[str, object] = {
        "period": {"token": token, "start": f.start.isoformat(), "end": f.end.isoformat()},
        "municipalities": list(f.municipalities) or "alle",
        "area": area,
        "headline": h.as_dict(),
    }
    out["analysis"] = analysis_figures(cube, f)
    out["agreements"] = agreement_figures(cube, f, agreements, thresholds, yearly_target_nok=target)
    out["savings"] = savings_summary(
        cube,
        f,
        agreements=agreements,
        parties=parties,
        participants=participants,
        population=population,
        yearly_target=target,
        in_view=in_view,
        share_of_target=share,
    ).as_dict()
    return out


def cmd_figures(args: argparse.Namespace) -> int:
    engine = db.make_engine(args.database_url or settings.database_url())
    token = args.period or (f"{args.year}-K{args.quarter}" if args.quarter else str(args.year))
    scope = None
    if args.user:
        scope = scope_for(engine, args.user)
        if scope is None:
            raise LookupError(f"ukjent eller deaktivert bruker {args.user}")
    result = figures(engine, token, args.municipality or [], args.area, scope)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
    else:
        h = result["headline"]
        assert isinstance(h, dict)
        for key, value in h.items():
            print(f"{key:<24} {value}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("figures", help="nøkkeltall for en periode (som på Oversikt)")
    p.add_argument("--year", type=int, help="år, f.eks. 2025")
    p.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], help="kvartal i året")
    p.add_argument("--period", help="periode som i URL-en: 2025, 2025-K3 eller 2024-01_2025-06")
    p.add_argument("--municipality", action="append", help="dagens kommunenummer, kan gjentas")
    p.add_argument("--area", choices=["drift", "investering", "alle"], default="drift")
    p.add_argument("--user", help="regn med denne brukerens tilgang (f.eks. en kommunebruker)")
    p.add_argument("--json", action="store_true", help="skriv JSON")
    p.set_defaults(func=cmd_figures)
