"""The outcome email to the referrer: queued with the decision when they can be contacted,
sent exactly once, in plain words that give nothing away; and the 24-hour monitor that flags
(once) a referral whose outcome was not sent in time."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse

from contacts.calendar import LONDON
from mash import notifications, screening, tasks
from mash.models import AuditAction, AuditEvent, Decision
from notifications import sending as outbox
from notifications.models import OutboxMessage
from tests.mash.test_screening import screener, signed_in, submit, url
from tests.reporting.factories import eager_celery  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

DECIDED = dt.datetime(2026, 11, 24, 11, 0, tzinfo=LONDON)
RECEIVED = dt.datetime(2026, 11, 23, 15, 0, tzinfo=LONDON)


@pytest.fixture
def at_decision(time_machine):
    time_machine.move_to(DECIDED, tick=False)
    return time_machine


def outcome_rows():
    return OutboxMessage.objects.filter(kind="outcome")


def outcome_mails():
    return [m for m in mail.outbox if m.subject.startswith("Update on your report")]


def decide(referral, user, outcome="assessment", rationale="Bruising seen by the school"):
    return screening.record_decision(
        user=user, referral=referral, outcome=outcome, rationale=rationale
    )


def test_decision_queues_the_outcome_email(
    bromley, at_decision, django_capture_on_commit_callbacks
):
    referral = submit(bromley, received_at=RECEIVED)
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(referral, screener(bromley))
    (row,) = outcome_rows()
    assert row.dedupe_key == f"outcome:{referral.pk}"
    assert row.to == "sam.taylor@example.com" and row.about_id == referral.pk
    assert decision.notify_referrer and decision.notification_due_at == DECIDED + dt.timedelta(
        hours=24
    )
    # sent after commit (eager Celery here), and the time it went is recorded
    row.refresh_from_db()
    assert row.sent_at == DECIDED
    (email,) = outcome_mails()
    assert email.to == ["sam.taylor@example.com"]


def test_the_email_says_the_outcome_in_plain_non_sensitive_words(bromley, at_decision):
    referral = submit(bromley, received_at=RECEIVED)
    decide(referral, screener(bromley), outcome="strategy", rationale="Disclosure at school")
    row = outcome_rows().get()
    text = f"{row.rendered().subject}\n{row.rendered().body}"
    assert referral.reference in row.rendered().subject
    assert referral.reference in row.rendered().body
    assert "24 November 2026" in row.rendered().body
    assert notifications.PLAIN_WORDS["strategy"] in row.rendered().body
    assert "999" in row.rendered().body
    for secret in (
        "Amira",
        "Hughes",
        "Disclosure at school",  # the rationale
        "no food at home",  # the concern
        "Strategy discussion",
        "child protection",
        "BR1 3UH",
        "Hillside",
    ):
        assert secret.lower() not in text.lower(), secret


@pytest.mark.parametrize("outcome", [value for value, _ in Decision.Outcome.choices])
def test_every_outcome_has_plain_words(bromley, outcome):
    referral = submit(bromley)
    decide(referral, screener(bromley), outcome=outcome)
    body = outcome_rows().get().rendered().body
    assert notifications.plain_words(outcome, bromley) in body
    assert "{" not in body and "Family Wellbeing" not in body  # Bromley's words: early help
    assert "Disabled" not in body and "protection" not in body


@pytest.mark.parametrize(
    "variant,reason",
    [
        ("anonymous", "the referrer is anonymous"),
        ("unsafe", "it is not safe to contact the referrer"),
    ],
)
def test_no_email_when_the_referrer_cannot_be_contacted(client, bromley, variant, reason):
    referral = submit(bromley, variant)
    decision = decide(referral, screener(bromley))
    assert not decision.notify_referrer and decision.notification_due_at is None
    assert not outcome_rows().exists()
    body = signed_in(client, screener(bromley)).get(url("screening", referral)).text
    assert f"Not sent: {reason}" in body
    # nothing to monitor either
    assert notifications.flag_late_notifications(now=DECIDED + dt.timedelta(days=3)) == 0


def test_a_referrer_who_gave_only_a_mobile_is_texted_the_outcome(client, bromley, at_decision):
    referral = submit(bromley, "no_email", received_at=RECEIVED)
    decision = decide(referral, screener(bromley), rationale="Disclosure at school")
    assert decision.notify_referrer
    row = outcome_rows().get()
    assert (row.channel, row.to) == ("sms", referral.referrer_phone)
    text = row.rendered().body
    assert referral.reference in text and "020 8461 7373" in text
    assert len(text) <= 320  # two text messages at most
    for secret in ("Amira", "Hughes", "Disclosure", "Sam", "assessment"):
        assert secret.lower() not in text.lower(), secret


def test_the_outcome_is_sent_exactly_once(bromley, at_decision, django_capture_on_commit_callbacks):
    referral = submit(bromley, received_at=RECEIVED)
    with django_capture_on_commit_callbacks(execute=True):
        decide(referral, screener(bromley))
    row = outcome_rows().get()
    # send again, sweep twice, enqueue again with the same key: still one email
    assert outbox.send_message(row.pk) is False
    outbox.sweep_unsent()  # (sends the acknowledgement left unsent by the submission)
    assert outbox.sweep_unsent() == 0
    with django_capture_on_commit_callbacks(execute=True):
        notifications.queue_outcome_notification(
            referral=referral, decision=Decision.objects.get(record__referral=referral)
        )
    assert outcome_rows().count() == 1
    assert len(outcome_mails()) == 1


def test_a_lost_task_is_sent_once_by_the_sweeper(bromley, at_decision):
    """The broker lost the send (on_commit never ran here): the sweeper sends it, once."""
    referral = submit(bromley, received_at=RECEIVED)
    decide(referral, screener(bromley))
    assert outcome_mails() == []
    assert outbox.sweep_unsent() >= 1
    assert outbox.sweep_unsent() == 0
    assert len(outcome_mails()) == 1
    assert outcome_rows().get().sent_at == DECIDED


def test_the_time_sent_is_on_the_screening_page(
    client, bromley, at_decision, django_capture_on_commit_callbacks
):
    referral = submit(bromley, received_at=RECEIVED)
    user = screener(bromley)
    with django_capture_on_commit_callbacks(execute=True):
        decide(referral, user)
    body = signed_in(client, user).get(url("screening", referral)).text
    cell = body.split('id="outcome-email"')[1].split("</dd>")[0]
    assert "Sent by email" in cell and "Tue 24 Nov 2026, 11:00" in cell


# --- the 24-hour monitor --------------------------------------------------------------------
def test_not_sent_within_24_hours_is_flagged_once(client, bromley, bexley, at_decision):
    referral = submit(bromley, received_at=RECEIVED)
    user = screener(bromley)
    decision = decide(referral, user)  # the send never happened (SMTP down, say)
    at_decision.move_to(DECIDED + dt.timedelta(hours=23, minutes=59))
    assert notifications.flag_late_notifications() == 0
    at_decision.move_to(DECIDED + dt.timedelta(hours=24, minutes=5))
    assert tasks.flag_late_outcome_notifications() == 1
    assert tasks.flag_late_outcome_notifications() == 0  # once
    assert notifications.flag_late_notifications() == 0
    decision.refresh_from_db()
    assert decision.notification_late_at == DECIDED + dt.timedelta(hours=24, minutes=5)
    (event,) = AuditEvent.objects.filter(action=AuditAction.OUTCOME_NOTIFICATION_LATE)
    assert event.referral == referral and event.user is None and event.borough == bromley
    # shown on the screening page and on the late list
    c = signed_in(client, user)
    page = c.get(url("screening", referral)).text
    assert 'id="late-warning"' in page and "not sent within 24 hours" in page
    late = c.get(reverse("mash:late_notifications")).text
    assert referral.reference in late
    # ...but not to another borough's staff
    other = signed_in(client, screener(bexley))
    assert referral.reference not in other.get(reverse("mash:late_notifications")).text


def test_sent_within_24_hours_is_never_flagged(bromley, at_decision):
    referral = submit(bromley, received_at=RECEIVED)
    decide(referral, screener(bromley))
    at_decision.move_to(DECIDED + dt.timedelta(hours=23))
    assert outbox.sweep_unsent() >= 1  # sent now, within the 24 hours
    at_decision.move_to(DECIDED + dt.timedelta(days=3))
    assert notifications.flag_late_notifications() == 0
    assert not Decision.objects.filter(notification_late_at__isnull=False).exists()


def test_sent_after_24_hours_is_still_flagged(bromley, at_decision):
    referral = submit(bromley, received_at=RECEIVED)
    decide(referral, screener(bromley))
    at_decision.move_to(DECIDED + dt.timedelta(hours=25))
    assert outbox.sweep_unsent() >= 1  # sent, but late
    assert notifications.flag_late_notifications() == 1
    event = AuditEvent.objects.get(action=AuditAction.OUTCOME_NOTIFICATION_LATE)
    assert event.detail["sent_at"] is not None


def test_the_monitor_runs_on_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["mash-flag-late-outcome-notifications"]
    assert entry["task"] == tasks.flag_late_outcome_notifications.name
    assert entry["schedule"] <= 15 * 60
