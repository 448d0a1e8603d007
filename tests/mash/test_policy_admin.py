"""The screening policy in the Django admin: validated, audited, and scoped: a borough's
managers (and admins) see and edit only their boroughs' policies."""

import datetime as dt

import pytest
import time_machine

from contacts.calendar import LONDON
from contacts.selectors import get_active_borough
from mash.models import AuditEvent, ScreeningPolicy, ScreeningRecord
from reporting.services import submit_concern
from tests.mash.factories import StaffMemberFactory, log_in_verified
from tests.reporting.factories import concern_answers

pytestmark = pytest.mark.django_db


def url(policy, action="change"):
    return f"/admin/mash/screeningpolicy/{policy.pk}/{action}/"


def form(policy, **changes):
    data = {
        name: getattr(policy, name)
        for name in (
            "screening_amount",
            "screening_unit",
            "red_amount",
            "red_unit",
            "amber_amount",
            "amber_unit",
            "green_amount",
            "green_unit",
            "warning_amount",
            "warning_unit",
            "red_unheld_minutes",
            "home_visit_days",
            "assessment_working_days",
            "support_months",
            "outcome_within_hours",
            "managers_inbox",
            "out_of_hours_inbox",
        )
    }
    data.update(changes)
    return data


def admin_user(boroughs, role="manager"):
    member = StaffMemberFactory(boroughs=boroughs, role=role)
    member.user.is_staff = True
    member.user.save()
    return member.user


def test_manager_edits_their_boroughs_policy_only(client, bromley, bexley):
    manager = admin_user([bromley])
    log_in_verified(client, manager)
    mine = ScreeningPolicy.objects.get(borough=bromley)
    theirs = ScreeningPolicy.objects.get(borough=bexley)
    listing = client.get("/admin/mash/screeningpolicy/")
    assert listing.status_code == 200
    assert "Bromley" in listing.text and "Bexley" not in listing.text
    assert client.get(url(theirs)).status_code in {302, 403, 404}
    response = client.post(url(theirs), form(theirs, red_amount=1))
    assert ScreeningPolicy.objects.get(pk=theirs.pk).red_amount == 4
    response = client.post(url(mine), form(mine, red_amount=2, managers_inbox="m@example.gov.uk"))
    assert response.status_code == 302, response.text[:2000]
    mine.refresh_from_db()
    assert (mine.red_amount, mine.managers_inbox) == (2, "m@example.gov.uk")
    event = AuditEvent.objects.get(action="screening_policy_changed")
    assert event.borough == bromley and event.detail["changed"] == ["managers_inbox", "red_amount"]
    # validation
    response = client.post(url(mine), form(mine, red_amount=0))
    assert response.status_code == 200 and "Enter a number of at least 1" in response.text
    assert client.get(url(mine, "delete")).status_code == 403
    assert client.get("/admin/mash/screeningpolicy/add/").status_code == 403


def test_a_screener_cannot_open_policies(client, bromley):
    screener = admin_user([bromley], role="screener")
    log_in_verified(client, screener)
    assert client.get("/admin/mash/screeningpolicy/").status_code == 403
    policy = ScreeningPolicy.objects.get(borough=bromley)
    assert client.get(url(policy)).status_code == 403


def test_a_policy_edit_sets_the_next_submissions_deadline(client, bromley):
    """Submissions read the rules from a per-process memo (mash.policy.current_rules): an
    admin edit bumps the borough's data_version, so the very next submission uses the edit."""
    received = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)  # a Monday
    with time_machine.travel(received, tick=False):
        first = submit_concern(borough=get_active_borough("bromley"), answers=concern_answers())
    assert ScreeningRecord.objects.get(referral=first).due_at == received + dt.timedelta(days=1)

    log_in_verified(client, admin_user([bromley]))
    policy = ScreeningPolicy.objects.get(borough=bromley)
    edit = form(policy, screening_amount=4, screening_unit="working_hours")
    response = client.post(url(policy), edit)
    assert response.status_code == 302, response.text[:2000]
    with time_machine.travel(received, tick=False):
        again = submit_concern(borough=get_active_borough("bromley"), answers=concern_answers())
    assert ScreeningRecord.objects.get(referral=again).due_at == received + dt.timedelta(hours=4)
