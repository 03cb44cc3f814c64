"""Entry point: page config, login gate, navigation and the shared filters. Nothing else.

Every page is registered before the login check (hidden while logged out), so a deep link
survives the login; the pages a role may open are decided here, and the data a role may see is
decided again in ``data_access`` (scope), never only here.
"""

from __future__ import annotations

from ui import preload

preload.wait()  # started by ui/serve.py: never import a module while that thread is at it

import logging  # noqa: E402
from typing import Any  # noqa: E402

import sqlalchemy as sa  # noqa: E402
import streamlit as st  # noqa: E402

from charts.lang import set_language  # noqa: E402
from data_access.store.health import DatabaseUnavailable  # noqa: E402
from ui import auth, context, state, style, timing  # noqa: E402
from ui.i18n import lang, t  # noqa: E402

STAFF = ("admin", "analyst")
ADMIN = ("admin",)

# (script, title, icon, url path, section, roles that may open it; None = every logged-in user)
PAGES: list[tuple[str, str, str, str, str, tuple[str, ...] | None]] = [
    ("pages/overview.py", "Oversikt", "📊", "oversikt", "Analyse", None),
    (
        "pages/municipalities_categories.py",
        "Kommuner og kategorier",
        "🏘️",
        "kommuner",
        "Analyse",
        None,
    ),
    ("pages/suppliers.py", "Leverandører", "🏭", "leverandorer", "Analyse", None),
    ("pages/regional.py", "Regionalt næringsliv", "📍", "regionalt", "Analyse", None),
    ("pages/savings.py", "Gevinster", "💰", "gevinster", "Avtaler og gevinster", None),
    ("pages/agreements.py", "Avtaler", "📑", "avtaler", "Avtaler og gevinster", None),
    ("pages/opportunities.py", "Muligheter", "🎯", "muligheter", "Avtaler og gevinster", None),
    ("pages/presentation.py", "Presentasjon", "📽️", "presentasjon", "Rapporter", None),
    ("pages/export.py", "Eksport", "📦", "eksport", "Rapporter", None),
    ("pages/import_data.py", "Import og datakvalitet", "📥", "import", "Forvaltning", STAFF),
    ("pages/admin.py", "Administrasjon", "⚙️", "administrasjon", "Forvaltning", ADMIN),
]


def _page(spec: tuple[str, str, str, str, str, tuple[str, ...] | None], default: bool) -> st.Page:
    script, title, icon, path, _section, _roles = spec
    # The first page is served at "/"; Streamlit still reserves its url_path, so it gets one
    # nobody types, and its own name is left to :func:`_home_alias`.
    url_path = "start" if default else path
    return st.Page(script, title=t(title), icon=icon, url_path=url_path, default=default)


def _home_alias(home: st.Page) -> st.Page:
    """``/oversikt`` — the first page's name, as a person types it or an old link has it —
    leads to the first page, whose address Streamlit makes ``/``, with the filters it was
    given (not Streamlit's "Page not found" box). Hidden from the menu."""

    def to_home() -> None:
        st.switch_page(home, query_params={k: st.query_params.get_all(k) for k in st.query_params})

    return st.Page(to_home, title=t(PAGES[0][1]), url_path=PAGES[0][3], visibility="hidden")


def _hidden_pages() -> list[st.Page]:
    """Every page and the alias, for a run that shows no menu (login form, database down),
    so the requested address is kept."""
    pages = [_page(p, i == 0) for i, p in enumerate(PAGES)]
    return [*pages, _home_alias(pages[0])]


def main() -> None:
    st.set_page_config(page_title="Innkjøpsinnsikt", page_icon="📊", layout="wide")
    style.inject()
    style.page_language_and_skip_link()
    try:
        context.check_database()
    except DatabaseUnavailable:
        # Keep every page registered (hidden), so the requested URL stays and is shown again
        # as soon as the database is back.
        st.navigation(_hidden_pages(), position="hidden")
        _database_down()
    try:
        _gate_and_run()
    except (DatabaseUnavailable, sa.exc.SQLAlchemyError):
        _database_down()


def _database_down() -> None:
    """One clear message on every page, no traceback, no figures from before; the next run
    checks again, so the app recovers by itself when the database is back."""
    logging.getLogger("innsikt").warning("database unavailable", exc_info=True)
    context.show_database_error()
    st.stop()


def _gate_and_run() -> None:
    set_language(lang())  # figures, number formats and report text follow ?lang=
    authenticator = auth.authenticator()
    # Every run: a revoked or deactivated login ends here; a valid cookie logs in.
    if auth.logged_in():
        auth.check_session()
    else:
        auth.login_from_cookie(authenticator)

    if not auth.logged_in():
        # Register every page (hidden) so the requested URL is remembered through the login.
        wanted = st.navigation(_hidden_pages(), position="hidden")
        st.session_state["wanted_page"] = wanted.url_path
        st.session_state["wanted_params"] = {k: st.query_params.get_all(k) for k in st.query_params}
        auth.login_form(authenticator)
        style.prefetch_charts()  # after the form: the first chart after login finds Plotly loaded
        st.stop()

    scope = context.scope()  # read once per run: a role change takes effect at once
    allowed = [p for p in PAGES if p[5] is None or scope.role in p[5]]
    sections: dict[str, list[st.Page]] = {}
    by_path: dict[str, st.Page] = {}
    for i, spec in enumerate(allowed):
        page = _page(spec, i == 0)
        sections.setdefault(t(spec[4]), []).append(page)
        by_path[spec[3]] = page
    first = next(iter(sections))
    sections[first].append(_home_alias(sections[first][0]))
    nav = st.navigation(sections, position="top")

    # After a login (form or cookie), go where the visitor was heading, with its filters.
    wanted = st.session_state.pop("wanted_page", None)
    params = st.session_state.pop("wanted_params", None)
    if wanted and wanted in by_path and by_path[wanted].url_path != nav.url_path:
        st.switch_page(by_path[wanted], query_params=params or None)
    # The login cookie is written in the run that shows the page (after any switch above: a
    # run that switches unmounts the cookie component before the browser stores the cookie,
    # so a deep link's login did not survive the next visit).
    auth.remember_login(authenticator)

    data = context.run_data(scope)  # data version once; cube, lists and options from the caches
    with st.sidebar:
        st.markdown(f"**{st.session_state.get('name', '')}** · {scope.role}")
        if data.reference.is_demo:
            st.warning(f"**{t('Demodata')}** – {t('fiktive tall, ikke ekte regnskap.')}")
    if nav.url_path != "presentasjon":  # a presentation shows no filter clutter
        f, token = state.sidebar_filters(data.options)  # the filters, parsed once
    else:
        url = {k: st.query_params.get_all(k) for k in state.KEYS}
        f, token = state.parse_filters(url, data.options)
    with st.sidebar:
        st.selectbox(
            t("Språk"),
            ["nb", "en"],
            index=0 if lang() == "nb" else 1,
            key="f_lang",
            format_func=lambda v: {"nb": "Norsk bokmål", "en": "English"}[v],
            on_change=lambda: st.query_params.update({"lang": st.session_state["f_lang"]}),
        )
        auth.logout_button(authenticator)
    _run_page(nav, data.with_filters(f, token))
    timing.freeze_once()  # once per process: the libraries out of the collector's way


def _run_page(nav: Any, ctx: context.PageContext) -> None:
    """The chosen page with its context. Above INNSIKT_PUSHDOWN_ROWS (a national database)
    every page asks the database (``data_access.pushdown`` and its siblings); Eksport's report
    chooses its own municipalities (``report.bundle._report_rows``)."""
    with context.handed_to_page(ctx), timing.page_run(nav.url_path):
        nav.run()


if __name__ == "__main__":  # Streamlit runs this file as __main__; tests import PAGES
    main()
