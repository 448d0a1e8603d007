"""UK phone numbers: parse, validate and format with `phonenumbers`."""

import phonenumbers
from django.core.exceptions import ValidationError

REGION = "GB"


def parse_uk_number(value: str) -> phonenumbers.PhoneNumber:
    """Parse a UK phone number or raise ValidationError with a GOV.UK-style message."""
    try:
        number = phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
            code="invalid_phone",
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
            code="invalid_phone",
        )
    return number


def to_e164(value: str) -> str:
    return phonenumbers.format_number(parse_uk_number(value), phonenumbers.PhoneNumberFormat.E164)


def national_format(e164: str) -> str:
    """'+442084617373' -> '020 8461 7373' as phonenumbers formats UK numbers."""
    number = phonenumbers.parse(e164, REGION)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def validate_uk_phone_number(value: str) -> None:
    parse_uk_number(value)
