"""Polars' allocator returns freed memory soon in the app's process (``ui/allocator.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ui import allocator

ROOT = Path(__file__).resolve().parent.parent

# Frees a 480 MB frame, works on with small frames (jemalloc purges as it is used) and prints
# the setting Polars runs with, the MiB the frame held and the seconds until less than a fifth
# of it was still held (-1: not within 2 s).
PROBE = """
import os, sys, time
import polars as pl
from ui import allocator
if sys.argv[1:] == ["rerun"]:
    allocator.rerun_configured()
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
base = rss()
frame = pl.DataFrame({"a": pl.arange(0, 20_000_000, eager=True)}).with_columns(
    b=pl.col("a") * 2, c=pl.col("a").cast(pl.Float64))
held = rss() - base
del frame
start = time.monotonic()
back = -1.0
while time.monotonic() < start + 2:
    pl.DataFrame({"x": range(1000)}).sum()
    if rss() - base < held / 5:
        back = time.monotonic() - start
        break
print(os.environ[allocator.SETTING], round(held), round(back, 3))
"""


def _probe(*args: str) -> tuple[str, int, float]:
    env = {k: v for k, v in os.environ.items() if k != allocator.SETTING}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    return out[0], int(out[1]), float(out[2])


def test_freed_memory_is_returned_soon_only_with_the_setting() -> None:
    """A script that imported Polars without the setting runs again with it and then gives a
    freed 480 MB frame back soon after its decay (0,1 s; seen 0,18–0,28 s, with both cores
    busy too), while with Polars' default (0,5 s) the pages are held longer (seen
    0,61–1,05 s). Compared with each other rather than at a fixed moment: a fixed window
    failed one side or the other when the machine was loaded (the decay counts wall time,
    and the loop that lets jemalloc purge then runs less often)."""
    plain, held, back_plain = _probe()
    assert allocator.RETURN_SOON not in plain and held > 300
    configured, held, back = _probe("rerun")
    assert configured.endswith(allocator.RETURN_SOON) and held > 300
    assert 0 <= back < 1.0
    assert back_plain == -1 or back_plain > back + 0.2


def test_the_launcher_starts_the_server_with_the_setting() -> None:
    """``ui.serve`` puts the setting in the environment before Polars is imported (the server
    imports it later, in preload or the first run) — and keeps an operator's own value."""
    script = (
        "import os, sys\n"
        "import ui.serve as s\n"
        "s.preload.start = lambda: None\n"
        "s.streamlit_cli.main = lambda argv: print(os.environ[s.allocator.SETTING], "
        "'polars' in sys.modules)\n"
        "s.main([])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != allocator.SETTING}

    def run(extra: dict[str, str]) -> str:
        return subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**env, **extra, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout.strip()

    assert run({}) == f"{allocator.RETURN_SOON} False"
    assert run({allocator.SETTING: "dirty_decay_ms:2000"}) == "dirty_decay_ms:2000 False"


def test_too_late_once_polars_is_imported() -> None:
    import polars  # noqa: F401 - imported here as in every test process

    with pytest.raises(RuntimeError, match="already imported"):
        allocator.configure()
