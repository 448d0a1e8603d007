"""UK phone numbers: every number `phonenumbers` considers possible for the UK is accepted,
including the example numbers the hints show (Ofcom's drama ranges)."""

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from contacts.phone import national_format, to_e164, uk_to_e164


@pytest.mark.parametrize(
    "typed, e164",
    [
        ("07700 900 982", "+447700900982"),
        ("01632 960 001", "+441632960001"),
        ("07911 333444", "+447911333444"),
        ("(020) 8461-7373", "+442084617373"),
    ],
)
def test_uk_numbers_people_type_are_accepted(typed, e164):
    assert to_e164(typed) == e164
    assert national_format(e164).replace(" ", "") == typed.replace(" ", "").replace(
        "(", ""
    ).replace(")", "").replace("-", "").replace("+44", "0")


def test_a_council_line_must_be_a_valid_number():
    assert uk_to_e164("020 8461 7373") == "+442084617373"
    with pytest.raises(ValidationError):
        uk_to_e164("07700 900 982")  # possible, in a drama range: not a council's line


@given(st.from_regex(r"0[1-9][0-9]{8,9}", fullmatch=True))
def test_every_possible_uk_number_is_accepted(digits):
    number = phonenumbers.parse(digits, "GB")
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE:
        assert to_e164(digits) == phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.E164
        )
    else:
        with pytest.raises(ValidationError):
            to_e164(digits)


@pytest.mark.parametrize("typed", ["12", "0791", "07911 333444 555 666", "not a number"])
def test_numbers_that_cannot_be_uk_numbers_are_refused(typed):
    with pytest.raises(ValidationError, match="Enter a phone number"):
        to_e164(typed)
