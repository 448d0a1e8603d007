"""Reads of submissions (keyword-only arguments)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import QuerySet
from django.utils import timezone

from contacts.phone import is_mobile
from reporting.models import OutboxMessage, Referral
from reporting.references import normalise_reference


def find_referral(*, reference: str) -> Referral | None:
    """The referral with this reference, forgiving the usual typing slips; None if none."""
    normalised = normalise_reference(reference)
    if not normalised:
        return None
    return (
        Referral.objects.select_related("borough")
        .prefetch_related("children")
        .filter(reference=normalised)
        .first()
    )


def referrals_received(
    *, borough, since: dt.datetime, until: dt.datetime | None = None
) -> QuerySet:
    """A borough's referrals received in [since, until), newest first (uses the
    borough+received_at index)."""
    queryset = Referral.objects.filter(borough=borough, received_at__gte=since)
    if until is not None:
        queryset = queryset.filter(received_at__lt=until)
    return queryset.order_by("-received_at")


def unsent_messages(*, older_than: dt.timedelta = dt.timedelta(0)) -> QuerySet:
    """Outbox rows not yet sent, created at least `older_than` ago, oldest first (monitoring)."""
    return OutboxMessage.objects.filter(
        sent_at__isnull=True, created_at__lte=timezone.now() - older_than
    ).order_by("created_at")


def find_submitted(*, submission_key: uuid.UUID) -> Referral | None:
    """The referral sent under an online submission's key, if any (see services.submit_once)."""
    return Referral.objects.select_related("borough").filter(submission_key=submission_key).first()


def sent_referral(*, borough, reference: str) -> Referral | None:
    """A borough's referral by its exact reference (the one a journey's session kept)."""
    return Referral.objects.filter(borough=borough, reference=reference).first()


# What the person chose on the report ("contact methods", self-referrals) for each channel a
# "Check a report" code can go by (mash.check_report).
CODE_CHANNEL_METHODS = {"email": "email", "sms": "phone"}


def may_send_code(referral: Referral, channel: str) -> bool:
    """We may send the person who made this report a code by `channel` ("email" or "sms"):
    named, with that contact on the report, "not safe to contact" honoured exactly, and a
    person who chose how to be contacted contacted only that way."""
    if referral.anonymous or referral.safe_to_contact is False:
        return False
    if channel == "email" and not referral.referrer_email:
        return False
    if channel == "sms" and not (referral.referrer_phone and is_mobile(referral.referrer_phone)):
        return False
    methods = referral.contact_methods or []
    return not methods or CODE_CHANNEL_METHODS[channel] in methods


def code_channels(referral: Referral) -> list[str]:
    """The channels a "Check a report" code could reach this person by (the confirmation page
    offers the check only when there is one)."""
    return [channel for channel in CODE_CHANNEL_METHODS if may_send_code(referral, channel)]
