"""Writes for intake. `submit_concern` turns the concern journey's answers into a saved
referral, in one transaction with everything that must happen with it."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.models import Borough
from contacts.phone import to_e164
from reporting import references
from reporting.answers import ChildAnswers, ConcernAnswers
from reporting.messages import is_mobile, queue_acknowledgement
from reporting.models import Child, Referral
from reporting.selectors import find_submitted
from reporting.signals import children_received, referral_submitted
from reporting.sources import derive_source
from reporting.text import clean_text

logger = logging.getLogger(__name__)

REFERENCE_ATTEMPTS = 8
T = TypeVar("T")


def phone_e164(value: str, field: str = "referrer_phone") -> str:
    """A typed phone number as E.164 ('' when none), or a ValidationError on `field`."""
    text = clean_text(value)
    if not text:
        return ""
    try:
        return to_e164(text)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}, code="invalid_phone") from exc


def validate(row, exclude: list[str]) -> None:
    """The model's own rules, without database round trips (nothing is saved yet)."""
    row.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def build_child(child: ChildAnswers, order: int) -> Child:
    row = Child(
        first_name="" if child.name_unknown else clean_text(child.first_name),
        last_name="" if child.name_unknown else clean_text(child.last_name),
        name_unknown=child.name_unknown,
        date_of_birth=child.date_of_birth,
        approximate_age=child.approximate_age,
        unborn=child.unborn,
        due_date=child.due_date,
        address=clean_text(child.address),
        postcode=clean_text(child.postcode).upper(),
        school=clean_text(child.school),
        sex=child.sex,
        ethnicity=child.ethnicity,
        order=order,
    )
    validate(row, exclude=["referral"])
    return row


def build_children(children: list[ChildAnswers]) -> list[Child]:
    if not children:
        raise ValidationError({"children": "Tell us about at least one child"}, code="required")
    return [build_child(child, order) for order, child in enumerate(children)]


def set_referrer(referral: Referral, answers: ConcernAnswers) -> None:
    """Who reported the concern: a professional (always named, with the family's consent
    answers), a named member of the public, or nobody we may know."""
    if answers.professional is not None:
        pro = answers.professional
        referral.referrer_name = clean_text(pro.name)
        referral.referrer_email = clean_text(pro.email)
        referral.referrer_phone = phone_e164(pro.phone)
        referral.safe_to_contact = True
        referral.organisation = clean_text(pro.organisation)
        referral.role = clean_text(pro.role)
        referral.family_aware = clean_text(pro.family_aware)
        referral.family_agrees = clean_text(pro.family_agrees)
        referral.no_consent_reason = clean_text(pro.no_consent_reason)
        return
    reporter = answers.reporter
    referral.anonymous = reporter.anonymous
    referral.referrer_relationship = clean_text(reporter.relationship)
    if not reporter.anonymous:
        referral.referrer_name = clean_text(reporter.name)
        referral.referrer_email = clean_text(reporter.email)
        referral.referrer_phone = phone_e164(reporter.phone)
        referral.safe_to_contact = reporter.safe_to_contact
        referral.contact_notes = clean_text(reporter.contact_notes)
        if referral.referrer_email and is_mobile(referral.referrer_phone):
            referral.updates_by = (
                reporter.updates_by if reporter.updates_by in ("email", "sms") else ""
            )


def build_concern(
    *, borough: Borough, answers: ConcernAnswers, channel: str, received_at
) -> tuple[Referral, list[Child]]:
    """The unsaved Referral and Children for a concern's answers, validated (ValidationError
    when the answers break a model rule the journey should already have enforced)."""
    concern = answers.concern
    referral = Referral(
        kind=Referral.Kind.CONCERN,
        channel=channel,
        borough=borough,
        received_at=received_at or timezone.now(),
        referrer_type=answers.who,
        concern_categories=list(concern.categories),
        description=clean_text(concern.description),
        when_happened=clean_text(concern.when_happened),
        still_happening=concern.still_happening,
        how_known=concern.how_known,
        other_children_in_home=answers.other_children_in_home,
        other_children_details=clean_text(answers.other_children_details),
    )
    set_referrer(referral, answers)
    # The reference is set on save; the borough is the caller's, already fetched.
    validate(referral, exclude=["reference", "borough"])
    return referral, build_children(answers.children)


class ReferenceTaken(Exception):
    """The new reference was already taken: the transaction cannot go on; run it again."""


def _reference_collision(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    return (getattr(diag, "message_detail", None) or "").startswith("Key (reference)=")


def save_with_new_reference(referral: Referral) -> Referral:
    """Insert the referral under a fresh reference, with no savepoint of its own: on the rare
    collision with an existing reference (1 in 32^8 a referral) the database has aborted the
    transaction, and ReferenceTaken tells `with_fresh_reference` to run it all again."""
    referral.reference = references.new_reference(referral.borough)
    try:
        Referral.objects.insert([referral])
    except IntegrityError as exc:
        if _reference_collision(exc):
            raise ReferenceTaken(referral.reference) from exc
        raise
    return referral


def with_fresh_reference(write: Callable[[], T]) -> T:
    """`write()` (which calls `save_with_new_reference`) in a transaction (a savepoint inside
    one), run again from the start on a reference collision, up to REFERENCE_ATTEMPTS times.
    What a spoilt attempt queued with `on_commit` is dropped with it."""
    for _ in range(REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic():
                return write()
        except ReferenceTaken:
            logger.warning("reference collision; trying another")
    raise RuntimeError(f"No free reference after {REFERENCE_ATTEMPTS} attempts")


def record_submission(
    referral: Referral,
    *rows: list,
    acknowledge: bool,
    attach: Callable[[Referral], None] | None = None,
) -> Referral:
    """The shared part of every submission; call it inside the submission's transaction,
    through `with_fresh_reference` (a reference collision spoils the transaction). Saves the
    referral under a new reference and its `rows` (lists of children, carers) with it
    (telling `children_received` receivers before the children are inserted), runs `attach`
    (e.g. claiming an uploaded file), tells `referral_submitted` receivers, and when
    `acknowledge`, queues the acknowledgement by the referrer's route (email or text message,
    within their limits: `reporting.messages.referrer_route`). The census contact source is
    derived from the answers (`reporting.sources`) unless already set (by staff logging a
    referral)."""
    if not referral.contact_source:
        referral.contact_source = derive_source(referral)
    save_with_new_reference(referral)
    for batch in rows:
        for row in batch:
            row.referral = referral
    children = next((b for b in rows if b and isinstance(b[0], Child)), [])
    if children:
        children_received.send(sender=Child, referral=referral, children=children)
    for batch in rows:
        if batch:
            type(batch[0]).objects.insert(batch)
    if attach is not None:
        attach(referral)
    referral_submitted.send(sender=Referral, referral=referral, children=children)
    message = queue_acknowledgement(referral) if acknowledge else None
    # What this submission queued to the referrer, for its confirmation page
    # (registry.queued_channels) without reading the outbox back.
    referral.queued_channels = frozenset({message.channel} if message is not None else ())
    return referral


def submit_concern(
    *,
    borough: Borough,
    answers: ConcernAnswers,
    channel: str = Referral.Channel.ONLINE,
    received_at: dt.datetime | None = None,
    submission_key: uuid.UUID | None = None,
    contact_source: str = "",
) -> Referral:
    """Save a concern about a child, in one transaction: the referral (with a new reference and
    `received_at`, now unless given), its children, whatever `referral_submitted` receivers
    write (MASH's screening record), and the acknowledgement's outbox row when the person
    gave an email or a mobile number and may be contacted. The message is queued only after
    commit, and a broker outage never fails the submission. Raises ValidationError for answers
    that break the model's rules (the journey validates first). `submission_key`: see
    `submit_once`. `contact_source`: the census source when staff logging it know it (else
    derived)."""
    referral, children = build_concern(
        borough=borough, answers=answers, channel=channel, received_at=received_at
    )
    if contact_source:
        referral.contact_source = contact_source
        validate(referral, exclude=["reference", "borough"])
    referral.submission_key = submission_key
    with_fresh_reference(lambda: record_submission(referral, children, acknowledge=True))
    # No reference in the log: a log line's time must not tie a request to a report.
    logger.info("referral submitted (%s, %s)", borough.slug, channel)
    return referral


def submit_once(
    submit: Callable[..., Referral], *, submission_key: uuid.UUID, **kwargs
) -> Referral:
    """`submit(submission_key=..., **kwargs)` at most once per key. The caller has looked
    the key up first (`selectors.submitted_reference`: the view does, before it counts the
    send against the rate limit), so nearly always there is nothing under it. The key is
    unique in the database, and every submission inserts its referral first in its
    transaction, so a send with a key already used (a concurrent double click, a retry after
    an error that followed the commit) fails on the key and returns the first one's referral
    (so does a send refused because the first one already claimed its upload)."""
    try:
        return submit(submission_key=submission_key, **kwargs)
    except (IntegrityError, ValidationError):
        if (existing := find_submitted(submission_key=submission_key)) is not None:
            logger.info("repeated send of %s answered with its referral", existing.reference)
            return existing
        raise
