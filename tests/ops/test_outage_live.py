"""A real outage: the app served by gunicorn on a PostgreSQL of its own, which the test stops
mid-run. The public pages and the API answer from the contacts snapshot with the last known
numbers, a report in progress gets the borough's staffed number, and nothing a reporter typed
(or their address) ever reached the app's or gunicorn's logs."""

import json
import re
import time

from benchmarks.submissions import JOURNEY
from contacts.selectors import BOROUGH_MEMO_SECONDS
from tests.ops.live import Gunicorn, Visitor, app_env, free_port, manage

NAME = "Quillon Zephyrine-Marchbank"
EMAIL = "quillon.zephyrine@reporter-example.org"
FORWARDED_IP = "203.0.113.197"
SOURCE_IP = "127.0.0.87"  # the TCP source address: REMOTE_ADDR
DESCRIPTION_WORD = "Xylocarpous"
BASE = "/bromley/report/"
AT = "2026-12-02T10:00:00"  # a Wednesday in office hours


def named_steps():
    steps = [(path, dict(answers)) for path, answers in JOURNEY]
    for path, answers in steps:
        if path == "description/":
            answers["description"] = f"{DESCRIPTION_WORD} worry about the boy next door."
    return steps + [
        ("about-you/", {"anonymous": "no"}),
        (
            "your-details/",
            {
                "name": NAME,
                "phone": "07911 123456",
                "email": EMAIL,
                "relationship": "Neighbour",
                "updates_by": "email",
            },
        ),
        ("contact-safe/", {"safe_to_contact": "yes", "contact_notes": "After 6pm"}),
    ]


def test_the_numbers_survive_a_database_outage_and_the_logs_hold_no_reporter(
    own_postgres, tmp_path
):
    env = app_env(own_postgres.url, tmp_path)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    snapshot = tmp_path / "snapshot" / "contacts.json"
    assert snapshot.exists()  # written by migrate (post_migrate)
    server = Gunicorn(env, free_port(), tmp_path)
    try:
        headers = {"X-Forwarded-For": FORWARDED_IP, "X-Real-IP": FORWARDED_IP}
        reporter = Visitor(server.port, source=SOURCE_IP, headers=headers)
        token = reporter.walk(BASE, named_steps())
        status, response_headers, _ = reporter.request(
            "POST", BASE + "check-your-answers/", {"website": "", "csrfmiddlewaretoken": token}
        )
        assert status == 302, status
        status, _, html = reporter.request("GET", BASE + "sent/")
        reference = re.search(r"\b(BRM-[0-9A-Z]{4}-[0-9A-Z]{4})\b", html).group(1)
        assert "X-Request-ID" in response_headers

        # Before the outage: what the API says at a fixed moment, and a report in progress.
        viewer = Visitor(server.port)
        status, _, before = viewer.request("GET", f"/api/contacts/bexley/?at={AT}")
        assert status == 200
        in_progress = Visitor(server.port)
        token2 = in_progress.walk(BASE, JOURNEY[:3])

        own_postgres.stop()  # the database goes away mid-run
        stopped = time.monotonic()

        status, _, readyz = viewer.request("GET", "/readyz")
        assert status == 503 and json.loads(readyz)["checks"]["database"].startswith("unreach")
        assert viewer.request("GET", "/healthz")[0] == 200  # alive: not restarted for it

        status, _, page = viewer.request("GET", "/bexley/")
        assert status == 200, page[:1000]
        assert "Online reporting is unavailable for now, please phone." in page
        assert "020 3045 5440" in page or "020 8303 7777" in page  # Bexley's numbers
        assert "Report a concern online" not in page

        status, _, home = viewer.request("GET", "/")
        assert status == 200 and "Online reporting is unavailable" in home
        assert "Bromley" in home and "Bexley" in home

        # A borough row read in the last BOROUGH_MEMO_SECONDS is still answered from memory
        # (true, and no database needed); after that, from the snapshot.
        time.sleep(max(0.0, BOROUGH_MEMO_SECONDS + 0.5 - (time.monotonic() - stopped)))
        status, api_headers, after = viewer.request("GET", f"/api/contacts/bexley/?at={AT}")
        assert status == 200 and api_headers["X-Contacts-Source"] == "snapshot"
        assert json.loads(after) == json.loads(before)  # the same answer, from the snapshot
        status, _, now_answer = viewer.request("GET", "/api/contacts/bromley/")
        assert status == 200 and json.loads(now_answer)["borough"] == "bromley"

        status, _, error_page = in_progress.request(
            "POST", BASE + JOURNEY[3][0], {**JOURNEY[3][1], "csrfmiddlewaretoken": token2}
        )
        assert status == 503
        assert "online reporting is unavailable" in error_page.lower()
        staffed = re.findall(r'href="tel:(\+44\d+)"', error_page)
        assert staffed, error_page[:3000]  # Bromley's staffed (or next) number, tappable
        assert "call 999" in error_page.lower() or "tel:999" in error_page
    finally:
        server.stop()

    logs = server.log_text()
    assert '"logger": "gunicorn.access"' in logs and '"route": "report:concern_check"' in logs
    for secret in (
        NAME,
        "Quillon",
        "Zephyrine",
        EMAIL,
        "reporter-example",
        FORWARDED_IP,
        SOURCE_IP,
        DESCRIPTION_WORD,
        reference,
        "07911",
    ):
        assert secret not in logs, f"{secret!r} is in the logs"
    for line in logs.splitlines():
        if line.startswith("{"):
            json.loads(line)  # every app and access log line is JSON
