"""Polars' memory allocator told to give freed memory back to the system soon.

Polars allocates through its own jemalloc, which it tells to keep freed pages for half a
second, and a second more as lazily freed pages that still count as the process's memory.
Loading a cube (``store.cube.load_cube``: a small scope's in a national database, or a
report's municipalities) or enriching summed rows frees several times the result's size in
intermediate frames within a second or two, so the process's peak held them all: 40
municipalities of the national bench (a 165 MB cube) took
the process from 86 MiB to a peak of 581–600 MiB; with freed pages purged after 0,1 s and
not kept lazily, 533 MiB (the resident size ten seconds later was 420 MiB either way).
Purging at once instead (decay 0) gave 526 MiB but made Polars' own work slower: a filter,
group-by and join over 1 M rows took 117–128 ms instead of 74–80 ms (the pages reallocate
what they just freed); with 0,1 s it took 66–79 ms (three runs each, interleaved, 1 Dec).

jemalloc reads its setting once, at its first allocation; Polars writes its own defaults
(``dirty_decay_ms:500,muzzy_decay_ms:1000`` in 2.1) into the variable when it is imported and
appends what was there, which then wins. So the setting must be in the environment before
Polars is imported: :func:`configure` for the launcher (``ui/serve.py``), which imports Polars
only later (an operator's own value is kept), and :func:`rerun_configured` for a script that
imports Polars at its top (the benches, which run the app in their own process).
"""

from __future__ import annotations

import os
import sys

SETTING = "_RJEM_MALLOC_CONF"  # jemalloc's environment variable, as Polars builds it
RETURN_SOON = "dirty_decay_ms:100,muzzy_decay_ms:0"


def configure() -> None:
    """Put the setting in the environment (unless an operator put one there) for Polars to
    read when it is first imported — in this process and in every process it starts."""
    if "polars" in sys.modules:
        raise RuntimeError("Polars is already imported: its allocator would ignore the setting")
    os.environ.setdefault(SETTING, RETURN_SOON)


def rerun_configured() -> None:
    """Start this script again with the setting when Polars was imported without it (setting
    it now would not reach the allocator); return when it is in force."""
    if os.environ.get(SETTING, "").endswith(RETURN_SOON):
        return
    os.environ[SETTING] = RETURN_SOON
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])  # as it was started
