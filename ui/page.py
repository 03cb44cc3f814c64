"""What every page shares: the scope line and the footer, read from the run's page context
(``context.current()``: filters, scope, reference lists), never looked up again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlencode

import streamlit as st

from data_access.store.decks import clean_params
from data_access.store.escape import md
from data_access.store.filters import Filters
from ui import context, state
from ui.i18n import t


def lazy_tabs(labels: Sequence[str], parts: Sequence[Callable[[], None]]) -> None:
    """Tabs of which only the open one runs (``on_change="rerun"``): a filter change computes
    and sends one tab, not all. The selected tab is in the URL (``?fane=``, the translated
    label; none for the first), so "Kopier lenke" and a shared link keep it."""
    tabs = st.tabs(
        [t(label) for label in labels], key="fane", bind="query-params", on_change="rerun"
    )
    for tab, part in zip(tabs, parts, strict=True):
        with tab:
            if tab.open is not False:
                part()


def scope_text(f: Filters, token: str) -> str:
    """'2025 · Alle kommuner · Alle kategorier · Drift' for captions and footers."""
    ctx = context.current()
    ref = ctx.reference
    names = ref.municipality_names()
    own = ctx.scope.municipalities
    chosen = f.municipalities or tuple(sorted(own or ()))
    munis = ", ".join(names.get(c, c) for c in chosen) or t("Alle kommuner")
    cats = ref.category_names()
    cat_text = ", ".join(cats.get(c, str(c)) for c in f.categories) or t("Alle kategorier")
    area = {"drift": t("Drift"), "investering": t("Investering"), "alle": t("Alle")}[f.area]
    # Names come from the database (categories are edited by admins): never Markdown.
    return f"{state.period_label(token, f)} · {md(munis)} · {md(cat_text)} · {area}"


def footer(f: Filters, token: str, note: str) -> None:
    """Scope, period, data date and what the figures include."""
    ctx = context.current()
    sc = ctx.scope
    who = (
        ""
        if sc.municipalities is None
        else f" · {t('Tilgang')}: " + ", ".join(sorted(sc.municipalities))
    )
    until = ctx.options.last_month if ctx.has_data else None
    data_date = f"{t('Data til og med')} {until:%m.%Y}" if until else t("Ingen regnskapsdata ennå")
    st.divider()
    st.caption(
        f"{scope_text(f, token)}{who} · {data_date} · {t(note)}"
        + (f" · **{t('Demodata')}**" if ctx.reference.is_demo else "")
    )

    copy_link()


def current_link(extra: dict[str, str] | None = None) -> str:
    """This page's URL with its filters (and ``extra``, e.g. the selected tab)."""
    base = str(st.context.url or "").split("?", 1)[0]
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    params = {**clean_params(params), **{k: [v] for k, v in (extra or {}).items()}}
    for key in ("fane", "lang"):  # the selected tab (pages that bind it) and the language
        if key in st.query_params:
            params[key] = [st.query_params[key]]
    query = urlencode([(k, v) for k, vs in params.items() for v in vs])
    return f"{base}?{query}" if query else base


def copy_link(extra: dict[str, str] | None = None) -> None:
    """ "Kopier lenke": the URL that reopens this view (filters, language, given extras);
    the code box has a copy button."""
    with st.popover(t("Kopier lenke"), key="copy_link_popover"):
        st.caption(t("Lenken åpner samme visning (etter innlogging, med mottakerens tilgang)."))
        st.code(current_link(extra), language=None, wrap_lines=True)


class Keys:
    """The widget keys of one page, all under the page's prefix, so two pages never share a
    widget's state by accident and a test can address a widget by name.

    >>> key = Keys("avt")
    >>> key("watch_by")
    'avt_watch_by'
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, name: str) -> str:
        return f"{self.prefix}_{name}"
