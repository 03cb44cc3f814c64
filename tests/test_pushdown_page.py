"""Oversikt above the pushdown threshold (issue 8, point 5): on PostgreSQL, with the scope's
cube larger than ``INNSIKT_PUSHDOWN_ROWS``, the page shows the same figures and charts without
the app ever loading the cube; below it, the cube path as before.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import streamlit as st

import ui.context as context
from data_access import pushdown, pushdown_regional
from data_access.store import db, decks, snapshot
from data_access.store.cube import load_cube
from data_access.store.filters import SORT_ORDER
from data_access.store.scope import Scope
from tests.conftest import new_app
from ui import definitions


@pytest.fixture()
def pg_app(
    pg_engine: sa.Engine, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The app pointed at the session's PostgreSQL demo database, caches empty."""
    monkeypatch.setenv("DATABASE_URL", pg_url)
    monkeypatch.setenv("INNSIKT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(
        "INNSIKT_COOKIE_KEY", "test-cookie-key-for-tests-only-not-a-secret-0123456789"
    )
    with pg_engine.connect() as c:  # the planner's row estimate, which the threshold reads
        c.exec_driver_sql("ANALYZE spend_cube")
    st.cache_data.clear()
    st.cache_resource.clear()
    snapshot.forget()
    yield pg_url
    st.cache_data.clear()
    st.cache_resource.clear()
    snapshot.forget()


def _page(user: str, path: str | None) -> tuple[list[Any], list[dict[str, Any]], list[Any]]:
    """The metric tiles (label, value), the charts' figures and the tables of one run of the
    first page (``path`` None) or of ``path`` after it."""
    at = new_app(user)
    at.run()
    if path:
        at.switch_page(path).run()
    assert not at.exception, at.exception
    metrics = [(m.label, m.value) for m in at.metric]
    figures = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    tables = [el.value.round(6).to_dict("split") for el in at.dataframe]
    return metrics, figures, tables


def _values(fig: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """Each trace's name and its numbers (rounded to øre) or labels, in order."""
    out = []
    for trace in fig["data"]:
        for axis in ("x", "y"):
            vals = trace.get(axis) or []
            if isinstance(vals, dict):  # Plotly's typed array: {"dtype", "bdata"}
                vals = [vals["bdata"]]
            out.append(
                (
                    str(trace.get("name")),
                    [round(v, 2) if isinstance(v, float) and math.isfinite(v) else v for v in vals],
                )
            )
    return out


def _counted_cube_loads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The scopes whose cube the app loads from now on, as they are loaded."""
    loads: list[object] = []
    real = snapshot.scoped_cube

    def counted(*args: Any, **kw: Any) -> Any:
        loads.append(args[1])
        return real(*args, **kw)

    monkeypatch.setattr(snapshot, "scoped_cube", counted)
    return loads


# The pages the database serves above the threshold, with what each shows on arrival.
PAGES = {
    "oversikt": (None, 6, 3, 0),
    "leverandorer": ("pages/suppliers.py", 4, 2, 1),
    "kommuner_kategorier": ("pages/municipalities_categories.py", 3, 6, 0),
    "regionalt": ("pages/regional.py", 4, 6, 1),
    "gevinster": ("pages/savings.py", 5, 4, 1),
    # Muligheter: the whole cooperation's target gap (three tiles and a chart) for the leader.
    "muligheter": (
        "pages/opportunities.py",
        {"leder": 7, "verdal": 4},
        {"leder": 2, "verdal": 1},
        1,
    ),
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("user", ["leder", "verdal"])
def test_pages_in_the_database_show_the_cube_paths_figures(
    pg_app: str, user: str, page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, n_metrics, n_figures, n_tables = PAGES[page]
    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", str(10**12))  # below it: the cube
    loads = _counted_cube_loads(monkeypatch)
    cube_metrics, cube_figures, cube_tables = _page(user, path)
    assert loads, "the cube path loads the scope's cube"
    want_metrics = n_metrics[user] if isinstance(n_metrics, dict) else n_metrics
    want_figures = n_figures[user] if isinstance(n_figures, dict) else n_figures
    assert len(cube_metrics) == want_metrics and len(cube_figures) == want_figures
    assert len(cube_tables) >= n_tables

    st.cache_data.clear()
    st.cache_resource.clear()
    snapshot.forget()
    loads.clear()
    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", "0")  # every scope is "too large"
    db_metrics, db_figures, db_tables = _page(user, path)
    assert loads == [], f"above the threshold {page} never loads the cube"
    assert db_metrics == cube_metrics  # the tiles, formatted, identical
    for want, got in zip(cube_figures, db_figures, strict=True):
        assert got["layout"]["title"] == want["layout"]["title"]
        assert _values(got) == _values(want)
    assert db_tables == cube_tables


@pytest.mark.parametrize("user", ["leder", "verdal"])
def test_avtaler_in_the_database_shows_the_cube_paths_figures_on_every_tab(
    pg_app: str, user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every tab of Avtaler with figures (the register reads no cube) shows the same tiles,
    charts and tables from the database's sums as from the cube — without loading it."""
    loads = _counted_cube_loads(monkeypatch)

    def tabs() -> list[tuple[list[Any], list[Any], list[Any]]]:
        at = new_app(user)
        at.run()
        at.switch_page("pages/agreements.py").run()
        shown = []
        for tab in definitions.AGREEMENT_TABS[:-1]:
            at.query_params["fane"] = tab
            at.run()
            metrics, figures = _tiles_and_charts(at)
            tables = [el.value.to_dict("split") for el in at.dataframe]
            shown.append((metrics, figures, tables))
        return shown

    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", str(10**12))  # below it: the cube
    want = tabs()
    assert loads, "the cube path loads the scope's cube"
    # Coverage: two tiles, two charts; outside: a chart and a table; the watch: flags and
    # the lines behind the first; expiring: two tiles; e-handel: a tile and a chart.
    assert [(len(m), len(f)) for m, f, _t in want] == [(2, 2), (0, 1), (0, 0), (2, 0), (1, 1)]
    assert len(want[1][2]) == 1 and want[1][2][0]["data"]
    # The watch: the thresholds, and for the whole cooperation the flags before them.
    assert len(want[2][2]) == (2 if user == "leder" else 1) and want[2][2][0]["data"]
    assert want[3][2] and want[3][2][0]["data"]  # agreements expiring
    st.cache_data.clear()
    st.cache_resource.clear()
    snapshot.forget()
    loads.clear()
    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", "0")  # every scope is "too large"
    got = tabs()
    assert loads == [], "above the threshold Avtaler never loads the cube"
    assert got == want


def test_a_small_scope_in_a_large_database_loads_only_its_own_rows(
    pg_app: str, pg_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verdal's cube below the threshold, the whole database above it: Verdal's pages read
    Verdal's rows from SQL; the full cube (every municipality) is never loaded, not even to
    be sliced — at national scale that slice cost 52 s and 10 GB (bench/national_bench.py)."""
    verdal = Scope(role="kommune", municipalities=frozenset({"5038"}))
    own_rows = pushdown.cube_rows(pg_engine, verdal)
    assert 0 < own_rows < pushdown.cube_rows(pg_engine, Scope.everything())
    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", str(own_rows))
    full_loads: list[object] = []
    real = snapshot.full_cube

    def counted(*args: Any, **kw: Any) -> Any:
        full_loads.append(args)
        return real(*args, **kw)

    monkeypatch.setattr(snapshot, "full_cube", counted)

    at = new_app("verdal")
    at.run()
    assert not at.exception, at.exception
    at.switch_page("pages/suppliers.py").run()  # a page that reads the cube
    assert not at.exception, at.exception
    assert full_loads == []
    version = db.data_version(pg_engine)
    cube = context.shared_cube(context.engine(), verdal, version)
    assert cube.height == own_rows
    assert cube.sort(SORT_ORDER).equals(load_cube(pg_engine, verdal).sort(SORT_ORDER))


def _two_periods_then_a_category(at: Any) -> Iterator[None]:
    """Set the sidebar to 2024, then 2023, then category 1, running the app after each (and
    yielding, for the caller's checks); a history kept per ``Filters.rows`` is read twice."""
    for key, value in (("f_periode", "2024"), ("f_periode", "2023"), ("f_kategori", [1])):
        if key == "f_periode":
            at.sidebar.selectbox(key=key).set_value(value)
        else:
            at.sidebar.multiselect(key=key).set_value(value)
        at.run()
        assert not at.exception, at.exception
        yield


def test_a_change_of_period_alone_reuses_the_history_from_the_database(
    pg_app: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quarterly history ignores the period (``ChartFrame.period_free``): one query for
    two periods, a new one when a category is chosen."""
    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", "0")
    calls: list[tuple[object, ...]] = []
    spec = pushdown.CHART_FRAMES["kvartal"]

    def counted(conn: Any, scope: Scope, f: Any) -> Any:
        calls.append(f.rows)
        return pushdown.monthly_history_sql(conn, scope, f)

    monkeypatch.setitem(
        pushdown.CHART_FRAMES, "kvartal", pushdown.ChartFrame(counted, spec.finish, True)
    )
    at = new_app("leder")
    at.run()
    for _run in _two_periods_then_a_category(at):
        pass
    assert len(calls) == 2 and calls[0] != calls[1]


def test_regional_reads_its_history_once_per_filter_rows(
    pg_app: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regionalt above the threshold: the seven years' history by level (read side by side
    with the period, in a thread of its own) once for two periods, again when a category
    is chosen — and the period's sums for every change."""
    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", "0")
    history: list[object] = []
    periods: list[object] = []
    real_history, real_period = pushdown_regional.history_rows, pushdown_regional.period_rows

    def counted_history(conn: Any, scope: Scope, f: Any) -> Any:
        history.append(f.rows)
        return real_history(conn, scope, f)

    def counted_period(*args: Any, **kw: Any) -> Any:
        periods.append(args[2])
        return real_period(*args, **kw)

    monkeypatch.setattr(pushdown_regional, "history_rows", counted_history)
    monkeypatch.setattr(pushdown_regional, "period_rows", counted_period)
    at = new_app("leder")
    at.run()
    at.switch_page("pages/regional.py").run()
    for _run in _two_periods_then_a_category(at):
        assert len(at.get("plotly_chart")) >= 5
    assert len(history) == 2 and history[0] != history[1]
    assert len(periods) == 4


def _tiles_and_charts(at: Any) -> tuple[list[Any], list[list[tuple[str, list[Any]]]]]:
    """A page's tiles and its charts' titles and values, after the run ``at`` just made."""
    assert not at.exception, at.exception
    figures = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    return [(m.label, m.value) for m in at.metric], [
        [("title", fig["layout"]["title"]), *_values(fig)] for fig in figures
    ]


def test_the_import_page_above_the_threshold_shows_the_same_data_quality(
    pg_app: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import page's data quality (whole scope) from the database's sums per supplier
    and category: the same tiles as from the cube, and no cube loaded."""

    def tiles() -> list[tuple[str, str]]:
        at = new_app("admin_t")
        at.run()
        at.switch_page("pages/import_data.py").run()
        assert not at.exception, at.exception
        return [(m.label, m.value) for m in at.metric]

    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", str(10**12))
    want = tiles()
    assert len(want) >= 4
    st.cache_data.clear()
    st.cache_resource.clear()
    snapshot.forget()
    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", "0")
    loads: list[object] = []
    monkeypatch.setattr(snapshot, "scoped_cube", lambda *a, **k: loads.append(a))
    monkeypatch.setattr(context, "load_cube", lambda *a, **k: loads.append(a))
    assert tiles() == want
    assert loads == []


def test_the_default_presentation_above_the_threshold_never_loads_the_cube(
    pg_app: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every slide of the default deck over every municipality is drawn (the frames from
    SQL, Muligheter's from the database's sums), the slide buttons stay, and no cube is
    loaded."""
    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", "0")
    loads: list[object] = []
    monkeypatch.setattr(context, "load_cube", lambda *a, **k: loads.append(a))
    monkeypatch.setattr(snapshot, "scoped_cube", lambda *a, **k: loads.append(a))
    at = new_app("leder")
    at.run()
    at.switch_page("pages/presentation.py").run()
    drawn = []
    for n, chart_id in enumerate(decks.DEFAULT_CHARTS, start=1):
        assert not at.exception, (chart_id, at.exception)
        assert at.button(key="pres_next") is not None
        if at.get("plotly_chart"):
            drawn.append(chart_id)
        if n < len(decks.DEFAULT_CHARTS):
            at.button(key="pres_next").click().run()
    assert drawn == list(decks.DEFAULT_CHARTS) and len(drawn) == 10
    assert loads == []


def test_the_report_above_the_threshold_asks_for_municipalities_and_reads_only_theirs(
    pg_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``innsikt report`` and Eksport compute on a cube: in a database above the threshold
    they refuse every municipality at once with a clear message, and for Verdal read Verdal's
    rows alone — the same spend per municipality as from the whole cube."""
    from charts.lang import using
    from report.bundle import ReportError, ReportRequest, collect

    with pg_engine.connect() as c:
        c.exec_driver_sql("ANALYZE spend_cube")
    verdal = Scope(role="kommune", municipalities=frozenset({"5038"}))
    request = ReportRequest("2025-K2", ("5038",), charts=("kommuner", "leverandorer"))
    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", str(10**12))  # below: the whole cube
    with using("nb"):
        want = collect(pg_engine, request)
    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", "0")  # every scope above the threshold
    # A selection is held up to its own bound (memory), not up to the threshold.
    monkeypatch.setenv("INNSIKT_SELECTION_ROWS", str(pushdown.cube_rows(pg_engine, verdal)))
    loads: list[frozenset[str] | None] = []
    real = load_cube

    def counted(engine: Any, sc: Scope) -> Any:
        loads.append(sc.municipalities)
        return real(engine, sc)

    monkeypatch.setattr("report.bundle.load_cube", counted)
    with using("nb"), pytest.raises(ReportError, match="velg kommunene rapporten skal gjelde"):
        collect(pg_engine, replace(request, municipalities=()))
    assert loads == []
    with using("nb"):
        got = collect(pg_engine, request)
    assert loads == [frozenset({"5038"})]
    assert [s.key for s in got.sections] == ["kvartal", "hittil"]
    monkeypatch.setenv("INNSIKT_PUSHDOWN_ROWS", "0")  # Verdal's own scope above it too
    foreign = replace(request, municipalities=("5037",), user="verdal")
    with using("nb"), pytest.raises(ReportError, match="utenfor tilgangen"):
        collect(pg_engine, foreign)
    for a, b in zip(want.sections, got.sections, strict=True):
        for x, y in zip(a.charts, b.charts, strict=True):
            assert x.frame.height > 0 and x.frame.equals(y.frame), x.spec.id
