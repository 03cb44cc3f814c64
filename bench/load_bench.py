"""Load bench: N concurrent browser sessions against one server for a bounded time (issue 11).

Each session is its own browser context (own cookies, own Streamlit session) in one headless
Chromium. It logs in once, then opens the pages in turn until the time is up (or
``--max-rounds`` rounds are done), timing each page from navigation to "first chart drawn and
the script run finished". Reported: p50/p95/max per page, errors (timeouts, an exception or
error box on the page), and the server's resident memory before and after.

Loopback only: the bench starts its own server on a free port (or takes ``--url`` pointing at
127.0.0.1/localhost) and refuses anything else — it is not a tool for loading other machines.

    uv run python bench/load_bench.py --sessions 8 --seconds 120          # demo size 1.0
    uv run python bench/load_bench.py --sessions 2 --seconds 30 --demo-size 0.05 --json out.json

Two ways to open a page (``--mode``):

- ``switch`` (default): through the app's own top menu (section, then page), inside the running
  session — what a person does between pages, timed from the click until the new page's
  heading and first chart are drawn and the run has finished;
- ``reload``: a full navigation (``page.goto``) — a new Streamlit session that logs in from the
  cookie and draws the page, i.e. what a reload or an opened link costs.

Think time (``--think``, seconds, default 0): after each drawn page a session waits a random
pause drawn uniformly from 0,5–1,5 × that mean (seeded per session, so runs repeat) before its
next click, and each session starts after a random share of one pause — a person reading the
page before moving on. With ``--think 0`` every session clicks the moment a page is drawn: a
stress test in which eight sessions are far more traffic than eight people. Page times never
include the pause.

CPU: the bench reads the CPU seconds the server process and all Chromium processes used during
the timed phase (``/proc``, user + system), so a report says which side the cores went to.

Cold start is not part of the load: like ``make run`` (``innsikt init``), the data folder gets
its cube snapshot before the server starts, and one visitor opens Oversikt once before the
timed sessions begin (its time is reported as ``first page after start``). ``bench/run_bench.py``
measures the cold start itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import app  # noqa: E402  (PAGES only: app.py runs nothing on import)
from tests import app_server  # noqa: E402

BENCH_USER = "lastbenk"
BENCH_PASSWORD = "lastbenk-passord-123"
COOKIE_KEY = "load-bench-cookie-key-0123456789-abcdefghijklmnop"
DEFAULT_PAGES = ("oversikt", "leverandorer", "avtaler")
# url path → (page title = its heading, menu section), from app.PAGES (``--mode switch``).
MENU = {path: (title, section) for _s, title, _i, path, section, _r in app.PAGES}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Result:
    times: dict[str, list[float]] = field(default_factory=dict)
    # The same loads split: a session's first visit to a page in the timed phase (its browser
    # context fetches and compiles that page's front-end code — tables, charts — once), and
    # every later one (what a person who has used the app before waits for).
    first: dict[str, list[float]] = field(default_factory=dict)
    repeat: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error_examples: list[str] = field(default_factory=list)


def prepare_data(folder: Path, demo_size: float) -> None:
    """A data folder with demo data and the bench user (created once, reused afterwards)."""
    from data_access.admin.users import add_user
    from data_access.bootstrap import initialize
    from data_access.store import snapshot
    from data_access.store.db import make_engine
    from data_access.store.login_security import token_version

    engine = make_engine(f"sqlite:///{folder / 'innsikt.sqlite'}")
    initialize(engine, demo_size=demo_size, with_demo=True, log=lambda m: print(m, flush=True))
    if token_version(engine, BENCH_USER) is None:
        with engine.begin() as conn:
            add_user(
                conn, BENCH_USER, name="Lastbenk", role="analyst", password=BENCH_PASSWORD, rounds=4
            )
    snapshot.full_cube(engine, folder)  # as `innsikt init` leaves it for `make run`
    snapshot.forget()
    engine.dispose()


async def _settle(page, timeout_ms: int) -> None:  # type: ignore[no-untyped-def]
    await page.locator(".js-plotly-plot").first.wait_for(timeout=timeout_ms)
    await page.wait_for_function(app_server.IDLE, timeout=timeout_ms)


async def _page_error(page) -> str | None:  # type: ignore[no-untyped-def]
    for sel in ('[data-testid="stException"]', '[data-testid="stAlertContentError"]'):
        if await page.locator(sel).count():
            return (await page.locator(sel).first.inner_text())[:200]
    return None


async def _open(page, url: str, path: str, mode: str, timeout_ms: int) -> None:  # type: ignore[no-untyped-def]
    """Open ``path`` by the app's menu (``switch``) or by navigation (``reload``) and wait
    until its heading and first chart are drawn and the script run has finished."""
    if mode == "switch" and path in MENU:
        title, section = MENU[path]
        await page.get_by_text(section, exact=True).first.click()
        await page.get_by_role("menuitem", name=title).click()
        # The previous page had another heading: this one appears only when the new page runs.
        await page.get_by_role("heading", name=title, level=1).wait_for(timeout=timeout_ms)
    else:
        await page.goto(f"{url}/{path}")
    await _settle(page, timeout_ms)


async def login(n: int, browser, url: str, timeout_ms: int, result: Result):  # type: ignore[no-untyped-def]
    """A new browser context (own cookies, own Streamlit session) logged in through the form,
    Oversikt drawn; None (and a login error counted) if that failed."""
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_navigation_timeout(timeout_ms)
    page = await context.new_page()
    try:
        await page.goto(url + "/")
        await app_server.login_async(
            page, BENCH_USER, BENCH_PASSWORD, timeout_ms=timeout_ms, drawn_timeout_ms=timeout_ms
        )
        await page.wait_for_timeout(500)  # the cookie is written in the run after login
    except Exception as exc:  # a failed login is an error of the run, not of the bench
        result.errors["login"] = result.errors.get("login", 0) + 1
        result.error_examples.append(f"session {n} login: {type(exc).__name__}: {exc}"[:300])
        await context.close()
        return None
    return page


async def session(  # type: ignore[no-untyped-def]
    n: int,
    page,
    url: str,
    pages: list[str],
    deadline: float,
    max_rounds: int,
    timeout_ms: int,
    result: Result,
    mode: str = "switch",
    think: float = 0.0,
) -> None:
    """Open the pages in turn until the deadline (or ``max_rounds``), timing each, with a
    random pause of 0,5–1,5 × ``think`` seconds after each page (and a random start within
    one pause). A switch to the page already shown is skipped (it would not run anything);
    after login that is Oversikt. The caller closes the page's context."""
    rng = random.Random(1000 + n)
    if think > 0:
        await asyncio.sleep(rng.uniform(0, think))
    rounds = 0
    shown = "oversikt"
    seen: set[str] = set()
    while time.monotonic() < deadline and rounds < max_rounds:
        rounds += 1
        for path in pages:
            if time.monotonic() >= deadline:
                break
            if mode == "switch" and path == shown:
                continue
            shown = path
            t0 = time.perf_counter()
            try:
                await _open(page, url, path, mode, timeout_ms)
                problem = await _page_error(page)
            except Exception as exc:
                problem = f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - t0
            if problem:
                result.errors[path] = result.errors.get(path, 0) + 1
                if len(result.error_examples) < 10:
                    result.error_examples.append(f"session {n} {path}: {problem}"[:300])
            else:
                result.times.setdefault(path, []).append(elapsed)
                split = result.repeat if path in seen else result.first
                split.setdefault(path, []).append(elapsed)
            seen.add(path)
            if think > 0:
                await asyncio.sleep(
                    min(rng.uniform(0.5 * think, 1.5 * think), max(deadline - time.monotonic(), 0))
                )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (its reaped children included), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the ")" of the name: state is field 3, utime..cstime are fields 14–17.
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _chromium_pids() -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            with contextlib.suppress(OSError):
                if "chromium" in (d / "comm").read_text():
                    out.append(int(d.name))
    return out


def cpu_now(server_pid: int | None) -> dict[str, float]:
    """CPU seconds used so far by the server and by every running Chromium process."""
    return {
        "server": _cpu_seconds(server_pid) if server_pid else float("nan"),
        "browsers": sum(_cpu_seconds(p) for p in _chromium_pids()),
        "wall": time.monotonic(),
    }


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def run(
    url: str,
    sessions: int,
    seconds: float,
    pages: list[str],
    max_rounds: int,
    timeout_ms: int,
    mode: str = "switch",
    run_log: Path | None = None,
    think: float = 0.0,
    server_pid: int | None = None,
) -> tuple[Result, float | None, int, dict[str, float]]:
    """The timed sessions, after one visitor has opened Oversikt once (returned: its seconds
    from opening the site to the drawn page, login included; None if that failed). Every
    session logs in first (in parallel); the clock for ``seconds`` starts when all have."""
    from playwright.async_api import async_playwright

    result = Result()
    async with async_playwright() as p:
        browser = await p.chromium.launch(**app_server.launch_args())
        t0 = time.perf_counter()
        warm = await login(-1, browser, url, timeout_ms, result)
        first = None if warm is None else time.perf_counter() - t0
        if warm is not None:
            await warm.context.close()
        # Logging in is set-up, not the measured load: at most four at a time, so twenty
        # browser contexts do not all fetch the app's scripts in the same second.
        gate = asyncio.Semaphore(4)

        async def gated(i: int):  # type: ignore[no-untyped-def]
            async with gate:
                return await login(i, browser, url, timeout_ms, result)

        logged_in = await asyncio.gather(*[gated(i) for i in range(sessions)])
        # Server runs logged from here on are the timed ones (logins and warm-up came before).
        offset = run_log.stat().st_size if run_log is not None and run_log.exists() else 0
        deadline = time.monotonic() + seconds
        live = [page for page in logged_in if page is not None]
        cpu0 = cpu_now(server_pid)
        await asyncio.gather(
            *[
                session(i, page, url, pages, deadline, max_rounds, timeout_ms, result, mode, think)
                for i, page in enumerate(live)
            ]
        )
        cpu1 = cpu_now(server_pid)  # before the contexts close (their renderers exit then)
        for page in live:
            await page.context.close()
        await browser.close()
    cores = {k: round((cpu1[k] - cpu0[k]) / (cpu1["wall"] - cpu0["wall"]), 2) for k in cpu0}
    cores.pop("wall")
    return result, first, offset, cores


def _server_runs(run_log: Path | None, offset: int, pages: list[str]) -> dict[str, Any]:
    """p50/p95 of the server's page-script time per page during the timed phase (``ui/timing``)."""
    if run_log is None or not run_log.exists():
        return {}
    with run_log.open(encoding="utf-8") as f:
        f.seek(offset)
        rows = [line.rstrip("\n").split("\t") for line in f if "\t" in line]
    out: dict[str, Any] = {}
    for p in pages:
        xs = [float(sec) for path, sec in rows if path == p]
        out[p] = {"runs": len(xs), "p50_s": round(_pct(xs, 50), 3), "p95_s": round(_pct(xs, 95), 3)}
    return out


def _print(
    report: dict[str, Any], url: str, wall: float, first: float | None, result: Result
) -> None:
    print(
        f"\n{report['sessions']} sessions × {report['seconds']:.0f} s on {url}, pages opened by"
        f" {report['mode']}, think time {report['think_s']:g} s (wall {wall:.0f} s);"
        " first page after start: " + (f"{first:.1f} s" if first is not None else "failed")
    )
    print(
        f"{'page':<16}{'loads':>7}{'p50 s':>9}{'p95 s':>9}{'max s':>9}{'errors':>8}"
        f"{'first visits: n, p50, max':>28}{'later: n, p95':>16}"
    )
    for p, r in report["pages"].items():
        print(
            f"{p:<16}{r['loads']:>7}{r['p50_s']:>9}{r['p95_s']:>9}{r['max_s']:>9}{r['errors']:>8}"
            f"{r['first_visits']:>10}{r['first_p50_s']:>9}{r['first_max_s']:>9}"
            f"{r['later_visits']:>8}{r['later_p95_s']:>8}"
        )
    a = report["all_pages"]
    print(f"{'all':<16}{a['loads']:>7}{a['p50_s']:>9}{a['p95_s']:>9}{'':>9}{a['errors']:>8}")
    if report["server_page_runs"]:
        print("server time of the page script in those runs (INNSIKT_RUN_LOG):")
        for p, r in report["server_page_runs"].items():
            print(f"  {p:<14}{r['runs']:>7}{r['p50_s']:>9}{r['p95_s']:>9}")
    c = report["cpu_cores_used"]
    print(
        f"CPU during the timed phase, in cores (of {os.cpu_count()}): server {c['server']},"
        f" Chromium {c['browsers']}"
    )
    print(
        f"server RSS: {report['server_rss_mb_before']} MB before, "
        f"{report['server_rss_mb_after']} MB after"
    )
    for e in result.error_examples:
        print("  error:", e)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sessions", type=int, default=8, help="concurrent browser sessions")
    ap.add_argument("--seconds", type=float, default=120, help="how long the sessions run")
    ap.add_argument(
        "--max-rounds", type=int, default=1_000, help="page rounds per session, at most"
    )
    ap.add_argument("--pages", default=",".join(DEFAULT_PAGES), help="url paths, comma-separated")
    ap.add_argument("--demo-size", type=float, default=1.0, help="demo data size for a new folder")
    ap.add_argument("--data-dir", type=Path, help="data folder to use (created if missing)")
    ap.add_argument("--url", help="an already running server on the loopback (skips start-up)")
    ap.add_argument("--server-pid", type=int, help="its process id, for RSS with --url")
    ap.add_argument(
        "--timeout", type=float, default=90, help="seconds before a page counts as an error"
    )
    ap.add_argument(
        "--mode",
        choices=("switch", "reload"),
        default="switch",
        help="open pages by the app's menu (switch) or by a full navigation (reload)",
    )
    ap.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause in seconds after each drawn page (0: click at once, a stress test)",
    )
    ap.add_argument("--json", type=Path, help="write the results here as well")
    args = ap.parse_args(argv)
    if not 1 <= args.sessions <= 50:
        ap.error("--sessions must be between 1 and 50")
    if not 1 <= args.seconds <= 1_800:
        ap.error("--seconds must be between 1 and 1800")
    pages = [p.strip().strip("/") for p in args.pages.split(",") if p.strip()]

    run_log: Path | None = None
    with contextlib.ExitStack() as stack:
        if args.url:
            host = urllib.parse.urlparse(args.url).hostname or ""
            if host not in LOOPBACK:
                ap.error(f"--url must point at the loopback (127.0.0.1/localhost), not {host!r}")
            url, pid = args.url.rstrip("/"), args.server_pid
            if not app_server.wait_healthy(url, 120):
                raise SystemExit(f"server at {url} did not become healthy in 120 s")
        else:
            folder = args.data_dir or Path(tempfile.mkdtemp(prefix="innsikt_load_"))
            folder.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            prepare_data(folder, args.demo_size)
            print(f"data ready in {time.perf_counter() - t0:.0f} s ({folder})", flush=True)
            run_log = folder / "page-runs.tsv"
            run_log.unlink(missing_ok=True)
            server = stack.enter_context(
                app_server.serve(
                    folder, COOKIE_KEY, env={"INNSIKT_NO_DEMO": "", "INNSIKT_RUN_LOG": str(run_log)}
                )
            )
            url, pid = server.url, server.pid
        rss_before = app_server.rss_mb(pid) if pid else None
        t0 = time.perf_counter()
        result, first, offset, cores = asyncio.run(
            run(
                url,
                args.sessions,
                args.seconds,
                pages,
                args.max_rounds,
                int(args.timeout * 1000),
                args.mode,
                run_log,
                args.think,
                pid,
            )
        )
        wall = time.perf_counter() - t0
        rss_after = app_server.rss_mb(pid) if pid else None

    report = {
        "sessions": args.sessions,
        "seconds": args.seconds,
        "mode": args.mode,
        "think_s": args.think,
        "cpu_cores_used": cores,
        "first_page_after_start_s": round(first, 1) if first is not None else None,
        "wall_s": round(wall, 1),
        "demo_size": None if args.url else args.demo_size,
        "server_rss_mb_before": rss_before,
        "server_rss_mb_after": rss_after,
        "pages": {
            p: {
                "loads": len(result.times.get(p, [])),
                "p50_s": round(_pct(result.times.get(p, []), 50), 2),
                "p95_s": round(_pct(result.times.get(p, []), 95), 2),
                "max_s": round(max(result.times.get(p, [float("nan")])), 2),
                "errors": result.errors.get(p, 0),
                "first_visits": len(result.first.get(p, [])),
                "first_p50_s": round(_pct(result.first.get(p, []), 50), 2),
                "first_max_s": round(max(result.first.get(p, [float("nan")])), 2),
                "later_visits": len(result.repeat.get(p, [])),
                "later_p95_s": round(_pct(result.repeat.get(p, []), 95), 2),
            }
            for p in pages
        },
        "server_page_runs": _server_runs(run_log, offset, pages),
        "login_errors": result.errors.get("login", 0),
        "error_examples": result.error_examples,
    }
    every = [t for p in pages for t in result.times.get(p, [])]
    report["all_pages"] = {
        "loads": len(every),
        "p50_s": round(_pct(every, 50), 2),
        "p95_s": round(_pct(every, 95), 2),
        "errors": sum(result.errors.values()),
    }
    _print(report, url, wall, first, result)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if report["all_pages"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
