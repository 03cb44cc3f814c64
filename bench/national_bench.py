"""National scale on PostgreSQL: figures aggregated in the database over a generated
multi-municipality cube (bench only, not CI).

    uv run python bench/national_bench.py --lines 30000000 [--municipalities 357]

Generates (once; cached as the PostgreSQL database ``innsikt_bench_national_<lines>``) the
spend cube a ledger of ``--lines`` lines over ``--municipalities`` municipalities, 2019–2025,
would give — ≈ 4 lines per cube row as in the demo data — with its suppliers and
municipalities, then measures the pushdown path the app takes above ``INNSIKT_PUSHDOWN_ROWS``:
headline figures and spend per municipality for 10 filter changes (median, p95), and the peak
RSS of this process (the app's side: only aggregated rows arrive).

With ``--page`` it times what a person waits for instead: whole runs of the pages the
database serves (``DATABASE_PAGES``: Oversikt, Leverandører, Kommuner og kategorier; AppTest,
a full script run after each of 10 filter changes through the sidebar), logged in as an admin
(every municipality: above the threshold, so the pages ask the database) and as a
one-municipality user (a small scope: the cube path); then the admin on a page that still
computes on the cube (asked to choose municipalities, then 40 of them); and this process's peak
RSS, which then holds the app. Run it after the database exists, so the RSS is the app's alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pg  # noqa: E402
from data_access import pushdown, pushdown_sql  # noqa: E402
from data_access.store import schema  # noqa: E402
from data_access.store.bulkload import bulk_load  # noqa: E402
from data_access.store.cube import refresh_rollup  # noqa: E402
from data_access.store.db import bulk_insert, get_setting, make_engine, migrate, set_setting  # noqa: E402
from data_access.store.filters import Filters  # noqa: E402
from data_access.store.reference import seed_reference  # noqa: E402
from data_access.store.scope import Scope  # noqa: E402

LINES_PER_ROW = 4
CHUNK = 2_000_000


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def generate(engine: sa.Engine, lines: int, n_munis: int) -> None:
    migrate(engine)
    with engine.connect() as c:
        if get_setting(c, "bench_national") == f"{lines}:{n_munis}":
            if not c.execute(
                sa.text(
                    "SELECT 1 FROM pg_index WHERE indisclustered AND indexrelid = "
                    "to_regclass('ix_cube_month')"
                )
            ).first():
                log("clustering spend_cube by month")
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as a:
                    a.exec_driver_sql("CLUSTER spend_cube USING ix_cube_month")
                    a.exec_driver_sql("VACUUM ANALYZE spend_cube")
            if c.execute(
                sa.text(
                    "SELECT 1 FROM pg_stat_user_tables WHERE relname = 'spend_rollup' "
                    "AND last_analyze IS NULL AND last_autoanalyze IS NULL"
                )
            ).first():
                log("analyzing spend_rollup (filled by the migration)")
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as a:
                    a.exec_driver_sql("VACUUM ANALYZE spend_rollup")
            return
    rng = np.random.default_rng(7)
    rows = lines // LINES_PER_ROW
    log(f"generating {rows:,} cube rows ({lines:,} lines, {n_munis} municipalities)")
    with engine.begin() as c:
        seed_reference(c)
        codes = [f"{9000 + i:04d}" for i in range(n_munis)]
        bulk_insert(
            c,
            schema.municipality,
            pl.DataFrame(
                {
                    "code": codes,
                    "name": [f"Kommune {k}" for k in codes],
                    "current_code": codes,
                    "county": [k[:2] if i % 10 else "50" for i, k in enumerate(codes)],
                    "is_member": [i < 6 for i in range(n_munis)],
                }
            ),
        )
        n_sup = 60_000
        sup_ids = np.arange(1_000_000, 1_000_000 + n_sup)
        bulk_insert(
            c,
            schema.supplier,
            pl.DataFrame(
                {
                    "id": sup_ids,
                    "key": [f"bench:{i}" for i in sup_ids],
                    "identity_kind": ["orgnr"] * n_sup,
                    "name": [f"Leverandør {i} AS" for i in sup_ids],
                    "home_municipality": [
                        codes[i % n_munis] if i % 9 else None for i in range(n_sup)
                    ],
                    "is_private": [False] * n_sup,
                    "is_public": [False] * n_sup,
                }
            ),
        )
        cats = (
            c.execute(
                sa.select(schema.category.c.id).where(schema.category.c.parent_id.is_not(None))
            )
            .scalars()
            .all()
        )
        months = [dt.date(y, m, 1) for y in range(2019, 2026) for m in range(1, 13)]
        c.execute(schema.spend_cube.delete())
        with bulk_load(c, schema.spend_cube, rows):
            done = 0
            while done < rows:
                n = min(CHUNK, rows - done)
                # Suppliers drawn with a long tail (a few large, many small), as in real spend.
                sup = sup_ids[np.minimum(rng.zipf(1.3, n) - 1, n_sup - 1)]
                frame = pl.DataFrame(
                    {
                        "month": pl.Series(months).gather(rng.integers(0, len(months), n)),
                        "municipality_code": pl.Series(codes).gather(rng.integers(0, n_munis, n)),
                        "supplier_id": sup,
                        "category_id": np.asarray(cats)[rng.integers(0, len(cats), n)],
                        "area": np.where(rng.random(n) < 0.85, "drift", "investering"),
                        "spend_class": np.where(rng.random(n) < 0.93, "purchase", "intra_public"),
                        "ehandel": rng.random(n) < 0.3,
                        "amount_ore": rng.integers(-50_000, 5_000_000, n),
                        "n_lines": rng.integers(1, 2 * LINES_PER_ROW, n),
                    }
                )
                bulk_insert(c, schema.spend_cube, frame)
                done += n
                log(f"  {done:,} / {rows:,}")
        log("summing the cube into spend_rollup")
        refresh_rollup(c)  # as every write of the app's cube does
        set_setting(c, "bench_national", f"{lines}:{n_munis}")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        # The app's cube is written in month order (rebuild_cube orders by month on PostgreSQL,
        # imports append new months), so a period's rows sit together on disk: do the same.
        c.exec_driver_sql("CLUSTER spend_cube USING ix_cube_month")
        c.exec_driver_sql("VACUUM ANALYZE spend_cube")
        c.exec_driver_sql("VACUUM ANALYZE spend_rollup")


PAGE_SETS: list[dict[str, object]] = [  # the sidebar's values for 10 filter changes
    {"periode": "2025", "kommune": [], "kategori": []},
    {"periode": "2024", "kommune": [], "kategori": []},
    {"periode": "2025", "kommune": ["9001"], "kategori": []},
    {"periode": "2025", "kommune": [f"{9000 + i}" for i in range(40)], "kategori": []},
    {"periode": "2023", "kommune": [], "kategori": [1]},
    {"periode": "2025-K2", "kommune": [], "kategori": []},
    {"periode": "2024", "kommune": ["9100", "9200"], "kategori": []},
    {"periode": "2022", "kommune": [], "kategori": []},
    {"periode": "2025-K4", "kommune": [], "kategori": [1, 2]},
    {"periode": "2021", "kommune": [], "kategori": []},
]


# The pages the database serves above the threshold (path None: the first page), timed after
# each filter change; and a page that still computes on the cube, which above the threshold
# asks for municipalities and then holds only theirs (app.CUBE_PAGES).
DATABASE_PAGES = (
    ("Oversikt", None),
    ("Leverandører", "pages/suppliers.py"),
    ("Kommuner og kategorier", "pages/municipalities_categories.py"),
    ("Regionalt", "pages/regional.py"),
)
CUBE_PAGE = ("Gevinster", "pages/savings.py")


def page_runs(
    engine: sa.Engine, url: str
) -> tuple[list[tuple[str, str, list[float], float]], list[tuple[str, float]]]:
    """Per user and page in :data:`DATABASE_PAGES`: (page, user, the whole script runs after
    each filter change, the first run: after login for Oversikt incl. options and caches, the
    switch for the others); then, as the admin, :data:`CUBE_PAGE` with every municipality (it
    asks for a choice), for 40 municipalities (it loads their rows) and after a change of
    period: the times and the peak RSS before and after."""
    import logging

    import streamlit.logger
    from streamlit.testing.v1 import AppTest

    from bench.run_bench import COOKIE_KEY, filter_change_times, one_script_cache
    from data_access.admin.users import add_user
    from data_access.store.login_security import token_version
    from data_access.store.users import scope_for
    from tests.app_server import seed_login

    with engine.begin() as c:
        for user, role, munis in (("bench", "admin", None), ("bench_9010", "kommune", ["9010"])):
            if scope_for(c, user) is None:
                add_user(c, user, name=user, role=role, password="bench-passord-123",
                         municipalities=munis, rounds=4)  # fmt: skip
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / "innsikt_national_page"
    shutil.rmtree(folder, ignore_errors=True)  # no snapshot: the cube comes from the database
    os.environ.update(
        DATABASE_URL=url, INNSIKT_COOKIE_KEY=COOKIE_KEY, INNSIKT_NO_DEMO="1",
        INNSIKT_DATA_DIR=str(folder),
    )  # fmt: skip
    streamlit.logger.set_log_level("error")
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda _record: False
    )
    one_script_cache()

    def logged_in(user: str, role: str) -> Any:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        seed_login(at, user, name=user, role=role, token_version=token_version(engine, user))
        return at

    def timed(at: Any, path: str | None) -> float:
        t = time.perf_counter()
        (at.switch_page(path) if path else at).run()
        secs = time.perf_counter() - t
        if at.exception:
            raise RuntimeError(at.exception[0].message)
        return secs

    out = []
    for user, role in (("bench", "admin"), ("bench_9010", "kommune")):
        at = logged_in(user, role)
        for page, path in DATABASE_PAGES:
            first = timed(at, path)
            label = f"{page} as {user}"
            times = filter_change_times(at, PAGE_SETS, label=label, municipalities=user == "bench")
            for fs, secs in zip(PAGE_SETS, times, strict=True):
                log(f"  {label}: {fs} — {secs:.2f} s")
            out.append((page, user, times, first))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    at = logged_in("bench", "admin")
    timed(at, None)
    asked = timed(at, CUBE_PAGE[1])  # no municipality chosen: the page asks for some
    if not at.info:
        raise RuntimeError(f"{CUBE_PAGE[0]} did not ask for municipalities")
    forty = [f"{9000 + i}" for i in range(40)]
    at.sidebar.multiselect(key="f_kommune").set_value(forty)
    chosen = timed(at, None)  # loads the forty municipalities' rows
    at.sidebar.selectbox(key="f_periode").set_value("2024")
    again = timed(at, None)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log(
        f"  {CUBE_PAGE[0]} as bench: {asked:.2f} s, 40 municipalities {chosen:.1f} s, then {again:.2f} s"
    )
    extra = [
        ("peak RSS of this process (the app) after these runs (MB)", before),
        (
            f"admin opens {CUBE_PAGE[0]} (a cube page) with every municipality: asked to choose (s)",
            asked,
        ),
        (f"{CUBE_PAGE[0]} for 40 municipalities: first run, loads their rows (s)", chosen),
        (f"{CUBE_PAGE[0]} for 40 municipalities: a change of period (s)", again),
        ("peak RSS after it (MB)", after),
    ]
    return out, extra


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=30_000_000)
    ap.add_argument("--municipalities", type=int, default=357)
    ap.add_argument("--page", action="store_true", help="time whole Oversikt runs (AppTest)")
    ap.add_argument(
        "--no-rollup",
        action="store_true",
        help="the comparison: every pushed-down query reads spend_cube, none spend_rollup",
    )
    args = ap.parse_args()
    if args.no_rollup:
        pushdown_sql.ROLLUP_KEYS = frozenset()
        log("spend_rollup not used (--no-rollup)")
    name = f"innsikt_bench_national_{args.lines}"
    url = pg.create_database(name)
    engine = make_engine(url)
    t = time.perf_counter()
    generate(engine, args.lines, args.municipalities)
    log(f"database ready in {time.perf_counter() - t:.0f} s")
    if args.page:
        runs, extra = page_runs(engine, url)
        print(f"\nOversikt at national scale ({args.lines:,} lines), PostgreSQL; load average "
              f"{os.getloadavg()[0]:.1f}\n")  # fmt: skip
        print(
            "| Whole page run after a filter change (10) | user | first run | median (s) "
            "| p95 (s) |"
        )
        print("|---|---|---|---|---|")
        for page, user, times, first in runs:
            p95 = sorted(times)[max(0, round(0.95 * (len(times) - 1)))]
            print(f"| {page} | {user} | {first:.2f} | {statistics.median(times):.2f} | {p95:.2f} |")
        for label, value in extra:
            print(f"| {label} | | {value:.1f} | | |")
        engine.dispose()
        return
    with engine.connect() as c:
        total_lines = int(c.execute(sa.text("SELECT sum(n_lines) FROM spend_cube")).scalar() or 0)
        size = c.execute(
            sa.text("SELECT pg_size_pretty(pg_total_relation_size('spend_cube'))")
        ).scalar()
    everyone = Scope.everything()
    rows_est = pushdown.cube_rows(engine, everyone)
    one = Scope(role="kommune", municipalities=frozenset({"9010"}))
    factors = pl.DataFrame(schema={"agreement_id": pl.Int64, "factor": pl.Float64})
    sets = [
        Filters.year(2025),
        Filters.year(2024),
        Filters.year(2025, municipalities=("9001",)),
        Filters.year(2025, municipalities=tuple(f"{9000 + i}" for i in range(0, 40))),
        Filters.year(2023, categories=(1,)),
        Filters(dt.date(2025, 4, 1), dt.date(2025, 6, 1)),
        Filters(dt.date(2024, 1, 1), dt.date(2025, 12, 1), area="alle"),
        Filters.year(2022, municipalities=("9100", "9200")),
        Filters(dt.date(2025, 10, 1), dt.date(2025, 12, 1), categories=(1, 2)),
        Filters.year(2021),
    ]
    results: list[tuple[str, list[float]]] = []
    for label, scope in (("all municipalities (admin)", everyone), ("one municipality", one)):
        times = []
        for f in sets:
            t = time.perf_counter()
            pushdown.headline_sql(engine, scope, f, factors, 7.5e6)
            t_head = time.perf_counter() - t
            pushdown.spend_by_municipality_sql(engine, scope, f)
            times.append(time.perf_counter() - t)
            log(f"  {label}: {f} — headline {t_head:.2f} s, total {times[-1]:.2f} s")
        results.append((label, times))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def n(x: int) -> str:
        return f"{x:,}".replace(",", " ")

    print(
        f"\nNational bench on PostgreSQL: {n(total_lines)} ledger lines in {n(rows_est)} cube "
        f"rows (estimate), {args.municipalities} municipalities; spend_cube {size} with "
        f"indexes; load average {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| pushdown: headline + spend per municipality, 10 filter changes | median (s) | p95 (s) |"
    )
    print("|---|---|---|")
    for label, times in results:
        p95 = sorted(times)[max(0, round(0.95 * (len(times) - 1)))]
        print(f"| {label} | {statistics.median(times):.2f} | {p95:.2f} |")
    print(f"| peak RSS of this (app-side) process | {rss:.0f} MB | |")
    engine.dispose()


if __name__ == "__main__":
    main()
