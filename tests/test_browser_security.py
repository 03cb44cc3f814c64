"""Browser tests for issue 11: a copied login cookie is refused after logout, a password change
and deactivation; a stale or unsigned cookie shows the login form without an error; nothing
from a hostile file becomes an element in the page.

Cookie re-authentication cannot be tested in AppTest (STACK.md), hence the real browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from data_access.admin.users import add_user, set_password, update_user
from data_access.store.db import make_engine
from tests import app_server, test_browser
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
    """The login form and nothing else, once the runs have settled (deleting a refused cookie
    makes the cookie component report back, which starts one more short run)."""
    for _ in range(30):
        if _clean_now(page):
            break
        page.wait_for_timeout(500)
        _wait_idle(page)
    page.wait_for_timeout(1_500)  # and it stays so: no late login, no late error
    _wait_idle(page)
    return _clean_now(page)


def _clean_now(page) -> bool:  # type: ignore[no-untyped-def]
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
        page.get_by_role("textbox", name="Brukernavn").first.wait_for(timeout=60_000)
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
        page.get_by_role("textbox", name="Brukernavn").first.wait_for(timeout=60_000)
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


# --- the hostile corpus in a real browser: nothing from it becomes an element -----------------


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from tests.hostile import build_hostile_dir

    folder = tmp_path_factory.mktemp("hostile_browser")
    build_hostile_dir(folder)
    with app_server.serve(folder, "h" * 48) as server:
        yield server.url


LIVE_ELEMENTS = """() => {
  const bad = [];
  for (const a of document.querySelectorAll('a[href*="127.0.0.1:9"]')) bad.push('a ' + a.href);
  for (const i of document.querySelectorAll('img[src*="127.0.0.1:9"], image[href*="127.0.0.1:9"]'))
    bad.push('img');
  for (const s of document.querySelectorAll('script')) if (s.textContent.includes('alert(')) bad.push('script');
  for (const k of document.querySelectorAll('.katex')) bad.push('katex ' + k.textContent);
  for (const b of document.querySelectorAll('b, strong')) if (/Fet|rapport/.test(b.textContent)) bad.push('bold ' + b.textContent);
  for (const t of document.querySelectorAll('.js-plotly-plot tspan[style*="bold"]'))
    if (t.textContent.includes('Fet')) bad.push('plotly bold');
  for (const t of document.querySelectorAll('.js-plotly-plot a')) bad.push('plotly link ' + t.outerHTML.slice(0, 80));
  return bad;
}"""


def test_hostile_corpus_makes_no_element_in_the_dom(browser, hostile_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "127.0.0.1:9/" in r.url else None)
    page.goto(hostile_url + "/")
    _login(page, "admin_t")
    shown_as_text = False
    for path in ("leverandorer?kommune=5038", "oversikt", "kommuner", "regionalt", "import"):
        page.goto(f"{hostile_url}/{path}")
        page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=90_000)
        page.wait_for_timeout(1_000)
        _wait_idle(page)
        assert page.evaluate(LIVE_ELEMENTS) == [], path
        text = page.locator(".js-plotly-plot").all_inner_texts() if path.startswith("lev") else []
        svg_text = page.evaluate(
            "() => [...document.querySelectorAll('.js-plotly-plot text')].map(t => t.textContent).join(' ')"
        )
        # Long labels wrap onto two lines for phones (issue 14): compare without spaces.
        shown_as_text |= '<ahref="http://127.0.0.1:9/x">Klikk</a>' in svg_text.replace(
            " ", ""
        ) or any("<a href" in t for t in text)
        if path.startswith("lev"):
            _shot(page, "hostile_leverandorer")
    assert shown_as_text, "the hostile name is drawn as plain text in a chart"
    assert fetched == [], fetched
    context.close()
