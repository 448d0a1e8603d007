"""The Celery app, wired to REDIS_URL (see settings). Without it tasks run eagerly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping", ignore_result=False)
def ping(value: str) -> str:
    """Smoke test: a real worker answers with what it was given."""
    return f"pong:{value}"
