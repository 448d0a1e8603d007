"""Benchmark: the managers' dashboard at 1,000,000 referrals on PostgreSQL. Run on demand.

    .venv/bin/python benchmarks/dashboard.py [--database-url postgres://.../bench_dashboard]
        [--seed 1000000] [--years 5] [--requests 40]

1. With --seed N: (re)creates the database, migrates it and runs
   `seed_demo --referrals N --years Y --staff 12 --seed 1 --force` (timed). Without it, the
   database must hold such data already (default postgres://postgres@127.0.0.1:5432/
   bench_dashboard).
2. In-process (the whole Django request through the test client, DEBUG off), as the demo
   "manager" signed in with a verified device: times the dashboard (the default 12 weeks, and
   52 weeks), a list behind a trend figure and behind a "now" figure, and the weekly CSV;
   p50/p95/max per page. The target: dashboard p95 < 300 ms.
3. Each SQL query of the dashboard with its time, slowest first, and the plan of the slowest.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Keep this folder off the import path: benchmarks/queue.py would shadow the standard library.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_dashboard"
TARGET = 0.300


def percentiles(samples):
    ordered = sorted(samples)

    def pick(q):
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {"n": len(ordered), "p50": statistics.median(ordered), "p95": pick(0.95)} | {
        "max": ordered[-1]
    }


def fmt(stats):
    return "  ".join(f"{k}={v * 1000:.0f}ms" if k != "n" else f"n={v}" for k, v in stats.items())


def seed(url: str, referrals: int, years: float, env) -> None:
    import psycopg

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    began = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", "seed_demo", "--referrals", str(referrals), "--years", str(years)]
        + ["--staff", "12", "--seed", "1", "--force"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    print(
        f"seed_demo --referrals {referrals:,} --years {years}: {time.perf_counter() - began:.0f}s"
    )


def signed_in_client(username="manager"):
    from django.test import Client
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mash.middleware import SESSION_AUTH_AT, SESSION_SEEN_AT

    device = TOTPDevice.objects.select_related("user").get(user__username=username)
    client = Client()
    client.force_login(device.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_AUTH_AT] = session[SESSION_SEEN_AT] = timezone.now().timestamp()
    session.save()
    return client


def time_page(client, path, requests):
    """Wall time per request, and this process's CPU time per request (Django's own work: a
    figure a loaded machine does not inflate the way it does the wall time)."""
    samples, cpu = [], []
    for i in range(requests + 3):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, (path, response.status_code)
        if i >= 3:  # warm-up
            samples.append(elapsed)
            cpu.append(time.process_time() - began_cpu)
    return percentiles(samples), percentiles(cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--seed", type=int, default=0, help="(Re)create with this many.")
    parser.add_argument("--years", type=float, default=5)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    env = dict(os.environ, DATABASE_URL=args.database_url, DEBUG="0")
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if args.seed:
        seed(args.database_url, args.seed, args.years, env)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from reporting.models import Referral

    # In-process: plain static URLs (no collected manifest needed), the test client's host.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(
        STORAGES=storages, ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]
    ).enable()
    total = Referral.objects.count()
    print(f"{total:,} referrals in {args.database_url.rsplit('/', 1)[-1]}")
    client = signed_in_client()
    from django.utils import timezone

    from mash.dashboard import Period

    today = timezone.localdate()
    year = Period.ending(today, 52)
    pages = [
        ("dashboard, 12 weeks (default)", "/mash/dashboard/?borough=bromley"),
        (
            "dashboard, 52 weeks",
            f"/mash/dashboard/?borough=bromley&from={year.first}&to={year.last}",
        ),
        ("list: re-referrals, 12 weeks", "/mash/dashboard/referrals/?figure=re_referrals"),
        ("list: overdue now", "/mash/dashboard/referrals/?figure=overdue"),
        ("CSV: weekly, 12 weeks", "/mash/dashboard/weekly.csv?borough=bromley"),
    ]
    ok = True
    for label, path in pages:
        stats, cpu = time_page(client, path, args.requests)
        verdict = ""
        if path.startswith("/mash/dashboard/?"):
            good = stats["p95"] < TARGET
            ok &= good
            verdict = "  OK" if good else f"  OVER {TARGET * 1000:.0f} ms"
        print(f"  {label:<32} {fmt(stats)}{verdict}")
        print(f"  {'':<32} Django CPU: p50={cpu['p50'] * 1000:.0f}ms p95={cpu['p95'] * 1000:.0f}ms")

    print("\nQueries of the default dashboard, slowest first:")
    timed = []
    with CaptureQueriesContext(connection) as ctx:
        client.get(pages[0][1])
    for query in ctx.captured_queries:
        timed.append((float(query["time"]), query["sql"]))
    timed.sort(reverse=True)
    for seconds, sql in timed[:8]:
        print(f"  {seconds * 1000:7.1f} ms  {sql[:150]}")
    print(f"  total {sum(s for s, _ in timed) * 1000:.0f} ms in {len(timed)} queries")
    server = 0.0
    with connection.cursor() as cursor:
        for _, sql in timed:
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                server += cursor.fetchone()[0][0]["Execution Time"]
    print(f"  PostgreSQL execution time of the SELECTs (EXPLAIN ANALYZE): {server:.0f} ms")
    slowest = timed[0][1]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + slowest)
        print("\nPlan of the slowest:\n" + "\n".join("  " + r[0] for r in cursor.fetchall()))
    print("\nRESULT:", "dashboard p95 under 300 ms" if ok else "dashboard p95 OVER 300 ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
