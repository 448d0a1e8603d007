"""Sending outbox rows: at least once, recorded once, retried with backoff.

`send_message` first claims the row with a conditional UPDATE (only a pending row whose lease
is free or expired can be claimed, so two workers never send the same row at the same time),
then hands it to the backend, then marks it sent. A row marked sent is never sent again. The
only duplicate possible is a worker dying after the provider accepted the message but before
the row was marked sent. A temporary failure rests the row (1 minute, doubling, at most an
hour) for the sweeper; a permanent one (the provider refused it) marks it failed, for good,
and staff are shown it. Delivery receipts (`record_receipt`) mark sent rows delivered or
failed later.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import F, Q
from django.utils import timezone

from notifications.backends import PermanentFailure, get_backend
from notifications.models import OutboxMessage

logger = logging.getLogger(__name__)

# How long a claim holds a row. Far longer than a send can take (EMAIL_TIMEOUT and
# NOTIFY_TIMEOUT are 10 s), so a live worker never loses its claim mid-send; a dead worker's
# row is free again after it.
LEASE = dt.timedelta(minutes=5)
# After a failed attempt the row rests this long, doubling each time, at most RETRY_MAX.
RETRY_BASE = dt.timedelta(minutes=1)
RETRY_MAX = dt.timedelta(hours=1)
# After this many attempts the sweeper stops trying (the row stays, with last_error, in admin).
MAX_ATTEMPTS = 12
SWEEP_BATCH = 200

Status = OutboxMessage.Status


def _claimable(now: dt.datetime) -> Q:
    return Q(sent_at__isnull=True, status=Status.PENDING) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim(message_id: int, *, now: dt.datetime | None = None) -> bool:
    """Take the lease on a pending, unclaimed (or expired-claim) row. True if this caller won."""
    now = now or timezone.now()
    return bool(
        OutboxMessage.objects.filter(_claimable(now), pk=message_id).update(
            claimed_until=now + LEASE, attempts=F("attempts") + 1
        )
    )


def retry_delay(attempts: int) -> dt.timedelta:
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_MAX)


def send_message(message_id: int) -> bool:
    """Claim, send and mark sent. True when this call sent the message; False when the row was
    already sent or failed, is held by another worker, does not exist, or the send failed
    (recorded in last_error; a temporary failure releases the row for a later retry)."""
    if not claim(message_id):
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        provider_id = get_backend().send(message)
    except PermanentFailure as exc:
        now = timezone.now()
        OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
            status=Status.FAILED,
            failed_at=now,
            failure=str(exc)[:100],
            claimed_until=None,
            last_error=_error_name(exc),
        )
        logger.error("outbox: message %s refused for good: %s", message_id, exc)
        return False
    except Exception as exc:
        retry_at = timezone.now() + retry_delay(message.attempts)
        error = _error_name(exc)
        OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
            claimed_until=retry_at, last_error=error
        )
        log = logger.error if message.attempts >= MAX_ATTEMPTS else logger.warning
        log("outbox: message %s failed (attempt %s): %s", message_id, message.attempts, error)
        return False
    OutboxMessage.objects.filter(pk=message_id).update(
        sent_at=timezone.now(),
        status=Status.SENT,
        provider_id=provider_id or "",
        claimed_until=None,
        last_error="",
    )
    logger.info("outbox: sent message %s (%s, %s)", message_id, message.kind, message.channel)
    return True


def _error_name(exc: Exception) -> str:
    """The error's class, and our own words for ours: never the provider's or the mail
    server's text (and no traceback), which can name the recipient."""
    from notifications.backends import TemporaryFailure

    if isinstance(exc, TemporaryFailure | PermanentFailure):
        return f"{type(exc).__name__}: {exc}"
    return type(exc).__name__


def sweep_unsent(*, limit: int = SWEEP_BATCH) -> int:
    """Send pending rows whose lease is free or expired, oldest first. Returns how many this
    sweep sent. Safe to run while tasks are sending: every send claims first."""
    now = timezone.now()
    ids = list(
        OutboxMessage.objects.filter(_claimable(now), attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for message_id in ids if send_message(message_id))
