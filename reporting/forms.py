"""The concern journey's question pages: one form per page, validated on the server with
GOV.UK-style messages. Rendered with crispy-forms-gds, through the project's own templates for
the parts whose markup drifted from govuk-frontend 5 (templates/reporting/gds/)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout
from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, MaxLengthValidator
from django.utils import timezone
from django.utils.text import capfirst

from contacts.calendar import add_months
from contacts.phone import national_format, to_e164
from reporting.census import PUBLIC_SEX_CHOICES, ethnicity_choices
from reporting.journey import NO, UNKNOWN, YES, JourneyForm
from reporting.text import clean_text

FIELD_TEMPLATE = "reporting/gds/field.html"

NAME_MAX = 100
TEXT_MAX = 500
LONG_TEXT_MAX = 2000
DESCRIPTION_MAX = 5000
MAX_CHILDREN = 10
ADULT_AGE = 18
DUE_DATE_MONTHS_AHEAD = 10

YES_NO = [(YES, "Yes"), (NO, "No")]
YES_NO_UNKNOWN = [(YES, "Yes"), (NO, "No"), (UNKNOWN, "I do not know")]

WHO_CHOICES = [
    ("public", "A member of the public"),
    ("relative", "A relative of the child"),
    ("parent_carer", "The child's parent or carer"),
    ("child", "A child or young person"),
    ("professional", "Someone who works with children or families"),
]
WHO_HINTS = {
    "public": "For example, a neighbour or a friend of the family.",
    "relative": "For example, a grandparent, aunt, uncle or older brother or sister.",
    "child": "You are under 18. You can tell us about yourself or about someone else.",
    "professional": (
        "For example, a teacher, doctor, nurse, health visitor, police officer or youth worker."
    ),
}
CATEGORY_CHOICES = [
    ("physical", "Physical abuse"),
    ("emotional", "Emotional abuse"),
    ("sexual", "Sexual abuse"),
    ("neglect", "Neglect"),
    ("domestic_abuse", "Domestic abuse"),
    ("exploitation", "Exploitation"),
    ("other", "Something else"),
]
CATEGORY_HINTS = {
    "physical": "Someone hurting a child's body, for example hitting, shaking or burning them.",
    "emotional": (
        "Someone making a child feel scared, worthless or unloved, for example by threatening, "
        "bullying or always shouting at them."
    ),
    "sexual": "Someone forcing or tricking a child into sexual activity, in person or online.",
    "neglect": (
        "A child not getting the food, clothes, warmth, care, safety or medical help they need."
    ),
    "domestic_abuse": (
        "Violence, threats or control between adults at home, which the child sees or hears."
    ),
    "exploitation": (
        "Someone using a child for sex, crime, money or drugs, for example 'county lines'."
    ),
}
HOW_KNOWN_CHOICES = [
    ("saw", "I saw it"),
    ("heard", "I heard it"),
    ("told", "Someone told me"),
    ("other", "Another way"),
]

_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


@dataclass(frozen=True)
class Voice:
    """How the questions speak about a child: 'the child', by their name, or 'you' when a young
    person tells us about themself."""

    you: bool = False
    name: str = ""

    @property
    def child(self) -> str:
        return "you" if self.you else (self.name or "the child")

    @property
    def childs(self) -> str:
        if self.you:
            return "your"
        return f"{self.name}'s" if self.name else "the child's"

    @property
    def does(self) -> str:
        return "do" if self.you else "does"

    @property
    def is_(self) -> str:
        return "are" if self.you else "is"


# -- fields ----------------------------------------------------------------------------------
class PublicEmailValidator(EmailValidator):
    """Django's email check, without the forms the public never need and an attacker uses to
    point the council's emails at a machine of their choosing: IP address literals
    (name@[192.0.2.1]) and bare host names (name@localhost)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allowlist=(), **kwargs)

    def validate_domain_part(self, domain_part):
        return bool(self.domain_regex.match(domain_part))


validate_public_email = PublicEmailValidator()


class PublicEmailField(forms.EmailField):
    default_validators = [validate_public_email]


class TextField(forms.CharField):
    """Text as typed, with control characters removed, and a GOV.UK message when too long.
    No maxlength attribute: people may paste more and then edit it down, as GOV.UK advises."""

    def __init__(self, *, label: str, max_length: int | None, multiline: bool = False, **kwargs):
        self.multiline = multiline
        kwargs.setdefault("required", False)
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 5}))
        else:
            kwargs.setdefault("widget", forms.TextInput)
        super().__init__(label=label, max_length=max_length, strip=False, **kwargs)
        message = f"{capfirst(label)} must be {max_length or 0:,} characters or less"
        for validator in self.validators:
            if isinstance(validator, MaxLengthValidator):
                validator.message = message

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value, multiline=self.multiline)


def text(label: str, max_length: int = NAME_MAX, *, required: str = "", **kwargs) -> TextField:
    error_name = kwargs.pop("error_name", "")
    field = TextField(label=label, max_length=max_length, required=bool(required), **kwargs)
    if required:
        field.error_messages["required"] = required
    if error_name:
        message = f"{capfirst(error_name)} must be {max_length:,} characters or less"
        for validator in field.validators:
            if isinstance(validator, MaxLengthValidator):
                validator.message = message
    return field


class PostcodeField(TextField):
    """A UK postcode, kept as 'BR1 3UH'. Anything that is not one, however long, gets the one
    message that helps: "Enter a real postcode" (never a length error)."""

    MESSAGE = "Enter a real postcode, like BR1 3UH"

    def __init__(self, label: str = "Postcode", **kwargs):
        super().__init__(label=label, max_length=None, **kwargs)

    def to_python(self, value):
        value = super().to_python(value).upper()
        if not value:
            return ""
        compact = re.sub(r"\s+", "", value)
        if len(compact) > 8 or not _POSTCODE.match(compact):
            raise ValidationError(self.MESSAGE, code="invalid")
        return f"{compact[:-3]} {compact[-3:]}"


def email_field(label: str, required: str = "", help_text: str = "") -> forms.EmailField:
    field = PublicEmailField(
        label=label,
        required=bool(required),
        max_length=254,
        help_text=help_text,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or less",
        },
    )
    if required:
        field.error_messages["required"] = required
    return field


def radios(label: str, choices, required: str, hints: dict | None = None) -> forms.ChoiceField:
    field = forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": required, "invalid_choice": required},
    )
    field.hints = hints or {}
    return field


def checkboxes(
    label: str, choices, required: str, help_text: str, hints: dict
) -> forms.MultipleChoiceField:
    field = forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
        error_messages={"required": required, "invalid_choice": required},
    )
    field.hints = hints
    return field


MONTHS = {
    **{name.lower(): number for number, name in enumerate(calendar.month_name) if name},
    **{name.lower(): number for number, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
}


def month_number(value: str) -> str:
    """A month as typed: '3', '03', 'March', 'mar', 'MAR.' -> '3'; anything else unchanged."""
    word = value.strip().rstrip(".").lower()
    return str(MONTHS[word]) if word in MONTHS else value


class TelInput(forms.TextInput):
    """A phone number: `type="tel"` brings up the phone keypad."""

    input_type = "tel"


class GovDateWidget(DateInputWidget):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Day and year are numbers; the month may be typed as a word ("March", "mar").
        for widget in (self.widgets[0], self.widgets[2]):
            widget.attrs["inputmode"] = "numeric"


class GovDateField(DateInputField):
    """A GOV.UK date input (day, month, year) with the Design System's error messages. Each
    part with a problem is marked, so its input gets the error border and the summary links
    to it."""

    widget = GovDateWidget
    PARTS = ("day", "month", "year")

    def __init__(self, *, label: str, what: str, **kwargs):
        self.what = what  # "date of birth"
        super().__init__(label=label, require_all_fields=False, **kwargs)
        self.error_messages["required"] = f"Enter the {what}"

    def _fail(self, message: str, parts) -> None:
        for index, field in enumerate(self.fields):
            field.widget.errors = [message] if self.PARTS[index] in parts else []
        raise ValidationError(message, code="invalid_date")

    def clean(self, value):
        for field in self.fields:
            field.widget.errors = []
        values = list(value) if isinstance(value, list | tuple) else []
        values = [clean_text(v, multiline=False) for v in values]
        values = (values + ["", "", ""])[:3]
        thing = capfirst(self.what)
        if not any(values):
            if self.required:
                self._fail(self.error_messages["required"], self.PARTS)
            return None
        missing = [part for part, v in zip(self.PARTS, values, strict=True) if not v]
        if missing:
            self._fail(f"{thing} must include a {' and a '.join(missing)}", missing)
        values[1] = month_number(values[1])
        not_numbers = [
            part
            for part, v in zip(self.PARTS, values, strict=True)
            if not v.isascii() or not v.isdigit()
        ]
        if not_numbers:
            self._fail(f"{thing} must be a real date", not_numbers)
        day, month, year = values
        if len(year) != 4:
            self._fail("Year must include 4 numbers", ["year"])
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            parts = []
            if not 1 <= int(month) <= 12:
                parts.append("month")
            if not 1 <= int(day) <= 31 or not parts:
                parts.insert(0, "day")
            self._fail(f"{thing} must be a real date", parts)


# -- rendering -------------------------------------------------------------------------------
# What the field template reads (label and legend size and tag, character count, inline radios,
# the form group's class); every other keyword of `question()` and `part()` is an attribute of
# the input itself (autocomplete, spellcheck, inputmode, rows, ...) and `css_class` its class.
CONTEXT_KEYS = frozenset(
    {
        "label_size",
        "label_tag",
        "legend_size",
        "legend_tag",
        "max_characters",
        "radios_inline",
        "radios_small",
        "checkboxes_small",
        "wrapper_class",
    }
)


def _field(name: str, options: dict) -> Field:
    context = {key: options.pop(key) for key in list(options) if key in CONTEXT_KEYS}
    css_class = options.pop("css_class", None)
    if "type" in options:
        # Django writes the widget's own type first and a browser keeps the first of two.
        raise TypeError(f"{name}: an input's type comes from its widget (e.g. TelInput)")
    return Field(name, template=FIELD_TEMPLATE, css_class=css_class, context=context, **options)


def question(name: str, **options) -> Field:
    """The page's one question: its label or legend is the page heading. Keywords: see
    CONTEXT_KEYS; the others are the input's attributes."""
    return _field(
        name,
        {
            "label_size": "govuk-label--l",
            "label_tag": "h1",
            "legend_size": "govuk-fieldset__legend--l",
            "legend_tag": "h1",
            **options,
        },
    )


def part(name: str, **options) -> Field:
    """A field on a page that has a separate heading. Keywords as for `question`."""
    return _field(name, dict(options))


def long_text(name: str, max_characters: int, *, heading: bool = False) -> Field:
    make = question if heading else part
    field = make(name, max_characters=max_characters)
    field.add_class("govuk-js-character-count")
    return field


class QuestionForm(JourneyForm):
    """A journey form with a GOV.UK layout. `heading` is set on pages with several fields
    (the template shows it as the h1); single-question pages use the question as the h1."""

    heading = ""

    def __init__(self, *args, voice: Voice | None = None, **kwargs):
        self.voice = voice or Voice()
        super().__init__(*args, **kwargs)
        self.word()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = self.layout()

    def word(self) -> None:
        """Set labels that depend on the voice."""

    def layout(self) -> Layout:
        names = list(self.fields)
        if len(names) == 1 and not self.heading:
            return Layout(question(names[0]))
        return Layout(*(part(name) for name in names))

    @property
    def title(self) -> str:
        if self.heading:
            return self.heading
        return str(next(iter(self.fields.values())).label)

    def full_clean(self):
        super().full_clean()
        for name, errors in (self._errors or {}).items():
            del errors.data[1:]  # one message per field, as GOV.UK shows them
            # crispy-forms-gds marks only TextInput, Select and Textarea (with the input's
            # class): give email inputs and textareas their govuk-frontend error class.
            widget = self.fields[name].widget if name in self.fields else None
            error_class = {
                forms.EmailInput: "govuk-input--error",
                TelInput: "govuk-input--error",
                forms.Textarea: "govuk-textarea--error",
            }.get(type(widget))
            if error_class:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {error_class}".strip()

    def error_links(self) -> list[tuple[str, str]]:
        return error_links(self)


def field_target(bound) -> str:
    """The id of the input an error summary link for this field lands on: the first radio or
    checkbox of a group (their ids are `id_<name>_<n>`, from 1), the first date part with a
    problem (`<id>_<n>`, from 0), else the input itself."""
    field = bound.field
    if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"id_{bound.html_name}_1"
    if isinstance(field, forms.MultiValueField):
        first = next(
            (i for i, sub in enumerate(field.fields) if getattr(sub.widget, "errors", None)), 0
        )
        return f"{bound.auto_id}_{first}"
    return bound.auto_id


def error_links(form) -> list[tuple[str, str]]:
    """(href, message) for a GOV.UK error summary, in the form's order: each link lands on the
    input to fix. Errors about the whole form link to its first field."""
    links = []
    for name in form.fields:
        if name in form.errors:
            href = f"#{field_target(form[name])}"
            links.extend((href, message) for message in form.errors[name])
    visible = form.visible_fields()
    if visible:
        links[:0] = [(f"#{field_target(visible[0])}", m) for m in form.non_field_errors()]
    return links


# -- the questions ---------------------------------------------------------------------------
class EmailOrPhoneForm(QuestionForm):
    """Needs an email address or a phone number; `email_or_phone` is the field the error is
    shown on and its message. The phone number is checked and kept in E.164."""

    email_or_phone: tuple[str, str]

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if (
            not data.get("email")
            and not data.get("phone")
            and not self.has_error("email")
            and not self.has_error("phone")
        ):
            self.add_error(*self.email_or_phone)
        return data


UPDATES_BY = [("email", "By email"), ("sms", "By text message")]
UPDATES_BY_REQUIRED = "Select how we should send you updates: by email or by text message"


def updates_by_field() -> forms.ChoiceField:
    """Asked once, on the contact details page, of someone who gives both an email address and
    a mobile number: which one our messages (the reference now, what we decided later) go to."""
    field = radios(
        "If you give an email address and a mobile number, how should we send you updates?",
        UPDATES_BY,
        UPDATES_BY_REQUIRED,
        hints={"sms": "A text message has your reference and our number only."},
    )
    field.required = False
    field.help_text = "We send your reference now, and tell you later when we have decided."
    return field


def check_updates_by(form: forms.Form, data: dict) -> None:
    """The choice is needed only when both an email address and a UK mobile number were given
    (a landline cannot get texts); otherwise it is dropped."""
    from reporting.messages import is_mobile

    if data.get("email") and is_mobile(data.get("phone") or ""):
        if not data.get("updates_by") and not form.has_error("updates_by"):
            form.add_error("updates_by", form.fields["updates_by"].error_messages["required"])
    else:
        data["updates_by"] = ""


class LongAnswerForm(QuestionForm):
    """A page asking for one long answer, its label the page's heading."""

    def layout(self):
        ((name, field),) = self.base_fields.items()
        return Layout(long_text(name, field.max_length, heading=True))


class DangerForm(QuestionForm):
    danger = radios(
        "Is a child in immediate danger right now?",
        YES_NO,
        "Select yes if a child is in immediate danger right now",
    )
    danger.help_text = (
        "For example, someone is hurting them now, or they are alone somewhere that is not safe."
    )


class WhoForm(QuestionForm):
    who = radios("Who are you?", WHO_CHOICES, "Select who you are", WHO_HINTS)


class AboutSelfForm(QuestionForm):
    about_self = radios(
        "Are you worried about yourself or about someone else?",
        [("me", "About me"), ("someone_else", "About another child or young person")],
        "Select if you are worried about yourself or someone else",
    )


class ProfessionalRouteForm(QuestionForm):
    route = radios(
        "Are you worried a child is being harmed, or do you want early help for a family?",
        [
            ("safeguarding", "I am worried a child is being harmed or is at risk of harm"),
            ("early_help", "I want early help support for a family"),
        ],
        "Select if you are worried a child is being harmed or want early help for a family",
        {
            "safeguarding": "This is a safeguarding referral to children's social care.",
            "early_help": "Support for the family, with their agreement, before things get worse.",
        },
    )


class ProfessionalDetailsForm(EmailOrPhoneForm):
    heading = "Your work details"
    name = text("Full name", required="Enter your full name", error_name="your name")
    organisation = text(
        "Organisation",
        200,
        required="Enter the name of your organisation",
        help_text="For example, the name of your school, surgery or police team.",
    )
    role = text("Your role", required="Enter your role", help_text="For example, head of year 9.")
    email = email_field(
        "Work email address", help_text="Give a work email address, a phone number, or both."
    )
    phone = text("Work phone number", 30, widget=TelInput)

    def layout(self):
        return Layout(
            part(
                "name",
                css_class="govuk-!-width-two-thirds",
                autocomplete="name",
                spellcheck="false",
            ),
            part("organisation", css_class="govuk-!-width-two-thirds", autocomplete="organization"),
            part("role", css_class="govuk-!-width-two-thirds", autocomplete="organization-title"),
            part(
                "email",
                css_class="govuk-!-width-two-thirds",
                autocomplete="email",
                spellcheck="false",
            ),
            part("phone", css_class="govuk-input--width-20", autocomplete="tel"),
        )

    email_or_phone = ("email", "Enter a work email address or phone number")


def clean_phone(value: str) -> str:
    """A UK phone number as E.164, or ''. Raises the GOV.UK message."""
    if not value:
        return ""
    return to_e164(value)


class FamilyAwareForm(QuestionForm):
    family_aware = radios(
        "Does the family know you are making this referral?",
        YES_NO,
        "Select yes if the family knows you are making this referral",
    )
    family_aware.help_text = (
        "You do not need the family's agreement to tell us you think a child is being harmed."
    )


class FamilyAgreesForm(QuestionForm):
    family_agrees = radios(
        "Does the family agree to this referral?",
        YES_NO_UNKNOWN,
        "Select if the family agrees to this referral",
    )


class ConsentReasonForm(LongAnswerForm):
    no_consent_reason = text(
        "Why does the family not know, or not agree?",
        LONG_TEXT_MAX,
        multiline=True,
        required="Enter why the family does not know or does not agree",
        error_name="the reason",
        help_text="For example, telling them could put the child at more risk.",
    )

    def __init__(self, *args, family_aware: str = "", **kwargs):
        self.family_aware = family_aware
        super().__init__(*args, **kwargs)

    def word(self):
        field = self.fields["no_consent_reason"]
        if self.family_aware == NO:
            field.label = "Why have you not told the family?"
            field.error_messages["required"] = "Enter why you have not told the family"
        else:
            field.label = "Why does the family not agree?"
            field.error_messages["required"] = "Enter why the family does not agree"


class ChildNameForm(QuestionForm):
    first_name = text("First name", error_name="first name")
    last_name = text("Last name", error_name="last name")
    name_unknown = forms.BooleanField(label="I do not know their name", required=False)

    def word(self):
        self.heading = f"What is {self.voice.childs} name?"
        if self.voice.you:
            self.fields["name_unknown"].label = "I do not want to say"

    def layout(self):
        # A young person's own name is theirs to autofill (WCAG 1.3.5); another child's is not
        # the person's own, so the browser must not offer theirs.
        you = self.voice.you
        return Layout(
            part(
                "first_name",
                css_class="govuk-!-width-two-thirds",
                autocomplete="given-name" if you else "off",
                spellcheck="false",
            ),
            part(
                "last_name",
                css_class="govuk-!-width-two-thirds",
                autocomplete="family-name" if you else "off",
                spellcheck="false",
            ),
            part("name_unknown"),
        )

    def clean(self):
        data = super().clean()
        named = data.get("first_name") or data.get("last_name")
        if self.errors:
            return data
        if data.get("name_unknown") and named:
            self.add_error(
                "first_name",
                f"Enter {self.voice.childs} name, or select '{self.fields['name_unknown'].label}'"
                ", not both",
            )
        elif not data.get("name_unknown") and not named:
            self.add_error(
                "first_name",
                f"Enter {self.voice.childs} name, or select '{self.fields['name_unknown'].label}'",
            )
        if data.get("name_unknown"):
            data["first_name"] = data["last_name"] = ""
        return data


class ChildAgeKnownForm(QuestionForm):
    age_known = radios("", [], "")

    def word(self):
        v = self.voice
        field = self.fields["age_known"]
        if v.you:
            field.label = "How old are you?"
            field.choices = [
                ("dob", "I will give my date of birth"),
                ("age", "I will give my age"),
            ]
            field.error_messages["required"] = "Select if you will give your date of birth or age"
        else:
            field.label = f"What do you know about {v.childs} age?"
            field.choices = [
                ("dob", "I know their date of birth"),
                ("age", "I know roughly how old they are"),
                ("unborn", "The baby is not born yet"),
                ("unknown", "I do not know their age"),
            ]
            field.error_messages["required"] = f"Select what you know about {v.childs} age"
        field.error_messages["invalid_choice"] = field.error_messages["required"]


def date_of_birth_limit(today: dt.date) -> dt.date:
    """Born on or before this date: 18 or over today."""
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ADULT_AGE, day=28)


def is_adult(child: dict, today: dt.date) -> bool:
    if child.get("date_of_birth"):
        return dt.date.fromisoformat(child["date_of_birth"]) <= date_of_birth_limit(today)
    age = child.get("approximate_age")
    return age is not None and age >= ADULT_AGE


def london_today() -> dt.date:
    return timezone.localdate()


class ChildDobForm(QuestionForm):
    date_fields = ("date_of_birth",)
    date_of_birth = GovDateField(label="", what="date of birth")

    def word(self):
        field = self.fields["date_of_birth"]
        field.label = f"What is {self.voice.childs} date of birth?"
        field.help_text = "For example, 27 3 2012"
        field.error_messages["required"] = f"Enter {self.voice.childs} date of birth"
        if self.voice.you:  # the young person's own date of birth
            for widget, token in zip(
                field.widget.widgets, ("bday-day", "bday-month", "bday-year"), strict=True
            ):
                widget.attrs["autocomplete"] = token

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value and value > london_today():
            raise ValidationError("Date of birth must be today or in the past", code="future")
        if value and value.year < 1900:
            raise ValidationError("Date of birth must be after 1900", code="too_old")
        return value


class ChildAgeForm(QuestionForm):
    approximate_age = forms.CharField(label="", required=True, strip=True)

    def word(self):
        field = self.fields["approximate_age"]
        field.label = f"How old {self.voice.is_} {self.voice.child}?"
        field.help_text = (
            "Enter your age in years."
            if self.voice.you
            else "If you are not sure, give your best guess. Enter 0 for a baby under 1."
        )
        field.error_messages["required"] = (
            "Enter your age" if self.voice.you else f"Enter {self.voice.childs} age"
        )

    def layout(self):
        return Layout(
            question(
                "approximate_age",
                css_class="govuk-input--width-3",
                inputmode="numeric",
                spellcheck="false",
            )
        )

    def clean_approximate_age(self):
        value = clean_text(self.cleaned_data["approximate_age"], multiline=False)
        if not (value.isascii() and value.isdigit()) or len(value) > 3:
            raise ValidationError("Enter the age in years as a number, like 8", code="invalid")
        age = int(value)
        if age > 120:
            raise ValidationError("Enter a real age, in years", code="invalid")
        return age


class ChildDueForm(QuestionForm):
    date_fields = ("due_date",)
    due_date = GovDateField(label="When is the baby due?", what="due date")

    def word(self):
        field = self.fields["due_date"]
        soon = add_months(london_today(), 3)
        field.help_text = f"For example, {soon.day} {soon.month} {soon.year}"
        field.error_messages["required"] = "Enter the baby's due date"

    def clean_due_date(self):
        value = self.cleaned_data["due_date"]
        today = london_today()
        if value and value < today:
            raise ValidationError("Due date must be today or in the future", code="past")
        if value and value > add_months(today, DUE_DATE_MONTHS_AHEAD):
            raise ValidationError(
                f"Due date must be within the next {DUE_DATE_MONTHS_AHEAD} months", code="too_far"
            )
        return value


class ChildWhereForm(QuestionForm):
    address = text("Address", TEXT_MAX, multiline=True, error_name="address")
    postcode = PostcodeField()
    school = text("School, college or nursery", 200, error_name="school")

    def word(self):
        v = self.voice
        self.heading = f"Where can we find {v.child}?"
        self.fields[
            "address"
        ].help_text = (
            "Tell us as much as you know. A street name, a building or a description helps."
        )
        self.fields["school"].help_text = (
            "The one you go to, if you want to tell us."
            if v.you
            else "The one they go to, if you know."
        )
        if v.you:
            self.heading = "Where do you live?"
            self.fields["address"].help_text = (
                "You do not have to tell us. If you do not want to, leave this blank: we will "
                "ask how we can reach you safely."
            )

    def layout(self):
        you = self.voice.you  # where the young person lives: their own address
        return Layout(
            part("address", rows=3, autocomplete="street-address" if you else "off"),
            part(
                "postcode",
                css_class="govuk-input--width-10",
                autocomplete="postal-code" if you else "off",
            ),
            part("school", css_class="govuk-!-width-two-thirds"),
        )

    def clean(self):
        data = super().clean()
        if self.voice.you:  # a child may not want to say: we ask how to reach them instead
            return data
        if not self.errors and not any(data.get(k) for k in ("address", "postcode", "school")):
            self.add_error("address", "Enter where the child lives or the school they go to")
        return data


CENSUS_HINT = (
    "We ask so we can check that our help reaches every child fairly. You do not have to "
    "answer: choose Continue to skip it."
)


class ChildSexForm(QuestionForm):
    """Optional (the census's categories, 'prefer not to say' and 'I do not know' too)."""

    sex = radios(
        "What is the child's sex? (optional)",
        PUBLIC_SEX_CHOICES,
        "Select the child's sex, or leave it blank",
    )

    def word(self):
        self.fields["sex"].required = False
        self.fields["sex"].help_text = CENSUS_HINT
        self.fields["sex"].label = f"What is {self.voice.childs} sex? (optional)"


class ChildEthnicityForm(QuestionForm):
    """Optional: the census's ethnic groups in a select grouped as the census groups them."""

    ethnicity = forms.ChoiceField(
        label="What is the child's ethnic group? (optional)",
        choices=ethnicity_choices(blank="Not answered"),
        required=False,
        help_text=CENSUS_HINT,
        error_messages={"invalid_choice": "Select an ethnic group from the list"},
    )

    def word(self):
        self.fields["ethnicity"].label = f"What is {self.voice.childs} ethnic group? (optional)"


class AddAnotherChildForm(QuestionForm):
    add_another = radios(
        "Do you need to tell us about another child?",
        YES_NO,
        "Select yes if you need to tell us about another child",
    )

    def __init__(self, *args, count: int = 1, **kwargs):
        self.count = count
        super().__init__(*args, **kwargs)

    def layout(self):
        return Layout(
            part("add_another", legend_size="govuk-fieldset__legend--m", radios_inline=True)
        )

    def clean_add_another(self):
        value = self.cleaned_data["add_another"]
        if value == YES and self.count >= MAX_CHILDREN:
            raise ValidationError(
                f"You can tell us about up to {MAX_CHILDREN} children in one report. "
                "Tell us about any others in your description.",
                code="too_many",
            )
        return value


class RemoveChildForm(QuestionForm):
    remove = radios("", YES_NO, "Select yes if you want to remove this child")

    def __init__(self, *args, child_name: str = "this child", **kwargs):
        self.child_name = child_name
        super().__init__(*args, **kwargs)

    def word(self):
        self.fields["remove"].label = f"Are you sure you want to remove {self.child_name}?"


class OtherChildrenForm(QuestionForm):
    other_children_in_home = radios("", YES_NO_UNKNOWN, "")

    def word(self):
        field = self.fields["other_children_in_home"]
        if self.voice.you:
            field.label = "Do any other children live with you?"
            field.error_messages["required"] = "Select if other children live with you"
        else:
            field.label = "Do any other children live in the same home?"
            field.error_messages["required"] = "Select if other children live in the same home"
        field.error_messages["invalid_choice"] = field.error_messages["required"]


class OtherChildrenDetailsForm(LongAnswerForm):
    other_children_details = text(
        "Tell us about the other children in the home",
        LONG_TEXT_MAX,
        multiline=True,
        required="Enter what you know about the other children",
        error_name="what you know about the other children",
        help_text="For example, their names and how old they are, if you know.",
    )


class ConcernCategoriesForm(QuestionForm):
    categories = checkboxes(
        "What are you worried about?",
        CATEGORY_CHOICES,
        "Select what you are worried about",
        "Select all that apply. If you are not sure, choose 'Something else'.",
        CATEGORY_HINTS,
    )


class ConcernDescriptionForm(LongAnswerForm):
    description = text(
        "Tell us what is worrying you",
        DESCRIPTION_MAX,
        multiline=True,
        required="Enter what is worrying you",
        error_name="what is worrying you",
        help_text=(
            "Say what happened, who was involved and anything the child has said. "
            "Write it in your own words: it does not have to be perfect."
        ),
    )

    def word(self):
        if self.voice.you:
            self.fields["description"].help_text = (
                "Say what happened and who was involved. Write it in your own words: "
                "it does not have to be perfect."
            )


class ConcernWhenForm(QuestionForm):
    when_happened = text(
        "When did it happen?",
        TEXT_MAX,
        error_name="when it happened",
        help_text=(
            "For example, 'last night', 'on Saturday' or 'it has been going on for months'. "
            "Leave this blank if you do not know."
        ),
    )


class StillHappeningForm(QuestionForm):
    still_happening = radios(
        "Is it still happening?", YES_NO_UNKNOWN, "Select if it is still happening"
    )


class HowKnownForm(QuestionForm):
    how_known = radios(
        "How do you know about it?", HOW_KNOWN_CHOICES, "Select how you know about it"
    )

    def word(self):
        if self.voice.you:
            field = self.fields["how_known"]
            field.label = "How do you know about it?"
            field.choices = [*HOW_KNOWN_CHOICES[:3], ("other", "It happened to me")]


class AboutYouForm(QuestionForm):
    anonymous = radios(
        "Do you want to tell us who you are?",
        [
            (NO, "Yes, I will give my name and contact details"),
            (YES, "No, I want to stay anonymous"),
        ],
        "Select if you want to tell us who you are",
    )
    anonymous.help_text = (
        "If you tell us who you are, we can contact you if we need to know more, and tell you "
        "we have received your report. We will not tell the family you contacted us, unless "
        "the law says we must."
    )


class YourDetailsForm(EmailOrPhoneForm):
    heading = "Your details"
    name = text("Full name", required="Enter your full name", error_name="your name")
    phone = text(
        "Phone number",
        30,
        widget=TelInput,
        help_text="Give a phone number, an email address, or both.",
    )
    email = email_field(
        "Email address",
        help_text=(
            "We will send you a confirmation with your reference, unless you choose text "
            "messages below."
        ),
    )
    relationship = text(
        "How do you know the child?",
        error_name="how you know the child",
        help_text="For example, neighbour, grandparent, friend's parent.",
    )
    updates_by = updates_by_field()

    def word(self):
        if self.voice.you:
            self.fields["relationship"].label = "Who is the child to you?"
            self.fields["relationship"].help_text = "For example, 'my friend' or 'my sister'."

    def layout(self):
        return Layout(
            part(
                "name",
                css_class="govuk-!-width-two-thirds",
                autocomplete="name",
                spellcheck="false",
            ),
            part("phone", css_class="govuk-input--width-20", autocomplete="tel"),
            part(
                "email",
                css_class="govuk-!-width-two-thirds",
                autocomplete="email",
                spellcheck="false",
            ),
            part("relationship", css_class="govuk-!-width-two-thirds"),
            part("updates_by", legend_size="govuk-fieldset__legend--s"),
        )

    email_or_phone = ("phone", "Enter a phone number or email address")

    def clean(self):
        data = super().clean()
        check_updates_by(self, data)
        return data


class ContactSafeForm(QuestionForm):
    safe_to_contact = radios(
        "Is it safe for us to contact you?",
        YES_NO,
        "Select yes if it is safe for us to contact you",
    )
    safe_to_contact.help_text = (
        "For example, could someone who should not know see a message or hear a call?"
    )
    contact_notes = text(
        "When and how is it safe to contact you? (optional)",
        TEXT_MAX,
        multiline=True,
        error_name="when and how it is safe to contact you",
        help_text="For example, 'only call after 6pm' or 'email only'.",
    )

    def layout(self):
        return Layout(
            question("safe_to_contact", legend_tag="h1"),
            part("contact_notes", rows=3),
        )


class ReachYouForm(EmailOrPhoneForm):
    """A child telling us about themself: how we can reach them safely (nothing is required:
    they can send their report without it)."""

    heading = "How can we contact you safely?"
    phone = text(
        "Phone number (optional)",
        30,
        error_name="phone number",
        help_text="A number only you answer, if you have one.",
        widget=TelInput,
    )
    email = email_field("Email address (optional)")
    contact_notes = text(
        "When and how is it safe to contact you? (optional)",
        TEXT_MAX,
        multiline=True,
        error_name="when and how it is safe to contact you",
        help_text="For example, 'text me after school' or 'do not call, someone checks my phone'.",
    )
    updates_by = updates_by_field()

    def layout(self):
        return Layout(
            part("phone", css_class="govuk-input--width-20", autocomplete="tel"),
            part(
                "email",
                css_class="govuk-!-width-two-thirds",
                autocomplete="email",
                spellcheck="false",
            ),
            part("contact_notes", rows=3),
            part("updates_by", legend_size="govuk-fieldset__legend--s"),
        )

    def clean(self):
        data = forms.Form.clean(self)
        check_updates_by(self, data)
        return data


class CheckAnswersForm(forms.Form):
    """The check-your-answers page's form: only a honeypot. People never see it (the field is
    in a hidden block); a bot that fills every input gets an error and nothing is saved."""

    website = forms.CharField(required=False, max_length=200)

    @property
    def is_bot(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data.get("website"))


def display_phone(e164: str) -> str:
    return national_format(e164) if e164 else ""
