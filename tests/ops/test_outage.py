"""The outage fallbacks in one process (the real stopped database: test_outage_live.py): the
snapshot follows every contacts edit; a database that cannot be reached gives the snapshot's
numbers; a report saved before something broke is never shown as failed."""

import json

import pytest
from django.db import OperationalError
from django.test import TestCase

from contacts.models import PhoneNumber
from contacts.snapshot import load_snapshot, snapshot_path, write_snapshot
from reporting.models import Referral
from tests.reporting.test_views import ANONYMOUS, BASE, _monday, public, walk  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_snapshot_follows_a_contacts_edit_once_committed(bromley):
    write_snapshot()
    number = PhoneNumber.objects.filter(line__borough=bromley).first()
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        number.number = "+442083130000"
        number.save()
        number.line.save()  # two rows changed in one transaction: one rewrite
    assert sum(1 for c in callbacks if getattr(c, "__name__", "") == "refresh_snapshot") == 1
    data = json.loads(snapshot_path().read_text())
    numbers = [n for b in data["boroughs"] for line in b["lines"] for n in line["numbers"]]
    assert "+442083130000" in numbers
    borough = load_snapshot()["bromley"]
    assert "020 8313 0000" in [n.display for line in borough.contacts.lines for n in line.numbers]
    # No temporary file is left beside it (written by rename).
    assert [p.name for p in snapshot_path().parent.iterdir()] == [snapshot_path().name]


def database_down(monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("contacts.views.borough_version", unreachable)
    monkeypatch.setattr("contacts.views.active_boroughs", unreachable)
    monkeypatch.setattr("contacts.views.get_active_borough", unreachable)


def test_the_public_pages_answer_from_the_snapshot(client, bromley, monkeypatch):
    write_snapshot()
    database_down(monkeypatch)
    page = client.get("/bromley/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Online reporting is unavailable for now, please phone." in html
    assert "020 8461 7373" in html or "020 8464 4444" in html  # Bromley's lines
    assert "no-store" in page["Cache-Control"]
    assert "Online reporting is unavailable" in client.get("/").content.decode()
    api = client.get("/api/contacts/bromley/?at=2026-12-02T10:00")
    assert api["X-Contacts-Source"] == "snapshot"
    assert api.json()["open_lines"][0]["numbers"][0] == "020 8461 7373"
    assert client.get("/api/contacts/nowhere/").status_code == 404
    assert client.get("/api/contacts/bromley/?at=never").status_code == 400


def test_with_no_snapshot_the_usual_error_page(client, bromley, monkeypatch, settings, tmp_path):
    settings.CONTACTS_SNAPSHOT_PATH = str(tmp_path / "none.json")
    database_down(monkeypatch)
    client.raise_request_exception = False
    assert client.get("/bromley/").status_code == 500


def test_a_saved_report_is_never_shown_as_failed(client, bromley, monkeypatch):
    walk(client, public() + ANONYMOUS)

    def broken(*args, **kwargs):
        raise RuntimeError("the response could not be built")

    monkeypatch.setattr("reporting.views.redirect", broken)
    client.raise_request_exception = False
    response = client.post(BASE + "check-your-answers/", {"website": ""})
    referral = Referral.objects.get()
    html = response.content.decode()
    assert "Your report was sent" in html and referral.reference in html
    assert "not been sent" not in html and "failed" not in html.lower()
    monkeypatch.undo()
    # The confirmation is reachable, and a second click on "Send" sends nothing twice.
    assert referral.reference in client.get(BASE + "sent/").content.decode()
    again = client.post(BASE + "check-your-answers/", {"website": ""})
    assert again.status_code == 302 and again["Location"] == BASE + "sent/"
    assert Referral.objects.count() == 1


def test_the_snapshot_keeps_adult_social_care_apart_from_the_childrens_lines(bromley):
    from contacts.models import ContactLine

    assert ContactLine.objects.filter(borough=bromley, purpose="adult_social_care").exists()
    write_snapshot()
    contacts = load_snapshot()["bromley"].contacts
    assert "adult_social_care" not in [line.purpose for line in contacts.lines]
    assert [line.purpose for line in contacts.adult_lines] == ["adult_social_care"]
