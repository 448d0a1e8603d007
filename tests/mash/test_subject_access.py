"""Subject access export: everything held about one referral, or about a named person, as a
readable page and a JSON download; managers only, their boroughs only, every export audited."""

import json

import pytest

from mash.models import AuditEvent, Decision, RecordCheck
from reporting.models import Carer
from tests.mash.factories import StaffMemberFactory, log_in_verified
from tests.mash.screening_factories import ScreeningRecordFactory
from tests.notifications.factories import OutboxMessageFactory
from tests.reporting.factories import ChildFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(bromley):
    """A Bromley referral with a child, a carer, an email, a record check and a decision."""
    referral = ReferralFactory(
        borough=bromley, referrer_name="Ottoline Sarrequest", description="Worried about Ivo"
    )
    ChildFactory(referral=referral, first_name="Ivo", last_name="Sarchild")
    Carer.objects.create(referral=referral, name="Petra Sarcarer", order=0)
    OutboxMessageFactory(about_id=referral.pk, to="ottoline@example.org")
    record = ScreeningRecordFactory(referral=referral)
    screener = StaffMemberFactory(boroughs=[bromley]).user
    RecordCheck.objects.create(record=record, notes="Known to health visitor", checked_by=screener)
    Decision.objects.create(
        record=record, outcome="advice", rationale="Advice given to the family", decided_by=screener
    )
    return referral


@pytest.fixture
def manager(client, bromley):
    user = StaffMemberFactory(boroughs=[bromley], manager=True).user
    log_in_verified(client, user)
    return user


def test_one_referral_everything_held_as_a_page(client, manager, held):
    response = client.get(f"/mash/subject-access/{held.reference}/")
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "Ottoline Sarrequest",
        "Worried about Ivo",
        "Sarchild",
        "Petra Sarcarer",
        "ottoline@example.org",
        "Known to health visitor",
        "Advice given to the family",
        "Audit trail",
    ):
        assert expected in html, expected
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.filter(action="subject_access_exported").get()
    assert event.referral == held and event.user == manager and event.detail["format"] == "html"


def test_one_referral_as_json_download(client, manager, held):
    response = client.get(f"/mash/subject-access/{held.reference}/?format=json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["reference"] == held.reference
    sections = {section["title"]: section["items"] for section in data["sections"]}
    children = sections["Children"]
    assert {row["field"]: row["value"] for row in children[0]}["last_name"] == "Sarchild"
    assert "ip_hash" not in response.content.decode()
    assert AuditEvent.objects.filter(action="subject_access_exported", referral=held).exists()


def test_search_by_name_finds_every_referral_naming_the_person(client, manager, held, bromley):
    other = ReferralFactory(borough=bromley, referrer_name="Someone Else")
    ChildFactory(referral=other, first_name="Ivo", last_name="Sarchild")
    unrelated = ReferralFactory(borough=bromley, referrer_name="Nobody Related")
    response = client.get("/mash/subject-access/", {"name": "ivo sarchild"})
    html = response.content.decode()
    assert held.reference in html and other.reference in html
    assert unrelated.reference not in html
    response = client.get("/mash/subject-access/", {"name": "Petra Sarcarer", "format": "json"})
    data = json.loads(response.content)
    assert [r["reference"] for r in data["referrals"]] == [held.reference]
    searched = AuditEvent.objects.filter(action="subject_access_searched").get()
    assert searched.detail["matches"] == 2 and "ivo" not in json.dumps(searched.detail).lower()


def test_another_borough_is_invisible(client, bexley, held):
    outsider = StaffMemberFactory(boroughs=[bexley], manager=True).user
    log_in_verified(client, outsider)
    assert client.get(f"/mash/subject-access/{held.reference}/").status_code == 404
    html = client.get("/mash/subject-access/", {"name": "Sarchild"}).content.decode()
    assert held.reference not in html and "0 referrals naming" in html
    assert "Petra Sarcarer" not in html


def test_screeners_are_refused(client, bromley, held):
    screener = StaffMemberFactory(boroughs=[bromley]).user
    log_in_verified(client, screener)
    assert client.get("/mash/subject-access/").status_code == 403
    assert client.get(f"/mash/subject-access/{held.reference}/").status_code == 403
    assert not AuditEvent.objects.filter(action="subject_access_exported").exists()
