"""GOV.UK Notify's delivery receipts: the callback checks its bearer token; a delivered
message is marked delivered; a bounced or undeliverable acknowledgement or outcome is shown to
MASH staff on the referral ("...: phone them"), counted on the late notifications list, and an
outcome that never reached the referrer counts as not sent for the 24-hour promise."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from contacts.calendar import LONDON
from mash import notifications, screening
from mash.models import Decision
from notifications.models import OutboxMessage
from notifications.sending import sweep_unsent
from tests.mash.test_screening import screener, signed_in, submit, url
from tests.notifications.factories import OutboxMessageFactory
from tests.reporting.factories import eager_celery  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
TOKEN = "a-long-random-callback-token-0123456789abcdef"
URL = "/notifications/notify/receipts/"
DECIDED = dt.datetime(2026, 11, 24, 11, 0, tzinfo=LONDON)
Status = OutboxMessage.Status


@pytest.fixture(autouse=True)
def callback_token(settings):
    settings.NOTIFY_CALLBACK_TOKEN = TOKEN


def receipt(client, message=None, status="delivered", token=TOKEN, **fields):
    body = {
        "id": message.provider_id if message else "",
        "reference": f"outbox-{message.pk}" if message else "",
        "to": message.to if message else "",
        "status": status,
        "created_at": "2026-11-24T11:00:00.000000Z",
        "completed_at": "2026-11-24T11:00:05.000000Z",
        "sent_at": "2026-11-24T11:00:01.000000Z",
        "notification_type": message.channel if message else "email",
        "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
        "template_version": 1,
    } | fields
    return client.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )


def sent_message(**kwargs):
    return OutboxMessageFactory(
        status=Status.SENT,
        sent_at=DECIDED,
        provider_id="740e5834-3a29-46b4-9a6f-16142fde533a",
        **kwargs,
    )


def test_the_callback_answers_only_with_its_token(client, settings):
    message = sent_message()
    assert receipt(client, message, token="").status_code == 404
    assert receipt(client, message, token=TOKEN + "x").status_code == 404
    assert client.get(URL, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 405
    settings.NOTIFY_CALLBACK_TOKEN = ""
    assert receipt(client, message, token="").status_code == 404  # unset: no callback at all
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_delivered(client):
    message = sent_message()
    assert receipt(client, message, "delivered").status_code == 204
    message.refresh_from_db()
    assert message.status == Status.DELIVERED and message.failed_at is None


def test_found_by_our_reference_when_the_id_is_not_known_yet(client):
    message = sent_message()
    OutboxMessage.objects.filter(pk=message.pk).update(provider_id="")
    assert receipt(client, message, "delivered", id="1e1e4a6f-0000-4000-8000-000000000000")
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    assert message.provider_id == "1e1e4a6f-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    "status,channel,failure",
    [
        ("permanent-failure", "email", "it bounced: the address does not exist"),
        ("permanent-failure", "sms", "the number does not exist or cannot get texts"),
        ("temporary-failure", "sms", "the phone was off or out of signal for days"),
        ("technical-failure", "email", "it was not sent: a GOV.UK Notify problem"),
    ],
)
def test_failures_are_recorded_in_words_for_staff(client, status, channel, failure):
    message = sent_message(channel=channel)
    assert receipt(client, message, status).status_code == 204
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.failure == failure
    assert message.failed_at is not None


def test_statuses_on_the_way_and_unknown_messages_change_nothing(client):
    message = sent_message()
    assert receipt(client, message, "sending").status_code == 204
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert receipt(client, None, "delivered", id="nobody", reference="outbox-999999")
    assert (
        client.post(
            URL,
            data="not json",
            content_type="application/json",
            headers={"Authorization": f"Bearer {TOKEN}"},
        ).status_code
        == 400
    )


def test_a_bounced_outcome_is_shown_to_staff_and_counted(client, bromley, time_machine):
    time_machine.move_to(DECIDED, tick=False)
    referral = submit(bromley, received_at=DECIDED - dt.timedelta(hours=20))
    user = screener(bromley)
    screening.record_decision(user=user, referral=referral, outcome="nfa", rationale="Checked")
    sweep_unsent()
    outcome = OutboxMessage.objects.get(kind="outcome", about_id=referral.pk)
    assert outcome.status == Status.SENT
    OutboxMessage.objects.filter(pk=outcome.pk).update(provider_id="bounce-me")
    outcome.provider_id = "bounce-me"
    assert receipt(client, outcome, "permanent-failure").status_code == 204

    staff = signed_in(client, user)
    warning = (
        "The outcome email to the referrer was not delivered (it bounced: the address does "
        "not exist): phone them."
    )
    for page in ("referral", "screening"):
        text = staff.get(url(page, referral)).text
        assert 'id="failed-messages"' in text and warning in text, page
    screening_page = staff.get(url("screening", referral)).text
    cell = screening_page.split('id="outcome-email"')[1].split("</dd>")[0]
    assert "Not delivered" in cell and "it bounced" in cell
    late = staff.get(reverse("mash:late_notifications")).text
    assert "Messages to referrers that failed: 1" in late and referral.reference in late

    # a bounced outcome was never sent, as far as the 24-hour promise goes
    assert notifications.flag_late_notifications(now=DECIDED + dt.timedelta(hours=25)) == 1
    assert Decision.objects.get(record__referral=referral).notification_late_at is not None


def test_another_boroughs_failures_are_not_counted(client, bromley, bexley):
    referral = submit(bromley)
    OutboxMessageFactory(
        kind="acknowledgement",
        about_id=referral.pk,
        status=Status.FAILED,
        failure="GOV.UK Notify refused it (400)",
        failed_at=DECIDED,
    )
    other = signed_in(client, screener(bexley))
    late = other.get(reverse("mash:late_notifications")).text
    assert "Messages to referrers that failed: 0" in late and referral.reference not in late
    own = signed_in(Client(), screener(bromley))
    mine = own.get(reverse("mash:late_notifications")).text
    assert "Messages to referrers that failed: 1" in mine and "refused it (400)" in mine
