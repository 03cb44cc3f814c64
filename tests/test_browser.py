"""Browser tests: the running app in headless Chromium (Debian's /usr/bin/chromium).

They cover what AppTest cannot: the login cookie, reloads and deep links with filters, and what
a person actually sees. Screenshots go to ``screenshots/`` (gitignored) for looking at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_PASSWORD

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "screenshots"  # pytest-playwright wipes test-results/
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def app_url(app_data_dir: Path) -> Iterator[str]:
    """The app served by ``streamlit run`` on a free port, on the prepared demo database."""
    port = _free_port()
    env = {
        **os.environ,
        "INNSIKT_DATA_DIR": str(app_data_dir),
        "INNSIKT_COOKIE_KEY": "browser-test-cookie-key-0123456789-abcdefghij",
    }
    env.pop("DATABASE_URL", None)
    log = open(app_data_dir / "streamlit.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the app did not start: " + (app_data_dir / "streamlit.log").read_text())
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _wait_idle(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(IDLE, timeout=60_000)


def _login(page, user: str) -> None:  # type: ignore[no-untyped-def]
    # The login cookie component reports back once after the page loads and triggers a rerun;
    # a click inside that rerun can be lost (a person simply clicks again), so let it settle.
    page.get_by_role("textbox", name="Brukernavn").wait_for(timeout=60_000)
    page.wait_for_timeout(1_500)
    _wait_idle(page)
    page.get_by_role("textbox", name="Brukernavn").fill(user)
    page.get_by_role("textbox", name="Passord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.locator(".js-plotly-plot").first.wait_for(timeout=90_000)
    _wait_idle(page)


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_login_page_shows_nothing_but_the_form(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(app_url + "/?periode=2024")
    page.get_by_role("textbox", name="Brukernavn").wait_for(timeout=60_000)
    _wait_idle(page)
    _shot(page, "login")
    assert page.locator(".js-plotly-plot").count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').count() == 0
    assert "mill. kr" not in page.content()


def test_deep_link_survives_login_and_reload(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(app_url + "/?periode=2024-K3&kommune=5038&omrade=alle")
    page.get_by_role("textbox", name="Brukernavn").wait_for(timeout=60_000)
    _login(page, "analytiker")
    assert "periode=2024-K3" in page.url and "kommune=5038" in page.url
    caption = page.locator('[data-testid="stCaptionContainer"]').first.inner_text()
    assert "2024 K3" in caption and "Verdal" in caption
    spend = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    assert page.locator(".js-plotly-plot").count() == 3
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "Verdal" in sidebar.locator('[data-testid="stMultiSelect"]').first.inner_text()
    _shot(page, "oversikt_analyst")

    page.reload()  # the login cookie brings the same view back, filters included
    page.locator(".js-plotly-plot").first.wait_for(timeout=90_000)
    _wait_idle(page)
    assert "periode=2024-K3" in page.url and "kommune=5038" in page.url
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text() == spend


def test_kommune_user_sees_only_verdal(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(app_url + "/?kommune=5037")
    page.get_by_role("textbox", name="Brukernavn").wait_for(timeout=60_000)
    _login(page, "verdal")
    _shot(page, "oversikt_verdal")
    text = page.locator('[data-testid="stMain"]').inner_text()
    for other in ("Levanger", "Steinkjer", "Snåsa", "Inderøy"):
        assert other not in text
    assert "kommune=5037" not in page.url


def test_deck_link_opens_the_slide_and_next_walks_three_slides(page, app_url: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1440, "height": 1000})
    # A server's very first session may not know the page paths yet ("Page not found" dialog,
    # seen for every deep link when it is the first request): open the root first.
    page.goto(app_url)
    page.get_by_role("textbox", name="Brukernavn").wait_for(timeout=60_000)
    page.goto(app_url + "/presentasjon?deck=standard&lysbilde=3&periode=2025-K2")
    page.get_by_role("textbox", name="Brukernavn").wait_for(timeout=60_000)
    _login(page, "leder")
    main = page.locator('[data-testid="stMain"]')
    assert "Lysbilde 3 av 9" in main.inner_text()
    assert "lysbilde=3" in page.url and "deck=standard" in page.url
    _shot(page, "presentasjon_3")
    for n in (4, 5, 6):
        page.get_by_role("button", name="Neste ▶").click()
        page.get_by_text(f"Lysbilde {n} av 9").wait_for(timeout=60_000)
        _wait_idle(page)
        assert f"lysbilde={n}" in page.url
        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot').length === 1", timeout=30_000
        )
    footer = main.locator('[data-testid="stCaptionContainer"]').last.inner_text()
    assert "2025 K2" in footer and "Data til og med" in footer and "Demodata" in footer
    assert page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').count() == 0
    _shot(page, "presentasjon_6")
