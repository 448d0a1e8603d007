"""What one view of the MASH queue page costs in CPU, in process. Run on demand (not a test):

    .venv/bin/python benchmarks/queue_cpu.py [--referrals 20000] [--requests 200] [--reseed]
                                             [--profile] [--database-url postgres://.../h1_queue]

1. Makes the database if it is missing (default postgres://postgres@127.0.0.1:5432/queue_cpu),
   migrates it and, when it holds fewer than --referrals referrals (or with --reseed), runs
   `seed_demo --referrals N --force` (the same data as benchmarks/queue.py, smaller).
2. Signs the demo manager and screener1 in (a forced login with a verified TOTP device, as
   benchmarks/queue.py's in-process part) and calls the queue page through Django's test
   client (real URL conf, middleware, sessions, DEBUG off): the first page, a deep page
   (a cursor ~90% of the way down), a state filter, and screener1's first page. Per page:
   queries, and this process's CPU (time.process_time: PostgreSQL's own work is not in it)
   per request, after --warmup requests; wall time beside it; and the Python function calls
   per request (cProfile's count, which does not move with the host's load).
3. --profile: cProfile (CPU timer) over the manager's first page, the top functions by
   cumulative and by own time, the whole statistics in benchmarks/results/queue_cpu.prof,
   and the share of the request spent in template rendering and the audit insert.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(ROOT)  # benchmarks/queue.py would shadow the standard library's `queue`
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/queue_cpu"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=20_000)
    parser.add_argument("--staff", type=int, default=16)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("QUEUE_CPU_DATABASE_URL"))
    return parser.parse_args()


def setup(args) -> None:
    from benchmarks.inprocess import setup_django

    os.environ.pop("REDIS_URL", None)  # as benchmarks/queue.py's server
    setup_django(args.database_url or DEFAULT_DB, CONN_MAX_AGE="60")
    from django.core.management import call_command

    from reporting.models import Referral

    have = Referral.objects.count()
    if args.reseed or have < args.referrals:
        began = time.perf_counter()
        call_command(
            "seed_demo",
            force=True,
            seed=1,
            referrals=args.referrals,
            staff=args.staff,
            password="bench-password-2026",  # noqa: S106  (demo data only)
            stdout=io.StringIO(),
        )
        print(f"seeded {args.referrals:,} referrals in {time.perf_counter() - began:.0f}s")
    else:
        print(f"reusing {have:,} referrals")


def deep_path(username: str, fraction: float = 0.9) -> str:
    from django.contrib.auth import get_user_model

    from mash.selectors import ORDER, Cursor, open_records

    user = get_user_model().objects.get(username=username)
    records = open_records(user=user).order_by(*ORDER)
    total = records.count()
    record = records[int(total * fraction)]
    return f"/mash/?after={Cursor.of(record).encode()}"


def measure(client, path, requests, warmup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    queries = len(ctx.captured_queries)
    cpu, wall = [], []
    for _ in range(requests):
        w, c = time.perf_counter(), time.process_time()
        client.get(path)
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    rows = response.content.decode().count('<th scope="row" class="govuk-table__header">')
    return queries, rows, cpu, wall


def python_calls(client, path, requests=20) -> float:
    """Python function calls per request (cProfile's count): a measure of the work that does
    not move with the load of a shared host, unlike CPU time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    return pstats.Stats(profiler).total_calls / requests


def profile(client, path, requests) -> None:
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    RESULTS.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(RESULTS / "queue_cpu.prof"))
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    each = total / requests * 1000
    print(f"\n== cProfile (CPU), {requests} requests of {path}: {each:.2f} ms each")

    def cumulative(name_part: str, func_name: str) -> float:
        return max(
            (
                ct
                for (file, _, func), (_, _, _, ct, _) in stats.stats.items()
                if name_part in file and func == func_name
            ),
            default=0.0,
        )

    shares = {
        "the view (mash.views.queue)": cumulative("mash/views.py", "queue"),
        "queue_page (selectors)": cumulative("mash/selectors.py", "queue_page"),
        "audit.record": cumulative("mash/audit.py", "record"),
        "table rows (mash.queue_table)": cumulative("mash/queue_table.py", "table_rows"),
        "render (templates)": cumulative("django/shortcuts.py", "render"),
        "middleware + test client (whole request)": cumulative("django/test/client.py", "request"),
    }
    for label, seconds in shares.items():
        print(f"  {label:<42} {seconds / requests * 1000:6.2f} ms  {seconds / total:5.1%}")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(35)
        print(f"\n-- top by {order}")
        print("\n".join(out.getvalue().splitlines()[6:]))


def main() -> int:
    args = parse_args()
    setup(args)
    from benchmarks.inprocess import summary
    from benchmarks.queue import signed_in_client

    manager, screener = signed_in_client("manager"), signed_in_client("screener1")
    pages = [
        ("manager, first page", manager, "/mash/"),
        ("manager, deep page", manager, deep_path("manager")),
        ("manager, state=green", manager, "/mash/?state=green"),
        ("screener1, first page", screener, "/mash/"),
    ]
    print(f"\n== CPU per queue request in process ({args.requests} after {args.warmup} warm-up)")
    print(f"   load average: {os.getloadavg()[0]:.2f}")
    for label, client, path in pages:
        queries, rows, cpu, wall = measure(client, path, args.requests, args.warmup)
        calls = python_calls(client, path)
        print(f"  {label:<24} {queries} queries {rows} rows {calls:,.0f} Python calls")
        print(f"    CPU ms  {summary(cpu)}")
        print(f"    wall ms {summary(wall)}")
    if args.profile:
        profile(manager, "/mash/", args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
