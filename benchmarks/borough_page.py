"""How fast is the borough page, next to a bare Django view of the same size?

Run on demand (not a test):

    .venv/bin/python benchmarks/borough_page.py [--duration 10] [--connections 4]

It migrates a PostgreSQL database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_contacts; created if missing), starts gunicorn with
DEBUG=0 and the benchmark settings (benchmarks/bench_settings.py: the site plus /bare/, a view
returning a copy of the borough page's bytes), then drives /bare/ and /bromley/ in turn with the
same concurrency and duration, with `wrk` when installed, else a threaded Python client.

It prints requests/s and p50/p95/p99 for each, the ratio, and PASS/FAIL against:
  - the borough page serves at least 70% of the bare view's requests per second;
  - the borough page's p95 latency is under 50 ms.
Results go to benchmarks/results/ (ignored by git). Exit status 0 on PASS, 1 on FAIL.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts benchmarks/ first on sys.path, where a sibling module (queue.py)
# would shadow the standard library's: put the project root there instead.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import datetime as dt
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_contacts"

MIN_RATIO = 0.70
MAX_P95_MS = 50.0

WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--borough", default="bromley")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=4, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="per worker, for gthread")
    parser.add_argument("--rounds", type=int, default=1, help="alternate bare/borough N times")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--client", default="auto", choices=["auto", "wrk", "python"])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    return parser.parse_args()


# --- The server ------------------------------------------------------------------------------


def server_env(database_url: str, bare_file: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DEBUG", "SECRET_KEY", "ROOT_URLCONF"}
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        DEBUG="0",
        SECRET_KEY="benchmark-only-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        BENCH_BARE_FILE=str(bare_file),
    )
    return env


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database named in the URL if it does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def start_gunicorn(env: dict[str, str], args: argparse.Namespace) -> subprocess.Popen:
    command = [
        GUNICORN,
        "config.wsgi:application",
        f"--bind=127.0.0.1:{args.port}",
        f"--workers={args.workers}",
        f"--worker-class={args.worker_class}",
        f"--threads={args.threads}",
        "--log-level=warning",
        "--timeout=30",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def group_cpu_seconds(process: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by the server: gunicorn's master and workers, the
    processes of its session. Unlike latency, this does not depend on what else the machine
    is doing."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        # after the name: [3] is the session, [11] and [12] utime and stime
        if int(fields[3]) == process.pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


# --- The load --------------------------------------------------------------------------------


def run_wrk(url: str, args: argparse.Namespace, duration: float) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    try:
        threads = max(1, min(2, args.connections))
        done = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{args.connections}",
                f"-d{max(1, round(duration))}s",
                "--timeout=10s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    line = next(line for line in done.stdout.splitlines() if line.startswith("JSON "))
    raw = json.loads(line[5:])
    seconds = raw["duration_us"] / 1e6
    return {
        "client": "wrk",
        "requests": raw["requests"],
        "seconds": seconds,
        "rps": raw["requests"] / seconds,
        "errors": raw["socket_errors"] + raw["non_2xx"],
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
    }


def run_python_client(url: str, args: argparse.Namespace, duration: float) -> dict:
    """Threads, each with its own connection (reopened when the server closes it)."""
    parts = urlsplit(url)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def client() -> None:
        nonlocal errors
        mine: list[float] = []
        failed = 0
        connection = None
        while time.perf_counter() < stop_at:
            if connection is None:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            started = time.perf_counter()
            try:
                connection.request("GET", parts.path)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
                mine.append(time.perf_counter() - started)
                if response.will_close:
                    connection.close()
                    connection = None
            except OSError:
                failed += 1
                connection.close()
                connection = None
        if connection is not None:
            connection.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "client": "python",
        "requests": len(latencies),
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "errors": errors,
        "p50_ms": cuts[49] * 1000,
        "p95_ms": cuts[94] * 1000,
        "p99_ms": cuts[98] * 1000,
        "max_ms": max(latencies) * 1000,
    }


def load(url: str, args: argparse.Namespace, duration: float, server: subprocess.Popen) -> dict:
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    cpu_before = group_cpu_seconds(server)
    result = (run_wrk if use_wrk else run_python_client)(url, args, duration)
    cpu = group_cpu_seconds(server) - cpu_before
    result["server_cpu_ms_per_request"] = cpu * 1000 / max(1, result["requests"])
    return result


def median_of(runs: list[dict]) -> dict:
    if len(runs) == 1:
        return runs[0]
    keys = ("rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "server_cpu_ms_per_request")
    merged = {key: statistics.median(run[key] for run in runs) for key in keys}
    merged["requests"] = sum(run["requests"] for run in runs)
    merged["errors"] = sum(run["errors"] for run in runs)
    merged["client"] = runs[0]["client"]
    return merged


# --- Main ------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    database_url = args.database_url or DEFAULT_DATABASE_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"this benchmark runs on PostgreSQL, not {database_url}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    bare_file = RESULTS / "bare_body.html"
    env = server_env(database_url, bare_file)

    ensure_database(database_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")

    borough_path = f"/{args.borough}/"
    server = start_gunicorn(env, args)
    try:
        wait_until_up(args.port, server)
        status, page = get(args.port, borough_path)
        if status != 200:
            raise SystemExit(f"{borough_path} answered {status}")
        bare_file.write_bytes(page)
        status, bare = get(args.port, "/bare/")
        assert status == 200 and len(bare) == len(page), (status, len(bare), len(page))

        base = f"http://127.0.0.1:{args.port}"
        targets = {"bare": f"{base}/bare/", "borough": f"{base}{borough_path}"}
        for url in targets.values():  # warm every worker: imports, connections, memo
            load(url, args, args.warmup, server)
        runs: dict[str, list[dict]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, url in targets.items():
                runs[name].append(load(url, args, args.duration, server))
    finally:
        stop(server)

    bare_result, borough_result = median_of(runs["bare"]), median_of(runs["borough"])
    ratio = borough_result["rps"] / bare_result["rps"]
    checks = {
        f"borough req/s >= {MIN_RATIO:.0%} of bare": ratio >= MIN_RATIO,
        f"borough p95 < {MAX_P95_MS:.0f} ms": borough_result["p95_ms"] < MAX_P95_MS,
        "no errors": bare_result["errors"] == 0 and borough_result["errors"] == 0,
    }
    passed = all(checks.values())

    now = dt.datetime.now(dt.UTC)
    lines = [
        f"borough page benchmark, {now:%Y-%m-%d %H:%M:%S} UTC",
        f"server: gunicorn {args.workers} x {args.worker_class}"
        + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
        + f", DEBUG=0, {urlsplit(database_url)._replace(netloc='…').geturl()} (PostgreSQL)",
        f"load: {bare_result['client']}, {args.connections} connections, "
        f"{args.duration:g} s per endpoint x {args.rounds} round(s), page {len(page)} bytes",
        "",
        f"{'endpoint':<16}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'requests':>10}"
        f"{'errors':>8}{'cpu ms/req':>12}",
    ]
    for label, result in (("/bare/", bare_result), (borough_path, borough_result)):
        lines.append(
            f"{label:<16}{result['rps']:>9.1f}{result['p50_ms']:>9.2f}{result['p95_ms']:>9.2f}"
            f"{result['p99_ms']:>9.2f}{result['requests']:>10}{result['errors']:>8}"
            f"{result['server_cpu_ms_per_request']:>12.2f}"
        )
    cpu_ratio = (
        bare_result["server_cpu_ms_per_request"] / borough_result["server_cpu_ms_per_request"]
    )
    load_average = os.getloadavg()[0]
    lines += [
        "",
        f"ratio borough/bare: {ratio:.1%} by req/s; {cpu_ratio:.1%} by server CPU per request",
        f"(load average at the end {load_average:.1f} on {os.cpu_count()} CPUs: latency and"
        " req/s are only meaningful on an otherwise idle machine, CPU per request always is)",
    ]
    lines += [f"{'PASS' if ok else 'FAIL'}  {name}" for name, ok in checks.items()]
    lines.append("PASS" if passed else "FAIL")
    report = "\n".join(lines)
    print(report)

    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    record = {
        "at": now.isoformat(),
        "args": {key: value for key, value in vars(args).items() if key != "database_url"},
        "page_bytes": len(page),
        "bare": bare_result,
        "borough": borough_result,
        "runs": runs,
        "ratio": ratio,
        "cpu_ratio": cpu_ratio,
        "load_average": load_average,
        "checks": checks,
        "passed": passed,
    }
    (RESULTS / f"borough_page-{stamp}.json").write_text(json.dumps(record, indent=2) + "\n")
    (RESULTS / f"borough_page-{stamp}.txt").write_text(report + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
