"""What the in-process benchmarks (benchmarks/submit_cpu.py, benchmarks/queue_cpu.py) share:
Django set up as the benchmark servers run it (DEBUG off, benchmarks.bench_settings) on a
database made if missing, migrated and with its static files collected; and how a series of
per-request figures is summed up."""

from __future__ import annotations

import os
import statistics

# As the benchmark servers (benchmarks/submissions.py, benchmarks/queue.py) are started.
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "LOG_LEVEL": "ERROR",
}


def setup_django(database_url: str, **env: str) -> None:
    """Set Django up in this process on `database_url` (created if missing, migrated), with
    SERVER_ENV and `env` in the environment first."""
    os.environ.update(DATABASE_URL=database_url, **SERVER_ENV, **env)
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks.submissions import ensure_database

    ensure_database(database_url)
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)


def summary(values) -> str:
    """min, mean, p50 and p95 of a series (min: the figure least disturbed by other work on
    a shared host)."""
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    mean, median = statistics.fmean(values), statistics.median(values)
    return f"min {values[0]:6.2f}  mean {mean:6.2f}  p50 {median:6.2f}  p95 {p95:6.2f}"
