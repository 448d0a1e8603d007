"""Celery for real: a worker process against the real Redis runs a task, a dead broker never
hangs the caller, and with no Redis at all tasks run inline.

Each case runs in a subprocess so that settings load fresh from the environment it is given.
"""

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
CELERY = Path(sys.executable).with_name("celery")
# The worker test's Redis database: CELERY_TEST_REDIS_DB if set, else REDIS_URL's own. Tests
# on one REDIS_URL database run one at a time (pytest-xdist gives each worker its own database,
# see tests/conftest.py), so no other test's cache.clear() (FLUSHDB) can drop the message or
# the result while this test waits for them.
WORKER_TEST_DB = os.environ.get("CELERY_TEST_REDIS_DB", "")


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A minimal environment: none of the service URLs of the caller's, just what is given."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


def run_python(code: str, env: dict[str, str], timeout: float = 60) -> dict:
    """Run `code` in a fresh interpreter; it prints one JSON line last."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def closed_port() -> int:
    """A local TCP port that refuses connections. Not an ephemeral one (bind to port 0): a
    client's own ephemeral port can connect to itself (TCP simultaneous open)."""
    for port in (6390, 1, 9, 13):
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.fail("no closed local port found")


def worker_test_redis_url() -> str:
    parts = urlsplit(os.environ["REDIS_URL"])
    if not WORKER_TEST_DB:
        return urlunsplit(parts._replace(query=""))
    return urlunsplit(parts._replace(path=f"/{int(WORKER_TEST_DB)}", query=""))


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def wait_for(result, worker: subprocess.Popen, log: Path, timeout: float):
    """The task's result; fails at once, with the worker's log, if the worker dies first."""
    from celery.exceptions import TimeoutError as ResultTimeout

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}):\n{log.read_text()}")
        try:
            return result.get(timeout=1)
        except ResultTimeout:
            continue
    pytest.fail(f"no answer from the worker in {timeout} s:\n{log.read_text()}")


@pytest.mark.redis
def test_a_real_worker_process_runs_config_ping_through_redis(tmp_path):
    from celery import Celery

    redis_url = worker_test_redis_url()
    queue = f"test-ping-{uuid.uuid4().hex}"
    token = uuid.uuid4().hex
    log = tmp_path / "worker.log"
    # Without the idle scheduling policy that WORKER_SCHED_IDLE gives by default: beside a busy
    # test run an idle-scheduled worker gets almost no CPU until the run's other processes
    # pause (seen here: 56 s with both cores busy). What worker_init does is tested below.
    env = clean_env(tmp_path, REDIS_URL=redis_url, LOG_LEVEL="INFO", WORKER_SCHED_IDLE="0")

    # A client of our own on the same broker: sends by name, like any other process would.
    client = Celery("ping-client", broker=redis_url, backend=redis_url)
    client.conf.update(broker_connection_timeout=2, broker_connection_retry_on_startup=False)

    with log.open("w") as output:
        worker = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                f"--queues={queue}",
                f"--hostname=test-{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        result = client.send_task("config.ping", args=[token], queue=queue)
        answer = wait_for(result, worker, log, timeout=60)
        assert answer == f"pong:{token}"
        result.forget()
    finally:
        stop(worker)
        with client.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)
        client.close()

    worker_log = log.read_text()
    # It was that process, on that queue, that ran it.
    assert f"Task config.ping[{result.id}] received" in worker_log
    assert f"Task config.ping[{result.id}] succeeded" in worker_log
    assert worker.returncode is not None


# What a worker does as it starts (Celery sends worker_init before its pool starts), in a
# process of its own. The policy is per thread on Linux, and the signal is sent from a thread
# of its own that ends at once: an idle-scheduled process beside a busy test run would get
# almost no CPU to report and exit (seen here: over 60 s with both cores busy).
SCHED_POLICY_PROBE = """
import json, os, threading
import django
django.setup()
from celery.signals import worker_init
from config.celery import app, yield_the_cpu_to_web_requests

seen = {}

def start_a_worker():
    seen["before"] = os.sched_getscheduler(0)
    answers = worker_init.send(sender=app)
    seen["after"] = os.sched_getscheduler(0)
    seen["set"] = [v for receiver, v in answers if receiver is yield_the_cpu_to_web_requests]

thread = threading.Thread(target=start_a_worker)
thread.start()
thread.join()
print(json.dumps(seen))
"""


@pytest.mark.parametrize(
    ("setting", "expected"), [(None, os.SCHED_IDLE), ("1", os.SCHED_IDLE), ("0", os.SCHED_OTHER)]
)
def test_the_worker_takes_the_idle_scheduling_policy_unless_turned_off(tmp_path, setting, expected):
    """Web requests on the same host preempt a worker at once (WORKER_SCHED_IDLE, on by
    default); WORKER_SCHED_IDLE=0 leaves it as started."""
    extra = {} if setting is None else {"WORKER_SCHED_IDLE": setting}
    outcome = run_python(SCHED_POLICY_PROBE, clean_env(tmp_path, **extra))
    assert outcome["before"] == os.SCHED_OTHER
    assert outcome["set"] == [expected == os.SCHED_IDLE]
    assert outcome["after"] == expected


def test_delay_with_redis_down_returns_or_raises_within_3_seconds(tmp_path):
    port = closed_port()
    env = clean_env(tmp_path, REDIS_URL=f"redis://127.0.0.1:{port}/0")
    outcome = run_python(
        """
import json, time
import django
django.setup()
from django.conf import settings
from config.celery import app, ping

started = time.monotonic()
try:
    ping.delay("x")
    outcome = "returned"
except Exception as exc:
    outcome = type(exc).__name__
print(json.dumps({
    "outcome": outcome,
    "seconds": time.monotonic() - started,
    "eager": app.conf.task_always_eager,
    "broker": settings.CELERY_BROKER_URL,
}))
""",
        env,
    )
    assert outcome["eager"] is False
    assert outcome["broker"] == f"redis://127.0.0.1:{port}/0"
    assert outcome["seconds"] < 3, outcome
    # Nothing listens there, so the task cannot have been sent.
    assert outcome["outcome"] != "returned", outcome


def test_without_redis_url_tasks_run_eagerly_in_process(tmp_path):
    outcome = run_python(
        """
import json
import django
django.setup()
from django.conf import settings
from config.celery import app, ping

result = ping.delay("inline")
print(json.dumps({
    "setting": settings.CELERY_TASK_ALWAYS_EAGER,
    "conf": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "result": result.get(timeout=1),
    "redis_url": settings.REDIS_URL,
}))
""",
        clean_env(tmp_path),
    )
    assert outcome == {
        "setting": True,
        "conf": True,
        "broker": "memory://",
        "result": "pong:inline",
        "redis_url": "",
    }


class FakeTask:
    """What the task signals pass as sender and `task`: something with a request."""

    def __init__(self, *, is_eager: bool):
        self.request = SimpleNamespace(is_eager=is_eager)


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_from_task_to_task(settings):
    """Celery's Django fixup, as a worker installs it, around 20 tasks: one database connection
    serves them all (it used to close it around every task: a new connection per email), and
    one older than CONN_MAX_AGE is still closed, as after a web request."""
    from celery.fixups.django import DjangoWorkerFixup
    from celery.signals import task_postrun, task_prerun
    from django.db import connection

    from config.celery import app

    fixup = DjangoWorkerFixup(app)
    task = FakeTask(is_eager=False)

    def run_task():
        fixup.on_task_prerun(sender=task)
        task_prerun.send(sender=task, task=task, task_id="t", args=(), kwargs={})
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        fixup.on_task_postrun(sender=task)
        task_postrun.send(sender=task, task=task, task_id="t", args=(), kwargs={}, retval=None)

    run_task()
    first = connection.connection
    assert first is not None
    for _ in range(20):
        run_task()
        assert connection.connection is first

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return  # Django never closes an in-memory test database
    connection.close_at = time.monotonic() - 1  # past CONN_MAX_AGE
    task_postrun.send(sender=task, task=task, task_id="t", args=(), kwargs={}, retval=None)
    assert connection.connection is None


def test_tasks_run_inline_leave_the_callers_connection_alone(db):
    """Inline (eager) tasks run inside the caller's transaction: nothing is closed."""
    from celery.signals import task_prerun
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    before = connection.connection
    task = FakeTask(is_eager=True)
    task_prerun.send(sender=task, task=task, task_id="t", args=(), kwargs={})
    assert connection.connection is before
