"""The journey engine's safety rules, for every public journey: Exit ends the journey on the
server, nothing private in titles, no-store pages, post/redirect/get for refused answers, a sent
journey says so on every page, and "Send" makes one referral however often it arrives."""

import datetime as dt
import http.client
import re
import threading
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.sessions.backends.base import SessionBase

from contacts.calendar import LONDON
from mash.models import ScreeningRecord
from notifications.models import OutboxMessage
from reporting.journey import Journey, Location, State
from reporting.models import Referral
from reporting.registry import JOURNEYS
from tests.reporting import test_family_views as family
from tests.reporting.factories import eager_celery  # noqa: F401 (a fixture)
from tests.reporting.test_views import ANONYMOUS, BASE, NAMED, public, walk

pytestmark = pytest.mark.usefixtures("eager_celery", "private_storage")
MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
FW = family.FW


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY_NOON, tick=False):
        yield


def journey_keys(client) -> dict:
    return {k: v for k, v in client.session.items() if k.startswith("journey")}


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


# -- Exit this page --------------------------------------------------------------------------
def test_exit_forgets_every_journey_then_leaves(web, settings):
    settings.EXIT_PAGE_URL = "https://weather.example/"
    walk(web, public() + ANONYMOUS)
    family.start_fw(web)
    old_key = web.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert journey_keys(web)
    response = web.get("/exit/")
    assert response.status_code == 302 and response["Location"] == "https://weather.example/"
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert journey_keys(web) == {}
    assert web.cookies[django_settings.SESSION_COOKIE_NAME].value != old_key
    # Back: every page of the report has expired, and names nobody.
    for path in (BASE + "check-your-answers/", BASE + "child/1/where/", FW + "professional/"):
        html = web.get(path).content.decode()
        assert "This page has expired" in html and "Sam" not in html


def test_exit_leaves_a_signed_in_member_of_staff_signed_in(web):
    session = web.session
    session["_auth_user_id"] = "1"
    session["journey:concern:bromley"] = State().data
    session.save()
    web.get("/exit/")
    assert set(web.session.keys()) == {"_auth_user_id"}


def test_every_page_links_exit_and_start_pages_explain_it(web):
    for entry in JOURNEYS.values():
        html = web.get(f"/bromley/{entry.prefix}").content.decode()
        assert 'href="/exit/"' in html
        assert "press the Shift key 3 times" in html
        assert "delete your browsing history" in html
    assert 'href="/exit/"' in web.get("/bromley/").content.decode()


# -- titles ----------------------------------------------------------------------------------
@pytest.mark.parametrize("key", sorted(JOURNEYS))
def test_question_titles_are_worded_from_no_answers(key, bromley):
    """Every question page's <title> is its question asked of nobody in particular."""
    journey: Journey = JOURNEYS[key].journey
    for step in journey.steps:
        if step.form_class is not None:
            index = 0 if step.group else None
            assert journey.page_title(Location(step.name, index))


def test_titles_never_carry_a_name_but_headings_may(web):
    walk(web, public()[:3])  # danger, who, the child's name
    web.post(BASE + "child/1/name/", {"first_name": "Maja", "last_name": "Nowak"})
    page = web.get(BASE + "child/1/age/")
    assert "Maja" in page.content.decode().split("</title>")[1]
    assert "Maja" not in title(page) and "Nowak" not in title(page)
    assert title(page).startswith("What do you know about the child")
    refused = web.post(BASE + "child/1/age/", {})
    assert title(refused).startswith("Error: ") and "Maja" not in title(refused)


# -- no-store --------------------------------------------------------------------------------
def test_journey_pages_are_never_stored(web):
    pages = [BASE, BASE + "danger/", BASE + "check-your-answers/", BASE + "sent/"]
    for entry in JOURNEYS.values():
        pages.append(f"/bromley/{entry.prefix}")
    walk(web, public() + ANONYMOUS)
    for path in pages:
        response = web.get(path)
        assert "no-store" in response["Cache-Control"], path


# -- post/redirect/get for refused answers ---------------------------------------------------
def test_a_refused_answer_redirects_and_shows_what_was_typed(client, bromley):
    from django.test import Client

    raw = Client()  # no following: see the redirect itself
    walk(raw, public()[:4])  # up to the child's date of birth
    dob = BASE + "child/1/date-of-birth/"
    typed = {"date_of_birth_0": "31", "date_of_birth_1": "2", "date_of_birth_2": "2016"}
    response = raw.post(dob, typed)
    assert response.status_code == 302 and response["Location"] == dob
    page = raw.get(dob)
    html = page.content.decode()
    assert "govuk-error-summary" in html and "must be a real date" in html
    assert 'value="31"' in html
    assert title(page).startswith("Error: ")
    # Shown once: Back or reload later shows the page as it was, without resubmitting.
    again = raw.get(dob).content.decode()
    assert "govuk-error-summary" not in again
    # A change keeps its ?change=1 through the redirect.
    response = raw.post(dob + "?change=1", typed)
    assert response["Location"] == dob + "?change=1"


def test_a_refused_upload_page_says_to_choose_the_file_again(web):
    family.start_fw(web)
    response = web.post(FW + "consent-form/", family.consent_page(family.upload(), consented_by=""))
    assert response.refused_by_redirect
    assert family.errors(response) == [
        "Select the signed consent form again: your browser does not keep a chosen file when "
        "another answer on the page needs changing",
        "Enter the name of the parent or carer who gave consent",
    ]


# -- after sending ---------------------------------------------------------------------------
def test_after_sending_the_session_keeps_only_the_reference(web):
    walk(web, public() + NAMED)
    web.post(BASE + "check-your-answers/", {"website": ""})
    referral = Referral.objects.get()
    # the reference, and what the confirmation says (facts, never an answer)
    kept = journey_keys(web)
    assert kept.keys() == {"journey-sent:concern:bromley", "journey-sent:concern:bromley:page"}
    assert kept["journey-sent:concern:bromley"] == referral.reference
    facts = kept["journey-sent:concern:bromley:page"]
    assert facts["sent"]["reference"] == referral.reference and facts["sent"]["emailed"]
    assert all(isinstance(v, bool) for k, v in facts["sent"].items() if k != "reference")
    sent = web.get(BASE + "sent/").content.decode()
    assert referral.reference in sent and "We have sent a confirmation email" in sent
    html = web.get(BASE + "check-your-answers/").content.decode()
    assert "You have already sent this report" in html and referral.reference in html
    assert "Pat Jones" not in html and "Nothing has been sent" not in html
    # "Start a new report" forgets the reference and begins again.
    assert web.post(BASE)["Location"] == BASE + "danger/"
    assert "journey-sent:concern:bromley" not in web.session
    assert "Is a child in immediate danger" in web.get(BASE + "danger/").content.decode()


def test_each_journey_says_it_was_sent(web):
    family.full_fw(web)
    web.post(FW + "check-your-answers/", {"website": ""})
    reference = Referral.objects.get().reference
    for path in ("consent/", "child/1/name/", "check-your-answers/"):
        html = web.get(FW + path).content.decode()
        assert "You have already sent this referral" in html and reference in html
    assert "Start a new referral" in html
    # Another journey is untouched.
    assert "Is a child in immediate danger" in web.get(BASE + "danger/").content.decode()


# -- one referral per send -------------------------------------------------------------------
def test_check_your_answers_fixes_the_submission_key(web):
    walk(web, public() + ANONYMOUS)
    web.get(BASE + "check-your-answers/")
    key = web.session["journey:concern:bromley"]["extra"]["submission_key"]
    web.get(BASE + "check-your-answers/")
    web.post(BASE + "when/?change=1", {"when_happened": "This morning"})
    assert web.session["journey:concern:bromley"]["extra"]["submission_key"] == key
    web.post(BASE + "check-your-answers/", {"website": ""})
    assert Referral.objects.get().submission_key.hex == key


def replay(client, saved: dict) -> None:
    """Put the session back as it was (a second tab, a retry after a lost response)."""
    session = client.session
    for key in list(session.keys()):
        del session[key]
    session.update(saved)
    session.save()


@pytest.mark.parametrize("key", ["concern", "wellbeing"])
def test_sending_again_with_the_same_answers_gives_the_same_referral(web, key):
    if key == "concern":
        base = BASE
        walk(web, public() + NAMED)
    else:
        base = FW
        family.full_fw(web)
    web.get(base + "check-your-answers/")
    saved = dict(web.session.items())
    assert web.post(base + "check-your-answers/", {"website": ""})["Location"] == base + "sent/"
    replay(web, saved)
    response = web.post(base + "check-your-answers/", {"website": ""})
    assert response["Location"] == base + "sent/"
    referral = Referral.objects.get()
    assert referral.reference in web.get(base + "sent/").content.decode()
    assert ScreeningRecord.objects.filter(referral=referral).count() == 1
    assert OutboxMessage.objects.filter(about_id=referral.pk).count() == 1


def test_a_saved_report_is_never_shown_as_failed(web, monkeypatch):
    """Issue 19: the referral is committed, then building the response fails (here: the
    session update after the commit, once). Sending again shows its confirmation."""
    walk(web, public() + NAMED)
    web.get(BASE + "check-your-answers/")
    mark_sent = Journey.mark_sent
    failures = []

    def fail_once(self, *args, **kwargs):
        if not failures:
            failures.append(1)
            raise RuntimeError("the response could not be built")
        return mark_sent(self, *args, **kwargs)

    monkeypatch.setattr(Journey, "mark_sent", fail_once)
    web.raise_request_exception = False
    first = web.post(BASE + "check-your-answers/", {"website": ""})
    saved = Referral.objects.get()
    # config.outage's page for a saved report whose response failed: never "failed".
    assert first.status_code == 200 and saved.reference in first.content.decode()
    response = web.post(BASE + "check-your-answers/", {"website": ""})
    assert response["Location"] == BASE + "sent/"
    referral = Referral.objects.get()
    assert referral.reference in web.get(BASE + "sent/").content.decode()
    assert OutboxMessage.objects.filter(about_id=referral.pk).count() == 1


# -- real concurrent sends -------------------------------------------------------------------
def concurrent_sends(live_url: str, path: str, cookies: dict, count: int) -> list:
    """`count` POSTs of "Send" at the same moment, with one session cookie, each on its own
    connection to the live server. Returns (status, Location) of each."""
    split = urlsplit(live_url)
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    page = response.read().decode()
    assert response.status == 200, page[:300]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name] = rest.split(";")[0]
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = f"website=&csrfmiddlewaretoken={token}"
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def send(i):
        conn = http.client.HTTPConnection(split.hostname, split.port, timeout=30)
        conn.connect()
        barrier.wait()
        conn.request(
            "POST",
            path,
            body=body,
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = conn.getresponse()
        answer.read()
        results[i] = (answer.status, answer.getheader("Location"))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.postgres
@pytest.mark.parametrize("key", ["concern", "wellbeing"])
def test_five_simultaneous_sends_make_one_referral(
    key, live_server, transactional_db, seeded_boroughs, client, settings
):
    settings.RATE_LIMIT_SUBMISSIONS = settings.RATE_LIMIT_SESSION = "100/h"
    if key == "concern":
        base = BASE
        walk(client, public() + NAMED)
    else:
        base = FW
        family.full_fw(client)
    cookies = {django_settings.SESSION_COOKIE_NAME: client.session.session_key}
    results = concurrent_sends(live_server.url, base + "check-your-answers/", cookies, 5)
    assert results == [(302, base + "sent/")] * 5
    referral = Referral.objects.get()
    assert ScreeningRecord.objects.filter(referral=referral).count() == 1
    assert OutboxMessage.objects.filter(about_id=referral.pk).count() == 1
    assert isinstance(client.session, SessionBase)
    assert client.session["journey-sent:" + JOURNEYS[key].journey.name + ":bromley"] == (
        referral.reference
    )
