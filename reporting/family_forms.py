"""Question pages of the Family Wellbeing referral, the self-referral and the consultation
request. Built on the concern journey's forms (reporting.forms): same fields, same GOV.UK
messages, same templates; only what differs is here."""

from __future__ import annotations

import datetime as dt

from crispy_forms_gds.layout import Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts.calendar import WorkingCalendar, local_datetime
from reporting import forms as f
from reporting import uploads
from reporting.journey import to_json
from reporting.models import CONTACT_METHODS, WELLBEING_CRITERIA

CRITERIA_HINTS = {
    "exclusion_risk": "Including a child often missing school.",
    "low_level_neglect": (
        "For example, a child often hungry, unwashed or not dressed for the weather, where "
        "this is not putting them at risk of significant harm."
    ),
    "physical_chastisement": "Hitting or smacking a child as punishment.",
}
# The same criteria, as a parent or young person would say them.
SELF_CRITERIA = [
    ("permanent_exclusion", "A child has been permanently excluded from school"),
    ("exclusion_risk", "A child might be excluded, or is missing school"),
    ("mental_health", "A parent or carer's mental health"),
    ("learning_disability", "A parent or carer has a learning disability"),
    ("domestic_abuse", "Domestic abuse at home"),
    ("substance_misuse", "A parent or carer's drinking or drug use"),
    ("low_level_neglect", "Getting the basics right, like food, clothes, hygiene or routines"),
    ("physical_chastisement", "Hitting or smacking a child as punishment"),
]
CRITERIA_LABELS = dict(WELLBEING_CRITERIA)
CONTACT_HINTS = {
    "phone": (
        "We will call you, or leave a message if it is safe to. To a mobile we text your "
        "reference and what we decide."
    ),
    "letter": "We will post a letter to your address.",
}
CALLBACK_WEEKS = 4
CALLBACK_MIN = dt.timedelta(minutes=30)
TIME_CHOICES = [(f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}") for h in range(7, 20) for m in (0, 30)]


# -- the professional ------------------------------------------------------------------------
class ProfessionalForm(f.ProfessionalDetailsForm):
    """A professional's details: a work email is required (the acknowledgement goes there)."""

    email = f.email_field(
        "Work email address",
        "Enter your work email address",
        "We will send the confirmation and our decision here.",
    )
    phone = f.text(
        "Work phone number (optional)",
        30,
        widget=f.TelInput,
        error_name="work phone number",
        help_text="",
    )

    def clean(self):
        return forms.Form.clean(self)


class ConsultationProfessionalForm(ProfessionalForm):
    """A consultation is a call back: the work phone number is required."""

    phone = f.text(
        "Work phone number",
        30,
        required="Enter a phone number we can call you back on",
        widget=f.TelInput,
        error_name="work phone number",
        help_text="We will call you back on this number.",
    )


class HaveConsentForm(f.QuestionForm):
    consent = f.radios(
        "Do you have the parent's or carer's written consent?",
        f.YES_NO,
        "Select yes if you have the parent's or carer's written consent",
    )
    consent.help_text = (
        "Early help is a voluntary service. We can only accept a referral from a "
        "professional with a parent's or carer's signed consent."
    )


class ConsentFileInput(forms.FileInput):
    def __init__(self, attrs=None):
        super().__init__({"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})


class ConsentUploadForm(f.QuestionForm):
    """The signed consent form, who gave consent and when. The file is checked here and
    stored by `dump`; when one is already stored, choosing no new file keeps it."""

    heading = "Upload the signed consent form"
    date_fields = ("consent_date",)
    consent_file = forms.FileField(
        label="Signed consent form",
        required=False,
        widget=ConsentFileInput,
        allow_empty_file=True,  # refused with our own message, below
    )
    consented_by = f.text(
        "Name of the parent or carer who gave consent",
        required="Enter the name of the parent or carer who gave consent",
        error_name="the name",
    )
    consent_date = f.GovDateField(label="Date they signed the consent form", what="date")

    def __init__(self, *args, existing: dict | None = None, **kwargs):
        self.existing = existing or None
        super().__init__(*args, **kwargs)
        hint = f"A PDF, JPG or PNG file, smaller than {uploads.size_label()}."
        if self.existing:
            hint += (
                f" You have uploaded {self.existing['original_name']}. Choose a file only if "
                "you want to replace it."
            )
        self.fields["consent_file"].help_text = hint
        self.fields["consent_date"].help_text = "For example, 27 3 2026"
        self.fields["consent_date"].error_messages["required"] = "Enter the date they signed"
        self.kind = None

    def layout(self):
        return Layout(
            f.part("consent_file"),
            f.part(
                "consented_by",
                css_class="govuk-!-width-two-thirds",
                autocomplete="off",
                spellcheck="false",
            ),
            f.part("consent_date", legend_size="govuk-fieldset__legend--s"),
        )

    def clean_consent_file(self):
        upload = self.cleaned_data.get("consent_file")
        if not upload:
            # An empty file is still a file: Django drops it when allow_empty_file is off.
            raw = self.files.get(self.add_prefix("consent_file")) if self.files else None
            if raw is not None:
                raise ValidationError(uploads.EMPTY, code="empty")
            if self.existing:
                return None
            raise ValidationError("Select the signed consent form", code="required")
        self.kind = uploads.validate_consent_file(upload)
        return upload

    def clean_consent_date(self):
        value = self.cleaned_data["consent_date"]
        if value and value > f.london_today():
            raise ValidationError("Date they signed must be today or in the past", code="future")
        if value and value.year < 2000:
            raise ValidationError("Date they signed must be after 2000", code="too_old")
        return value

    def full_clean(self):
        super().full_clean()
        if (
            self.errors
            and "consent_file" not in self.errors
            and self.files
            and self.files.get(self.add_prefix("consent_file")) is not None
        ):
            # The file was fine but another answer was not: the browser will not send it
            # again, so say so rather than lose it silently.
            self.add_error(
                "consent_file",
                "Select the signed consent form again: your browser does not keep a chosen "
                "file when another answer on the page needs changing",
            )

    def dump(self) -> dict:
        data = self.cleaned_data
        upload = data.get("consent_file")
        stored = self.existing
        if upload:
            stored = uploads.store_consent_file(upload, self.kind)
            if self.existing:
                uploads.discard_unattached(self.existing["stored_name"])
        return to_json(
            {
                "file": stored,
                "consented_by": data["consented_by"],
                "consent_date": data["consent_date"],
            }
        )

    @classmethod
    def initial_from(cls, stored):
        initial = super().initial_from(stored)
        initial.pop("file", None)
        return initial


# -- the family ------------------------------------------------------------------------------
class FamilyAgeKnownForm(f.ChildAgeKnownForm):
    def word(self):
        super().word()
        field = self.fields["age_known"]
        if self.voice.you:
            field.label = "What is your date of birth?"
            field.choices = [("dob", "I will give my date of birth")]
        else:
            field.label = f"Is {self.voice.child} born yet?"
            field.choices = [("dob", "Yes, I will give their date of birth"), ("unborn", "No")]
            field.error_messages["required"] = f"Select yes if {self.voice.child} is born"
        field.error_messages["invalid_choice"] = field.error_messages["required"]


class FamilyChildDobForm(f.ChildDobForm):
    """Family Wellbeing works with children and young people up to 17."""

    def clean_date_of_birth(self):
        value = super().clean_date_of_birth()
        if value and value <= f.date_of_birth_limit(f.london_today()):
            raise ValidationError(
                "Early help is for children aged 17 or under. Enter a date of birth "
                "less than 18 years ago",
                code="adult",
            )
        return value


class AddAnotherCarerForm(f.QuestionForm):
    add_another = f.radios(
        "Do you need to add another parent or carer?",
        f.YES_NO,
        "Select yes if you need to add another parent or carer",
    )

    def __init__(self, *args, count: int = 1, **kwargs):
        self.count = count
        super().__init__(*args, **kwargs)

    def layout(self):
        return Layout(
            f.part("add_another", legend_size="govuk-fieldset__legend--m", radios_inline=True)
        )

    def clean_add_another(self):
        value = self.cleaned_data["add_another"]
        if value == f.YES and self.count >= 6:
            raise ValidationError("You can add up to 6 parents or carers", code="too_many")
        return value


class RemoveCarerForm(f.RemoveChildForm):
    def word(self):
        super().word()
        self.fields["remove"].error_messages["required"] = (
            "Select yes if you want to remove this parent or carer"
        )


class CarerForm(f.QuestionForm):
    heading = "Parent or carer"
    name = f.text(
        "Full name", required="Enter the parent's or carer's full name", error_name="name"
    )
    relationship = f.text(
        "Relationship to the children",
        error_name="relationship",
        help_text="For example, mother, father, stepfather, grandmother, foster carer.",
    )
    phone = f.text("Phone number (optional)", 30, widget=f.TelInput, error_name="phone number")
    email = f.email_field("Email address (optional)")
    address = f.text("Address", f.TEXT_MAX, multiline=True, error_name="address")
    postcode = f.PostcodeField()
    language = f.text(
        "Main language (optional)",
        error_name="main language",
        help_text="The language they are most comfortable speaking.",
    )
    interpreter = f.radios(
        "Do they need an interpreter?", f.YES_NO, "Select yes if they need an interpreter"
    )

    def layout(self):
        return Layout(
            # Another person's details: the browser must not offer the professional's own.
            f.part(
                "name", css_class="govuk-!-width-two-thirds", autocomplete="off", spellcheck="false"
            ),
            f.part("relationship", css_class="govuk-!-width-two-thirds"),
            f.part("phone", css_class="govuk-input--width-20", autocomplete="off"),
            f.part(
                "email",
                css_class="govuk-!-width-two-thirds",
                autocomplete="off",
                spellcheck="false",
            ),
            f.part("address", rows=3, autocomplete="off"),
            f.part("postcode", css_class="govuk-input--width-10", autocomplete="off"),
            f.part("language", css_class="govuk-!-width-one-half"),
            f.part("interpreter", legend_size="govuk-fieldset__legend--s", radios_inline=True),
        )

    def clean_phone(self):
        return f.clean_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if not self.errors and not any(
            data.get(k) for k in ("phone", "email", "address", "postcode")
        ):
            self.add_error("phone", "Enter a phone number, email address or address")
        return data


# -- the criteria ----------------------------------------------------------------------------
class CriteriaForm(f.QuestionForm):
    criteria = f.checkboxes(
        "Which of these apply to the family?",
        WELLBEING_CRITERIA,
        "Select at least one thing that applies to the family",
        "Select all that apply. The family must meet at least one.",
        CRITERIA_HINTS,
    )


class SelfHelpForm(f.QuestionForm):
    criteria = forms.MultipleChoiceField(
        label="What would you like help with?",
        choices=SELF_CRITERIA,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply, or none. You can tell us more on the next page.",
        error_messages={"invalid_choice": "Select what you would like help with"},
    )
    criteria.hints = {}


class CriteriaDetailsForm(f.QuestionForm):
    """One box per criterion chosen on the page before."""

    heading = "Tell us more about each of these"

    def __init__(self, *args, codes: list[str] = (), **kwargs):
        self.codes = [code for code in codes if code in CRITERIA_LABELS]
        super().__init__(*args, **kwargs)

    def word(self):
        for code in self.codes:
            label = CRITERIA_LABELS[code]
            self.fields[code] = f.text(
                label,
                f.LONG_TEXT_MAX,
                multiline=True,
                required=f"Enter details about {label[0].lower() + label[1:]}",
                error_name=f"details about {label[0].lower() + label[1:]}",
                help_text="What is happening, since when, and how it affects the children.",
            )

    def layout(self):
        return Layout(*(f.long_text(code, f.LONG_TEXT_MAX) for code in self.codes))


class SupportTriedForm(f.LongAnswerForm):
    support_tried = f.text(
        "What support has been tried so far?",
        f.LONG_TEXT_MAX,
        multiline=True,
        required="Enter what support has been tried so far",
        error_name="what support has been tried",
        help_text="By you, your organisation or others, and how it went.",
    )


class OtherAgenciesForm(f.LongAnswerForm):
    other_agencies = f.text(
        "Which other agencies are involved with the family? (optional)",
        f.LONG_TEXT_MAX,
        multiline=True,
        error_name="other agencies",
        help_text="For example, a health visitor, CAMHS or a housing officer. Leave blank if none.",
    )


# -- self-referral ---------------------------------------------------------------------------
class SelfWhoForm(f.QuestionForm):
    who = f.radios(
        "Who are you?",
        [("parent_carer", "A parent or carer"), ("child", "A young person")],
        "Select if you are a parent or carer or a young person",
        {"child": "You are under 18 and you want help for yourself and your family."},
    )


class ContactMethodsForm(f.QuestionForm):
    methods = f.checkboxes(
        "How would you like us to contact you?",
        CONTACT_METHODS,
        "Select how you would like us to contact you",
        "Select all that are OK for you.",
        CONTACT_HINTS,
    )
    contact_notes = f.text(
        "When is it safe to contact you? (optional)",
        f.TEXT_MAX,
        multiline=True,
        error_name="when it is safe to contact you",
        help_text="For example, 'weekdays after 3pm' or 'do not leave a voicemail'.",
    )

    def layout(self):
        return Layout(
            f.question("methods", legend_tag="h1"),
            f.part("contact_notes", rows=3),
        )


class SelfDetailsForm(f.QuestionForm):
    heading = "Your details"
    name = f.text("Full name", required="Enter your full name", error_name="your name")
    phone = f.text("Phone number", 30, widget=f.TelInput, error_name="phone number")
    email = f.email_field("Email address")
    address = f.text("Address", f.TEXT_MAX, multiline=True, error_name="address")
    postcode = f.PostcodeField()
    updates_by = f.updates_by_field()

    def __init__(self, *args, methods: list[str] = (), **kwargs):
        self.methods = list(methods)
        super().__init__(*args, **kwargs)

    @property
    def asks_updates_by(self) -> bool:
        """Only someone who is happy to be emailed and phoned is asked which one we use."""
        return "phone" in self.methods and "email" in self.methods

    def word(self):
        for name, needed in (("phone", "phone"), ("email", "email"), ("address", "letter")):
            if needed not in self.methods:
                self.fields[name].label = f"{self.fields[name].label} (optional)"
        if not self.asks_updates_by:
            del self.fields["updates_by"]

    def layout(self):
        return Layout(
            f.part(
                "name",
                css_class="govuk-!-width-two-thirds",
                autocomplete="name",
                spellcheck="false",
            ),
            f.part("phone", css_class="govuk-input--width-20", autocomplete="tel"),
            f.part(
                "email",
                css_class="govuk-!-width-two-thirds",
                autocomplete="email",
                spellcheck="false",
            ),
            f.part("address", rows=3, autocomplete="street-address"),
            f.part("postcode", css_class="govuk-input--width-10", autocomplete="postal-code"),
            *(
                [f.part("updates_by", legend_size="govuk-fieldset__legend--s")]
                if self.asks_updates_by
                else []
            ),
        )

    def clean_phone(self):
        return f.clean_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if "phone" in self.methods and not data.get("phone") and not self.has_error("phone"):
            self.add_error("phone", "Enter your phone number, so we can call you")
        if "email" in self.methods and not data.get("email") and not self.has_error("email"):
            self.add_error("email", "Enter your email address, so we can email you")
        if (
            "letter" in self.methods
            and not self.has_error("address")
            and not (data.get("address") and data.get("postcode"))
        ):
            self.add_error("address", "Enter your address and postcode, so we can write to you")
        if self.asks_updates_by:
            f.check_updates_by(self, data)
        else:
            data["updates_by"] = ""
        return data


class SelfDescriptionForm(f.LongAnswerForm):
    description = f.text(
        "Tell us about your family and the help you would like",
        f.DESCRIPTION_MAX,
        multiline=True,
        required="Enter what help you would like",
        error_name="what help you would like",
        help_text="Write it in your own words: it does not have to be perfect.",
    )


# -- consultation ----------------------------------------------------------------------------
class ConsultationSummaryForm(f.LongAnswerForm):
    description = f.text(
        "What would you like to talk through?",
        f.DESCRIPTION_MAX,
        multiline=True,
        required="Enter what you would like to talk through",
        error_name="what you would like to talk through",
        help_text=(
            "Describe the family's situation and what worries you. You do not need to name "
            "the family or give their address."
        ),
    )


def time_label(value: dt.time) -> str:
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def callback_times(calendar: WorkingCalendar | None) -> tuple[list, list]:
    """The half hours a call back may start and end at: from the earliest opening to the
    latest closing in the borough's office hours (all of TIME_CHOICES without a calendar)."""
    if not calendar or not calendar.hours:
        return TIME_CHOICES[:-1], TIME_CHOICES[1:]
    opens = min(o for o, _ in calendar.hours.values())
    closes = max(c for _, c in calendar.hours.values())
    times, moment = [], dt.datetime.combine(dt.date.min, opens)
    if moment.minute % 30:
        moment += dt.timedelta(minutes=30 - moment.minute % 30)
    while moment.time() <= closes and moment.date() == dt.date.min:
        times.append((f"{moment:%H:%M}", f"{moment:%H:%M}"))
        moment += CALLBACK_MIN
    return times[:-1], times[1:]


class CallbackForm(f.QuestionForm):
    """When we may call back: a working day and a time range inside the office's hours."""

    heading = "When can we call you back?"
    date_fields = ("callback_date",)
    callback_date = f.GovDateField(label="Date", what="date")
    callback_start = forms.ChoiceField(
        label="From",
        choices=[("", "Choose a time"), *TIME_CHOICES],
        error_messages={"required": "Select the earliest time we can call"},
    )
    callback_end = forms.ChoiceField(
        label="Until",
        choices=[("", "Choose a time"), *TIME_CHOICES],
        error_messages={"required": "Select the latest time we can call"},
    )

    def __init__(self, *args, calendar: WorkingCalendar | None = None, **kwargs):
        self.calendar = calendar
        super().__init__(*args, **kwargs)
        # Only times the MASH can keep: within its office hours.
        starts, ends = callback_times(calendar)
        self.fields["callback_start"].choices = [("", "Choose a time"), *starts]
        self.fields["callback_end"].choices = [("", "Choose a time"), *ends]
        if self.hours_summary():
            outside = f"Choose times {self.hours_summary().replace(', Monday to Friday', '')}"
            for name in ("callback_start", "callback_end"):
                self.fields[name].error_messages["invalid_choice"] = outside
        soon = f.london_today() + dt.timedelta(days=1)
        self.fields["callback_date"].help_text = (
            f"A working day in the next {CALLBACK_WEEKS} weeks. For example, "
            f"{soon.day} {soon.month} {soon.year}"
        )
        self.fields["callback_date"].error_messages["required"] = "Enter the day we can call"
        hours = self.hours_summary()
        if hours:
            self.fields["callback_start"].help_text = f"We call back {hours}."
        self.fields["callback_end"].help_text = "At least 30 minutes after the first time."

    def hours_summary(self) -> str:
        if not self.calendar or not self.calendar.hours:
            return ""
        opens, closes = next(iter(self.calendar.hours.values()))
        return f"between {time_label(opens)} and {time_label(closes)}, Monday to Friday"

    def layout(self):
        return Layout(
            f.part("callback_date", legend_size="govuk-fieldset__legend--m"),
            f.part("callback_start"),
            f.part("callback_end"),
        )

    def clean_callback_date(self):
        value = self.cleaned_data["callback_date"]
        today = f.london_today()
        if not value:
            return value
        if value < today:
            raise ValidationError("The day must be today or in the future", code="past")
        if value > today + dt.timedelta(weeks=CALLBACK_WEEKS):
            raise ValidationError(
                f"The day must be within the next {CALLBACK_WEEKS} weeks", code="too_far"
            )
        if self.calendar and not self.calendar.is_working_day(value):
            raise ValidationError(
                "Choose a working day: Monday to Friday, not a bank holiday or closure day",
                code="not_working_day",
            )
        return value

    def clean(self):
        data = super().clean()
        day, start, end = (
            data.get("callback_date"),
            data.get("callback_start"),
            data.get("callback_end"),
        )
        if self.errors or not (day and start and end):
            return data
        start_t, end_t = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
        if end_t < (dt.datetime.combine(day, start_t) + CALLBACK_MIN).time() or end_t <= start_t:
            self.add_error(
                "callback_end", "The latest time must be at least 30 minutes after the earliest"
            )
            return data
        if self.calendar:
            period = self.calendar.period_on(day)
            if period and (start_t < period.start.time() or end_t > period.end.time()):
                self.add_error(
                    "callback_start",
                    f"Choose times {self.hours_summary().replace(', Monday to Friday', '')}",
                )
                return data
            latest = local_datetime(day, end_t)
            if latest - CALLBACK_MIN < timezone.now():
                self.add_error("callback_end", "Choose a time later today, or another day")
        return data
