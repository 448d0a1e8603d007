"""Writes for the Family Wellbeing referral, the self-referral and the consultation request.

Each submission is one transaction, like `submit_concern`'s: the referral under a new
reference, its children and parents or carers, the signed consent form attached (Family
Wellbeing), whatever `referral_submitted` receivers write (MASH's screening record), and the
acknowledgement email's outbox row. If anything fails nothing is saved; an uploaded consent
form then stays unattached, and `reporting.uploads.delete_abandoned_uploads` removes it later.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts.models import Borough
from contacts.selectors import working_calendar
from reporting.answers import (
    CarerAnswers,
    ConsultationAnswers,
    FamilyWellbeingAnswers,
    ProfessionalAnswers,
    SelfReferralAnswers,
)
from reporting.messages import is_mobile
from reporting.models import Carer, Child, ConsentForm, Referral
from reporting.services import (
    build_children,
    phone_e164,
    record_submission,
    validate,
    with_fresh_reference,
)
from reporting.text import clean_text

logger = logging.getLogger(__name__)


def build_carer(carer: CarerAnswers, order: int) -> Carer:
    row = Carer(
        name=clean_text(carer.name),
        relationship=clean_text(carer.relationship),
        phone=phone_e164(carer.phone),
        email=clean_text(carer.email),
        address=clean_text(carer.address),
        postcode=clean_text(carer.postcode).upper(),
        language=clean_text(carer.language),
        interpreter_needed=carer.interpreter_needed,
        order=order,
    )
    validate(row, exclude=["referral"])
    return row


def set_professional(referral: Referral, professional: ProfessionalAnswers) -> None:
    referral.referrer_type = Referral.ReferrerType.PROFESSIONAL
    referral.referrer_name = clean_text(professional.name)
    referral.referrer_email = clean_text(professional.email)
    referral.referrer_phone = phone_e164(professional.phone)
    referral.organisation = clean_text(professional.organisation)
    referral.role = clean_text(professional.role)
    referral.safe_to_contact = True
    if not referral.referrer_email:
        raise ValidationError({"referrer_email": "Enter your work email address"}, code="required")


def _submit(
    referral: Referral,
    children: list[Child],
    carers: list[Carer] = (),
    consent_file: str | None = None,
    *,
    acknowledge: bool,
) -> Referral:
    def attach_consent_form(referral: Referral) -> None:
        attached = ConsentForm.objects.filter(
            stored_name=consent_file, referral__isnull=True
        ).update(referral=referral)
        if attached != 1:
            raise ValidationError(
                {"consent_form": "The signed consent form is missing: upload it again"},
                code="consent_form_missing",
            )

    with_fresh_reference(
        lambda: record_submission(
            referral,
            children,
            list(carers),
            attach=attach_consent_form if consent_file is not None else None,
            acknowledge=acknowledge,
        )
    )
    # No reference in the log: a log line's time must not tie a request to a report.
    logger.info("referral submitted (%s, %s)", referral.kind, referral.borough.slug)
    return referral


def submit_family_wellbeing(
    *,
    borough: Borough,
    answers: FamilyWellbeingAnswers,
    channel: str = Referral.Channel.ONLINE,
    received_at: dt.datetime | None = None,
    submission_key: uuid.UUID | None = None,
) -> Referral:
    """A professional's Family Wellbeing referral, with the parent's written consent. Refused
    (ValidationError) without consent or without its uploaded, not yet attached, form."""
    consent = answers.consent
    if not consent.given or not (consent.file or {}).get("stored_name"):
        raise ValidationError(
            {"consent": "A Family Wellbeing referral needs the parent's written consent"},
            code="no_consent",
        )
    criteria = [
        {"code": clean_text(item.code), "details": clean_text(item.details)}
        for item in answers.criteria
    ]
    if not criteria:
        raise ValidationError({"wellbeing_criteria": "Select at least one"}, code="required")
    referral = Referral(
        kind=Referral.Kind.FAMILY_WELLBEING,
        channel=channel,
        borough=borough,
        received_at=received_at or timezone.now(),
        consent_given_by=clean_text(consent.consented_by),
        consent_date=consent.consent_date,
        wellbeing_criteria=criteria,
        description="\n\n".join(
            f"{item['code'].replace('_', ' ').capitalize()}: {item['details']}" for item in criteria
        ),
        support_tried=clean_text(answers.support_tried),
        other_agencies=clean_text(answers.other_agencies),
    )
    set_professional(referral, answers.professional)
    if not referral.consent_given_by or not referral.consent_date:
        raise ValidationError({"consent": "Say who gave consent and when"}, code="required")
    if referral.consent_date > timezone.localdate():
        raise ValidationError({"consent_date": "Consent cannot be in the future"}, code="future")
    validate(referral, exclude=["reference", "borough"])
    children = build_children(answers.children)
    carers = [build_carer(carer, order) for order, carer in enumerate(answers.carers)]
    if not carers:
        raise ValidationError({"carers": "Tell us about at least one parent or carer"})
    referral.submission_key = submission_key
    return _submit(referral, children, carers, consent.file["stored_name"], acknowledge=True)


def submit_self_referral(
    *,
    borough: Borough,
    answers: SelfReferralAnswers,
    channel: str = Referral.Channel.ONLINE,
    received_at: dt.datetime | None = None,
    submission_key: uuid.UUID | None = None,
) -> Referral:
    """A parent, carer or young person asking Family Wellbeing for help. The acknowledgement
    goes only by a way they chose to be contacted: an email, or a text to a mobile when they
    chose phone (the one they picked when they allowed both and gave both)."""
    who = answers.who
    if who not in (Referral.ReferrerType.PARENT_CARER, Referral.ReferrerType.CHILD):
        raise ValidationError({"referrer_type": "A parent, carer or young person"}, code="invalid")
    if not answers.methods:
        raise ValidationError({"contact_methods": "Choose how to be contacted"}, code="required")
    reporter = answers.reporter
    referral = Referral(
        kind=Referral.Kind.SELF_REFERRAL,
        channel=channel,
        borough=borough,
        received_at=received_at or timezone.now(),
        referrer_type=who,
        referrer_name=clean_text(reporter.name),
        referrer_email=clean_text(reporter.email),
        referrer_phone=phone_e164(reporter.phone),
        referrer_address=clean_text(reporter.address),
        referrer_postcode=clean_text(reporter.postcode).upper(),
        referrer_relationship=(
            "The young person themself" if who == Referral.ReferrerType.CHILD else "Parent or carer"
        ),
        safe_to_contact=True,
        contact_methods=list(answers.methods),
        contact_notes=clean_text(answers.contact_notes),
        wellbeing_criteria=[{"code": code, "details": ""} for code in answers.criteria],
        description=clean_text(answers.description),
    )
    validate(referral, exclude=["reference", "borough"])
    children = build_children(answers.children)
    referral.submission_key = submission_key
    if referral.referrer_email and is_mobile(referral.referrer_phone):
        referral.updates_by = reporter.updates_by if reporter.updates_by in ("email", "sms") else ""
    return _submit(referral, children, acknowledge=True)


def submit_consultation(
    *,
    borough: Borough,
    answers: ConsultationAnswers,
    channel: str = Referral.Channel.ONLINE,
    received_at: dt.datetime | None = None,
    submission_key: uuid.UUID | None = None,
) -> Referral:
    """A professional asking MASH to talk a family through, with a callback window. The
    family need not be named, so there may be no children."""
    referral = Referral(
        kind=Referral.Kind.CONSULTATION,
        channel=channel,
        borough=borough,
        received_at=received_at or timezone.now(),
        description=clean_text(answers.description),
        callback_date=answers.callback_date,
        callback_start=answers.callback_start,
        callback_end=answers.callback_end,
    )
    set_professional(referral, answers.professional)
    if not referral.referrer_phone:
        raise ValidationError(
            {"referrer_phone": "Enter a phone number we can call you back on"}, code="required"
        )
    if not (referral.callback_date and referral.callback_start and referral.callback_end):
        raise ValidationError({"callback_date": "Say when we can call back"}, code="required")
    if referral.callback_end <= referral.callback_start:
        raise ValidationError({"callback_end": "The window must end after it starts"})
    period = working_calendar(borough).period_on(referral.callback_date)
    if period is None or not (
        period.start.time() <= referral.callback_start
        and referral.callback_end <= period.end.time()
    ):
        raise ValidationError(
            {"callback_date": "Choose a time in the MASH's working hours on a working day"},
            code="not_working_time",
        )
    validate(referral, exclude=["reference", "borough"])
    referral.submission_key = submission_key
    return _submit(referral, [], acknowledge=True)
