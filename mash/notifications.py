"""Telling the referrer the outcome, and watching the 24-hour promise.

`queue_outcome_notification` writes the outcome message into the outbox (notifications.outbox)
inside the decision's transaction, by the referrer's route (email or text message, within the
limits they set: reporting.messages.referrer_route). The outbox sends it after commit and its
sweeper retries; the dedupe key `outcome:<referral id>` means one message per referral
whatever happens. Its text is the `outcome` kind's template for the channel.

`flag_late_notifications` is run by a periodic beat task (mash.tasks): it scans the database
for decisions whose outcome message was not sent within 24 hours of the decision and marks each
one late exactly once (a conditional UPDATE), with an audit event. A message the provider
failed for good (refused, or a delivery receipt said it bounced) counts as not sent. The
screening page and the late notifications list show the flag, and the failure.

The message says the outcome in plain, non-sensitive words: the reference, the date, what
happens next in general terms. Never the child's name, the concern, or the rationale; a text
message not even that (the reference and the council's number).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from contacts.calendar import to_london
from mash import audit
from mash.models import AuditAction, Decision
from notifications.kinds import Kind
from notifications.models import OutboxMessage
from notifications.outbox import enqueue
from notifications.selectors import failed
from reporting.messages import borough_phone, is_mobile, referrer_route
from reporting.models import Referral

KIND = Kind.OUTCOME
BATCH = 500

# What each outcome means for the person who told us, in plain words that give nothing away
# about the child or the family (the email may be read by someone else).
PLAIN_WORDS = {
    Decision.Outcome.NO_FURTHER_ACTION: (
        "We have looked carefully at what you told us. We do not need to take any further "
        "action at the moment."
    ),
    Decision.Outcome.ADVICE: (
        "We have looked carefully at what you told us. We have given advice and information "
        "about support that is available."
    ),
    Decision.Outcome.FAMILY_WELLBEING: (
        "We have looked carefully at what you told us. Support is being offered through our "
        "{early_help} service."
    ),
    Decision.Outcome.ASSESSMENT: (
        "We have looked carefully at what you told us. A social worker is following it up."
    ),
    Decision.Outcome.STRATEGY: (
        "We have looked carefully at what you told us. Children's social care are following "
        "it up with other agencies."
    ),
    Decision.Outcome.DISABLED_CHILDREN: (
        "We have looked carefully at what you told us. It has been passed to a specialist "
        "children's social care team, who are following it up."
    ),
    Decision.Outcome.OTHER: (
        "We have looked carefully at what you told us and decided what should happen next. "
        "We are following it up."
    ),
}


def plain_words(outcome: str, borough) -> str:
    """What the outcome means, in the borough's own words for its early-help service."""
    return PLAIN_WORDS[outcome].format(early_help=borough.early_help_name)


def dedupe_key(referral) -> str:
    return f"outcome:{referral.pk}"


def should_notify(referral) -> bool:
    """The referrer may be messaged: named, an email or a mobile given, not unsafe to contact,
    and within the ways they allowed."""
    return referrer_route(referral) is not None


def not_sent_reason(referral) -> str:
    """Why the referrer gets no outcome message, in words for staff ('' when they get one)."""
    if referrer_route(referral) is not None:
        return ""
    if referral.anonymous:
        return "the referrer is anonymous"
    if referral.safe_to_contact is False:
        return "it is not safe to contact the referrer"
    if not referral.referrer_email and not is_mobile(referral.referrer_phone):
        return "the referrer gave no email address or mobile number"
    return "the referrer asked not to be contacted by email or text message"


def personalisation(referral, decision) -> dict:
    """The outcome message's fields (see notifications.kinds.FIELDS)."""
    borough = referral.borough
    decided = to_london(decision.decided_at)
    return {
        "reference": referral.reference,
        "council_name": borough.council_name or borough.name,
        "service_name": borough.mash_name or "Children's services",
        "decided_on": f"{decided:%-d %B %Y}",
        "outcome_words": plain_words(decision.outcome, borough),
        "borough_phone": borough_phone(borough),
    }


def queue_outcome_notification(*, referral, decision) -> OutboxMessage | None:
    """Put the outcome message in the outbox (inside the decision's transaction). None when
    the referrer cannot be contacted."""
    route = referrer_route(referral)
    if route is None:
        return None
    channel, to = route
    return enqueue(
        kind=KIND,
        channel=channel,
        to=to,
        personalisation=personalisation(referral, decision),
        about_id=referral.pk,
        dedupe_key=dedupe_key(referral),
    )


def outcome_message(referral) -> OutboxMessage | None:
    return OutboxMessage.objects.filter(dedupe_key=dedupe_key(referral)).first()


# Sent means handed over and not bounced since: a failed message is not a message sent.
SENT_OK = (OutboxMessage.Status.SENT, OutboxMessage.Status.DELIVERED)


def outcome_sent(*, referral_id, due_at=None):
    """The outcome messages about `referral_id` (an OuterRef to a referral's id) sent and not
    bounced since; with `due_at` (an OuterRef too), only those sent by then. For Exists():
    the 24-hour monitor here and the dashboard's figures read the one rule."""
    messages = OutboxMessage.objects.filter(
        about_id=referral_id, kind=KIND, sent_at__isnull=False, status__in=SENT_OK
    )
    return messages if due_at is None else messages.filter(sent_at__lte=due_at)


def _sent_in_time():
    return outcome_sent(
        referral_id=OuterRef("record__referral_id"), due_at=OuterRef("notification_due_at")
    )


def late_candidates(now: dt.datetime):
    """Decisions whose outcome email was due by `now`, not sent in time and not yet flagged."""
    return (
        Decision.objects.filter(
            notify_referrer=True,
            notification_late_at__isnull=True,
            notification_due_at__lte=now,
        )
        .filter(~Exists(_sent_in_time()))
        .order_by("notification_due_at", "id")
    )


def flag_late_notifications(*, now: dt.datetime | None = None, limit: int = BATCH) -> int:
    """Mark late every decision whose outcome email was not sent within 24 hours; each is
    flagged (and audited) once, however often or concurrently this runs. Returns how many
    this run flagged."""
    now = now or timezone.now()
    flagged = 0
    candidates = late_candidates(now).select_related("record__referral__borough")[:limit]
    for decision in candidates:
        referral = decision.record.referral
        with transaction.atomic():
            won = Decision.objects.filter(pk=decision.pk, notification_late_at__isnull=True).update(
                notification_late_at=now
            )
            if not won:
                continue
            message = outcome_message(referral)
            audit.record(
                action=AuditAction.OUTCOME_NOTIFICATION_LATE,
                referral=referral,
                decided_at=decision.decided_at.isoformat(),
                due_at=decision.notification_due_at.isoformat(),
                sent_at=message.sent_at.isoformat() if message and message.sent_at else None,
            )
        flagged += 1
    return flagged


def failed_referrer_messages(*, boroughs):
    """Acknowledgements and outcome messages to referrers of these boroughs that failed for
    good (refused, bounced, undeliverable), newest first: staff must reach them another way."""
    from mash.referral_details import REFERRER_KINDS

    referral_ids = Referral.objects.filter(borough__in=list(boroughs)).values("pk")
    return failed(about_ids=referral_ids).filter(kind__in=REFERRER_KINDS)


def with_references(messages) -> list[tuple[str, OutboxMessage]]:
    """(the referral's reference, the message) for messages about referrals (one query)."""
    messages = list(messages)
    references = dict(
        Referral.objects.filter(pk__in=[m.about_id for m in messages]).values_list(
            "pk", "reference"
        )
    )
    return [(references.get(message.about_id, ""), message) for message in messages]


def late_notifications(*, boroughs):
    """Decisions flagged late in these boroughs, most recently flagged first."""
    return (
        Decision.objects.filter(
            notification_late_at__isnull=False, record__borough__in=list(boroughs)
        )
        .select_related("record__referral", "record__borough", "decided_by")
        .order_by("-notification_late_at", "-id")
    )
