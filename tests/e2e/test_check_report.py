""" "Check a report" in Chromium: from the borough page to the status and signing out, with
its errors, the code that no longer works, too many tries and the expired page; axe-core on
every page and state; screenshots in test-results/screenshots/check-*.png."""

from __future__ import annotations

from playwright.sync_api import expect

from mash import screening, services
from reporting.services import submit_concern
from tests.e2e.conftest import assert_accessible, assert_error_links_focus_their_fields, screenshot
from tests.mash.factories import StaffMemberFactory
from tests.mash.test_check_report import sent_code
from tests.reporting.factories import concern_answers

EMAIL = "sam.taylor@example.com"


def looked_at(page, name: str) -> None:
    assert_accessible(page, name)
    screenshot(page, f"check-{name}")


def ask(page, reference: str, contact: str) -> None:
    page.wait_for_load_state()  # an error summary takes the focus (and scrolls) on start
    page.get_by_label("Reference number").fill(reference)
    page.get_by_label("Email address or mobile phone number").fill(contact)
    page.get_by_role("button", name="Send me a code").click()


def enter(page, code: str) -> None:
    page.wait_for_load_state()  # an error summary takes the focus (and scrolls) on start
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()


def test_the_whole_check(page, site, bromley):
    referral = submit_concern(borough=bromley, answers=concern_answers())
    page.goto(f"{site}/bromley/")
    page.get_by_role("link", name="check the progress of your report").click()
    expect(page.locator("h1")).to_have_text("Check a report")
    looked_at(page, "start")

    page.get_by_role("button", name="Send me a code").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    looked_at(page, "start-errors")
    assert assert_error_links_focus_their_fields(page, "start") == 2

    ask(page, referral.reference.lower(), "020 8461 7373")  # a landline: no text can reach it
    expect(page.locator(".govuk-error-summary")).to_contain_text("UK mobile")
    expect(page.get_by_label("Reference number")).to_have_value(referral.reference.lower())
    page.get_by_label("Email address or mobile phone number").fill(EMAIL)
    page.wait_for_load_state()
    page.get_by_role("button", name="Send me a code").click()

    expect(page.locator("h1")).to_have_text("Check your email")
    looked_at(page, "code")
    enter(page, f"{(int(sent_code(referral)) + 1) % 10**6:06d}")
    expect(page.locator(".govuk-error-summary")).to_contain_text("you can try 2 more times")
    looked_at(page, "code-wrong")

    enter(page, sent_code(referral))
    expect(page.locator("h1")).to_have_text("The progress of your report")
    expect(page.locator("#status")).to_have_text("Received")
    looked_at(page, "status-received")

    user = StaffMemberFactory(boroughs=[bromley]).user
    services.take_next(user=user)
    page.reload()
    expect(page.locator("#status")).to_have_text("Being looked at")
    looked_at(page, "status-looking")
    screening.record_decision(
        user=user, referral=referral, outcome="family_wellbeing", rationale="Needs support"
    )
    page.reload()
    expect(page.locator("#status")).to_have_text("Decided")
    expect(page.locator("#outcome")).to_contain_text("Support is being offered through our")
    expect(page.locator("main")).not_to_contain_text("Needs support")
    looked_at(page, "status-decided")

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("You have signed out")
    looked_at(page, "signed-out")
    page.go_back()  # the status is not in the browser's cache: it is asked for again
    expect(page.locator("h1")).to_have_text("This page has expired")
    expect(page.locator("main")).not_to_contain_text(referral.reference)
    looked_at(page, "expired")


def test_a_dead_code_and_too_many_tries(page, site, bromley, settings):
    settings.CHECK_REPORT_LIMIT_REFERENCE = "2/h"
    page.goto(f"{site}/bromley/check-a-report/")
    ask(page, "BRM-0000-0000", EMAIL)  # no such report: the same pages
    expect(page.locator("h1")).to_have_text("Check your email")
    for code in ("111111", "222222", "333333"):
        enter(page, code)
    expect(page.locator("h1")).to_have_text("You need a new code")
    looked_at(page, "code-dead")
    page.get_by_role("button", name="Ask for a new code").click()
    ask(page, "BRM-0000-0000", EMAIL)
    page.goto(f"{site}/bromley/check-a-report/")
    ask(page, "BRM-0000-0000", EMAIL)
    expect(page.locator("h1")).to_have_text("Sorry, there have been too many tries")
    looked_at(page, "too-many")
