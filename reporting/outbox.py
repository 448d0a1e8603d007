"""The transactional outbox for emails: written in the same transaction as what caused them,
sent after commit by a Celery task, and re-sent by a periodic sweeper when that did not happen
(Redis down, worker killed, SMTP failure).

Delivery is at-least-once and idempotent: `send_message` first claims the row with a
conditional UPDATE (only an unsent row whose lease is free or expired can be claimed, so two
workers never send the same row at the same time), then sends, then marks it sent. A row marked
sent is never sent again. The only duplicate possible is a worker dying after the mail server
accepted the message but before the row was marked sent.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from reporting.breaker import Breaker
from reporting.models import OutboxMessage

logger = logging.getLogger(__name__)

# How long a claim holds a row. Far longer than a send can take (EMAIL_TIMEOUT is 10 s), so a
# live worker never loses its claim mid-send; a dead worker's row is free again after it.
LEASE = dt.timedelta(minutes=5)
# After a failed attempt the row rests this long, doubling each time, at most RETRY_MAX.
RETRY_BASE = dt.timedelta(minutes=1)
RETRY_MAX = dt.timedelta(hours=1)
# After this many attempts the sweeper stops trying (the row stays, with last_error, in admin).
MAX_ATTEMPTS = 12
SWEEP_BATCH = 200
# After a failed publish, skip the broker for this long (per process): a hung Redis would
# otherwise add its socket timeout to every submission. The sweeper sends what was skipped.
broker = Breaker("celery broker", cooldown=30.0)


def enqueue_email(
    *, kind: str, to: str, subject: str, body: str, referral=None, dedupe_key: str
) -> OutboxMessage:
    """Write an outbox row (call inside the transaction that causes the email) and ask Celery
    to send it once that transaction commits. A second call with the same dedupe_key returns
    the existing row instead of queueing the email twice. Never raises for broker trouble."""
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                kind=kind,
                to=to,
                subject=subject,
                body=body,
                referral=referral,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        message = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if message is None:
            raise
        logger.info("outbox: already queued as message %s", message.pk)
    message_id = message.pk
    transaction.on_commit(lambda: publish(message_id))
    return message


def publish(message_id: int) -> bool:
    """Ask Celery to send the message now. Broker errors (Redis down or unreachable) are
    logged, never raised: the row stays unsent and the sweeper sends it later. After a failure
    the broker is skipped for a while (see `broker`) so a dead Redis costs one slow request per
    process, not every request."""
    from reporting.tasks import send_outbox_message

    if broker.is_open:
        logger.info("outbox: broker presumed down; message %s left to the sweeper", message_id)
        return False
    try:
        send_outbox_message.delay(message_id)
    except Exception:
        broker.failed()
        logger.warning(
            "outbox: could not queue message %s; the sweeper will send it",
            message_id,
            exc_info=True,
        )
        return False
    broker.succeeded()
    return True


def _claimable(now: dt.datetime) -> Q:
    return Q(sent_at__isnull=True) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def claim(message_id: int, *, now: dt.datetime | None = None) -> bool:
    """Take the lease on an unsent, unclaimed (or expired-claim) row. True if this caller won."""
    now = now or timezone.now()
    return bool(
        OutboxMessage.objects.filter(_claimable(now), pk=message_id).update(
            claimed_until=now + LEASE, attempts=F("attempts") + 1
        )
    )


def retry_delay(attempts: int) -> dt.timedelta:
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_MAX)


def send_message(message_id: int) -> bool:
    """Claim, send and mark sent. True when this call sent the email; False when the row was
    already sent, is held by another worker, does not exist, or the send failed (recorded in
    last_error; the row is released for a later retry)."""
    if not claim(message_id):
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        send_mail(message.subject, message.body, None, [message.to], fail_silently=False)
    except Exception as exc:
        retry_at = timezone.now() + retry_delay(message.attempts)
        # The error's class only: its text (and a traceback) can name the recipient.
        error = type(exc).__name__
        OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
            claimed_until=retry_at, last_error=error
        )
        log = logger.error if message.attempts >= MAX_ATTEMPTS else logger.warning
        log("outbox: message %s failed (attempt %s): %s", message_id, message.attempts, error)
        return False
    OutboxMessage.objects.filter(pk=message_id).update(
        sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    logger.info("outbox: sent message %s (%s)", message_id, message.kind)
    return True


def sweep_unsent(*, limit: int = SWEEP_BATCH) -> int:
    """Send rows still unsent whose lease is free or expired, oldest first. Returns how many
    this sweep sent. Safe to run while tasks are sending: every send claims first."""
    now = timezone.now()
    ids = list(
        OutboxMessage.objects.filter(_claimable(now), attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for message_id in ids if send_message(message_id))
