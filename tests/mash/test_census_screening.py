"""The screener records or corrects the contact source and each child's sex and ethnicity on
the screening page, at any time (even after the decision), each change audited with the old
and new values; scoped and held like every other screening change."""

import datetime as dt

import pytest
from django.urls import reverse

from contacts.calendar import LONDON
from mash import screening
from mash.models import AuditEvent, ScreeningRecord
from reporting.models import Child, Referral
from reporting.services import submit_concern
from tests.mash.factories import StaffMemberFactory, log_in_verified
from tests.reporting.factories import concern_answers, eager_celery  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
RECEIVED = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


@pytest.fixture
def referral(bromley):
    # A named neighbour: derived source 1C
    return submit_concern(borough=bromley, answers=concern_answers(), received_at=RECEIVED)


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_the_screening_page_shows_and_links_the_census_fields(client, bromley, referral):
    log_in_verified(client, StaffMemberFactory(boroughs=[bromley]).user)
    page = client.get(reverse("mash:screening", args=[referral.reference])).text
    assert 'id="census"' in page
    assert "1C Individual: acquaintance" in page
    child = referral.children.get()
    assert reverse("mash:screening_source", args=[referral.reference]) in page
    assert reverse("mash:screening_child_census", args=[referral.reference, child.pk]) in page
    assert "Sex: Not recorded" in page


def test_correcting_the_source_is_audited_with_old_and_new(client, bromley, referral):
    user = StaffMemberFactory(boroughs=[bromley]).user
    log_in_verified(client, user)
    address = reverse("mash:screening_source", args=[referral.reference])
    form = client.get(address)
    assert form.status_code == 200 and 'value="1C" selected' in form.text
    wrong = client.post(address, {"contact_source": "99"})
    assert wrong.status_code == 200 and "Select a valid choice" in wrong.text
    response = client.post(address, {"contact_source": "4"})
    assert response.status_code == 302 and response["Location"].endswith("#census")
    assert Referral.objects.get(pk=referral.pk).contact_source == "4"
    (event,) = events("contact_source_set")
    assert event.user == user and event.referral_id == referral.pk
    assert (event.detail["previous"], event.detail["new"]) == ("1C", "4")
    client.post(address, {"contact_source": "4"})  # no change: nothing to record
    assert len(events("contact_source_set")) == 1


def test_correcting_a_childs_sex_and_ethnicity(client, bromley, referral):
    user = StaffMemberFactory(boroughs=[bromley]).user
    log_in_verified(client, user)
    child = referral.children.get()
    address = reverse("mash:screening_child_census", args=[referral.reference, child.pk])
    page = client.get(address).text
    assert "Amira Hughes" in page and '<optgroup label="White">' in page
    missing = client.post(address, {"sex": "female"})
    assert "Select the child&#x27;s ethnicity" in missing.text
    client.post(address, {"sex": "female", "ethnicity": "MWBA"})
    child.refresh_from_db()
    assert (child.sex, child.ethnicity) == ("female", "MWBA")
    client.post(address, {"sex": "female", "ethnicity": "REFU"})
    assert [(e.detail["previous"], e.detail["new"]) for e in events("child_sex_set")] == [
        ("", "female")
    ]
    assert [(e.detail["previous"], e.detail["new"]) for e in events("child_ethnicity_set")] == [
        ("", "MWBA"),
        ("MWBA", "REFU"),
    ]
    assert all(e.detail["child"] == child.pk for e in events("child_ethnicity_set"))
    assert "Amira" not in str([e.detail for e in AuditEvent.objects.all()])


def test_still_correctable_after_the_decision(bromley, referral):
    user = StaffMemberFactory(boroughs=[bromley]).user
    screening.record_decision(user=user, referral=referral, outcome="nfa", rationale="None.")
    assert screening.set_contact_source(user=user, referral=referral, source="9")
    assert Referral.objects.get(pk=referral.pk).contact_source == "9"


def test_only_the_holder_or_a_manager_corrects_a_held_referral(client, bromley, referral):
    holder = StaffMemberFactory(boroughs=[bromley]).user
    ScreeningRecord.objects.filter(referral=referral).update(claimed_by=holder, claimed_at=RECEIVED)
    other = StaffMemberFactory(boroughs=[bromley]).user
    log_in_verified(client, other)
    child = referral.children.get()
    response = client.post(
        reverse("mash:screening_child_census", args=[referral.reference, child.pk]),
        {"sex": "male", "ethnicity": "WBRI"},
    )
    assert response.status_code == 302
    assert Child.objects.get(pk=child.pk).sex == ""
    manager = StaffMemberFactory(boroughs=[bromley], manager=True).user
    assert screening.set_child_census(
        user=manager, referral=referral, child_id=child.pk, sex="male", ethnicity="WBRI"
    ) == ["sex", "ethnicity"]


def test_another_borough_and_another_referrals_child_are_404(client, bromley, bexley, referral):
    other = submit_concern(borough=bromley, answers=concern_answers(), received_at=RECEIVED)
    log_in_verified(client, StaffMemberFactory(boroughs=[bromley]).user)
    strange = other.children.get()
    url = reverse("mash:screening_child_census", args=[referral.reference, strange.pk])
    assert client.get(url).status_code == 404
    log_in_verified(client, StaffMemberFactory(boroughs=[bexley]).user)
    assert (
        client.post(
            reverse("mash:screening_source", args=[referral.reference]), {"contact_source": "4"}
        ).status_code
        == 404
    )
    assert Referral.objects.get(pk=referral.pk).contact_source == "1C"
