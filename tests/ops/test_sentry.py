"""Optional Sentry: an error in a request reaches a (local, fake) Sentry endpoint with the
fault's type and place, and none of the person's data: no body, no cookies, no address, no
email, no name."""

import gzip
import json
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from config.sentry import scrub_event

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import django, sentry_sdk
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import path

def broken(request):
    # Built at run time, so that the source line Sentry shows beside the frame holds neither.
    who, where = "sentry-victim" + "@example.org", ".".join(["198", "51", "100", "23"])
    raise ValueError(f"could not save for {who} from {where}")

urlpatterns = [path("broken/", broken)]
from django.test.utils import override_settings
override_settings(ROOT_URLCONF=__name__).enable()
# Every value a person would send, built at run time (not quoted in a source line Sentry shows).
ip = ".".join(["198", "51", "100"])
client = Client(raise_request_exception=False, REMOTE_ADDR=ip + ".23",
                HTTP_X_FORWARDED_FOR=ip + ".24")
client.cookies["sessionid"] = "-".join(["cookie", "secret", "value"])
form = {"name": "Bartholo" + "mew Sentryname", "description": "Body " + "secret text"}
response = client.post("/broken/?email=" + "query-victim" + "@example.org", form)
print(response.status_code)
sentry_sdk.flush(timeout=10)
"""


class FakeSentry(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        FakeSentry.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_an_error_reaches_sentry_with_no_personal_data(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), FakeSentry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeSentry.received = []
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            SENTRY_DSN=f"http://publickey@127.0.0.1:{server.server_port}/42",
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            VAR_DIR=str(tmp_path),
            PYTHONPATH=str(ROOT),
            DEBUG="0",
            SECRET_KEY="sentry-test-secret-key-" + "k7Qx9Zp2" * 6,
            ALLOWED_HOSTS="testserver",
        )
        env.pop("REDIS_URL", None)
        probe = tmp_path / "probe.py"
        probe.write_text(PROBE)
        done = subprocess.run(
            [sys.executable, str(probe)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert done.stdout.strip().endswith("500")
    finally:
        server.shutdown()
    assert FakeSentry.received, "no event reached the fake Sentry"
    text = b"\n".join(FakeSentry.received).decode(errors="replace")
    events = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    types = [v["type"] for e in events for v in (e.get("exception") or {}).get("values", [])]
    assert "ValueError" in types, types
    event = next(
        e
        for e in events
        if (e.get("exception") or {}).get("values", [{}])[-1].get("type") == "ValueError"
    )
    for secret in (
        "sentry-victim@example.org",
        "query-victim",
        "198.51.100.23",
        "198.51.100.24",
        "cookie-secret-value",
        "Bartholomew",
        "Body secret text",
    ):
        at = text.find(secret)
        assert at < 0, f"{secret!r} reached Sentry: ...{text[max(0, at - 300) : at + 50]}"
    assert "[email]" in event["exception"]["values"][-1]["value"]


def test_the_scrubber_keeps_the_fault_and_drops_the_person():
    event = {
        "request": {
            "method": "POST",
            "url": "https://x/bromley/report/?q=a@b.org",
            "data": {"name": "Someone"},
            "cookies": {"sessionid": "abc"},
            "headers": {"X-Forwarded-For": "203.0.113.9"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "user": {"ip_address": "203.0.113.9"},
        "breadcrumbs": {"values": [{"message": "a@b.org"}]},
        "exception": {
            "values": [
                {
                    "type": "E",
                    "value": "for a@b.org at 203.0.113.9",
                    "stacktrace": {"frames": [{"vars": {"x": "a@b.org"}}]},
                }
            ]
        },
    }
    scrubbed = scrub_event(event)
    assert scrubbed["request"] == {"method": "POST", "url": "https://x/bromley/report/"}
    assert "user" not in scrubbed and "breadcrumbs" not in scrubbed
    value = scrubbed["exception"]["values"][0]
    assert (
        value["value"] == "for [email] at [ip]" and "vars" not in value["stacktrace"]["frames"][0]
    )
