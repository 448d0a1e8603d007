"""Safe on a shared phone, honest at every step (the journey engine, so every journey): Exit
ends the journey on the server, Back never shows a report or a browser error, nothing private
in titles, a sent report says so, and a saved report is never shown as failed. Chromium, with
axe on every state."""

import pytest
from playwright.sync_api import expect

from reporting.journey import Journey
from reporting.models import Referral
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.test_report_journey import choose, concern, continue_, heading, start

NAME = ("Maja", "Nowak")


def to_check_answers(page, site) -> list[str]:
    """A concern about Maja Nowak up to "Check your answers"; the title of every page seen."""
    titles = []
    start(page, site)
    titles.append(page.title())
    choose(page, "No")
    continue_(page)
    choose(page, "A relative of the child")
    continue_(page)
    page.get_by_label("First name").fill(NAME[0])
    page.get_by_label("Last name").fill(NAME[1])
    continue_(page)
    titles.append(page.title())
    heading(page, "What do you know about Maja Nowak's age?")
    choose(page, "I know roughly how old they are")
    continue_(page)
    titles.append(page.title())
    page.get_by_label("How old is Maja Nowak?").fill("9")
    continue_(page)
    titles.append(page.title())
    page.get_by_label("Address").fill("1 High Street, Bromley")
    page.get_by_label("Postcode").fill("br1 3uh")
    continue_(page)
    titles.append(page.title())  # sex (optional): answered
    choose(page, "Female")
    continue_(page)
    titles.append(page.title())  # ethnic group (optional): skipped
    continue_(page)
    choose(page, "No")
    continue_(page)
    concern(page)
    titles.append(page.title())
    choose(page, "No, I want to stay anonymous")
    continue_(page)
    heading(page, "Check your answers")
    titles.append(page.title())
    expect(page.locator("main")).to_contain_text("Maja")
    return titles


def nothing_of_the_report(page) -> None:
    text = page.content()
    assert NAME[0] not in text and NAME[1] not in text and "outside late" not in text


def back_through_history(page, site) -> None:
    """Back, page after page, until the site's first page: nothing of the report anywhere."""
    seen = 0
    while seen < 20:
        response = page.go_back()
        if response is None or not page.url.startswith(site):
            break
        seen += 1
        page.wait_for_load_state()
        nothing_of_the_report(page)
        assert NAME[0] not in page.title()
    assert seen >= 1


@pytest.mark.parametrize("how", ["button", "shift"])
def test_exit_then_back_shows_nothing_of_the_report(page, site, how, exit_site):
    titles = to_check_answers(page, site)
    for title in titles:
        assert NAME[0] not in title and NAME[1] not in title, title
    assert "What do you know about the child's age?" in titles[1]
    if how == "button":
        page.get_by_role("button", name="Emergency Exit this page").click()
    else:
        page.locator("h1").click()
        for _ in range(3):
            page.keyboard.press("Shift")
    page.wait_for_url(exit_site)
    expect(page).to_have_title("Away")
    page.go_back()
    heading(page, "This page has expired")
    nothing_of_the_report(page)
    assert_accessible(page, "expired after exit")
    screenshot(page, f"safety-back-after-exit-{how}")
    back_through_history(page, site)
    assert Referral.objects.count() == 0


def test_exit_works_without_javascript(browser, site, exit_site):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    to_check_answers(page, site)
    response = page.request.get(page.url)
    assert "no-store" in response.headers["cache-control"]
    page.get_by_role("button", name="Emergency Exit this page").click()
    page.wait_for_url(exit_site)
    page.go_back()
    heading(page, "This page has expired")
    nothing_of_the_report(page)
    context.close()


def test_start_page_says_what_exit_does(page, site):
    page.goto(f"{site}/bromley/report/")
    section = page.locator("main")
    expect(section).to_contain_text("press the Shift key 3 times")
    expect(section).to_contain_text("delete your browsing history")
    assert_accessible(page, "start page with exit help")
    screenshot(page, "safety-start-exit-help")


def test_back_after_an_error_never_asks_to_resubmit(page, site):
    start(page, site)
    continue_(page)  # nothing chosen: refused
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert page.url.endswith("/bromley/report/danger/")
    assert_accessible(page, "danger with errors after redirect")
    choose(page, "No")
    continue_(page)
    heading(page, "Who are you?")
    page.get_by_label("A relative of the child").check()
    continue_(page)
    page.get_by_label("First name").fill("Maja")
    continue_(page)
    choose(page, "I know their date of birth")
    continue_(page)
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2016")
    continue_(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a real date")
    expect(page.get_by_label("Day")).to_have_value("31")  # what was typed is kept
    page.get_by_label("Day").fill("28")
    continue_(page)
    heading(page, "Where can we find Maja?")
    # Back to the refused page, and back again: pages, never "Confirm Form Resubmission".
    for _ in range(3):
        response = page.go_back()
        assert response is not None and response.ok, page.url
        expect(page.locator("h1")).to_be_visible()
        assert "ERR_CACHE_MISS" not in page.content()
    screenshot(page, "safety-back-after-error")


def test_back_after_sending_says_it_was_sent(page, site):
    to_check_answers(page, site)
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Report sent")
    reference = page.locator(".govuk-panel__body strong").inner_text()
    page.go_back()
    heading(page, "You have already sent this report")
    expect(page.locator("main")).to_contain_text(reference)
    expect(page.locator("main")).not_to_contain_text("Nothing has been sent")
    nothing_of_the_report(page)
    assert_accessible(page, "already sent")
    screenshot(page, "safety-already-sent")
    page.go_back()
    heading(page, "You have already sent this report")
    # Sending again from an old tab: the same report's confirmation.
    page.get_by_role("button", name="Start a new report").click()
    heading(page, "Is a child in immediate danger right now?")
    assert Referral.objects.count() == 1


def test_a_saved_report_is_never_shown_as_failed(page, site, monkeypatch):
    """Issue 19: the referral commits, then the response cannot be built (once). Back and
    "Send" again: its confirmation, and still one referral."""
    to_check_answers(page, site)
    mark_sent = Journey.mark_sent
    failed = []

    def fail_once(self, *args, **kwargs):
        if not failed:
            failed.append(True)
            raise RuntimeError("the response could not be built")
        return mark_sent(self, *args, **kwargs)

    monkeypatch.setattr(Journey, "mark_sent", fail_once)
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("h1")).to_have_text("Your report was sent")
    screenshot(page, "safety-failed-after-commit")
    assert Referral.objects.count() == 1
    page.go_back()
    heading(page, "Check your answers")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Report sent")
    reference = page.locator(".govuk-panel__body strong").inner_text()
    assert Referral.objects.get().reference == reference
    assert_accessible(page, "confirmation after a retry")
