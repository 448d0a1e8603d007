"""The public contact pages in Chromium: who to call now, at the moment the page is asked for.

The live server runs in a thread of this process, so time-machine's clock (tick=True: time
moves on from the travel moment) is the server's clock too.
"""

import datetime as dt
import re

import pytest
import time_machine
from playwright.sync_api import expect

from contacts.calendar import LONDON
from tests.e2e.conftest import assert_accessible, screenshot

MOBILE = {"width": 375, "height": 812}

# Tuesday 24 November 2026 and Saturday 28 November 2026: no bank holiday near either.
WEEKDAY_10AM = dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)
WEEKDAY_0830 = dt.datetime(2026, 11, 24, 8, 30, tzinfo=LONDON)
SATURDAY_2PM = dt.datetime(2026, 11, 28, 14, 0, tzinfo=LONDON)

E164_UK = re.compile(r"^tel:\+44\d{9,10}$")


@pytest.fixture
def at():
    """Travel to a London moment for the rest of the test: `at(moment)`."""
    travellers = []

    def travel(moment: dt.datetime):
        traveller = time_machine.travel(moment, tick=True)
        traveller.start()
        travellers.append(traveller)

    yield travel
    for traveller in reversed(travellers):
        traveller.stop()


def call_now(page):
    """The "who to call right now" part of the page: between "Call us now" and the next h2."""
    return page.locator("#call-us-now ~ .app-contact-card, #call-us-now ~ .govuk-inset-text")


def first_uk_number(page):
    """The first UK phone link in the page's main content (999 is not a +44 number)."""
    return page.locator('main a[href^="tel:+44"]').first


def on_mobile(page, name: str) -> None:
    page.set_viewport_size(MOBILE)
    page.reload()
    screenshot(page, f"{name}-mobile")


@pytest.mark.parametrize("path", ["/", "/bromley/", "/bexley/"])
def test_the_contact_pages_have_no_axe_violations(page, site, at, path):
    at(WEEKDAY_10AM)
    page.goto(f"{site}{path}")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page, path)
    name = path.strip("/") or "choose-council"
    screenshot(page, f"contacts-{name}")
    on_mobile(page, f"contacts-{name}")
    assert_accessible(page, f"{path} at 375px")


def test_choose_council_links_to_each_borough_page(page, site, at):
    at(WEEKDAY_10AM)
    page.goto(f"{site}/")
    expect(page.get_by_text("call 999 now")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Bexley", exact=True).click()
    assert page.url == f"{site}/bexley/"
    expect(page.locator("h1")).to_have_text("Are you worried about a child?")
    expect(page.locator(".govuk-header")).to_contain_text("London Borough of Bexley")


def test_bromley_in_office_hours_shows_childrens_services_first(page, site, at):
    at(WEEKDAY_10AM)
    page.goto(f"{site}/bromley/")
    expect(page.locator("main")).to_contain_text("It is 10am on Tuesday 24 November 2026.")
    first = first_uk_number(page)
    expect(first).to_have_attribute("href", "tel:+442084617373")
    expect(first).to_have_text("020 8461 7373")
    # Every office-hours line is open, children's services first; out of hours is not.
    now = call_now(page)
    expect(now.first.locator("h3")).to_have_text("Children's services")
    expect(now.first).to_contain_text("Closes at 5pm today.")
    for card in now.all():
        expect(card).not_to_contain_text("0300 303 8671")
        for link in card.locator("a[href^='tel:']").all():
            assert E164_UK.match(link.get_attribute("href")), link.get_attribute("href")
    screenshot(page, "contacts-bromley-in-hours")
    on_mobile(page, "contacts-bromley-in-hours")


def test_bromley_on_saturday_shows_the_out_of_hours_number_first(page, site, at):
    at(SATURDAY_2PM)
    page.goto(f"{site}/bromley/")
    expect(page.locator("main")).to_contain_text("It is 2pm on Saturday 28 November 2026.")
    first = first_uk_number(page)
    expect(first).to_have_attribute("href", "tel:+443003038671")
    expect(first).to_have_text("0300 303 8671")
    now = call_now(page)
    expect(now).to_have_count(1)
    expect(now.first).to_contain_text("Emergency out-of-hours service")
    expect(now.first).not_to_contain_text("020 8461 7373")
    # The office line is still listed, marked closed, with when it opens.
    office = page.locator(".govuk-summary-list__row", has_text="Children's services")
    expect(office).to_contain_text("Closed now")
    expect(office).to_contain_text("Opens at 8:30am on Monday 30 November.")
    assert_accessible(page, "/bromley/ out of hours")
    screenshot(page, "contacts-bromley-saturday")
    on_mobile(page, "contacts-bromley-saturday")


def test_bexley_at_half_past_eight_on_a_weekday_says_no_line_is_staffed(page, site, at):
    at(WEEKDAY_0830)
    page.goto(f"{site}/bexley/")
    now = call_now(page)
    expect(now).to_have_count(1)
    expect(now).to_contain_text("No Bexley phone line is staffed right now.")
    expect(now).to_contain_text(
        re.compile(r"Children's Services MASH opens at 9am today:\s*020 3045 5440\s*\.")
    )
    expect(now).to_contain_text(
        re.compile(r"Out-of-hours service opens at 6pm today:\s*020 8303 7777 or 020 8303 7171")
    )
    expect(now.locator("a[href='tel:+442030455440']")).to_be_visible()
    expect(now.locator("a[href='tel:999']")).to_be_visible()
    expect(page.locator(".app-contact-card")).to_have_count(0)
    expect(page.locator("main .govuk-warning-text")).to_contain_text("call 999 now")
    assert_accessible(page, "/bexley/ with no line staffed")
    screenshot(page, "contacts-bexley-none-staffed")
    on_mobile(page, "contacts-bexley-none-staffed")


def test_exit_this_page_button_leaves_the_site(page, site, at, exit_site):
    at(WEEKDAY_10AM)
    page.goto(f"{site}/bromley/")
    button = page.get_by_role("button", name="Emergency Exit this page")
    expect(button).to_be_visible()
    screenshot(page, "contacts-exit-this-page-before")
    with page.expect_navigation():
        button.click()
    page.wait_for_url(exit_site)
    assert not page.url.startswith(site)
    expect(page).to_have_title("Away")


def test_pressing_shift_three_times_leaves_the_site(page, site, at, exit_site):
    at(WEEKDAY_10AM)
    page.goto(f"{site}/bexley/")
    # govuk-frontend's Exit this page is started by static/app/govuk-init.mjs (no inline JS).
    expect(page.locator("body.govuk-frontend-supported")).to_have_count(1)
    expect(page.locator(".govuk-exit-this-page__indicator")).to_be_attached()
    page.locator("h1").click()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(exit_site)
    assert not page.url.startswith(site)


def test_pressing_shift_twice_stays(page, site, at):
    """The same keys short of the third press do not exit: the test above is not luck."""
    at(WEEKDAY_10AM)
    page.goto(f"{site}/bexley/")
    expect(page.locator(".govuk-exit-this-page__indicator")).to_be_attached()
    page.locator("h1").click()
    for _ in range(2):
        page.keyboard.press("Shift")
    page.wait_for_timeout(1000)
    assert page.url == f"{site}/bexley/"
