"""Cached accessors the pages call: engine, the user's scope, the scoped cube, reference lists.

All ``st.cache_*`` decorators live here (STYLE.md §6). Cached data is keyed on the user's scope
and the data version, so a kommune user never receives another scope's frame and an import is
seen on the next rerun.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa
import streamlit as st

from data_access import db, health, settings
from data_access.agreements import load_agreements
from data_access.bootstrap import initialize
from data_access.cube import load_categories, load_cube, load_municipalities
from data_access.filters import Filters
from data_access.metrics.savings import savings_factors
from data_access.scope import Scope
from data_access.users import scope_for
from ui.i18n import t


@st.cache_resource(show_spinner="Starter databasen …")
def _engine(url: str) -> sa.Engine:
    engine = db.make_engine(url)
    initialize(engine)
    return engine


def engine() -> sa.Engine:
    return _engine(settings.database_url())


def check_database() -> None:
    """Once per run, before anything reads: raise ``health.DatabaseUnavailable`` if the database
    cannot be used; after a restored SQLite file, drop every cached result of the old one."""
    if health.check(engine()):
        st.cache_data.clear()


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


def data_version() -> int:
    return db.data_version(engine())


def username() -> str:
    return str(st.session_state.get("username") or "")


def scope() -> Scope:
    """The logged-in user's scope, read from the database on every run (a role change or a
    deactivation takes effect at once). Raises if nobody is logged in."""
    user = username()
    sc = scope_for(engine(), user) if user else None
    if sc is None:
        raise PermissionError("ikke innlogget")
    return sc


@st.cache_data(ttl=3600, show_spinner="Leser data …", max_entries=32)
def _cube(_engine: sa.Engine, url: str, scope: Scope, version: int) -> pl.DataFrame:
    return load_cube(_engine, scope)


def cube(sc: Scope | None = None) -> pl.DataFrame:
    """The enriched spend cube for the user's scope (cached per scope and data version)."""
    sc = sc or scope()
    return _cube(engine(), settings.database_url(), sc, data_version())


@st.cache_data(ttl=3600, max_entries=8)
def _reference(_engine: sa.Engine, url: str, version: int) -> dict[str, pl.DataFrame]:
    with _engine.connect() as conn:
        return {
            "municipalities": load_municipalities(conn),
            "categories": load_categories(conn),
            "agreements": load_agreements(conn),
            "demo": pl.DataFrame({"d": [db.has_demo_data(conn)]}),
        }


def reference() -> dict[str, pl.DataFrame]:
    return _reference(engine(), settings.database_url(), data_version())


def savings_factor_table() -> pl.DataFrame:
    return savings_factors(reference()["agreements"])


def is_demo() -> bool:
    """True while any demo rows are in the database (also after real imports were added)."""
    return bool(reference()["demo"]["d"][0])


# --- Agreements, savings and thresholds (Gevinster / Avtaler pages) --------------------------


@st.cache_data(ttl=3600, max_entries=8)
def _agreement_data(_engine: sa.Engine, url: str, version: int) -> dict[str, pl.DataFrame]:
    from data_access.agreements import load_parties, register_frame, savings_target
    from data_access.metrics.thresholds import load_thresholds
    from data_access.population import load_population

    with _engine.connect() as conn:
        parties, participants = load_parties(conn)
        return {
            "parties": parties,
            "participants": participants,
            "register": register_frame(conn),
            "thresholds": load_thresholds(conn),
            "target": pl.DataFrame({"nok": [savings_target(conn)]}),
            "population": load_population(conn),
        }


def agreement_data() -> dict[str, pl.DataFrame]:
    """Parties, participants, the editable register, thresholds, the yearly savings target and
    population (cached per data version; every change to them bumps it)."""
    return _agreement_data(engine(), settings.database_url(), data_version())


# --- Analysis pages (issue 4): population and supplier sub-units, cached per data version ---


@st.cache_data(ttl=3600, max_entries=8)
def _analysis_reference(_engine: sa.Engine, url: str, version: int) -> dict[str, pl.DataFrame]:
    from data_access.locations import load_supplier_locations
    from data_access.population import load_population

    with _engine.connect() as conn:
        return {
            "population": load_population(conn),
            "locations": load_supplier_locations(conn),
        }


def population() -> pl.DataFrame:
    """The population table (code in use that year × year), as stored."""
    return _analysis_reference(engine(), settings.database_url(), data_version())["population"]


def supplier_locations() -> pl.DataFrame:
    """Known sub-units of suppliers (parent_orgnr, municipality); often empty."""
    return _analysis_reference(engine(), settings.database_url(), data_version())["locations"]


# --- Threshold watch (Avtaler page) ---------------------------------------------------------


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _threshold_flags(
    _cube: pl.DataFrame,
    _thresholds: pl.DataFrame,
    scope: Scope,
    version: int,
    f: Filters,
    by_category: bool,
    min_level: str,
) -> pl.DataFrame:
    from data_access.metrics.thresholds import threshold_watch

    return threshold_watch(_cube, f, _thresholds, by_category=by_category, min_level=min_level)


def threshold_flags(f: Filters, *, by_category: bool, min_level: str) -> pl.DataFrame:
    """The threshold watch for the user's scope and filters (cached per data version: the cube
    and the thresholds table are both keyed on it)."""
    sc = scope()
    return _threshold_flags(
        cube(sc), agreement_data()["thresholds"], sc, data_version(), f, by_category, min_level
    )
