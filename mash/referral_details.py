"""What staff read of a referral, the same on the referral page and the screening page: every
answer the public journeys collect, and each contact detail with the limit the person set on
it ("not safe to contact", "do not phone"), so nobody calls a number they were asked not to."""

from __future__ import annotations

from dataclasses import dataclass

from contacts.phone import display_number
from notifications.kinds import Channel, Kind
from notifications.selectors import failed
from reporting.messages import ACKNOWLEDGEMENT_KINDS
from reporting.models import CONCERN_CATEGORIES, CONTACT_METHODS, WELLBEING_CRITERIA, Referral

CATEGORY_LABELS = dict(CONCERN_CATEGORIES)
WELLBEING_KINDS = {Referral.Kind.FAMILY_WELLBEING, Referral.Kind.SELF_REFERRAL}
METHOD_LABELS = dict(CONTACT_METHODS)
# The messages to the referrer (not staff alerts).
REFERRER_KINDS = [*ACKNOWLEDGEMENT_KINDS.values(), Kind.OUTCOME]


@dataclass(frozen=True)
class ContactDetail:
    label: str
    value: str
    warning: str = ""  # shown as a GOV.UK warning text beside the detail


def _methods(referral: Referral) -> str:
    labels = [METHOD_LABELS.get(code, code).lower() for code in referral.contact_methods]
    return " or ".join(labels)


def _limit(referral: Referral, method: str) -> str:
    """Why this way of contacting the referrer must not be used, or ''."""
    if referral.safe_to_contact is False:
        note = (
            f" Their note: \u201c{referral.contact_notes}\u201d" if referral.contact_notes else ""
        )
        return f"Not safe to contact.{note}"
    if referral.contact_methods and method not in referral.contact_methods:
        verb = {"phone": "Do not phone", "email": "Do not email", "letter": "Do not write"}[method]
        return f"{verb}: they asked to be contacted by {_methods(referral)} only."
    return ""


def referrer_contact(referral: Referral) -> list[ContactDetail]:
    """The referrer's contact details, each with its warning (none for an anonymous one)."""
    if referral.anonymous:
        return []
    address = "\n".join(p for p in (referral.referrer_address, referral.referrer_postcode) if p)
    details = [
        ContactDetail(
            "Phone",
            display_number(referral.referrer_phone) if referral.referrer_phone else "Not given",
            _limit(referral, "phone") if referral.referrer_phone else "",
        ),
        ContactDetail(
            "Email",
            referral.referrer_email or "Not given",
            _limit(referral, "email") if referral.referrer_email else "",
        ),
    ]
    if address:
        details.append(ContactDetail("Address", address, _limit(referral, "letter")))
    if referral.contact_methods:
        details.append(ContactDetail("How to contact them", _methods(referral).capitalize()))
    if referral.contact_notes:
        details.append(ContactDetail("When and how to contact them", referral.contact_notes))
    if referral.updates_by:
        details.append(
            ContactDetail("Updates sent by", referral.get_updates_by_display().capitalize())
        )
    return details


def wellbeing(referral: Referral) -> dict | None:
    """What a Family Wellbeing referral or self-referral adds: consent, criteria, carers."""
    forms = list(referral.consent_forms.all())
    criteria = referral.wellbeing_criteria or []
    if referral.kind not in WELLBEING_KINDS and not (criteria or forms):
        return None
    labels = dict(WELLBEING_CRITERIA)
    return {
        "consent_given_by": referral.consent_given_by,
        "consent_date": referral.consent_date,
        "consent_forms": forms,
        "criteria": [
            {
                "label": labels.get(item.get("code"), item.get("code")),
                "details": item.get("details", ""),
            }
            for item in criteria
            if isinstance(item, dict)
        ],
        "support_tried": referral.support_tried,
        "other_agencies": referral.other_agencies,
        "carers": list(referral.carers.all()),
    }


def failed_messages(referral: Referral) -> list[str]:
    """What staff must know of messages to the referrer that did not reach them (refused by
    the provider, bounced, undeliverable), newest first, each saying what to do instead."""
    texts = []
    for message in failed(about_ids=[referral.pk]).filter(kind__in=REFERRER_KINDS):
        what = "outcome" if message.kind == Kind.OUTCOME else "acknowledgement"
        channel = "text message" if message.channel == Channel.SMS else "email"
        texts.append(
            f"The {what} {channel} to the referrer was not delivered ({message.failure}): "
            f"{instead(referral, message.channel)}."
        )
    return texts


def instead(referral: Referral, failed_channel: str) -> str:
    """Another way to reach the referrer, within the limits they set."""
    if referral.referrer_phone and not _limit(referral, "phone"):
        return "phone them"
    if failed_channel == Channel.SMS and referral.referrer_email and not _limit(referral, "email"):
        return "email them"
    if referral.referrer_address and not _limit(referral, "letter"):
        return "write to them"
    return "they left no other way to reach them"


def details_context(referral: Referral) -> dict:
    """The template context both staff pages share for what the referral says."""
    return {
        "failed_messages": failed_messages(referral),
        "children": list(referral.children.all()),
        "categories": [CATEGORY_LABELS.get(c, c) for c in referral.concern_categories],
        "wellbeing": wellbeing(referral),
        "contact": referrer_contact(referral),
    }
