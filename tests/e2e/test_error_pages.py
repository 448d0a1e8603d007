"""The CSRF-failure page and the footer in Chromium: accessible, and at phone width every
footer link is a touch target of at least 24 by 24 CSS pixels (WCAG 2.2, 2.5.8)."""

import pytest

from tests.e2e.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser
PHONE = {"width": 320, "height": 640}


def test_footer_links_are_24_pixel_touch_targets_at_phone_width(page, site):
    page.set_viewport_size(PHONE)
    for path in ("/", "/bromley/"):
        page.goto(f"{site}{path}")
        links = page.locator(".govuk-footer__inline-list-item .govuk-footer__link")
        assert links.count() >= 4
        for index in range(links.count()):
            box = links.nth(index).bounding_box()
            assert box["width"] >= 24 and box["height"] >= 24, (path, index, box)


def test_csrf_failure_page_is_accessible_and_in_the_govuk_layout(page, site, settings):
    page.set_viewport_size(PHONE)
    page.goto(f"{site}/bromley/report/danger/")
    page.context.clear_cookies()  # as if cookies were turned off
    page.get_by_label("No").check()
    page.get_by_role("button", name="Continue").click()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "You need cookies turned on to send this form"
    assert_accessible(page, "CSRF failure page")
    screenshot(page, "csrf-failure-phone")
