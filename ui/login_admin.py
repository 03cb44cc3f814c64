"""Administrasjon: login locks and "Logg ut overalt" (issue 11), kept apart from the page so
the page only calls one function."""

from __future__ import annotations

import sqlalchemy as sa
import streamlit as st

from data_access.store import login_security
from data_access.store.escape import md
from data_access.store.scope import Scope
from ui.i18n import t


def login_security_section(engine: sa.Engine, scope: Scope, usernames: list[str]) -> None:
    """Locked user names / client addresses with an unlock button, and ending a user's
    sessions everywhere. Both are audited in ``data_access.store.login_security``."""
    st.subheader(t("Innlogging: sperrer og økter"))
    locks = login_security.locks(engine)
    left, right = st.columns(2)
    with left:
        if locks.height == 0:
            st.caption(t("Ingen brukere eller adresser er sperret nå."))
        else:
            st.dataframe(
                locks,
                hide_index=True,
                column_config={
                    "key": t("Sperret"),
                    "failures": t("Feil"),
                    "last_failure_at": st.column_config.DatetimeColumn(
                        t("Siste feil (UTC)"), format="DD.MM.YYYY HH:mm"
                    ),
                    "locked_until": st.column_config.DatetimeColumn(
                        t("Sperret til (UTC)"), format="DD.MM.YYYY HH:mm"
                    ),
                },
                key="admin_locks",
            )
            key = st.selectbox(t("Opphev sperre for"), locks["key"].to_list(), key="admin_unlock")
            if st.button(t("Opphev sperre"), key="admin_unlock_btn") and key:
                with engine.begin() as conn:
                    login_security.unlock(conn, key, by=scope.username)
                st.success(f"{t('Sperren er opphevet')}: {md(key)}")
    with right:
        who = st.selectbox(t("Logg ut overalt"), usernames, key="admin_revoke_who")
        if st.button(t("Logg ut overalt"), key="admin_revoke_btn") and who:
            with engine.begin() as conn:
                login_security.revoke_sessions(
                    conn, who, by=scope.username, reason="logg ut overalt (admin)"
                )
            st.success(f"{t('Alle innlogginger er avsluttet for')} {md(who)}.")
