"""Delivery receipts: GOV.UK Notify tells us what became of each message it took.

Notify calls the callback URL (notifications.views.notify_receipt) with the message's
notification id, our reference (`outbox-<row id>`) and a status. "delivered" marks the row
delivered; "permanent-failure" (the address or number does not exist, the email bounced),
"temporary-failure" (inbox full, phone off for days: Notify has stopped trying) and
"technical-failure" (not sent) mark it failed, with words for staff. Statuses on the way
("created", "sending", "pending") change nothing. A receipt for a message we do not know is
ignored: Notify is told it was received, so it does not retry.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from notifications.kinds import Channel
from notifications.models import OutboxMessage

Status = OutboxMessage.Status

# Why a message was not delivered, in words for staff (never Notify's text).
FAILURES = {
    "permanent-failure": {
        Channel.EMAIL: "it bounced: the address does not exist",
        Channel.SMS: "the number does not exist or cannot get texts",
    },
    "temporary-failure": {
        Channel.EMAIL: "the inbox was full or unavailable",
        Channel.SMS: "the phone was off or out of signal for days",
    },
    "technical-failure": {
        Channel.EMAIL: "it was not sent: a GOV.UK Notify problem",
        Channel.SMS: "it was not sent: a GOV.UK Notify problem",
    },
}


def find(*, provider_id: str, reference: str) -> OutboxMessage | None:
    if provider_id:
        message = OutboxMessage.objects.filter(provider_id=provider_id).first()
        if message is not None:
            return message
    if reference.startswith("outbox-") and reference[7:].isdigit():
        return OutboxMessage.objects.filter(pk=int(reference[7:])).first()
    return None


def failure_text(channel: str, status: str) -> str:
    return FAILURES[status][channel]


def record_receipt(
    *, provider_id: str, reference: str, status: str, now: dt.datetime | None = None
) -> OutboxMessage | None:
    """Apply one receipt; returns the message it changed (None when nothing changed)."""
    if status != "delivered" and status not in FAILURES:
        return None
    message = find(provider_id=provider_id, reference=reference)
    if message is None:
        return None
    now = now or timezone.now()
    if status == "delivered":
        changes = {"status": Status.DELIVERED, "failed_at": None, "failure": ""}
    else:
        changes = {
            "status": Status.FAILED,
            "failed_at": now,
            "failure": failure_text(message.channel, status),
        }
    if provider_id and not message.provider_id:
        changes["provider_id"] = provider_id
    OutboxMessage.objects.filter(pk=message.pk).update(**changes)
    for name, value in changes.items():
        setattr(message, name, value)
    return message
