"""The consultation queue: professionals' requests to talk a family through with MASH.

A consultation request is a Referral of kind "consultation"; like every referral it has a
screening record (`mash.receivers`), and the queue uses that record's claim and close fields:
- claiming sets `claimed_by` with a conditional UPDATE (`WHERE claimed_by IS NULL AND
  decided_at IS NULL`), so of two staff claiming at once exactly one wins, as in `take_next`;
- recording the advice given (required text; who and when kept in `ConsultationAdvice`) closes
  it (`decided_at`), in one transaction, by the holder, or by anyone when nobody holds it.
Reads and writes are scoped to the user's boroughs (`mash.access.referrals_for`). Every change
is audited in its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from mash import audit
from mash.access import referrals_for
from mash.exceptions import AlreadyClaimed, AlreadyClosed, OutOfScope
from mash.models import AuditAction, ConsultationAdvice, ScreeningRecord
from reporting.models import Referral

ADVICE_MAX = 5000

OPEN, CLOSED = "open", "closed"
STATUSES = [(OPEN, "Open"), (CLOSED, "Closed")]


# -- reads -------------------------------------------------------------------------------------
def consultations_for(user):
    """Consultation requests of the user's boroughs, with their screening records."""
    return (
        referrals_for(user)
        .filter(kind=Referral.Kind.CONSULTATION, screening__isnull=False)
        .select_related(
            "borough",
            "screening",
            "screening__claimed_by",
            "screening__consultation_advice",
            "screening__consultation_advice__given_by",
        )
    )


def consultation_queue(*, user, status: str = OPEN):
    """Open consultations, the oldest callback window first (then the oldest request);
    closed ones, the most recently closed first."""
    queryset = consultations_for(user)
    if status == CLOSED:
        return queryset.filter(screening__decided_at__isnull=False).order_by(
            "-screening__decided_at", "-pk"
        )
    return queryset.filter(screening__decided_at__isnull=True).order_by(
        F("callback_date").asc(nulls_last=True),
        F("callback_start").asc(nulls_last=True),
        "received_at",
        "pk",
    )


def get_consultation(*, user, reference):
    """The consultation with this reference in the user's boroughs, or None."""
    return consultations_for(user).filter(reference=str(reference).upper()).first()


def advice_for(record: ScreeningRecord) -> ConsultationAdvice | None:
    try:
        return record.consultation_advice
    except ConsultationAdvice.DoesNotExist:
        return None


@dataclass(frozen=True)
class Counts:
    open: int
    closed: int


def counts(*, user) -> Counts:
    queryset = consultations_for(user)
    return Counts(
        open=queryset.filter(screening__decided_at__isnull=True).count(),
        closed=queryset.filter(screening__decided_at__isnull=False).count(),
    )


# -- writes ------------------------------------------------------------------------------------
def _scoped_record(user, referral) -> ScreeningRecord:
    if (
        referral.kind != Referral.Kind.CONSULTATION
        or not referrals_for(user).filter(pk=referral.pk).exists()
    ):
        raise OutOfScope("This consultation is not in your boroughs")
    return ScreeningRecord.objects.get(referral_id=referral.pk)


def claim(*, user, referral, request=None) -> ScreeningRecord:
    """Claim an open consultation nobody holds (one conditional UPDATE: of two staff claiming
    at once, exactly one wins; the other gets AlreadyClaimed)."""
    record = _scoped_record(user, referral)
    now = timezone.now()
    with transaction.atomic():
        claimed = ScreeningRecord.objects.filter(
            pk=record.pk, claimed_by__isnull=True, decided_at__isnull=True
        ).update(claimed_by=user, claimed_at=now)
        if not claimed:
            record.refresh_from_db()
            if record.decided_at is not None:
                raise AlreadyClosed("This consultation has been closed")
            if record.claimed_by_id == user.pk:
                return record
            raise AlreadyClaimed("Someone else has claimed this consultation")
        audit.record(
            action=AuditAction.CONSULTATION_CLAIMED, user=user, referral=referral, request=request
        )
    record.claimed_by, record.claimed_at = user, now
    return record


def record_advice(*, user, referral, advice: str, request=None) -> ConsultationAdvice:
    """Record the advice given, which closes the consultation. Allowed to whoever holds it, or
    to anyone when nobody does (they then hold it too)."""
    text = str(advice or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError("Enter the advice given", code="required")
    if len(text) > ADVICE_MAX:
        raise ValidationError(f"The advice must be {ADVICE_MAX:,} characters or less")
    record = _scoped_record(user, referral)
    now = timezone.now()
    with transaction.atomic():
        closed = (
            ScreeningRecord.objects.filter(pk=record.pk, decided_at__isnull=True)
            .filter(Q(claimed_by__isnull=True) | Q(claimed_by=user))
            .update(claimed_by=user, claimed_at=Coalesce(F("claimed_at"), now), decided_at=now)
        )
        if not closed:
            record.refresh_from_db()
            if record.decided_at is not None:
                raise AlreadyClosed("This consultation has been closed")
            raise AlreadyClaimed("Someone else has claimed this consultation")
        row = ConsultationAdvice.objects.create(
            record=record, advice=text, given_by=user, given_at=now
        )
        audit.record(
            action=AuditAction.CONSULTATION_ADVICE_RECORDED,
            user=user,
            referral=referral,
            request=request,
        )
    return row
