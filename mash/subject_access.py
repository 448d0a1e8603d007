"""Subject access: everything the service holds about one referral, or about a named person,
for a manager answering a request under UK GDPR Article 15 (the council's data protection
officer decides what is disclosed and what is withheld to keep a child safe; this gathers it).

`referral_export(referral)` reads one referral and everything hanging off it: what was told,
the children, parents and carers, consent forms (details, not the file), the screening (claims,
urgency ratings, need levels, record checks, enquiries, decision or advice), the emails sent,
and the audit trail of who looked at or changed it. `referrals_naming(user, name)` finds the
referrals of the user's boroughs that name a person (a child, a parent or carer, a referrer).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from mash.access import referrals_for
from mash.models import AuditEvent, ScreeningRecord
from notifications.selectors import about

MAX_MATCHES = 50
# Never exported: internal keys and the keyed hash of a staff member's address.
SKIPPED_FIELDS = {"id", "referral", "record", "ip_hash", "dedupe_key", "claimed_until"}


def _value(instance, field):
    if field.is_relation:
        related = getattr(instance, field.name)
        if related is None:
            return None
        if hasattr(related, "get_username"):
            return related.get_username()
        return str(related)
    value = field.value_from_object(instance)
    if getattr(field, "choices", None) and value not in (None, ""):
        return getattr(instance, f"get_{field.name}_display")()
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _rows(instance) -> list[dict]:
    return [
        {"field": field.name, "label": str(field.verbose_name).capitalize(), "value": value}
        for field in instance._meta.concrete_fields
        if field.name not in SKIPPED_FIELDS
        for value in [_value(instance, field)]
    ]


def _items(title: str, instances) -> dict:
    return {"title": title, "items": [_rows(instance) for instance in instances]}


def referral_export(referral) -> dict:
    """Every record held about one referral, as titled sections of labelled values."""
    sections = [
        _items("The referral", [referral]),
        _items("Children", referral.children.all()),
        _items("Parents and carers", referral.carers.all()),
        _items(
            "Signed consent forms (details; the file is downloaded separately)",
            referral.consent_forms.all(),
        ),
        _items("Emails and text messages", about(about_id=referral.pk)),
    ]
    record = ScreeningRecord.objects.filter(referral=referral).first()
    if record is not None:
        sections += [
            _items("Screening", [record]),
            _items("Urgency ratings", record.urgency_ratings.select_related("set_by")),
            _items("Continuum of Need levels", record.need_levels.select_related("set_by")),
            _items("Record checks", record.record_checks.select_related("checked_by")),
            _items("Enquiries to partner agencies", record.enquiries.all()),
            _items("Decision", [d for d in [getattr(record, "decision", None)] if d]),
            _items(
                "Consultation advice",
                [a for a in [getattr(record, "consultation_advice", None)] if a],
            ),
        ]
    sections.append(
        _items(
            "Audit trail (who looked at or changed it)",
            AuditEvent.objects.filter(referral=referral).select_related("user", "borough"),
        )
    )
    return {
        "reference": referral.reference,
        "borough": referral.borough.slug,
        "exported_at": timezone.localtime().isoformat(),
        "sections": sections,
    }


def referrals_naming(user, name: str):
    """Referrals of the user's boroughs naming this person (any part of a name), newest first."""
    words = [word for word in name.split() if word][:4]
    if not words:
        return referrals_for(user).none()
    query = Q()
    for word in words:
        query &= (
            Q(children__first_name__icontains=word)
            | Q(children__last_name__icontains=word)
            | Q(carers__name__icontains=word)
            | Q(referrer_name__icontains=word)
            | Q(consent_given_by__icontains=word)
        )
    matching = referrals_for(user).filter(query).values("pk")
    return (
        referrals_for(user)
        .filter(pk__in=matching)
        .select_related("borough")
        .order_by("-received_at")[:MAX_MATCHES]
    )
