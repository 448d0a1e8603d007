"""GOV.UK Notify: the real `notifications-python-client` talking HTTP to a local fake of the
Notify API (tests/notifications/fake_notify.py, which checks the JWT the client signs). Notify's
errors map as its documentation says: 400 and 403 fail for good (never retried), 429 and 5xx
(and no answer at all) are retried with backoff."""

import datetime as dt
import socket

import pytest
import time_machine

from contacts.calendar import LONDON
from notifications.models import OutboxMessage
from notifications.outbox import enqueue
from notifications.sending import LEASE, send_message, sweep_unsent
from tests.notifications import fake_notify
from tests.notifications.factories import ACKNOWLEDGEMENT, OutboxMessageFactory
from tests.reporting.factories import eager_celery  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
TEMPLATES = {
    "acknowledgement_email": "f33517ff-2a88-4f6e-b855-c550268ce08a",
    "acknowledgement_sms": "0e7f1f5c-bbbe-4a59-9b4c-6f4f1b7c2d55",
}
Status = OutboxMessage.Status


@pytest.fixture
def notify(settings):
    with fake_notify.running() as fake:
        settings.NOTIFICATIONS_BACKEND = "notify"
        settings.NOTIFY_API_KEY = fake_notify.API_KEY
        settings.NOTIFY_BASE_URL = fake.base_url
        settings.NOTIFY_TEMPLATE_IDS = dict(TEMPLATES)
        yield fake


def sms(**kwargs):
    return OutboxMessageFactory(channel="sms", to="+447700900982", **kwargs)


def test_an_email_goes_to_notify_with_its_template_and_personalisation(notify):
    message = OutboxMessageFactory(to="sam@example.com")
    assert send_message(message.pk) is True
    (request,) = notify.requests
    assert request["path"] == "/v2/notifications/email"
    assert request["json"] == {
        "email_address": "sam@example.com",
        "template_id": TEMPLATES["acknowledgement_email"],
        "personalisation": ACKNOWLEDGEMENT,
        "reference": f"outbox-{message.pk}",
    }
    message.refresh_from_db()
    assert message.status == Status.SENT and message.sent_at is not None
    assert len(message.provider_id) == 36  # Notify's notification id, for receipts


def test_a_text_message_goes_to_notify_by_phone_number(notify):
    message = sms()
    assert send_message(message.pk) is True
    (request,) = notify.requests
    assert request["path"] == "/v2/notifications/sms"
    assert request["json"]["phone_number"] == "+447700900982"
    assert request["json"]["template_id"] == TEMPLATES["acknowledgement_sms"]


def test_the_fake_refuses_a_token_signed_with_another_secret(notify, settings):
    """The fake checks the JWT for real: a key with the wrong secret gets Notify's 403, which
    fails the message for good (a refused key is not retried)."""
    wrong_secret = "00000000-0000-0000-0000-000000000000"
    settings.NOTIFY_API_KEY = f"council_live-{fake_notify.SERVICE_ID}-{wrong_secret}"
    message = OutboxMessageFactory()
    assert send_message(message.pk) is False
    message.refresh_from_db()
    assert message.status == Status.FAILED and "403" in message.failure
    assert sweep_unsent() == 0
    assert len(notify.requests) == 1


def test_a_429_is_retried_with_backoff_and_then_sent(notify):
    message = OutboxMessageFactory()
    notify.respond(429)
    with time_machine.travel(START, tick=False):
        assert send_message(message.pk) is False
    message.refresh_from_db()
    assert message.status == Status.PENDING and message.sent_at is None
    assert "429" in message.last_error
    assert message.claimed_until == START + dt.timedelta(minutes=1)  # rests, then retried
    notify.respond(429)
    with time_machine.travel(START + dt.timedelta(seconds=30), tick=False):
        assert sweep_unsent() == 0  # still resting
    with time_machine.travel(START + dt.timedelta(seconds=61), tick=False):
        assert sweep_unsent() == 0  # a second 429: rests twice as long
    message.refresh_from_db()
    assert message.claimed_until == START + dt.timedelta(seconds=61 + 120)
    with time_machine.travel(START + dt.timedelta(seconds=61 + 121), tick=False):
        assert sweep_unsent() == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 3
    assert len(notify.requests) == 3


@pytest.mark.parametrize("status", [500, 503])
def test_a_notify_server_error_is_retried(notify, status):
    message = sms()
    notify.respond(status)
    with time_machine.travel(START, tick=False):
        assert send_message(message.pk) is False
    with time_machine.travel(START + dt.timedelta(minutes=2), tick=False):
        assert sweep_unsent() == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and len(notify.requests) == 2


def test_a_400_is_not_retried_and_staff_can_see_it(notify):
    message = OutboxMessageFactory()
    notify.respond(400)
    with time_machine.travel(START, tick=False):
        assert send_message(message.pk) is False
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.failed_at == START
    assert message.failure == "GOV.UK Notify refused it (400)"
    assert "team-only" not in message.last_error  # Notify's text can name the recipient
    for later in (LEASE, dt.timedelta(hours=2), dt.timedelta(days=2)):
        with time_machine.travel(START + later, tick=False):
            assert sweep_unsent() == 0
            assert send_message(message.pk) is False
    assert len(notify.requests) == 1


def test_no_answer_at_all_is_retried(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the with ends: nothing listens there
    settings.NOTIFICATIONS_BACKEND = "notify"
    settings.NOTIFY_API_KEY = fake_notify.API_KEY
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{port}"
    settings.NOTIFY_TEMPLATE_IDS = dict(TEMPLATES)
    message = OutboxMessageFactory()
    assert send_message(message.pk) is False
    message.refresh_from_db()
    assert message.status == Status.PENDING and "503" in message.last_error


def test_a_kind_without_a_template_id_waits_for_the_setting(notify, settings):
    settings.NOTIFY_TEMPLATE_IDS = {}
    message = OutboxMessageFactory()
    with time_machine.travel(START, tick=False):
        assert send_message(message.pk) is False
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert "NOTIFY_TEMPLATE_ACKNOWLEDGEMENT_EMAIL" in message.last_error
    assert notify.requests == []
    settings.NOTIFY_TEMPLATE_IDS = dict(TEMPLATES)
    with time_machine.travel(START + dt.timedelta(minutes=2), tick=False):
        assert sweep_unsent() == 1


@pytest.mark.usefixtures("eager_celery")
def test_enqueued_then_sent_through_notify_after_commit(notify, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue(
            kind="acknowledgement",
            channel="sms",
            to="+447700900982",
            personalisation=ACKNOWLEDGEMENT,
            dedupe_key="acknowledgement:BRM-0000-0000",
        )
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert notify.requests[0]["json"]["personalisation"]["reference"] == "BRM-0000-0000"
