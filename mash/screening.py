"""Screening one referral: what a senior social worker records on the screening page.

Writes (keyword-only, each in one transaction, each audited through `mash.audit.record`):
`set_urgency`, `set_need_level`, `record_check`, `request_enquiry`, `answer_enquiry`,
`record_decision`. Every write is scoped through `mash.access.referrals_for`: a referral of
another borough raises `OutOfScope` (views never get that far: they 404 first).

Who may change a referral: anyone on its borough's staff while nobody holds it or while they
hold it; a manager of its borough at any time. Once decided it is closed: only the answers to
enquiries still open may be added.

Downstream dates, fixed when the decision is recorded, with the timescales of the borough's
screening policy (`mash.policy`; the values below are Bromley's):
- children's social care assessment: a home visit by the referral's received date + 10
  calendar days ("within ten days of the referral"), and the assessment completed by the 40th
  (45th by default) working day on the borough's calendar counted from the referral (the day
  after it was received is the first day; weekends, bank holidays and closure days do not
  count): the seed page's "within a 40 working-day period", counted from the referral as
  statutory guidance counts assessment timescales, the earlier (safer) of the two readings;
- Family Wellbeing: keyworker support for up to six months from the decision date.

An urgency rating sets its own clock from the moment it is given (`set_urgency`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contacts.calendar import WorkingCalendar, add_months, to_london
from contacts.selectors import working_calendar
from mash import audit, deadlines, matching, notifications
from mash.access import referrals_for, staff_member
from mash.exceptions import AlreadyDecided, HeldByOther, NotAllowed, OutOfScope
from mash.models import (
    AuditAction,
    Decision,
    Enquiry,
    NeedLevel,
    RecordCheck,
    ScreeningRecord,
    UrgencyRating,
)
from mash.policy import DEFAULT, current_rules
from reporting.models import Child, ContactSource, Ethnicity, Referral, Sex

# The queue's rank: Red first, then everything else (by effective due time).
RED_RANK, OTHER_RANK = 0, 1
REASON_MAX = 2000
TEXT_MAX = 5000


__all__ = [
    "answer_enquiry",
    "record_check",
    "record_decision",
    "request_enquiry",
    "set_need_level",
    "set_urgency",
]


# --- downstream dates ---------------------------------------------------------------------
def home_visit_by(received_at: dt.datetime, *, days: int = DEFAULT.home_visit_days) -> dt.date:
    """A social work home visit within `days` (calendar) days of the referral (policy)."""
    return to_london(received_at).date() + dt.timedelta(days=days)


def assessment_due(
    received_at: dt.datetime,
    *,
    calendar: WorkingCalendar,
    working_days: int = DEFAULT.assessment_working_days,
) -> dt.date:
    """The `working_days`th working day after the day the referral was received (policy:
    40 in Bromley, 45 by default)."""
    day = to_london(received_at).date()
    counted = 0
    while counted < working_days:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day


def support_until(decided_at: dt.datetime, *, months: int = DEFAULT.support_months) -> dt.date:
    """Family Wellbeing keyworker support: up to `months` (policy, default six) from the
    decision."""
    return add_months(to_london(decided_at).date(), months)


# --- guards -------------------------------------------------------------------------------
def _text(value, *, name: str, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(f"Enter the {name}", code="required")
    if len(text) > max_length:
        raise ValidationError(f"The {name} must be {max_length} characters or less")
    return text


def _record_for(user, referral, *, lock: bool = False) -> ScreeningRecord:
    """The referral's screening record, if the referral is in the user's boroughs."""
    if not referrals_for(user).filter(pk=referral.pk).exists():
        raise OutOfScope("This referral is not in your boroughs")
    records = ScreeningRecord.objects.select_related("borough")
    if lock:
        records = records.select_for_update()
    try:
        return records.get(referral_id=referral.pk)
    except ScreeningRecord.DoesNotExist as exc:
        raise NotAllowed("This referral has no screening record") from exc


def _is_manager_of(user, borough_id) -> bool:
    member = staff_member(user)
    return bool(member and member.is_manager and member.boroughs.filter(pk=borough_id).exists())


def may_change(user, record: ScreeningRecord) -> bool:
    held_by = record.claimed_by_id
    return held_by in (None, user.pk) or _is_manager_of(user, record.borough_id)


def _check_may_change(user, record: ScreeningRecord, *, open_only: bool = True) -> None:
    if open_only and record.decided_at is not None:
        raise AlreadyDecided("This referral has been decided")
    if not may_change(user, record):
        raise HeldByOther("Someone else is screening this referral")


def _record_to_change(user, referral, *, open_only: bool = True) -> ScreeningRecord:
    """The referral's screening record, locked (call inside a transaction), once this user
    may change it."""
    record = _record_for(user, referral, lock=True)
    _check_may_change(user, record, open_only=open_only)
    return record


# --- writes -------------------------------------------------------------------------------
def set_urgency(*, user, referral, rating: str, reason: str, request=None) -> UrgencyRating:
    """Record the screener's red/amber/green urgency rating, with the reason (a new row: the
    history keeps who changed it, when and why). The rating sets its own clock from now (the
    borough's policy): the record's effective due time becomes the earlier of its statutory
    deadline and the rating's, and a Red one goes to the front of the queue."""
    if rating not in UrgencyRating.Rating.values:
        raise ValidationError("Select red, amber or green", code="invalid_choice")
    reason = _text(reason, name="reason", max_length=REASON_MAX)
    with transaction.atomic():
        record = _record_to_change(user, referral)
        previous = record.urgency_ratings.values_list("rating", flat=True).first()
        now = timezone.now()
        calendar, rules = working_calendar(record.borough), current_rules(record.borough)
        row = UrgencyRating.objects.create(
            record=record,
            rating=rating,
            reason=reason,
            set_by=user,
            set_at=now,
            due_at=deadlines.rating_due_at(rating, now, rules=rules, calendar=calendar),
        )
        effective = deadlines.effective_due_at(
            statutory_due_at=record.due_at,
            rating=rating,
            rated_at=now,
            rules=rules,
            calendar=calendar,
        )
        ScreeningRecord.objects.filter(pk=record.pk).update(
            rating=rating,
            rated_at=now,
            rank=RED_RANK if rating == UrgencyRating.Rating.RED else OTHER_RANK,
            effective_due_at=effective,
        )
        audit.record(
            action=AuditAction.URGENCY_SET,
            user=user,
            referral=referral,
            request=request,
            rating=rating,
            previous=previous,
            due_at=effective.isoformat(),
        )
    return row


def set_need_level(*, user, referral, level: int, reason: str = "", request=None) -> NeedLevel:
    """Record the London Continuum of Need level (1 universal .. 4 acute/statutory)."""
    try:
        level = int(level)
    except (TypeError, ValueError) as exc:
        raise ValidationError("Select a level", code="invalid_choice") from exc
    if level not in NeedLevel.Level.values:
        raise ValidationError("Select a level from 1 to 4", code="invalid_choice")
    reason = _text(reason, name="reason", max_length=REASON_MAX, required=False)
    with transaction.atomic():
        record = _record_to_change(user, referral)
        previous = record.need_levels.values_list("level", flat=True).first()
        row = NeedLevel.objects.create(record=record, level=level, reason=reason, set_by=user)
        audit.record(
            action=AuditAction.NEED_LEVEL_SET,
            user=user,
            referral=referral,
            request=request,
            level=level,
            previous=previous,
        )
    return row


def record_check(*, user, referral, notes: str, request=None) -> RecordCheck:
    """Record that the checks were done: the matches found now (references) and the notes."""
    notes = _text(notes, name="notes", max_length=TEXT_MAX)
    with transaction.atomic():
        record = _record_to_change(user, referral)
        found = sorted(
            {
                match.referral.reference
                for _, matches in matching.matches_for_referral(referral)
                for match in matches
            }
        )
        row = RecordCheck.objects.create(record=record, found=found, notes=notes, checked_by=user)
        audit.record(
            action=AuditAction.RECORD_CHECK_RECORDED,
            user=user,
            referral=referral,
            request=request,
            found=found,
        )
    return row


def request_enquiry(
    *,
    user,
    referral,
    agency: str,
    question: str,
    agency_detail: str = "",
    requested_at: dt.datetime | None = None,
    request=None,
) -> Enquiry:
    """Record a question put to a partner agency (open until its answer is recorded)."""
    if agency not in Enquiry.Agency.values:
        raise ValidationError("Select the agency", code="invalid_choice")
    agency_detail = _text(
        agency_detail, name="agency name", max_length=200, required=agency == Enquiry.Agency.OTHER
    )
    question = _text(question, name="question", max_length=TEXT_MAX)
    now = timezone.now()
    requested_at = requested_at or now
    if requested_at > now:
        raise ValidationError("The time asked must be in the past")
    with transaction.atomic():
        record = _record_to_change(user, referral)
        row = Enquiry.objects.create(
            record=record,
            agency=agency,
            agency_detail=agency_detail if agency == Enquiry.Agency.OTHER else "",
            question=question,
            requested_at=requested_at,
            requested_by=user,
        )
        audit.record(
            action=AuditAction.ENQUIRY_REQUESTED,
            user=user,
            referral=referral,
            request=request,
            enquiry=row.pk,
            agency=agency,
        )
    return row


def answer_enquiry(
    *,
    user,
    referral,
    enquiry_id: int,
    answer: str,
    answered_at: dt.datetime | None = None,
    request=None,
) -> Enquiry:
    """Record an agency's answer. Allowed after the decision too (answers come late)."""
    answer = _text(answer, name="answer", max_length=TEXT_MAX)
    now = timezone.now()
    answered_at = answered_at or now
    if answered_at > now:
        raise ValidationError("The time answered must be in the past")
    with transaction.atomic():
        record = _record_to_change(user, referral, open_only=False)
        try:
            enquiry = Enquiry.objects.select_for_update().get(pk=enquiry_id, record=record)
        except Enquiry.DoesNotExist as exc:
            raise NotAllowed("No such enquiry on this referral") from exc
        if enquiry.answered_at is not None:
            raise NotAllowed("This enquiry has already been answered")
        if answered_at < enquiry.requested_at:
            raise ValidationError("The answer cannot come before the question was asked")
        enquiry.answer, enquiry.answered_at, enquiry.answered_by = answer, answered_at, user
        enquiry.save(update_fields=["answer", "answered_at", "answered_by"])
        audit.record(
            action=AuditAction.ENQUIRY_ANSWERED,
            user=user,
            referral=referral,
            request=request,
            enquiry=enquiry.pk,
            agency=enquiry.agency,
        )
    return enquiry


def record_decision(*, user, referral, outcome: str, rationale: str, request=None) -> Decision:
    """Record the outcome and its rationale; close the screening (decided_at) in the same
    transaction, fix the downstream dates, and put the outcome email to the referrer in the
    outbox when they can be contacted. A referral is decided once."""
    if outcome not in Decision.Outcome.values:
        raise ValidationError("Select the outcome", code="invalid_choice")
    rationale = _text(rationale, name="rationale", max_length=TEXT_MAX)
    with transaction.atomic():
        record = _record_to_change(user, referral)
        now = timezone.now()
        took = working_calendar(record.borough).working_time_between(record.received_at, now)
        closed = ScreeningRecord.objects.filter(pk=record.pk, decided_at__isnull=True).update(
            decided_at=now, decision_working_seconds=max(0, int(took.total_seconds()))
        )
        if not closed:
            raise AlreadyDecided("This referral has been decided")
        decision = Decision(
            record=record,
            outcome=outcome,
            rationale=rationale,
            decided_by=user,
            decided_at=now,
            notify_referrer=notifications.should_notify(referral),
        )
        rules = current_rules(record.borough)
        if outcome == Decision.Outcome.ASSESSMENT:
            decision.home_visit_by = home_visit_by(referral.received_at, days=rules.home_visit_days)
            decision.assessment_due = assessment_due(
                referral.received_at,
                calendar=working_calendar(record.borough),
                working_days=rules.assessment_working_days,
            )
        elif outcome == Decision.Outcome.FAMILY_WELLBEING:
            decision.support_until = support_until(now, months=rules.support_months)
        if decision.notify_referrer:
            decision.notification_due_at = now + rules.outcome_within
        decision.save()
        record.decided_at = now
        record.decision_working_seconds = max(0, int(took.total_seconds()))
        message = notifications.queue_outcome_notification(referral=referral, decision=decision)
        audit.record(
            action=AuditAction.DECISION_RECORDED,
            user=user,
            referral=referral,
            request=request,
            outcome=outcome,
            notify=decision.notify_referrer,
            outbox=message.pk if message else None,
        )
    return decision


# --- reads ---------------------------------------------------------------------------------
def current_urgency(record) -> UrgencyRating | None:
    return record.urgency_ratings.select_related("set_by").first()


def current_need_level(record) -> NeedLevel | None:
    return record.need_levels.select_related("set_by").first()


# --- census fields (issue 16): always correctable, decided or not --------------------------
def set_contact_source(*, user, referral, source: str, request=None) -> bool:
    """Set or correct the referral's census contact source (`ContactSource`), audited with the
    old and new codes. True when it changed. Allowed after the decision too: the figures must
    be right whenever they are counted."""
    if source not in ContactSource.values:
        raise ValidationError("Select where the contact came from", code="invalid_choice")
    with transaction.atomic():
        _record_to_change(user, referral, open_only=False)
        previous = Referral.objects.filter(pk=referral.pk).values_list("contact_source", flat=True)[
            0
        ]
        if previous == source:
            return False
        Referral.objects.filter(pk=referral.pk).update(contact_source=source)
        referral.contact_source = source
        audit.record(
            action=AuditAction.CONTACT_SOURCE_SET,
            user=user,
            referral=referral,
            request=request,
            previous=previous,
            new=source,
        )
    return True


def set_child_census(*, user, referral, child_id: int, sex: str, ethnicity: str, request=None):
    """Set or correct one child's sex and ethnicity, each change audited with the old and new
    values (the child's row id, never their name). Returns the names of the fields changed."""
    if sex not in Sex.values:
        raise ValidationError("Select the child's sex", code="invalid_choice")
    if ethnicity not in Ethnicity.values:
        raise ValidationError("Select the child's ethnicity", code="invalid_choice")
    changed = []
    with transaction.atomic():
        _record_to_change(user, referral, open_only=False)
        child = Child.objects.select_for_update().filter(pk=child_id, referral=referral).first()
        if child is None:
            raise NotAllowed("No such child on this referral")
        detail = {"user": user, "referral": referral, "request": request, "child": child.pk}
        if child.sex != sex:
            changed.append("sex")
            audit.record(action=AuditAction.CHILD_SEX_SET, previous=child.sex, new=sex, **detail)
        if child.ethnicity != ethnicity:
            changed.append("ethnicity")
            audit.record(
                action=AuditAction.CHILD_ETHNICITY_SET,
                previous=child.ethnicity,
                new=ethnicity,
                **detail,
            )
        if changed:
            Child.objects.filter(pk=child.pk).update(sex=sex, ethnicity=ethnicity)
    return changed
