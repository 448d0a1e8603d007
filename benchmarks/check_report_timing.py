"""Does "Check a report" take the same time whether or not the details match? Run on demand.

    .venv/bin/python benchmarks/check_report_timing.py [--samples 300]

Through Django's test client (every middleware, the session store, the rate-limit cache, the
real view and service) on PostgreSQL (a throwaway test database made from DATABASE_URL's
server) and, when REDIS_URL is set, Redis as the cache and Celery broker (the match's email
is published after commit, as in production; nothing consumes it: the Redis database is
flushed at the end). Rate limits are off.

The three kinds of request to ask for a code are interleaved in a random order, one of each per
round, so drift on the shared machine touches all three alike:
  right    the reference and the email on the report: a code is made and sent (outbox row,
           audit event, publish to the broker after commit)
  contact  the reference of a real report, another email: nothing is sent
  unknown  a reference that does not exist: nothing is sent
Prints p50, p95 and the mean of each, and the difference of each median from the match's.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_check_report")
for name in ("CHECK_REPORT_LIMIT_CLIENT", "CHECK_REPORT_LIMIT_REFERENCE"):
    os.environ[name] = "0"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from contacts.models import Borough
        from notifications.models import OutboxMessage
        from reporting.services import submit_concern
        from tests.reporting.factories import concern_answers

        bromley = Borough.objects.get(slug="bromley")
        report = submit_concern(borough=bromley, answers=concern_answers())
        email = report.referrer_email
        cases = {
            "right": (report.reference, email),
            "contact": (report.reference, "someone.else@example.com"),
            "unknown": ("BRM-0000-0000", email),
        }
        url = "/bromley/check-a-report/"
        times: dict[str, list[float]] = {name: [] for name in cases}
        rng = random.Random(17)
        for _ in range(20):  # templates, memos, connections
            Client().post(url, {"reference": cases["right"][0], "contact": email})
        for _ in range(args.samples):
            order = list(cases)
            rng.shuffle(order)
            for name in order:
                reference, contact = cases[name]
                client = Client()
                started = time.perf_counter()
                response = client.post(url, {"reference": reference, "contact": contact})
                times[name].append(time.perf_counter() - started)
                assert response.status_code == 302, response.status_code
        sent = OutboxMessage.objects.filter(kind="check_code").count()
        print(f"{args.samples} rounds; codes sent: {sent} (20 warm-up + the matches)")
        right = statistics.median(times["right"])
        for name, samples in times.items():
            ordered = sorted(samples)
            p95 = ordered[int(0.95 * len(ordered)) - 1]
            median = statistics.median(samples)
            print(
                f"{name:8} p50={median * 1000:6.2f} ms  p95={p95 * 1000:6.2f} ms  "
                f"mean={statistics.fmean(samples) * 1000:6.2f} ms  "
                f"p50-right={(median - right) * 1000:+.2f} ms"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        cache.clear()


if __name__ == "__main__":
    main()
