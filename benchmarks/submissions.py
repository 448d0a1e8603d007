"""Do submissions survive load, and a dead Redis? 1,000 concern reports through the real
journey, from 20 concurrent clients, against gunicorn on PostgreSQL.

Run on demand (not a test):

    .venv/bin/python benchmarks/submissions.py [--submissions 1000] [--clients 20]
        [--phase both|up|down] [--mode submit|journey] [--workers 3]
        [--worker-class sync|gthread] [--threads 4]

Each submission is a fresh visitor walking the whole public journey at /bromley/report/:
GET the first question (session and CSRF cookies, CSRF token), POST every question page in
turn (one child, the concern, then anonymous or named with an email, alternately), POST
"Check your answers" (the request that runs `submit_concern`: the submission), then GET the
confirmation page and read the reference from it. About 17 requests per submission.

--mode submit (the default) times the submissions themselves: the 20 clients first walk all
1,000 journeys up to "Check your answers" (timed too, reported as journey requests), then the
same 20 clients submit the 1,000 as fast as the server answers, each followed by its
confirmation page. --mode journey times each submission in the middle of everyone else's
question pages instead: each client walks and submits one journey after another, so the
server (2 cores here, shared with the load generator) is saturated by the whole journey and
the submit figure is mostly queueing behind question pages.

Two phases, each with its own gunicorn on the same PostgreSQL database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_reporting, created if missing). gunicorn runs as in
production (Dockerfile): 3 sync workers, one request at a time each, the rest waiting in the
listen queue in arrival order. --worker-class gthread --threads 4 tries threaded workers
instead (more throughput here, but a worker's threads share one interpreter lock, and the
slowest tenth of requests wait twice as long).
  up    REDIS_URL is a real Redis (--redis-url, default redis://127.0.0.1:6379/7) and a Celery
        worker sends the acknowledgement emails (to Django's dummy email backend). The worker
        yields the CPU as in production: it puts itself under the idle scheduling policy
        (WORKER_SCHED_IDLE, the default; the report shows the policies its processes ran
        under), and runs niced (19, its session's autogroup too) as compose gives it a low
        cpu_shares. A person waiting for "Report sent" comes before an email queued a moment
        ago.
  down  REDIS_URL points at a closed port for the whole phase, as if Redis had died: the
        broker publish after commit fails (caught and logged), the cache fails open. After the
        load the outbox sweeper (what beat runs every minute) sends the emails left behind.
        The shared Redis is never stopped: other work uses it.

The database is vacuumed (VACUUM ANALYZE) before each phase and between walking and
submitting, as autovacuum does in production: this machine's PostgreSQL runs with autovacuum
off, and every journey page rewrites its session row.

The rate limits are turned off for the run (RATE_LIMIT_SESSION, RATE_LIMIT_SUBMISSIONS and
RATE_LIMIT_GLOBAL all 0): all 20 clients come from 127.0.0.1 and send 1,000 reports in minutes,
which the limits would otherwise, rightly, throttle.

For each phase it prints p50/p95/p99 of the submitting request (POST check-your-answers) and of
every request in the journey, and checks: every submission answered with the confirmation,
every reference shown to a client is in the database, the database gained exactly as many
referrals as were submitted, no duplicate reference, and every acknowledgement email owed was
sent. PASS/FAIL also against p95 of the submitting request under 150 ms. Results go to
benchmarks/results/ (ignored by git). Exit status 0 on PASS.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_reporting"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/7"
MAX_P95_MS = 150.0
BASE = "/bromley/report/"

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REFERENCE_RE = re.compile(r"\b(BRM-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4})\b")

# The journey's pages and answers, as a visitor types them (the same as tests/reporting's).
JOURNEY = [
    ("danger/", {"danger": "no"}),
    ("who/", {"who": "public"}),
    ("child/1/name/", {"first_name": "Sam", "last_name": "Smith"}),
    ("child/1/age/", {"age_known": "dob"}),
    (
        "child/1/date-of-birth/",
        {"date_of_birth_0": "3", "date_of_birth_1": "4", "date_of_birth_2": "2016"},
    ),
    ("child/1/where/", {"address": "1 High Street\nBromley", "postcode": "br1 3uh"}),
    ("child/1/sex/", {"sex": "male"}),
    ("child/1/ethnicity/", {}),
    ("children/", {"add_another": "no"}),
    ("other-children/", {"other_children_in_home": "no"}),
    ("categories/", {"categories": ["neglect", "physical"]}),
    (
        "description/",
        {
            "description": (
                "He is often outside late at night with no coat, and says there is no food at "
                "home. I hear shouting most evenings and last week he had a bruise on his face."
            )
        },
    ),
    ("when/", {"when_happened": "Most evenings for the last month"}),
    ("still-happening/", {"still_happening": "yes"}),
    ("how-known/", {"how_known": "saw"}),
]
ANONYMOUS = [("about-you/", {"anonymous": "yes"})]
NAMED = [
    ("about-you/", {"anonymous": "no"}),
    (
        "your-details/",
        {
            "name": "Pat Jones",
            "phone": "07911 123456",
            "email": "pat@example.com",
            "relationship": "Neighbour",
            "updates_by": "email",
        },
    ),
    ("contact-safe/", {"safe_to_contact": "yes", "contact_notes": "After 6pm"}),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--phase", default="both", choices=["both", "up", "down"])
    parser.add_argument(
        "--mode",
        default="submit",
        choices=["submit", "journey"],
        help="submit: walk every journey first, then time the 1,000 submissions from the 20 "
        "clients; journey: each client walks and submits one journey after another",
    )
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn workers (production: WEB_CONCURRENCY=3)"
    )
    parser.add_argument(
        "--worker-class",
        default="sync",
        choices=["sync", "gthread"],
        help="sync (gunicorn's default, as in production) or gthread",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    return parser.parse_args()


# --- Processes -------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, redis_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DEBUG", "SECRET_KEY", "ROOT_URLCONF", "DATABASE_URL"}
    }
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        DEBUG="0",
        SECRET_KEY="benchmark-only-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        RATE_LIMIT_SESSION="0",
        RATE_LIMIT_SUBMISSIONS="0",
        RATE_LIMIT_GLOBAL="0",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        PYTHONPATH=str(ROOT),
        BENCH_BARE_FILE=str(RESULTS / "bare_body.html"),
    )
    return env


def ensure_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def start(command: list[str], env: dict[str, str], log: Path, nice: int = 0) -> subprocess.Popen:
    """Start a process in a session of its own. `nice` lowers its CPU priority: Linux schedules
    each session as one group (autogroup) before nice counts inside it, so the group's own
    niceness is set too, where the kernel has autogroups."""
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=out,
            stderr=out,
            preexec_fn=(lambda: os.nice(nice)) if nice else None,
        )
    if nice:
        with contextlib.suppress(OSError):  # no autogroups: the process's niceness counts
            Path(f"/proc/{process.pid}/autogroup").write_text(str(nice))
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def scheduling_policy(pid: int) -> str:
    """The Linux scheduling policy a process runs under, by name (e.g. SCHED_IDLE)."""
    try:
        policy = os.sched_getscheduler(pid)
    except OSError as exc:
        return f"unknown ({exc.strerror})"
    names = {
        getattr(os, n): n for n in ("SCHED_OTHER", "SCHED_BATCH", "SCHED_IDLE") if hasattr(os, n)
    }
    return names.get(policy, str(policy))


def worker_policies(pid: int) -> str:
    """The scheduling policy of a Celery worker's main process and of its pool processes."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    pool = sorted({scheduling_policy(int(child)) for child in children})
    return f"main {scheduling_policy(pid)}, pool {' '.join(pool) or 'not found'}"


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz in time")


# --- One visitor -----------------------------------------------------------------------------


class Visitor:
    """One browser: its own cookies and keep-alive connection."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, data: dict | None = None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # the server closed an idle keep-alive connection: reconnect
                if attempt:
                    raise
                continue
            elapsed = time.perf_counter() - started
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie(header)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
            if response.will_close:
                self.close()
            return response.status, response.headers, content.decode(), elapsed
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def walk_to_check(port: int, named: bool) -> dict:
    """A new visitor answers every question up to "Check your answers" (not yet submitted).
    Returns the visitor, its CSRF token and timings, or the failure."""
    visitor = Visitor(port)
    walked = _walk(visitor, named)
    if "error" in walked:
        visitor.close()
    return walked


def _walk(visitor: Visitor, named: bool) -> dict:
    timings: list[float] = []
    try:
        status, _, html, elapsed = visitor.request("GET", BASE + "danger/")
        timings.append(elapsed)
        token = CSRF_RE.search(html)
        if status != 200 or not token:
            return {"error": f"GET danger/ answered {status}", "timings": timings}
        for path, answers in JOURNEY + (NAMED if named else ANONYMOUS):
            data = {**answers, "csrfmiddlewaretoken": token.group(1)}
            status, _, _, elapsed = visitor.request("POST", BASE + path, data)
            timings.append(elapsed)
            if status != 302:
                return {"error": f"POST {path} answered {status}", "timings": timings}
        return {"visitor": visitor, "token": token.group(1), "named": named, "timings": timings}
    except OSError as exc:
        return {"error": f"{type(exc).__name__}: {exc}", "timings": timings}


def submit_walked(walked: dict) -> dict:
    """Submit a walked journey (POST "Check your answers": the request that saves the report)
    and read the reference from the confirmation page."""
    if "error" in walked:
        return walked
    visitor, timings = walked["visitor"], []
    try:
        data = {"website": "", "csrfmiddlewaretoken": walked["token"]}
        status, headers, _, submit_elapsed = visitor.request(
            "POST", BASE + "check-your-answers/", data
        )
        timings.append(submit_elapsed)
        if status != 302 or headers.get("Location") != BASE + "sent/":
            return {"error": f"POST check-your-answers/ answered {status}", "timings": timings}
        status, _, html, confirm_elapsed = visitor.request("GET", BASE + "sent/")
        timings.append(confirm_elapsed)
        reference = REFERENCE_RE.search(html)
        if status != 200 or not reference:
            return {"error": f"GET sent/ answered {status} without a reference", "timings": timings}
        return {
            "reference": reference.group(1),
            "named": walked["named"],
            "submit": submit_elapsed,
            "confirm": confirm_elapsed,
            "timings": timings,
        }
    except OSError as exc:
        return {"error": f"{type(exc).__name__}: {exc}", "timings": timings}
    finally:
        visitor.close()


def submit_one(port: int, named: bool) -> dict:
    """Walk the whole journey once and submit. Returns timings and the reference shown."""
    walked = walk_to_check(port, named)
    done = submit_walked(walked)
    if "error" not in walked:
        done["timings"] = walked["timings"] + done["timings"]
    return done


def concurrently(work: list, clients: int, task, label: str) -> tuple[list, float]:
    """Run task(item) for every item from `clients` threads; results in completion order."""
    results: list = []
    lock = threading.Lock()
    items = iter(work)

    def client() -> None:
        while True:
            with lock:
                item = next(items, None)
            if item is None:
                return
            outcome = task(item)
            with lock:
                results.append(outcome)
                done = len(results)
            if done % 250 == 0:
                print(f"  {done}/{len(work)} {label}", flush=True)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def run_load(port: int, submissions: int, clients: int, mode: str, settle=lambda: None) -> dict:
    """mode "submit": the clients first walk every journey up to "Check your answers", then
    the same 20 clients submit them all, so the submissions are timed under 20 concurrent
    submitters. mode "journey": each client walks and submits one journey after another, so
    submissions are timed among everyone else's question pages (the whole service saturated)."""
    named = [number % 2 == 0 for number in range(submissions)]
    if mode == "journey":
        results, seconds = concurrently(
            named, clients, lambda n: submit_one(port, n), "submitted (whole journeys)"
        )
        return {"results": results, "seconds": seconds, "walk_timings": []}
    walked, walk_seconds = concurrently(
        named, clients, lambda n: walk_to_check(port, n), "walked to check your answers"
    )
    for each in walked:  # a thousand idle keep-alive connections would be a test of their own
        if "visitor" in each:
            each["visitor"].close()
    settle()
    print(f"  walked in {walk_seconds:.1f} s; now submitting", flush=True)
    client_cpu = time.process_time()
    results, seconds = concurrently(walked, clients, submit_walked, "submitted")
    client_cpu = time.process_time() - client_cpu
    return {
        "results": results,
        "seconds": seconds,
        "client_cpu_s": client_cpu,
        "walk_timings": [t for w in walked for t in w["timings"]],
        "walk_seconds": walk_seconds,
    }


# --- Checks ----------------------------------------------------------------------------------


def db_query(database_url: str, sql: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(database_url, connect_timeout=5) as connection:
        return connection.execute(sql, params).fetchall()


def autovacuum_on(database_url: str) -> bool:
    return db_query(database_url, "SHOW autovacuum")[0][0] == "on"


def vacuum(database_url: str) -> None:
    """VACUUM (ANALYZE) the benchmark's database, as autovacuum does in production. Every
    journey page rewrites its session row; on a server with autovacuum off (this machine's
    PostgreSQL runs with it off, a CI setting) the dead rows pile up and each run is slower than
    the one before (seen here: 82, 74, 58, 49 submissions/s over four runs)."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute("VACUUM (ANALYZE)")


def unsent_all(database_url: str) -> int:
    """Outbox rows not yet sent, whatever their referral (earlier runs can leave some)."""
    return db_query(
        database_url, "SELECT count(*) FROM reporting_outboxmessage WHERE sent_at IS NULL"
    )[0][0]


def referral_count(database_url: str) -> int:
    return db_query(database_url, "SELECT count(*) FROM reporting_referral")[0][0]


def unsent_for(database_url: str, references: list[str]) -> int:
    return db_query(
        database_url,
        "SELECT count(*) FROM reporting_outboxmessage m JOIN reporting_referral r "
        "ON r.id = m.referral_id WHERE m.sent_at IS NULL AND r.reference = ANY(%s)",
        (references,),
    )[0][0]


def percentiles(values: list[float]) -> dict:
    if len(values) < 2:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50_ms": cuts[49] * 1000,
        "p95_ms": cuts[94] * 1000,
        "p99_ms": cuts[98] * 1000,
        "max_ms": max(values) * 1000,
    }


def run_phase(name: str, args, database_url: str) -> dict:
    redis_url = args.redis_url if name == "up" else f"redis://127.0.0.1:{closed_port()}/0"
    env = server_env(database_url, redis_url)
    logs = RESULTS / f"submissions-{name}"
    logs.mkdir(parents=True, exist_ok=True)
    print(f"\n== phase {name}: REDIS_URL={redis_url}")

    before = referral_count(database_url)
    gunicorn = start(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            f"--bind=127.0.0.1:{args.port}",
            f"--workers={args.workers}",
            f"--worker-class={args.worker_class}",
            *([f"--threads={args.threads}"] if args.worker_class == "gthread" else []),
            "--timeout=30",
            "--log-level=warning",
        ],
        env,
        logs / "gunicorn.log",
    )
    worker = None
    if name == "up":
        worker = start(
            [str(BIN / "celery"), "-A", "config", "worker", "--concurrency=2", "-l", "WARNING"],
            env,
            logs / "worker.log",
            nice=19,
        )
    try:
        wait_until_up(args.port, gunicorn)
        for _ in range(args.workers * 2):  # warm each worker: imports, connections
            submit_one(args.port, named=True)
        vacuum(database_url)
        before = referral_count(database_url)
        unsent_before = unsent_all(database_url)
        load = run_load(
            args.port,
            args.submissions,
            args.clients,
            args.mode,
            settle=lambda: vacuum(database_url),
        )
        results, seconds = load["results"], load["seconds"]
        after_load = referral_count(database_url)
        ok = [r for r in results if "reference" in r]
        references = [r["reference"] for r in ok]
        owed = [r["reference"] for r in ok if r["named"]]
        swept, drained_after, worker_policy = 0, None, None
        if worker is not None:  # let the worker drain what it was given
            worker_policy = worker_policies(worker.pid)
            load_ended = time.monotonic()
            deadline = load_ended + 120
            while unsent_for(database_url, owed) and time.monotonic() < deadline:
                time.sleep(0.2)
            drained_after = time.monotonic() - load_ended
        else:  # Redis is "back": what beat's sweep_outbox would do, run until nothing is left
            sweep_env = server_env(database_url, "")
            out = manage(
                sweep_env,
                "shell",
                "-c",
                "from notifications.sending import sweep_unsent\n"
                "total = 0\n"
                "while (n := sweep_unsent()):\n"
                "    total += n\n"
                "print('SWEPT', total)",
            )
            swept = int(re.search(r"SWEPT (\d+)", out).group(1))
    finally:
        stop(gunicorn)
        if worker is not None:
            stop(worker)

    in_db = db_query(
        database_url,
        "SELECT count(*) FROM reporting_referral WHERE reference = ANY(%s)",
        (references,),
    )[0][0]
    duplicates = db_query(
        database_url,
        "SELECT count(*) FROM (SELECT reference FROM reporting_referral "
        "GROUP BY reference HAVING count(*) > 1) d",
    )[0][0]
    unsent = unsent_for(database_url, owed)
    all_timings = load["walk_timings"] + [t for r in results for t in r["timings"]]
    submit = percentiles([r["submit"] for r in ok])
    confirm = percentiles([r["confirm"] for r in ok])
    journey = percentiles(all_timings)
    errors: dict[str, int] = {}
    for r in results:
        if "error" in r:
            errors[r["error"]] = errors.get(r["error"], 0) + 1
    checks = {
        f"all {args.submissions} submissions confirmed": len(ok) == args.submissions,
        "every confirmed reference is in the database": in_db == len(references),
        "the database gained exactly the submissions": after_load - before == len(ok),
        "no duplicate reference (clients)": len(set(references)) == len(references),
        "no duplicate reference (database)": duplicates == 0,
        f"every acknowledgement sent ({len(owed)} owed)": unsent == 0,
        f"submit p95 < {MAX_P95_MS:.0f} ms": submit["p95_ms"] < MAX_P95_MS,
    }
    return {
        "phase": name,
        "redis_url": redis_url,
        "seconds": seconds,
        "requests": len(all_timings),
        "submissions_per_s": len(ok) / seconds,
        "confirmed": len(ok),
        "in_db": in_db,
        "db_gained": after_load - before,
        "duplicates": duplicates,
        "acknowledgements_owed": len(owed),
        "acknowledgements_unsent": unsent,
        "swept_after": swept,
        "emails_drained_after_s": drained_after,
        "worker_policy": worker_policy,
        "unsent_before": unsent_before,
        "walk_seconds": load.get("walk_seconds"),
        "client_cpu_s": load.get("client_cpu_s"),
        "submit": submit,
        "confirm": confirm,
        "journey": journey,
        "errors": errors,
        "checks": checks,
    }


def main() -> int:
    # Run as a script, this folder is first on sys.path, where a sibling benchmark module
    # (benchmarks/queue.py) would shadow the standard library's `queue` that psycopg imports.
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        sys.path[0] = str(ROOT)
    args = parse_args()
    database_url = args.database_url or DEFAULT_DATABASE_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"this benchmark runs on PostgreSQL, not {database_url}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = server_env(database_url, "")
    ensure_database(database_url)
    autovacuum = autovacuum_on(database_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")

    phases = ["up", "down"] if args.phase == "both" else [args.phase]
    outcomes = [run_phase(name, args, database_url) for name in phases]

    now = dt.datetime.now(dt.UTC)
    lines = [
        f"submissions benchmark, {now:%Y-%m-%d %H:%M:%S} UTC, {os.cpu_count()} CPUs; "
        f"PostgreSQL autovacuum {'on' if autovacuum else 'off'} (the benchmark vacuums)",
        f"server: gunicorn {args.workers} x {args.worker_class}"
        + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
        + ", DEBUG=0, "
        f"PostgreSQL; load: {args.clients} concurrent clients, {args.submissions} submissions "
        + (
            "per phase, each walking the whole journey (~17 requests) and submitting"
            if args.mode == "journey"
            else "per phase: the journeys walked first (~16 requests each), then the "
            "submissions timed"
        ),
    ]
    passed = True
    for o in outcomes:
        s, j = o["submit"], o["journey"]
        lines += [
            "",
            f"phase {o['phase']} (REDIS_URL {o['redis_url']}): {o['seconds']:.1f} s, "
            f"{o['submissions_per_s']:.1f} submissions/s, {o['requests']} requests"
            + (
                f" (walking the journeys took {o['walk_seconds']:.1f} s before)"
                if o.get("walk_seconds")
                else ""
            ),
            f"  submit (POST check-your-answers): p50 {s['p50_ms']:.1f} ms, p95 "
            f"{s['p95_ms']:.1f} ms, p99 {s['p99_ms']:.1f} ms, max {s['max_ms']:.1f} ms",
            (
                f"  the load generator itself used {o['client_cpu_s']:.1f} s of CPU while "
                f"submitting ({o['client_cpu_s'] / o['seconds'] * 100:.0f}% of one core)"
                if o.get("client_cpu_s")
                else ""
            ),
            f"  confirmation page (GET sent/):     p50 {o['confirm']['p50_ms']:.1f} ms, p95 "
            f"{o['confirm']['p95_ms']:.1f} ms, p99 {o['confirm']['p99_ms']:.1f} ms",
            f"  every journey request:            p50 {j['p50_ms']:.1f} ms, p95 "
            f"{j['p95_ms']:.1f} ms, p99 {j['p99_ms']:.1f} ms, max {j['max_ms']:.1f} ms",
            f"  confirmed {o['confirmed']}, in the database {o['in_db']}, database gained "
            f"{o['db_gained']}, duplicate references {o['duplicates']}",
            f"  acknowledgements owed {o['acknowledgements_owed']}, unsent at the end "
            f"{o['acknowledgements_unsent']}"
            + (
                f" (the sweeper sent {o['swept_after']} after: these plus the "
                f"{o['unsent_before']} unsent before the load, from the warm-up submissions "
                "and any earlier run)"
                if o["phase"] == "down"
                else f" (the last sent {o['emails_drained_after_s']:.1f} s after the last "
                "submission: the worker yields the CPU to the web workers while they are busy; "
                f"worker scheduling policy: {o['worker_policy']})"
            ),
        ]
        if o["errors"]:
            lines.append(f"  errors: {o['errors']}")
        lines += [f"  {'PASS' if ok else 'FAIL'}  {name}" for name, ok in o["checks"].items()]
        passed = passed and all(o["checks"].values())
    lines.append("PASS" if passed else "FAIL")
    report = "\n".join(lines)
    print(report)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"submissions-{stamp}.json").write_text(
        json.dumps(
            {
                "at": now.isoformat(),
                "args": vars(args) | {"database_url": None},
                "phases": outcomes,
                "passed": passed,
            },
            indent=2,
        )
        + "\n"
    )
    (RESULTS / f"submissions-{stamp}.txt").write_text(report + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
