"""The Celery app, wired to REDIS_URL (see settings). Without it tasks run eagerly."""

import logging
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@worker_init.connect
def yield_the_cpu_to_web_requests(**kwargs) -> bool:
    """With WORKER_SCHED_IDLE (the default), put the worker under Linux's idle scheduling
    policy as it starts, before its pool: pool processes and threads inherit it. A runnable web
    request then preempts the worker at once, wherever it is on the host; niceness or a
    container's CPU weight would only give the web a larger share over time. The whole worker,
    not just its pool: the main process takes each message from Redis, hands it to the pool and
    acknowledges it, about as much CPU as the task itself (with only the pool idle-scheduled the
    benchmark's submit p95 was barely better than niced). On a host kept fully busy the worker
    waits, its answer to the health check's ping too; emails wait in the outbox. Returns whether
    the policy was set; a kernel without SCHED_IDLE or a refusal is logged, not fatal."""
    from django.conf import settings

    if not settings.WORKER_SCHED_IDLE:
        return False
    if not hasattr(os, "SCHED_IDLE"):
        logger.warning("WORKER_SCHED_IDLE: this platform has no SCHED_IDLE; not set")
        return False
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except OSError as exc:
        logger.warning("WORKER_SCHED_IDLE: could not set SCHED_IDLE (%s)", exc)
        return False
    return True


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
