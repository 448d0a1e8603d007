"""Every error summary link lands on its field, in Chromium, public and staff alike: each form
with radios, checkboxes, date inputs, selects, text and files is sent with problems, and each
link of its error summary, clicked, must put focus on the input it names (the first radio of a
group, the date part with the problem). axe-core on every error state."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import expect

from contacts.calendar import LONDON
from mash import screening
from mash.models import ScreeningRecord
from reporting.family_services import submit_consultation
from reporting.services import submit_concern
from tests.e2e.conftest import assert_accessible, assert_error_links_focus_their_fields, hand_over
from tests.e2e.test_every_page import consultation_answers, wellbeing_steps
from tests.mash.factories import StaffMemberFactory, log_in_verified
from tests.reporting import test_family_views as fv
from tests.reporting import test_views as cv
from tests.reporting.factories import PROFESSIONAL, concern_answers

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)  # Monday noon

pytestmark = pytest.mark.usefixtures("private_storage")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def send_with_problems(page, button: str, fill: dict | None = None) -> None:
    for selector, value in (fill or {}).items():
        page.locator(selector).fill(value)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def check_links(page, context: str, expected: int) -> None:
    assert_accessible(page, context)
    assert assert_error_links_focus_their_fields(page, context) == expected, context


CONCERN_STEPS = [*cv.public(), *cv.NAMED]
# (journey base, its steps, the page, what to type first, how many error links)
PUBLIC = [
    (cv.BASE, CONCERN_STEPS, "danger/", {}, 1),  # radios
    (cv.BASE, CONCERN_STEPS, "who/", {}, 1),
    (cv.BASE, CONCERN_STEPS, "child/1/name/", {}, 1),  # text
    (
        cv.BASE,
        CONCERN_STEPS,
        "child/1/date-of-birth/",
        {"#id_date_of_birth_0": "3", "#id_date_of_birth_1": "13", "#id_date_of_birth_2": "2016"},
        1,  # the month, not the day
    ),
    (cv.BASE, CONCERN_STEPS, "child/1/where/", {"#id_postcode": "nowhere"}, 1),
    (cv.BASE, CONCERN_STEPS, "children/", {}, 1),
    (cv.BASE, CONCERN_STEPS, "categories/", {}, 1),  # checkboxes
    (cv.BASE, CONCERN_STEPS, "your-details/", {"#id_email": "not an email"}, 2),
    (cv.BASE, CONCERN_STEPS, "contact-safe/", {}, 1),
    (fv.FW, None, "consent-form/", {"#id_consent_date_1": "13"}, 3),  # file, text, date
    (fv.FW, None, "carer/1/carer/", {}, 2),
    (fv.FW, None, "criteria/", {}, 1),
    (fv.SELF, fv.SELF_STEPS + [("contact/", {})], "contact/", {}, 1),
    (
        fv.CONSULT,
        [
            ("your-details/", PROFESSIONAL),
            ("summary/", {"description": "Advice please."}),
            ("callback/", {}),
        ],
        "callback/",
        {},
        3,  # date, from, to
    ),
]


def test_public_error_summaries_land_on_their_fields(page, site, bromley):
    cache.clear()
    for base, steps, target, fill, expected in PUBLIC:
        steps = steps if steps is not None else wellbeing_steps()
        before = [step for step in steps[: [path for path, _ in steps].index(target)]]
        client = Client()
        for path, data in before:
            response = client.post(base + path, data)
            assert response.status_code == 302, (base + path, response.content.decode()[:300])
        hand_over(page, site, client) if before else page.context.clear_cookies()
        page.goto(site + base + target)
        assert page.url == site + base + target, f"not shown: {base}{target}, at {page.url}"
        send_with_problems(page, "Continue", fill)
        check_links(page, base + target, expected)


@pytest.fixture
def screener(bromley):
    return StaffMemberFactory(boroughs=[bromley], manager=True).user


def held_referral(bromley, user):
    referral = submit_concern(
        borough=bromley, answers=concern_answers(), received_at=NOW - dt.timedelta(hours=2)
    )
    ScreeningRecord.objects.filter(referral=referral).update(claimed_by=user, claimed_at=NOW)
    return referral


def test_staff_error_summaries_land_on_their_fields(page, site, bromley, screener):
    referral = held_referral(bromley, screener)
    enquiry = screening.request_enquiry(
        user=screener, referral=referral, agency="police", question="Any call-outs?"
    )
    consultation = submit_consultation(
        borough=bromley, answers=consultation_answers(), received_at=NOW
    )
    client = Client()
    log_in_verified(client, screener)
    hand_over(page, site, client)
    screening_url = f"/mash/referrals/{referral.reference}/screening/"
    forms = [
        (screening_url + "urgency/", "Save the urgency rating", {}, 2),  # rating radios, reason
        (screening_url + "need-level/", "Save the level", {}, 1),  # level radios
        (screening_url + "checks/", "Save the record check", {}, 1),
        (screening_url + "enquiries/new/", "Save the enquiry", {}, 2),  # agency radios
        (f"{screening_url}enquiries/{enquiry.pk}/answer/", "Save the answer", {}, 1),
        (screening_url + "decision/", "Record the decision", {}, 2),  # outcome radios
    ]
    for url, button, fill, expected in forms:
        page.goto(site + url)
        send_with_problems(page, button, fill)
        check_links(page, url, expected)

    # "Other" agency without its name: the link goes to the name's text input
    page.goto(site + screening_url + "enquiries/new/")
    page.get_by_label("Other").check()
    send_with_problems(page, "Save the enquiry")
    check_links(page, "enquiry, other agency", 2)

    # log a referral: radios, a date part, checkboxes, text, on one long page
    page.goto(site + "/mash/log/")
    send_with_problems(page, "Log referral", {"#id_intake-received_date_1": "13"})
    assert (
        page.locator(".govuk-error-summary a").first.get_attribute("href") == "#id_intake-channel_1"
    )
    assert page.locator('.govuk-error-summary a[href="#id_intake-received_date_1"]').count()
    check_links(page, "log a referral", page.locator(".govuk-error-summary__list a").count())

    # a consultation's advice
    page.goto(f"{site}/mash/consultations/{consultation.reference}/")
    page.get_by_role("button", name="Claim this consultation").click()
    page.wait_for_load_state()
    send_with_problems(page, "Record advice and close")
    check_links(page, "consultation advice", 1)


def test_sign_in_error_summaries_land_on_their_fields(page, site, screener):
    page.goto(site + "/mash/login/")
    send_with_problems(page, "Continue")
    check_links(page, "sign in", 2)
    page.locator("#id_username").fill(screener.username)
    page.locator("#id_password").fill("wrong password")
    send_with_problems(page, "Continue")
    check_links(page, "sign in, wrong password", 1)  # about the form: links to the first field
