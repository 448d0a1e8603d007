"""The messages to the person who told us (acknowledgement, outcome): to whom, by which
channel, within the limits they set, and with what personalisation.

`referrer_route` is the one rule every message to a referrer goes through:
- nobody is messaged who is anonymous or said it is not safe to contact them;
- a person who said how they may be contacted (`contact_methods`) is emailed only if they
  allowed email, and texted only if they allowed phone (the phone option says so);
- a person who gave an email address and no mobile number is emailed; one who gave a mobile
  number and no email address is texted; one who gave both gets the channel they chose on the
  contact details page (`updates_by`), email when they did not choose.
A text message needs a UK mobile number (07...): landlines cannot receive texts.
"""

from __future__ import annotations

import phonenumbers

from contacts.models import ContactLine
from contacts.selectors import contacts_for
from notifications.kinds import Channel, Kind
from notifications.outbox import enqueue
from reporting.models import Referral

LINE_PURPOSES = (ContactLine.Purpose.CHILDRENS_SERVICES, ContactLine.Purpose.OUT_OF_HOURS)
ACKNOWLEDGEMENT_KINDS = {
    Referral.Kind.CONCERN: Kind.ACKNOWLEDGEMENT,
    Referral.Kind.FAMILY_WELLBEING: Kind.FAMILY_WELLBEING_ACKNOWLEDGEMENT,
    Referral.Kind.SELF_REFERRAL: Kind.SELF_REFERRAL_ACKNOWLEDGEMENT,
    Referral.Kind.CONSULTATION: Kind.CONSULTATION_ACKNOWLEDGEMENT,
}


def is_mobile(e164: str) -> bool:
    """A UK mobile number (one that can receive text messages)."""
    if not e164:
        return False
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return False
    return number.country_code == 44 and str(number.national_number).startswith("7")


def allowed(referral: Referral, channel: str) -> bool:
    """The referrer's own limits allow this channel (none recorded: any)."""
    if referral.anonymous or referral.safe_to_contact is False:
        return False
    methods = referral.contact_methods or []
    if not methods:
        return True
    return ("email" if channel == Channel.EMAIL else "phone") in methods


def routes(referral: Referral) -> dict[str, str]:
    """The channels by which the referrer may be messaged, each with its address."""
    found = {}
    if referral.referrer_email and allowed(referral, Channel.EMAIL):
        found[Channel.EMAIL] = referral.referrer_email
    if is_mobile(referral.referrer_phone) and allowed(referral, Channel.SMS):
        found[Channel.SMS] = referral.referrer_phone
    return found


def referrer_route(referral: Referral) -> tuple[str, str] | None:
    """(channel, address) for messages to the referrer, or None when they get none."""
    found = routes(referral)
    if referral.updates_by in found:
        return referral.updates_by, found[referral.updates_by]
    for channel in (Channel.EMAIL, Channel.SMS):
        if channel in found:
            return channel, found[channel]
    return None


def phone_lines(borough) -> list[str]:
    """The council's lines a message names, e.g. 'Children's services (Mon-Fri 9am-5pm):
    020 8461 7373'. From the borough's memoised contacts: no query once loaded."""
    lines = []
    for line in contacts_for(borough).lines:
        if line.purpose not in LINE_PURPOSES or not line.numbers:
            continue
        hours = f" ({line.hours_summary})" if line.hours_summary else ""
        numbers = " or ".join(number.display for number in line.numbers)
        lines.append(f"{line.label}{hours}: {numbers}")
    return lines


def borough_phone(borough) -> str:
    """The council's children's services number (the first line's first number), for texts."""
    for line in contacts_for(borough).lines:
        if line.purpose in LINE_PURPOSES and line.numbers:
            return line.numbers[0].display
    return ""


def acknowledgement_personalisation(referral: Referral) -> dict:
    """The reference, the council and its numbers. Nothing about the child or the concern
    (inboxes and phones are not always private), and nothing the person typed, not even their
    name: the message goes to whatever address was typed."""
    borough = referral.borough
    return {
        "reference": referral.reference,
        "council_name": borough.council_name or borough.name,
        "phone_lines": phone_lines(borough),
        "borough_phone": borough_phone(borough),
        "mash_name": borough.mash_name,
        "early_help": borough.early_help_name,
    }


def queue_acknowledgement(referral: Referral):
    """Queue the acknowledgement (inside the submission's transaction) by the referrer's
    route; None when they get no messages."""
    route = referrer_route(referral)
    if route is None:
        return None
    channel, to = route
    return enqueue(
        kind=ACKNOWLEDGEMENT_KINDS[referral.kind],
        channel=channel,
        to=to,
        personalisation=acknowledgement_personalisation(referral),
        about_id=referral.pk,
        dedupe_key=f"acknowledgement:{referral.reference}",
    )
