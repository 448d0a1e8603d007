"""Benchmark: Ofsted's Annex A workbook (the three lists, six months) at 1,000,000 referrals on
PostgreSQL, its time and the process's peak memory. Run on demand.

    .venv/bin/python benchmarks/annex_a.py [--referrals 1000000] [--years 5] [--reuse]
                                           [--database-url postgres://.../bench_annex_a]

1. (Re)creates the database (default postgres://postgres@127.0.0.1:5432/bench_annex_a),
   migrates it and seeds `--referrals` referrals over `--years` years with `seed_demo`'s
   history mode (mash.management.commands.seed_demo.seed_history: both boroughs, decided
   referrals with outcomes, repeat children). `--reuse` keeps a database already seeded.
2. Gives the seeded children their person keys. At submit, `mash.identity` gives a child the
   key of its strong record-check match; a bulk seed never goes through submit, so here the
   children who are the same (borough, name and date of birth: the seed's repeat children are
   exact copies, which the matcher calls strong) share one key, in one UPDATE.
3. In a fresh process for each measurement (peak RSS = VmHWM, the process's own): the
   workbook for the six months ending today (`mash.export_views.write_workbook`, to a
   temporary file, as the view does), and each list as CSV (`mash.export_views.csv_lines`),
   for the borough with the most referrals; then the workbook for one month, to show that
   memory does not grow with the rows. Prints rows, seconds, peak RSS, PASS/FAIL against
   < 20 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Keep this folder off the import path: benchmarks/queue.py would shadow the standard
# library's `queue` (used by psycopg).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402  (after the sys.path fix above, on purpose)
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_annex_a"
TARGET_SECONDS = 20


def prepare(args) -> bool:
    import psycopg

    parts = urllib.parse.urlparse(args.database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not args.reuse:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return bool(exists)


def django_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(args) -> None:
    from django.core.management import call_command

    from mash.management.commands.seed_demo import seed_history

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.monotonic() - started:.1f} s", flush=True)
    from reporting.models import Referral

    if Referral.objects.exists():
        print(f"reusing {Referral.objects.count():,} referrals", flush=True)
    else:
        started = time.monotonic()
        made = seed_history(referrals=args.referrals, years=args.years, staff=12, seed=1)
        print(f"seeded {made} in {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    give_person_keys()
    print(f"person keys given in {time.monotonic() - started:.0f} s", flush=True)


def give_person_keys() -> None:
    """Children without a key: one key per (borough, name, date of birth), like the matcher's
    strong matches for the seed's exact repeat children; the rest one key each."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE reporting_child AS c
            SET person_key = 'C' || upper(substr(md5(
                r.borough_id::text || '|' || lower(c.first_name) || '|' || lower(c.last_name)
                || '|' || coalesce(c.date_of_birth::text, 'row' || c.id::text)), 1, 12))
            FROM reporting_referral AS r
            WHERE r.id = c.referral_id AND c.person_key = ''
            """
        )
        cursor.execute("ANALYZE reporting_child")


def memory_mb(field: str = "VmHWM") -> float:
    """This process's peak (VmHWM) or current (VmRSS) resident memory, in MB. Not ru_maxrss:
    Linux carries that across exec from the parent (the seeding process)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def measure(database_url: str, what: str, months: int) -> dict:
    """In this (fresh) process: one export, its rows, seconds and peak RSS."""
    django_setup(database_url)
    import tempfile

    from django.db.models import Count
    from django.utils import timezone

    from contacts.models import Borough
    from mash import annex_a
    from mash.export_views import csv_lines, write_workbook

    borough = Borough.objects.annotate(n=Count("referrals")).order_by("-n").first()
    until = timezone.localdate()
    period = annex_a.Period(until, months=months)
    before = memory_mb()
    started = time.monotonic()
    rows, size = 0, 0
    if what == "workbook":
        counted = {n: 0 for n in annex_a.HEADINGS}
        original_rows = annex_a.rows

        def counting(number, **kwargs):
            for row in original_rows(number, **kwargs):
                counted[number] += 1
                yield row

        annex_a.rows = counting
        with tempfile.TemporaryFile(suffix=".xlsx") as file:
            write_workbook(file, borough=borough, period=period)
            size = file.tell()
        rows = sum(counted.values())
        detail = {f"list_{n}": c for n, c in counted.items()}
    else:
        number = int(what[-1])
        for line in csv_lines(number, borough=borough, period=period):
            rows += 1
            size += len(line.encode())
        rows -= 1  # the headings
        detail = {}
    seconds = time.monotonic() - started
    peak = memory_mb()
    return {
        "what": what,
        "months": months,
        "borough": borough.slug,
        "from": str(period.start),
        "until": str(until),
        "rows": rows,
        "seconds": round(seconds, 2),
        "bytes": size,
        "peak_rss_before_mb": before,
        "peak_rss_mb": peak,
        **detail,
    }


def run_measurement(database_url: str, what: str, months: int = 6) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--measure", what, "--months", str(months)],
        env={**os.environ, "BENCH_DATABASE_URL": database_url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr[-4000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--years", type=float, default=5)
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--reuse", action="store_true", help="keep a database already seeded")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--months", type=int, default=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        result = measure(os.environ["BENCH_DATABASE_URL"], args.measure, args.months)
        print(json.dumps(result))
        return
    prepare(args)
    django_setup(args.database_url)
    seed(args)
    from django.db import connection

    connection.close()
    results = [run_measurement(args.database_url, "workbook")]
    results += [run_measurement(args.database_url, f"list-{n}") for n in (1, 2, 3)]
    results.append(run_measurement(args.database_url, "workbook", months=1))
    for result in results:
        print(json.dumps(result))
    workbook = results[0]
    verdict = "PASS" if workbook["seconds"] < TARGET_SECONDS else "FAIL"
    print(
        f"\nAnnex A workbook, six months of {workbook['borough']} ({workbook['rows']:,} rows): "
        f"{workbook['seconds']} s, peak RSS {workbook['peak_rss_mb']} MB "
        f"(one month: {results[-1]['rows']:,} rows, {results[-1]['seconds']} s, peak RSS "
        f"{results[-1]['peak_rss_mb']} MB): {verdict} against < {TARGET_SECONDS} s"
    )


if __name__ == "__main__":
    main()
