"""Benchmark: the MASH queue at 100,000 referrals on PostgreSQL. Run on demand, not a test.

    .venv/bin/python benchmarks/queue.py [--referrals 100000] [--staff 16] [--requests 300]
                                         [--reuse] [--database-url postgres://.../bench_queue]

1. (Re)creates the database (default postgres://postgres@127.0.0.1:5432/bench_queue), migrates
   it and runs `seed_demo --referrals N --staff M --force`, timing it (wall and CPU).
   `--reuse` keeps the data if it is already there (only the demo staff are reset).
2. Serves the project with gunicorn (DEBUG off, collected static files), signs in as the
   demo manager (both boroughs) and screener1 (one borough) through the real sign-in pages
   with password and TOTP code, and times the queue page: the first page, a deep page
   (keyset cursor ~90% of the way down), and a filtered page. p50/p95/p99 per page.
3. Counts the SQL queries of each of those pages in-process (the same view, the same
   database), and shows the query plan of the page query.
4. 16 screeners on 16 threads (16 connections) call take_next concurrently while another
   connection holds a row lock on the most urgent referral: no referral is claimed twice,
   nobody waits (lock_timeout 1 s would fail a waiter), per-call latency figures.
   The claims are released afterwards so the run can be repeated with --reuse.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called queue.py: keep its folder off the import path, or it would shadow the
# standard library's `queue` (used by psycopg, threading pools...).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402  (after the sys.path fix above, on purpose)
import base64  # noqa: E402
import hashlib  # noqa: E402
import hmac  # noqa: E402
import http.cookiejar  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from collections import Counter  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_queue"
PASSWORD = "bench-password-2026"  # noqa: S105  (demo data only)


# --- helpers ------------------------------------------------------------------------------
def run(args, env, **kwargs):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, text=True, **kwargs)


def percentiles(samples):
    ordered = sorted(samples)

    def pick(q):
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {
        "n": len(ordered),
        "p50": statistics.median(ordered),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "max": ordered[-1],
    }


def fmt(stats, unit=1000, suffix="ms"):
    return "  ".join(
        f"{k}={v * unit:.1f}{suffix}" if k != "n" else f"n={v}" for k, v in stats.items()
    )


def totp(secret_b32: str, at: float | None = None) -> str:
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def free_port() -> int:
    """BENCH_PORT when set (a port of your own on a shared host), else any free one."""
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database(url: str):
    parts = urllib.parse.urlparse(url)
    return parts, parts.path.lstrip("/")


# --- 1. data ------------------------------------------------------------------------------
def prepare(args, env) -> dict[str, str]:
    import psycopg

    parts, name = database(args.database_url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not args.reuse:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    run([PYTHON, "manage.py", "migrate", "-v0"], env)
    with psycopg.connect(args.database_url) as conn:
        have = conn.execute("SELECT count(*) FROM reporting_referral").fetchone()[0]
    referrals = 0 if have >= args.referrals else args.referrals
    command = [
        PYTHON, "manage.py", "seed_demo", "--force", "--seed", "1",
        "--referrals", str(referrals), "--staff", str(args.staff), "--password", PASSWORD,
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    out = run(command, env, capture_output=True).stdout
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        out.splitlines()[-1]
        if referrals == 0
        else next(line for line in out.splitlines() if line.startswith("Seeded"))
    )
    if referrals:
        print(
            f"seed_demo --referrals {referrals:,}: {wall:.1f}s wall, {cpu:.1f}s CPU (the command)"
        )
    else:
        print(f"reusing {have:,} referrals already in {name}")
    secrets = dict(re.findall(r"^  (\w+) \(.*\)\n    TOTP secret: ([A-Z2-7]+)$", out, re.M))
    return secrets


# --- 2. HTTP under gunicorn ---------------------------------------------------------------
class Session:
    """A cookie-keeping HTTP client signing in through the real pages."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode(), response.url

    def post(self, path, data):
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Referer", self.base + path)
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.read().decode(), response.url

    @staticmethod
    def csrf(html):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def sign_in(self, username, secret):
        _, html, _ = self.get("/mash/login/")
        _, html, url = self.post(
            "/mash/login/",
            {"csrfmiddlewaretoken": self.csrf(html), "username": username, "password": PASSWORD},
        )
        assert url.endswith("/mash/verify/"), f"password step failed for {username}: {url}"
        _, html, url = self.post(
            "/mash/verify/", {"csrfmiddlewaretoken": self.csrf(html), "otp_token": totp(secret)}
        )
        assert url.endswith("/mash/"), f"TOTP step failed for {username}: {url}"


def start_gunicorn(env, port, workers):
    process = subprocess.Popen(  # noqa: S603
        [GUNICORN, "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level",
         "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGTERM)
    raise RuntimeError("gunicorn did not start")


def time_page(session, path, requests, warmup=20):
    for _ in range(warmup):
        session.get(path)
    samples = []
    rows = None
    for _ in range(requests):
        began = time.perf_counter()
        status, html, _ = session.get(path)
        samples.append(time.perf_counter() - began)
        assert status == 200, (path, status)
        rows = html.count('<th scope="row" class="govuk-table__header">')
    return percentiles(samples), rows


def deep_cursor(args, borough_ids, fraction=0.9):
    import psycopg

    with psycopg.connect(args.database_url) as conn:
        queued = (
            " FROM mash_screeningrecord WHERE decided_at IS NULL AND kind <> 'consultation'"
            " AND borough_id = ANY(%s)"
        )
        total = conn.execute("SELECT count(*)" + queued, [borough_ids]).fetchone()[0]
        rank, due_at, received_at, pk = conn.execute(
            "SELECT rank, effective_due_at, received_at, id" + queued
            + " ORDER BY rank, effective_due_at, received_at, id OFFSET %s LIMIT 1",
            [borough_ids, int(total * fraction)],
        ).fetchone()  # fmt: skip
    micros = [int(moment.timestamp() * 1_000_000) for moment in (due_at, received_at)]
    return f"{rank}-{micros[0]}-{micros[1]}-{pk}", int(total * fraction), total


# --- 3 and 4: in-process ------------------------------------------------------------------
def django_setup(env):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def signed_in_client(username):
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


def count_queries(paths):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_client("manager")
    client.get(paths[0][1])  # warm
    for label, path in paths:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200
        # (read them now: the next request's request_started signal clears the log)
        queries = [q["sql"] for q in ctx.captured_queries]
        # CPU time of this process per request (the whole Django request, in-process): a figure
        # that does not count time spent waiting for a CPU on a busy machine.
        cpu = []
        for _ in range(50):
            began = time.process_time()
            client.get(path)
            cpu.append(time.process_time() - began)
        print(
            f"  {label:<34} {len(queries)} queries; Django CPU per request: {fmt(percentiles(cpu))}"
        )
    return next(sql for sql in queries if 'FROM "mash_screeningrecord"' in sql)


def explain(sql):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def concurrent_take_next(screeners: int, calls_each: int):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from mash import services
    from mash.models import ScreeningRecord

    users = list(
        get_user_model().objects.filter(username__startswith="screener").order_by("id")[:screeners]
    )
    assert len(users) == screeners, f"seed_demo made fewer than {screeners} screeners"
    from mash.models import QUEUED
    from mash.selectors import ORDER

    most_urgent = (
        ScreeningRecord.objects.filter(QUEUED, claimed_by__isnull=True).order_by(*ORDER).first()
    )
    locked, finish = threading.Event(), threading.Event()

    def blocker():
        try:
            with transaction.atomic():
                ScreeningRecord.objects.select_for_update().get(pk=most_urgent.pk)
                locked.set()
                finish.wait(300)
        finally:
            connection.close()

    claims: dict[int, list[int]] = {}
    latencies: list[float] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(screeners)
    lock = threading.Lock()

    def screener(index, user):
        mine, times = [], []
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '1s'")
            barrier.wait(60)
            for _ in range(calls_each):
                began = time.perf_counter()
                record = services.take_next(user=user)
                times.append(time.perf_counter() - began)
                if record is None:
                    break
                mine.append(record.pk)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            with lock:
                claims[index] = mine
                latencies.extend(times)
            connection.close()

    holder = threading.Thread(target=blocker)
    holder.start()
    assert locked.wait(30)
    threads = [threading.Thread(target=screener, args=(i, u)) for i, u in enumerate(users)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    elapsed = time.perf_counter() - began
    finish.set()
    holder.join(30)

    claimed = [pk for mine in claims.values() for pk in mine]
    twice = [pk for pk, n in Counter(claimed).items() if n > 1]
    holders = dict(ScreeningRecord.objects.filter(pk__in=claimed).values_list("pk", "claimed_by"))
    wrong = sum(
        1 for index, mine in claims.items() for pk in mine if holders[pk] != users[index].pk
    )
    print(
        f"  {screeners} screeners x {calls_each} calls: {len(claimed)} claims in {elapsed:.2f}s"
        f" ({len(claimed) / elapsed:.0f}/s); claimed twice: {len(twice)}; holder mismatches:"
        f" {wrong}; errors (a lock wait > 1 s would be one): {len(errors)}"
    )
    print(f"  the row locked by another connection was skipped: {most_urgent.pk not in claimed}")
    print(f"  take_next latency: {fmt(percentiles(latencies))}")
    # Give the claims back so the run can be repeated (--reuse).
    ScreeningRecord.objects.filter(pk__in=claimed).update(claimed_by=None, claimed_at=None)
    return not twice and not wrong and not errors and most_urgent.pk not in claimed


# --- main ---------------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--staff", type=int, default=16)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--take-next-calls", type=int, default=40)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    args = parser.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
    }
    env.pop("REDIS_URL", None)
    print(f"== data: {args.referrals:,} referrals in {database(args.database_url)[1]}")
    secrets = prepare(args, env)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)

    import psycopg

    with psycopg.connect(args.database_url) as conn:
        boroughs = dict(conn.execute("SELECT slug, id FROM contacts_borough").fetchall())
        screener_borough = conn.execute(
            "SELECT array_agg(b.borough_id) FROM mash_staffmember_boroughs b"
            " JOIN mash_staffmember m ON m.id = b.staffmember_id"
            " JOIN auth_user u ON u.id = m.user_id WHERE u.username = 'screener1'"
        ).fetchone()[0]
    all_ids = sorted(boroughs.values())
    deep_all, deep_at, open_all = deep_cursor(args, all_ids)
    deep_one, deep_one_at, open_one = deep_cursor(args, screener_borough)
    print(f"open referrals: {open_all:,} in all boroughs, {open_one:,} in screener1's")

    pages = [
        ("manager, first page", "manager", "/mash/"),
        (f"manager, deep page (row {deep_at:,})", "manager", f"/mash/?after={deep_all}"),
        ("manager, filter state=green", "manager", "/mash/?state=green"),
        ("manager, filter kind+state=amber", "manager", "/mash/?kind=concern&state=amber"),
        ("screener1, first page", "screener1", "/mash/"),
        (f"screener1, deep page (row {deep_one_at:,})", "screener1", f"/mash/?after={deep_one}"),
    ]
    port = free_port()
    print(f"\n== queue page under gunicorn ({args.workers} workers, DEBUG off), "
          f"{args.requests} sequential requests each after 20 warm-up")  # fmt: skip
    server = start_gunicorn(env, port, args.workers)
    ok = True
    try:
        sessions = {}
        for username in ("manager", "screener1"):
            sessions[username] = Session(f"http://127.0.0.1:{port}")
            sessions[username].sign_in(username, secrets[username])
        for label, username, path in pages:
            stats, rows = time_page(sessions[username], path, args.requests)
            verdict = "OK" if stats["p95"] < 0.05 else "over 50 ms"
            ok &= stats["p95"] < 0.05
            print(f"  {label:<34} rows={rows:<3} {fmt(stats)}  [{verdict}]")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)

    django_setup(env)
    print("\n== SQL queries per queue page (in-process, same view and database)")
    page_sql = count_queries([(label, path) for label, user, path in pages if user == "manager"])
    print("  plan of the last page query (manager, kind + state filter):")
    print(explain(page_sql))
    client_sql = count_queries_first_page_plan()
    print("  plan of the first-page query (manager):")
    print(explain(client_sql))

    print(f"\n== take_next: {args.staff} concurrent screeners, 16 connections, SKIP LOCKED")
    ok &= concurrent_take_next(min(args.staff, 16), args.take_next_calls)
    print("\nresult:", "all targets met" if ok else "SOME TARGETS MISSED (see above)")
    return 0 if ok else 1


def count_queries_first_page_plan():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_client("manager")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/mash/")
    return next(q["sql"] for q in ctx.captured_queries if 'FROM "mash_screeningrecord"' in q["sql"])


if __name__ == "__main__":
    sys.exit(main())
