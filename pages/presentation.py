"""Presentasjon: one chart per screen in large type, the headline sentence above it, next and
previous, the slide number and a footer with scope, period, data date (and "Demodata").

A deck is an ordered list of views (chart id + filters) from ``data_access.store.decks``; the URL holds
deck and slide (``?deck=…&lysbilde=3``), so a link opens at that slide — computed on the
*opener's* access scope (each slide's filters are parsed against the opener's options).
"""

from __future__ import annotations

import streamlit as st

from charts import registry
from data_access.store import decks
from data_access.store.escape import md
from ui import chart_view, context, page, state
from ui.i18n import t


def _options() -> state.Options:
    return context.current().options


def _deck(deck_id: str) -> decks.Deck:
    if deck_id == decks.DEFAULT_ID:
        url = {k: st.query_params.get_all(k) for k in state.KEYS}
        return decks.default_deck(url)
    with context.current().engine.connect() as conn:
        found = decks.get_deck(conn, deck_id, context.current().username)
    if found is None:
        st.warning(t("Fant ikke presentasjonen, eller den er ikke delt med deg."))
        return decks.default_deck()
    return found


def _go(n: int) -> None:
    st.query_params["lysbilde"] = str(n)


def _choose_deck(current: decks.Deck) -> None:
    with context.current().engine.connect() as conn:
        mine = decks.decks_for(conn, context.current().username)
    labels = {decks.DEFAULT_ID: t("Standardpresentasjon")}
    for d in mine:
        owner = "" if d.owner == context.current().username else f" ({t('delt av')} {d.owner})"
        labels[d.id] = f"{d.name}{owner}"
    if current.id not in labels:
        labels[current.id] = current.name
    choice = st.selectbox(
        t("Presentasjon"),
        list(labels),
        index=list(labels).index(current.id),
        format_func=lambda k: labels[k],
        key="pres_deck_choice",
    )
    if choice != current.id:
        st.query_params["deck"] = choice
        st.query_params["lysbilde"] = "1"
        st.rerun()


def _edit(deck: decks.Deck) -> None:
    """Owner's tools: rename, share read-only, reorder and remove slides."""
    if deck.is_default or deck.owner != context.current().username:
        return
    with st.expander(t("Rediger presentasjonen")):
        name = st.text_input(t("Navn"), deck.name, key="pres_name", max_chars=120)
        shared = st.toggle(t("Del med andre (kun lesing)"), deck.shared, key="pres_shared")
        slides = list(deck.slides)
        for i, s in enumerate(slides):
            c1, c2, c3 = st.columns([6, 1, 1])
            c1.text(f"{i + 1}. {registry.get(s.chart).title}  {s.params}")
            if c2.button("↑", key=f"pres_up_{i}", disabled=i == 0):
                slides[i - 1], slides[i] = slides[i], slides[i - 1]
                _save(deck, name, shared, slides)
            if c3.button("✕", key=f"pres_rm_{i}"):
                del slides[i]
                _save(deck, name, shared, slides)
        if st.button(t("Lagre"), key="pres_save"):
            _save(deck, name, shared, slides)


def _save(deck: decks.Deck, name: str, shared: bool, slides: list[decks.Slide]) -> None:
    with context.current().engine.begin() as conn:
        decks.save_deck(
            conn,
            decks.Deck(deck.id, deck.owner, name, shared, tuple(slides)),
            context.current().username,
        )
    st.rerun()


def render() -> None:
    deck = _deck(st.query_params.get("deck", decks.DEFAULT_ID))
    if not deck.slides:
        st.info(t("Presentasjonen er tom. Bruk «Legg til i presentasjon» under en figur."))
        _choose_deck(deck)
        return
    try:
        n = int(st.query_params.get("lysbilde", "1"))
    except ValueError:
        n = 1
    n = min(max(n, 1), len(deck.slides))
    slide = deck.slides[n - 1]
    opts = _options()
    f, token = state.parse_filters(slide.params, opts)  # the opener's scope decides
    try:
        built = chart_view.build(slide.chart, f, presentation=True)
    except KeyError:
        st.error(t("Ukjent figur i presentasjonen."))
        return
    st.markdown(f"# {md(built.headline)}")
    chart_view.show(built, key=f"pres_chart_{n}", f=f, token=token, downloads=False)

    prev_col, number_col, next_col = st.columns([1, 2, 1])
    prev_col.button(
        "◀ " + t("Forrige"),
        key="pres_prev",
        disabled=n <= 1,
        on_click=_go,
        args=(n - 1,),
        width="stretch",
    )
    number_col.markdown(
        f"<div style='text-align:center;font-size:1.4rem' data-testid='slide-number'>"
        f"{t('Lysbilde')} {n} {t('av')} {len(deck.slides)}</div>",
        unsafe_allow_html=True,
    )
    next_col.button(
        t("Neste") + " ▶",
        key="pres_next",
        disabled=n >= len(deck.slides),
        on_click=_go,
        args=(n + 1,),
        width="stretch",
    )
    ctx = chart_view.export_context(f, token)
    st.divider()
    st.caption(md(ctx.line()), help=built.spec.definition if built is not None else None)

    with st.sidebar:
        _choose_deck(deck)
        page.copy_link({"deck": deck.id, "lysbilde": str(n)})
    _edit(deck)


render()
