"""Browser tests for issue 11: a copied login cookie is refused after logout, a password change
and deactivation; a stale or unsigned cookie shows the login form without an error; nothing
from a hostile file becomes an element in the page.

Cookie re-authentication cannot be tested in AppTest (STACK.md), hence the real browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from data_access.db import make_engine
from data_access.users import add_user, set_password, update_user
from tests import test_browser
from tests.conftest import TEST_PASSWORD
from tests.test_browser import _login, _shot, _wait_idle
from ui.auth import COOKIE

pytestmark = pytest.mark.browser
# The same fixtures as the other browser tests (a server of this module's own on a free port).
app_url = test_browser.app_url
browser_type_launch_args = test_browser.browser_type_launch_args


def _session_cookie(context) -> dict:  # type: ignore[no-untyped-def]
    for _ in range(40):
        found = [c for c in context.cookies() if c["name"] == COOKIE]
        if found:
            return found[0]
        context.pages[0].wait_for_timeout(250)
    raise AssertionError(f"no {COOKIE} cookie after login: {context.cookies()}")


def _open_with(browser, app_url: str, cookie: dict):  # type: ignore[no-untyped-def]
    """A new browser (no shared state) that only has the copied cookie."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path")}])
    page = context.new_page()
    page.goto(app_url + "/")
    page.locator(".js-plotly-plot, input[aria-label='Brukernavn']").first.wait_for(timeout=90_000)
    page.wait_for_timeout(1_000)
    _wait_idle(page)
    return context, page


def _logged_in(page) -> bool:  # type: ignore[no-untyped-def]
    return page.locator(".js-plotly-plot").count() > 0


def _shows_clean_login_form(page) -> bool:  # type: ignore[no-untyped-def]
    return (
        page.get_by_role("textbox", name="Brukernavn").count() == 1
        and page.locator('[data-testid="stAlertContentError"]').count() == 0
        and page.locator('[data-testid="stException"]').count() == 0
        and page.locator(".js-plotly-plot").count() == 0
    )


@pytest.mark.parametrize("revoke", ["logout", "passwd", "deactivate"])
def test_copied_cookie_is_refused_after_revocation(
    browser,  # type: ignore[no-untyped-def]
    app_url: str,
    app_data_dir: Path,
    revoke: str,
) -> None:
    user = f"kopi_{revoke}"
    engine = make_engine(f"sqlite:///{app_data_dir / 'innsikt.sqlite'}")
    with engine.begin() as conn:
        add_user(conn, user, name=user, role="leder", password=TEST_PASSWORD, rounds=4)

    original = browser.new_context(viewport={"width": 1280, "height": 900})
    page = original.new_page()
    page.goto(app_url + "/")
    _login(page, user)
    cookie = _session_cookie(original)

    copy, copied = _open_with(browser, app_url, cookie)
    assert _logged_in(copied), "a copied valid cookie logs in (so the refusal below is real)"
    copy.close()

    if revoke == "logout":
        page.get_by_role("button", name="Logg ut").click()
        page.get_by_role("textbox", name="Brukernavn").wait_for(timeout=60_000)
        _wait_idle(page)
        assert _shows_clean_login_form(page), "logout shows the form, no error flash"
    elif revoke == "passwd":
        with engine.begin() as conn:
            set_password(conn, user, "et-helt-nytt-passord", by="admin_t")
    else:
        with engine.begin() as conn:
            update_user(
                conn,
                user,
                role="leder",
                municipalities=None,
                line_detail=False,
                active=False,
                by="admin_t",
            )
    engine.dispose()

    copy, copied = _open_with(browser, app_url, cookie)
    _shot(copied, f"copied_cookie_after_{revoke}")
    assert not _logged_in(copied)
    assert _shows_clean_login_form(copied)
    copy.close()
    if revoke != "logout":  # the original session ends too, on its next run
        page.reload()
        page.get_by_role("textbox", name="Brukernavn").wait_for(timeout=60_000)
        _wait_idle(page)
        assert _shows_clean_login_form(page)
    original.close()


def test_unsigned_and_foreign_cookies_show_the_login_form(browser, app_url: str) -> None:  # type: ignore[no-untyped-def]
    import jwt

    forged = jwt.encode(
        {"sub": "admin_t", "tv": 0, "until": 4e9},
        "not-the-key-of-this-installation-0123456789",
        "HS256",
    )
    unsigned = jwt.encode({"sub": "admin_t", "tv": 0, "until": 4e9}, None, algorithm="none")
    # The old library cookie name too: before issue 11 an unsigned one made login() raise.
    stale_library = jwt.encode(
        {"username": "gone", "exp_date": 4e9}, test_browser.BROWSER_COOKIE_KEY, "HS256"
    )
    cases = [(COOKIE, v) for v in ("garbage", forged, unsigned)]
    cases += [("innsikt_login", v) for v in ("garbage", unsigned, stale_library)]
    host = app_url.split("//")[1].split(":")[0]
    for name, value in cases:
        cookie = {"name": name, "value": value, "domain": host, "path": "/"}
        context, page = _open_with(browser, app_url, cookie)
        assert _shows_clean_login_form(page), (name, value)
        context.close()
