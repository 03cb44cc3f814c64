"""One page context per run: the cube is loaded once per data version and set of municipalities,
shared read-only by every page and by every role that sees the same rows; a kommune user's
cached cube holds only their rows; the agreement register is scoped where it is read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa
import streamlit as st

import ui.context as context
from data_access.metrics import concentration, overview, spend
from data_access.store import schema, snapshot
from data_access.store.agreements import register_frame
from data_access.store.cube import load_cube
from data_access.store.db import data_version, make_engine
from data_access.store.scope import Scope
from data_access.store.users import scope_for
from tests.conftest import new_app


@pytest.fixture()
def app_engine(app_env: Path) -> sa.Engine:
    return make_engine(f"sqlite:///{app_env / 'innsikt.sqlite'}")


def test_admin_analyst_and_leder_share_one_cached_cube(app_engine: sa.Engine) -> None:
    st.cache_resource.clear()
    version = data_version(app_engine)
    cubes = [
        context.shared_cube(app_engine, scope_for(app_engine, user) or Scope("admin"), version)
        for user in ("admin_t", "analytiker", "leder")
    ]
    assert cubes[0] is cubes[1] is cubes[2]
    assert cubes[0]["municipality_now"].n_unique() > 1


def test_a_kommune_users_cached_cube_holds_only_their_rows(app_engine: sa.Engine) -> None:
    st.cache_resource.clear()
    version = data_version(app_engine)
    verdal = scope_for(app_engine, "verdal")
    assert verdal is not None and verdal.municipalities == frozenset({"5038"})
    own = context.shared_cube(app_engine, verdal, version)
    everyone = context.shared_cube(app_engine, Scope("leder"), version)
    assert own is not everyone
    assert own.height > 0
    assert own["municipality_now"].unique().to_list() == ["5038"]
    assert own.height < everyone.height
    # another kommune user with the same municipality shares Verdal's object
    other = Scope("kommune", municipalities=frozenset({"5038"}), username="someone")
    assert context.shared_cube(app_engine, other, version) is own


def test_pages_of_one_session_get_the_same_cube_object_and_leave_it_unchanged(
    app_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    st.cache_resource.clear()
    loads: list[pl.DataFrame] = []
    seen: list[int] = []

    def counting_load(conn: Any, scope: Scope) -> pl.DataFrame:
        frame = load_cube(conn, scope)
        loads.append(frame)
        return frame

    def spy(fn: Any) -> Any:
        def wrapper(cube: pl.DataFrame, *args: Any, **kw: Any) -> Any:
            seen.append(id(cube))
            return fn(cube, *args, **kw)

        return wrapper

    snapshot.forget()  # the process-wide full cube, and no snapshot file: a real load is counted
    monkeypatch.setattr(snapshot, "load_cube", counting_load)
    monkeypatch.setattr(snapshot, "read_snapshot", lambda path, stamp: None)
    monkeypatch.setattr(overview, "headline", spy(overview.headline))
    monkeypatch.setattr(spend, "by_municipality", spy(spend.by_municipality))

    at = new_app("admin_t")
    at.run()  # Oversikt
    assert not at.exception
    at.switch_page("pages/municipalities_categories.py").run()
    assert not at.exception
    leder = new_app("leder")
    leder.run()  # Oversikt for another role with the same rows
    assert not leder.exception

    assert len(loads) == 1  # one load for admin's two pages and leder's page
    # Oversikt (admin) and Kommuner og kategorier (admin); leder's Oversikt, with the same rows and
    # filters, is given the headline computed for admin (``context.page_result``).
    assert len(seen) == 2
    assert set(seen) == {id(loads[0])}  # the very same object every time
    fresh = load_cube(app_engine, Scope("admin"))
    assert loads[0].equals(fresh)  # and no page changed it


def test_the_agreement_register_is_scoped_in_the_store(app_engine: sa.Engine) -> None:
    a, m = schema.agreement, schema.agreement_municipality
    with app_engine.connect() as conn, conn.begin() as tx:  # planted, then rolled back
        new_id = int(conn.execute(sa.select(sa.func.max(a.c.id))).scalar() or 0) + 1
        conn.execute(
            a.insert().values(
                id=new_id,
                ref="LEV-ONLY",
                name="Bare Levanger",
                start=dt.date(2024, 1, 1),
                end=dt.date(2026, 12, 31),
                end_with_options=dt.date(2026, 12, 31),
                savings_rate=0.05,
                savings_type="hard",
            )
        )
        conn.execute(m.insert().values(agreement_id=new_id, municipality_code="5037"))
        everything = register_frame(conn)
        verdal = register_frame(conn, scope=Scope("kommune", municipalities=frozenset({"5038"})))
        levanger = register_frame(conn, scope=Scope("kommune", municipalities=frozenset({"5037"})))
        tx.rollback()
    assert "LEV-ONLY" in everything["ref"].to_list()
    assert "LEV-ONLY" in levanger["ref"].to_list()
    assert "LEV-ONLY" not in verdal["ref"].to_list()
    assert verdal.height == everything.height - 1
    assert all("5038" in m.split(",") for m in verdal["municipalities"].to_list())


def test_standard_charts_are_built_once_per_rows_and_filters(
    app_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two roles that see the same rows share Oversikt's built charts; a kommune user's charts
    are built from their own rows, never taken from the shared ones; English builds its own."""
    from charts import registry

    st.cache_resource.clear()
    built: list[tuple[str, int]] = []
    real = registry.build

    def counting(chart_id: str, data: registry.ChartData, f: Any, **kw: Any) -> Any:
        built.append((chart_id, data.cube.height))
        return real(chart_id, data, f, **kw)

    monkeypatch.setattr(registry, "build", counting)
    admin = new_app("admin_t")
    admin.run()
    assert not admin.exception
    first = list(built)
    assert {c for c, _ in first} >= {"kommuner", "kategorier", "kvartal"}
    leder = new_app("leder")
    leder.run()
    assert not leder.exception
    assert built == first  # nothing rebuilt for the second role with the same rows
    verdal = new_app("verdal")
    verdal.run()
    assert not verdal.exception
    own = built[len(first) :]
    assert {c for c, _ in own} >= {"kommuner", "kategorier", "kvartal"}
    assert all(rows < first[0][1] for _, rows in own)  # from Verdal's smaller cube
    english = new_app("admin_t")
    english.query_params["lang"] = "en"
    english.run()
    assert not english.exception
    assert len(built) > len(first) + len(own)  # English figures are built in English


def test_a_pages_own_results_are_computed_once_per_rows_filters_and_choices(
    app_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leverandører's figures and tables: computed once for admin and leder (same rows and
    filters), again for a kommune user (own rows), again when a slider changes them, and not
    at all for a rerun with the same inputs."""
    st.cache_resource.clear()
    calls: list[tuple[int, float]] = []  # (purchase rows, ABC limit a) per computation
    real = concentration.suppliers_of

    def counting(rows: pl.DataFrame, a: float, b: float) -> pl.DataFrame:
        calls.append((rows.height, a))
        return real(rows, a, b)

    monkeypatch.setattr(concentration, "suppliers_of", counting)

    def open_suppliers(user: str) -> Any:
        at = new_app(user)
        at.run()
        at.switch_page("pages/suppliers.py").run()
        assert not at.exception
        return at

    admin = open_suppliers("admin_t")
    assert len(calls) == 1
    leder = open_suppliers("leder")
    assert len(calls) == 1  # leder sees the same rows: nothing recomputed
    assert [m.value for m in leder.metric] == [m.value for m in admin.metric]
    open_suppliers("verdal")
    assert len(calls) == 2 and calls[1][0] < calls[0][0]  # from Verdal's own, smaller cube
    admin.slider(key="lev_a").set_value(70).run()
    assert not admin.exception
    assert len(calls) == 3 and calls[2][1] == 0.7  # the ABC limit is part of the key
    admin.run()  # a rerun with the same inputs
    assert len(calls) == 3
