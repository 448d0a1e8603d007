"""The retention schedule, enforced: `apply_retention()` runs nightly (beat) and removes what is
past its time, as the `RetentionPeriod` rows (admin) say.

- Referrals, by how screening ended (the decision's outcome; a consultation by its advice),
  counted from the decision: anonymised, not deleted. The row stays as a count for the
  statistics (reference, kind, channel, borough, dates, outcome); everything that can identify
  a person goes: the referrer's details and every free-text answer, the children, the parents
  and carers, the consent forms and their files, the emails, and the screeners' free-text
  notes (reasons, record checks, enquiries, rationale, advice). Referrals still open are never
  touched; a referral under legal hold is never touched.
- Audit events older than their period are deleted (the append-only trigger lets only this
  transaction delete, see migration ops 0002).
- Sent emails lose their body and recipient after settings.OUTBOX_SENT_BODY_HOURS, and the row
  goes after the outbox period; unsent ones that gave up go after the same period.
- "Check a report" codes (hashes only, dead after 15 minutes) go a day after they expire.

In batches (one transaction each), idempotent (a second run finds nothing), and audited by
count: each run writes one `retention_applied` audit event with what it did per record type.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from mash import audit
from mash.models import (
    AuditAction,
    AuditEvent,
    ConsultationAdvice,
    Decision,
    Enquiry,
    NeedLevel,
    RecordCheck,
    ScreeningRecord,
    StatusCheckCode,
    UrgencyRating,
)
from notifications.models import OutboxMessage
from ops.models import RetentionPeriod
from ops.schedule import DEFAULTS  # noqa: F401 - the defaults, re-exported
from reporting.models import Carer, Child, ConsentForm, Referral
from reporting.names import forget as forget_names

logger = logging.getLogger(__name__)

BATCH = 200
MAX_BATCHES = 500  # per record type per run: a backlog is worked off over several nights
REMOVED = "Removed under the retention schedule."
RecordType = RetentionPeriod.RecordType
Outcome = Decision.Outcome

OUTCOMES = {
    RecordType.NFA_CONTACT: [Outcome.NO_FURTHER_ACTION, Outcome.ADVICE, Outcome.OTHER],
    RecordType.FAMILY_WELLBEING: [Outcome.FAMILY_WELLBEING],
    RecordType.SOCIAL_CARE: [Outcome.ASSESSMENT, Outcome.STRATEGY, Outcome.DISABLED_CHILDREN],
}


def periods() -> dict[str, dt.timedelta]:
    return {row.record_type: dt.timedelta(days=row.days) for row in RetentionPeriod.objects.all()}


def referrals_due(record_type: str, cutoff: dt.datetime):
    """Referrals of one record type decided before `cutoff`, not anonymised, not held."""
    base = Referral.objects.filter(
        anonymised_at__isnull=True, legal_hold=False, screening__decided_at__lt=cutoff
    )
    if record_type == RecordType.CONSULTATION:
        return base.filter(kind=Referral.Kind.CONSULTATION)
    return base.exclude(kind=Referral.Kind.CONSULTATION).filter(
        screening__decision__outcome__in=OUTCOMES[record_type]
    )


def anonymise(referral_ids: list[int], *, now: dt.datetime) -> int:
    """Remove everything that identifies anyone from these referrals (one transaction)."""
    from reporting.uploads import private_storage

    with transaction.atomic():
        ids = list(
            Referral.objects.select_for_update()
            .filter(pk__in=referral_ids, anonymised_at__isnull=True, legal_hold=False)
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        files = list(
            ConsentForm.objects.filter(referral__in=ids).values_list("stored_name", flat=True)
        )
        ConsentForm.objects.filter(referral__in=ids).delete()
        children = Child.objects.filter(referral__in=ids)
        child_names = {n for pair in children.values_list("first_key", "last_key") for n in pair}
        children.delete()
        forget_names(child_names)  # the name vocabulary keeps only names still stored
        Carer.objects.filter(referral__in=ids).delete()
        OutboxMessage.objects.filter(about_id__in=ids).delete()
        records = ScreeningRecord.objects.filter(referral__in=ids)
        UrgencyRating.objects.filter(record__in=records).update(reason="")
        NeedLevel.objects.filter(record__in=records).update(reason="")
        RecordCheck.objects.filter(record__in=records).update(notes="", found=[])
        Enquiry.objects.filter(record__in=records).update(question="", answer="", agency_detail="")
        Decision.objects.filter(record__in=records).update(rationale=REMOVED)
        ConsultationAdvice.objects.filter(record__in=records).update(advice=REMOVED)
        for referral in Referral.objects.filter(pk__in=ids).only("pk", "wellbeing_criteria"):
            criteria = [
                {"code": item.get("code"), "details": ""} for item in referral.wellbeing_criteria
            ]
            Referral.objects.filter(pk=referral.pk).update(wellbeing_criteria=criteria)
        Referral.objects.filter(pk__in=ids).update(
            anonymised_at=now,
            referrer_name="",
            referrer_email="",
            referrer_phone="",
            referrer_relationship="",
            contact_notes="",
            organisation="",
            role="",
            no_consent_reason="",
            description="",
            when_happened="",
            other_children_details="",
            consent_given_by="",
            support_tried="",
            other_agencies="",
            referrer_address="",
            referrer_postcode="",
        )
        storage = private_storage()
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    return len(ids)


def _delete_audit(cutoff: dt.datetime) -> int:
    deleted = 0
    for _ in range(MAX_BATCHES):
        with transaction.atomic():
            ids = list(
                AuditEvent.objects.filter(at__lt=cutoff).values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                break
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL ops.retention_delete = 'on'")
            deleted += AuditEvent.objects.filter(pk__in=ids)._raw_delete(connection.alias)
    return deleted


def _outbox(period: dt.timedelta, now: dt.datetime) -> tuple[int, int]:
    body_cutoff = now - dt.timedelta(hours=settings.OUTBOX_SENT_BODY_HOURS)
    bodies = (
        OutboxMessage.objects.filter(sent_at__lt=body_cutoff)
        .exclude(to="")
        .update(body="", subject="", to="", personalisation={})
    )
    from notifications.sending import MAX_ATTEMPTS

    cutoff = now - period
    sent = OutboxMessage.objects.filter(sent_at__lt=cutoff)
    gave_up = OutboxMessage.objects.filter(
        Q(attempts__gte=MAX_ATTEMPTS) | Q(status=OutboxMessage.Status.FAILED),
        sent_at__isnull=True,
        created_at__lt=cutoff,
    )
    deleted = 0
    for queryset in (sent, gave_up):
        for _ in range(MAX_BATCHES):
            ids = list(queryset.values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            deleted += OutboxMessage.objects.filter(pk__in=ids).delete()[0]
    return bodies, deleted


STATUS_CODES_KEPT = dt.timedelta(days=1)


def _status_codes(now: dt.datetime) -> int:
    """Codes for "Check a report" a day past their expiry: nothing left to check them for."""
    return StatusCheckCode.objects.filter(expires_at__lt=now - STATUS_CODES_KEPT).delete()[0]


def apply_retention(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Enforce the schedule once; returns (and audits) how many records of each type were
    anonymised or deleted."""
    now = now or timezone.now()
    schedule = periods()
    done: Counter[str] = Counter()
    for record_type in (*OUTCOMES, RecordType.CONSULTATION):
        if record_type not in schedule:
            continue
        cutoff = now - schedule[record_type]
        done[f"{record_type}_anonymised"] = 0
        for _ in range(MAX_BATCHES):
            ids = list(referrals_due(record_type, cutoff).values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            done[f"{record_type}_anonymised"] += anonymise(ids, now=now)
    if RecordType.AUDIT in schedule:
        done["audit_deleted"] = _delete_audit(now - schedule[RecordType.AUDIT])
    if RecordType.OUTBOX in schedule:
        done["outbox_bodies_dropped"], done["outbox_deleted"] = _outbox(
            schedule[RecordType.OUTBOX], now
        )
    done["status_codes_deleted"] = _status_codes(now)
    counts = {key: value for key, value in sorted(done.items())}
    audit.record(action=AuditAction.RETENTION_APPLIED, **counts)
    logger.info("retention applied", extra={"counts": counts})
    return counts
