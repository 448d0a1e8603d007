"""Find any referral (scoped, audited, typo-tolerant on names) and the managers' team view
with bulk reassignment (compare-and-set, audited)."""

import datetime as dt

import pytest
import time_machine

from contacts.calendar import LONDON
from mash.models import AuditAction, AuditEvent, ScreeningRecord
from mash.search import SearchTerms, search
from reporting.models import Child, Referral
from tests.mash.factories import StaffMemberFactory, log_in_verified
from tests.mash.screening_factories import open_referrals

pytestmark = pytest.mark.django_db


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=LONDON)


@pytest.fixture
def children(bromley, bexley):
    """Referrals about Amira Hughes (Bromley, twice), Leo Patel (Bromley), and another Amira
    Hughes in Bexley."""
    first, second, leo = open_referrals(
        bromley, [at(2026, 11, 20, 9), at(2026, 11, 24, 9), at(2026, 11, 23, 9)]
    )
    (other,) = open_referrals(bexley, [at(2026, 11, 23, 9)])
    rows = [
        (first, "Amira", "Hughes", dt.date(2012, 3, 27), "BR1 3UH", "12 Acacia Avenue", "Hillside"),
        (second, "Amira", "Hughes", None, "BR13UH", "12 Acacia Ave", "Hillside Primary"),
        (leo, "Leo", "Patel", dt.date(2015, 6, 1), "BR2 9AA", "3 Mill Lane", "Oak Academy"),
        (other, "Amira", "Hughes", dt.date(2012, 3, 27), "DA5 1AA", "1 High St", "Bexley Grammar"),
    ]
    for record, first_name, last_name, dob, postcode, address, school in rows:
        Child.objects.create(
            referral=record.referral,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=dob,
            postcode=postcode,
            address=address,
            school=school,
            order=0,
        )
    Referral.objects.filter(pk=leo.referral_id).update(
        referrer_name="Ms Jo Teacher", referrer_email="jo.teacher@oak.example.sch.uk"
    )
    return {"first": first, "second": second, "leo": leo, "other": other}


def refs(hits):
    return [hit.referral.reference for hit in hits]


@pytest.mark.parametrize(
    "name", ["Amira Hughes", "amria hughes", "Hughes Amira", "Amira Hughs", "HUGHES", "Amira"]
)
def test_name_is_typo_tolerant_and_swapped_and_scoped(bromley, children, name):
    screener = StaffMemberFactory(boroughs=[bromley]).user
    found = refs(search(user=screener, terms=SearchTerms(name=name)))
    assert found == [children["second"].referral.reference, children["first"].referral.reference]


def test_each_term(bromley, children):
    screener = StaffMemberFactory(boroughs=[bromley]).user
    first, leo = children["first"].referral.reference, children["leo"].referral.reference

    def find(**terms):
        return refs(search(user=screener, terms=SearchTerms(**terms)))

    assert find(reference=first.lower()) == [first]
    assert find(reference=children["other"].referral.reference) == []  # Bexley's: never
    assert find(date_of_birth=dt.date(2012, 3, 27)) == [first]
    assert find(date_of_birth=dt.date(2012, 1, 6)) == []
    assert find(postcode="br13uh") == [children["second"].referral.reference, first]
    assert find(address="acacia ave") == [children["second"].referral.reference, first]
    assert find(address="acacia avenue") == [first]
    assert find(school="oak") == [leo]
    assert find(referrer="Jo Teacher") == [leo]
    assert find(referrer="OAK.EXAMPLE") == [leo]
    assert find(name="Leo Patel", school="Hillside") == []  # every term must match
    assert find(name="Amira Hughes", date_of_birth=dt.date(2012, 3, 27)) == [first]
    assert find(name="Zebedee Unknown") == []


def test_search_page_is_audited_with_its_terms(client, bromley, children):
    screener = StaffMemberFactory(boroughs=[bromley]).user
    log_in_verified(client, screener)
    assert client.get("/mash/search/").status_code == 200
    with time_machine.travel(at(2026, 11, 24, 12), tick=False):
        response = client.post("/mash/search/", {"name": "Amria Hughes"})
    assert response.status_code == 200
    assert children["first"].referral.reference in response.text
    assert children["other"].referral.reference not in response.text
    assert "Overdue" in response.text and "Not rated" in response.text
    event = AuditEvent.objects.get(action="referrals_searched")
    assert event.user == screener
    assert event.detail["terms"] == {"name": "Amria Hughes"} and event.detail["results"] == 2
    empty = client.post("/mash/search/", {})
    assert "Enter at least one thing to search for" in empty.text
    assert empty.text.startswith("<!DOCTYPE html>") and "<title>Error: " in empty.text
    bad = client.post("/mash/search/", {"dob_day": "31", "dob_month": "2", "dob_year": "2012"})
    assert "Enter a real date of birth" in bad.text


# --- the team view ------------------------------------------------------------------------


@pytest.fixture
def team_setup(bromley, bexley):
    manager = StaffMemberFactory(boroughs=[bromley], manager=True).user
    alex = StaffMemberFactory(boroughs=[bromley]).user
    sam = StaffMemberFactory(boroughs=[bromley]).user
    records = open_referrals(
        bromley, [at(2026, 11, 23, 9) + dt.timedelta(hours=i) for i in range(4)]
    )
    (theirs,) = open_referrals(bexley, [at(2026, 11, 23, 9)])
    for record in records[:2]:
        ScreeningRecord.objects.filter(pk=record.pk).update(
            claimed_by=alex, claimed_at=at(2026, 11, 23, 10)
        )
    return {"manager": manager, "alex": alex, "sam": sam, "records": records, "theirs": theirs}


def test_team_view_shows_held_and_unallocated(client, team_setup):
    log_in_verified(client, team_setup["manager"])
    with time_machine.travel(at(2026, 11, 24, 12), tick=False):
        text = client.get("/mash/team/").text
    records = team_setup["records"]
    for record in records:
        assert record.referral.reference in text
    assert team_setup["theirs"].referral.reference not in text
    held = text[text.index('id="held-') : text.index("Nobody holds these")]
    assert records[0].referral.reference in held and records[2].referral.reference not in held
    assert "Overdue" in held
    assert AuditEvent.objects.filter(action="team_viewed").exists()


def test_bulk_reassign_is_compare_and_set_and_audited(client, team_setup):
    manager, alex, sam = team_setup["manager"], team_setup["alex"], team_setup["sam"]
    records, theirs = team_setup["records"], team_setup["theirs"]
    log_in_verified(client, manager)
    # The manager's page showed records[2] unallocated, but sam took it meanwhile.
    ScreeningRecord.objects.filter(pk=records[2].pk).update(
        claimed_by=sam, claimed_at=at(2026, 11, 24, 11)
    )
    data = {
        "to": str(sam.pk),
        "records": [str(records[0].pk), str(records[1].pk), str(records[2].pk), str(theirs.pk)],
        f"seen-{records[0].pk}": str(alex.pk),
        f"seen-{records[1].pk}": str(alex.pk),
        f"seen-{records[2].pk}": "",
        f"seen-{theirs.pk}": "",
    }
    response = client.post("/mash/team/", data, follow=True)
    assert "2 referrals now held by" in response.text
    assert f"{records[2].referral.reference} was not moved" in response.text
    assert theirs.referral.reference not in response.text
    holders = dict(ScreeningRecord.objects.values_list("pk", "claimed_by"))
    assert holders[records[0].pk] == holders[records[1].pk] == sam.pk
    assert holders[theirs.pk] is None
    assert AuditEvent.objects.filter(action="referral_reassigned").count() == 2
    bulk = AuditEvent.objects.get(action=AuditAction.REFERRALS_BULK_REASSIGNED)
    assert sorted(bulk.detail["moved"]) == sorted(r.referral.reference for r in records[:2])
    assert bulk.detail["refused"] == [records[2].referral.reference]


def test_team_errors_and_screeners(client, team_setup):
    log_in_verified(client, team_setup["manager"])
    assert "Select the referrals to reassign" in client.post("/mash/team/", {"to": "1"}).text
    log_in_verified(client, team_setup["alex"])
    assert client.get("/mash/team/").status_code == 403
