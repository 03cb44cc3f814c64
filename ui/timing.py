"""Server time of each page run, for the load bench (``bench/load_bench.py``).

With ``INNSIKT_RUN_LOG`` set to a file path, every page script run that finishes appends one
line ``<url path>\\t<seconds>``; unset (every normal deployment), nothing is measured or
written. The bench reads the file to report the server's share of a page switch under load
next to what the browser waited — on one 2-core machine the bench's own Chromium competes with
the server, so the browser time alone does not say where the time went.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from data_access.store import settings

_lock = threading.Lock()


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
