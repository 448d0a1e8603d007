"""UK phone numbers: parse, validate and format with `phonenumbers`."""

import phonenumbers
from django.core.exceptions import ValidationError

REGION = "GB"
UK_COUNTRY_CODE = 44


def possible(number: phonenumbers.PhoneNumber) -> bool:
    """The right length for a full number (not a local number missing its area code)."""
    reason = phonenumbers.is_possible_number_with_reason(number)
    return reason == phonenumbers.ValidationResult.IS_POSSIBLE


def parse_uk_number(value: str, *, strict: bool = False) -> phonenumbers.PhoneNumber:
    """Parse a phone number (UK by default) or raise ValidationError with a GOV.UK-style
    message. `strict`: a UK number must be valid (a council's own line: a typo is caught),
    not only possible."""
    try:
        number = phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
            code="invalid_phone",
        ) from exc
    # A UK number from the public is accepted when it is possible (the right length for its
    # range): Ofcom's drama ranges (07700 900 982, 01632 960 001) and newly allocated ranges
    # are real to the people who type them. Elsewhere, the number must be valid.
    uk = number.country_code == UK_COUNTRY_CODE and not strict
    if not (possible(number) if uk else phonenumbers.is_valid_number(number)):
        raise ValidationError(
            "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
            code="invalid_phone",
        )
    return number


def to_e164(value: str) -> str:
    return phonenumbers.format_number(parse_uk_number(value), phonenumbers.PhoneNumberFormat.E164)


def uk_to_e164(value: str) -> str:
    """A UK (+44) number in E.164 form, for the council's own numbers; anything else raises
    ValidationError. (The public may give any valid number; a council line must be UK.)"""
    number = parse_uk_number(value, strict=True)
    if number.country_code != UK_COUNTRY_CODE:
        raise ValidationError(
            "Enter a UK phone number, like 020 8461 7373 or 0300 303 8671", code="not_uk_phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_format(e164: str) -> str:
    """'+442084617373' -> '020 8461 7373' as phonenumbers formats UK numbers."""
    number = phonenumbers.parse(e164, REGION)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def display_number(value: str) -> str:
    """National format for a stored number; a value that is not a number yet (an admin's typo
    being corrected) is shown as it is rather than raising."""
    try:
        return national_format(value)
    except phonenumbers.NumberParseException:
        return value


def validate_uk_phone_number(value: str) -> None:
    parse_uk_number(value)
