"""WCAG 1.3.5 (identify input purpose) and GOV.UK input attributes: every personal-detail field
of every journey renders with its `autocomplete` token, its input type, `spellcheck` and
`inputmode` where they apply, and its width class. The forms are the ones the journeys' steps
use, rendered as the pages render them (crispy-forms-gds through the project's templates);
the staff log-a-referral page is fetched whole.

A person's own details carry their autocomplete token; details about someone else (a child, a
parent or carer, a referrer typed in by staff) carry `autocomplete="off"`, so a browser never
offers the person's own name or address for them."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from crispy_forms.utils import render_crispy_form

from reporting import family_journeys as fj
from reporting import forms as f
from reporting.concern_journey import CONCERN

WIDE = "govuk-!-width-two-thirds"


class Inputs(HTMLParser):
    """The attributes of every <input> and <textarea>, by name."""

    def __init__(self, html: str):
        super().__init__()
        self.by_name: dict[str, dict[str, str | None]] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in {"input", "textarea"}:
            found = dict(attrs)
            assert len(found) == len(attrs), f"an attribute is written twice: {attrs}"
            if found.get("name"):
                self.by_name[found["name"]] = found


def rendered(journey, step: str, **kwargs) -> dict[str, dict]:
    form_class = journey.step(step).form_class
    return Inputs(render_crispy_form(form_class(**kwargs))).by_name


def check(inputs: dict[str, dict], name: str, expected: dict[str, str]) -> None:
    attrs = inputs[name]
    for key, value in expected.items():
        if key == "class":
            classes = (attrs.get("class") or "").split()
            for css in value.split():
                assert css in classes, f"{name}: class {css!r} missing from {classes}"
        else:
            assert attrs.get(key) == value, f"{name}: {key}={attrs.get(key)!r}, not {value!r}"


def text(width: str, **extra) -> dict:
    return {"type": "text", "class": f"govuk-input {width}", **extra}


NAME = text(WIDE, autocomplete="name", spellcheck="false")
EMAIL = {"type": "email", "class": f"govuk-input {WIDE}", "autocomplete": "email"}
TEL = {"type": "tel", "class": "govuk-input govuk-input--width-20", "autocomplete": "tel"}
ORGANISATION = text(WIDE, autocomplete="organization")
ROLE = text(WIDE, autocomplete="organization-title")
OTHER_CHILD_NAME = text(WIDE, autocomplete="off", spellcheck="false")


PROFESSIONAL = {
    "name": NAME,
    "organisation": ORGANISATION,
    "role": ROLE,
    "email": {**EMAIL, "spellcheck": "false"},
    "phone": TEL,
}

CASES = [
    # -- the concern journey
    (
        CONCERN,
        "your-details",
        {},
        {
            "name": NAME,
            "phone": TEL,
            "email": {**EMAIL, "spellcheck": "false"},
            "relationship": text(WIDE),
        },
    ),
    (CONCERN, "professional-details", {}, PROFESSIONAL),
    (
        CONCERN,
        "name",
        {"voice": f.Voice()},
        {"first_name": OTHER_CHILD_NAME, "last_name": OTHER_CHILD_NAME},
    ),
    (
        CONCERN,
        "name",
        {"voice": f.Voice(you=True)},
        {
            "first_name": text(WIDE, autocomplete="given-name", spellcheck="false"),
            "last_name": text(WIDE, autocomplete="family-name", spellcheck="false"),
        },
    ),
    (
        CONCERN,
        "age-in-years",
        {"voice": f.Voice()},
        {"approximate_age": text("govuk-input--width-3", inputmode="numeric", spellcheck="false")},
    ),
    (
        CONCERN,
        "date-of-birth",
        {"voice": f.Voice(you=True)},
        {
            "date_of_birth_0": text(
                "govuk-input--width-2", inputmode="numeric", autocomplete="bday-day"
            ),
            # the month box takes names too ("March", "mar"): no numeric keypad
            "date_of_birth_1": text("govuk-input--width-2", autocomplete="bday-month"),
            "date_of_birth_2": text(
                "govuk-input--width-4", inputmode="numeric", autocomplete="bday-year"
            ),
        },
    ),
    (
        CONCERN,
        "where",
        {"voice": f.Voice(you=True)},
        {
            "address": {"class": "govuk-textarea", "rows": "3", "autocomplete": "street-address"},
            "postcode": text("govuk-input--width-10", autocomplete="postal-code"),
        },
    ),
    (
        CONCERN,
        "where",
        {"voice": f.Voice()},
        {
            "address": {"class": "govuk-textarea", "rows": "3", "autocomplete": "off"},
            "postcode": text("govuk-input--width-10", autocomplete="off"),
        },
    ),
    # -- Family Wellbeing referral (a professional)
    (fj.FAMILY_WELLBEING, "professional", {}, PROFESSIONAL),
    (
        fj.FAMILY_WELLBEING,
        "consent-form",
        {},
        {"consented_by": text(WIDE, autocomplete="off", spellcheck="false")},
    ),
    (
        fj.FAMILY_WELLBEING,
        "name",
        {"voice": f.Voice()},
        {"first_name": OTHER_CHILD_NAME, "last_name": OTHER_CHILD_NAME},
    ),
    (
        fj.FAMILY_WELLBEING,
        "carer",
        {},
        {
            "name": text(WIDE, autocomplete="off", spellcheck="false"),
            "phone": {**TEL, "autocomplete": "off"},
            "email": {**EMAIL, "autocomplete": "off", "spellcheck": "false"},
            "address": {"class": "govuk-textarea", "rows": "3", "autocomplete": "off"},
            "postcode": text("govuk-input--width-10", autocomplete="off"),
        },
    ),
    # -- self-referral (a parent, carer or young person: their own details)
    (
        fj.SELF_REFERRAL,
        "your-details",
        {"methods": ["phone", "email", "letter"]},
        {
            "name": NAME,
            "phone": TEL,
            "email": {**EMAIL, "spellcheck": "false"},
            "address": {"class": "govuk-textarea", "rows": "3", "autocomplete": "street-address"},
            "postcode": text("govuk-input--width-10", autocomplete="postal-code"),
        },
    ),
    (
        fj.SELF_REFERRAL,
        "name",
        {"voice": f.Voice(you=True)},
        {
            "first_name": text(WIDE, autocomplete="given-name", spellcheck="false"),
            "last_name": text(WIDE, autocomplete="family-name", spellcheck="false"),
        },
    ),
    # -- consultation request (a professional)
    (fj.CONSULTATION, "your-details", {}, PROFESSIONAL),
]


@pytest.mark.parametrize(
    ("journey", "step", "kwargs", "expected"),
    CASES,
    ids=[
        f"{j.name}-{step}-{'you' if k.get('voice', f.Voice()).you else 'other'}"
        for j, step, k, _ in CASES
    ],
)
def test_personal_detail_fields_carry_their_attributes(journey, step, kwargs, expected):
    inputs = rendered(journey, step, **kwargs)
    for name, attrs in expected.items():
        check(inputs, name, attrs)


# Typed inputs on those pages that are not personal details (nothing to autofill).
NOT_PERSONAL = {
    "relationship",
    "school",
    "language",
    "consent_date_0",
    "consent_date_1",
    "consent_date_2",
}


@pytest.mark.parametrize(("journey", "step", "kwargs", "expected"), CASES)
def test_every_typed_input_of_those_pages_is_in_the_table(journey, step, kwargs, expected):
    """A new field on a personal-details page must be added to the table above."""
    inputs = rendered(journey, step, **kwargs)
    typed = {
        name
        for name, attrs in inputs.items()
        if attrs.get("type") in {None, "text", "email", "tel"}
    }
    assert typed - NOT_PERSONAL <= set(expected)


def test_a_layout_cannot_ask_for_an_input_type():
    """Django writes the widget's own type first; a second `type` would be ignored."""
    with pytest.raises(TypeError):
        f.part("phone", type="tel")


def test_layout_keywords_are_attributes_not_template_context():
    field = f.part("email", css_class="govuk-!-width-one-half", autocomplete="email", rows=3)
    assert field.attrs == {"class": "govuk-!-width-one-half", "autocomplete": "email", "rows": "3"}
    assert "autocomplete" not in field.context


@pytest.mark.django_db
def test_staff_log_a_referral_form(client, bromley):
    """Staff type other people's details: the right types, widths and `inputmode`, and
    `autocomplete="off"` so the browser never offers the staff member's own."""
    from tests.mash.factories import StaffMemberFactory, log_in_verified

    user = StaffMemberFactory(boroughs=[bromley]).user
    log_in_verified(client, user)
    response = client.get("/mash/log/")
    assert response.status_code == 200
    inputs = Inputs(response.content.decode()).by_name
    off = {"autocomplete": "off"}
    expected = {
        "intake-received_time": text(
            "govuk-input--width-5", inputmode="numeric", spellcheck="false"
        ),
        "pro-name": text(WIDE, **off),
        "pro-organisation": text(WIDE, **off),
        "pro-role": text(WIDE, **off),
        "pro-email": {
            "type": "email",
            "class": f"govuk-input {WIDE}",
            "spellcheck": "false",
            **off,
        },
        "pro-phone": {**TEL, **off},
        "referrer-name": text(WIDE, **off),
        "referrer-phone": {**TEL, **off},
        "referrer-email": {
            "type": "email",
            "class": f"govuk-input {WIDE}",
            "spellcheck": "false",
            **off,
        },
        "referrer-relationship": text(WIDE, **off),
        "child0-first_name": text(WIDE, spellcheck="false", **off),
        "child0-last_name": text(WIDE, spellcheck="false", **off),
        "child0-approximate_age": text(
            "govuk-input--width-3", inputmode="numeric", spellcheck="false", **off
        ),
        "child0-postcode": text("govuk-input--width-10", **off),
        "child0-date_of_birth_0": {"inputmode": "numeric"},
    }
    for name, attrs in expected.items():
        check(inputs, name, attrs)
