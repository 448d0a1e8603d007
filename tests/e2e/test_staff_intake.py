"""More MASH work in Chromium: a screener logs a referral taken by phone (errors first) and
lands on its screening page; then opens the consultation queue, claims a request and records
the advice given (errors first). axe-core on every page and error state looked at."""

import datetime as dt
import re

import pytest
import time_machine
from playwright.sync_api import expect

from contacts.calendar import LONDON
from mash.models import ConsultationAdvice
from reporting.answers import ConsultationAnswers, ProfessionalAnswers
from reporting.family_services import submit_consultation
from reporting.models import Referral
from tests.e2e.conftest import assert_accessible, screenshot, sign_in
from tests.mash.factories import StaffMemberFactory

# Wednesday 25 November 2026, 11:00.
NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def check(page, name):
    assert_accessible(page, name)
    screenshot(page, f"mash-intake-{name}")


def test_log_a_phone_referral_and_land_on_screening(page, site, bromley):
    screener = StaffMemberFactory(boroughs=[bromley]).user
    sign_in(page, site, screener)
    page.get_by_role("link", name="Log a referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a referral")
    expect(page.locator("#id_intake-received_time")).to_have_value("11:00")
    check(page, "form")

    # Errors first: nothing chosen, then a bad phone number.
    page.get_by_role("button", name="Log referral").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select how it came in")
    assert page.title().startswith("Error: ")
    check(page, "form-errors")
    page.locator(".govuk-error-summary a", has_text="Select how it came in").click()
    expect(page.locator("#id_intake-channel_1")).to_be_focused()

    page.get_by_label("Phone call").check()
    page.locator("#id_intake-received_time").fill("09:40")
    page.get_by_label("Member of the public").check()
    page.get_by_label("Yes, they gave their name").check()
    page.locator("#id_referrer-name").fill("Sam Taylor")
    page.locator("#id_referrer-phone").fill("12345")
    page.locator("#id_referrer-relationship").fill("Neighbour")
    page.locator("#id_referrer-safe_to_contact_1").check()
    page.locator("#id_child0-first_name").fill("Amira")
    page.locator("#id_child0-last_name").fill("Hughes")
    page.get_by_label("Approximate age known").check()
    page.locator("#id_child0-approximate_age").fill("7")
    page.locator("#id_child0-address").fill("12 Station Road, Bromley")
    page.locator("#id_home-other_children_in_home_2").check()
    page.get_by_label("Neglect").check()
    page.locator("#id_concern-description").fill("Outside late at night without a coat.")
    page.locator("#id_concern-still_happening_1").check()
    page.locator("#id_concern-how_known_1").check()
    page.get_by_role("button", name="Log referral").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a phone number, like")
    check(page, "phone-error")

    # Another child, then removed again: what was typed stays.
    page.get_by_role("button", name="Add another child").click()
    expect(page.get_by_role("heading", name="Child 2")).to_be_visible()
    expect(page.locator("#id_child0-first_name")).to_have_value("Amira")
    assert not page.locator(".govuk-error-summary").is_visible()
    check(page, "two-children")
    page.get_by_role("button", name="Remove child 2").click()
    expect(page.get_by_role("heading", name="Child 2")).to_have_count(0)
    expect(page.locator("#id_child0-last_name")).to_have_value("Hughes")

    # Enter in a field logs the referral (the default button), never adds a child.
    page.locator("#id_referrer-phone").fill("07911 123456")
    page.locator("#id_referrer-phone").press("Enter")
    page.wait_for_url(re.compile(r".*/mash/referrals/BRM-[0-9A-Z-]+/screening/$"))
    referral = Referral.objects.get()
    assert page.url.endswith(f"/mash/referrals/{referral.reference}/screening/")
    assert referral.channel == "phone"
    assert referral.received_at == dt.datetime(2026, 11, 25, 9, 40, tzinfo=LONDON)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Referral {referral.reference} logged"
    )
    expect(page.locator("main")).to_contain_text("Amira Hughes")
    check(page, "screening")


def test_consultation_queue_claim_and_advice(page, site, bromley):
    screener = StaffMemberFactory(boroughs=[bromley]).user
    request = submit_consultation(
        borough=bromley,
        answers=ConsultationAnswers(
            professional=ProfessionalAnswers(
                name="Jo Bell",
                organisation="Hillside Primary School",
                role="Designated safeguarding lead",
                email="jo.bell@school.example",
                phone="020 8461 7373",
            ),
            description="A pupil comes in hungry most days. Does this meet the threshold?",
            callback_date=dt.date(2026, 11, 26),
            callback_start=dt.time(10),
            callback_end=dt.time(11),
        ),
    )
    sign_in(page, site, screener)
    page.get_by_role("link", name="Consultations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultations")
    expect(page.locator("#consultations tbody tr")).to_have_count(1)
    expect(page.locator("#consultations")).to_contain_text("Jo Bell")
    check(page, "consultations")

    page.get_by_role("link", name=request.reference).click()
    expect(page.locator("#consultation-status")).to_have_text("Not claimed")
    check(page, "consultation")
    page.get_by_role("button", name="Claim this consultation").click()
    expect(page.locator("#consultation-status")).to_have_text("Held by you")
    # The "claimed" banner takes the focus when GOV.UK Frontend starts, which scrolls the
    # page: a click aimed before that lands where the button was (seen once in CI, no POST).
    page.wait_for_load_state()

    page.get_by_role("button", name="Record advice and close").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the advice given")
    assert page.title().startswith("Error: ")
    check(page, "advice-error")
    page.get_by_label("Advice given").fill("Below threshold: school to offer early help.")
    page.get_by_role("button", name="Record advice and close").click()
    expect(page.locator("#advice")).to_contain_text("school to offer early help")
    expect(page.locator("#consultation-status")).to_have_text("Closed")
    assert ConsultationAdvice.objects.get().given_by == screener
    check(page, "advice-recorded")

    page.get_by_role("link", name="Back to consultations").click()
    expect(page.locator("#consultations-empty")).to_have_text("No open consultations.")
    page.get_by_role("link", name="Closed (1)").click()
    expect(page.locator("#consultations tbody tr")).to_have_count(1)
    check(page, "consultations-closed")
