"""The login gate (streamlit-authenticator 0.4.2 for the form), behind one small interface.

Users come from the database (``data_access.admin.users``). What the library does not do safely is
done here (STACK.md, issue 11):

- **Throttling and lockout** (``data_access.store.login_security``): the library's password check is
  wrapped, so a locked or waiting user name / client address is refused before the password is
  even looked at, and every failure is counted in the database.
- **Our own login cookie** ``innsikt_session``: a JWT signed with ``settings.cookie_key`` that
  carries the user's *token version*. The library is given no cookie at all
  (``cookie_expiry_days=0`` and a name nobody sets), so it can neither log in from a copied
  cookie nor raise on a stale one. Logout, a password change, deactivation and "Logg ut
  overalt" bump the version: every cookie and every open session of the user ends at once,
  because the version is compared on every run (``check_session``).
- A stale, unsigned, expired or foreign cookie simply leads to the login form (and is deleted).

The cookie is written by a JavaScript component, so it cannot be HttpOnly; it is SameSite=Strict
and Secure when the app is reached over HTTPS (see SECURITY.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import jwt
import streamlit as st
import streamlit_authenticator as stauth

from data_access.store import login_security, settings
from data_access.store.users import credentials
from ui import context
from ui.i18n import t

COOKIE = "innsikt_session"
LIBRARY_COOKIE = "innsikt_login_unused"  # the library reads this; nothing ever sets it
COOKIE_DAYS = 1
AUTH_KEYS = ("authentication_status", "name", "username", "email", "roles", "_auth_tv")


def client_address() -> str | None:
    """The client's address: the socket peer, or the proxy's forwarded one when trusted."""
    if settings.get("INNSIKT_TRUSTED_PROXY"):
        headers = st.context.headers or {}
        forwarded = headers.get("X-Forwarded-For") or headers.get("X-Real-Ip") or ""
        if isinstance(forwarded, str) and forwarded.strip():
            return forwarded.split(",")[0].strip()
    address = st.context.ip_address
    return address if isinstance(address, str) else None  # AppTest hands a mock


def _https() -> bool:
    url = st.context.url
    proto = (st.context.headers or {}).get("X-Forwarded-Proto", "")
    return (isinstance(url, str) and url.startswith("https://")) or (
        isinstance(proto, str) and proto.lower() == "https"
    )


def authenticator() -> stauth.Authenticate:
    """Created on every run: its constructor renders the cookie component (STACK.md)."""
    auth = stauth.Authenticate(
        credentials(context.engine()),
        LIBRARY_COOKIE,
        settings.cookie_key(),
        cookie_expiry_days=0,  # the library never writes a cookie; we write our own
        auto_hash=False,
        login_sleep_time=0,
    )
    _guard_password_check(auth)
    return auth


def _guard_password_check(auth: stauth.Authenticate) -> None:
    """Refuse locked or waiting attempts before the library checks the password; count the
    outcome of every attempt it does check."""
    controller = auth.authentication_controller
    check_password = controller.login

    def guarded(username: str | None = None, password: str | None = None, *a: Any, **kw: Any):  # type: ignore[no-untyped-def]
        if kw.get("token") is not None or not (username and password):
            return check_password(username, password, *a, **kw)
        name = username.lower().strip()
        address = client_address()
        engine = context.engine()
        with engine.begin() as conn:
            refusal = login_security.check(conn, name, address)
        if refusal is not None:
            st.session_state["_login_refused"] = refusal.message()
            st.session_state["authentication_status"] = None
            return False
        ok = check_password(username, password, *a, **kw)
        with engine.begin() as conn:
            if ok:
                login_security.record_success(conn, name, address)
            else:
                login_security.record_failure(conn, name, address)
        return ok

    controller.login = guarded  # type: ignore[method-assign]


def logged_in() -> bool:
    return bool(st.session_state.get("authentication_status"))


def _forget_login() -> None:
    for key in AUTH_KEYS:
        st.session_state.pop(key, None)


def _encode(username: str, version: int) -> str:
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=COOKIE_DAYS)
    payload = {"sub": username, "tv": version, "until": until.timestamp()}
    return jwt.encode(payload, settings.cookie_key(), algorithm="HS256")


def user_from_cookie(token: str | None) -> tuple[str, int] | None:
    """(username, token version) of a valid, unexpired cookie of an active user whose version
    is current; None for anything else (unsigned, foreign key, stale, deactivated)."""
    if not token:
        return None
    try:
        claims = jwt.decode(token, settings.cookie_key(), algorithms=["HS256"])
        username, version, until = str(claims["sub"]), int(claims["tv"]), float(claims["until"])
    except Exception:  # any malformed or foreign token means "not logged in"
        return None
    if until < dt.datetime.now(dt.UTC).timestamp():
        return None
    current = login_security.token_version(context.engine(), username)
    if current is None or current != version:
        return None
    return username, version


def _start_session(username: str, version: int) -> None:
    creds = credentials(context.engine())["usernames"].get(username, {})
    st.session_state["authentication_status"] = True
    st.session_state["username"] = username
    st.session_state["name"] = creds.get("name", username)
    st.session_state["roles"] = creds.get("roles")
    st.session_state["logout"] = None
    st.session_state["_auth_tv"] = version


def login_from_cookie(auth: stauth.Authenticate) -> bool:
    """Log in from our cookie if it is valid; delete it if it is not. Never raises."""
    token = st.context.cookies.get(COOKIE) if st.context.cookies else None
    if not isinstance(token, str) or not token or st.session_state.get("_cookie_refused") == token:
        return False
    user = user_from_cookie(token)
    if user is None:
        st.session_state["_cookie_refused"] = token  # the request keeps sending it: ignore it
        _delete_cookie(auth)
        return False
    _start_session(*user)
    return True


def check_session() -> bool:
    """On every run: is the logged-in user still active, with the version they logged in
    under? If not, forget the login (the caller shows the form, without an error)."""
    user = st.session_state.get("username")
    if not logged_in() or not user:
        return False
    current = login_security.token_version(context.engine(), str(user))
    if current is None or current != st.session_state.get("_auth_tv"):
        _forget_login()
        st.session_state["_delete_cookie"] = True
        return False
    return True


def _delete_cookie(auth: stauth.Authenticate) -> None:
    manager = auth.cookie_controller.cookie_model.cookie_manager
    with contextlib.suppress(KeyError):  # the component did not know it: nothing to delete
        manager.delete(COOKIE, key="innsikt_delete_cookie")


def login_form(auth: stauth.Authenticate) -> None:
    """The only thing a visitor who is not logged in sees."""
    if st.session_state.pop("_delete_cookie", False):
        _delete_cookie(auth)
    st.title("Innkjøpsinnsikt")
    st.caption(t("Innkjøpsanalyse for Innherred innkjøp – logg inn for å se tallene."))
    st.session_state.pop("_login_refused", None)
    auth.login(
        location="main",
        fields={
            "Form name": t("Logg inn"),
            "Username": t("Brukernavn"),
            "Password": t("Passord"),
            "Login": t("Logg inn"),
        },
        key="login_form",
    )
    if logged_in():  # the form just succeeded: run again, now with the pages
        user = str(st.session_state["username"])
        version = login_security.token_version(context.engine(), user)
        if version is None:  # deactivated between the check and now
            _forget_login()
            return
        st.session_state["_auth_tv"] = version
        st.session_state["_set_login_cookie"] = True
        st.rerun()
    refused = st.session_state.get("_login_refused")
    if refused:
        st.error(t(refused))
    elif st.session_state.get("authentication_status") is False:
        st.error(t("Feil brukernavn eller passord"))


def remember_login(auth: stauth.Authenticate) -> None:
    """Write the login cookie in the first run after a form login.

    Rendered in a run that completes (not in the run that reruns to show the pages, which
    would unmount the component before the browser stores the cookie).
    """
    if st.session_state.pop("_set_login_cookie", False):
        token = _encode(str(st.session_state["username"]), int(st.session_state["_auth_tv"]))
        auth.cookie_controller.cookie_model.cookie_manager.set(
            COOKIE,
            token,
            key="innsikt_set_cookie",
            expires_at=dt.datetime.now() + dt.timedelta(days=COOKIE_DAYS),
            secure=_https() or None,
            same_site="strict",
        )


def _logout() -> None:
    """Button callback, so it runs before the next script run: no page runs after logout."""
    user = st.session_state.get("username")
    if user:
        try:
            with context.engine().begin() as conn:
                login_security.revoke_sessions(conn, str(user), by=str(user), reason="logg ut")
        finally:
            _forget_login()
            st.session_state["logout"] = True
            st.session_state["_delete_cookie"] = True


def logout_button(auth: stauth.Authenticate) -> None:
    st.button(t("Logg ut"), key="logout_button", on_click=_logout)
