""" "Check a report": the person who made a report sees its status, and nothing else.

They give the reference and the email address or mobile number used on the report; if those
match a report (and we may contact them that way), a 6-digit code goes to that address or
number (`send_code`, the one place a code is sent). With the code, this browser's session may
see the report's status for a short while: received, being looked at, or decided with the
outcome in the plain words of the outcome email (`mash.notifications.plain_words`). Never the
report's content.

Rules:
- Nothing tells anyone which references exist: an unknown reference, a wrong email or number,
  and a report we may not contact that way all get exactly what a match gets ("if the details
  match a report, we have sent a code"), and the same work is done either way (the same
  queries: a code row, an outbox row, an audit event; where nothing is sent the outbox row is
  written in a savepoint and rolled back). The code page then refuses every code for them.
- A code is stored as a keyed hash (HMAC-SHA256 under SECRET_KEY, salted with the row's
  token), works for 15 minutes (`VALID_FOR`), once, and dies after 3 tries (`MAX_TRIES`).
  Tries are counted under a row lock, so concurrent guesses cannot get a fourth.
- The status is tied to the session that entered the code (its key is changed at that
  moment) and for `STATUS_FOR` only; "Sign out" ends it at once, as does "Exit this page"
  (the state lives under the journeys' session prefix, which Exit clears).
- Rate limits (reporting.ratelimit) per client address and per reference for asking for a
  code; per client address for entering one.
- Audited on the referral: each code sent or withheld, each wrong code, each look at the
  status; a request that matched no reference is audited with the borough only.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from enum import Enum

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from mash import audit
from mash.models import AuditAction, Decision, StatusCheckCode
from mash.notifications import plain_words
from notifications.kinds import Kind
from notifications.outbox import enqueue, publish
from reporting import ratelimit
from reporting.journey import SESSION_PREFIX
from reporting.messages import borough_phone, routes
from reporting.models import Referral

VALID_FOR = dt.timedelta(minutes=15)
MAX_TRIES = 3
STATUS_FOR = dt.timedelta(minutes=10)
CODE_DIGITS = 6
KIND = Kind.CHECK_CODE
Channel = StatusCheckCode.Channel

# Asking for a code: per client address, and per reference (whether or not it exists, so
# the limit says nothing about which do). Entering a code: per client address.
ASK_CLIENT = ratelimit.Limit("status-ask-client", "client", "CHECK_REPORT_LIMIT_CLIENT", "20/h")
ASK_REFERENCE = ratelimit.Limit(
    "status-ask-reference", "reference", "CHECK_REPORT_LIMIT_REFERENCE", "5/h"
)
ASK_LIMITS = (ASK_CLIENT, ASK_REFERENCE)
ENTER_CLIENT = ratelimit.Limit("status-enter-client", "client", "CHECK_REPORT_LIMIT_CODES", "30/h")
ENTER_LIMITS = (ENTER_CLIENT,)


# -- asking for a code ----------------------------------------------------------------------
def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(token: uuid.UUID | str, code: str) -> str:
    return salted_hmac("mash.check_report", f"{token}:{code}", algorithm="sha256").hexdigest()


def matches(referral: Referral | None, channel: str, contact: str) -> bool:
    """The reference's report was made with this email address (any case) or number (E.164)."""
    if referral is None or referral.anonymous or not contact:
        return False
    if channel == Channel.EMAIL:
        return referral.referrer_email.casefold() == contact.casefold()
    return referral.referrer_phone == contact


def personalisation(borough, reference: str, code: str) -> dict:
    """The code message's fields (notifications.kinds.FIELDS[CHECK_CODE]): the code, the
    reference the person typed (it is theirs: the message goes only to the contact on that
    report) and the council's number. Never anything about the report."""
    return {"code": code, "reference": reference, "borough_phone": borough_phone(borough)}


def send_code(referral: Referral, channel: str, to: str, code: str, *, dedupe_key: str):
    """The one place a code is sent: through the outbox (inside the caller's transaction), by
    email or text message."""
    return enqueue(
        kind=KIND,
        channel=channel,
        to=to,
        personalisation=personalisation(referral.borough, referral.reference, code),
        dedupe_key=dedupe_key,
        about_id=referral.pk,
    )


class _NotSent(Exception):
    """Rolls back the stand-in outbox row written when no code is sent."""


def _stand_in_send(borough, reference: str, channel: str, to: str, code: str, dedupe_key: str):
    """The work `send_code` does, undone: the same `enqueue` (personalisation, outbox row) in a
    savepoint rolled back, then, after commit, the broker asked to send that row, which no
    longer exists (the task finds nothing to claim). A request whose details matched nothing
    costs what a match costs; without the publish a match took 6.7 ms longer
    (benchmarks/check_report_timing.py)."""
    message_id = None
    try:
        with transaction.atomic():
            message_id = enqueue(
                kind=KIND,
                channel=channel,
                to=to,
                personalisation=personalisation(borough, reference, code),
                dedupe_key=dedupe_key,
            ).pk
            raise _NotSent  # its own after-commit publish goes with the savepoint
    except (_NotSent, IntegrityError):
        pass
    if message_id is not None:
        transaction.on_commit(lambda: publish(message_id))


@dataclass(frozen=True)
class Asked:
    token: uuid.UUID
    sent: bool  # for tests and logs only: the pages never show it


def ask_for_code(*, borough, reference: str, channel: str, contact: str, request=None) -> Asked:
    """Make a code row for this request and, when the details match a report we may contact
    that way, send the code. `reference` is normalised, `contact` an email address or an E.164
    number. The caller shows the same page whatever this returns."""
    now = timezone.now()
    token = uuid.uuid4()
    code = new_code()
    dedupe_key = f"{KIND}:{token}"
    with transaction.atomic():
        referral = (
            Referral.objects.select_related("borough")
            .filter(borough=borough, reference=reference)
            .first()
        )
        matched = matches(referral, channel, contact)
        # "Not safe to contact" and the ways the person allowed: the one rule for messages.
        send = matched and channel in routes(referral)
        StatusCheckCode.objects.create(
            token=token,
            borough=borough,
            referral=referral if send else None,
            channel=channel,
            # No code exists for a request that sends none: the hash of one never sent.
            code_hash=code_hash(token, code),
            created_at=now,
            expires_at=now + VALID_FOR,
        )
        # On the referral whenever the reference is real (a wrong contact for it too: staff
        # may want to know); never what was typed.
        audited = {"referral": referral, "borough": borough, "request": request, "channel": channel}
        if send:
            send_code(referral, channel, contact, code, dedupe_key=dedupe_key)
            audit.record(action=AuditAction.STATUS_CODE_SENT, **audited)
        else:
            _stand_in_send(borough, reference, channel, contact, code, dedupe_key)
            if matched:
                audit.record(action=AuditAction.STATUS_CODE_WITHHELD, **audited)
            else:
                audit.record(action=AuditAction.STATUS_NO_MATCH, **audited)
    return Asked(token=token, sent=send)


# -- entering it ----------------------------------------------------------------------------
class Entry(Enum):
    RIGHT = "right"
    WRONG = "wrong"  # tries left
    DEAD = "dead"  # 3 wrong tries (this one or earlier): ask for a new code
    EXPIRED = "expired"  # past 15 minutes, or already used


@dataclass(frozen=True)
class Entered:
    outcome: Entry
    referral_id: int | None = None
    tries_left: int = 0


def enter_code(*, token: str, code: str, request=None) -> Entered:
    """Check a code against the row this browser asked for. Every try on a live code counts,
    under a row lock. A row that matched no report takes tries like any other, and refuses
    every code."""
    now = timezone.now()
    with transaction.atomic():
        row = StatusCheckCode.objects.select_for_update().filter(token=token).first()
        if row is None or row.used_at is not None or row.expires_at <= now:
            return Entered(Entry.EXPIRED)
        if row.tries >= MAX_TRIES:
            return Entered(Entry.DEAD)
        row.tries += 1
        right = constant_time_compare(code_hash(row.token, code), row.code_hash)
        if right and row.referral_id is not None:
            row.used_at = now
            row.save(update_fields=["tries", "used_at"])
            return Entered(Entry.RIGHT, referral_id=row.referral_id)
        row.save(update_fields=["tries"])
        audit.record(
            action=AuditAction.STATUS_CODE_WRONG,
            referral=row.referral,
            borough=row.borough,
            request=request,
            tries=row.tries,
        )
        if row.tries >= MAX_TRIES:
            return Entered(Entry.DEAD)
        return Entered(Entry.WRONG, tries_left=MAX_TRIES - row.tries)


# -- the status -----------------------------------------------------------------------------
class Stage(Enum):
    RECEIVED = "received"
    LOOKING = "being looked at"
    DECIDED = "decided"


@dataclass(frozen=True)
class Status:
    reference: str
    noun: str  # "report", "referral", "request"
    stage: Stage
    outcome: str = ""  # the outcome in plain words, once decided


NOUNS = {
    Referral.Kind.CONCERN: "report",
    Referral.Kind.FAMILY_WELLBEING: "referral",
    Referral.Kind.SELF_REFERRAL: "request",
    Referral.Kind.CONSULTATION: "request",
}
CONSULTATION_DONE = "We have looked at your request and given our advice."


def status_of(referral: Referral) -> Status:
    """Where the report is, in the words the person may see: received (nobody has started on
    it), being looked at (claimed, rated or checked, not decided), decided (with the outcome in
    the plain words of the outcome email). Nothing else about it."""
    noun = NOUNS.get(referral.kind, "report")
    record = getattr(referral, "screening", None)
    if record is not None and record.decided_at is not None:
        decision = Decision.objects.filter(record=record).first()
        words = plain_words(decision.outcome, referral.borough) if decision else CONSULTATION_DONE
        return Status(referral.reference, noun, Stage.DECIDED, words)
    started = record is not None and (
        record.claimed_at is not None
        or record.released_at is not None
        or record.rated_at is not None
        or record.need_levels.exists()
        or record.record_checks.exists()
        or record.enquiries.exists()
    )
    return Status(referral.reference, noun, Stage.LOOKING if started else Stage.RECEIVED)


def look(*, borough, referral_id: int, request=None) -> Status | None:
    """The status of the referral a session earned with its code, audited as a look."""
    referral = (
        Referral.objects.select_related("borough", "screening")
        .filter(pk=referral_id, borough=borough)
        .first()
    )
    if referral is None:
        return None
    audit.record(action=AuditAction.STATUS_VIEWED, referral=referral, request=request)
    return status_of(referral)


# -- the browser's part, in its session -------------------------------------------------------
def session_key(borough) -> str:
    """Under the journeys' prefix: "Exit this page" forgets it with them."""
    return f"{SESSION_PREFIX}:check-a-report:{borough.slug}"


def state(session, borough) -> dict:
    value = session.get(session_key(borough))
    return dict(value) if isinstance(value, dict) else {}


def save_state(session, borough, value: dict) -> None:
    session[session_key(borough)] = value


def forget(session, borough) -> None:
    session.pop(session_key(borough), None)


def pending_token(session, borough) -> str | None:
    return state(session, borough).get("token")


def let_see(request, borough, referral_id: int) -> None:
    """The right code was entered in this session: it may see the status until STATUS_FOR
    from now. The session's key changes, so a key seen before this moment is worth nothing."""
    until = timezone.now() + STATUS_FOR
    request.session.cycle_key()
    save_state(request.session, borough, {"referral": referral_id, "until": until.timestamp()})


def allowed_referral(session, borough) -> int | None:
    """The referral this session may see the status of now, or None (none, or expired)."""
    value = state(session, borough)
    referral_id, until = value.get("referral"), value.get("until")
    if not isinstance(referral_id, int) or not isinstance(until, int | float):
        return None
    if timezone.now().timestamp() >= until:
        return None
    return referral_id
