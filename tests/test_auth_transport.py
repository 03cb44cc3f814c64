"""The login cookie's attributes and the client address behind a proxy (issue 11).

The cookie is written by a JavaScript component (it cannot be HttpOnly, SECURITY.md): it must
be SameSite=Strict always and Secure when the app is reached over HTTPS — directly or through
a proxy that says so. The address the login throttle counts is the socket's, or the proxy's
forwarded one only when ``INNSIKT_TRUSTED_PROXY`` says the proxy is ours (else a client could
pick a new address for every guess).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
import streamlit as st

from ui import auth

KEY = "test-cookie-key-for-tests-only-not-a-secret-0123456789"


@dataclass
class FakeContext:
    """What ``st.context`` tells a script about its request."""

    url: str = "http://127.0.0.1:8501/"
    headers: dict[str, str] = field(default_factory=dict)
    ip_address: str = "10.0.0.7"


@dataclass
class Recorded:
    calls: list[dict[str, Any]] = field(default_factory=list)

    def set(self, name: str, value: str, **kw: Any) -> None:
        self.calls.append({"name": name, "value": value, **kw})


class FakeAuth:
    """The part of ``stauth.Authenticate`` ``remember_login`` writes through."""

    def __init__(self) -> None:
        self.manager = Recorded()
        model = type("Model", (), {"cookie_manager": self.manager})()
        self.cookie_controller = type("Controller", (), {"cookie_model": model})()


def _cookie(monkeypatch: pytest.MonkeyPatch, request: FakeContext) -> dict[str, Any]:
    monkeypatch.setattr(st, "context", request)
    monkeypatch.setenv("INNSIKT_COOKIE_KEY", KEY)
    st.session_state.clear()
    st.session_state.update(_set_login_cookie=True, username="leder", _auth_tv=3)
    fake = FakeAuth()
    try:
        auth.remember_login(fake)  # type: ignore[arg-type]
    finally:
        st.session_state.clear()  # bare mode keeps one state for the process
    assert len(fake.manager.calls) == 1
    return fake.manager.calls[0]


@pytest.mark.parametrize(
    "request_, secure",
    [
        (FakeContext(), None),
        (FakeContext(url="https://innsikt.example.no/"), True),
        (FakeContext(headers={"X-Forwarded-Proto": "https"}), True),
        (FakeContext(headers={"X-Forwarded-Proto": "http"}), None),
    ],
    ids=["http", "https", "proxy-https", "proxy-http"],
)
def test_the_login_cookie_is_strict_and_secure_over_https(
    monkeypatch: pytest.MonkeyPatch, request_: FakeContext, secure: bool | None
) -> None:
    cookie = _cookie(monkeypatch, request_)
    assert cookie["name"] == auth.COOKIE
    assert cookie["same_site"] == "strict"
    assert cookie["secure"] is secure
    claims = jwt.decode(cookie["value"], KEY, algorithms=["HS256"])  # signed with the app's key
    assert (claims["sub"], claims["tv"]) == ("leder", 3)


def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request_ = FakeContext(headers={"X-Forwarded-For": "203.0.113.9, 10.0.0.1"})
    monkeypatch.setattr(st, "context", request_)
    monkeypatch.delenv("INNSIKT_TRUSTED_PROXY", raising=False)
    assert auth.client_address() == "10.0.0.7"  # a header anyone can send is ignored
    monkeypatch.setenv("INNSIKT_TRUSTED_PROXY", "1")
    assert auth.client_address() == "203.0.113.9"  # the client the proxy saw
    monkeypatch.setattr(st, "context", FakeContext(headers={"X-Real-Ip": "198.51.100.4"}))
    assert auth.client_address() == "198.51.100.4"
    monkeypatch.setattr(st, "context", FakeContext())
    assert auth.client_address() == "10.0.0.7"  # no header: the socket's address
