"""The whole "Report a concern about a child" journey in Chromium, with axe-core on every page
and every error state."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import RequestFactory
from playwright.sync_api import expect

from contacts.calendar import LONDON
from notifications.models import OutboxMessage
from reporting import ratelimit
from reporting.models import Referral
from tests.e2e.conftest import assert_accessible, screenshot

MOBILE = {"width": 375, "height": 812}
# axe takes a second or two a page: each page (and each error state) is checked once per run,
# by whichever test reaches it first.
CHECKED: set[str] = set()


def accessible(page, name: str) -> None:
    if name not in CHECKED:
        assert_accessible(page, name)
        CHECKED.add(name)


def heading(page, text: str) -> None:
    expect(page.locator("h1")).to_contain_text(text)


def continue_(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def errors_shown(page, name: str, *messages: str) -> None:
    """Submit the page empty (or as it is), check the error summary and axe, then go on."""
    continue_(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    for message in messages:
        expect(summary).to_contain_text(message)
    assert page.title().startswith("Error: ")
    accessible(page, f"{name} with errors")
    # The summary's first link moves focus to the field to fix.
    summary.locator("a").first.click()
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused, f"{name}: the error link focused nothing"


def question(page, name: str, *, errors: tuple[str, ...] = (), shot: str | None = None) -> None:
    accessible(page, name)
    if errors:
        errors_shown(page, name, *errors)
        if shot:
            screenshot(page, f"{shot}-error")
    elif shot:
        screenshot(page, shot)


def start(page, site, slug="bromley", shot=None) -> None:
    page.goto(f"{site}/{slug}/")
    page.get_by_role("button", name="Report a concern online").click()
    heading(page, "Report a concern about a child")
    accessible(page, "start page")
    if shot:
        screenshot(page, shot)
    page.get_by_role("button", name="Start now").click()
    heading(page, "Is a child in immediate danger right now?")


def choose(page, label: str) -> None:
    page.get_by_label(label, exact=True).check()


def enter_date(page, day: str, month: str, year: str) -> None:
    page.get_by_label("Day").fill(day)
    page.get_by_label("Month").fill(month)
    page.get_by_label("Year").fill(year)


def child(page, *, first: str, dob=None, age=None, with_errors=False, shot=None) -> None:
    heading(page, "name?")
    question(page, "child name", errors=("Enter the child's name",) if with_errors else ())
    page.get_by_label("First name").fill(first)
    continue_(page)
    question(page, "child age", errors=("Select what you know about",) if with_errors else ())
    if dob:
        choose(page, "I know their date of birth")
        continue_(page)
        heading(page, f"What is {first}'s date of birth?")
        if with_errors:
            enter_date(page, "31", "2", "2015")
            question(
                page,
                "date of birth",
                errors=("Date of birth must be a real date",),
                shot=shot and f"{shot}-dob",
            )
            expect(page.get_by_label("Day")).to_have_value("31")
        enter_date(page, *dob)
    else:
        choose(page, "I know roughly how old they are")
        continue_(page)
        question(page, "age", errors=(f"Enter {first}'s age",) if with_errors else ())
        page.get_by_label(f"How old is {first}?").fill(age)
    continue_(page)
    heading(page, f"Where can we find {first}?")
    question(page, "where", errors=("Enter where the child lives",) if with_errors else ())
    page.get_by_label("Address").fill("1 High Street, Bromley")
    page.get_by_label("Postcode").fill("br1 3uh")
    continue_(page)
    census(page, first=first, shot=shot)


def census(page, *, first: str, shot=None) -> None:
    """The optional sex and ethnic group pages: Sam's answered, anyone else's skipped."""
    whose = "the child's" if first == "the child" else f"{first}'s"
    heading(page, f"What is {whose} sex? (optional)")
    question(page, "child sex", shot=shot and f"{shot}-sex")
    if first == "Sam":
        choose(page, "Prefer not to say")
    continue_(page)
    heading(page, f"What is {whose} ethnic group? (optional)")
    question(page, "child ethnicity", shot=shot and f"{shot}-ethnicity")
    if first == "Sam":
        page.get_by_label(f"What is {whose} ethnic group? (optional)").select_option("BAFR")
    continue_(page)


def concern(page, *, with_errors=False, description="He is outside late with no coat.") -> None:
    heading(page, "Do any other children live in the same home?")
    question(page, "other children", errors=("Select if other children",) if with_errors else ())
    choose(page, "Yes")
    continue_(page)
    question(
        page,
        "other children details",
        errors=("Enter what you know about the other children",) if with_errors else (),
    )
    page.get_by_label("Tell us about the other children in the home").fill("A baby sister")
    continue_(page)
    heading(page, "What are you worried about?")
    question(
        page, "categories", errors=("Select what you are worried about",) if with_errors else ()
    )
    choose(page, "Neglect")
    choose(page, "Emotional abuse")
    continue_(page)
    question(
        page,
        "description",
        errors=("Enter what is worrying you",) if with_errors else (),
        shot="report-description" if with_errors else None,
    )
    page.get_by_label("Tell us what is worrying you").fill(description)
    continue_(page)
    heading(page, "When did it happen?")
    question(page, "when")
    page.get_by_label("When did it happen?").fill("Last night")
    continue_(page)
    question(
        page,
        "still happening",
        errors=("Select if it is still happening",) if with_errors else (),
    )
    choose(page, "Yes")
    continue_(page)
    question(page, "how known", errors=("Select how you know about it",) if with_errors else ())
    choose(page, "I saw it")
    continue_(page)


def send(page) -> str:
    heading(page, "Check your answers before sending your report")
    accessible(page, "check your answers")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Report sent")
    accessible(page, "confirmation")
    reference = page.locator(".govuk-panel__body strong").inner_text()
    assert re.fullmatch(r"BRM-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    return reference


def test_anonymous_report_one_child_with_every_error(page, site):
    start(page, site, shot="report-00-start")
    screenshot(page, "report-01-danger")
    question(
        page,
        "danger",
        errors=("Select yes if a child is in immediate danger",),
        shot="report-01-danger",
    )
    choose(page, "No")
    continue_(page)
    heading(page, "Who are you?")
    question(page, "who", errors=("Select who you are",), shot="report-02-who")
    choose(page, "A member of the public")
    continue_(page)
    child(page, first="Sam", dob=("3", "4", "2016"), with_errors=True, shot="report-03")
    heading(page, "You have told us about 1 child")
    question(
        page,
        "children",
        errors=("Select yes if you need to tell us about another child",),
        shot="report-04-children",
    )
    choose(page, "No")
    continue_(page)
    concern(page, with_errors=True)
    heading(page, "Do you want to tell us who you are?")
    question(
        page,
        "about you",
        errors=("Select if you want to tell us who you are",),
        shot="report-05-about-you",
    )
    choose(page, "No, I want to stay anonymous")
    continue_(page)
    screenshot(page, "report-06-check")
    reference = send(page)
    screenshot(page, "report-07-confirmation")
    referral = Referral.objects.get(reference=reference)
    assert referral.anonymous and referral.children.get().first_name == "Sam"
    sam = referral.children.get()
    assert (sam.sex, sam.ethnicity) == ("prefer_not_to_say", "BAFR")
    assert referral.contact_source == "9"  # anonymous (reporting.sources)
    assert referral.other_children_details == "A baby sister"


def test_named_report_two_children_on_a_phone(page, site):
    page.set_viewport_size(MOBILE)
    start(page, site, shot="report-mobile-start")
    choose(page, "No")
    continue_(page)
    choose(page, "A relative of the child")
    continue_(page)
    child(page, first="Sam", dob=("3", "4", "2016"))
    choose(page, "Yes")
    continue_(page)
    child(page, first="Alex", age="5")
    heading(page, "You have told us about 2 children")
    screenshot(page, "report-mobile-children")
    choose(page, "No")
    continue_(page)
    concern(page, description="<script>alert('x')</script> He cries at night.")
    choose(page, "Yes, I will give my name and contact details")
    continue_(page)
    heading(page, "Your details")
    question(
        page,
        "your details",
        errors=("Enter your full name", "Enter a phone number"),
        shot="report-mobile-your-details",
    )
    page.get_by_label("Full name").fill("Pat Jones")
    page.get_by_label("Phone number").fill("not a number")
    page.get_by_label("Email address").fill("pat@example.com")
    question(page, "your details phone", errors=("Enter a phone number, like",))
    page.get_by_label("Phone number").fill("07911 123456")
    continue_(page)
    # an email and a mobile: asked once, on this page, which one our messages go to
    question(
        page,
        "your details updates",
        errors=("Select how we should send you updates",),
        shot="report-mobile-updates-by",
    )
    choose(page, "By text message")
    continue_(page)
    question(page, "contact safe", errors=("Select yes if it is safe for us to contact you",))
    choose(page, "Yes")
    page.get_by_label("When and how is it safe to contact you? (optional)").fill("After 6pm")
    continue_(page)
    expect(page.locator("main")).to_contain_text("<script>alert('x')</script> He cries at night.")
    screenshot(page, "report-mobile-check")
    reference = send(page)
    screenshot(page, "report-mobile-confirmation")
    referral = Referral.objects.get(reference=reference)
    assert referral.referrer_phone == "+447911123456"
    assert referral.updates_by == "sms"
    assert OutboxMessage.objects.get(about_id=referral.pk).channel == "sms"
    expect(page.locator("main")).to_contain_text("We have sent a text message with your reference")
    assert [c.first_name for c in referral.children.order_by("order")] == ["Sam", "Alex"]
    assert referral.description.startswith("<script>")


def test_immediate_danger_stops_the_form(page, site):
    start(page, site)
    choose(page, "Yes")
    continue_(page)
    heading(page, "Call 999 now")
    expect(page.locator("a[href='tel:999']").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("0800 1111")
    assert_accessible(page, "call 999")
    screenshot(page, "report-999")
    page.set_viewport_size(MOBILE)
    screenshot(page, "report-999-mobile")
    assert Referral.objects.count() == 0


def test_change_links_return_to_check_answers(page, site):
    start(page, site)
    choose(page, "No")
    continue_(page)
    choose(page, "The child's parent or carer")
    continue_(page)
    child(page, first="Sam", age="9")
    choose(page, "No")
    continue_(page)
    concern(page)
    choose(page, "No, I want to stay anonymous")
    continue_(page)
    heading(page, "Check your answers")
    page.get_by_role("link", name="Change what is worrying you").click()
    heading(page, "Tell us what is worrying you")
    assert_accessible(page, "change description")
    expect(page.locator(".govuk-back-link")).to_have_attribute(
        "href", "/bromley/report/check-your-answers/"
    )
    page.get_by_label("Tell us what is worrying you").fill("Changed: he has bruises.")
    continue_(page)
    heading(page, "Check your answers")
    expect(page.locator("main")).to_contain_text("Changed: he has bruises.")
    # A change that opens new questions asks them, then comes back.
    page.get_by_role("link", name="Change whether you want to stay anonymous").click()
    choose(page, "Yes, I will give my name and contact details")
    continue_(page)
    heading(page, "Your details")
    page.get_by_label("Full name").fill("Pat")
    page.get_by_label("Email address").fill("pat@example.com")
    continue_(page)
    choose(page, "No")
    continue_(page)
    heading(page, "Check your answers")
    page.get_by_role("link", name="Change Sam's name").click()
    page.get_by_label("First name").fill("Samuel")
    continue_(page)
    heading(page, "Check your answers")
    expect(page.locator("main")).to_contain_text("Samuel")
    reference = send(page)
    referral = Referral.objects.get(reference=reference)
    assert referral.description == "Changed: he has bruises."
    assert referral.safe_to_contact is False and referral.referrer_name == "Pat"


def test_professional_referral_and_early_help(page, site):
    start(page, site)
    choose(page, "No")
    continue_(page)
    choose(page, "Someone who works with children or families")
    continue_(page)
    question(
        page, "professional route", errors=("Select if you are worried",), shot="report-pro-route"
    )
    choose(page, "I want early help support for a family")
    continue_(page)
    heading(page, "Early help for a family")
    assert_accessible(page, "early help")
    screenshot(page, "report-early-help")
    page.get_by_role("link", name="make a safeguarding referral instead").click()
    choose(page, "I am worried a child is being harmed or is at risk of harm")
    continue_(page)
    heading(page, "Your work details")
    question(
        page,
        "professional details",
        errors=("Enter your full name", "Enter a work email address or phone number"),
        shot="report-pro-details",
    )
    page.get_by_label("Full name").fill("Dr Ann Lee")
    page.get_by_label("Organisation").fill("Bromley Surgery")
    page.get_by_label("Your role").fill("GP")
    page.get_by_label("Work email address").fill("ann@surgery.example")
    continue_(page)
    question(page, "family aware", errors=("Select yes if the family knows",))
    choose(page, "No")
    continue_(page)
    question(page, "consent reason", errors=("Enter why you have not told the family",))
    page.get_by_label("Why have you not told the family?").fill("It could put him at risk.")
    continue_(page)
    child(page, first="Sam", age="12")
    choose(page, "No")
    continue_(page)
    concern(page)
    reference = send(page)
    referral = Referral.objects.get(reference=reference)
    assert referral.referrer_type == "professional" and referral.family_aware == "no"


def test_a_young_person_sees_childline_and_an_adult_is_sent_elsewhere(page, site):
    start(page, site)
    choose(page, "No")
    continue_(page)
    choose(page, "A child or young person")
    continue_(page)
    expect(page.locator("main")).to_contain_text("0800 1111")
    choose(page, "About another child or young person")
    continue_(page)
    page.get_by_label("First name").fill("Kim")
    continue_(page)
    choose(page, "I know roughly how old they are")
    continue_(page)
    page.get_by_label("How old is Kim?").fill("19")
    continue_(page)
    heading(page, "This service is for children")
    assert_accessible(page, "adult")
    screenshot(page, "report-adult")
    page.get_by_role("link", name="go back and change it").click()
    page.get_by_label("How old is Kim?").fill("15")
    continue_(page)
    heading(page, "Where can we find Kim?")


def test_expired_answers_explain_themselves(page, site, context):
    start(page, site)
    choose(page, "No")
    continue_(page)
    context.clear_cookies()
    choose(page, "A member of the public")
    continue_(page)
    # No session and no CSRF cookie: Django's CSRF page, then the journey explains itself.
    page.goto(f"{site}/bromley/report/categories/")
    heading(page, "This page has expired")
    assert_accessible(page, "expired")
    screenshot(page, "report-expired")
    page.get_by_role("button", name="Start again").click()
    heading(page, "Report a concern about a child")


def test_exit_this_page_leaves_quickly(page, site, exit_site):
    start(page, site)
    page.get_by_role("button", name="Emergency Exit this page").click()
    page.wait_for_url(exit_site)
    assert "bromley" not in page.url


@pytest.mark.parametrize(
    ("slug", "when", "staffed"),
    [
        # A Tuesday at 10:00: Bexley's MASH; at 20:00: its out-of-hours service.
        ("bexley", dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON), "020 3045 5440"),
        ("bexley", dt.datetime(2026, 11, 24, 20, 0, tzinfo=LONDON), "020 8303 7777"),
    ],
)
def test_the_journey_works_for_another_borough(page, site, slug, when, staffed):
    # The live server shares this process's clock, so the staffed number is known.
    with time_machine.travel(when, tick=True):
        start(page, site, slug)
        choose(page, "Yes")
        continue_(page)
        heading(page, "Call 999 now")
        expect(page.locator("main")).to_contain_text(staffed)


def test_unborn_baby_remove_a_child_and_the_pages_that_stop_a_report(page, site, settings):
    start(page, site)
    choose(page, "No")
    continue_(page)
    choose(page, "Someone who works with children or families")
    continue_(page)
    choose(page, "I am worried a child is being harmed or is at risk of harm")
    continue_(page)
    page.get_by_label("Full name").fill("Jo Bell")
    page.get_by_label("Organisation").fill("Health visiting")
    page.get_by_label("Your role").fill("Health visitor")
    page.get_by_label("Work phone number").fill("020 8461 7373")
    continue_(page)
    choose(page, "Yes")
    continue_(page)
    question(page, "family agrees", errors=("Select if the family agrees",))
    choose(page, "I do not know")
    continue_(page)
    child(page, first="Sam", age="2")
    choose(page, "Yes")
    continue_(page)
    page.get_by_label("I do not know their name").check()
    continue_(page)
    choose(page, "The baby is not born yet")
    continue_(page)
    heading(page, "When is the baby due?")
    question(page, "due date", errors=("Enter the baby's due date",))
    enter_date(page, "1", "1", "2020")
    question(
        page,
        "due date past",
        errors=("Due date must be today or in the future",),
        shot="report-due-date",
    )
    today = page.evaluate("new Date().getFullYear()")
    enter_date(page, "1", "1", str(today + 5))
    errors_shown(page, "due date far", "Due date must be within the next 10 months")
    page.get_by_label("Year").fill("")
    page.get_by_label("Month").fill("")
    page.get_by_label("Day").fill("")
    soon = dt.date.today() + dt.timedelta(days=60)
    enter_date(page, str(soon.day), str(soon.month), str(soon.year))
    continue_(page)
    page.get_by_label("School, college or nursery").fill("Little Acorns Nursery")
    continue_(page)
    census(page, first="the child")
    heading(page, "You have told us about 2 children")
    page.get_by_role("link", name="Remove Sam").click()
    heading(page, "Are you sure you want to remove Sam?")
    question(page, "remove child", errors=("Select yes if you want to remove this child",))
    choose(page, "Yes")
    continue_(page)
    heading(page, "You have told us about 1 child")
    expect(page.locator("main")).to_contain_text("Not born yet")
    choose(page, "No")
    continue_(page)
    concern(page)
    heading(page, "Check your answers")
    # A bot fills the hidden field: nothing is saved, and the page says to call.
    page.evaluate("document.getElementById('id_website').value = 'http://spam.example'")
    page.get_by_role("button", name="Send report").click()
    heading(page, "Sorry, there is a problem")
    accessible(page, "problem")
    assert Referral.objects.count() == 0
    # Too many reports from one place: a friendly page, and the answers are kept.
    settings.RATE_LIMIT_SUBMISSIONS = "1/h"
    assert ratelimit.check_and_count(RequestFactory().post("/", REMOTE_ADDR="127.0.0.1"))
    page.go_back()
    page.reload()
    heading(page, "Check your answers")
    page.get_by_role("button", name="Send report").click()
    heading(page, "You have sent too many reports")
    accessible(page, "too many")
    screenshot(page, "report-too-many")
    assert Referral.objects.count() == 0
    settings.RATE_LIMIT_SUBMISSIONS = ""
    page.get_by_role("link", name="go back to check your answers").click()
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Report sent")
    referral = Referral.objects.get()
    assert referral.children.get().unborn
    assert referral.family_agrees == "unknown"
