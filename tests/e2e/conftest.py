"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server,
with axe-core (bundled by axe-playwright-python) checking every page looked at."""

import http.server
import json
import os
import re
import threading
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM

# Debian's headless shell of the same Chromium (package chromium-headless-shell: the engine
# without the browser's own UI, what Playwright runs headless by default) takes about a quarter
# less CPU a test than the full browser: used when installed (.ci/run installs it), else
# /usr/bin/chromium.
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # No network here: no host name resolves but the live server's. Tests that leave the site
    # take the `outside` fixture, which answers for the rest of the web.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": HEADLESS_SHELL if os.path.exists(HEADLESS_SHELL) else CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture
def site(live_server, seeded_boroughs, transactional_db):
    """The live server's base URL, with the boroughs loaded."""
    return live_server.url


@pytest.fixture
def page(page):
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def outside(page):
    """For tests that leave the site: anything outside the live server answers with a stub
    page titled "Away". Only those tests route: a route turns Chromium's HTTP cache off (every
    page would fetch its CSS, JS and fonts again), and the live server's own requests are
    matched in Playwright's driver, never sent to Python."""
    page.route(
        re.compile(r"^(?!http://(localhost|127\.0\.0\.1)[:/])"),
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Away</title>away"
        ),
    )
    return page


class _Away(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<title>Away</title>away"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def _away_server():
    """A stub "exit site" on 127.0.0.1 (a port of the test range 8990-8999): /exit/ redirects
    there, and Chromium follows a redirect itself, past Playwright's routes."""
    for port in range(8990, 9000):
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Away)
            break
        except OSError:
            continue
    else:
        pytest.skip("no free port for the stub exit site")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}/weather"  # resolved, as the site is
    server.shutdown()
    server.server_close()


@pytest.fixture
def exit_site(_away_server, settings):
    """Where "Exit this page" lands in browser tests: the stub exit site."""
    settings.EXIT_PAGE_URL = _away_server
    return _away_server


def assert_accessible(page, context: str = "") -> None:
    """axe-core reports no violations on the page as it is now; the page reflows at 320 CSS
    pixels (WCAG 1.4.10) and every `<time datetime>` is a valid HTML date or time."""
    from axe_playwright_python.base import AXE_SCRIPT, AxeResults
    from axe_playwright_python.sync_playwright import DEFAULT_OPTIONS

    # A click that navigates returns once the new page starts loading: axe must see all of it,
    # not a half-parsed document (no <main>, no <h1> yet).
    page.wait_for_load_state()
    # axe-core (what Axe().run sends) once per document: a second state of the same page (an
    # error shown in place, a section opened) reuses it, where Axe().run sent and compiled the
    # 570 kB script again.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = AxeResults(page.evaluate(f"axe.run({json.dumps(DEFAULT_OPTIONS)})"))
    assert results.violations_count == 0, f"{context or page.url}:\n{results.generate_report()}"
    assert_reflows(page, context)
    assert_valid_times(page, context)


REFLOW_WIDTH = 320  # CSS pixels: WCAG 1.4.10's 1280 px at 400% zoom

# HTML's valid date string, or valid global date and time string (at most 3 decimals).
VALID_TIME = (
    r"^\d{4}-\d{2}-\d{2}"
    r"(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$"
)


def assert_reflows(page, context: str = "") -> None:
    """At 320 CSS pixels wide the page itself never scrolls sideways: wide content scrolls
    inside its own region or stacks. The viewport is put back as it was."""
    size = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
    try:
        scroll, client, wide = page.evaluate(
            """() => {
                const root = document.documentElement;
                const inTable = e => !!e.closest('.app-table-scroll');
                const wide = [...document.body.querySelectorAll('*')]
                    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 0.5)
                    .sort((a, b) => inTable(a) - inTable(b))
                    .slice(0, 5)
                    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                              + (e.className && e.className.baseVal === undefined
                                 ? '.' + String(e.className).trim().split(/\\s+/).join('.') : ''));
                return [root.scrollWidth, root.clientWidth, wide];
            }"""
        )
    finally:
        page.set_viewport_size(size)
    assert scroll <= client, (
        f"{context or page.url}: {scroll} px wide at {REFLOW_WIDTH} px ({client} px to show): "
        f"{wide}"
    )


def assert_valid_times(page, context: str = "") -> None:
    found = page.evaluate(
        "() => [...document.querySelectorAll('time')].map(t => t.getAttribute('datetime'))"
    )
    bad = [value for value in found if value is None or not re.match(VALID_TIME, value)]
    assert not bad, f"{context or page.url}: invalid <time datetime>: {bad}"


def screenshots_wanted() -> bool:
    return os.environ.get("SCREENSHOTS", "").strip().lower() in {"1", "true", "yes"}


def screenshot(page, name: str) -> Path | None:
    """A full-page PNG in test-results/screenshots/ to look at, when SCREENSHOTS=1 (`make
    test PYTEST_ARGS="tests/e2e/test_x.py" SCREENSHOTS=1`). Nothing is asserted on it: off, the
    suite saves ~0.15 s of CPU a picture (100 of them). A failing browser test keeps its own
    screenshot either way (pytest-playwright's --screenshot=only-on-failure, pyproject.toml)."""
    if not screenshots_wanted():
        return None
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


def hand_over(page, site, client) -> None:
    """Django test client's session (answers given, or a staff sign-in), in the browser."""
    from django.conf import settings

    name = settings.SESSION_COOKIE_NAME
    page.context.clear_cookies()
    page.context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": site}])


def assert_error_links_focus_their_fields(page, context: str = "") -> int:
    """Each link of the page's error summary, clicked, puts focus on the input it names (an
    input, select or textarea with that id). Returns how many links there were."""
    links = page.locator(".govuk-error-summary__list a")
    count = links.count()
    assert count, f"{context}: no error summary links"
    for index in range(count):
        link = links.nth(index)
        target = link.get_attribute("href").removeprefix("#")
        link.click()
        focused = page.evaluate(
            "() => [document.activeElement.id, document.activeElement.tagName.toLowerCase()]"
        )
        assert focused[0] == target, f"{context}: {link.inner_text()!r} left focus on {focused}"
        assert focused[1] in {"input", "select", "textarea"}, f"{context}: {focused}"
    return count
