"""The decision: outcomes, a required rationale, closing the screening in the same
transaction, and the downstream dates (home visit within 10 days, assessment within 40
working days on the borough's calendar, six months of Family Wellbeing support)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts.calendar import LONDON
from contacts.models import ClosureDay
from mash import exceptions, notifications, screening
from mash.models import Decision, ScreeningRecord
from mash.selectors import queue_page
from tests.mash.test_screening import screener, signed_in, submit, url

pytestmark = pytest.mark.django_db

# Monday 21 December 2026, 10:00: Christmas Day (Fri 25), Boxing Day observed (Mon 28) and
# New Year's Day (Fri 1 Jan 2027) fall in the next 40 working days.
BEFORE_CHRISTMAS = dt.datetime(2026, 12, 21, 10, 0, tzinfo=LONDON)


def decide(referral, user, outcome="nfa", rationale="Checks show no concern"):
    return screening.record_decision(
        user=user, referral=referral, outcome=outcome, rationale=rationale
    )


def test_outcomes_are_exactly_the_seven():
    assert [label for _, label in Decision.Outcome.choices] == [
        "No further action",
        "Advice and signposting",
        "Family Wellbeing (early help)",
        "Children's social care assessment",
        "Strategy discussion (child protection)",
        "Disabled children's team",
        "Other",
    ]


def test_decision_closes_the_screening(bromley, time_machine):
    time_machine.move_to(BEFORE_CHRISTMAS + dt.timedelta(hours=3), tick=False)
    referral = submit(bromley, received_at=BEFORE_CHRISTMAS)
    user = screener(bromley)
    decision = decide(referral, user)
    record = ScreeningRecord.objects.get(referral=referral)
    assert record.decided_at == decision.decided_at == BEFORE_CHRISTMAS + dt.timedelta(hours=3)
    assert decision.decided_by == user and decision.rationale == "Checks show no concern"
    # it leaves the queue
    assert queue_page(user=user).rows == []
    with pytest.raises(exceptions.AlreadyDecided):
        decide(referral, user, outcome="advice")
    assert Decision.objects.count() == 1


def test_a_failure_rolls_the_whole_decision_back(bromley, monkeypatch):
    referral = submit(bromley)

    def broken(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(notifications, "queue_outcome_notification", broken)
    with pytest.raises(RuntimeError):
        decide(referral, screener(bromley))
    assert not Decision.objects.exists()
    assert ScreeningRecord.objects.get(referral=referral).decided_at is None


@pytest.mark.parametrize("rationale", ["", "   ", "x" * 5001])
def test_rationale_is_required(bromley, rationale):
    referral = submit(bromley)
    with pytest.raises(ValidationError):
        decide(referral, screener(bromley), rationale=rationale)
    assert ScreeningRecord.objects.get(referral=referral).decided_at is None


def test_rationale_is_required_by_the_database_too(bromley):
    referral = submit(bromley)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            record=referral.screening, outcome="nfa", rationale="", decided_by=screener(bromley)
        )


def test_unknown_outcome_refused(bromley):
    with pytest.raises(ValidationError):
        decide(submit(bromley), screener(bromley), outcome="adoption")


def test_after_the_decision_only_enquiry_answers_may_be_added(bromley):
    referral = submit(bromley)
    user = screener(bromley)
    enquiry = screening.request_enquiry(
        user=user, referral=referral, agency="health", question="Registered with a GP?"
    )
    decide(referral, user)
    with pytest.raises(exceptions.AlreadyDecided):
        screening.set_urgency(user=user, referral=referral, rating="red", reason="r")
    with pytest.raises(exceptions.AlreadyDecided):
        screening.request_enquiry(user=user, referral=referral, agency="police", question="q")
    answered = screening.answer_enquiry(
        user=user, referral=referral, enquiry_id=enquiry.pk, answer="Yes, Station Road"
    )
    assert not answered.is_open


# --- downstream dates ---------------------------------------------------------------------
def test_assessment_dates_across_christmas_and_new_year(bromley, time_machine):
    time_machine.move_to(BEFORE_CHRISTMAS + dt.timedelta(hours=2), tick=False)
    referral = submit(bromley, received_at=BEFORE_CHRISTMAS)
    decision = decide(referral, screener(bromley), outcome="assessment")
    # ten calendar days: bank holidays count
    assert decision.home_visit_by == dt.date(2026, 12, 31)
    # 40 working days from Tue 22 Dec (day 1): 22-24 Dec (3), 29-31 Dec (6), then weeks of
    # five from 4 Jan (11, 16, 21, 26, 31, 36) and Mon 15 to Thu 18 Feb (40). Christmas Day,
    # Boxing Day (observed Mon 28) and New Year's Day skipped.
    assert decision.assessment_due == dt.date(2027, 2, 18)
    assert decision.support_until is None


def test_assessment_deadline_skips_the_boroughs_closure_days(bromley, time_machine):
    ClosureDay.objects.create(borough=bromley, date=dt.date(2027, 1, 4))
    time_machine.move_to(BEFORE_CHRISTMAS + dt.timedelta(hours=2), tick=False)
    referral = submit(bromley, received_at=BEFORE_CHRISTMAS)
    decision = decide(referral, screener(bromley), outcome="assessment")
    assert decision.assessment_due == dt.date(2027, 2, 19)
    assert decision.home_visit_by == dt.date(2026, 12, 31)


def test_assessment_dates_across_easter(bromley, time_machine):
    received = dt.datetime(2027, 3, 22, 16, 30, tzinfo=LONDON)  # Monday before Good Friday
    time_machine.move_to(received + dt.timedelta(hours=17), tick=False)
    referral = submit(bromley, received_at=received)
    decision = decide(referral, screener(bromley), outcome="assessment")
    assert decision.home_visit_by == dt.date(2027, 4, 1)
    # Good Friday, Easter Monday and the early May bank holiday skipped
    assert decision.assessment_due == dt.date(2027, 5, 20)


def test_received_on_a_saturday_counts_from_monday(bromley, time_machine):
    saturday = dt.datetime(2026, 11, 21, 11, 0, tzinfo=LONDON)
    time_machine.move_to(dt.datetime(2026, 11, 23, 9, 0, tzinfo=LONDON), tick=False)
    referral = submit(bromley, received_at=saturday)
    decision = decide(referral, screener(bromley), outcome="assessment")
    assert decision.home_visit_by == dt.date(2026, 12, 1)
    # Mon 23 Nov is day 1; 40 working days, Christmas Day and Boxing Day (observed) skipped
    assert decision.assessment_due == dt.date(2027, 1, 20)


def test_family_wellbeing_support_window(bromley, time_machine):
    time_machine.move_to(dt.datetime(2026, 8, 31, 11, 0, tzinfo=LONDON), tick=False)
    referral = submit(bromley, received_at=dt.datetime(2026, 8, 28, 15, 0, tzinfo=LONDON))
    decision = decide(referral, screener(bromley), outcome="family_wellbeing")
    assert decision.support_until == dt.date(2027, 2, 28)  # six months, end of February
    assert decision.home_visit_by is None and decision.assessment_due is None


@pytest.mark.parametrize("outcome", ["nfa", "advice", "strategy", "disabled_children", "other"])
def test_other_outcomes_have_no_downstream_dates(bromley, outcome):
    decision = decide(submit(bromley), screener(bromley), outcome=outcome)
    assert (decision.home_visit_by, decision.assessment_due, decision.support_until) == (
        None,
        None,
        None,
    )


def test_add_months_clamps_to_the_month_end():
    assert screening.add_months(dt.date(2026, 1, 31), 6) == dt.date(2026, 7, 31)
    assert screening.add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert screening.add_months(dt.date(2026, 7, 15), 6) == dt.date(2027, 1, 15)


# --- the pages ----------------------------------------------------------------------------
def test_decision_form_errors_then_the_dates_on_the_page(client, bromley, time_machine):
    time_machine.move_to(BEFORE_CHRISTMAS + dt.timedelta(hours=2), tick=False)
    referral = submit(bromley, received_at=BEFORE_CHRISTMAS)
    c = signed_in(client, screener(bromley))
    response = c.post(url("screening_decision", referral), {"outcome": "", "rationale": ""})
    assert response.status_code == 200 and "<title>Error: " in response.text
    assert "Select the outcome" in response.text and "Enter the rationale" in response.text
    assert not Decision.objects.exists()
    response = c.post(
        url("screening_decision", referral),
        {"outcome": "assessment", "rationale": "Injuries need assessing"},
    )
    assert response.status_code == 302
    body = c.get(url("screening", referral)).text
    home = body.split('id="home-visit-by"')[1].split("</dd>")[0]
    due = body.split('id="assessment-due"')[1].split("</dd>")[0]
    assert "Thursday 31 December 2026" in home and "within 10 days of the referral" in home
    assert "Thursday 18 February 2027" in due and "within 40 working days" in due
    assert "Children&#x27;s social care assessment" in body
    assert "Injuries need assessing" in body
    # decided: the forms are closed
    assert url("screening_urgency", referral) not in body
    again = c.get(url("screening_decision", referral))
    assert again.status_code == 302
    assert c.get(again["Location"]).text.count("This referral has been decided")


def test_family_wellbeing_window_on_the_page(client, bromley, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 11, 0, tzinfo=LONDON), tick=False)
    referral = submit(bromley, received_at=dt.datetime(2026, 11, 23, 15, 0, tzinfo=LONDON))
    c = signed_in(client, screener(bromley))
    c.post(
        url("screening_decision", referral),
        {"outcome": "family_wellbeing", "rationale": "Meets criteria: low-level neglect"},
    )
    body = c.get(url("screening", referral)).text
    window = body.split('id="support-until"')[1].split("</dd>")[0]
    assert "up to six months" in window and "24 May 2027" in window
