"""The Celery app, wired to REDIS_URL (see settings). Without it tasks run eagerly."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_connections_around_tasks(task=None, **kwargs) -> None:
    """A task starts and ends like a web request: Django's close_old_connections closes a
    database connection that is broken or older than CONN_MAX_AGE, and has the next use
    health-check it (CONN_HEALTH_CHECKS). Celery's own Django fixup would instead close every
    connection before and after every task, so that each email opened a new PostgreSQL
    connection (more than a third of the worker's CPU, and a new server process each time);
    CELERY_DB_REUSE_MAX in settings keeps it from doing so. Not for tasks run inline (no
    Redis, or tests), which share their caller's connection and transaction."""
    if task is None or getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@app.task(name="config.ping", ignore_result=False)
def ping(value: str) -> str:
    """Smoke test: a real worker answers with what it was given."""
    return f"pong:{value}"
