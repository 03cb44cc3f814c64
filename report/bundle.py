"""The quarterly report bundle ("kvartalsrapport"): one function used by ``innsikt report`` and
the Eksport page.

For a quarter and the year to date it builds every standard chart (``charts.registry``) on the
data the requesting user may see, and writes into a dated folder:

- ``rapport.pdf`` (title page, contents, one page per chart with its headline sentence,
  definitions and data-quality notes at the end),
- ``presentasjon.pptx`` (title slide, one chart per slide, the headline as slide title, the
  definition in the speaker notes),
- ``figurer/*.png`` (2× scale) and ``figurer/*.svg``,
- ``data/kvartalsrapport.xlsx`` (a sheet per chart) and ``data/nokkeltall.json`` (the figures of
  ``innsikt figures`` for the quarter and the year to date),
- ``manifest.json`` (data version, scope, period, language, generated time, SHA-256 per file),

then zips the folder. Data files are deterministic: the same data version and arguments give
byte-identical XLSX and JSON.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from charts import export, fmt, registry
from charts.lang import tr, using
from charts.registry import ChartData
from cli.figures_cmd import figures as figures_json
from data_access import pushdown
from data_access.metrics.common import PURCHASE
from data_access.store import db
from data_access.store.agreements import load_agreements, savings_target
from data_access.store.cube import load_categories, load_cube, load_municipalities
from data_access.store.filters import Filters, apply, period_range
from data_access.store.population import load_population
from data_access.store.reference import UNCLASSIFIED
from data_access.store.scope import Scope
from data_access.store.users import scope_for
from report.content import ReportContent, Section
from report.opportunities import opportunity_source
from report.pdf import write_pdf
from report.slides import write_pptx

Progress = Callable[[str, float], None]


class ReportError(ValueError):
    """A request the report cannot serve (bad quarter, unknown user, foreign municipality);
    the message is for the person who asked, in Norwegian."""


@dataclass(frozen=True)
class ReportRequest:
    quarter: str  # "2025-K3"
    municipalities: tuple[str, ...] = ()
    lang: str = "nb"
    user: str | None = None  # None: the operator (everything)
    area: str = "drift"
    charts: tuple[str, ...] = field(default_factory=lambda: tuple(c.id for c in registry.CHARTS))


@dataclass(frozen=True)
class ReportResult:
    folder: Path
    zip_path: Path
    manifest: dict[str, object]


def _quarter(token: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-[KkQq]([1-4])", token.strip())
    if not m:
        raise ReportError(f"ugyldig kvartal {token!r}; skriv for eksempel 2025-K3")
    return int(m[1]), int(m[2])


def _scope(engine: sa.Engine, user: str | None) -> Scope:
    if user is None:
        return Scope.everything()
    sc = scope_for(engine, user)
    if sc is None:
        raise ReportError(f"ukjent eller deaktivert bruker {user}")
    return sc


def _report_rows(engine: sa.Engine, scope: Scope, municipalities: tuple[str, ...]) -> Scope:
    """The rows the report computes on: the user's scope — or, in a database above
    ``INNSIKT_PUSHDOWN_ROWS`` (a national one, whose cube the process must not hold), the
    requested municipalities within it, at most ``INNSIKT_SELECTION_ROWS`` cube rows together.
    The report's lists over the whole scope then cover those municipalities (README, Scale)."""
    if not pushdown.use_pushdown(engine, scope):
        return scope
    chosen = frozenset(municipalities)
    if scope.municipalities is not None:
        chosen &= scope.municipalities
    if municipalities and not chosen:
        raise ReportError(
            f"kommunenummer utenfor tilgangen eller ukjent: {', '.join(sorted(municipalities))}"
        )
    if not chosen or pushdown.cube_rows(engine, Scope.for_rows(chosen)) > pushdown.selection_rows():
        raise ReportError(
            "utvalget er for stort for én rapport i denne databasen: velg kommunene rapporten "
            f"skal gjelde (til sammen høyst {fmt.number(pushdown.selection_rows())} rader i kuben)"
        )
    return Scope.for_rows(chosen)


def _names(municipalities: pl.DataFrame) -> dict[str, str]:
    return dict(
        municipalities.filter(pl.col("code") == pl.col("current_code"))
        .select("code", "name")
        .iter_rows()
    )


def _period_label(f: Filters, quarter: tuple[int, int], ytd: bool) -> str:
    if not ytd:
        return fmt.quarter(*quarter)
    span = f"{fmt.month(f.start.month)}–{fmt.month(f.end.month)} {f.end.year}"
    return tr(f"Hittil i år ({span})", f"Year to date ({span})")


def _quality_notes(cube: pl.DataFrame, f: Filters) -> tuple[str, ...]:
    d = apply(cube, f).filter(PURCHASE)
    total = float(d["amount"].sum()) if d.height else 0.0

    def share(cond: pl.Expr) -> str:
        part = float(d.filter(cond)["amount"].sum()) if d.height else 0.0
        return fmt.pct(part / total if total else None)

    notes = [
        tr(
            f"Uklassifisert kjøp: {share(pl.col('category') == UNCLASSIFIED)} av kjøpene er "
            "ikke plassert i en kategori; det er med i alle totaler.",
            f"Unclassified spend: {share(pl.col('category') == UNCLASSIFIED)} of spend has no "
            "category; it is included in every total.",
        ),
        tr(
            f"Ukjent hjemkommune: {share(pl.col('home_municipality').is_null())} av kjøpene har "
            "leverandør uten kjent hjemkommune; holdt utenfor regional andel.",
            f"Unknown home: {share(pl.col('home_municipality').is_null())} of spend is with "
            "suppliers whose home municipality is unknown; left out of the regional share.",
        ),
        tr(
            "Privatpersoner vises aldri med navn, og samleposter («Diverse leverandører») regnes "
            "ikke som én leverandør i konsentrasjonstallene.",
            "Private persons are never shown by name, and collective posts are not counted as "
            "one supplier in the concentration figures.",
        ),
        tr(
            "Beløp er eks. mva. på kjøpskontoer (KOSTRA-art); kjøp fra andre offentlige "
            "virksomheter holdes utenfor.",
            "Amounts are excl. VAT on purchase accounts (KOSTRA art); purchases from other "
            "public bodies are left out.",
        ),
    ]
    return tuple(notes)


def collect(
    engine: sa.Engine, req: ReportRequest, *, progress: Progress | None = None
) -> ReportContent:
    """Compute every chart of the report (no files yet). Call inside ``using(req.lang)``."""
    say = progress or (lambda _m, _p: None)
    year, q = _quarter(req.quarter)
    scope = _scope(engine, req.user)
    cube = load_cube(engine, _report_rows(engine, scope, req.municipalities))
    if cube.height == 0:
        raise ReportError("ingen regnskapsdata i din tilgang")
    with engine.connect() as conn:
        agreements = load_agreements(conn)
        target = savings_target(conn)
        munis = load_municipalities(conn)
        load_categories(conn)
        population = load_population(conn)
        demo = db.has_demo_data(conn)
    first, last = cube["month"].min(), cube["month"].max()
    rng = period_range(f"{year}-K{q}", first, last)  # type: ignore[arg-type]
    if rng is None or rng[1] != dt.date(year, 3 * q, 1):
        raise ReportError(
            f"kvartalet {year}-K{q} er ikke komplett i dataene (data til og med {last:%m.%Y})"
        )
    known = set(cube["municipality_now"].unique().to_list())
    foreign = set(req.municipalities) - known
    if foreign:
        raise ReportError(
            f"kommunenummer utenfor tilgangen eller ukjent: {', '.join(sorted(foreign))}"
        )
    munis_sel = tuple(sorted(req.municipalities))
    fq = Filters(rng[0], rng[1], munis_sel, (), req.area)
    fy = Filters(max(dt.date(year, 1, 1), first), rng[1], munis_sel, (), req.area)  # type: ignore[type-var]
    data = ChartData(
        cube, agreements, target, munis, population, opportunity_source(engine, cube, scope)
    )
    names = _names(munis)
    chosen = munis_sel or tuple(sorted(scope.municipalities or ()))
    scope_text = ", ".join(names.get(c, c) for c in chosen) or tr(
        "Alle kommuner", "All municipalities"
    )
    area = {"drift": tr("drift", "operations"), "investering": tr("investering", "investment")}
    if req.area in area:
        scope_text += f" · {area[req.area]}"
    sections = []
    n_total = len(req.charts) * 2
    done = 0
    for key, f, token, ytd in (
        ("kvartal", fq, f"{year}-K{q}", False),
        ("hittil", fy, f"{year}-01_{year}-{3 * q:02d}", True),
    ):
        built = []
        for cid in req.charts:
            built.append(registry.build(cid, data, f))
            done += 1
            say(f"beregnet {cid} ({key})", 0.3 * done / n_total)
        sections.append(Section(key, _period_label(f, (year, q), ytd), token, f, tuple(built)))
    figs = {
        s.key: figures_json(engine, s.token, list(munis_sel), req.area, scope, cube)
        for s in sections
    }
    return ReportContent(
        title=tr("Kvartalsrapport", "Quarterly report") + f" {_period_label(fq, (year, q), False)}",
        scope_text=scope_text,
        data_date=tr(f"Data til og med {last:%m.%Y}", f"Data up to {last:%m/%Y}"),
        data_version=db.data_version(engine),
        demo=demo,
        sections=tuple(sections),
        quality_notes=_quality_notes(cube, fq),
        figures=figs,
    )


def _rounded(value: object) -> object:
    """Floats to 6 decimals: parallel float sums may differ in the last bits between runs, and
    the data files must be byte-identical for the same data (far below øre precision)."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_name(req: ReportRequest, today: dt.date) -> str:
    """``kvartalsrapport_2025-K3_5038_en_2026-11-29`` (dated by the day it was made)."""
    year, q = _quarter(req.quarter)
    parts = [f"kvartalsrapport_{year}-K{q}", *req.municipalities]
    if req.user:
        parts.append(re.sub(r"[^A-Za-z0-9_-]", "_", req.user))
    if req.lang != "nb":
        parts.append(req.lang)
    parts.append(today.isoformat())
    return "_".join(parts)


def _zip(folder: Path) -> Path:
    """The folder as a zip with fixed timestamps and sorted entries."""
    path = folder.with_suffix(".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{folder.name}/{f.relative_to(folder).as_posix()}")
            info.date_time = (1980, 1, 1, 0, 0, 0)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, f.read_bytes())
    return path


def build_report(
    engine: sa.Engine,
    req: ReportRequest,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ReportResult:
    """Write the bundle for ``req`` under ``out_dir``; ``progress(message, 0–1)`` after every
    step and artefact. Raises :class:`ReportError` for a request it cannot serve."""
    say = progress or (lambda _m, _p: None)
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    with using(req.lang):
        content = collect(engine, req, progress=say)
        folder = Path(out_dir) / folder_name(req, now.date())
        if folder.exists():
            shutil.rmtree(folder)
        (folder / "figurer").mkdir(parents=True)
        (folder / "data").mkdir()
        written: list[Path] = []

        def wrote(path: Path, frac: float) -> None:
            written.append(path)
            say(f"skrev {path.relative_to(folder)}", frac)

        xlsx = folder / "data" / "kvartalsrapport.xlsx"
        sheets = [c for s in content.sections for c in s.charts]
        names = [
            f"{i:02d} {c.spec.id} {'K' if s.key == 'kvartal' else 'ÅTD'}"[:31]
            for i, (s, c) in enumerate(((s, c) for s in content.sections for c in s.charts), 1)
        ]
        xlsx.write_bytes(
            export.to_xlsx_sections(
                [(content.context(s), list(s.charts)) for s in content.sections],
                title=content.title,
                sheet_names=names,
            )
        )
        wrote(xlsx, 0.35)
        fig_json = folder / "data" / "nokkeltall.json"
        fig_json.write_text(
            json.dumps(
                _rounded(content.figures), ensure_ascii=False, indent=2, sort_keys=True, default=str
            )
            + "\n",
            encoding="utf-8",
        )
        wrote(fig_json, 0.37)

        images: dict[tuple[str, str], Path] = {}
        with export.image_server():
            n = len(sheets)
            i = 0
            for s in content.sections:
                for c in s.charts:
                    i += 1
                    stem = f"{i:02d}_{c.spec.id}_{s.key}"
                    png = folder / "figurer" / f"{stem}.png"
                    png.write_bytes(export.png(c.figure))
                    wrote(png, 0.37 + 0.4 * (i - 0.5) / n)
                    svg = folder / "figurer" / f"{stem}.svg"
                    svg.write_bytes(export.svg(c.figure))
                    wrote(svg, 0.37 + 0.4 * i / n)
                    images[(s.key, c.spec.id)] = png

        pdf = folder / "rapport.pdf"
        write_pdf(content, images, pdf, created=now)
        wrote(pdf, 0.88)
        pptx = folder / "presentasjon.pptx"
        write_pptx(content, images, pptx, created=now)
        wrote(pptx, 0.95)

        manifest = {
            "title": content.title,
            "data_version": content.data_version,
            "scope": {
                "text": content.scope_text,
                "user": req.user,
                "municipalities": list(req.municipalities),
                "area": req.area,
            },
            "period": {
                s.key: {
                    "label": s.label,
                    "start": s.filters.start.isoformat(),
                    "end": s.filters.end.isoformat(),
                }
                for s in content.sections
            },
            "quarter": req.quarter,
            "language": req.lang,
            "data_date": content.data_date,
            "demo": content.demo,
            "generated": now.isoformat(),
            "files": {
                p.relative_to(folder).as_posix(): {"sha256": _sha256(p), "bytes": p.stat().st_size}
                for p in sorted(written)
            },
        }
        (folder / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        say("skrev manifest.json", 0.97)
        zip_path = _zip(folder)
        say(f"skrev {zip_path.name}", 1.0)
    return ReportResult(folder, zip_path, manifest)
