"""The app's libraries imported while the first browser connects (``ui/serve.py``).

``streamlit run app.py`` imports nothing of the app until a visitor's browser has loaded the
front end and opened its session. That first script run then imported pandas, Plotly, Polars,
SQLAlchemy and the app's own modules — ≈ 1,7 s measured with py-spy at a cold start — before
the login form could be drawn. The launcher starts :func:`start` before the server, so the
libraries, ``data_access`` and ``charts`` are imported while the browser is still loading
(median of five cold starts: session opened → login form 2,43 s → 1,69 s; the browser loads a
little slower beside it, so the form appeared 4,49 → 4,30 s after the start and the first chart
5,92 → 5,53 s); the first script run calls :func:`wait` before
its own imports instead of importing the same modules at the same time (two threads importing
pandas or pyarrow at once can see a half-initialised module). Only modules that do nothing
with Streamlit at import are preloaded (see ``PACKAGES``). Without the launcher (a plain
``streamlit run``, AppTest) nothing was started and :func:`wait` returns at once.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
import threading
import time

log = logging.getLogger("innsikt")

# Third-party first, in the order the app's first run needs them, then our modules below
# Streamlit. Not ``ui``, ``app`` or streamlit_authenticator: a custom component (the login
# cookie's) declared outside a script run is never registered with the server, and the login
# cookie was then never written (caught by the browser test of a reload after login).
LIBRARIES = ("pyarrow", "pandas", "polars", "sqlalchemy", "plotly.graph_objects", "jwt", "bcrypt")
PACKAGES = ("data_access", "charts")
NEVER = ("streamlit_authenticator", "extra_streamlit_components")
_skip = ("data_access.store.migrations",)

_thread: threading.Thread | None = None


def _ours() -> list[str]:
    names = []
    for package in PACKAGES:
        mod = importlib.import_module(package)
        names += [
            info.name
            for info in pkgutil.walk_packages(mod.__path__, prefix=f"{package}.")
            if not info.name.startswith(_skip)
        ]
    return names


def _server_started(timeout: float) -> bool:
    """Whether the server answers requests (its runtime has left its initial state).

    Importing while the server itself starts only slowed both down (one GIL): the health check
    answered after 1,4–2,0 s instead of 0,7–0,9 s."""
    from streamlit import runtime
    from streamlit.runtime.runtime import RuntimeState

    deadline = time.monotonic() + timeout
    while not (runtime.exists() and runtime.get_instance().state != RuntimeState.INITIAL):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _run() -> None:
    started = time.perf_counter()
    try:
        if _server_started(30.0):
            for name in [*LIBRARIES, *_ours()]:
                importlib.import_module(name)
            loaded = [m for m in NEVER if m in sys.modules]
            if loaded:  # a module of ours started importing one: say so, loudly
                log.error("preloading imported %s: its components are not registered", loaded)
    except Exception:  # the first script run imports (and reports) it again
        log.warning("preloading the app's modules failed", exc_info=True)
    log.info("app modules preloaded in %.1f s", time.perf_counter() - started)


def start() -> threading.Thread:
    """Import the app's modules in a daemon thread (once per process)."""
    global _thread
    if _thread is None:
        _thread = threading.Thread(target=_run, name="innsikt-preload", daemon=True)
        _thread.start()
    return _thread


def wait(timeout: float = 60.0) -> bool:
    """Block until the preloading thread (if one was started) has finished; True if nothing
    is left loading."""
    if _thread is None:
        return True
    _thread.join(timeout)
    return not _thread.is_alive()
