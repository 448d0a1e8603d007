"""Signals ops listens to: the contacts snapshot after `migrate`, and failed Celery tasks."""

import logging

from celery.signals import task_failure
from django.db.models import F
from django.utils import timezone

logger = logging.getLogger(__name__)


def write_snapshot_after_migrate(sender, using="default", **kwargs) -> None:
    """A migrated database (seeds included) writes the outage snapshot at once."""
    from contacts.snapshot import refresh_snapshot

    refresh_snapshot()


@task_failure.connect(dispatch_uid="ops_count_task_failure")
def count_task_failure(sender=None, **kwargs) -> None:
    """Count a failed task by name only (its arguments and error may hold personal data)."""
    from ops.models import TaskFailure

    name = getattr(sender, "name", None) or "unknown"
    try:
        updated = TaskFailure.objects.filter(task_name=name).update(
            count=F("count") + 1, last_at=timezone.now()
        )
        if not updated:
            TaskFailure.objects.get_or_create(
                task_name=name, defaults={"count": 1, "last_at": timezone.now()}
            )
    except Exception as exc:  # noqa: BLE001 - never fail the worker over a metric
        logger.warning("task failure not counted (%s)", type(exc).__name__)
