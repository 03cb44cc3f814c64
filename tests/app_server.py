"""The app under a real ``streamlit run``, for the browser tests and the benches alike.

One place that knows how the app is started (free loopback port, data folder, cookie key),
when it is ready (``/_stcore/health``), how it is stopped, how Chromium is launched and how a
person logs in through the form — so a change to any of these is made once, and a bench
measures the same start-up the browser tests check. The benches put the repository root on
``sys.path`` and import it as ``tests.app_server``.

The login is written once as a sequence of Playwright calls (``_form_steps``,
``_submit_steps``) and driven by a sync or an async runner: the same expressions return
``None`` on a sync page and an awaitable on an async one (the load bench runs many sessions
concurrently on the async API).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian's chromium (`make browser-deps`)
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
# The script run has finished: Streamlit's status widget ("Running…") is gone.
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
LOGIN_SETTLE_MS = 1_500


def launch_args() -> dict[str, Any]:
    """Keyword arguments for ``playwright.chromium.launch`` (and pytest-playwright's
    ``browser_type_launch_args``): the system Chromium, headless, nothing phoning home."""
    return {"executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS)}


def free_port() -> int:
    """A port on the loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class AppServer:
    """A running ``streamlit run app.py``: its base URL, process and log file."""

    url: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_tail(self, chars: int = 4_000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def server_env(
    data_dir: Path, cookie_key: str, extra: Mapping[str, str | None] | None = None
) -> dict[str, str]:
    """This process's environment for the server: the data folder and cookie key set,
    ``DATABASE_URL`` dropped (the embedded database in ``data_dir``) unless ``extra`` gives
    one; an ``extra`` value of ``None`` removes that variable."""
    env = {**os.environ, "INNSIKT_DATA_DIR": str(data_dir), "INNSIKT_COOKIE_KEY": cookie_key}
    env.pop("DATABASE_URL", None)
    for name, value in (extra or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def start(
    data_dir: Path,
    cookie_key: str,
    *,
    env: Mapping[str, str | None] | None = None,
    log_path: Path | None = None,
    port: int | None = None,
) -> AppServer:
    """Start the app on ``127.0.0.1`` (a free port unless given), its output in ``log_path``
    (default ``data_dir/streamlit.log``). Returns at once; see :func:`wait_healthy`."""
    port = port or free_port()
    log_path = log_path or data_dir / "streamlit.log"
    with open(log_path, "wb") as log:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [  # as `make run` starts it: ui/serve.py is `streamlit run app.py` + preloading
                sys.executable,
                "-m",
                "ui.serve",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
            ],
            cwd=ROOT,
            env=server_env(data_dir, cookie_key, env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return AppServer(f"http://127.0.0.1:{port}", proc, log_path)


def wait_healthy(
    url: str,
    timeout_s: float = 120,
    *,
    interval_s: float = 0.5,
    proc: subprocess.Popen[bytes] | None = None,
) -> bool:
    """Poll ``url/_stcore/health`` until it answers ``ok`` (True) or ``timeout_s`` passes
    (False); gives up early when ``proc`` has exited."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return True
        except OSError:
            if proc is not None and proc.poll() is not None:
                return False
            time.sleep(interval_s)
    return False


def stop(server: AppServer, timeout_s: float = 20) -> None:
    """Terminate the server; kill it if it has not exited after ``timeout_s``."""
    server.proc.terminate()
    try:
        server.proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


@contextlib.contextmanager
def serve(
    data_dir: Path,
    cookie_key: str,
    *,
    env: Mapping[str, str | None] | None = None,
    health_timeout_s: float = 120,
    interval_s: float = 0.5,
) -> Iterator[AppServer]:
    """The app started, healthy and stopped again on leaving; raises ``RuntimeError`` with
    the end of the server log if it does not become healthy in ``health_timeout_s``."""
    server = start(data_dir, cookie_key, env=env)
    try:
        if not wait_healthy(server.url, health_timeout_s, interval_s=interval_s, proc=server.proc):
            raise RuntimeError(
                f"the app at {server.url} did not become healthy in {health_timeout_s:.0f} s:\n"
                + server.log_tail()
            )
        yield server
    finally:
        stop(server)


# --- memory of the server process ---------------------------------------------------------


def _status_kb(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of one process in MB; NaN when /proc does not say."""
    kb = _status_kb(pid, "VmHWM")
    return kb / 1024 if kb is not None else float("nan")


def rss_mb(pid: int) -> float | None:
    """Resident memory (VmRSS) of a process and its children in MB, from /proc."""
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    total = sum(_status_kb(p, "VmRSS") or 0 for p in pids)
    return round(total / 1024, 1) if total else None


# --- logging in through the form ----------------------------------------------------------


def _form_steps(page: Any, timeout_ms: int, settle_ms: int) -> Iterator[Any]:
    # The login cookie component reports back once after the page loads and triggers a rerun;
    # a click inside that rerun can be lost (a person simply clicks again), so let it settle.
    yield page.get_by_role("textbox", name="Brukernavn").first.wait_for(timeout=timeout_ms)
    if settle_ms:
        yield page.wait_for_timeout(settle_ms)
        yield page.wait_for_function(IDLE, timeout=timeout_ms)


def _submit_steps(page: Any, user: str, password: str, drawn_timeout_ms: int) -> Iterator[Any]:
    yield page.get_by_role("textbox", name="Brukernavn").fill(user)
    yield page.get_by_role("textbox", name="Passord").fill(password)
    yield page.get_by_role("button", name="Logg inn").click()
    yield page.locator(".js-plotly-plot").first.wait_for(timeout=drawn_timeout_ms)
    yield page.wait_for_function(IDLE, timeout=drawn_timeout_ms)


def wait_for_login_form(
    page: Any, *, timeout_ms: int = 60_000, settle_ms: int = LOGIN_SETTLE_MS
) -> None:
    """Wait (sync Playwright) until the login form is shown and, unless ``settle_ms`` is 0,
    the cookie component's rerun is over."""
    for _ in _form_steps(page, timeout_ms, settle_ms):
        pass


def submit_login(page: Any, user: str, password: str, *, drawn_timeout_ms: int = 90_000) -> None:
    """Fill in and send the shown login form (sync); return once a chart is drawn and idle."""
    for _ in _submit_steps(page, user, password, drawn_timeout_ms):
        pass


def _login_steps(
    page: Any,
    user: str,
    password: str,
    *,
    timeout_ms: int = 60_000,
    drawn_timeout_ms: int = 90_000,
    settle_ms: int = LOGIN_SETTLE_MS,
) -> Iterator[Any]:
    yield from _form_steps(page, timeout_ms, settle_ms)
    yield from _submit_steps(page, user, password, drawn_timeout_ms)


def login(page: Any, user: str, password: str, **options: int) -> None:
    """Log in through the form on an opened page (sync Playwright) and wait for the first
    chart: :func:`wait_for_login_form`, then :func:`submit_login`. ``options``:
    ``timeout_ms`` (form), ``drawn_timeout_ms`` (chart drawn), ``settle_ms``."""
    for _ in _login_steps(page, user, password, **options):
        pass


async def login_async(page: Any, user: str, password: str, **options: int) -> None:
    """:func:`login` on Playwright's async API."""
    for step in _login_steps(page, user, password, **options):
        await step


# --- a login seeded into an AppTest (no form, no cookie) ----------------------------------


def seed_login(at: Any, username: str, *, name: str, role: str, token_version: int | None) -> Any:
    """Put a user's login into an AppTest's session state as ``ui.auth`` leaves it after a
    form login (the token version included, or the app logs the session out); returns ``at``."""
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["name"] = name
    at.session_state["roles"] = [role]
    at.session_state["logout"] = None
    at.session_state["_auth_tv"] = token_version
    return at
