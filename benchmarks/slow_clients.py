"""Slow clients against sync gunicorn, directly and behind nginx: does a normal visitor notice?

Run on demand (not a test):

    .venv/bin/python benchmarks/slow_clients.py [--window 20] [--attackers 6] [--rounds 1]

It migrates a PostgreSQL database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/bench_slow_clients; created if missing), starts gunicorn as
production does (3 sync workers, --timeout=30, DEBUG=0) and, in front of it, Debian's nginx
(`apt-get install nginx-light`) as a non-daemon on its own port, with a configuration generated
from the repository's: deploy/nginx/app.conf as it is (buffering, timeouts, body size, static
files from the collected files), and default.conf's upstream and connection zone with the
upstream pointed at this gunicorn.

For each way in (gunicorn directly, then nginx), a normal visitor (--visitors threads, each
asking for the borough page on a fresh connection every --pause seconds, 10 s timeout) is
timed for --window seconds with no attack, then for --window seconds during the attack:
--attackers connections (at least 4), half sending their headers and half their body one byte
every --drip seconds, each reconnecting when the server drops it, all closed when the window
ends (the attack is bounded). A request that times out counts as 10 s and as an error.

It prints p50/p95/max, requests and errors for the four cells and PASS/FAIL against the
target: through nginx, the visitor's p95 under attack is within 2x of without (and no errors).
Gunicorn directly is the reproduction: it is expected to fail. Results go to
benchmarks/results/ (ignored by git). Exit status 0 on PASS, 1 on FAIL.
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
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from urllib.parse import urlsplit

from benchmarks.borough_page import ensure_database, manage, stop

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
NGINX_DIR = ROOT / "deploy" / "nginx"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_slow_clients"
VISITOR_TIMEOUT = 10.0
MAX_RATIO = 2.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--borough", default="bromley")
    parser.add_argument("--window", type=float, default=20.0, help="seconds measured per cell")
    parser.add_argument("--attackers", type=int, default=6, help="slow connections (>= 4)")
    parser.add_argument("--drip", type=float, default=5.0, help="seconds between attack bytes")
    parser.add_argument("--visitors", type=int, default=2, help="normal visitor threads")
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between visits")
    parser.add_argument("--rounds", type=int, default=1, help="repeat both cells N times")
    parser.add_argument("--gunicorn-port", type=int, default=8510)
    parser.add_argument("--nginx-port", type=int, default=8511)
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    if args.attackers < 4:
        parser.error("--attackers must be at least 4")
    return args


# --- The servers -----------------------------------------------------------------------------


def server_env(database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY="benchmark-only-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        TRUSTED_PROXIES="127.0.0.1",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    """As the Dockerfile and compose run it: sync workers (WEB_CONCURRENCY=3), 30 s timeout."""
    command = [
        GUNICORN,
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        "--workers=3",
        "--worker-class=sync",
        "--timeout=30",
        "--graceful-timeout=5",
        "--log-level=error",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def nginx_config(workdir: Path, *, gunicorn_port: int, nginx_port: int, static_root: Path) -> Path:
    """A whole nginx.conf for Debian's nginx, from the repository's: default.conf's lines before
    its first server block (upstream, connection zone) with the upstream made local, and
    app.conf as it is, with the static folder made local."""
    default = (NGINX_DIR / "default.conf").read_text()
    http_part = default[: re.search(r"^server\s*\{", default, re.MULTILINE).start()]
    http_part, swapped = re.subn(
        r"server\s+web:8000;", f"server 127.0.0.1:{gunicorn_port};", http_part
    )
    assert swapped == 1, "default.conf's upstream is not `server web:8000;`"
    app = (NGINX_DIR / "app.conf").read_text()
    app, swapped = re.subn(r"alias /srv/static/;", f"alias {static_root}/;", app)
    assert swapped == 1, "app.conf does not serve /static/ from /srv/static/"
    (workdir / "app.conf").write_text(app)
    temp = {name: workdir / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    config = f"""
daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
{http_part}
    server {{
        listen 127.0.0.1:{nginx_port};
        include {workdir}/app.conf;
    }}
}}
"""
    path = workdir / "nginx.conf"
    path.write_text(config)
    return path


def start_nginx(nginx: str, config: Path) -> subprocess.Popen:
    subprocess.run([nginx, "-t", "-q", "-c", str(config)], check=True)
    return subprocess.Popen([nginx, "-c", str(config)], start_new_session=True)


def http_get(port: int, path: str, timeout: float) -> int:
    """One GET on a fresh connection; the status (the whole response is read)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head = b"".join(chunks).split(b"\r\n", 1)[0].split()
    return int(head[1]) if len(head) > 1 else 0


def wait_until_up(port: int, process: subprocess.Popen, name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}")
        try:
            if http_get(port, "/healthz", 5) == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{name} did not answer /healthz in time")


# --- The attack and the visitor --------------------------------------------------------------


def slow_connection(port: int, mode: str, drip: float, stop_event: threading.Event) -> dict:
    """One attacker: sends its headers (mode "headers") or its body ("body") one byte every
    `drip` seconds, never finishing; reconnects whenever the server drops it."""
    stats = {"connections": 0, "bytes": 0, "dropped": 0}
    while not stop_event.is_set():
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            stop_event.wait(0.5)
            continue
        stats["connections"] += 1
        try:
            if mode == "headers":
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                drip_bytes = b"X-Slow: " + b"a" * 10_000
            else:
                # A CSRF cookie (any well-formed one), so Django reads the body to compare it
                # with the form's token instead of refusing the request at once.
                sock.sendall(
                    b"POST /bromley/report/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Cookie: csrftoken=" + b"A" * 32 + b"\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: 100000\r\n\r\n"
                )
                drip_bytes = b"a" * 100_000
            for byte in drip_bytes:
                if stop_event.wait(drip):
                    break
                sock.sendall(bytes([byte]))
                stats["bytes"] += 1
        except OSError:
            stats["dropped"] += 1
        finally:
            sock.close()
    return stats


def visitor(port: int, path: str, pause: float, until: float, samples: list, errors: list):
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            status = http_get(port, path, VISITOR_TIMEOUT)
            elapsed = time.perf_counter() - started
            if status != 200:
                errors.append(status)
        except OSError as exc:
            elapsed = max(time.perf_counter() - started, VISITOR_TIMEOUT)
            errors.append(type(exc).__name__)
        samples.append(elapsed)
        time.sleep(pause)


def measure(port: int, args: argparse.Namespace, *, attack: bool) -> dict:
    path = f"/{args.borough}/"
    stop_event = threading.Event()
    attackers: list[threading.Thread] = []
    attack_stats: list[dict] = []
    if attack:
        for number in range(args.attackers):
            mode = "headers" if number % 2 == 0 else "body"

            def run(mode=mode):
                attack_stats.append(slow_connection(port, mode, args.drip, stop_event))

            thread = threading.Thread(target=run, daemon=True)
            thread.start()
            attackers.append(thread)
        time.sleep(2 * args.drip)  # the attack has taken hold before the visitor is timed
    samples: list[float] = []
    errors: list = []
    until = time.monotonic() + args.window
    visitors = [
        threading.Thread(target=visitor, args=(port, path, args.pause, until, samples, errors))
        for _ in range(args.visitors)
    ]
    for thread in visitors:
        thread.start()
    for thread in visitors:
        thread.join()
    stop_event.set()
    for thread in attackers:
        thread.join(timeout=args.drip + 10)
    cuts = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else None
    return {
        "attack": attack,
        "requests": len(samples),
        "errors": len(errors),
        "error_kinds": sorted({str(error) for error in errors}),
        "p50_ms": (cuts[49] if cuts else samples[0]) * 1000,
        "p95_ms": (cuts[94] if cuts else samples[0]) * 1000,
        "max_ms": max(samples) * 1000,
        "attack_connections": sum(stat["connections"] for stat in attack_stats),
        "attack_bytes": sum(stat["bytes"] for stat in attack_stats),
    }


def merged(runs: list[dict]) -> dict:
    if len(runs) == 1:
        return runs[0]
    keys = ("p50_ms", "p95_ms", "max_ms")
    result = {key: statistics.median(run[key] for run in runs) for key in keys}
    for key in ("requests", "errors", "attack_connections", "attack_bytes"):
        result[key] = sum(run[key] for run in runs)
    result["error_kinds"] = sorted({kind for run in runs for kind in run["error_kinds"]})
    return result


# --- Main ------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    database_url = args.database_url or DEFAULT_DATABASE_URL
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"this benchmark runs on PostgreSQL, not {database_url}")
    if not Path(args.nginx).exists():
        raise SystemExit("nginx is not installed: apt-get install -y nginx-light")
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = server_env(database_url)
    ensure_database(database_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    static_root = ROOT / "staticfiles"

    workdir = Path(tempfile.mkdtemp(prefix="slow-clients-nginx-"))
    workdir.chmod(0o755)  # nginx's workers (nobody, when started as root) use its temp folders
    config = nginx_config(
        workdir,
        gunicorn_port=args.gunicorn_port,
        nginx_port=args.nginx_port,
        static_root=static_root,
    )
    runs: dict[str, list[dict]] = {}
    gunicorn = start_gunicorn(env, args.gunicorn_port)
    nginx = None
    try:
        wait_until_up(args.gunicorn_port, gunicorn, "gunicorn")
        nginx = start_nginx(args.nginx, config)
        wait_until_up(args.nginx_port, nginx, "nginx")
        ways = {"gunicorn": args.gunicorn_port, "nginx": args.nginx_port}
        for port in ways.values():  # warm every worker: imports, connections
            measure(port, argparse.Namespace(**{**vars(args), "window": 2.0}), attack=False)
        for _ in range(args.rounds):
            for way, port in ways.items():
                for attack in (False, True):
                    cell = f"{way} {'under attack' if attack else 'no attack'}"
                    runs.setdefault(cell, []).append(measure(port, args, attack=attack))
                    print(f"  {cell}: p95 {runs[cell][-1]['p95_ms']:.1f} ms", flush=True)
                    time.sleep(1)
        static_status = http_get(args.nginx_port, "/static/app.css", 5)
    finally:
        if nginx is not None:
            stop(nginx)
        stop(gunicorn)
        shutil.rmtree(workdir, ignore_errors=True)

    cells = {name: merged(cell_runs) for name, cell_runs in runs.items()}
    quiet, attacked = cells["nginx no attack"], cells["nginx under attack"]
    direct_quiet, direct_attacked = cells["gunicorn no attack"], cells["gunicorn under attack"]
    ratio = attacked["p95_ms"] / quiet["p95_ms"]
    direct_ratio = direct_attacked["p95_ms"] / direct_quiet["p95_ms"]
    checks = {
        f"through nginx, p95 under attack within {MAX_RATIO:g}x of without": ratio <= MAX_RATIO,
        "through nginx, no visitor request failed": quiet["errors"] + attacked["errors"] == 0,
        "nginx serves /static/ from the collected files": static_status == 200,
    }
    passed = all(checks.values())

    now = dt.datetime.now(dt.UTC)
    lines = [
        f"slow clients benchmark, {now:%Y-%m-%d %H:%M:%S} UTC",
        f"server: gunicorn 3 x sync, --timeout=30, DEBUG=0, "
        f"{urlsplit(database_url)._replace(netloc='…').geturl()} (PostgreSQL); "
        f"{subprocess.run([args.nginx, '-v'], capture_output=True, text=True).stderr.strip()}",
        f"attack: {args.attackers} connections (half headers, half body), one byte every "
        f"{args.drip:g} s; visitor: {args.visitors} x GET /{args.borough}/ every "
        f"{args.pause:g} s, {VISITOR_TIMEOUT:g} s timeout; {args.window:g} s per cell x "
        f"{args.rounds} round(s)",
        "",
        f"{'cell':<26}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'requests':>10}{'errors':>8}"
        f"{'attack conns':>14}",
    ]
    for name, result in cells.items():
        lines.append(
            f"{name:<26}{result['p50_ms']:>10.1f}{result['p95_ms']:>10.1f}"
            f"{result['max_ms']:>10.1f}{result['requests']:>10}{result['errors']:>8}"
            f"{result['attack_connections']:>14}"
        )
    lines += [
        "",
        f"p95 under attack / without: gunicorn directly {direct_ratio:.1f}x, "
        f"through nginx {ratio:.2f}x",
        f"(load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)",
    ]
    lines += [f"{'PASS' if ok else 'FAIL'}  {name}" for name, ok in checks.items()]
    lines.append("PASS" if passed else "FAIL")
    report = "\n".join(lines)
    print(report)

    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    record = {
        "at": now.isoformat(),
        "args": {key: value for key, value in vars(args).items() if key != "database_url"},
        "cells": cells,
        "runs": runs,
        "ratio": ratio,
        "direct_ratio": direct_ratio,
        "passed": passed,
    }
    (RESULTS / f"slow_clients-{stamp}.json").write_text(json.dumps(record, indent=2))
    (RESULTS / f"slow_clients-{stamp}.txt").write_text(report + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
