"""The forms of "Check a report" (mash.check_report_views): GOV.UK pages, server-side checks,
one message per field."""

from __future__ import annotations

import re

from crispy_forms_gds.layout import Layout
from django import forms
from django.core.exceptions import ValidationError

from contacts.phone import to_e164
from mash.check_report import CODE_DIGITS, Channel
from reporting.forms import QuestionForm, part, text, validate_public_email
from reporting.messages import is_mobile
from reporting.references import normalise_reference

EXAMPLE_GROUPS = "4K7Q-X9D2"
CONTACT_MESSAGE = (
    "Enter an email address like name@example.com, or a mobile phone number like 07700 900 982"
)


class StartForm(QuestionForm):
    heading = "Check a report"

    reference = text(
        "Reference number",
        30,
        required="Enter the reference number of your report",
    )
    contact = text(
        "Email address or mobile phone number",
        254,
        required="Enter the email address or mobile phone number you gave with your report",
        help_text="The one you gave us with your report. We will send a code to it.",
    )

    def __init__(self, *args, borough=None, **kwargs):
        self.example = f"{borough.reference_prefix if borough else 'BRM'}-{EXAMPLE_GROUPS}"
        super().__init__(*args, **kwargs)
        self.fields["reference"].help_text = (
            f"For example, {self.example}. It was on the page you saw when you sent your report, "
            "and in the email or text message we sent you."
        )

    def layout(self):
        return Layout(
            part(
                "reference",
                css_class="govuk-input--width-10",
                autocomplete="off",
                spellcheck="false",
                autocapitalize="characters",
            ),
            part("contact", autocomplete="off", spellcheck="false"),
        )

    def clean_reference(self):
        typed = self.cleaned_data["reference"]
        reference = normalise_reference(typed)
        if not reference:
            raise ValidationError(
                f"Enter the reference number in the right format, like {self.example}",
                code="invalid",
            )
        return reference

    def clean_contact(self):
        typed = self.cleaned_data["contact"].strip()
        if "@" in typed:
            try:
                validate_public_email(typed)
            except ValidationError as exc:
                raise ValidationError(CONTACT_MESSAGE, code="invalid") from exc
            self.channel = Channel.EMAIL
            return typed
        try:
            number = to_e164(typed)
        except ValidationError as exc:
            raise ValidationError(CONTACT_MESSAGE, code="invalid") from exc
        if not is_mobile(number):
            raise ValidationError(
                "Enter a UK mobile phone number, like 07700 900 982, or an email address: we "
                "can only text a code to a UK mobile",
                code="not_mobile",
            )
        self.channel = Channel.SMS
        return number


class CodeForm(QuestionForm):
    code = forms.CharField(
        label="Code",
        required=True,
        strip=True,
        error_messages={"required": "Enter the code we sent you"},
        help_text=f"The code is {CODE_DIGITS} numbers, for example 123456.",
    )

    def layout(self):
        return Layout(
            part(
                "code",
                css_class="govuk-input--width-5",
                autocomplete="one-time-code",
                inputmode="numeric",
                spellcheck="false",
            )
        )

    def clean_code(self):
        code = re.sub(r"[\s\-]", "", self.cleaned_data["code"])
        if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", code):
            raise ValidationError(
                f"Enter the code in the right format: {CODE_DIGITS} numbers, like 123456",
                code="invalid",
            )
        return code
