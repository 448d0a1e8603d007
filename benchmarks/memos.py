"""What each per-process memo (contacts/memos.py) saves: one call with the memo emptied first
against one served from it, in this process, on PostgreSQL.

Run on demand (not a test):

    .venv/bin/python benchmarks/memos.py [--rounds 300]

It migrates a PostgreSQL database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_memos; created if missing: the data migration loads
Bromley and Bexley), then for each memo times the call that fills it, emptied before every
round ("miss") and left full ("hit"), and prints the medians and the queries a miss costs.
docs/architecture.md ("Per-process memos") quotes the figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import os
import statistics
import time
import urllib.parse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_memos"


def prepare(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def timed(call, rounds: int, before=None) -> float:
    """Median microseconds of `call()`, running `before()` (untimed) before each round."""
    samples = []
    for _ in range(rounds):
        if before is not None:
            before()
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1e6)
    return statistics.median(samples)


def queries(call, before) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    before()
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not url.startswith("postgres"):
        print("Needs PostgreSQL (DATABASE_URL=postgres://...)")
        return 1
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)  # the cache in memory: time the memos, not Redis
    prepare(url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.STORAGES = {  # no collectstatic manifest needed
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.test import Client

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from contacts import calendar, memos, selectors
    from contacts.models import Borough
    from mash import policy

    borough = Borough.objects.get(slug="bromley")
    client = Client()
    page = "/bromley/"
    client.get(page)  # warm imports, templates, the connection
    named = memos.all_memos()
    year = timezone.now().year
    cases = [
        ("borough rows", lambda: selectors.get_active_borough("bromley")),
        ("working calendars", lambda: selectors.working_calendar(borough)),
        ("contact lines", lambda: selectors.contacts_for(borough)),
        ("staffing", lambda: selectors.staffing_for(borough)),
        ("borough pages", lambda: client.get(page)),
        ("bank holidays", lambda: calendar.bank_holidays(year)),
        ("screening rules", lambda: policy.current_rules(borough)),
    ]
    assert {name for name, _ in cases} == set(named), "a memo is not measured"
    print(f"{'memo':<20} {'miss us':>10} {'hit us':>10} {'saved':>8} {'queries':>8}")
    for name, call in cases:
        memo = named[name]
        call()
        miss = timed(call, args.rounds, before=memo.clear)
        hit = timed(call, args.rounds)
        cost = queries(call, memo.clear)
        print(f"{name:<20} {miss:>10.0f} {hit:>10.0f} {miss / hit:>7.0f}x {cost:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
