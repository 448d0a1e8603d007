import datetime as dt
import smtplib
import threading
import time
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction

from config.celery import app
from contacts.calendar import LONDON
from notifications import backends, outbox, sending
from notifications.models import OutboxMessage
from notifications.outbox import enqueue
from notifications.sending import LEASE, MAX_ATTEMPTS, claim, send_message, sweep_unsent
from notifications.tasks import send_message as send_outbox_message
from notifications.tasks import sweep_outbox
from tests.notifications.factories import ACKNOWLEDGEMENT, OutboxMessageFactory
from tests.reporting.factories import (
    eager_celery,  # noqa: F401 (a fixture)
    reset_breakers,  # noqa: F401 (a fixture)
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("eager_celery", "reset_breakers"),
]
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.NOTIFICATIONS_BACKEND = "django"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _enqueue(**kwargs):
    defaults = dict(
        kind="acknowledgement",
        channel="email",
        to="sam@example.com",
        personalisation=ACKNOWLEDGEMENT | {"reference": "BRM-AAAA-BBBB"},
        dedupe_key="acknowledgement:BRM-AAAA-BBBB",
    )
    return enqueue(**(defaults | kwargs))


def test_enqueue_writes_the_row_and_sends_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = _enqueue()
    assert OutboxMessage.objects.get(pk=message.pk).sent_at is None
    assert len(callbacks) == 1 and mail.outbox == []
    callbacks[0]()
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["sam@example.com"]
    assert sent.subject == "We have received your report: BRM-AAAA-BBBB"
    assert "Your reference is BRM-AAAA-BBBB" in sent.body
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1
    assert message.status == OutboxMessage.Status.SENT


def test_nothing_queued_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _enqueue()
        raise RuntimeError("the submission failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_enqueue_twice_with_the_same_key_keeps_one_row():
    first = _enqueue()
    second = _enqueue(personalisation=ACKNOWLEDGEMENT | {"reference": "BRM-CCCC-DDDD"})
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert OutboxMessage.objects.get().personalisation["reference"] == "BRM-AAAA-BBBB"


def test_enqueue_refuses_an_unknown_kind_or_channel_or_missing_personalisation():
    with pytest.raises(ValueError):
        _enqueue(kind="postcard")
    with pytest.raises(ValueError):
        _enqueue(channel="fax")
    with pytest.raises(ValueError, match="borough_phone"):
        _enqueue(personalisation={"reference": "BRM-AAAA-BBBB"})
    assert not OutboxMessage.objects.exists()


def test_enqueue_keeps_only_the_kinds_fields():
    message = _enqueue(personalisation=ACKNOWLEDGEMENT | {"child_name": "Amira"})
    assert "child_name" not in OutboxMessage.objects.get(pk=message.pk).personalisation


def test_send_is_idempotent():
    message = OutboxMessageFactory()
    assert send_message(message.pk) is True
    assert send_message(message.pk) is False
    assert sweep_unsent() == 0
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1 and message.claimed_until is None and message.last_error == ""


def test_send_of_a_missing_row_does_nothing():
    assert send_message(999_999) is False
    assert mail.outbox == []


def test_a_row_claimed_by_a_live_worker_is_left_alone():
    message = OutboxMessageFactory()
    with time_machine.travel(START, tick=False):
        assert claim(message.pk)
        assert send_message(message.pk) is False
    with time_machine.travel(START + LEASE - dt.timedelta(seconds=1), tick=False):
        assert sweep_unsent() == 0
    assert mail.outbox == []


def test_sweeper_sends_exactly_once_after_a_worker_dies_mid_send():
    """A worker claims the row, then dies before sending (killed, OOM): its lease runs out and
    the sweeper sends the email, once, however many times it runs."""
    message = OutboxMessageFactory()
    with time_machine.travel(START, tick=False):
        assert claim(message.pk)  # ...and the worker "crashes" here, before send_mail
        assert sweep_unsent() == 0  # lease still held
    with time_machine.travel(START + LEASE + dt.timedelta(seconds=1), tick=False):
        assert sweep_unsent() == 1
        assert sweep_unsent() == 0
    with time_machine.travel(START + LEASE * 3, tick=False):
        assert sweep_unsent() == 0
        assert send_outbox_message.delay(message.pk).get() is False  # a redelivered task
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.sent_at == START + LEASE + dt.timedelta(seconds=1)
    assert message.attempts == 2


def test_sweeper_survives_a_worker_killed_by_the_task_itself():
    """The same, with the crash raised inside the send (a BaseException, as a worker shutdown
    would be): the row stays claimed, unsent, and is sent once after the lease."""
    message = OutboxMessageFactory()
    with (
        time_machine.travel(START, tick=False),
        mock.patch.object(backends, "send_mail", side_effect=SystemExit("worker lost")),
        pytest.raises(SystemExit),
    ):
        send_message(message.pk)
    message.refresh_from_db()
    assert message.sent_at is None and message.claimed_until == START + LEASE
    with time_machine.travel(START + LEASE + dt.timedelta(minutes=1), tick=False):
        assert sweep_unsent() == 1
        assert sweep_unsent() == 0
    assert len(mail.outbox) == 1


def test_a_failed_send_is_recorded_and_retried_later():
    message = OutboxMessageFactory()
    with (
        time_machine.travel(START, tick=False),
        mock.patch.object(
            backends, "send_mail", side_effect=smtplib.SMTPServerDisconnected("gone away")
        ),
    ):
        assert send_message(message.pk) is False
    message.refresh_from_db()
    assert message.sent_at is None
    assert message.last_error == "SMTPServerDisconnected"  # the class only: never the recipient
    assert message.claimed_until == START + dt.timedelta(minutes=1)  # rests, then retried
    with time_machine.travel(START + dt.timedelta(seconds=30), tick=False):
        assert sweep_unsent() == 0
    with time_machine.travel(START + dt.timedelta(seconds=61), tick=False):
        assert sweep_unsent() == 1
    message.refresh_from_db()
    assert message.sent_at is not None and message.last_error == "" and message.attempts == 2
    assert len(mail.outbox) == 1


def test_after_a_broker_failure_publishing_is_skipped_for_a_while(monkeypatch):
    from kombu.exceptions import OperationalError

    clock = [1000.0]
    monkeypatch.setattr(outbox.broker, "clock", lambda: clock[0])
    with mock.patch(
        "notifications.tasks.send_message.delay", side_effect=OperationalError("timed out")
    ) as delay:
        assert outbox.publish(1) is False
        assert outbox.publish(2) is False  # skipped: no second wait on a hung Redis
        assert delay.call_count == 1
        clock[0] += outbox.broker.cooldown + 1
        assert outbox.publish(3) is False
        assert delay.call_count == 2
    clock[0] += outbox.broker.cooldown + 1
    with mock.patch("notifications.tasks.send_message.delay") as delay:
        assert outbox.publish(4) is True
        assert outbox.publish(5) is True
        assert delay.call_count == 2


def test_retry_delay_doubles_up_to_an_hour():
    assert [sending.retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert sending.retry_delay(30) == dt.timedelta(hours=1)


def test_sweeper_gives_up_after_max_attempts():
    OutboxMessageFactory(attempts=MAX_ATTEMPTS)
    fresh = OutboxMessageFactory()
    assert sweep_unsent() == 1
    assert [m.to for m in mail.outbox] == [[fresh.to]]


def test_sweeper_sends_oldest_first_within_its_batch():
    with time_machine.travel(START, tick=False):
        old = OutboxMessageFactory()
    with time_machine.travel(START + dt.timedelta(minutes=5), tick=False):
        OutboxMessageFactory()
    assert sweep_unsent(limit=1) == 1
    assert [m.to for m in mail.outbox] == [[old.to]]


def test_tasks_are_thin_wrappers_and_the_sweeper_is_on_the_beat(settings):
    message = OutboxMessageFactory()
    assert sweep_outbox.delay().get() == 1
    assert send_outbox_message.delay(message.pk).get() is False
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-sweep-outbox"]
    assert entry["task"] == sweep_outbox.name == "notifications.sweep_outbox"
    assert entry["schedule"] == 60.0
    assert send_outbox_message.name in app.tasks


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_message_at_once_send_one_email():
    message = OutboxMessageFactory()
    barrier = threading.Barrier(4)
    results = []
    real_send = backends.send_mail

    def slow_send(*args, **kwargs):
        time.sleep(0.2)  # hold the claim while the others try
        return real_send(*args, **kwargs)

    def worker():
        try:
            barrier.wait()
            results.append(send_message(message.pk))
        finally:
            connection.close()

    with mock.patch.object(backends, "send_mail", side_effect=slow_send):
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(results) == [False, False, False, True]
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1 and message.sent_at is not None
