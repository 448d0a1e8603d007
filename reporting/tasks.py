"""Celery tasks: thin wrappers over `reporting.outbox`. Idempotent (acks_late is global)."""

from celery import shared_task

from reporting import outbox


@shared_task(name="reporting.send_outbox_message")
def send_outbox_message(message_id: int) -> bool:
    return outbox.send_message(message_id)


@shared_task(name="reporting.sweep_outbox")
def sweep_outbox() -> int:
    return outbox.sweep_unsent()


@shared_task(name="reporting.delete_abandoned_uploads")
def delete_abandoned_uploads() -> int:
    from reporting import uploads

    return uploads.delete_abandoned_uploads()
