"""Writes for the MASH queue: claiming ("take next"), releasing and reassigning referrals.

Every change is audited through `mash.audit.record`, inside the same transaction.

`take_next` must never give two screeners the same referral, nor make one wait for another:
- on PostgreSQL it locks the most urgent open, unclaimed record with
  `SELECT ... FOR UPDATE SKIP LOCKED` (rows another screener is claiming this instant are
  skipped, not waited for) and claims it with a conditional UPDATE in the same transaction;
- elsewhere (SQLite: one writer at a time, no row locks) it picks the most urgent candidate and
  claims it with `UPDATE ... WHERE claimed_by IS NULL`, trying the next candidate when someone
  else got there first.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from mash import audit
from mash.access import staff_member, user_boroughs
from mash.exceptions import AlreadyDecided, NotAllowed, NotHolder, ScreeningError
from mash.models import QUEUED, AuditAction, ScreeningRecord, StaffMember
from mash.selectors import ORDER


def _unclaimed(borough_ids):
    """Queued records (undecided, never consultation requests) nobody holds, in queue order:
    Red first, then the effective due time, then the received time."""
    return ScreeningRecord.objects.filter(
        QUEUED, borough_id__in=borough_ids, claimed_by__isnull=True
    ).order_by(*ORDER)


def _claim(record_id, user, now) -> bool:
    return bool(
        ScreeningRecord.objects.filter(
            pk=record_id, claimed_by__isnull=True, decided_at__isnull=True
        ).update(claimed_by=user, claimed_at=now)
    )


def _claimed_record(record_id) -> ScreeningRecord:
    return ScreeningRecord.objects.select_related("referral", "borough", "claimed_by").get(
        pk=record_id
    )


def take_next(*, user, request=None) -> ScreeningRecord | None:
    """Claim, for `user`, the most urgent open referral of their boroughs that nobody holds
    (Red first, then the effective due time, then the received time; never a consultation
    request), and return its screening record (with `.referral`); None when there is none."""
    borough_ids = list(user_boroughs(user).values_list("pk", flat=True))
    if not borough_ids:
        return None
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            candidate = (
                _unclaimed(borough_ids)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
                .first()
            )
            if candidate is None:
                return None
            now = timezone.now()
            # The row is locked by us; the condition still guards against a claim committed
            # between our snapshot and the lock.
            if not _claim(candidate, user, now):
                return take_next(user=user, request=request)
            record = _claimed_record(candidate)
            _audit_claim(record, user, request)
            return record
    while True:
        candidate = _unclaimed(borough_ids).values_list("pk", flat=True).first()
        if candidate is None:
            return None
        with transaction.atomic():
            if _claim(candidate, user, timezone.now()):
                record = _claimed_record(candidate)
                _audit_claim(record, user, request)
                return record
        # Someone else claimed it between our read and our update: try the next one.


def _audit_claim(record, user, request) -> None:
    audit.record(
        action=AuditAction.REFERRAL_CLAIMED,
        user=user,
        referral=record.referral,
        borough=record.borough,
        request=request,
    )


def _is_manager_of(user, borough_id) -> bool:
    member = staff_member(user)
    return (
        member is not None and member.is_manager and member.boroughs.filter(pk=borough_id).exists()
    )


def _hand_over(record, holder_id, refusal: type[Exception], **holder) -> None:
    """Set the holder fields of an undecided record still held by `holder_id`; raise `refusal`
    when it has changed hands or been decided since it was read."""
    changed = ScreeningRecord.objects.filter(
        pk=record.pk, claimed_by_id=holder_id, decided_at__isnull=True
    ).update(**holder)
    if not changed:
        raise refusal("This referral has changed hands or been decided: reload the page")


def release(*, user, record: ScreeningRecord, request=None) -> ScreeningRecord:
    """Give a held referral back to the queue. The holder may release it, and so may a
    manager of its borough."""
    holder_id = record.claimed_by_id
    if holder_id is None:
        raise NotHolder("Nobody holds this referral")
    if holder_id != user.pk and not _is_manager_of(user, record.borough_id):
        raise NotHolder("You do not hold this referral")
    now = timezone.now()
    with transaction.atomic():
        _hand_over(record, holder_id, NotHolder, claimed_by=None, claimed_at=None, released_at=now)
        audit.record(
            action=AuditAction.REFERRAL_RELEASED,
            user=user,
            referral=record.referral,
            request=request,
            holder=holder_id,
        )
    record.claimed_by, record.claimed_at, record.released_at = None, None, now
    return record


def staff_of_borough(borough_id):
    """Active staff members of a borough (who a referral there may be given to)."""
    return (
        StaffMember.objects.filter(boroughs=borough_id, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )


def reassign(*, manager, record: ScreeningRecord, to_user, request=None) -> ScreeningRecord:
    """A manager of the referral's borough gives it to another staff member of that borough."""
    if not _is_manager_of(manager, record.borough_id):
        raise NotAllowed("Only a manager of this borough can reassign its referrals")
    if not staff_of_borough(record.borough_id).filter(user=to_user).exists():
        raise NotAllowed("That person is not on this borough's staff")
    if record.decided_at is not None:
        raise AlreadyDecided("This referral has been decided")
    previous = record.claimed_by_id
    now = timezone.now()
    with transaction.atomic():
        _hand_over(record, previous, NotAllowed, claimed_by=to_user, claimed_at=now)
        audit.record(
            action=AuditAction.REFERRAL_REASSIGNED,
            user=manager,
            referral=record.referral,
            request=request,
            holder=previous,
            to=to_user.pk,
            to_username=to_user.get_username(),
        )
    record.claimed_by, record.claimed_at = to_user, now
    return record


def bulk_reassign(*, manager, moves, to_user, request=None) -> tuple[list, list]:
    """A manager gives several referrals to one staff member. `moves` is a list of
    (record id, the holder id the manager saw, or None for nobody). Each move is
    compare-and-set like `reassign`: it happens only if the referral is still held by whoever
    the manager saw (and undecided, and in a borough they manage and `to_user` works in);
    otherwise it is refused and the others still go ahead. Each move is audited by
    `reassign`, and the whole request once more. Returns (moved, refused) lists of
    (reference, reason)."""
    moved, refused = [], []
    records = {
        record.pk: record
        for record in ScreeningRecord.objects.select_related("referral", "borough").filter(
            pk__in=[record_id for record_id, _ in moves]
        )
    }
    for record_id, seen_holder in moves:
        record = records.get(record_id)
        if record is None or not _is_manager_of(manager, record.borough_id):
            refused.append(("", "not found"))
            continue
        reference = record.referral.reference
        if record.claimed_by_id != seen_holder:
            refused.append((reference, "it has changed hands since you looked"))
            continue
        try:
            reassign(manager=manager, record=record, to_user=to_user, request=request)
        except ScreeningError as exc:
            refused.append((reference, str(exc)))
        else:
            moved.append((reference, ""))
    audit.record(
        action=AuditAction.REFERRALS_BULK_REASSIGNED,
        user=manager,
        request=request,
        to=to_user.pk,
        moved=[reference for reference, _ in moved],
        refused=[reference for reference, _ in refused if reference],
    )
    return moved, refused
