"""Server time of each page run, for the load bench (``bench/load_bench.py``).

With ``INNSIKT_RUN_LOG`` set to a file path, every page script run that finishes appends one
line ``<url path>\\t<seconds>``; unset (every normal deployment), nothing is measured or
written. The bench reads the file to report the server's share of a page switch under load
next to what the browser waited — on one 2-core machine the bench's own Chromium competes with
the server, so the browser time alone does not say where the time went.

Also the process's garbage-collector set-up (:func:`freeze_once`): Streamlit's own
``gc.collect(2)`` after every run is off in ``.streamlit/config.toml`` (``runner.postScriptGC``),
and the objects that exist after the first finished run — the imported libraries, a quarter of
a million of them — are moved out of the collector's reach, so its own full passes stay short.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from data_access.store import settings

_lock = threading.Lock()
_frozen = threading.Event()


def freeze_once() -> bool:
    """After the first finished page run: collect once, then ``gc.freeze()`` what is left.

    A full collection walks every tracked object; with Streamlit, Plotly, pandas and Polars
    imported that is ≈ 220 000 objects and 0,1 s per pass (measured here), paid again on each
    full pass. Frozen, those objects are never scanned (nor freed: they are modules, classes
    and the like, alive for the life of the process anyway). Returns whether this call froze.
    """
    with _lock:
        if _frozen.is_set():
            return False
        gc.collect()
        gc.freeze()
        _frozen.set()
        return True


@contextlib.contextmanager
def page_run(url_path: str) -> Iterator[None]:
    """Time the page script run inside the block (when ``INNSIKT_RUN_LOG`` is set)."""
    target = settings.get("INNSIKT_RUN_LOG")
    if not target:
        yield
        return
    started = time.perf_counter()
    yield  # a rerun or stop raised inside is not a finished run: nothing is written
    seconds = time.perf_counter() - started
    with _lock, Path(target).open("a", encoding="utf-8") as out:
        out.write(f"{url_path or 'oversikt'}\t{seconds:.4f}\n")
