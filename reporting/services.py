"""Writes for intake. `submit_concern` turns the concern journey's answers into a saved
referral, in one transaction with everything that must happen with it."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from contacts.models import Borough, ContactLine
from contacts.phone import to_e164
from contacts.selectors import contacts_for
from reporting import references
from reporting.models import Child, Referral
from reporting.outbox import enqueue_email
from reporting.signals import referral_submitted
from reporting.text import clean_text

logger = logging.getLogger(__name__)

REFERENCE_ATTEMPTS = 8
ACKNOWLEDGEMENT = "acknowledgement"
EMAIL_LINE_PURPOSES = (ContactLine.Purpose.CHILDRENS_SERVICES, ContactLine.Purpose.OUT_OF_HOURS)


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError({field: "Enter a real date"}, code="invalid_date") from exc


def _int(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: "Enter a whole number"}, code="invalid") from exc


def _yes_no(value: Any) -> bool | None:
    return {"yes": True, "no": False}.get(clean_text(value).lower())


def _phone(value: Any) -> str:
    text = clean_text(value)
    if not text:
        return ""
    try:
        return to_e164(text)
    except ValidationError as exc:
        raise ValidationError({"referrer_phone": exc.messages}, code="invalid_phone") from exc


def _child(data: dict, order: int) -> Child:
    child = Child(
        first_name=clean_text(data.get("first_name")),
        last_name=clean_text(data.get("last_name")),
        name_unknown=bool(data.get("name_unknown")),
        date_of_birth=_date(data.get("date_of_birth"), "date_of_birth"),
        approximate_age=_int(data.get("approximate_age"), "approximate_age"),
        unborn=bool(data.get("unborn")),
        due_date=_date(data.get("due_date"), "due_date"),
        address=clean_text(data.get("address")),
        postcode=clean_text(data.get("postcode")).upper(),
        school=clean_text(data.get("school")),
        order=order,
    )
    if child.name_unknown:
        child.first_name = child.last_name = ""
    # No database round trips here: the referral is not saved yet, constraints hold by design.
    child.full_clean(exclude=["referral"], validate_unique=False, validate_constraints=False)
    return child


def build_concern(*, borough: Borough, answers: dict, channel: str, received_at) -> tuple:
    """The unsaved Referral and Children for a concern's answers, validated (ValidationError
    when the answers break a model rule the journey should already have enforced)."""
    who = clean_text(answers.get("who"))
    professional = answers.get("professional") or {}
    reporter = answers.get("reporter") or {}
    concern = answers.get("concern") or {}
    is_professional = who == Referral.ReferrerType.PROFESSIONAL
    # A professional's referral is always named: consent and anonymity are not for them.
    anonymous = bool(reporter.get("anonymous")) and not is_professional

    def personal(key: str) -> Any:
        value = reporter.get(key)
        if is_professional and not value:
            value = professional.get(key)
        return value

    referral = Referral(
        kind=Referral.Kind.CONCERN,
        channel=channel,
        borough=borough,
        received_at=received_at or timezone.now(),
        referrer_type=who,
        anonymous=anonymous,
        referrer_relationship=clean_text(reporter.get("relationship")),
        concern_categories=list(concern.get("categories") or []),
        description=clean_text(concern.get("description")),
        when_happened=clean_text(concern.get("when_happened")),
        still_happening=clean_text(concern.get("still_happening")),
        how_known=clean_text(concern.get("how_known")),
        other_children_in_home=clean_text(answers.get("other_children_in_home")),
        other_children_details=clean_text(answers.get("other_children_details")),
    )
    if not anonymous:
        referral.referrer_name = clean_text(personal("name"))
        referral.referrer_email = clean_text(personal("email"))
        referral.referrer_phone = _phone(personal("phone"))
        referral.safe_to_contact = _yes_no(reporter.get("safe_to_contact"))
        referral.contact_notes = clean_text(reporter.get("contact_notes"))
    if is_professional:
        referral.organisation = clean_text(professional.get("organisation"))
        referral.role = clean_text(professional.get("role"))
        referral.family_aware = clean_text(professional.get("family_aware"))
        referral.family_agrees = clean_text(professional.get("family_agrees"))
        referral.no_consent_reason = clean_text(professional.get("no_consent_reason"))
    # The reference is set on save; the borough is the caller's, already fetched.
    referral.full_clean(
        exclude=["reference", "borough"], validate_unique=False, validate_constraints=False
    )
    children_data = answers.get("children") or []
    if not children_data:
        raise ValidationError({"children": "Tell us about at least one child"}, code="required")
    children = [_child(data, order) for order, data in enumerate(children_data)]
    return referral, children


def save_with_new_reference(referral: Referral) -> Referral:
    """Insert the referral under a fresh reference, retrying (each try in a savepoint) on the
    rare collision with an existing one."""
    for _ in range(REFERENCE_ATTEMPTS):
        referral.reference = references.new_reference(referral.borough)
        try:
            with transaction.atomic():
                referral.save(force_insert=True)
        except IntegrityError:
            if Referral.objects.filter(reference=referral.reference).exists():
                logger.warning("reference collision on %s; trying another", referral.reference)
                continue
            raise
        return referral
    raise RuntimeError(f"No free reference after {REFERENCE_ATTEMPTS} attempts")


def email_lines(borough: Borough) -> list[dict]:
    """The council's lines an acknowledgement names, each with its numbers (lines without
    a number are left out). From the borough's memoised contacts: no query once loaded."""
    return [
        {
            "label": line.label,
            "hours_summary": line.hours_summary,
            "numbers": [number.display for number in line.numbers],
        }
        for line in contacts_for(borough).lines
        if line.purpose in EMAIL_LINE_PURPOSES and line.numbers
    ]


def acknowledgement_email(referral: Referral) -> tuple[str, str]:
    """Subject and body of the acknowledgement: the reference, what happens next, 999 and the
    council's numbers. Nothing about the child or the concern: inboxes are not always private."""
    borough = referral.borough
    context = {
        "reference": referral.reference,
        "name": referral.referrer_name,
        "council_name": borough.council_name,
        "lines": email_lines(borough),
    }
    subject = render_to_string("reporting/emails/acknowledgement_subject.txt", context)
    body = render_to_string("reporting/emails/acknowledgement_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def record_submission(
    referral: Referral,
    *rows: list,
    acknowledgement: Callable[[Referral], tuple[str, str]] | None,
    attach: Callable[[Referral], None] | None = None,
) -> Referral:
    """The shared part of every submission; call it inside the submission's transaction. Saves
    the referral under a new reference and its `rows` (lists of children, carers) with it,
    runs `attach` (e.g. claiming an uploaded file), tells `referral_submitted` receivers, and
    queues the acknowledgement (`acknowledgement(referral)` gives subject and body) to the
    referrer's email when one is given."""
    save_with_new_reference(referral)
    for batch in rows:
        for row in batch:
            row.referral = referral
    for batch in rows:
        if batch:
            type(batch[0]).objects.bulk_create(batch)
    if attach is not None:
        attach(referral)
    referral_submitted.send(sender=Referral, referral=referral)
    if acknowledgement is not None:
        subject, body = acknowledgement(referral)
        enqueue_email(
            kind=ACKNOWLEDGEMENT,
            to=referral.referrer_email,
            subject=subject,
            body=body,
            referral=referral,
            dedupe_key=f"{ACKNOWLEDGEMENT}:{referral.reference}",
        )
    return referral


def submit_concern(
    *,
    borough: Borough,
    answers: dict,
    channel: str = Referral.Channel.ONLINE,
    received_at: dt.datetime | None = None,
) -> Referral:
    """Save a concern about a child, in one transaction: the referral (with a new reference and
    `received_at`, now unless given), its children, whatever `referral_submitted` receivers
    write (MASH's screening record), and the acknowledgement email's outbox row when the
    person gave an email and may be contacted. The email is queued only after commit, and a
    broker outage never fails the submission. Raises ValidationError for answers that break
    the model's rules (the journey validates first)."""
    referral, children = build_concern(
        borough=borough, answers=answers, channel=channel, received_at=received_at
    )
    with transaction.atomic():
        record_submission(
            referral,
            children,
            acknowledgement=acknowledgement_email if referral.is_contactable else None,
        )
    logger.info("referral %s submitted (%s, %s)", referral.reference, borough.slug, channel)
    return referral
