"""The pages of "Check a report": the whole check, what the pages reveal (nothing about which
references exist), GOV.UK errors keeping what was typed, rate limits, the status tied to the
session that entered the code, and the shared-phone rules (no-store, Exit, titles)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from contacts.calendar import LONDON
from mash import check_report, screening, services
from mash.models import AuditAction, AuditEvent, StatusCheckCode
from notifications.backends import locmem_outbox
from tests.mash.test_check_report import code_messages, sent_code
from tests.mash.test_screening import screener, submit
from tests.reporting.factories import eager_celery, reset_breakers  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "reset_breakers")]
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
EMAIL = "sam.taylor@example.com"
START = "/bromley/check-a-report/"
CODE = "/bromley/check-a-report/code/"
STATUS = "/bromley/check-a-report/status/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def _monday(time_machine, settings):
    time_machine.move_to(MONDAY, tick=False)
    settings.CHECK_REPORT_LIMIT_CLIENT = "100/h"
    settings.CHECK_REPORT_LIMIT_REFERENCE = "100/h"
    settings.CHECK_REPORT_LIMIT_CODES = "100/h"


@pytest.fixture
def report(bromley):
    return submit(bromley, received_at=MONDAY)


@pytest.fixture
def codes(monkeypatch):
    """Codes made in this test are 123456, 234567, ... in turn."""
    made = iter(f"{n}{n + 1}{n + 2}{n + 3}{n + 4}{n + 5}" for n in range(1, 5))
    monkeypatch.setattr(check_report, "new_code", lambda: next(made))


def text(response) -> str:
    return response.content.decode()


def same_page(response) -> str:
    """The page as another person would get it: the CSRF token's random mask left out (it
    differs between any two renders of any form, for the same person too)."""
    return CSRF.sub('name="csrfmiddlewaretoken" value=""', text(response))


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", text(response), re.S).group(1)


def ask(client, reference, contact=EMAIL, **extra):
    return client.post(START, {"reference": reference, "contact": contact}, **extra)


def signed_in(client, report) -> Client:
    assert ask(client, report.reference)["Location"] == CODE
    assert client.post(CODE, {"code": sent_code(report)})["Location"] == STATUS
    return client


# -- the whole check ---------------------------------------------------------------------------
def test_the_whole_check(client, report):
    start = client.get(START)
    assert start.status_code == 200 and "Check a report" in title(start)
    response = ask(client, f"  {report.reference.lower()} ", " Sam.Taylor@Example.com ")
    assert response.status_code == 302 and response["Location"] == CODE
    page = client.get(CODE)
    assert "Check your email" in text(page)
    assert title(page).startswith("Check your email – ")  # the title matches the heading
    assert "If the reference number and the email address you gave match a report" in text(page)
    response = client.post(CODE, {"code": " ".join(sent_code(report))})  # spaces forgiven
    assert response["Location"] == STATUS
    status = client.get(STATUS)
    assert status.status_code == 200
    assert report.reference in text(status) and "Received" in text(status)
    assert "will look at it within one working day" in text(status)


def test_a_text_message_to_the_mobile_on_the_report(
    client, report, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_BACKEND = "locmem"
    locmem_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, report.reference, "07911 123456")
    assert response["Location"] == CODE
    page = client.get(CODE)
    assert "Check your phone" in text(page) and title(page).startswith("Check your phone – ")
    (sms,) = locmem_outbox  # sent (eager Celery), by text message, to the number on the report
    assert (sms.channel, sms.to, sms.kind) == ("sms", "+447911123456", "check_code")
    code = re.search(r"\b(\d{6})\b", sms.body).group(1)
    for private in ("Amira", "Hughes", "Sam", "neglect", "Station Road"):
        assert private not in sms.body
    locmem_outbox.clear()
    assert client.post(CODE, {"code": code})["Location"] == STATUS
    assert "Received" in text(client.get(STATUS))


# -- nothing says which references exist ---------------------------------------------------------
def walk(reference, contact):
    """Ask for a code, see the code page, enter a wrong code twice and a third time: what a
    person sees at each step, as bytes (less the CSRF mask) and headers."""
    client = Client()
    shapes = []
    for step in (
        lambda: ask(client, reference, contact),
        lambda: client.get(CODE),
        lambda: client.post(CODE, {"code": "999999"}),
        lambda: client.get(CODE),
        lambda: client.post(CODE, {"code": "999998"}),
        lambda: client.post(CODE, {"code": "999997"}),
        lambda: client.get(CODE),
        lambda: client.get(STATUS),
    ):
        response = step()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "x-request-id"}
        # Each cookie's name and attributes: its value (a session key) is random for anyone.
        cookies = {name: {k: v for k, v in m.items() if v} for name, m in response.cookies.items()}
        shapes.append((response.status_code, headers, cookies, same_page(response)))
    return shapes


def test_unknown_reference_wrong_contact_and_right_contact_look_the_same(report, codes):
    unknown = walk("BRM-0000-0000", EMAIL)
    assert not code_messages().exists()
    wrong_contact = walk(report.reference, "someone.else@example.com")
    assert not code_messages().exists()
    right = walk(report.reference, EMAIL)
    assert code_messages().count() == 1
    assert unknown == wrong_contact == right
    # and what they see is the "if the details match" page, then the wrong-code messages
    assert right[0][0] == 302 and right[0][1]["Location"] == CODE
    assert "If the reference number and the email address you gave match" in right[1][3]
    assert "you can try 2 more times" in right[3][3]
    assert "You have entered a wrong code 3 times" in right[6][3]


def test_not_safe_to_contact_looks_the_same_too(bromley, report, codes):
    unsafe = submit(bromley, "unsafe", received_at=MONDAY)
    assert walk(unsafe.reference, EMAIL) == walk(report.reference, "someone.else@example.com")
    assert not code_messages(unsafe).exists()


def test_the_rate_limit_counts_unknown_and_known_references_alike(settings, report):
    settings.CHECK_REPORT_LIMIT_REFERENCE = "2/h"
    for reference in (report.reference, "BRM-0000-0000"):
        answers = [
            ask(Client(), reference, EMAIL, REMOTE_ADDR=f"198.51.100.{n}").status_code
            for n in range(3)
        ]
        assert answers == [302, 302, 429]


# -- GOV.UK errors, keeping what was typed --------------------------------------------------------
def test_nothing_typed(client, bromley):
    response = ask(client, "", "")
    assert response.status_code == 302 and response["Location"] == START  # post/redirect/get
    page = client.get(START)
    assert title(page).startswith("Error: ")
    assert "There is a problem" in text(page)
    assert "Enter the reference number of your report" in text(page)
    assert "Enter the email address or mobile phone number you gave with your report" in text(page)
    assert not StatusCheckCode.objects.exists()
    assert "There is a problem" not in text(client.get(START))  # shown once


@pytest.mark.parametrize(
    ("reference", "contact", "message"),
    [
        ("BRM-12", EMAIL, "Enter the reference number in the right format, like BRM-4K7Q-X9D2"),
        ("BRM-4K7Q-X9D2", "sam@", "Enter an email address like name@example.com, or a mobile"),
        ("BRM-4K7Q-X9D2", "12", "Enter an email address like name@example.com, or a mobile"),
        ("BRM-4K7Q-X9D2", "020 8461 7373", "we can only text a code to a UK mobile"),
    ],
)
def test_what_was_typed_is_kept_with_the_message(client, bromley, reference, contact, message):
    ask(client, reference, contact)
    page = client.get(START)
    assert message in text(page)
    assert f'value="{reference}"' in text(page) and f'value="{contact}"' in text(page)
    assert 'class="govuk-error-summary"' in text(page)
    assert contact not in title(page) and reference not in title(page)


def test_a_code_in_the_wrong_format_costs_no_try(client, report):
    ask(client, report.reference)
    client.post(CODE, {"code": "12a45"})
    page = client.get(CODE)
    assert "Enter the code in the right format: 6 numbers, like 123456" in text(page)
    assert 'value="12a45"' in text(page)
    assert StatusCheckCode.objects.get().tries == 0


def test_a_wrong_code_is_kept_with_the_tries_left(client, report, codes):
    ask(client, report.reference)
    response = client.post(CODE, {"code": "654321"})
    assert response["Location"] == CODE
    page = client.get(CODE)
    assert title(page).startswith("Error: ")
    assert "The code is not right. Check it and try again: you can try 2 more times" in text(page)
    assert 'value="654321"' in text(page)


def test_the_code_page_needs_a_request_first(client, bromley):
    assert client.get(CODE)["Location"] == START
    assert client.post(CODE, {"code": "123456"})["Location"] == START


def test_a_used_or_expired_code_asks_for_a_new_one(client, report, time_machine):
    ask(client, report.reference)
    code = sent_code(report)
    time_machine.move_to(MONDAY + dt.timedelta(minutes=15), tick=False)
    assert client.post(CODE, {"code": code})["Location"] == CODE
    page = client.get(CODE)
    assert "You need a new code" in text(page) and "only once" in text(page)
    assert not AuditEvent.objects.filter(action=AuditAction.STATUS_VIEWED).exists()


# -- rate limits -----------------------------------------------------------------------------
def test_asking_is_limited_per_client(settings, report):
    settings.CHECK_REPORT_LIMIT_CLIENT = "2/h"
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert [ask(client, f"BRM-0000-000{n}").status_code for n in range(2)] == [302, 302]
    refused = ask(client, report.reference)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "from your internet connection" in text(refused)
    assert StatusCheckCode.objects.count() == 2  # the refused one made nothing, sent nothing
    assert not code_messages().exists()
    assert ask(Client(REMOTE_ADDR="203.0.113.10"), report.reference).status_code == 302


def test_asking_is_limited_per_reference_from_any_client(settings, report):
    settings.CHECK_REPORT_LIMIT_REFERENCE = "3/h"
    for n in range(3):
        ask(Client(REMOTE_ADDR=f"198.51.100.{n}"), report.reference)
    refused = ask(Client(REMOTE_ADDR="198.51.100.99"), report.reference)
    assert refused.status_code == 429 and "for this reference number" in text(refused)
    assert ask(Client(REMOTE_ADDR="198.51.100.99"), "BRM-0000-0001").status_code == 302


def test_entering_codes_is_limited_per_client(settings, report):
    settings.CHECK_REPORT_LIMIT_CODES = "2/h"
    client = Client()
    ask(client, report.reference)
    client.post(CODE, {"code": "000001"})
    ask(client, report.reference)  # a new code: the limit is on the client, not the code
    client.post(CODE, {"code": "000002"})
    refused = client.post(CODE, {"code": sent_code(report)})
    assert refused.status_code == 429
    assert title(refused).startswith("Sorry, there have been too many tries – ")  # as its h1
    assert client.get(STATUS).status_code == 200  # the expired page: no status
    assert "This page has expired" in text(client.get(STATUS))


# -- the status: this session, for a short while, the status only -------------------------------
def test_the_status_is_for_the_session_that_entered_the_code(client, report):
    ask(client, report.reference)
    before = client.cookies["sessionid"].value
    client.post(CODE, {"code": sent_code(report)})
    assert client.cookies["sessionid"].value != before  # a new session key at that moment
    assert "Received" in text(client.get(STATUS))
    other = Client()
    assert "This page has expired" in text(other.get(STATUS))
    old_key = Client()
    old_key.cookies["sessionid"] = before
    assert "This page has expired" in text(old_key.get(STATUS))


def test_the_status_expires_after_10_minutes(client, report, time_machine):
    signed_in(client, report)
    time_machine.move_to(MONDAY + dt.timedelta(minutes=9, seconds=59), tick=False)
    assert "Received" in text(client.get(STATUS))
    time_machine.move_to(MONDAY + dt.timedelta(minutes=10), tick=False)
    page = client.get(STATUS)
    assert "This page has expired" in text(page) and report.reference not in text(page)


def test_sign_out(client, report):
    signed_in(client, report)
    status = client.get(STATUS)
    assert f'action="{reverse("check:sign_out", args=["bromley"])}"' in text(status)
    response = client.post(reverse("check:sign_out", args=["bromley"]))
    assert response["Location"] == reverse("check:signed_out", args=["bromley"])
    assert "You have signed out" in text(client.get(response["Location"]))
    assert "This page has expired" in text(client.get(STATUS))
    assert client.get(reverse("check:sign_out", args=["bromley"])).status_code == 405


def test_exit_this_page_forgets_it(client, report, settings):
    settings.EXIT_PAGE_URL = "https://weather.example/"
    signed_in(client, report)
    assert client.get(reverse("exit"))["Location"] == "https://weather.example/"
    assert "This page has expired" in text(client.get(STATUS))
    ask(client, report.reference)
    client.get(reverse("exit"))
    assert client.get(CODE)["Location"] == START


def test_every_look_is_audited_on_the_referral(client, report):
    signed_in(client, report)
    client.get(STATUS)
    client.get(STATUS)
    events = AuditEvent.objects.filter(referral=report, action=AuditAction.STATUS_VIEWED)
    assert events.count() == 2
    assert all(event.detail["path"] == STATUS and event.ip_hash for event in events)
    assert AuditEvent.objects.filter(referral=report, action=AuditAction.STATUS_CODE_SENT).count()


def test_never_the_reports_content(client, bromley, report):
    user = screener(bromley)
    services.take_next(user=user)
    screening.record_check(user=user, referral=report, notes="Known to the school nurse")
    signed_in(client, report)
    looking = text(client.get(STATUS))
    assert "Being looked at" in looking
    screening.record_decision(
        user=user, referral=report, outcome="assessment", rationale="Bruising seen twice"
    )
    decided = text(client.get(STATUS))
    assert "Decided" in decided and "A social worker is following it up." in decided
    for page in (looking, decided):
        for private in (
            "Amira",
            "Hughes",
            "Sam Taylor",
            EMAIL,
            "07911",
            "Station Road",
            "Hillside",
            "no food at home",
            "Neglect",
            "Bruising seen twice",
            "school nurse",
            "Children&#x27;s social care assessment",
            user.get_username(),
        ):
            assert private not in page, private


@pytest.mark.parametrize("path", [START, CODE, STATUS, "/bromley/check-a-report/signed-out/"])
def test_no_page_is_stored(client, report, path):
    signed_in(client, report)
    if path == CODE:
        ask(client, report.reference)
    response = client.get(path)
    assert "no-store" in response["Cache-Control"], path


def test_titles_carry_nothing_typed(client, report):
    ask(client, report.reference)
    pages = [client.get(START), client.get(CODE)]
    client.post(CODE, {"code": sent_code(report)})
    pages.append(client.get(STATUS))
    for page in pages:
        assert report.reference not in title(page) and EMAIL not in title(page)
        assert title(page).endswith("London Borough of Bromley")


# -- where a person looks for it ------------------------------------------------------------
def test_the_borough_page_links_to_it(client, bromley):
    assert f'href="{START}"' in text(client.get("/bromley/"))


def test_the_confirmation_links_to_it_when_a_code_could_reach_the_person(bromley):
    from reporting.registry import concern_sent

    named = submit(bromley, received_at=MONDAY)
    assert concern_sent(named)["checkable"]
    assert not concern_sent(submit(bromley, "anonymous", received_at=MONDAY))["checkable"]
    assert not concern_sent(submit(bromley, "unsafe", received_at=MONDAY))["checkable"]


def test_the_status_and_expired_pages_give_the_number_staffed_now(client, report):
    from django.utils.html import escape

    from contacts.selectors import staffing_for

    line = staffing_for(report.borough, MONDAY).open_lines[0].line
    label = escape(line.label)
    status = text(signed_in(client, report).get(STATUS))
    assert label in status and "tell us again" in status  # a concern: tell us again
    expired = text(Client().get(STATUS))
    assert "This page has expired" in expired and label in expired


def test_only_a_concern_is_offered_tell_us_again(client, bromley):
    from tests.reporting.factories import ReferralFactory

    referral = ReferralFactory(
        borough=bromley, kind="self_referral", referrer_email=EMAIL, received_at=MONDAY
    )
    ask(client, referral.reference)
    client.post(CODE, {"code": sent_code(referral)})
    page = text(client.get(STATUS))
    assert "The progress of your request" in page
    assert "tell us again" not in page and "call us and give your reference number" in page
