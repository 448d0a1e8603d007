"""What one submission costs in CPU, in process: the submit POST ("Check your answers"), the
confirmation GET and a bare Django view with a session, side by side in one run.

Run on demand (not a test):

    .venv/bin/python benchmarks/submit_cpu.py [--submissions 200] [--profile]

Django's test client drives the real URL conf, middleware (CSRF enforced), sessions and
PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench_reporting) with
DEBUG off and the rate limits off, as benchmarks/submissions.py's server runs. Each submission
is a fresh visitor walking the journey (not timed), then timed: POST check-your-answers (the
submission: `submit_concern` and the broker publish after commit), GET the confirmation, and
GET /bare-session/ (benchmarks/bench_urls.py: loads the visitor's session, writes a change,
returns a fixed page). Half the reporters are anonymous, half named with an email (an
acknowledgement queued), as in submissions.py.

CPU is this process's (time.process_time: user + system), so PostgreSQL's and Redis's own
work is not in it; wall time is printed beside it. The test client's own request building and
response handling is in every figure, the bare view's too. --redis-down points REDIS_URL at a
closed port (the publish fails once, then the breaker skips the broker). --profile writes
cProfile statistics (CPU time, not wall) of the submit POST and the confirmation GET to
benchmarks/results/ and prints the top functions by cumulative time. --show-queries prints
the SQL of the last submission's three requests. --without leaves parts of the submit out
(a what-if: how far the rest is from a target), and the figures say so.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(ROOT)  # a sibling module (benchmarks/queue.py) would shadow `queue`
RESULTS = ROOT / "benchmarks" / "results"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--redis-down", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of the last")
    parser.add_argument(
        "--without",
        default="",
        help="a what-if, never a figure of the service: comma-separated parts of the submit "
        f"left out, to see what each costs ({', '.join(WITHOUT)}; all: every one)",
    )
    return parser.parse_args()


def _leave_out_publish():
    from notifications import outbox

    outbox.publish = lambda message_id: True  # the row stays unsent: nothing asks Celery


def _leave_out_person_keys():
    from reporting.signals import children_received

    children_received.disconnect(dispatch_uid="mash_person_keys")


def _leave_out_name_keys():
    from reporting import models

    models.remember = lambda names: None


def _leave_out_key_probe():
    from reporting import selectors

    selectors.submitted_reference = lambda **kwargs: None


def _leave_out_refusal_checks():
    from reporting import views

    views._refusal = lambda request, entry, borough: None


def _leave_out_model_validation():
    from reporting import services

    services.validate = lambda row, exclude: None


# What --without can leave out of the submit: all of it is work the service needs (the
# acknowledgement's publish, the record checks' person keys and name keys, the retry's key
# probe, the honeypot and rate limit, the model's rules guarding the database). Measuring
# the submit without some of it shows how far the rest is from a target.
WITHOUT = {
    "publish": _leave_out_publish,
    "person-keys": _leave_out_person_keys,
    "name-keys": _leave_out_name_keys,
    "key-probe": _leave_out_key_probe,
    "refusal-checks": _leave_out_refusal_checks,
    "model-validation": _leave_out_model_validation,
}


def leave_out(names: str) -> list[str]:
    """Apply --without (after Django is set up); the names left out, in order."""
    chosen = list(WITHOUT) if names == "all" else [n for n in names.split(",") if n]
    for name in chosen:
        if name not in WITHOUT:
            raise SystemExit(f"--without: unknown part {name!r} (one of {', '.join(WITHOUT)})")
        WITHOUT[name]()
    return chosen


def setup(args) -> None:
    from benchmarks.inprocess import setup_django

    setup_django(
        args.database_url
        or os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_reporting"),
        REDIS_URL="redis://127.0.0.1:1/0" if args.redis_down else args.redis_url,
        RATE_LIMIT_SESSION="0",
        RATE_LIMIT_SUBMISSIONS="0",
        RATE_LIMIT_GLOBAL="0",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        BENCH_BARE_FILE=str(RESULTS / "bare_body.html"),
    )


class Visitor:
    def __init__(self):
        from django.test import Client

        self.client = Client(enforce_csrf_checks=True)
        self.token = ""

    def get(self, path):
        response = self.client.get(path)
        if match := CSRF_RE.search(response.content.decode()):
            self.token = match.group(1)
        return response

    def post(self, path, data):
        # Form-encoded, as a browser sends these forms (no file field) and as
        # benchmarks/submissions.py sends them; the test client's default is multipart.
        body = urlencode({**data, "csrfmiddlewaretoken": self.token}, doseq=True)
        return self.client.post(path, body, content_type="application/x-www-form-urlencoded")


def walk(visitor: Visitor, named: bool) -> None:
    from benchmarks.submissions import ANONYMOUS, BASE, JOURNEY, NAMED

    visitor.get(BASE)
    for page, data in JOURNEY + (NAMED if named else ANONYMOUS):
        response = visitor.post(BASE + page, data)
        assert response.status_code == 302, (page, response.status_code)
    visitor.get(BASE + "check-your-answers/")


def backend_ticks() -> int:
    """CPU clock ticks (user + system) PostgreSQL's server process for this connection has
    used so far, from /proc (the database runs on this machine): 0 where it cannot be read."""
    from django.db import connection

    connection.ensure_connection()
    try:
        stat = Path(f"/proc/{connection.connection.info.backend_pid}/stat").read_text()
    except (OSError, AttributeError):
        return 0
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def measure(func):
    """(CPU ms, wall ms, queries, response) of one call. Queries are counted by an execute
    wrapper that keeps each statement's SQL (not CaptureQueriesContext: its debug cursor
    formats every statement with its parameters, which would add to the CPU measured).
    The database server's CPU ticks for the call are left in `measure.ticks`."""
    from django.db import connection

    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    ticks = backend_ticks()
    with connection.execute_wrapper(count):
        wall, cpu = time.perf_counter(), time.process_time()
        response = func()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    measure.last = statements
    measure.ticks = backend_ticks() - ticks
    return cpu * 1000, wall * 1000, len(statements), response


def main() -> int:
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bare_body.html").write_bytes(b"<!DOCTYPE html><p>bare</p>")
    setup(args)
    left_out = leave_out(args.without)
    from benchmarks.inprocess import summary
    from benchmarks.submissions import BASE, vacuum

    names = ("submit", "confirmation", "bare_session")
    cpu = {name: [] for name in names}
    wall = {name: [] for name in names}
    queries = {name: set() for name in names}
    database_ticks = dict.fromkeys(names, 0)
    profiles = {name: cProfile.Profile(time.process_time) for name in ("submit", "confirmation")}
    total = args.warmup + args.submissions
    for i in range(total):
        if i == args.warmup:
            # Fresh planner statistics before the timed submissions, as autovacuum keeps them
            # in production (off on this machine's PostgreSQL): with stale ones the candidates
            # query's plan cost the database 1.7 ms against 0.07 (seen here).
            vacuum(os.environ["DATABASE_URL"])
        visitor = Visitor()
        walk(visitor, named=bool(i % 2))
        visitor.get("/bare-session/")  # the session exists before the bare view is timed
        steps = {
            "submit": lambda v=visitor: v.post(BASE + "check-your-answers/", {}),
            "confirmation": lambda v=visitor: v.get(BASE + "sent/"),
            "bare_session": lambda v=visitor: v.get("/bare-session/"),
        }
        for name in names:
            step = steps[name]
            if args.profile and i >= args.warmup and name in profiles:
                profile = profiles[name]
                step = lambda s=step, p=profile: p.runcall(s)  # noqa: E731
            c, w, q, response = measure(step)
            expected = 302 if name == "submit" else 200
            assert response.status_code == expected, (name, response.status_code)
            if args.show_queries and i == total - 1:
                print(f"-- {name}:", *(sql[:300] for sql in measure.last), sep="\n  ")
            if i >= args.warmup:
                cpu[name].append(c)
                wall[name].append(w)
                queries[name].add(q)
                database_ticks[name] += measure.ticks

    print(
        f"in-process CPU per request, {args.submissions} submissions "
        f"(+{args.warmup} warm-up), Redis {'down' if args.redis_down else 'up'}"
        + (" (profiled: figures inflated)" if args.profile else "")
        + (f"\n  WHAT-IF, not the service: without {', '.join(left_out)}" if left_out else "")
    )
    for name in names:
        print(f"  {name:13s} CPU ms: {summary(cpu[name])}   wall ms: {summary(wall[name])}")
        database_ms = database_ticks[name] * 1000 / os.sysconf("SC_CLK_TCK") / args.submissions
        print(
            f"  {'':13s} queries: {sorted(queries[name])}   "
            f"database server CPU ms a request (mean): {database_ms:.2f}"
        )
    bare = statistics.median(cpu["bare_session"])
    for name in ("submit", "confirmation"):
        print(f"  {name} / bare_session CPU (medians): {statistics.median(cpu[name]) / bare:.2f}x")
    if args.profile:
        for name, profile in profiles.items():
            path = RESULTS / f"submit_cpu_{name}.pstats"
            profile.dump_stats(path)
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
            print(f"\n== {name} profile ({path})\n{out.getvalue()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
