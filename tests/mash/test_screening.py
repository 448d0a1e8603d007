"""The screening page and its actions: urgency (with history), Continuum of Need, record
checks, enquiries; scoping (another borough's referral is 404 on every screening URL) and
the audit trail."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts.calendar import LONDON
from mash import exceptions, screening
from mash.models import (
    AuditAction,
    AuditEvent,
    Enquiry,
    NeedLevel,
    ScreeningRecord,
    UrgencyRating,
)
from reporting.services import submit_concern
from tests.mash.factories import StaffMemberFactory, log_in_password_only, log_in_verified
from tests.reporting.factories import concern_answers

pytestmark = pytest.mark.django_db

RECEIVED = dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)  # a Monday


def submit(borough, variant="named", received_at=RECEIVED, **overrides):
    """A concern submitted as the public journey would (its screening record comes with it)."""
    return submit_concern(
        borough=borough,
        answers=concern_answers(variant, **overrides),
        received_at=received_at,
    )


def screener(borough, **kwargs):
    return StaffMemberFactory(boroughs=[borough], **kwargs).user


def signed_in(client, user):
    log_in_verified(client, user)
    return client


def url(name, referral, *args):
    return reverse(f"mash:{name}", args=[referral.reference, *args])


def actions(referral):
    return list(AuditEvent.objects.filter(referral=referral).values_list("action", flat=True))


# --- services -----------------------------------------------------------------------------
def test_urgency_rating_changes_are_kept_with_who_when_why(bromley):
    referral = submit(bromley)
    first, second = screener(bromley), screener(bromley, manager=True)
    screening.set_urgency(user=first, referral=referral, rating="amber", reason="Unclear risk")
    screening.set_urgency(
        user=second, referral=referral, rating="red", reason="Police report of injury"
    )
    history = list(UrgencyRating.objects.filter(record__referral=referral))
    assert [(r.rating, r.set_by, r.reason) for r in history] == [
        ("red", second, "Police report of injury"),
        ("amber", first, "Unclear risk"),
    ]
    assert screening.current_urgency(referral.screening).rating == "red"
    events = AuditEvent.objects.filter(referral=referral, action=AuditAction.URGENCY_SET)
    assert [e.detail["rating"] for e in events] == ["red", "amber"]
    assert events[0].detail["previous"] == "amber"


@pytest.mark.parametrize(
    "rating,reason", [("purple", "A reason"), ("red", ""), ("red", "   "), ("red", "x" * 2001)]
)
def test_urgency_needs_a_known_rating_and_a_reason(bromley, rating, reason):
    referral = submit(bromley)
    with pytest.raises(ValidationError):
        screening.set_urgency(
            user=screener(bromley), referral=referral, rating=rating, reason=reason
        )
    assert not UrgencyRating.objects.exists()


def test_continuum_of_need_levels(bromley):
    referral = submit(bromley)
    user = screener(bromley)
    assert [label for _, label in NeedLevel.Level.choices] == [
        "Level 1: universal",
        "Level 2: early help",
        "Level 3: complex",
        "Level 4: acute or statutory",
    ]
    screening.set_need_level(user=user, referral=referral, level=2)
    screening.set_need_level(user=user, referral=referral, level="3", reason="Several agencies")
    assert screening.current_need_level(referral.screening).level == 3
    assert NeedLevel.objects.count() == 2
    for bad in (0, 5, "x", None):
        with pytest.raises(ValidationError):
            screening.set_need_level(user=user, referral=referral, level=bad)
    assert actions(referral).count(AuditAction.NEED_LEVEL_SET) == 2


def test_record_check_keeps_what_the_matcher_found(bromley):
    earlier = submit(bromley, received_at=RECEIVED - dt.timedelta(days=40))
    referral = submit(bromley)
    check = screening.record_check(
        user=screener(bromley), referral=referral, notes="Known: NFA in October"
    )
    assert check.found == [earlier.reference]
    with pytest.raises(ValidationError):
        screening.record_check(user=screener(bromley), referral=referral, notes=" ")


def test_enquiry_asked_then_answered(bromley):
    referral = submit(bromley)
    user = screener(bromley)
    enquiry = screening.request_enquiry(
        user=user, referral=referral, agency="police", question="Any call-outs to this address?"
    )
    assert enquiry.is_open and enquiry.requested_by == user
    answered = screening.answer_enquiry(
        user=user, referral=referral, enquiry_id=enquiry.pk, answer="Two call-outs in 2026"
    )
    assert not answered.is_open and answered.answered_by == user
    with pytest.raises(exceptions.NotAllowed):
        screening.answer_enquiry(user=user, referral=referral, enquiry_id=enquiry.pk, answer="x")
    assert actions(referral).count(AuditAction.ENQUIRY_REQUESTED) == 1
    assert actions(referral).count(AuditAction.ENQUIRY_ANSWERED) == 1


def test_enquiry_rules(bromley):
    referral = submit(bromley)
    user = screener(bromley)
    with pytest.raises(ValidationError):  # other needs the agency's name
        screening.request_enquiry(user=user, referral=referral, agency="other", question="Q?")
    with pytest.raises(ValidationError):
        screening.request_enquiry(user=user, referral=referral, agency="army", question="Q?")
    other = screening.request_enquiry(
        user=user, referral=referral, agency="other", agency_detail="Housing", question="Q?"
    )
    assert other.agency_name == "Housing"
    assert [label for _, label in Enquiry.Agency.choices] == [
        "Police",
        "Health",
        "School",
        "Probation",
        "Other",
    ]
    with pytest.raises(ValidationError):  # an answer before the question
        screening.answer_enquiry(
            user=user,
            referral=referral,
            enquiry_id=other.pk,
            answer="A",
            answered_at=other.requested_at - dt.timedelta(minutes=1),
        )


def test_services_refuse_another_boroughs_referral(bromley, bexley):
    referral = submit(bromley)
    outsider = screener(bexley)
    calls = [
        lambda: screening.set_urgency(user=outsider, referral=referral, rating="red", reason="r"),
        lambda: screening.set_need_level(user=outsider, referral=referral, level=2),
        lambda: screening.record_check(user=outsider, referral=referral, notes="n"),
        lambda: screening.request_enquiry(
            user=outsider, referral=referral, agency="police", question="q"
        ),
        lambda: screening.record_decision(
            user=outsider, referral=referral, outcome="nfa", rationale="r"
        ),
    ]
    for call in calls:
        with pytest.raises(exceptions.OutOfScope):
            call()
    assert not UrgencyRating.objects.exists() and not Enquiry.objects.exists()
    assert ScreeningRecord.objects.get(referral=referral).decided_at is None


def test_only_the_holder_or_a_manager_changes_a_held_referral(bromley):
    referral = submit(bromley)
    holder, other, manager = screener(bromley), screener(bromley), screener(bromley, manager=True)
    ScreeningRecord.objects.filter(referral=referral).update(claimed_by=holder, claimed_at=RECEIVED)
    referral.refresh_from_db()
    with pytest.raises(screening.HeldByOther):
        screening.set_urgency(user=other, referral=referral, rating="red", reason="r")
    screening.set_urgency(user=holder, referral=referral, rating="red", reason="r")
    screening.set_urgency(user=manager, referral=referral, rating="amber", reason="r2")
    assert UrgencyRating.objects.count() == 2


# --- the page -----------------------------------------------------------------------------
def test_screening_page_shows_the_whole_referral_and_is_audited(client, bromley):
    referral = submit(bromley, "professional")
    user = screener(bromley)
    response = signed_in(client, user).get(url("screening", referral))
    assert response.status_code == 200
    body = response.text
    for text in (
        referral.reference,
        "Amira Hughes",
        "Born 14 March 2017",
        "BR1 3UH",
        "Neglect, Emotional abuse",
        "no food at home",
        "Dr Priya Shah",
        "GP at Station Road Surgery",
        "(online)",
        "Screening due",
    ):
        assert text in body, text
    # the two colours never share a label or a component
    assert "Deadline" in body and "Urgency (screener's rating)" in body
    event = AuditEvent.objects.get(referral=referral, action="referral_viewed")
    assert event.user == user and event.detail["page"] == "screening"
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )


def test_anonymous_referrer_shows_as_anonymous(client, bromley):
    referral = submit(bromley, "anonymous")
    body = signed_in(client, screener(bromley)).get(url("screening", referral)).text
    assert "Anonymous" in body
    assert "No email" not in body  # no contact rows for an anonymous referrer


def test_deadline_state_and_urgency_rating_are_shown_apart(client, bromley, time_machine):
    time_machine.move_to(RECEIVED + dt.timedelta(hours=1), tick=False)
    referral = submit(bromley)
    screening.set_urgency(
        user=screener(bromley), referral=referral, rating="red", reason="Injury seen"
    )
    body = signed_in(client, screener(bromley)).get(url("screening", referral)).text
    deadline = body.split('id="deadline-state"')[1].split("</dd>")[0]
    assert "govuk-tag--green" in deadline and "On track" in deadline
    urgency = body.split('id="urgency-current"')[1].split("</div>")[0]
    assert "Urgency (screener's rating): Red" in urgency and "govuk-tag" not in urgency
    assert "Injury seen" in urgency


def test_family_wellbeing_consent_and_criteria_are_shown(client, bromley):
    referral = submit(bromley)
    fields = {"kind": "family_wellbeing"}
    if hasattr(referral, "wellbeing_criteria"):
        fields.update(
            consent_given_by="Jo Hughes (mother)",
            consent_date=dt.date(2026, 11, 20),
            wellbeing_criteria=[{"code": "low_level_neglect", "details": "Often hungry"}],
        )
    type(referral).objects.filter(pk=referral.pk).update(**fields)
    body = signed_in(client, screener(bromley)).get(url("screening", referral)).text
    assert "Family Wellbeing" in body and "Written consent" in body
    if hasattr(referral, "wellbeing_criteria"):
        assert "Jo Hughes (mother)" in body and "signed 20 November 2026" in body
        assert "Low-level neglect: Often hungry" in body


def test_urgency_form_round_trip_and_history_on_the_page(client, bromley):
    referral = submit(bromley)
    user = screener(bromley)
    c = signed_in(client, user)
    page = c.get(url("screening_urgency", referral))
    assert page.status_code == 200 and 'name="rating"' in page.text
    errors = c.post(url("screening_urgency", referral), {"rating": "", "reason": ""})
    assert errors.status_code == 200
    assert "govuk-error-summary" in errors.text and errors.text.count("Select red, amber or green")
    assert "<title>Error: " in errors.text
    done = c.post(url("screening_urgency", referral), {"rating": "amber", "reason": "First view"})
    assert done.status_code == 302 and done["Location"].endswith("/screening/#urgency")
    c.post(url("screening_urgency", referral), {"rating": "red", "reason": "Police called"})
    body = c.get(url("screening", referral)).text
    assert "Urgency (screener's rating): Red" in body
    history = body.split('id="urgency-history"')[1]
    assert "First view" in history and "Police called" in history


def test_need_level_check_and_enquiry_forms(client, bromley):
    earlier = submit(bromley, received_at=RECEIVED - dt.timedelta(days=3))
    referral = submit(bromley)
    c = signed_in(client, screener(bromley))
    assert c.post(url("screening_need_level", referral), {"level": "3"}).status_code == 302
    check_page = c.get(url("screening_check", referral))
    assert earlier.reference in check_page.text
    assert c.post(url("screening_check", referral), {"notes": "Open case: no"}).status_code == 302
    assert (
        c.post(
            url("screening_enquiry", referral),
            {"agency": "other", "agency_detail": "", "question": "Known?"},
        ).status_code
        == 200
    )  # other needs the agency's name
    assert (
        c.post(
            url("screening_enquiry", referral),
            {"agency": "school", "question": "Attendance this term?"},
        ).status_code
        == 302
    )
    enquiry = Enquiry.objects.get()
    body = c.get(url("screening", referral)).text
    assert "Level 3: complex" in body
    assert "Open case: no" in body
    assert "Waiting for answer" in body and "Attendance this term?" in body
    # the recent-concern warning: the same child, 3 days earlier
    assert 'id="recent-warning"' in body and earlier.reference in body
    answer_url = url("screening_answer", referral, enquiry.pk)
    assert c.post(answer_url, {"answer": "90% attendance"}).status_code == 302
    body = c.get(url("screening", referral)).text
    assert "90% attendance" in body and "Waiting for answer" not in body


def test_held_by_someone_else_is_read_only(client, bromley):
    referral = submit(bromley)
    holder = screener(bromley)
    ScreeningRecord.objects.filter(referral=referral).update(claimed_by=holder, claimed_at=RECEIVED)
    c = signed_in(client, screener(bromley))
    body = c.get(url("screening", referral)).text
    assert "you can read it, not change it" in body
    assert url("screening_urgency", referral) not in body
    response = c.post(url("screening_urgency", referral), {"rating": "red", "reason": "r"})
    assert response.status_code == 302 and not UrgencyRating.objects.exists()


# --- scoping ------------------------------------------------------------------------------
def screening_urls(referral, enquiry):
    return [
        url("screening", referral),
        url("screening_urgency", referral),
        url("screening_need_level", referral),
        url("screening_check", referral),
        url("screening_enquiry", referral),
        url("screening_answer", referral, enquiry.pk),
        url("screening_decision", referral),
    ]


def test_every_screening_url_is_404_for_another_borough(client, bromley, bexley):
    referral = submit(bromley)
    enquiry = screening.request_enquiry(
        user=screener(bromley), referral=referral, agency="police", question="Q?"
    )
    outsider = screener(bexley, manager=True)
    c = signed_in(client, outsider)
    posts = {
        "rating": "red",
        "reason": "r",
        "level": "4",
        "notes": "n",
        "agency": "police",
        "question": "q",
        "answer": "a",
        "outcome": "nfa",
        "rationale": "r",
    }
    for address in screening_urls(referral, enquiry):
        for method in ("get", "post"):
            response = getattr(c, method)(address, posts)
            expected = 405 if (method, address) == ("post", url("screening", referral)) else 404
            assert response.status_code == expected, f"{method} {address}"
            assert "Amira" not in response.text
            made_up = getattr(c, method)(address.replace(referral.reference, "BRM-0000-0000"))
            assert made_up.status_code == expected
    record = ScreeningRecord.objects.get(referral=referral)
    assert record.decided_at is None and not UrgencyRating.objects.exists()
    assert Enquiry.objects.get().is_open
    refused = AuditEvent.objects.filter(action="access_refused", referral=referral)
    assert refused.count() == 13  # every GET, every POST but the page's (405)


def test_an_enquiry_of_another_referral_is_404(client, bromley):
    mine, other = submit(bromley), submit(bromley)
    enquiry = screening.request_enquiry(
        user=screener(bromley), referral=other, agency="police", question="Q?"
    )
    c = signed_in(client, screener(bromley))
    assert c.get(url("screening_answer", mine, enquiry.pk)).status_code == 404


def test_screening_urls_need_the_second_factor(client, bromley):
    referral = submit(bromley)
    enquiry = screening.request_enquiry(
        user=screener(bromley), referral=referral, agency="police", question="Q?"
    )
    log_in_password_only(client, screener(bromley))
    for address in screening_urls(referral, enquiry):
        response = client.get(address)
        assert response.status_code == 302 and response["Location"].startswith("/mash/login/")


def test_late_notifications_list_is_scoped(client, bromley, bexley):
    response = signed_in(client, screener(bexley)).get(reverse("mash:late_notifications"))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="late_notifications_viewed").count() == 1


# --- the queue ----------------------------------------------------------------------------
def test_an_open_enquiry_shows_on_the_queue_at_no_extra_query(client, bromley, time_machine):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    time_machine.move_to(RECEIVED + dt.timedelta(hours=1), tick=False)
    asked, quiet = submit(bromley), submit(bromley)
    user = screener(bromley)
    c = signed_in(client, user)
    with CaptureQueriesContext(connection) as before:
        assert "Enquiry open" not in c.get("/mash/").text
    enquiry = screening.request_enquiry(
        user=user, referral=asked, agency="probation", question="Known to probation?"
    )
    with CaptureQueriesContext(connection) as after:
        body = c.get("/mash/").text
    assert len(after.captured_queries) == len(before.captured_queries)
    rows = {
        ref: row
        for ref, row in (
            (r.split("</a>")[0].rsplit(">", 1)[-1], r) for r in body.split('scope="row"')[1:]
        )
    }
    assert "Enquiry open" in rows[asked.reference].split("</th>")[0]
    assert "Enquiry open" not in rows[quiet.reference].split("</th>")[0]
    screening.answer_enquiry(user=user, referral=asked, enquiry_id=enquiry.pk, answer="No")
    assert "Enquiry open" not in c.get("/mash/").text


def test_the_referral_summary_links_to_the_screening_page(client, bromley):
    referral = submit(bromley)
    body = signed_in(client, screener(bromley)).get(url("referral", referral)).text
    assert url("screening", referral) in body


def test_staff_messages_read_as_english():
    """Every required long answer on the screening pages has a message that reads correctly
    (not 'Enter the what the checks found', 'Enter the the agency's answer')."""
    from django import forms as django_forms

    from mash import screening_forms

    messages = {}
    for name in dir(screening_forms):
        form = getattr(screening_forms, name)
        if isinstance(form, type) and issubclass(form, django_forms.BaseForm):
            for field_name, field in form.base_fields.items():
                if field.required:
                    messages[f"{name}.{field_name}"] = field.error_messages["required"]
    assert messages["RecordCheckForm.notes"] == "Enter what the checks found"
    assert messages["AnswerForm.answer"] == "Enter the agency's answer"
    for key, message in messages.items():
        assert not re.search(r"\bthe (the|what|why|how)\b", message, re.I), (key, message)
        assert message != "This field is required.", key
