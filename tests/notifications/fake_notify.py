"""A small local fake of GOV.UK Notify's API, for the real `notifications-python-client` to talk
HTTP to: the two endpoints the service uses (POST /v2/notifications/email and /sms), Notify's
response shapes, and its check of the JWT in the Authorization header (HS256, signed with the
key's secret, `iss` the service id, `iat` within 30 seconds).

Answers are scripted: `fake.respond(429)` makes the next request fail with Notify's error body
for that status; with nothing scripted a well-formed request is accepted (201).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

SERVICE_ID = "8b3aa916-ec82-434e-b0c5-d5d9b371d6a3"
SECRET = "4f3a0f04-5b8a-4a92-a1df-1d49a2b8e6a0"
API_KEY = f"council_live-{SERVICE_ID}-{SECRET}"

ERRORS = {
    400: ("BadRequestError", "Can't send to this recipient using a team-only API key"),
    403: ("AuthError", "Invalid token: API key not found"),
    429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 s"),
    500: ("Exception", "Internal server error"),
    503: ("Exception", "Service unavailable"),
}
REQUIRED = {
    "/v2/notifications/email": "email_address",
    "/v2/notifications/sms": "phone_number",
}


@dataclass
class FakeNotify:
    requests: list[dict] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    def respond(self, *statuses: int) -> None:
        with self.lock:
            self.script.extend(statuses)

    def next_status(self) -> int | None:
        with self.lock:
            return self.script.pop(0) if self.script else None


def error_body(status: int, error: str, message: str) -> dict:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


def check_token(header: str) -> str | None:
    """None when the bearer token is one Notify would accept, else the reason."""
    if not header.startswith("Bearer "):
        return "Unauthorized: authentication token must be provided"
    token = header.removeprefix("Bearer ")
    try:
        headers = jwt.get_unverified_header(token)
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_iat": False})
    except jwt.InvalidTokenError:
        return "Invalid token: signature, api token not found"
    if headers.get("alg") != "HS256" or claims.get("iss") != SERVICE_ID:
        return "Invalid token: service not found"
    if abs(time.time() - int(claims.get("iat", 0))) > 30:
        return "Error: Your system clock must be accurate to within 30 seconds"
    return None


def make_handler(fake: FakeNotify):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length", 0))
            payload = json.loads(self.rfile.read(length) or b"{}")
            record = {"path": self.path, "json": payload, "headers": dict(self.headers)}
            with fake.lock:
                fake.requests.append(record)
            if self.path not in REQUIRED:
                return self.reply(404, error_body(404, "NotFound", "Not found"))
            if reason := check_token(self.headers.get("Authorization", "")):
                return self.reply(403, error_body(403, "AuthError", reason))
            if (status := fake.next_status()) is not None:
                return self.reply(status, error_body(status, *ERRORS[status]))
            if not payload.get(REQUIRED[self.path]) or not payload.get("template_id"):
                return self.reply(400, error_body(400, "ValidationError", "field missing"))
            notification_id = str(uuid.uuid4())
            template = payload["template_id"]
            content = (
                {"body": "...", "from_number": "COUNCIL"}
                if self.path.endswith("sms")
                else {"subject": "...", "body": "...", "from_email": "council@notify.example"}
            )
            return self.reply(
                201,
                {
                    "id": notification_id,
                    "reference": payload.get("reference"),
                    "content": content,
                    "uri": f"{fake.base_url}/v2/notifications/{notification_id}",
                    "template": {
                        "id": template,
                        "version": 1,
                        "uri": f"{fake.base_url}/services/{SERVICE_ID}/templates/{template}",
                    },
                    "scheduled_for": None,
                },
            )

    return Handler


class running:
    """`with running() as fake:` a fake Notify on a free loopback port, stopped after."""

    def __enter__(self) -> FakeNotify:
        self.fake = FakeNotify()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.fake))
        self.fake.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self.fake

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
