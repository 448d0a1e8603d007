"""A PostgreSQL of the test's own (initdb + pg_ctl from PostgreSQL 15's binaries, in a temporary
folder, on a port of this worktree's range) and the app served on it by gunicorn as
production runs it (gunicorn.conf.py), so a test can stop the database mid-run for real."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.conftest import _missing

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
ROOT = Path(__file__).resolve().parents[2]
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse root: run them as the postgres user when we are root."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root without runuser")
    return [runuser, "-u", "postgres", "--", *command]


class OwnPostgres:
    def __init__(self, base: Path, port: int):
        self.base, self.port = base, port
        self.data = base / "data"
        self.socket_dir = base / "socket"
        self.log = base / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            _as_postgres([str(PG_BIN / args[0]), *args[1:]]),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def init(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
            shutil.chown(self.socket_dir, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


@pytest.fixture
def own_postgres():
    if not (PG_BIN / "initdb").exists():
        _missing(f"needs PostgreSQL's initdb and pg_ctl in {PG_BIN}", "REQUIRE_POSTGRES")
    # Straight under /tmp: pytest's own temporary folders are closed to the postgres user.
    base = Path(tempfile.mkdtemp(prefix="own-pg-"))
    server = OwnPostgres(base, free_port())
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def app_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "REDIS_URL", "DATABASE_URL", "SENTRY"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        VAR_DIR=str(var_dir),
        CONTACTS_SNAPSHOT_PATH=str(var_dir / "snapshot" / "contacts.json"),
        STATIC_ROOT=str(var_dir / "static"),
        SECRET_KEY="test-secret-key-for-a-server-of-its-own-" + "k7Qx9Zp2" * 5,
        DEBUG="0",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        RATE_LIMIT_SUBMISSIONS="0",
        PYTHONPATH=str(ROOT),
        CONN_MAX_AGE="60",
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class Gunicorn:
    """gunicorn on config.wsgi, from the project root (so gunicorn.conf.py applies), its
    stdout and stderr captured to files."""

    def __init__(self, env: dict, port: int, logs: Path):
        self.port, self.logs = port, logs
        self.out = open(logs / "gunicorn.out", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                "--workers=1",
                "--timeout=30",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_text()
            try:
                status, _, _ = Visitor(port).request("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not start:\n" + self.log_text())

    def log_text(self) -> str:
        if not self.out.closed:
            self.out.flush()
        return (self.logs / "gunicorn.out").read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.out.close()


class Visitor:
    """One browser: its cookies, its own source address and any headers it always sends."""

    def __init__(self, port: int, source: str = "127.0.0.1", headers: dict | None = None):
        self.port, self.source = port, source
        self.headers = headers or {}
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None):
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.source, 0)
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode(errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, content

    def walk(self, base: str, steps) -> str:
        """GET the first step for a CSRF token, then POST every step; returns the token."""
        status, _, html = self.request("GET", base + steps[0][0])
        assert status == 200, html[:500]
        token = CSRF_RE.search(html).group(1)
        for path, answers in steps:
            status, _, html = self.request(
                "POST", base + path, {**answers, "csrfmiddlewaretoken": token}
            )
            assert status == 302, (path, status, html[:2000])
        return token
