"""What the service sends: each kind of message, on each channel, from a template.

Every kind has an email template (subject and body) and a text message template, in
templates/notifications/<kind>/ (`subject.txt`, `body.txt`, `sms.txt`). The console and SMTP
backends render them here; GOV.UK Notify renders the council's own copy of each (its template
id from the environment, see README), given the same personalisation. A template's only
context is the message's personalisation, so what Notify is given and what is rendered here
are the same fields: `FIELDS` lists them for each kind (the README documents them for
councils), and `enqueue` refuses a message missing one.

Text messages carry no child's name, no concern and nothing a person typed: the reference and
the council's number at most.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.template.loader import render_to_string


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class Kind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Report received"
    FAMILY_WELLBEING_ACKNOWLEDGEMENT = "fw_acknowledgement", "Family Wellbeing referral received"
    SELF_REFERRAL_ACKNOWLEDGEMENT = "self_acknowledgement", "Request for help received"
    CONSULTATION_ACKNOWLEDGEMENT = "consultation_acknowledgement", "Consultation request received"
    OUTCOME = "outcome", "Outcome of a report"
    ESCALATION = "escalation", "MASH escalation alert"
    OPS_ALERT = "ops_alert", "Operations alert"
    CHECK_CODE = "check_code", "Code to check a report"


# The personalisation each kind needs: strings, except `phone_lines` (a list of strings, which
# Notify shows as a bulleted list). Text messages use a subset.
_ACKNOWLEDGEMENT = ("reference", "council_name", "phone_lines", "borough_phone")
_FAMILY = (*_ACKNOWLEDGEMENT, "mash_name", "early_help")
FIELDS: dict[str, tuple[str, ...]] = {
    Kind.ACKNOWLEDGEMENT: _ACKNOWLEDGEMENT,
    Kind.FAMILY_WELLBEING_ACKNOWLEDGEMENT: _FAMILY,
    Kind.SELF_REFERRAL_ACKNOWLEDGEMENT: _FAMILY,
    Kind.CONSULTATION_ACKNOWLEDGEMENT: _FAMILY,
    Kind.OUTCOME: (
        "reference",
        "council_name",
        "service_name",
        "decided_on",
        "outcome_words",
        "borough_phone",
    ),
    Kind.ESCALATION: ("reference", "borough", "what", "due", "notes", "link"),
    Kind.OPS_ALERT: ("service_name", "incident", "summary", "first_seen"),
    Kind.CHECK_CODE: ("code", "reference", "borough_phone"),
}
# What each field holds, for the README and the council's Notify templates.
FIELD_HELP = {
    "reference": "the report's reference, e.g. BRM-7KQ4-9XHP",
    "council_name": "the council's name",
    "phone_lines": "list: each of the council's phone lines, e.g. 'MASH (Mon-Fri 9am-5pm): ...'",
    "borough_phone": "the council's children's services number (for text messages)",
    "mash_name": "the borough's name for its MASH",
    "early_help": "the borough's name for its Family Wellbeing (early help) service",
    "service_name": "the service's name (the MASH's, or the site's for operations alerts)",
    "decided_on": "the date of the decision, e.g. 3 March 2026",
    "outcome_words": "what the outcome means, in plain words giving nothing away",
    "borough": "the borough's name",
    "what": "what happened, e.g. 'has passed its deadline'",
    "due": "when the referral is due, e.g. Tuesday 3 March 2026, 14:00",
    "notes": "list: extra lines (rated Red; the out-of-hours team told too); may be empty",
    "link": "the path of the referral's MASH page",
    "incident": "the kind of incident",
    "summary": "what is wrong, in words fit for the operations team",
    "first_seen": "when the problem was first seen",
    "code": "a 6-digit code",
}


@dataclass(frozen=True)
class Rendered:
    subject: str  # "" for a text message
    body: str


def template_names(kind: str, channel: str) -> list[str]:
    folder = f"notifications/{Kind(kind).value}"
    if channel == Channel.SMS:
        return [f"{folder}/sms.txt"]
    return [f"{folder}/subject.txt", f"{folder}/body.txt"]


def missing_fields(kind: str, personalisation: dict) -> list[str]:
    return [name for name in FIELDS[kind] if name not in personalisation]


def render(kind: str, channel: str, personalisation: dict) -> Rendered:
    """The message's text from its kind's template for the channel."""
    names = template_names(kind, channel)
    if channel == Channel.SMS:
        text = render_to_string(names[0], personalisation)
        return Rendered("", " ".join(text.split()))
    subject = " ".join(render_to_string(names[0], personalisation).split())
    body = render_to_string(names[1], personalisation).strip() + "\n"
    return Rendered(subject, body)
