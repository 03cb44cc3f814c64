"""The server process's garbage-collector set-up (ui.timing.freeze_once, .streamlit/config)."""

from __future__ import annotations

import gc
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ui import timing

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh() -> Iterator[None]:
    timing._frozen.clear()
    gc.unfreeze()
    yield
    timing._frozen.clear()
    gc.unfreeze()


def test_the_first_finished_run_freezes_what_exists_and_later_runs_do_nothing(fresh: None) -> None:
    assert gc.get_freeze_count() == 0
    assert timing.freeze_once() is True
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # this test process's imports: pytest, polars, streamlit …
    made_later = [[i] for i in range(1_000)]
    assert timing.freeze_once() is False
    assert gc.get_freeze_count() == frozen  # nothing made after the first run is frozen
    assert all(gc.is_tracked(x) for x in made_later)


def test_streamlit_does_not_collect_all_generations_after_every_run() -> None:
    # ≈ 60 % of the server's CPU during menu switches (py-spy, 1 M lines) before it was off.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
