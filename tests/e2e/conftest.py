"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server,
with axe-core (bundled by axe-playwright-python) checking every page looked at."""

import re
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture
def fast_hashing(settings):
    """Cheap password hashing for tests that sign staff in (use with `usefixtures`)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(live_server, seeded_boroughs, transactional_db):
    """The live server's base URL, with the boroughs loaded."""
    return live_server.url


@pytest.fixture
def page(page):
    page.set_default_timeout(10_000)
    # No network here: anything outside the live server answers with a stub page.
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://localhost", "http://127.0.0.1"))
            else route.fulfill(status=200, content_type="text/html", body="<title>Away</title>away")
        ),
    )
    return page


def assert_accessible(page, context: str = "") -> None:
    """axe-core reports no violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, f"{context or page.url}:\n{results.generate_report()}"


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, site, user):
    """Sign a staff member in through the pages: username and password, then a real TOTP
    code, landing on the queue."""
    from tests.mash.factories import PASSWORD, device_for, totp_code

    page.goto(f"{site}/mash/")
    page.wait_for_url(re.compile(r".*/mash/login/.*"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{site}/mash/verify/")
    page.get_by_label("Security code").fill(totp_code(device_for(user)))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{site}/mash/")
