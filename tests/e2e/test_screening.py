"""Screening a referral in Chromium: a screener opens a referral from the queue, then its
screening page, sets the urgency rating, the Continuum of Need level, records the checks (an earlier
referral about the same child is found and linked), asks the police, records their answer,
and decides; the referrer's outcome email is in the outbox, sent. axe-core on every page and
error state; screenshots in test-results/screenshots/."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from contacts.calendar import LONDON
from mash.models import Decision
from notifications.models import OutboxMessage
from reporting.services import submit_concern
from tests.e2e.conftest import assert_accessible, screenshot
from tests.mash.factories import StaffMemberFactory, log_in_verified
from tests.reporting.factories import concern_answers

# Tuesday 24 November 2026, 10:00: the referral came in yesterday afternoon.
NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def sign_in_verified(page, site, user):
    """A verified staff session (password and TOTP done), handed to the browser."""
    client = Client()
    log_in_verified(client, user)
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": site}])


def follow(page, name):
    """Click a link and wait for the page it opens (axe must not run mid-navigation). The
    page clicked on is loaded first: a success banner or error summary takes the focus when
    GOV.UK Frontend starts, and the scroll that makes would move the link from under the
    click."""
    page.wait_for_load_state()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=name).click()


def check(page, name):
    page.wait_for_load_state("load")
    assert_accessible(page, name)
    screenshot(page, f"screening-{name}")


def test_screen_a_referral_from_start_to_decision(page, site, bromley):
    earlier = submit_concern(
        borough=bromley,
        answers=concern_answers("anonymous"),
        received_at=NOW - dt.timedelta(days=4),
    )
    answers = concern_answers()
    answers.children[0].first_name = "amira"  # typed differently this time
    answers.children[0].postcode = "BR13UH"
    referral = submit_concern(
        borough=bromley, answers=answers, received_at=NOW - dt.timedelta(hours=19)
    )
    screener = StaffMemberFactory(boroughs=[bromley]).user
    sign_in_verified(page, site, screener)

    # the queue, the referral's summary page, and from it the screening page
    page.goto(f"{site}/mash/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening queue")
    page.goto(f"{site}/mash/referrals/{referral.reference}/")
    follow(page, "Open the screening page")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Screening {referral.reference}")
    expect(page.locator("#recent-warning")).to_contain_text(earlier.reference)
    expect(page.locator("#deadline-state")).to_contain_text("On track")
    expect(page.locator("#urgency-current")).to_contain_text("Not rated yet")
    expect(page.locator("#referrer")).to_contain_text("Sam Taylor")
    check(page, "page-new")

    # urgency: the error state first
    follow(page, "Set the urgency rating")
    page.get_by_role("button", name="Save the urgency rating").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    check(page, "urgency-error")
    page.get_by_label("Red", exact=True).check()
    page.get_by_label("Reason").fill("Child says there is no food; shouting every night")
    page.get_by_role("button", name="Save the urgency rating").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("red")
    expect(page.locator("#urgency-current")).to_contain_text("Urgency (screener's rating): Red")

    # Continuum of Need
    follow(page, "Record the Continuum of Need level")
    check(page, "need-level-form")
    page.get_by_label("Level 3: complex").check()
    page.get_by_role("button", name="Save the level").click()
    expect(page.locator("#need-level")).to_contain_text("Level 3: complex")

    # record checks: the earlier referral is found and linked
    follow(page, "Record the checks")
    expect(page.get_by_role("link", name=earlier.reference)).to_be_visible()
    check(page, "check-form")
    page.get_by_label("What the checks found").fill("Earlier anonymous concern 4 days ago")
    page.get_by_role("button", name="Save the record check").click()
    expect(page.locator("#record-checks")).to_contain_text("Earlier anonymous concern")
    expect(page.locator("#matches-1")).to_contain_text(earlier.reference)

    # an enquiry to the police, open on the queue, then answered
    follow(page, "Record an enquiry")
    check(page, "enquiry-form")
    page.get_by_label("Police").check()
    page.get_by_label("What you asked").fill("Any call-outs to 12 Station Road this year?")
    page.get_by_role("button", name="Save the enquiry").click()
    expect(page.locator("#enquiry-table")).to_contain_text("Waiting for answer")
    check(page, "page-enquiry-open")
    page.goto(f"{site}/mash/")
    row = page.locator("#queue tbody tr", has_text=referral.reference)
    expect(row).to_contain_text("Enquiry open")
    check(page, "queue-enquiry-open")
    page.goto(f"{site}/mash/referrals/{referral.reference}/screening/")
    follow(page, "Record the answer from Police")
    page.get_by_label("The agency's answer").fill("Two domestic call-outs in October")
    page.get_by_role("button", name="Save the answer").click()
    expect(page.locator("#enquiry-table")).to_contain_text("Two domestic call-outs")

    # the decision: errors, then a children's social care assessment
    follow(page, "Record the decision")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the outcome")
    check(page, "decision-error")
    page.get_by_label("Children's social care assessment").check()
    page.get_by_label("Rationale").fill("Neglect and domestic abuse: assessment needed")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#decision-summary")).to_contain_text("Children's social care assessment")
    # received Mon 23 Nov: home visit by Thu 3 Dec; 40 working days (Christmas, Boxing Day
    # observed and New Year's Day skipped) from Tue 24 Nov: Thu 21 Jan 2027
    expect(page.locator("#home-visit-by")).to_contain_text("Thursday 3 December 2026")
    expect(page.locator("#assessment-due")).to_contain_text("Thursday 21 January 2027")
    # Do the worker's job here, so the test holds whatever Celery's mode: with REDIS_URL set
    # (CI) no worker runs during the test; without it the task already ran eagerly.
    from notifications.sending import sweep_unsent

    sweep_unsent()
    page.reload()
    expect(page.locator("#outcome-email")).to_contain_text("Sent")
    expect(page.locator("#deadline-state")).to_contain_text("Decided")
    check(page, "page-decided")

    # the referrer's outcome email: in the outbox, sent once, plain words
    (message,) = OutboxMessage.objects.filter(kind="outcome")
    assert message.about_id == referral.pk and message.to == "sam.taylor@example.com"
    assert message.sent_at is not None
    assert "amira" not in message.rendered().body.lower()
    decision = Decision.objects.get(record__referral=referral)
    assert decision.decided_by == screener and decision.notify_referrer
