"""Reads of submissions (keyword-only arguments)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import connection
from django.db.models import QuerySet

from reporting.models import Referral
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


def submitted_reference(*, submission_key: uuid.UUID) -> str | None:
    """The reference of the referral sent under an online submission's key, if any (see
    services.submit_once): one probe of the key's unique index, nearly always finding none.
    Written out rather than built by the ORM: every "Send" asks it, and building the query
    cost more than running it (issue 21, docs/benchmarks/submit-path.md)."""
    key = Referral._meta.get_field("submission_key").get_db_prep_value(
        submission_key, connection, prepared=False
    )
    with connection.cursor() as cursor:
        cursor.execute(_SUBMITTED_REFERENCE, [key])
        row = cursor.fetchone()
    return row[0] if row else None


_SUBMITTED_REFERENCE = (
    f"SELECT reference FROM {Referral._meta.db_table} WHERE submission_key = %s LIMIT 1"  # noqa: S608
)


def find_submitted(*, submission_key: uuid.UUID) -> Referral | None:
    """The referral sent under an online submission's key, with its borough, if any."""
    return Referral.objects.select_related("borough").filter(submission_key=submission_key).first()


# What the confirmation pages read of the referral (registry.concern_sent / request_sent,
# reporting.messages.routes): only these columns are loaded (a referral has about fifty, and
# loading them all was a quarter of the page's CPU). tests/reporting/test_views.py checks each
# confirmation page makes no query for a column left out.
SENT_FIELDS = (
    "reference", "kind", "borough_id", "referrer_type", "referrer_relationship", "anonymous",
    "referrer_email", "referrer_phone", "safe_to_contact", "contact_methods", "contact_notes",
    "updates_by",
)  # fmt: skip


def sent_referral(*, borough, reference: str) -> Referral | None:
    """A borough's referral by its exact reference (the one a journey's session kept), with
    the columns its confirmation page reads (SENT_FIELDS)."""
    found = Referral.objects.filter(borough=borough, reference=reference).only(*SENT_FIELDS)
    return next(iter(found[:1]), None)
