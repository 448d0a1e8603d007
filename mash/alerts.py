"""Nobody misses a deadline silently: escalations to a borough's managers.

`raise_alerts` is run every minute by a beat task (`mash.tasks.raise_screening_alerts`). It
scans the database for queued referrals (undecided, not consultations) that
- entered the warning window before their effective due time (policy: 2 working hours),
- passed their effective due time,
- are rated Red and nobody has held them for the policy's minutes (default 15) since the
  rating or their release,
and raises each alert once: an `Alert` row, unique on (referral, kind), inserted or skipped
(two runs at the same moment both try; the second's insert waits on the first's and fails,
so it skips), with, in the same transaction, an audit event and an email through the outbox to
the managers' team inbox. A Red referral whose clock runs out of office hours (its effective
due time, or the alert itself, falls outside the borough's working time) goes to the
out-of-hours team's inbox too. Managers see unacknowledged alerts of their boroughs as a
banner on every MASH page until one of them acknowledges it (`acknowledge`, audited).

Emails carry the reference, what happened and when it is due: never the child's name or
the concern.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from contacts.calendar import to_london
from contacts.models import Borough
from contacts.selectors import working_calendar
from mash import audit
from mash.deadlines import due_soon_boundary
from mash.models import QUEUED, Alert, AuditAction, ScreeningRecord
from mash.policy import current_rules
from mash.screening import RED_RANK
from notifications.kinds import Channel, Kind
from notifications.outbox import enqueue

EMAIL_KIND = Kind.ESCALATION
BATCH = 500
BANNER_LIMIT = 10

WHAT = {
    Alert.Kind.WARNING: "is near its deadline",
    Alert.Kind.OVERDUE: "has passed its deadline",
    Alert.Kind.RED_UNHELD: "is rated Red and nobody holds it",
}


class AlertError(Exception):
    """An acknowledgement that is not allowed; the message is fit to show to staff."""


def _not_raised(kind: str) -> Exists:
    return ~Exists(Alert.objects.filter(referral_id=OuterRef("referral_id"), kind=kind))


def candidates(borough, now: dt.datetime, *, calendar, rules) -> dict[str, object]:
    """Querysets of the borough's queued records owed each kind of alert at `now`."""
    queued = ScreeningRecord.objects.filter(QUEUED, borough=borough).select_related(
        "referral", "borough"
    )
    boundary = due_soon_boundary(calendar, now, rules=rules)
    quiet_since = now - rules.red_unheld
    return {
        Alert.Kind.WARNING: queued.filter(
            _not_raised(Alert.Kind.WARNING), effective_due_at__gt=now, effective_due_at__lt=boundary
        ),
        Alert.Kind.OVERDUE: queued.filter(
            _not_raised(Alert.Kind.OVERDUE), effective_due_at__lte=now
        ),
        Alert.Kind.RED_UNHELD: queued.filter(
            Q(released_at__isnull=True) | Q(released_at__lte=quiet_since),
            _not_raised(Alert.Kind.RED_UNHELD),
            rank=RED_RANK,
            claimed_by__isnull=True,
            rated_at__lte=quiet_since,
        ),
    }


def raise_alerts(*, now: dt.datetime | None = None, limit: int = BATCH) -> int:
    """Raise every alert owed at `now` (each once, however often or concurrently this runs).
    Returns how many this run raised."""
    now = now or timezone.now()
    raised = 0
    for borough in Borough.objects.select_related("screening_policy").order_by("pk"):
        calendar, rules = working_calendar(borough), current_rules(borough)
        for kind, records in candidates(borough, now, calendar=calendar, rules=rules).items():
            for record in records.order_by("effective_due_at", "pk")[:limit]:
                raised += _raise(record, kind, now, calendar=calendar, rules=rules)
    return raised


def _raise(record, kind, now, *, calendar, rules) -> int:
    referral = record.referral
    red = record.rank == RED_RANK
    out_of_hours = red and not (
        calendar.is_working_time(record.effective_due_at) and calendar.is_working_time(now)
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    referral=referral,
                    borough=record.borough,
                    kind=kind,
                    raised_at=now,
                    due_at=record.effective_due_at,
                    red=red,
                    out_of_hours=out_of_hours,
                )
        except IntegrityError:
            return 0  # raised by another run
        inboxes = [("managers", rules.managers_inbox)]
        if out_of_hours:
            inboxes.append(("out_of_hours", rules.out_of_hours_inbox))
        emailed = []
        for team, address in inboxes:
            if address:
                _email(alert, referral, team, address)
                emailed.append(team)
        audit.record(
            action=AuditAction.ALERT_RAISED,
            referral=referral,
            borough=record.borough,
            kind=kind,
            alert=alert.pk,
            due_at=record.effective_due_at.isoformat(),
            red=red,
            out_of_hours=out_of_hours,
            emailed=emailed,
        )
    return 1


def _email(alert, referral, team, address) -> None:
    due = to_london(alert.due_at)
    notes = []
    if alert.red:
        notes.append("The screener rated it Red.")
    if team == "out_of_hours":
        notes.append("Its clock runs out outside office hours: the out-of-hours team is told too.")
    enqueue(
        kind=EMAIL_KIND,
        channel=Channel.EMAIL,
        to=address,
        personalisation={
            "reference": referral.reference,
            "borough": alert.borough.name,
            "what": WHAT[alert.kind],
            "due": f"{due:%A} {due.day} {due:%B %Y, %H:%M}",
            "notes": notes,
            "link": reverse("mash:referral", args=[referral.reference]),
        },
        about_id=referral.pk,
        dedupe_key=f"alert:{alert.pk}:{team}",
    )


# --- managers: the banner and acknowledging ------------------------------------------------
def open_alerts(*, boroughs):
    """Unacknowledged alerts of these boroughs, oldest first."""
    return (
        Alert.objects.filter(acknowledged_at__isnull=True, borough__in=boroughs)
        .select_related("referral", "borough")
        .order_by("raised_at", "pk")
    )


def acknowledge(*, user, alert_id: int, boroughs, request=None) -> Alert:
    """A manager of the alert's borough acknowledges it (once: a conditional UPDATE)."""
    alert = (
        Alert.objects.filter(pk=alert_id, borough__in=list(boroughs))
        .select_related("referral", "borough")
        .first()
    )
    if alert is None:
        raise AlertError("No such alert")
    now = timezone.now()
    with transaction.atomic():
        done = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=user
        )
        if not done:
            raise AlertError("This alert has already been acknowledged")
        audit.record(
            action=AuditAction.ALERT_ACKNOWLEDGED,
            user=user,
            referral=alert.referral,
            request=request,
            kind=alert.kind,
            alert=alert.pk,
        )
    alert.acknowledged_at, alert.acknowledged_by = now, user
    return alert
