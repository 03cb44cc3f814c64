"""The login gate (streamlit-authenticator 0.4.2), behind one small interface.

Users come from the database (``data_access.store.users``); the cookie that remembers a login is a
JWT signed with the installation's secret (``settings.cookie_key``). The rest of the app asks
only ``logged_in()`` and ``ui.context.scope()``.
"""

from __future__ import annotations

import streamlit as st
import streamlit_authenticator as stauth

from data_access.store import settings
from data_access.store.users import credentials
from ui import context
from ui.i18n import t

COOKIE = "innsikt_login"


def authenticator() -> stauth.Authenticate:
    """Created on every run: its constructor renders the cookie component (STACK.md)."""
    return stauth.Authenticate(
        credentials(context.engine()),
        COOKIE,
        settings.cookie_key(),
        cookie_expiry_days=1,
        auto_hash=False,
        login_sleep_time=0,
    )


def logged_in() -> bool:
    return bool(st.session_state.get("authentication_status"))


def login_form(auth: stauth.Authenticate) -> None:
    """The only thing a visitor who is not logged in sees."""
    st.title("Innkjøpsinnsikt")
    st.caption("Innkjøpsanalyse for Innherred innkjøp – logg inn for å se tallene.")
    auth.login(
        location="main",
        max_login_attempts=10,
        fields={
            "Form name": t("Logg inn"),
            "Username": t("Brukernavn"),
            "Password": t("Passord"),
            "Login": t("Logg inn"),
        },
        key="login_form",
    )
    if logged_in():  # the form just succeeded: run again, now with the pages
        st.session_state["_set_login_cookie"] = True
        st.rerun()
    if st.session_state.get("authentication_status") is False:
        st.error(t("Feil brukernavn eller passord"))


def remember_login(auth: stauth.Authenticate) -> None:
    """Write the login cookie in the first run after a form login.

    The library renders its set-cookie component inside ``login()``, but the rerun that shows
    the pages right away would unmount it before the browser stores the cookie; rendering it
    again in a run that completes makes a reload or a shared link keep the login.
    """
    if st.session_state.pop("_set_login_cookie", False):
        auth.cookie_controller.set_cookie()


def logout_button(auth: stauth.Authenticate) -> None:
    auth.logout(t("Logg ut"), location="sidebar", key="logout_button")
