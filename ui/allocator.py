"""Polars' memory allocator told to give freed memory back to the system at once.

Polars allocates through its own jemalloc, which it tells to keep freed pages for half a
second and a second more before returning them to the system. Loading a selection's cube
(``ui.context._selection_cube``) or enriching summed rows frees several times the result's
size in intermediate frames within a second or two, so the process's peak held them all: 40 municipalities of the national bench
(a 165 MB cube) took the process from 86 to a peak of 581–600 MiB, and to 526 MiB with freed
pages returned at once (the resident size ten seconds later was 420 MiB either way). In the
national page bench, the app process after a cube page for those 40 municipalities peaked at
1 047–1 062 MiB with the default and 927–929 MiB with this setting, the pages' times the same
within the machine's noise (two runs each, interleaved, 1 Dec).

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
RETURN_AT_ONCE = "dirty_decay_ms:0,muzzy_decay_ms:0"


def configure() -> None:
    """Put the setting in the environment (unless an operator put one there) for Polars to
    read when it is first imported — in this process and in every process it starts."""
    if "polars" in sys.modules:
        raise RuntimeError("Polars is already imported: its allocator would ignore the setting")
    os.environ.setdefault(SETTING, RETURN_AT_ONCE)


def rerun_configured() -> None:
    """Start this script again with the setting when Polars was imported without it (setting
    it now would not reach the allocator); return when it is in force."""
    if os.environ.get(SETTING, "").endswith(RETURN_AT_ONCE):
        return
    os.environ[SETTING] = RETURN_AT_ONCE
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])  # as it was started
