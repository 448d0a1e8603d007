"""Celery tasks: thin wrappers. Idempotent (acks_late is global)."""

from celery import shared_task


@shared_task(name="reporting.delete_abandoned_uploads")
def delete_abandoned_uploads() -> int:
    from reporting import uploads

    return uploads.delete_abandoned_uploads()
