"""Celery tasks: thin wrappers over `notifications.sending`. Idempotent (acks_late is global).

`notifications.outbox` imports this module to publish; this module never imports the outbox,
only `sending` (no import circle)."""

from celery import shared_task

from notifications import sending


@shared_task(name="notifications.send_message")
def send_message(message_id: int) -> bool:
    return sending.send_message(message_id)


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox() -> int:
    return sending.sweep_unsent()
