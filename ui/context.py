"""One page context per run, and the caches behind it.

``app.py`` builds a :class:`PageContext` once per run — the user's scope and the data version
read once, the filters parsed once (by the sidebar), the reference lists and filter options taken
from the caches — and hands it to the page (:func:`handed_to_page`); the page reads it with
:func:`current`. Nothing below re-derives scope, data version or filters.

The cube is shared read-only between every session that may see the same rows: cached with
``st.cache_resource`` keyed on the data version and the *set of municipalities* in scope (not
the role — admin, analyst and leder hold one object), so a run never copies it. Pages and figure
functions treat it as immutable (Polars operations return new frames; ``tests/test_context.py``
checks nothing mutates it). Smaller frames are cached with ``st.cache_data`` on the same keys.
The cube is taken from its cache when a page first reads ``ctx.cube``, not before: on
PostgreSQL, when a scope's cube passes ``INNSIKT_PUSHDOWN_ROWS`` rows (``ctx.in_database``),
every figure is aggregated by the database — the filter options, Oversikt's figures, the
standard charts, Leverandører's and Kommuner og kategorier's purchases (summed per the columns
they group by: :func:`purchase_rows`, :func:`cube_for`), Regionalt's groupings
(:func:`regional_rows_and_history`), Gevinster's sums (:func:`savings_rows`), Avtaler's tabs,
Muligheter and the import page's data quality (``data_access.pushdown`` and its siblings) — so
no page holds a national cube, and :attr:`PageContext.cube` refuses to load one
(:class:`CubeNotHeld`).

All ``st.cache_*`` decorators live here (STYLE.md §6).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import threading
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import polars as pl
import sqlalchemy as sa
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from charts import lang as chart_lang
from charts import registry
from data_access import (
    pushdown,
    pushdown_agreements,
    pushdown_opportunities,
    pushdown_regional,
    pushdown_savings,
)
from data_access.admin import opportunities as store
from data_access.bootstrap import initialize
from data_access.metrics import opportunities as op
from data_access.metrics import overview
from data_access.metrics.common import purchases
from data_access.metrics.coverage import expiring, outside_by_category, outside_by_supplier
from data_access.metrics.coverage import loyalty_by_category as loyalty_of_cube
from data_access.metrics.overview import Headline
from data_access.metrics.savings import SavingsRows, savings_factors
from data_access.metrics.savings import realized_by_month as realized_months
from data_access.metrics.savings_summary import target_share as cube_target_share
from data_access.metrics.thresholds import threshold_watch
from data_access.store import db, health, settings, snapshot
from data_access.store.agreements import (
    load_agreements,
    load_parties,
    register_frame,
    savings_target,
)
from data_access.store.categories import load_rules_table, load_tree
from data_access.store.cube import (
    load_categories,
    load_cube,
    load_municipalities,
    load_suppliers,
)
from data_access.store.filters import Filters, forget_selections
from data_access.store.locations import load_supplier_locations
from data_access.store.population import load_population
from data_access.store.scope import Scope
from data_access.store.targets import target_share_from_db
from data_access.store.thresholds import flag_lines as read_flag_lines
from data_access.store.thresholds import load_thresholds
from data_access.store.users import scope_for
from ui import state
from ui.i18n import t

Municipalities = frozenset[str] | None  # the rows a scope may see; None = every municipality
T = TypeVar("T")


@st.cache_resource(show_spinner="Starter databasen …")
def _engine(url: str) -> sa.Engine:
    engine = db.make_engine(url)
    initialize(engine)
    # The login form does not wait for the cube; nor is a cube warmed that the database
    # aggregates instead (above INNSIKT_PUSHDOWN_ROWS on PostgreSQL: a national one).
    if not pushdown.use_pushdown(engine, Scope.everything()):
        snapshot.start_warming(engine, settings.data_dir())
    return engine


def engine() -> sa.Engine:
    return _engine(settings.database_url())


def check_database() -> None:
    """Once per run, before anything reads: raise ``health.DatabaseUnavailable`` if the database
    cannot be used; after a restored SQLite file, drop every cached result of the old one."""
    if health.check(engine()):
        st.cache_data.clear()
        # The shared objects of the old file too (not st.cache_resource.clear(): the engine
        # stays): cubes, built charts, the process-wide cube and its remembered selections.
        _cube.clear()
        _supplier_table.clear()
        _scope_sums.clear()
        _standard_chart.clear()
        _options.clear()
        _page_result.clear()
        snapshot.forget()
        forget_selections()


def show_database_error() -> None:
    """The one message every page shows while the database is unavailable (details in the log)."""
    st.title("Innkjøpsinnsikt")
    st.error(
        f"**{t('Databasen er ikke tilgjengelig')}.** "
        + t(
            "Tallene vises igjen så snart den er tilbake – last siden på nytt om litt. "
            "Feilen er logget for driftsansvarlig."
        )
    )


def username() -> str:
    return str(st.session_state.get("username") or "")


def scope() -> Scope:
    """The logged-in user's scope, read from the database once per run (by ``app.py``), so a
    role change or a deactivation takes effect at once. Raises if nobody is logged in."""
    user = username()
    sc = scope_for(engine(), user) if user else None
    if sc is None:
        raise PermissionError("ikke innlogget")
    return sc


# --- the shared cube -------------------------------------------------------------------------


@st.cache_resource(show_spinner="Leser data …", max_entries=16, ttl=3600)
def _cube(
    _engine: sa.Engine, url: str, version: int, municipalities: Municipalities
) -> pl.DataFrame:
    sc = Scope.for_rows(municipalities)
    if municipalities is not None and _pushdown(_engine, url, version, None):
        # A database the app should not hold whole (a national one): a kommune scope's own
        # rows from SQL, not a slice of the full cube, which would load every municipality.
        return load_cube(_engine, sc)
    return snapshot.scoped_cube(_engine, sc, settings.data_dir())


def shared_cube(eng: sa.Engine, sc: Scope, version: int) -> pl.DataFrame:
    """The enriched cube with exactly the rows ``sc`` may see — one object per data version and
    set of municipalities, shared by every session and page. Read-only: never mutate it."""
    return _cube(eng, str(eng.url), version, sc.municipalities)


# --- reference lists, per data version -------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """Lists every page may need: municipalities (all codes, old and new), categories, the
    agreements with their savings factors, and whether demo rows are in the database."""

    municipalities: pl.DataFrame
    categories: pl.DataFrame
    agreements: pl.DataFrame
    savings_factors: pl.DataFrame
    is_demo: bool

    @functools.cached_property
    def _names(self) -> dict[str, str]:
        return dict(self.municipalities.select("code", "name").iter_rows())

    @functools.cached_property
    def _category_names(self) -> dict[int, str]:
        cats = self.categories
        names = dict(cats.select("category_id", "category").iter_rows())
        return names | dict(cats.select("category_l1_id", "category_l1").iter_rows())

    def municipality_names(self) -> dict[str, str]:
        """Code → name for every code (historical codes included); built once per run (the
        reference is unpickled from the cache once per run), not for every caption."""
        return dict(self._names)

    def category_names(self) -> dict[int, str]:
        """Category id (level 1 and 2) → name, built once per run."""
        return dict(self._category_names)


@st.cache_data(ttl=3600, max_entries=8)
def _reference(_engine: sa.Engine, url: str, version: int) -> Reference:
    with _engine.connect() as conn:
        agreements = load_agreements(conn)
        return Reference(
            municipalities=load_municipalities(conn),
            categories=load_categories(conn),
            agreements=agreements,
            savings_factors=savings_factors(agreements),
            is_demo=db.has_demo_data(conn),
        )


@st.cache_data(ttl=3600, max_entries=16, show_spinner=False)
def _pushdown(_engine: sa.Engine, url: str, version: int, municipalities: Municipalities) -> bool:
    return pushdown.use_pushdown(_engine, Scope.for_rows(municipalities))


@st.cache_resource(max_entries=16, ttl=3600)
def _options(
    _engine: sa.Engine,
    _ref: Reference,
    url: str,
    version: int,
    municipalities: Municipalities,
    in_database: bool,
) -> state.Options:
    if in_database:  # the cube is not loaded for this: its months and codes from the database
        months = pushdown.months_in_scope(_engine, Scope.for_rows(municipalities))
        return state.options_from_months(months, _ref.municipalities, _ref.categories)
    cube = _cube(_engine, url, version, municipalities)
    return state.options_from(cube, _ref.municipalities, _ref.categories)


# --- the page context ------------------------------------------------------------------------


@dataclass(frozen=True)
class RunData:
    """The cached data of one run before the filters are chosen (they need the options).

    ``in_database``: the scope's cube is larger than ``INNSIKT_PUSHDOWN_ROWS`` on PostgreSQL
    (``data_access.pushdown``); a page that can, then asks the database for its figures, and
    the cube is loaded only if a page reads :attr:`cube`."""

    engine: sa.Engine
    scope: Scope
    version: int
    reference: Reference
    options: state.Options
    in_database: bool

    @functools.cached_property
    def cube(self) -> pl.DataFrame:
        """The shared, read-only cube of the scope, loaded on first use (the same object for
        every page and session with these rows)."""
        return shared_cube(self.engine, self.scope, self.version)

    @property
    def has_data(self) -> bool:
        """Whether the scope has any spend rows, from the options (the cube is not loaded)."""
        return bool(self.options.municipalities)

    def with_filters(self, f: Filters, token: str) -> PageContext:
        return PageContext(
            self.engine,
            self.scope,
            self.version,
            self.reference,
            self.options,
            self.in_database,
            f,
            token,
        )


class CubeNotHeld(RuntimeError):
    """A figure read :attr:`PageContext.cube` above the pushdown threshold, where the app holds
    no cube (a national one is 5 GB at 30 M lines): it must be summed by the database."""


@dataclass(frozen=True)
class PageContext(RunData):
    """Everything a page reads for one run, computed once by ``app.py``."""

    filters: Filters
    token: str  # the canonical period token of ``filters`` (as in the URL)

    @property
    def username(self) -> str:
        return self.scope.username

    @functools.cached_property
    def cube(self) -> pl.DataFrame:
        """The shared, read-only cube, loaded on first use — below the threshold only: above
        it every figure is summed by the database, and reading the cube raises
        :class:`CubeNotHeld`."""
        if self.in_database:
            raise CubeNotHeld("spend_cube is summed by the database above INNSIKT_PUSHDOWN_ROWS")
        return shared_cube(self.engine, self.scope, self.version)


def run_data(sc: Scope) -> RunData:
    """Data version read once; reference lists, filter options and whether the database
    aggregates, from the caches. The cube itself is loaded when a page first reads it."""
    eng = engine()
    url = str(eng.url)
    version = db.data_version(eng)
    ref = _reference(eng, url, version)
    in_db = _pushdown(eng, url, version, sc.municipalities)
    opts = _options(eng, ref, url, version, sc.municipalities, in_db)
    return RunData(eng, sc, version, ref, opts, in_db)


_CURRENT: ContextVar[PageContext | None] = ContextVar("page_context", default=None)


@contextlib.contextmanager
def handed_to_page(ctx: PageContext) -> Iterator[None]:
    """Make ``ctx`` the page context while the page runs (``app.py``: around ``nav.run()``)."""
    token = _CURRENT.set(ctx)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current() -> PageContext:
    """The context ``app.py`` handed over for this run. A page script run on its own (a test of
    one page) gets one built here the same way, with the filters read from the URL."""
    ctx = _CURRENT.get()
    if ctx is not None:
        return ctx
    data = run_data(scope())
    params = {k: st.query_params.get_all(k) for k in state.KEYS}
    return data.with_filters(*state.parse_filters(params, data.options))


# --- agreements, savings and thresholds (Gevinster / Avtaler pages) --------------------------


@dataclass(frozen=True)
class AgreementData:
    """The agreement tables for one scope and data version (every change to them bumps it)."""

    parties: pl.DataFrame  # agreement_id, orgnr
    participants: pl.DataFrame  # agreement_id, municipality_code
    register: pl.DataFrame  # editable form; only agreements one of the scope's members is in
    thresholds: pl.DataFrame
    yearly_target_nok: float
    population: pl.DataFrame


@st.cache_data(ttl=3600, max_entries=16)
def _agreement_data(
    _engine: sa.Engine, url: str, version: int, municipalities: Municipalities
) -> AgreementData:
    with _engine.connect() as conn:
        parties, participants = load_parties(conn)
        return AgreementData(
            parties=parties,
            participants=participants,
            register=register_frame(conn, scope=Scope.for_rows(municipalities)),
            thresholds=load_thresholds(conn),
            yearly_target_nok=savings_target(conn),
            population=load_population(conn),
        )


def agreement_data(ctx: PageContext) -> AgreementData:
    return _agreement_data(ctx.engine, str(ctx.engine.url), ctx.version, ctx.scope.municipalities)


# --- analysis pages: population and supplier sub-units, per data version ---------------------


@dataclass(frozen=True)
class AnalysisReference:
    population: pl.DataFrame  # code in use that year × year, as stored
    locations: pl.DataFrame  # known sub-units of suppliers (parent_orgnr, municipality)


@st.cache_data(ttl=3600, max_entries=8)
def _analysis_reference(_engine: sa.Engine, url: str, version: int) -> AnalysisReference:
    with _engine.connect() as conn:
        return AnalysisReference(load_population(conn), load_supplier_locations(conn))


def analysis_reference(ctx: PageContext) -> AnalysisReference:
    return _analysis_reference(ctx.engine, str(ctx.engine.url), ctx.version)


# --- category tree and rules (Administrasjon), per data version ----------------------------


@st.cache_data(ttl=3600, max_entries=8, show_spinner=False)
def _category_tables(
    _engine: sa.Engine, url: str, version: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    with _engine.connect() as conn:
        return load_tree(conn), load_rules_table(conn)


def category_tables(ctx: PageContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The category tree with its line counts and the rules table, read once per data version
    (saving either re-classifies the lines and bumps the version)."""
    return _category_tables(ctx.engine, str(ctx.engine.url), ctx.version)


# --- threshold watch (Avtaler page) ----------------------------------------------------------


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _threshold_flags(
    _cube: pl.DataFrame,
    _thresholds: pl.DataFrame,
    municipalities: Municipalities,
    version: int,
    f: Filters,
    by_category: bool,
    min_level: str,
) -> pl.DataFrame:
    return threshold_watch(_cube, f, _thresholds, by_category=by_category, min_level=min_level)


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _threshold_flags_sql(
    _engine: sa.Engine,
    _thresholds: pl.DataFrame,
    url: str,
    municipalities: Municipalities,
    version: int,
    f: Filters,
    by_category: bool,
    min_level: str,
) -> pl.DataFrame:
    return pushdown_agreements.threshold_watch(
        _engine,
        Scope.for_rows(municipalities),
        f,
        _thresholds,
        by_category=by_category,
        min_level=min_level,
        suppliers=_supplier_table(_engine, url, version),
    )


def threshold_flags(ctx: PageContext, *, by_category: bool, min_level: str) -> pl.DataFrame:
    """The threshold watch for the context's rows and filters (cached per data version: the
    cube and the thresholds table are both keyed on it) — above the threshold from the
    database's sums (``pushdown_agreements.threshold_watch``)."""
    thresholds = agreement_data(ctx).thresholds
    if ctx.in_database:
        return _threshold_flags_sql(
            ctx.engine,
            thresholds,
            str(ctx.engine.url),
            ctx.scope.municipalities,
            ctx.version,
            ctx.filters,
            by_category,
            min_level,
        )
    return _threshold_flags(
        ctx.cube,
        thresholds,
        ctx.scope.municipalities,
        ctx.version,
        ctx.filters,
        by_category,
        min_level,
    )


# --- issue 13: Muligheter (joint-procurement opportunities) ---------------------------------


@dataclass(frozen=True)
class OpportunityReference:
    """Stored weights and default rates, the number of members and every agreement's category
    (cooperation-wide ids only)."""

    settings: op.OpportunitySettings
    members_total: int
    agreement_cats: pl.DataFrame


@st.cache_data(ttl=3600, max_entries=8)
def _opportunity_reference(_engine: sa.Engine, url: str, version: int) -> OpportunityReference:
    with _engine.connect() as conn:
        return OpportunityReference(
            settings=store.load_settings(conn),
            members_total=store.members_total(conn),
            agreement_cats=store.agreement_categories_all(conn),
        )


def opportunity_reference(ctx: PageContext) -> OpportunityReference:
    """Cached per data version (saving the settings bumps it)."""
    return _opportunity_reference(ctx.engine, str(ctx.engine.url), ctx.version)


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _breadth(
    _engine: sa.Engine,
    url: str,
    version: int,
    end: dt.date,
    area: str,
    categories: tuple[int, ...],
) -> pl.DataFrame:
    """Members buying each category across the whole cooperation: the same for every scope and
    municipality filter, so one query per data version, period end, area and categories (it
    was one SQL query per filter change on Muligheter, a tenth of the page's run)."""
    f = Filters(start=end, end=end, area=area, categories=categories)
    return store.cooperation_breadth(_engine, f)


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _opportunities(
    _ctx: PageContext,
    url: str,
    municipalities: Municipalities,
    version: int,
    f: Filters,
    as_of: dt.date,
) -> pl.DataFrame:
    ref = opportunity_reference(_ctx)
    ad = agreement_data(_ctx)
    # A scoped or filtered view counts the cooperation's buying members in SQL (counts only).
    breadth = (
        _breadth(_ctx.engine, url, version, f.end, f.area, f.categories)
        if municipalities is not None or f.municipalities
        else None
    )
    if _ctx.in_database:
        opps = pushdown_opportunities.opportunities(
            _ctx.engine,
            Scope.for_rows(municipalities),
            f,
            _ctx.reference.agreements,
            ad.participants,
            ad.thresholds,
            agreement_cats=ref.agreement_cats,
            members_total=ref.members_total,
            settings=ref.settings,
            as_of=as_of,
            breadth=breadth,
        )
    else:
        opps = op.opportunities(
            _ctx.cube,
            f,
            _ctx.reference.agreements,
            ad.participants,
            ad.thresholds,
            settings=ref.settings,
            as_of=as_of,
            members_total=ref.members_total,
            breadth=breadth,
            agreement_cats=ref.agreement_cats,
            municipalities=municipalities,
        )
    return op.rank(opps, ref.settings.weights)


def opportunities(ctx: PageContext, as_of: dt.date) -> pl.DataFrame:
    """The ranked opportunities for the context's scope and filters (metrics.opportunities;
    above the threshold from the database's sums, ``data_access.pushdown_opportunities``)."""
    return _opportunities(
        ctx, str(ctx.engine.url), ctx.scope.municipalities, ctx.version, ctx.filters, as_of
    )


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _category_suppliers(
    _ctx: PageContext, url: str, municipalities: Municipalities, version: int, f: Filters, cat: int
) -> pl.DataFrame:
    if _ctx.in_database:
        return pushdown_opportunities.category_suppliers(
            _ctx.engine, Scope.for_rows(municipalities), f, cat, _suppliers(_ctx)
        )
    return op.category_suppliers(_ctx.cube, f, cat)


def category_suppliers(ctx: PageContext, category_id: int) -> pl.DataFrame:
    """One category's suppliers of addressable spend in the last 12 months (Muligheter's
    drill-down), kept per data version, rows, filters and category."""
    return _category_suppliers(
        ctx,
        str(ctx.engine.url),
        ctx.scope.municipalities,
        ctx.version,
        ctx.filters,
        category_id,
    )


def realized_by_month(ctx: PageContext, f: Filters) -> pl.DataFrame:
    """``savings.realized_by_month`` for ``f`` in the context's rows: from the cube, or above
    the threshold from Gevinster's history summed by the database (kept per filter rows)."""
    agreements = ctx.reference.agreements
    if not ctx.in_database:
        return realized_months(ctx.cube, f, agreements)
    url = str(ctx.engine.url)
    history = _savings_history(ctx.engine, url, ctx.version, ctx.scope.municipalities, f.rows, f)
    return realized_months(history, f, agreements)


# --- issue 8: detail behind a flag, cached per data version, scope and flag -----------------


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _flag_lines(
    _engine: sa.Engine,
    url: str,
    scope: Scope,
    version: int,
    flag: tuple[int, dt.date, dt.date, str | None, int | None],
    f: Filters,
) -> tuple[pl.DataFrame, int, float]:
    supplier_id, window_start, window_end, municipality_now, category_id = flag
    return read_flag_lines(
        _engine,
        scope,
        supplier_id=supplier_id,
        window_start=window_start,
        window_end=window_end,
        municipality_now=municipality_now,
        category_id=category_id,
        categories=f.categories,
        municipalities=f.municipalities,
        area=f.area,
    )


def flag_lines(ctx: PageContext, flag: dict[str, Any]) -> tuple[pl.DataFrame, int, float]:
    """The ledger lines behind one threshold flag (a row of :func:`threshold_flags`), read from
    the database once per flag, filters, scope and data version — not again on every rerun."""
    key = (
        int(flag["supplier_id"]),
        flag["window_start"],
        flag["window_end"],
        flag["municipality_now"],
        flag["category_id"],
    )
    return _flag_lines(ctx.engine, str(ctx.engine.url), ctx.scope, ctx.version, key, ctx.filters)


# --- standard charts, per data version, rows, filters and language --------------------------


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _rows_in_database(
    _engine: sa.Engine,
    url: str,
    version: int,
    municipalities: Municipalities,
    chart_id: str,
    key: Hashable,
    _f: Filters,
) -> pl.DataFrame:
    """The database's rows for a chart, kept per ``key``: the filters, or only
    ``Filters.rows`` for a query that ignores the period (``ChartFrame.period_free``); rows
    per supplier are named from the supplier table kept per data version."""
    spec = pushdown.CHART_FRAMES[chart_id]
    names = _supplier_table(_engine, url, version) if spec.by_supplier else None
    return spec.rows(_engine, Scope.for_rows(municipalities), _f, names)


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def _standard_chart(
    _engine: sa.Engine,
    _data: Callable[[], registry.ChartData],
    url: str,
    version: int,
    municipalities: Municipalities,
    chart_id: str,
    f: Filters,
    presentation: bool,
    language: str,
    today: dt.date,
    in_db: bool,
) -> registry.BuiltChart:
    with chart_lang.using(language):
        if not in_db:
            return registry.build(chart_id, _data(), f, presentation=presentation)
        spec = pushdown.CHART_FRAMES[chart_id]
        key = f.rows if spec.period_free else f
        rows = _rows_in_database(_engine, url, version, municipalities, chart_id, key, f)
        return registry.from_frame(chart_id, spec.finish(rows, f), presentation=presentation)


def standard_chart(
    ctx: PageContext,
    data: Callable[[], registry.ChartData],
    chart_id: str,
    f: Filters,
    *,
    presentation: bool,
) -> registry.BuiltChart:
    """A standard chart built once per data version, set of visible rows, filters, size and
    language, and shared read-only by every session that may see the same rows (a leader's
    Oversikt opened by eight people is built once). ``today`` is in the key because the
    Muligheter chart counts expiring agreements from it. Nothing may mutate the result:
    Streamlit serialises the figure without changing it, and the downloads only read it.

    Above the pushdown threshold the charts ``data_access.pushdown.CHART_FRAMES`` names are
    aggregated by the database and ``data`` (which reads the cube) is not called."""
    return _standard_chart(
        ctx.engine,
        data,
        str(ctx.engine.url),
        ctx.version,
        ctx.scope.municipalities,
        chart_id,
        f,
        presentation,
        chart_lang.current(),
        dt.date.today(),
        ctx.in_database and chart_id in pushdown.CHART_FRAMES,
    )


def purchase_rows(ctx: PageContext, keys: tuple[str, ...]) -> pl.DataFrame:
    """The purchase rows within the filters (``metrics.common.purchases``) for a figure that
    sums within ``keys`` first: from the cube, or — above the threshold, where the cube is
    not loaded — summed by the database over everything but ``keys``
    (:func:`data_access.pushdown.purchase_rows`). Call it inside :func:`page_result`'s
    ``compute``, which keeps the result per filters."""
    if ctx.in_database:
        return pushdown.purchase_rows(
            ctx.engine, ctx.scope, ctx.filters, keys, suppliers=_suppliers(ctx)
        )
    return purchases(ctx.cube, ctx.filters)


@st.cache_resource(ttl=3600, max_entries=4, show_spinner=False)
def _supplier_table(_engine: sa.Engine, url: str, version: int) -> pl.DataFrame:
    return load_suppliers(_engine)


def _suppliers(ctx: PageContext) -> pl.DataFrame:
    """Every supplier's name and attributes, shared read-only per data version (the database
    sums purchases per supplier; the names are joined here, as for the cube)."""
    return _supplier_table(ctx.engine, str(ctx.engine.url), ctx.version)


def cube_for(ctx: PageContext, keys: tuple[str, ...]) -> pl.DataFrame:
    """The cube a page's ``metrics`` functions take — or, above the threshold, the purchases
    in the filters and the same months a year earlier, summed by the database over every
    column but ``keys`` (which must hold what those functions group by;
    :func:`data_access.pushdown.purchase_rows`). Inside :func:`page_result`'s ``compute``."""
    if ctx.in_database:
        f = ctx.filters
        return pushdown.purchase_rows(ctx.engine, ctx.scope, f, keys, since=f.previous_year().start)
    return ctx.cube


# --- Gevinster above the threshold (data_access.pushdown_savings) ----------------------------


@st.cache_data(ttl=3600, max_entries=8, show_spinner=False)
def _agreement_categories(
    _engine: sa.Engine, url: str, version: int, municipalities: Municipalities, _ag: pl.DataFrame
) -> pl.DataFrame:
    return pushdown_savings.categories(_engine, Scope.for_rows(municipalities), _ag)


@st.cache_data(ttl=3600, max_entries=8, show_spinner=False)
def _savings_history(
    _engine: sa.Engine,
    url: str,
    version: int,
    municipalities: Municipalities,
    rows: tuple[str, tuple[str, ...], tuple[int, ...]],
    _f: Filters,
) -> pl.DataFrame:
    """Gevinster's history per data version, scope and ``Filters.rows`` (3–5 MB for the
    national bench; a cache of its own, smaller than ``_period_free``'s 64 entries)."""
    return pushdown_savings.history_rows(_engine, Scope.for_rows(municipalities), _f)


def savings_rows(ctx: PageContext) -> SavingsRows:
    """What Gevinster computes on: the cube — or, above the threshold, the database's sums
    (:mod:`data_access.pushdown_savings`), two statements side by side (:func:`_beside`):
    the agreements' categories (kept per data version) and loyalty on one connection, the
    history (kept per filter rows) and the period's sums on the other, so a run waits for
    the longer of the two. Call it inside :func:`page_result`'s ``compute``, which keeps it
    per filters."""
    if not ctx.in_database:
        return SavingsRows.of_cube(ctx.cube)
    url = str(ctx.engine.url)

    def loyalty() -> pl.DataFrame:
        cats = _agreement_categories(
            ctx.engine, url, ctx.version, ctx.scope.municipalities, ctx.reference.agreements
        )
        return pushdown_savings.loyalty_rows(ctx.engine, ctx.scope, ctx.filters, cats)

    def history_and_period() -> tuple[pl.DataFrame, pl.DataFrame]:
        f = ctx.filters
        history = _savings_history(
            ctx.engine, url, ctx.version, ctx.scope.municipalities, f.rows, f
        )
        return history, pushdown.agreement_sums(ctx.engine, ctx.scope, f)

    (history, period), loyal = _beside(loyalty, history_and_period)
    return SavingsRows(history=history, period=period, loyalty=loyal)


# --- Avtaler above the threshold (data_access.pushdown_agreements) --------------------------
# Each is called inside the tab's ``page_result`` compute, which keeps it per filters.


def agreement_categories(ctx: PageContext) -> pl.DataFrame:
    """Each agreement's category over the whole scope (``coverage.agreement_categories``),
    summed by the database once per data version (above the threshold)."""
    return _agreement_categories(
        ctx.engine,
        str(ctx.engine.url),
        ctx.version,
        ctx.scope.municipalities,
        ctx.reference.agreements,
    )


def coverage_rows(ctx: PageContext) -> pl.DataFrame:
    """What the coverage figures sum: the cube, or the period's purchases per category,
    municipality and agreement summed by the database."""
    if ctx.in_database:
        return pushdown_agreements.coverage_rows(ctx.engine, ctx.scope, ctx.filters)
    return ctx.cube


def loyalty_by_category(ctx: PageContext) -> pl.DataFrame:
    """``coverage.loyalty_by_category`` for the context: from the cube, or summed by the
    database."""
    if not ctx.in_database:
        ad = agreement_data(ctx)
        return loyalty_of_cube(
            ctx.cube, ctx.filters, ctx.reference.agreements, ad.parties, ad.participants
        )
    return pushdown_agreements.loyalty_by_category(
        ctx.engine, ctx.scope, ctx.filters, agreement_categories(ctx)
    )


def outside(ctx: PageContext) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Spend outside agreements per category and the suppliers with the most of it
    (``coverage.outside_by_category``, ``outside_by_supplier``), from the cube or the
    database's sums."""
    f = ctx.filters
    if not ctx.in_database:
        return outside_by_category(ctx.cube, f), outside_by_supplier(ctx.cube, f)
    rows = pushdown.outside_rows(ctx.engine, ctx.scope, f, suppliers=_suppliers(ctx))
    return outside_by_category(rows, f), pushdown_agreements.outside_by_supplier(
        ctx.engine, ctx.scope, f, rows
    )


def expiring_agreements(ctx: PageContext, today: dt.date) -> pl.DataFrame:
    """``coverage.expiring`` for the scope, with the matched purchases of its last twelve
    months of data from the cube or summed by the database."""
    ad = agreement_data(ctx)
    if ctx.in_database:
        return pushdown_agreements.expiring_agreements(
            ctx.engine, ctx.scope, ctx.reference.agreements, ad.participants, today
        )
    return expiring(
        ctx.reference.agreements,
        ctx.cube,
        ad.participants,
        today,
        12,
        municipalities=ctx.scope.municipalities,
    )


def ehandel_rows(ctx: PageContext) -> pl.DataFrame:
    """The purchases the e-handel trend and share are computed from: the cube, or every
    month's per municipality and e-handel summed by the database, kept per ``Filters.rows``
    (the trend shows the whole history: a change of period alone reads nothing again)."""
    if ctx.in_database:
        rows: pl.DataFrame = _kept_per_rows(ctx, "ehandel_rows")
        return rows
    return ctx.cube


def last_month(ctx: PageContext) -> dt.date | None:
    """The last month with data in the scope (the cube's, or the filter options')."""
    if ctx.in_database:
        return ctx.options.last_month if ctx.options.municipalities else None
    last = ctx.cube["month"].max() if ctx.cube.height else None
    return last if isinstance(last, dt.date) else None


# --- Regionalt næringsliv above the threshold (data_access.pushdown_regional) -----------------


def regional_rows(
    ctx: PageContext, member_names: dict[str, str], max_employees: int
) -> pushdown_regional.RegionalRows:
    """The period's purchases summed by the database per Regionalt's groupings (above the
    threshold). Call it inside :func:`page_result`'s ``compute``, which keeps it per filters."""
    return pushdown_regional.period_rows(
        ctx.engine,
        ctx.scope,
        ctx.filters,
        member_names=member_names,
        max_employees=max_employees,
        suppliers=_suppliers(ctx),
    )


# Database queries that ignore the period (``Filters.rows`` is all they read of the filters),
# by name; looked up at the call, so a test's replacement of the function is the one called.
_PERIOD_FREE: dict[str, Callable[[sa.Engine, Scope, Filters], Any]] = {
    "regional_history": lambda e, sc, f: pushdown_regional.history_rows(e, sc, f),
    "municipalities_with_rows": lambda e, sc, f: pushdown.municipalities_with_rows(e, sc, f),
    "ehandel_rows": lambda e, sc, f: pushdown_agreements.ehandel_rows(e, sc, f),
}


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _period_free(
    _engine: sa.Engine,
    url: str,
    version: int,
    municipalities: Municipalities,
    rows: tuple[str, tuple[str, ...], tuple[int, ...]],
    what: str,
    _f: Filters,
) -> Any:
    return _PERIOD_FREE[what](_engine, Scope.for_rows(municipalities), _f)


def _kept_per_rows(ctx: PageContext, what: str) -> Any:
    """:data:`_PERIOD_FREE` ``what`` for the context, kept per data version, scope and
    ``Filters.rows``: a change of period alone does not ask the database again."""
    f = ctx.filters
    return _period_free(
        ctx.engine, str(ctx.engine.url), ctx.version, ctx.scope.municipalities, f.rows, what, f
    )


U = TypeVar("U")


def _beside(aside: Callable[[], T], main: Callable[[], U]) -> tuple[U, T]:
    """``main()`` and ``aside()`` side by side, ``aside`` in a thread of this script run (its
    session's caches and state): each query on a connection of its own, so on two cores the
    run waits for the longer of the two database queries instead of both."""
    script = get_script_run_ctx()

    def run() -> T:
        add_script_run_ctx(threading.current_thread(), script)
        return aside()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="innsikt-aside") as pool:
        later = pool.submit(run)
        return main(), later.result()


def regional_rows_and_history(
    ctx: PageContext, member_names: dict[str, str], max_employees: int
) -> tuple[pushdown_regional.RegionalRows, pl.DataFrame]:
    """:func:`regional_rows` and :func:`regional_history` side by side (:func:`_beside`): the
    period is PostgreSQL's work (in two halves, ``pushdown_regional.period_rows``) and the
    seven years' history another process's (national bench, four filter sets twice: 2,7–3,0 s
    one after the other, 1,7–1,9 s side by side).
    The history, kept per filter rows, comes from the cache at once after a change of period
    alone."""
    return _beside(
        lambda: regional_history(ctx), lambda: regional_rows(ctx, member_names, max_employees)
    )


def regional_history(ctx: PageContext) -> pl.DataFrame:
    """Purchases per month and regional level over the whole history, summed by the database,
    kept per ``Filters.rows``: a change of period alone does not read seven years again."""
    history: pl.DataFrame = _kept_per_rows(ctx, "regional_history")
    return history


@st.cache_data(ttl=3600, max_entries=8, show_spinner=False)
def _regional_in_use(
    _engine: sa.Engine,
    url: str,
    version: int,
    municipalities: Municipalities,
    members: tuple[str, ...],
) -> pl.DataFrame:
    return pushdown_regional.in_use(
        _engine,
        Scope.for_rows(municipalities),
        list(members),
        _supplier_table(_engine, url, version),
    )


def regional_in_use(ctx: PageContext, members: list[str]) -> pl.DataFrame:
    """The regional suppliers in use per NACE code over the whole scope, summed by the
    database, once per data version (the same for every filter)."""
    return _regional_in_use(
        ctx.engine, str(ctx.engine.url), ctx.version, ctx.scope.municipalities, tuple(members)
    )


def municipalities_with_rows(ctx: PageContext) -> frozenset[str] | None:
    """Above the threshold: the municipalities with rows in the filters in any month, kept per
    ``Filters.rows`` (a change of period alone does not ask again); None where the cube is
    loaded (``metrics`` reads them from it)."""
    if not ctx.in_database:
        return None
    codes: frozenset[str] = _kept_per_rows(ctx, "municipalities_with_rows")
    return codes


@st.cache_resource(ttl=3600, max_entries=4, show_spinner=False)
def _scope_sums(
    _engine: sa.Engine, url: str, version: int, municipalities: Municipalities
) -> pl.DataFrame:
    return pushdown.scope_rows(
        _engine, Scope.for_rows(municipalities), ("supplier_id", "category_id")
    )


def quality_cube(ctx: PageContext) -> pl.DataFrame:
    """What the import page's data quality is computed from: the cube, or above the threshold
    the scope's rows summed per supplier and category by the database (every figure there
    sums within a supplier and a category), kept per data version."""
    if ctx.in_database:
        return _scope_sums(ctx.engine, str(ctx.engine.url), ctx.version, ctx.scope.municipalities)
    return ctx.cube


# --- a page's own figures and tables, per data version, rows, filters and choices ----------


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def _page_result(
    _compute: Callable[..., Any],
    _ctx: PageContext,
    url: str,
    version: int,
    municipalities: Municipalities,
    name: str,
    f: Filters,
    args: tuple[Hashable, ...],
    language: str,
    today: dt.date,
) -> Any:
    return _compute(_ctx, *args)


def page_result(ctx: PageContext, name: str, compute: Callable[..., T], *args: Hashable) -> T:
    """``compute(ctx, *args)`` once per data version, set of visible rows, filters, the page's
    own choices (``args``: slider values, toggles) and language, shared read-only like the
    standard charts: a filter change that eight people make, or a rerun caused by a widget
    that does not change these inputs, costs the page only its layout.

    ``compute`` must read nothing but the context's cube, reference lists and cached tables
    (all keyed on the data version and the rows) and ``args`` — never the role, the user or
    the clock beyond today's date — and must return objects nobody mutates afterwards
    (frames, and figures already wrapped as :class:`charts.registry.BuiltChart`, which the
    chart wrapper shows without changing). ``name`` tells results of different pages apart."""
    result: T = _page_result(
        compute,
        ctx,
        str(ctx.engine.url),
        ctx.version,
        ctx.scope.municipalities,
        name,
        ctx.filters,
        tuple(args),
        chart_lang.current(),
        dt.date.today(),
    )
    return result


# --- a member's part of the savings target (Oversikt, Gevinster) ----------------------------


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _target_share_sql(
    _engine: sa.Engine, url: str, version: int, f: Filters, codes: frozenset[str]
) -> float:
    return target_share_from_db(_engine, f, codes)


def target_share(ctx: PageContext, f: Filters, codes: frozenset[str] | None) -> float:
    """The part of the yearly target that falls on ``codes`` (PRODUCT §4; 1.0 for None).

    A session that holds the whole cooperation's cube computes it there (a slice of the shared
    cube, no query; by today's municipality codes); a kommune session, which holds only its
    own rows, asks the database for the two sums (``store.targets``, in øre), once per data
    version, filters and municipalities. The two agree to 1e-12 for every code in the
    municipality table (``tests/test_presentation.py`` compares them on Verdal). Above the
    pushdown threshold the whole-cooperation session asks the database too (no cube loaded)."""
    if codes is None:
        return 1.0
    if ctx.scope.municipalities is None and not ctx.in_database:
        return cube_target_share(ctx.cube, f, codes)
    return _target_share_sql(ctx.engine, str(ctx.engine.url), ctx.version, f, codes)


# --- Oversikt's headline figures -------------------------------------------------------------


def _headline(ctx: PageContext, target: float) -> Headline:
    factors = ctx.reference.savings_factors
    if ctx.in_database:
        return pushdown.headline_sql(ctx.engine, ctx.scope, ctx.filters, factors, target)
    return overview.headline(ctx.cube, ctx.filters, factors, target)


def headline(ctx: PageContext, target: float) -> Headline:
    """Oversikt's headline figures for the context's filters against ``target`` (kr), once
    per data version, rows and filters: summed by the database above the pushdown threshold
    (the cube is not loaded), from the cube below it — the same figures
    (``tests/test_pushdown.py``, ``tests/test_pushdown_page.py``)."""
    return page_result(ctx, "oversikt", _headline, target)
