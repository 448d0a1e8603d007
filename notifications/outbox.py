"""The outbox's public API: `enqueue` a message inside the transaction that causes it.

The row is committed with what caused it (or not at all), and published to Celery after
commit; when that fails (Redis down or hung) the row waits for the sweeper
(`notifications.sending.sweep_unsent`, every minute from beat). See `notifications.sending`
for how a row is sent at least once and recorded once.
"""

from __future__ import annotations

import logging

from django.db import transaction

from config import inserts
from notifications import tasks
from notifications.breaker import Breaker
from notifications.kinds import FIELDS, Channel, Kind, missing_fields
from notifications.models import OutboxMessage

logger = logging.getLogger(__name__)

# After a failed publish, skip the broker for this long (per process): a hung Redis would
# otherwise add its socket timeout to every submission. The sweeper sends what was skipped.
broker = Breaker("celery broker", cooldown=30.0)


def enqueue(
    *,
    kind: str,
    channel: str,
    to: str,
    personalisation: dict,
    dedupe_key: str,
    about_id: int | None = None,
) -> OutboxMessage:
    """Write a message's outbox row (call inside the transaction that causes it) and ask
    Celery to send it once that transaction commits.

    kind: a `notifications.kinds.Kind`; channel: a `Channel` (email or sms); to: an email
    address or an E.164 mobile number; personalisation: the kind's `FIELDS` (strings; lists
    where documented); dedupe_key: unique per message ever: a second call with the same key
    returns the existing row instead of queueing the message twice; about_id: the caller's id
    of what the message is about (a referral's), to find its messages again.
    Raises ValueError for an unknown kind or channel or missing personalisation. Never raises
    for broker trouble."""
    kind, channel = Kind(kind), Channel(channel)
    if missing := missing_fields(kind, personalisation):
        raise ValueError(f"{kind} message: personalisation lacks {', '.join(missing)}")
    fields = {name: personalisation[name] for name in FIELDS[kind]}
    message = OutboxMessage(
        kind=kind,
        channel=channel,
        to=to,
        personalisation=fields,
        about_id=about_id,
        dedupe_key=dedupe_key,
    )
    # INSERT ... ON CONFLICT (dedupe_key) DO NOTHING: no savepoint, and the caller's
    # transaction goes on whether or not the key was taken.
    if not inserts.insert([message], unless_taken=["dedupe_key"]):
        message = OutboxMessage.objects.get(dedupe_key=dedupe_key)
        logger.info("outbox: already queued as message %s", message.pk)
    message_id = message.pk
    transaction.on_commit(lambda: publish(message_id))
    return message


def publish(message_id: int) -> bool:
    """Ask Celery to send the message now. Broker errors (Redis down or unreachable) are
    logged, never raised: the row stays unsent and the sweeper sends it later. After a failure
    the broker is skipped for a while (see `broker`) so a dead Redis costs one slow request per
    process, not every request."""
    if broker.is_open:
        logger.info("outbox: broker presumed down; message %s left to the sweeper", message_id)
        return False
    try:
        tasks.send_message.delay(message_id)
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
