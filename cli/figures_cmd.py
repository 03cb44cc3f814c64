"""``innsikt figures``: the dashboard's figures on the terminal or as JSON.

The numbers come from the same functions as the pages (``data_access.metrics``), on the same
cube and filters, so the CLI, the pages and the exports agree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

import polars as pl
import sqlalchemy as sa

from charts import opportunities as opportunity_charts
from data_access.admin import opportunities as opportunity_store
from data_access.metrics import opportunities, overview
from data_access.metrics.analysis import analysis_figures
from data_access.metrics.coverage import agreement_figures
from data_access.metrics.savings import SavingsRows, savings_factors
from data_access.metrics.savings_summary import savings_figures, savings_summary
from data_access.store import db, schema, settings
from data_access.store.agreements import load_agreements, load_parties, savings_target
from data_access.store.cube import load_cube
from data_access.store.filters import Filters, period_range
from data_access.store.population import load_population
from data_access.store.scope import Scope
from data_access.store.targets import target_share_from_db
from data_access.store.thresholds import load_thresholds
from data_access.store.users import scope_for


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
    _check_municipalities(engine, cube, municipalities, rng, token)
    f = Filters(rng[0], rng[1], tuple(sorted(municipalities)), (), area)
    with engine.connect() as conn:
        agreements = load_agreements(conn)
        thresholds = load_thresholds(conn)
        target = savings_target(conn)
        parties, participants = load_parties(conn)
        population = load_population(conn)
        opp_settings = opportunity_store.load_settings(conn)
        members_total = opportunity_store.members_total(conn)
        scoped = scope.municipalities is not None or bool(f.municipalities)
        breadth = opportunity_store.cooperation_breadth(conn, f) if scoped else None
        agreement_cats = opportunity_store.agreement_categories_all(conn) if scoped else None
    in_view = frozenset(f.municipalities) if f.municipalities else scope.municipalities
    # A kommune view is measured against the member's part of the target (PRODUCT §4).
    share = target_share_from_db(engine, f, in_view)
    h = overview.headline(cube, f, savings_factors(agreements), target * share)
    out: dict[str, object] = {
        "period": {"token": token, "start": f.start.isoformat(), "end": f.end.isoformat()},
        "municipalities": list(f.municipalities) or "all",
        "area": area,
        "headline": h.as_dict(),
    }
    out["analysis"] = analysis_figures(cube, f)
    out["agreements"] = agreement_figures(cube, f, agreements, thresholds, yearly_target_nok=target)
    opps = opportunities.opportunities(
        cube,
        f,
        agreements,
        participants,
        thresholds,
        settings=opp_settings,
        members_total=members_total,
        breadth=breadth,
        agreement_cats=agreement_cats,
        municipalities=scope.municipalities,
    )
    # Muligheter: the top 10 joint-tender candidates, each potential an estimate with its range.
    # The reasons are worded (bokmål, or English under ``charts.lang``) from the ranked values.
    ranked = opportunities.rank(opps, opp_settings.weights)
    out["opportunities"] = opportunities.top_figures(opportunity_charts.described(ranked))
    figures = savings_figures(
        SavingsRows.of_cube(cube),
        f,
        agreements=agreements,
        parties=parties,
        participants=participants,
        population=population,
        yearly_target=target,
        in_view=in_view,
    )
    out["savings"] = savings_summary(
        figures, f, yearly_target=target, share_of_target=share
    ).as_dict()
    return out


PERIOD_FORMS = "2025 (år), 2025-K3 (kvartal) eller 2024-01_2025-06 (måneder, begge med)"


def _check_municipalities(  # type: ignore[no-untyped-def]
    engine, cube, municipalities: list[str], rng: tuple[dt.date, dt.date], token: str
) -> None:
    """An unknown code is "ukjent"; a member without lines in the period gets its name."""
    if not municipalities:
        return
    m = schema.municipality
    with engine.connect() as conn:
        names = dict(
            conn.execute(sa.select(m.c.code, m.c.name).where(m.c.code == m.c.current_code)).all()
        )
    unknown = sorted(set(municipalities) - set(names))
    if unknown:
        raise ValueError(f"ukjent kommunenummer {', '.join(unknown)}")
    in_period = cube.filter(pl.col("month").is_between(rng[0], rng[1]))
    have = set(in_period["municipality_now"].unique().to_list())
    empty = [c for c in sorted(municipalities) if c not in have]
    if len(empty) == len(municipalities):
        who = ", ".join(f"{names[c]} ({c})" for c in empty)
        raise LookupError(f"ingen data for {who} i perioden {token}")


def period_token(args: argparse.Namespace) -> str | None:
    """The period token of ``--period`` / ``--year`` [``--quarter``], or None when unparsable."""
    token = args.period or (
        (f"{args.year}-K{args.quarter}" if args.quarter else str(args.year))
        if args.year is not None
        else None
    )
    if token is None:
        return None
    wide = period_range(token, dt.date(1000, 1, 1), dt.date(9999, 12, 1))
    return token if wide is not None else None


def cmd_figures(args: argparse.Namespace) -> int:
    token = period_token(args)
    if token is None:
        given = args.period or (args.year and str(args.year)) or "(ingen)"
        print(
            f"Feil: perioden «{given}» kan ikke tolkes. Gyldige former for --period: "
            f"{PERIOD_FORMS}; eller --year ÅÅÅÅ [--quarter 1–4].",
            file=sys.stderr,
        )
        return 2
    engine = db.make_engine(args.database_url or settings.database_url())
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
    p.add_argument("--year", type=int, help="år, f.eks. 2025")  # argparse: not a year → exit 2
    p.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], help="kvartal i året")
    p.add_argument("--period", help="periode som i URL-en: 2025, 2025-K3 eller 2024-01_2025-06")
    p.add_argument("--municipality", action="append", help="dagens kommunenummer, kan gjentas")
    p.add_argument("--area", choices=["drift", "investering", "alle"], default="drift")
    p.add_argument("--user", help="regn med denne brukerens tilgang (f.eks. en kommunebruker)")
    p.add_argument("--json", action="store_true", help="skriv JSON")
    p.set_defaults(func=cmd_figures)
