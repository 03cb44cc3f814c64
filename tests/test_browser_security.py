"""Browser tests for issue 11: a copied login cookie is refused after logout, a password change
and deactivation; a stale or unsigned cookie shows the login form without an error; nothing
from a hostile file becomes an element in the page.

Cookie re-authentication cannot be tested in AppTest (STACK.md), hence the real browser.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from data_access.admin.users import add_user, set_password, update_user
from data_access.store.db import make_engine
from tests import app_server, test_browser
from tests.conftest import TEST_PASSWORD
from tests.test_browser import _login, _pages_for, _settle, _shot, _wait_idle
from ui.auth import COOKIE
from ui.definitions import AGREEMENT_TABS, SUPPLIER_TABS

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


# The payload's text, as a reader sees it when it is shown as characters (compared without
# spaces: long chart labels wrap onto two lines for phones, issue 14). Table cells count too:
# a data grid draws on a canvas and keeps the visible cells' text in its DOM.
PAYLOAD_TEXT = {
    "link": '<ahref="http://127.0.0.1:9/x">Klikk</a>',
    "bold": "<b>Fet</b>",
    "markdown": "**Fet**[lenke]",
    "latex": "$\\frac{1}{2}$",
    "formula": "=cmd|'/Ccalc'!A0",
    "file name": "**rapport**[lenke]",
}
SHOWN_TEXT = """() => [
  document.body.innerText,
  ...[...document.querySelectorAll('.js-plotly-plot text')].map(t => t.textContent),
  ...[...document.querySelectorAll('[data-testid="stDataFrame"]')].map(g => g.textContent),
].join('\\n').replaceAll(' ', '')"""
TAB_LABELS = """() => [...document.querySelectorAll('[data-testid="stMain"] [role="tab"]')]
  .map(t => t.innerText.trim())"""
SELECTED_TAB = """() => (document.querySelector(
  '[data-testid="stMain"] [role="tab"][aria-selected="true"]') || {innerText: ''}).innerText.trim()"""
OPEN_EXPANDERS = """() => document.querySelectorAll('[data-testid="stMain"] details:not([open]) > summary')
  .forEach(s => s.click())"""
# A data grid draws on a canvas and then fills a table of its visible cells for screen readers.
GRIDS_FILLED = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
  .every(g => g.querySelector('table') || g.closest('details:not([open])'))"""
# Where the corpus is shown today (suppliers in charts and tables, the file name): each view
# must show it as text, or the DOM check there proves nothing. On the Avtaler tabs, Muligheter
# and Administrasjon it sits only in data grids (drawn on a canvas, never markup): there the
# check guards against a later view that shows it as Markdown or in a chart.
SHOWS_PAYLOAD = {
    "kommuner": {"link", "bold", "markdown", "latex", "formula"},
    "leverandorer": {"link", "bold", "markdown", "latex", "formula"},
    "avtaler?fane=Utenfor avtale": {"link", "bold", "markdown", "latex", "formula"},
    "avtaler?fane=Terskelvakt": {"link", "bold", "markdown", "latex", "formula"},
    "muligheter": {"link", "bold", "markdown", "latex", "formula"},
    "import": {"file name"},
    "import (upload)": {"file name"},
    "administrasjon": {"file name"},
}

RESULT_BOXES = "[data-testid=stExpander] summary"
TALL = 4_000  # px: every page but the longest fits, so one layout pass draws it all


def _open_view(page, url: str, path: str, tab: str | None) -> None:  # type: ignore[no-untyped-def]
    """Open a page in Verdal (where the corpus is), or one of its tabs by its ``?fane=``
    address, in a window as tall as the page: charts and tables off-screen wait to be drawn
    (retries as ``test_browser._open_page``)."""
    query = "kommune=5038" + (f"&fane={urllib.parse.quote(tab)}" if tab else "")
    for _attempt in range(3):
        page.set_viewport_size({"width": 1440, "height": TALL})
        page.goto(f"{url}/{path}?{query}")
        page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=90_000)
        _settle(page)
        tall = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
        if tall > TALL:
            page.set_viewport_size({"width": 1440, "height": min(tall, 12_000)})
            page.wait_for_timeout(300)
            _settle(page)
        landed = urllib.parse.urlparse(page.url).path.strip("/") == path
        if landed and (tab is None or page.evaluate(SELECTED_TAB) == tab):
            page.evaluate(OPEN_EXPANDERS)
            page.wait_for_function(GRIDS_FILLED, timeout=30_000)
            return
    raise AssertionError(f"/{path}?{query} landed on {page.url}")


def _upload_corpus(page) -> str:  # type: ignore[no-untyped-def]
    """Import the corpus file (its hostile name too) through the import page's form, as a
    person would; returns the labels of the result boxes, one of which names the file."""
    from tests.hostile import FILE_NAME, hostile_csv

    before = page.locator(RESULT_BOXES).count()
    upload = page.locator('[data-testid="stFileUploaderDropzoneInput"]').first
    upload.set_input_files(
        files=[{"name": FILE_NAME, "mimeType": "text/csv", "buffer": hostile_csv()}]
    )
    page.locator('[data-testid="stFileChip"]').first.wait_for(timeout=30_000)
    _settle(page)
    page.get_by_role("button", name="Importer", exact=True).click()
    page.wait_for_function(
        f"() => document.querySelectorAll('{RESULT_BOXES}').length > {before}", timeout=90_000
    )
    _settle(page)
    return "\n".join(page.locator(RESULT_BOXES).all_inner_texts()).replace(" ", "")


def _charts(page) -> int:  # type: ignore[no-untyped-def]
    return page.locator('[data-testid="stPlotlyChart"]').count()


def test_hostile_corpus_makes_no_element_in_the_dom(browser, hostile_url: str) -> None:  # type: ignore[no-untyped-def]
    """Every page of ``app.PAGES`` (as an admin, who may open them all) and every tab of a
    page with tabs (only the open tab runs; each is opened by its ``?fane=`` address), with
    the corpus imported: no link, image, script, KaTeX or bold element from it, no dialog, no
    request to its address — and where a page shows it, its text is there as characters."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    fetched: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "127.0.0.1:9/" in r.url else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(hostile_url + "/")
    _login(page, "admin_t")
    shown: dict[str, set[str]] = {}
    tabs: dict[str, list[str]] = {}
    for path in _pages_for("admin"):
        _open_view(page, hostile_url, path, None)
        tabs[path] = page.evaluate(TAB_LABELS)
        for tab in [None, *tabs[path][1:]]:
            where = path if tab is None else f"{path}?fane={tab}"
            if tab is not None:
                _open_view(page, hostile_url, path, tab)
            assert page.locator('[data-testid="stException"]').count() == 0, where
            assert page.evaluate(LIVE_ELEMENTS) == [], where
            assert page.locator(".js-plotly-plot").count() == _charts(page), where
            text = page.evaluate(SHOWN_TEXT)
            shown[where] = {k for k, v in PAYLOAD_TEXT.items() if v.replace(" ", "") in text}
            if path == "leverandorer" and tab is None:
                _shot(page, "hostile_leverandorer")
        if path == "import":  # the file name and headings of an upload, shown in its result
            boxes = _upload_corpus(page)
            assert page.evaluate(LIVE_ELEMENTS) == [], "import: after the upload"
            shown["import (upload)"] = {
                k for k, v in PAYLOAD_TEXT.items() if v.replace(" ", "") in boxes
            }
    assert tabs["avtaler"] == [*AGREEMENT_TABS] and tabs["leverandorer"] == [*SUPPLIER_TABS]
    assert len(shown) == len(_pages_for("admin")) + len(AGREEMENT_TABS) + len(SUPPLIER_TABS) - 1
    missing = {w: k - shown[w] for w, k in SHOWS_PAYLOAD.items() if not k <= shown[w]}
    assert not missing, f"the payload is no longer shown as text: {missing}"
    assert fetched == [], fetched
    assert dialogs == [], dialogs
    context.close()
