"""The rules of "Check a report" (mash.check_report): who gets a code, how it is kept, how long
it works, how many tries, once only, the status in plain words, the audit, and the same work
whether or not the details match."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from contacts.calendar import LONDON
from mash import check_report, consultations, notifications, screening, services
from mash.check_report import Channel, Entry, Stage
from mash.models import AuditAction, AuditEvent, ScreeningRecord, StatusCheckCode
from notifications.models import OutboxMessage
from reporting.answers import ConsultationAnswers, ProfessionalAnswers
from reporting.family_services import submit_consultation
from tests.mash.test_screening import screener, submit
from tests.reporting.factories import PROFESSIONAL, ReferralFactory

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
EMAIL = "sam.taylor@example.com"  # the named concern's (tests.reporting.factories)
MOBILE = "+447911123456"


@pytest.fixture(autouse=True)
def _monday(time_machine):
    time_machine.move_to(MONDAY, tick=False)


@pytest.fixture
def report(bromley):
    return submit(bromley, received_at=MONDAY)


def ask(borough, reference, contact=EMAIL, channel=Channel.EMAIL):
    return check_report.ask_for_code(
        borough=borough, reference=reference, channel=channel, contact=contact
    )


def code_messages(referral=None):
    messages = OutboxMessage.objects.filter(kind=check_report.KIND).order_by("id")
    return messages if referral is None else messages.filter(about_id=referral.pk)


def sent_code(referral) -> str:
    """The code in the text of the last code message sent about this referral."""
    message = code_messages(referral).last()
    return re.search(r"\b(\d{6})\b", message.rendered().body).group(1)


def actions(**filters) -> list[str]:
    events = AuditEvent.objects.filter(**filters).order_by("id")
    return list(events.values_list("action", flat=True))


def enter(asked, code):
    return check_report.enter_code(token=str(asked.token), code=code)


# -- who gets a code ---------------------------------------------------------------------------
def test_the_right_email_in_any_case_gets_a_code_by_email(bromley, report):
    asked = ask(bromley, report.reference, contact="Sam.Taylor@EXAMPLE.com")
    assert asked.sent
    (message,) = code_messages(report)
    assert (message.channel, message.to) == ("email", "Sam.Taylor@EXAMPLE.com")
    assert re.search(r"Your code is \d{6}", message.rendered().body)
    row = StatusCheckCode.objects.get(token=asked.token)
    assert (row.referral, row.channel, row.tries, row.used_at) == (report, "email", 0, None)
    assert row.expires_at == MONDAY + dt.timedelta(minutes=15)


def test_the_message_says_nothing_about_the_report(bromley, report):
    ask(bromley, report.reference)
    rendered = code_messages(report).get().rendered()
    text = f"{rendered.subject} {rendered.body}"
    assert sent_code(report) in text and "020 8461 7373" in text
    for private in ("Amira", "Hughes", "Sam", "neglect", "Station Road", "Neighbour"):
        assert private not in text


def test_the_code_is_kept_only_as_a_keyed_hash(bromley, report):
    asked = ask(bromley, report.reference)
    code = sent_code(report)
    row = StatusCheckCode.objects.get(token=asked.token)
    assert row.code_hash == check_report.code_hash(asked.token, code)
    assert code not in row.code_hash
    stored = " ".join(str(value) for value in StatusCheckCode.objects.values().get().values())
    assert code not in stored
    # Keyed: the same code under another row's token (or without SECRET_KEY) hashes otherwise.
    assert check_report.code_hash("another-token", code) != row.code_hash


@pytest.mark.parametrize(
    ("reference", "contact", "audited_on_referral"),
    [
        ("BRM-0000-0000", EMAIL, False),  # no such reference
        (None, "someone.else@example.com", True),  # the reference, another email
        (None, "+447700900982", True),  # the reference, another mobile
    ],
)
def test_details_that_do_not_match_send_nothing(
    bromley, report, reference, contact, audited_on_referral
):
    channel = Channel.SMS if contact.startswith("+") else Channel.EMAIL
    before = OutboxMessage.objects.count()
    asked = ask(bromley, reference or report.reference, contact, channel)
    assert not asked.sent
    assert OutboxMessage.objects.count() == before
    row = StatusCheckCode.objects.get(token=asked.token)
    assert row.referral is None and len(row.code_hash) == 64
    event = AuditEvent.objects.get(action=AuditAction.STATUS_NO_MATCH)
    assert event.borough == bromley
    assert (event.referral == report) is audited_on_referral
    assert contact not in str(event.detail)


def test_another_boroughs_reference_is_unknown_here(bexley, report):
    assert not ask(bexley, report.reference).sent


def test_an_anonymous_report_has_no_contact_to_match(bromley):
    referral = submit(bromley, "anonymous", received_at=MONDAY)
    assert not ask(bromley, referral.reference, contact="").sent


def test_not_safe_to_contact_is_honoured_exactly(bromley):
    referral = submit(bromley, "unsafe", received_at=MONDAY)
    asked = ask(bromley, referral.reference)
    assert not asked.sent
    assert not code_messages().exists()
    assert actions(referral=referral)[-1] == AuditAction.STATUS_CODE_WITHHELD


def test_a_person_who_chose_letters_only_gets_no_email(bromley):
    referral = ReferralFactory(
        borough=bromley, referrer_email=EMAIL, contact_methods=["letter"], kind="self_referral"
    )
    assert not ask(bromley, referral.reference).sent
    referral.contact_methods = ["letter", "email"]
    referral.save()
    assert ask(bromley, referral.reference).sent


def test_a_code_sent_is_audited_on_the_referral_without_the_address(bromley, report):
    ask(bromley, report.reference)
    event = AuditEvent.objects.get(action=AuditAction.STATUS_CODE_SENT)
    assert event.referral == report and event.detail["channel"] == "email"
    assert EMAIL not in str(event.detail)


# -- entering it -------------------------------------------------------------------------------
def test_the_right_code_works_once(bromley, report):
    asked = ask(bromley, report.reference)
    code = sent_code(report)
    assert enter(asked, code) == check_report.Entered(Entry.RIGHT, referral_id=report.pk)
    assert enter(asked, code).outcome is Entry.EXPIRED


def test_three_wrong_tries_and_the_code_is_dead(bromley, report):
    asked = ask(bromley, report.reference)
    code = sent_code(report)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert enter(asked, wrong) == check_report.Entered(Entry.WRONG, tries_left=2)
    assert enter(asked, wrong) == check_report.Entered(Entry.WRONG, tries_left=1)
    assert enter(asked, wrong).outcome is Entry.DEAD
    assert enter(asked, code).outcome is Entry.DEAD  # the right code, too late
    assert StatusCheckCode.objects.get(token=asked.token).tries == 3
    assert actions(referral=report).count(AuditAction.STATUS_CODE_WRONG) == 3


def test_a_code_works_for_15_minutes(bromley, report, time_machine):
    asked = ask(bromley, report.reference)
    code = sent_code(report)
    time_machine.move_to(MONDAY + dt.timedelta(minutes=14, seconds=59), tick=False)
    assert enter(asked, code).outcome is Entry.RIGHT

    again = ask(bromley, report.reference)
    code = sent_code(report)
    time_machine.move_to(MONDAY + dt.timedelta(minutes=29, seconds=59), tick=False)
    assert enter(again, code).outcome is Entry.EXPIRED


def test_each_code_opens_only_its_own_request(bromley, report, monkeypatch):
    codes = iter(["111111", "222222"])
    monkeypatch.setattr(check_report, "new_code", lambda: next(codes))
    first = ask(bromley, report.reference)
    second = ask(bromley, report.reference)
    assert enter(second, "111111").outcome is Entry.WRONG
    assert enter(first, "222222").outcome is Entry.WRONG
    assert enter(first, "111111").outcome is Entry.RIGHT
    assert enter(second, "222222").outcome is Entry.RIGHT


def test_no_code_opens_a_request_that_matched_nothing(bromley, report, monkeypatch):
    monkeypatch.setattr(check_report, "new_code", lambda: "123456")
    asked = ask(bromley, report.reference, contact="someone.else@example.com")
    # Even the code made for it (never sent) is refused: there is nothing to see.
    assert enter(asked, "123456") == check_report.Entered(Entry.WRONG, tries_left=2)
    assert enter(asked, "123456").outcome is Entry.WRONG
    assert enter(asked, "123456").outcome is Entry.DEAD


def test_an_unknown_token_is_expired(bromley):
    assert check_report.enter_code(token="0" * 32, code="123456").outcome is Entry.EXPIRED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_guesses_get_three_tries_in_all(bromley):
    referral = submit(bromley, received_at=MONDAY)
    asked = ask(bromley, referral.reference)
    code = sent_code(referral)
    wrong = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 11)]
    barrier = threading.Barrier(len(wrong))
    results = []

    def guess(value):
        try:
            barrier.wait()
            results.append(check_report.enter_code(token=str(asked.token), code=value).outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(value,)) for value in wrong]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.value for r in results).count("wrong") == 2
    assert results.count(Entry.DEAD) == 8
    assert StatusCheckCode.objects.get(token=asked.token).tries == 3
    assert actions(referral=referral).count(AuditAction.STATUS_CODE_WRONG) == 3


# -- the same work either way -------------------------------------------------------------------
def statements(borough, reference, contact):
    """The statements one request runs: each one's verb and table (savepoints left out)."""
    with CaptureQueriesContext(connection) as queries:
        ask(borough, reference, contact)
    shapes = []
    for query in queries:
        sql = query["sql"].strip()
        if not re.match(r"(SAVEPOINT|RELEASE|ROLLBACK)\b", sql):
            verb = sql.split()[0].upper()
            table = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql).group(1)
            shapes.append(f"{verb} {table}")
    return shapes


def test_a_match_and_no_match_do_the_same_queries(bromley, report):
    right = statements(bromley, report.reference, EMAIL)
    assert right == [
        "SELECT reporting_referral",
        "INSERT mash_statuscheckcode",
        "INSERT reporting_outboxmessage",
        "INSERT mash_auditevent",
    ]
    assert statements(bromley, report.reference, "someone.else@example.com") == right
    assert statements(bromley, "BRM-0000-0000", EMAIL) == right


# -- the status ----------------------------------------------------------------------------------
def test_a_new_report_is_received(report):
    status = check_report.status_of(report)
    assert status == check_report.Status(report.reference, "report", Stage.RECEIVED)


@pytest.mark.parametrize("step", ["claim", "urgency", "check"])
def test_work_on_it_means_being_looked_at(bromley, report, step):
    user = screener(bromley)
    if step == "claim":
        services.take_next(user=user)
    elif step == "urgency":
        screening.set_urgency(user=user, referral=report, rating="amber", reason="Reason")
    else:
        services.take_next(user=user)
        screening.record_check(user=user, referral=report, notes="Known to the school")
        services.release(user=user, record=ScreeningRecord.objects.get(referral=report))
    report.refresh_from_db()
    assert check_report.status_of(report).stage is Stage.LOOKING


@pytest.mark.parametrize("outcome", ["nfa", "family_wellbeing", "strategy"])
def test_decided_says_the_outcome_as_the_outcome_email_does(bromley, report, outcome):
    user = screener(bromley)
    services.take_next(user=user)
    screening.record_decision(user=user, referral=report, outcome=outcome, rationale="Why")
    report.refresh_from_db()
    status = check_report.status_of(report)
    assert status.stage is Stage.DECIDED
    assert status.outcome == notifications.plain_words(outcome, bromley)
    fields = notifications.personalisation(report, report.screening.decision)
    assert status.outcome == fields["outcome_words"]
    assert "Why" not in status.outcome


def test_a_consultation_with_advice_is_decided(bromley):
    referral = submit_consultation(
        borough=bromley,
        answers=ConsultationAnswers(
            professional=ProfessionalAnswers(**PROFESSIONAL),
            description="A family with a lot going on",
            callback_date=dt.date(2026, 11, 24),
            callback_start=dt.time(10, 0),
            callback_end=dt.time(12, 0),
        ),
        received_at=MONDAY,
    )
    user = screener(bromley)
    consultations.claim(user=user, referral=referral)
    consultations.record_advice(user=user, referral=referral, advice="Try the school nurse")
    referral.refresh_from_db()
    status = check_report.status_of(referral)
    assert (status.noun, status.stage) == ("request", Stage.DECIDED)
    assert status.outcome == check_report.CONSULTATION_DONE


def test_each_look_is_audited_on_the_referral(bromley, report):
    check_report.look(borough=bromley, referral_id=report.pk)
    check_report.look(borough=bromley, referral_id=report.pk)
    assert actions(referral=report).count(AuditAction.STATUS_VIEWED) == 2
    assert check_report.look(borough=bromley, referral_id=report.pk + 10_000) is None
