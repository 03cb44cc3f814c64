"""`make bench`: what the app costs at one size, on SQLite and PostgreSQL, in one table.

    uv run python bench/run_bench.py --size 1.0 [--backends sqlite,postgresql] [--skip-browser]

Per backend, every number measured in this run on this machine:

* **cold start to a drawn Oversikt**: the server (``python -m ui.serve``) started until the
  login form is shown, plus the click on "Logg inn" until the first chart is drawn in headless
  Chromium (the time a person takes to type is left out) — once without a cube snapshot (the
  first start after an import) and once with it (every later start). Chromium itself is started
  before the server, as a person's browser is already open; its own start is reported apart;
* **server time per page** for 10 filter changes through the sidebar widgets (AppTest, a full
  script run each, median and p95), beside the **same aggregations in plain Polars** on the
  in-memory cube for the same filters (ratio = page / Polars);
* **browser time** for three page switches (click to chart drawn and the app idle): the first
  visit to each page after the start, and the median of two repeated visits;
* **import rate** of a generated ledger CSV (validation, classification, matching, storing and
  the cube included) beside ``polars.read_csv`` of the same file;
* **report time**: ``innsikt report`` for the last full quarter (every standard chart as PNG
  and SVG, XLSX, JSON, PDF and PPTX, zipped), on the bench database;
* **peak RSS** of the server process (browser part) and of this process (AppTest part).

Generated databases are cached in ``data/bench/`` (SQLite files) and as PostgreSQL databases
``innsikt_bench_<size>``, keyed by size, so a second run starts measuring at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pg  # noqa: E402
from bench.import_bench import make_csv  # noqa: E402
from data_access import demo  # noqa: E402
from data_access.admin.users import add_user  # noqa: E402
from data_access.bootstrap import initialize  # noqa: E402
from data_access.importing import import_file  # noqa: E402
from data_access.metrics import overview  # noqa: E402
from data_access.metrics.savings import savings_factors  # noqa: E402
from data_access.store import schema, snapshot  # noqa: E402
from data_access.store.agreements import load_agreements  # noqa: E402
from data_access.store.db import get_setting, make_engine, migrate, set_setting  # noqa: E402
from data_access.store.filters import Filters, apply  # noqa: E402
from data_access.store.login_security import token_version  # noqa: E402
from data_access.store.reference import seed_reference  # noqa: E402
from tests import app_server  # noqa: E402
from ui import allocator  # noqa: E402

BENCH_DIR = ROOT / "data" / "bench"
USER, PASSWORD = "bench", "bench-passord-123"
COOKIE_KEY = "bench-cookie-key-0123456789-abcdefghijklmnop"
PAGES = [  # (script, title, section) — every page an admin sees
    ("pages/overview.py", "Oversikt", "Analyse"),
    ("pages/municipalities_categories.py", "Kommuner og kategorier", "Analyse"),
    ("pages/suppliers.py", "Leverandører", "Analyse"),
    ("pages/regional.py", "Regionalt næringsliv", "Analyse"),
    ("pages/savings.py", "Gevinster", "Avtaler og gevinster"),
    ("pages/agreements.py", "Avtaler", "Avtaler og gevinster"),
    ("pages/opportunities.py", "Muligheter", "Avtaler og gevinster"),
    ("pages/import_data.py", "Import og datakvalitet", "Forvaltning"),
    ("pages/admin.py", "Administrasjon", "Forvaltning"),
]
BROWSER_PAGES = [
    ("Leverandører", "Analyse"),
    ("Avtaler", "Avtaler og gevinster"),
    ("Oversikt", "Analyse"),
]
TODAY = dt.date(2026, 11, 25)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- databases, cached by size ---------------------------------------------------------------


def _tag(size: float) -> str:
    return f"{size:g}".replace(".", "_")


def _fill(engine: sa.Engine, size: float) -> int:
    migrate(engine)
    with engine.connect() as c:
        if get_setting(c, "bench_size") == str(size):
            return -1
    log(f"generating demo data, size {size} on {engine.dialect.name} (cached for later runs)")
    with engine.begin() as c:
        seed_reference(c)
        info = demo.generate(c, size=size, today=TODAY)
        add_user(c, USER, name="Bench", role="admin", password=PASSWORD, rounds=4)
        set_setting(c, "bench_size", str(size))
    initialize(engine, with_demo=False, log=lambda _m: None)
    return int(info["lines"])


def sqlite_db(size: float) -> str:
    folder = BENCH_DIR / f"sqlite-{_tag(size)}"
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'innsikt.sqlite'}"
    engine = make_engine(url)
    try:
        _fill(engine, size)
    except Exception:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)  # never keep a half-generated cache
        raise
    engine.dispose()
    return url


def pg_db(size: float) -> str:
    name = f"innsikt_bench_{_tag(size)}"
    url = pg.create_database(name)
    engine = make_engine(url)
    try:
        _fill(engine, size)
    except Exception:
        engine.dispose()
        pg.drop_database(name)  # never keep a half-generated cache
        raise
    engine.dispose()
    return url


def _ledger_lines(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as c:
        n = c.execute(sa.text("SELECT sum(n_lines) FROM spend_cube")).scalar()
    engine.dispose()
    return int(n or 0)


# --- cold start and browser ------------------------------------------------------------------


def browser_run(url: str, data_dir: Path, *, pages: bool) -> dict[str, float]:
    """Start the server, log in, wait for the Oversikt chart; optionally switch pages.

    Chromium is started (and timed) before the server: a person's browser is already open
    when the app starts, and on these two cores its start-up competed with the server's."""
    from playwright.sync_api import sync_playwright

    out: dict[str, float] = {}
    env = {"DATABASE_URL": url, "INNSIKT_NO_DEMO": "1"}
    with sync_playwright() as p:
        t_launch = time.perf_counter()
        browser = p.chromium.launch(**app_server.launch_args())
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        out["browser_launch"] = time.perf_counter() - t_launch
        t0 = time.perf_counter()
        with app_server.serve(data_dir, COOKIE_KEY, env=env, interval_s=0.1) as server:
            out["health"] = time.perf_counter() - t0
            page.goto(server.url + "/")
            app_server.wait_for_login_form(page, timeout_ms=180_000, settle_ms=0)
            out["login_form"] = time.perf_counter() - t0
            # A person takes longer than this to type: the login cookie component's one rerun
            # after the page loads is over before the click (a click inside it can be lost,
            # which at 10 M lines made the first run wait 300 s for a chart that never came).
            # Not counted: cold start → drawn is form shown + click → drawn.
            app_server.wait_for_login_form(page, timeout_ms=180_000)
            t_login = time.perf_counter()
            app_server.submit_login(page, USER, PASSWORD, drawn_timeout_ms=300_000)
            out["login_to_drawn"] = time.perf_counter() - t_login
            out["drawn"] = out["login_form"] + out["login_to_drawn"]
            if pages:  # three rounds: the first visit after start, then two repeated ones
                again: dict[str, list[float]] = {title: [] for title, _s in BROWSER_PAGES}
                for rnd in range(3):
                    for title, section in BROWSER_PAGES:
                        page.get_by_text(section, exact=True).first.click()
                        t = time.perf_counter()
                        page.get_by_role("menuitem", name=title).click()
                        page.wait_for_timeout(50)
                        page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
                        page.wait_for_function(app_server.IDLE, timeout=120_000)
                        seconds = time.perf_counter() - t
                        if rnd == 0:
                            out[f"page:{title}"] = seconds
                        else:
                            again[title].append(seconds)
                for title, xs in again.items():
                    out[f"page_again:{title}"] = statistics.median(xs)
            out["server_rss_mb"] = app_server.peak_rss_mb(server.pid)
        browser.close()
    return out


# --- server time per page (AppTest) and the plain Polars baseline ----------------------------


def filter_sets(cube: pl.DataFrame) -> list[dict[str, object]]:
    """Ten deterministic filter changes over what the data holds."""
    years = sorted({int(y) for y in cube["year"].unique()})
    full = [y for y in years if cube.filter(pl.col("year") == y)["month"].n_unique() == 12] or years
    munis = sorted(cube["municipality_now"].drop_nulls().unique().to_list())
    cats = sorted(cube["category_l1_id"].drop_nulls().unique().to_list())
    last = full[-1]
    prev = full[-2] if len(full) > 1 else last
    return [
        {"periode": str(prev), "kommune": [], "kategori": []},
        {"periode": str(last), "kommune": munis[:1], "kategori": []},
        {"periode": f"{last}-K2", "kommune": munis[:2], "kategori": []},
        {"periode": str(last), "kommune": [], "kategori": cats[:1]},
        {"periode": str(prev), "kommune": munis[-1:], "kategori": cats[1:3]},
        {"periode": f"{prev}-K4", "kommune": [], "kategori": []},
        {"periode": str(last), "kommune": munis[1:4], "kategori": cats[:2]},
        {"periode": str(full[0]), "kommune": [], "kategori": []},
        {"periode": f"{last}-K1", "kommune": munis[2:3], "kategori": cats[2:3]},
        {"periode": str(last), "kommune": [], "kategori": []},
    ]


def _filters(fs: dict[str, object]) -> Filters:
    token = str(fs["periode"])
    if "-K" in token:
        y, q = token.split("-K")
        start = dt.date(int(y), 3 * int(q) - 2, 1)
        end = dt.date(int(y), 3 * int(q), 1)
    else:
        start, end = dt.date(int(token), 1, 1), dt.date(int(token), 12, 1)
    return Filters(start, end, tuple(fs["kommune"]), tuple(fs["kategori"]))  # type: ignore[arg-type]


def polars_baseline(cube: pl.DataFrame, f: Filters, factors: pl.DataFrame) -> None:
    """The aggregations a page shows, in plain Polars on the in-memory cube: the headline
    figures and the breakdowns by municipality, quarter, category, supplier and month."""
    overview.headline(cube, f, factors, 7.5e6)
    d = apply(cube, f).filter(pl.col("spend_class") == "purchase")
    d.group_by("municipality_now").agg(pl.col("amount").sum())
    apply(cube, f, period=False).group_by("year", "quarter", "municipality_now").agg(
        pl.col("amount").sum()
    )
    d.group_by("category", "category_l1").agg(pl.col("amount").sum()).sort("amount").tail(10)
    d.group_by("supplier_id").agg(pl.col("amount").sum()).sort("amount").tail(20)
    d.group_by("month", "regional_level").agg(pl.col("amount").sum())


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, round(q * (len(xs) - 1))))
    return xs[k]


def one_script_cache() -> None:
    """Give every AppTest run one shared script cache, as a running server has.

    ``streamlit run`` compiles app.py and each page script once (``ScriptCache``, with the
    "magic" AST pass) and reuses the bytecode for every later run; AppTest builds a new cache
    for every ``run()``, so each timed run would also pay that compilation — 0,05–0,1 s per
    page at this machine's speed, which no user of the server ever waits for.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared  # type: ignore[attr-defined,misc]
    local_script_runner.ScriptCache = lambda: shared  # type: ignore[attr-defined,misc]


def filter_change_times(
    at: Any, sets: list[dict[str, object]], *, label: str, municipalities: bool = True
) -> list[float]:
    """Seconds of each full script run of ``at`` after setting the sidebar to each of
    ``sets`` (``municipalities=False`` for a user without the municipality filter)."""
    times = []
    for fs in sets:
        at.sidebar.selectbox(key="f_periode").set_value(fs["periode"])
        if municipalities:
            at.sidebar.multiselect(key="f_kommune").set_value(fs["kommune"])
        at.sidebar.multiselect(key="f_kategori").set_value(fs["kategori"])
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        if at.exception:
            raise RuntimeError(
                f"{label}: {at.exception[0].message}\n" + "\n".join(at.exception[0].stack_trace)
            )
    return times


def apptest_pages(url: str, data_dir: Path) -> dict[str, tuple[float, float, float]]:
    """Per page: (median, p95) of a full script run after a filter change, and the median of
    the same filter changes in plain Polars."""
    os.environ["DATABASE_URL"] = url
    os.environ["INNSIKT_DATA_DIR"] = str(data_dir)
    os.environ["INNSIKT_COOKIE_KEY"] = COOKIE_KEY
    os.environ["INNSIKT_NO_DEMO"] = "1"
    import streamlit.logger
    from streamlit.testing.v1 import AppTest

    streamlit.logger.set_log_level("error")
    # AppTest's runs warn "missing ScriptRunContext" for the main thread hundreds of times (the
    # level is re-read from the config on each run, so a filter, which survives it).
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda _record: False
    )
    one_script_cache()

    engine = make_engine(url)
    cube = snapshot.full_cube(engine, data_dir)
    factors = savings_factors(load_agreements(engine))
    version = token_version(engine, USER)  # a seeded login carries it, as a real one does
    engine.dispose()
    sets = filter_sets(cube)
    base = []
    for fs in sets:
        t = time.perf_counter()
        polars_baseline(cube, _filters(fs), factors)
        base.append(time.perf_counter() - t)
    polars_median = statistics.median(base)
    result: dict[str, tuple[float, float, float]] = {}
    for script, title, _section in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        app_server.seed_login(at, USER, name="Bench", role="admin", token_version=version)
        at.run()
        at.switch_page(script).run()
        times = filter_change_times(at, sets, label=title)
        result[title] = (statistics.median(times), _pct(times, 0.95), polars_median)
        log(f"  {title}: median {result[title][0]:.3f} s, p95 {result[title][1]:.3f} s")
    return result


# --- import ----------------------------------------------------------------------------------


def import_rate(kind: str, rows: int) -> tuple[float, float, float]:
    """(import seconds, lines/s, polars.read_csv seconds) for a generated CSV of ``rows``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.csv"
        path.write_bytes(make_csv(rows))
        t = time.perf_counter()
        plain = pl.read_csv(path, separator=";", infer_schema=False)
        t_read = time.perf_counter() - t
        assert plain.height == rows
        name = f"innsikt_bench_import_{os.getpid()}"
        if kind == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'imp.sqlite'}"
        else:
            url = pg.create_database(name, fresh=True)
        engine = make_engine(url)
        try:
            migrate(engine)
            with engine.begin() as c:
                seed_reference(c)
            t = time.perf_counter()
            report = import_file(engine, path, username="bench")
            secs = time.perf_counter() - t
            assert report.ok and report.rows_read == rows, report.summary()
        finally:
            engine.dispose()
            if kind != "sqlite":
                pg.drop_database(name)
    return secs, rows / secs, t_read


# --- report ----------------------------------------------------------------------------------


def report_time(url: str) -> tuple[float, str]:
    """(seconds, quarter) for ``innsikt report`` of the last full quarter in the database."""
    from report import ReportRequest, build_report

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            last = conn.execute(sa.select(sa.func.max(schema.ledger_line.c.date))).scalar_one()
        last = dt.date.fromisoformat(str(last)[:10])
        q = (last.month - 1) // 3 + 1
        if last.month % 3 or last.day < 28:  # the quarter is not complete: the one before
            q -= 1
        year = last.year if q else last.year - 1
        quarter = f"{year}-K{q or 4}"
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            build_report(engine, ReportRequest(quarter=quarter), Path(tmp))
            return time.perf_counter() - t, quarter
    finally:
        engine.dispose()


# --- the table -------------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem = (
        int(
            next(
                ln.split()[1]
                for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")
            )
        )
        / 1024**2
    )
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, load average at the start {load[0]:.1f}"
    )


def _failed(exc: BaseException) -> str:
    """A failed part is reported in the table (and its traceback on stderr), not fatal."""
    import traceback

    traceback.print_exc()
    return f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:80] if str(exc) else ''}"


def timed(label: str, fn: Callable[[], object]) -> object:
    t = time.perf_counter()
    r = fn()
    log(f"{label}: {time.perf_counter() - t:.1f} s")
    return r


def main() -> None:  # noqa: C901, PLR0915 - one measurement after another, printed as one table
    allocator.rerun_configured()  # the app's process runs with it (ui/serve.py)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=float, default=1.0)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument(
        "--import-rows", type=int, default=None, help="default: 1 M × size, at most 1 M"
    )
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    header = machine()
    cols: dict[str, dict[str, str]] = {}
    lines = 0
    for kind in backends:
        col: dict[str, str] = {}
        cols[kind] = col
        try:
            url = timed(
                f"{kind} database",
                lambda k=kind: sqlite_db(args.size) if k == "sqlite" else pg_db(args.size),
            )
        except Exception as exc:  # e.g. no PostgreSQL server: say so in the table, go on
            col["database"] = _failed(exc)
            continue
        assert isinstance(url, str)
        lines = _ledger_lines(url)
        data_dir = BENCH_DIR / f"run-{kind}-{_tag(args.size)}"
        shutil.rmtree(data_dir, ignore_errors=True)  # no snapshot: the first start after an import
        data_dir.mkdir(parents=True)
        if not args.skip_browser:
            try:
                log(f"{kind}: cold start without snapshot")
                first = browser_run(url, data_dir, pages=False)
                log(f"{kind}: cold start with snapshot, then page switches")
                second = browser_run(url, data_dir, pages=True)
                col["cold start → drawn Oversikt, no snapshot (s)"] = f"{first['drawn']:.1f}"
                col["cold start → drawn Oversikt, with snapshot (s)"] = f"{second['drawn']:.1f}"
                col["cold start → server answers health check (s)"] = f"{second['health']:.1f}"
                col["cold start → login form shown (s)"] = f"{second['login_form']:.1f}"
                col["Chromium start, before the server (s, not counted)"] = (
                    f"{second['browser_launch']:.1f}"
                )
                for title, _s in BROWSER_PAGES:
                    col[f"browser: switch to {title}, first visit / again (s)"] = (
                        f"{second[f'page:{title}']:.2f} / {second[f'page_again:{title}']:.2f}"
                    )
                col["peak RSS, server process (MB)"] = f"{second['server_rss_mb']:.0f}"
            except Exception as exc:
                col["browser"] = _failed(exc)
        try:
            log(f"{kind}: server time per page (AppTest, 10 filter changes each)")
            pages = apptest_pages(url, data_dir)
            pol = next(iter(pages.values()))[2]
            for title, (med, p95, _pol) in pages.items():
                col[f"server: {title}, median / p95 (s) (median ÷ Polars)"] = (
                    f"{med:.3f} / {p95:.3f} ({med / pol:.0f}×)"
                )
            col["plain Polars, the same aggregations, median (s)"] = f"{pol:.4f}"
        except Exception as exc:
            col["server time per page"] = _failed(exc)
        rows = args.import_rows or int(min(1.0, args.size) * 1_000_000)
        try:
            log(f"{kind}: import of {rows} lines")
            secs, rate, t_read = import_rate(kind, rows)
            col[f"import {rows:,} lines: s (lines/s)".replace(",", " ")] = (
                f"{secs:.1f} ({rate:,.0f})".replace(",", " ")
            )
            col["polars.read_csv same file: s"] = f"{t_read:.2f}"
        except Exception as exc:
            col["import"] = _failed(exc)
        try:
            log(f"{kind}: innsikt report")
            secs, quarter = report_time(url)
            col["report (innsikt report), last full quarter (s)"] = f"{secs:.1f} ({quarter})"
        except Exception as exc:
            col["report"] = _failed(exc)
        col["peak RSS, bench process so far, incl. AppTest (MB)"] = (
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}"
        )
    print(f"\nMachine: {header}")
    print(
        f"Size {args.size}: {lines:,} ledger lines; {dt.datetime.now():%Y-%m-%d %H:%M}\n".replace(
            ",", " "
        )
    )
    keys = list(dict.fromkeys(k for c in cols.values() for k in c))
    print("| measurement | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for k in keys:
        print(f"| {k} | " + " | ".join(cols[b].get(k, "–") for b in cols) + " |")


if __name__ == "__main__":
    main()
