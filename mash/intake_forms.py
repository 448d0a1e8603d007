"""Logging a referral received by phone, email or letter: the public concern journey's question
forms, laid out for staff on one page.

Every question is the public journey's own form class (`reporting.forms`), subclassed only to
change its layout (no page-heading labels) and its wording (about "the referrer", not "you"):
the fields, validators and `clean` methods are the public ones, so a phone number, a date of
birth or a postcode is checked exactly as it is online. Only what the online journey cannot
know is new here: how the referral came in (channel), when (received at) and for which of the
staff member's boroughs.

`LogReferralForm` bundles the parts. It validates the parts that apply given the answers
(a professional's details for a professional, the child's date of birth when that is what is
known, ...) and ignores the others, as the journey's path does.
"""

from __future__ import annotations

import datetime as dt
import re

from crispy_forms_gds.layout import Layout
from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils import timezone

from contacts.calendar import LONDON, to_london
from reporting import forms as f
from reporting.answers import (
    ChildAnswers,
    ConcernAnswers,
    ConcernDetails,
    ConcernProfessional,
    ReporterAnswers,
    yes_no,
)
from reporting.census import STAFF_SEX_CHOICES, source_choices
from reporting.models import Referral
from reporting.text import clean_text

MAX_CHILDREN = f.MAX_CHILDREN
CHANNEL_CHOICES = [
    (Referral.Channel.PHONE.value, "Phone call"),
    (Referral.Channel.EMAIL.value, "Email"),
    (Referral.Channel.LETTER.value, "Letter"),
]
_TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")
NARROW = {
    "postcode": "govuk-input--width-10",
    "phone": "govuk-input--width-20",
    "approximate_age": "govuk-input--width-3",
    "received_time": "govuk-input--width-5",
}
INLINE_LABEL_MAX = 16  # radios with short labels only sit side by side


# -- staff layout of a public question form ----------------------------------------------------
class StaffLayout:
    """Mixin for a public QuestionForm: every field as a part of a longer page (small legends,
    no h1), the page's own section headings saying what it is about."""

    def layout(self) -> Layout:
        parts = []
        for name, field in self.fields.items():
            context: dict = {"legend_size": "govuk-fieldset__legend--s"}
            widget = field.widget
            if isinstance(widget, forms.TextInput | forms.EmailInput | forms.Textarea):
                # Staff type other people's details: never offer their own (WCAG 1.3.5 is
                # about the user's own information).
                context["autocomplete"] = "off"
            if isinstance(widget, forms.Textarea):
                max_length = getattr(field, "max_length", None)
                if max_length and field.help_text:
                    parts.append(f.long_text(name, max_length))
                    continue
                context["rows"] = 3
            elif isinstance(widget, forms.RadioSelect) and len(field.choices) <= 3:
                context["radios_inline"] = not any(getattr(field, "hints", {}).values()) and all(
                    len(str(label)) <= INLINE_LABEL_MAX for _, label in field.choices
                )
            elif isinstance(widget, forms.TextInput | forms.EmailInput):
                context["css_class"] = NARROW.get(name, "govuk-!-width-two-thirds")
                if name in {"approximate_age", "received_time"}:
                    context["inputmode"] = "numeric"
                    context["spellcheck"] = "false"
                if name in {"email", "first_name", "last_name"}:
                    context["spellcheck"] = "false"
            parts.append(f.part(name, **context))
        return Layout(*parts)

    def skip(self) -> None:
        """Not asked, given the other answers: keep what was typed, show no errors."""
        self._errors = ErrorDict()
        self.cleaned_data = {}


class ChannelForm(StaffLayout, f.QuestionForm):
    """How and when the referral came in, and for which borough."""

    date_fields = ("received_date",)
    channel = f.radios("How did the referral come in?", CHANNEL_CHOICES, "Select how it came in")
    received_date = f.GovDateField(label="Date received", what="date received")
    received_time = forms.CharField(
        label="Time received",
        strip=True,
        help_text="Use the 24-hour clock, for example 14:30",
        error_messages={"required": "Enter the time received"},
    )
    borough = f.radios("Borough", [], "Select the borough the referral is for")

    def __init__(self, *args, boroughs, now: dt.datetime | None = None, **kwargs):
        self.boroughs = list(boroughs)
        self.now = to_london(now or timezone.now())
        super().__init__(*args, **kwargs)
        self.fields["received_date"].help_text = (
            "When the call came in or the email or letter arrived: the screening deadline "
            "is counted from then. For example, "
            f"{self.now.day} {self.now.month} {self.now.year}"
        )
        self.fields["borough"].choices = [(b.slug, b.name) for b in self.boroughs]
        if not self.is_bound:
            self.initial.setdefault("received_date", self.now.date())
            self.initial.setdefault("received_time", self.now.strftime("%H:%M"))
            if len(self.boroughs) == 1:
                self.initial.setdefault("borough", self.boroughs[0].slug)

    def clean_received_time(self):
        value = clean_text(self.cleaned_data["received_time"], multiline=False)
        match = _TIME.match(value.replace(" ", ""))
        if not match:
            raise ValidationError(
                "Enter the time received in 24-hour format, like 14:30", code="invalid"
            )
        return dt.time(int(match.group(1)), int(match.group(2)))

    def clean(self):
        data = super().clean()
        day, time = data.get("received_date"), data.get("received_time")
        if day and time:
            received_at = dt.datetime.combine(day, time, tzinfo=LONDON)
            if received_at > self.now + dt.timedelta(minutes=1):
                field = "received_date" if day > self.now.date() else "received_time"
                self.add_error(field, "The time received must be now or in the past")
            else:
                data["received_at"] = received_at
        return data

    @property
    def borough_obj(self):
        slug = self.cleaned_data.get("borough")
        return next((b for b in self.boroughs if b.slug == slug), None)


class WhoForm(StaffLayout, f.WhoForm):
    def word(self):
        field = self.fields["who"]
        field.label = "Who is making the referral?"
        field.error_messages["required"] = field.error_messages["invalid_choice"] = (
            "Select who is making the referral"
        )
        field.choices = [(value, label) for value, label in Referral.ReferrerType.choices]
        field.hints = {"professional": f.WHO_HINTS["professional"]}


class ProfessionalForm(StaffLayout, f.ProfessionalDetailsForm):
    def word(self):
        self.fields["name"].label = "Professional's full name"
        self.fields["name"].error_messages["required"] = "Enter the professional's full name"
        self.fields["organisation"].error_messages["required"] = "Enter their organisation"
        self.fields["role"].label = "Role"
        self.fields["role"].error_messages["required"] = "Enter their role"
        self.fields["email"].help_text = "A work email address, a phone number, or both."


class FamilyAwareForm(StaffLayout, f.FamilyAwareForm):
    def word(self):
        field = self.fields["family_aware"]
        field.label = "Does the family know about this referral?"
        field.error_messages["required"] = field.error_messages["invalid_choice"] = (
            "Select yes if the family knows about this referral"
        )


class FamilyAgreesForm(StaffLayout, f.FamilyAgreesForm):
    def word(self):
        self.fields["family_agrees"].help_text = "Only if the family knows."


class ConsentReasonForm(StaffLayout, f.ConsentReasonForm):
    def word(self):
        field = self.fields["no_consent_reason"]
        field.label = "Why does the family not know, or not agree?"
        field.error_messages["required"] = "Enter why the family does not know or does not agree"


class AnonymousForm(StaffLayout, f.AboutYouForm):
    def word(self):
        field = self.fields["anonymous"]
        field.label = "Did the referrer give their name?"
        field.help_text = "Professionals are always named."
        field.choices = [(f.NO, "Yes, they gave their name"), (f.YES, "No, they are anonymous")]
        field.error_messages["required"] = field.error_messages["invalid_choice"] = (
            "Select if the referrer gave their name"
        )


class ReferrerDetailsForm(StaffLayout, f.YourDetailsForm):
    def word(self):
        self.fields["name"].label = "Referrer's full name"
        self.fields["name"].error_messages["required"] = "Enter the referrer's full name"
        self.fields["email"].help_text = "They will be sent a confirmation with the reference."
        self.fields["relationship"].label = "How do they know the child?"
        updates = self.fields["updates_by"]
        updates.label = (
            "If they gave an email address and a mobile number, how should we send them updates?"
        )
        updates.help_text = "Ask them: we send the reference now, and what we decide later."
        updates.error_messages["required"] = updates.error_messages["invalid_choice"] = (
            "Select how we should send them updates: by email or by text message"
        )


class ContactSafeForm(StaffLayout, f.ContactSafeForm):
    def word(self):
        field = self.fields["safe_to_contact"]
        field.label = "Is it safe to contact the referrer?"
        field.error_messages["required"] = field.error_messages["invalid_choice"] = (
            "Select yes if it is safe to contact the referrer"
        )
        self.fields["contact_notes"].label = "When and how is it safe to contact them? (optional)"


class ChildNameForm(StaffLayout, f.ChildNameForm):
    def word(self):
        super().word()
        self.fields["name_unknown"].label = "Name not known"


class ChildAgeKnownForm(StaffLayout, f.ChildAgeKnownForm):
    def word(self):
        super().word()
        field = self.fields["age_known"]
        field.label = "Age"
        field.choices = [
            ("dob", "Date of birth known"),
            ("age", "Approximate age known"),
            ("unborn", "Not born yet"),
        ]
        field.error_messages["required"] = field.error_messages["invalid_choice"] = (
            "Select what is known about the child's age"
        )


class ChildDobForm(StaffLayout, f.ChildDobForm):
    def clean_date_of_birth(self):
        value = super().clean_date_of_birth()
        if value and f.is_adult({"date_of_birth": value.isoformat()}, f.london_today()):
            raise ValidationError("The child must be under 18", code="adult")
        return value


class ChildAgeForm(StaffLayout, f.ChildAgeForm):
    def word(self):
        super().word()
        self.fields["approximate_age"].label = "Approximate age, in years"

    def clean_approximate_age(self):
        value = super().clean_approximate_age()
        if f.is_adult({"approximate_age": value}, f.london_today()):
            raise ValidationError("The child must be under 18", code="adult")
        return value


class ChildDueForm(StaffLayout, f.ChildDueForm):
    pass


class ChildWhereForm(StaffLayout, f.ChildWhereForm):
    pass


class ChildSexForm(StaffLayout, f.ChildSexForm):
    def word(self):
        super().word()
        field = self.fields["sex"]
        field.label = "Sex (optional)"
        field.choices = STAFF_SEX_CHOICES
        field.help_text = ""


class ChildEthnicityForm(StaffLayout, f.ChildEthnicityForm):
    def word(self):
        super().word()
        self.fields["ethnicity"].label = "Ethnicity (optional)"
        self.fields["ethnicity"].help_text = ""


class ContactSourceForm(StaffLayout, f.QuestionForm):
    """The census source, when staff know it; left blank, it is worked out from the answers
    (`reporting.sources`), and the screener can always correct it."""

    contact_source = forms.ChoiceField(
        label="Contact source (optional)",
        choices=source_choices(blank="Work it out from the answers"),
        required=False,
        help_text="As the children in need census codes it. Left blank, it is worked out from "
        "who made the referral.",
        error_messages={"invalid_choice": "Select a contact source from the list"},
    )


class OtherChildrenForm(StaffLayout, f.OtherChildrenForm):
    pass


class OtherChildrenDetailsForm(StaffLayout, f.OtherChildrenDetailsForm):
    pass


class CategoriesForm(StaffLayout, f.ConcernCategoriesForm):
    def word(self):
        field = self.fields["categories"]
        field.label = "What is the concern about?"
        field.error_messages["required"] = field.error_messages["invalid_choice"] = (
            "Select what the concern is about"
        )


class DescriptionForm(StaffLayout, f.ConcernDescriptionForm):
    def word(self):
        field = self.fields["description"]
        field.label = "What is the concern?"
        field.help_text = (
            "What happened, who was involved and anything the child said, as the referrer told it."
        )
        field.error_messages["required"] = "Enter what the concern is"


class WhenForm(StaffLayout, f.ConcernWhenForm):
    pass


class StillHappeningForm(StaffLayout, f.StillHappeningForm):
    pass


class HowKnownForm(StaffLayout, f.HowKnownForm):
    def word(self):
        field = self.fields["how_known"]
        field.label = "How does the referrer know about it?"
        field.choices = list(Referral.HowKnown.choices)
        field.error_messages["required"] = field.error_messages["invalid_choice"] = (
            "Select how the referrer knows about it"
        )


# -- one child ---------------------------------------------------------------------------------
class ChildBlock:
    """The questions about one child, under the prefix `child<index>`."""

    def __init__(self, data, index: int):
        self.index = index
        self.prefix = f"child{index}"
        kwargs = {"prefix": self.prefix}
        self.name = ChildNameForm(data, **kwargs)
        self.age_known = ChildAgeKnownForm(data, **kwargs)
        self.dob = ChildDobForm(data, **kwargs)
        self.age = ChildAgeForm(data, **kwargs)
        self.due = ChildDueForm(data, **kwargs)
        self.where = ChildWhereForm(data, **kwargs)
        self.sex = ChildSexForm(data, **kwargs)
        self.ethnicity = ChildEthnicityForm(data, **kwargs)

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def forms(self) -> list:
        return [
            self.name,
            self.age_known,
            self.dob,
            self.age,
            self.due,
            self.where,
            self.sex,
            self.ethnicity,
        ]

    @property
    def age_forms(self) -> dict:
        return {"dob": self.dob, "age": self.age, "unborn": self.due}

    def validate(self) -> bool:
        ok = all(
            [
                self.name.is_valid(),
                self.age_known.is_valid(),
                self.where.is_valid(),
                self.sex.is_valid(),
                self.ethnicity.is_valid(),
            ]
        )
        known = self.age_known.cleaned_data.get("age_known") if self.age_known.is_valid() else ""
        for key, form in self.age_forms.items():
            if key == known:
                ok = form.is_valid() and ok
            else:
                form.skip()
        return ok and bool(known)

    def answers(self) -> ChildAnswers:
        name, known = self.name.cleaned_data, self.age_known.cleaned_data["age_known"]
        where = self.where.cleaned_data
        return ChildAnswers(
            first_name=name.get("first_name", ""),
            last_name=name.get("last_name", ""),
            name_unknown=bool(name.get("name_unknown")),
            date_of_birth=self.dob.cleaned_data.get("date_of_birth") if known == "dob" else None,
            approximate_age=self.age.cleaned_data.get("approximate_age")
            if known == "age"
            else None,
            unborn=known == "unborn",
            due_date=self.due.cleaned_data.get("due_date") if known == "unborn" else None,
            address=where.get("address", ""),
            postcode=where.get("postcode", ""),
            school=where.get("school", ""),
            sex=self.sex.cleaned_data.get("sex", ""),
            ethnicity=self.ethnicity.cleaned_data.get("ethnicity", ""),
        )


_CHILD_KEY = re.compile(r"^child(\d+)-(.+)$")


def children_count(data) -> int:
    """How many child blocks the posted page had (at least 1, at most MAX_CHILDREN)."""
    try:
        count = int((data or {}).get("children_count", 1))
    except (TypeError, ValueError):
        count = 1
    return max(1, min(count, MAX_CHILDREN))


def without_child(data, index: int):
    """The posted data with child `index` removed and the later children moved up one."""
    result = data.copy()
    for key in list(result.keys()):
        if _CHILD_KEY.match(key):
            del result[key]
    for key in data:
        match = _CHILD_KEY.match(key)
        if not match:
            continue
        number, rest = int(match.group(1)), match.group(2)
        if number == index:
            continue
        new = number - 1 if number > index else number
        result.setlist(f"child{new}-{rest}", data.getlist(key))
    result["children_count"] = str(max(1, children_count(data) - 1))
    return result


# -- the whole page ----------------------------------------------------------------------------
class LogReferralForm:
    """All the questions of a logged concern, each part a public form (see module docstring)."""

    def __init__(self, data=None, *, boroughs, now=None, children: int | None = None):
        self.data = data
        self.is_bound = data is not None
        count = children if children is not None else children_count(data)
        self.channel = ChannelForm(data, prefix="intake", boroughs=boroughs, now=now)
        self.source = ContactSourceForm(data, prefix="intake")
        self.who = WhoForm(data, prefix="who")
        self.professional = ProfessionalForm(data, prefix="pro")
        self.family_aware = FamilyAwareForm(data, prefix="pro")
        self.family_agrees = FamilyAgreesForm(data, prefix="pro")
        self.consent_reason = ConsentReasonForm(data, prefix="pro")
        self.anonymous = AnonymousForm(data, prefix="referrer")
        self.referrer = ReferrerDetailsForm(data, prefix="referrer")
        self.contact_safe = ContactSafeForm(data, prefix="referrer")
        self.children = [ChildBlock(data, index) for index in range(count)]
        self.other_children = OtherChildrenForm(data, prefix="home")
        self.other_children_details = OtherChildrenDetailsForm(data, prefix="home")
        self.categories = CategoriesForm(data, prefix="concern")
        self.description = DescriptionForm(data, prefix="concern")
        self.when = WhenForm(data, prefix="concern")
        self.still_happening = StillHappeningForm(data, prefix="concern")
        self.how_known = HowKnownForm(data, prefix="concern")
        self._valid: bool | None = None
        self.extra_errors: list[tuple[str, str]] = []

    @property
    def can_add_child(self) -> bool:
        return len(self.children) < MAX_CHILDREN

    def forms_in_order(self) -> list:
        return [
            self.channel,
            self.who,
            self.source,
            self.professional,
            self.family_aware,
            self.family_agrees,
            self.consent_reason,
            self.anonymous,
            self.referrer,
            self.contact_safe,
            *(form for child in self.children for form in child.forms),
            self.other_children,
            self.other_children_details,
            self.categories,
            self.description,
            self.when,
            self.still_happening,
            self.how_known,
        ]

    # -- validation ---------------------------------------------------------------------------
    def _value(self, form, field):
        return form.cleaned_data.get(field) if form.is_valid() else None

    def _only_if(self, form, condition: bool) -> bool:
        if condition:
            return form.is_valid()
        form.skip()
        return True

    def is_valid(self) -> bool:
        if not self.is_bound:
            return False
        if self._valid is not None:
            return self._valid
        ok = self.channel.is_valid()
        ok = self.who.is_valid() and ok
        ok = self.source.is_valid() and ok
        who = self._value(self.who, "who")
        professional = who == Referral.ReferrerType.PROFESSIONAL
        ok = self._only_if(self.professional, professional) and ok
        ok = self._only_if(self.family_aware, professional) and ok
        aware = self._value(self.family_aware, "family_aware") if professional else None
        ok = self._only_if(self.family_agrees, aware == f.YES) and ok
        agrees = self._value(self.family_agrees, "family_agrees") if aware == f.YES else None
        ok = self._only_if(self.consent_reason, aware == f.NO or agrees == f.NO) and ok
        public = bool(who) and not professional
        ok = self._only_if(self.anonymous, public) and ok
        named = public and self._value(self.anonymous, "anonymous") == f.NO
        ok = self._only_if(self.referrer, named) and ok
        ok = self._only_if(self.contact_safe, named) and ok
        for child in self.children:
            ok = child.validate() and ok
        ok = self.other_children.is_valid() and ok
        others = self._value(self.other_children, "other_children_in_home")
        ok = self._only_if(self.other_children_details, others == f.YES) and ok
        for form in (
            self.categories,
            self.description,
            self.when,
            self.still_happening,
            self.how_known,
        ):
            ok = form.is_valid() and ok
        self._valid = bool(ok and who)
        return self._valid

    def unchecked(self) -> LogReferralForm:
        """Shown again as typed, with no errors (a child was added or removed)."""
        for form in self.forms_in_order():
            form.skip()
        self._valid = False
        return self

    @property
    def has_errors(self) -> bool:
        return self.is_bound and (
            bool(self.extra_errors) or any(form.errors for form in self.forms_in_order())
        )

    def error_links(self) -> list[tuple[str, str]]:
        links = list(self.extra_errors)
        for form in self.forms_in_order():
            if form.errors:
                links.extend(form.error_links())
        return links

    def add_error(self, message: str, href: str = "#id_intake-channel_1") -> None:
        self.extra_errors.append((href, message))
        self._valid = False

    # -- results ------------------------------------------------------------------------------
    @property
    def borough(self):
        return self.channel.borough_obj

    @property
    def channel_value(self) -> str:
        return self.channel.cleaned_data["channel"]

    @property
    def contact_source(self) -> str:
        return self.source.cleaned_data.get("contact_source", "")

    @property
    def received_at(self) -> dt.datetime:
        return self.channel.cleaned_data["received_at"]

    def answers(self) -> ConcernAnswers:
        """The concern's answers, as the online journey builds them (`submit_concern`)."""
        assert self.is_valid()
        who = self.who.cleaned_data["who"]
        concern = ConcernDetails(
            categories=list(self.categories.cleaned_data.get("categories") or []),
            description=self.description.cleaned_data.get("description", ""),
            when_happened=self.when.cleaned_data.get("when_happened", ""),
            still_happening=self.still_happening.cleaned_data.get("still_happening", ""),
            how_known=self.how_known.cleaned_data.get("how_known", ""),
        )
        answers = ConcernAnswers(
            who=who,
            children=[child.answers() for child in self.children],
            concern=concern,
            other_children_in_home=self.other_children.cleaned_data["other_children_in_home"],
            other_children_details=self.other_children_details.cleaned_data.get(
                "other_children_details", ""
            ),
        )
        if who == Referral.ReferrerType.PROFESSIONAL:
            pro = self.professional.cleaned_data
            keys = ("name", "organisation", "role", "email", "phone")
            answers.professional = ConcernProfessional(
                **{key: pro.get(key, "") for key in keys},
                family_aware=self.family_aware.cleaned_data.get("family_aware", ""),
                family_agrees=self.family_agrees.cleaned_data.get("family_agrees", ""),
                no_consent_reason=self.consent_reason.cleaned_data.get("no_consent_reason", ""),
            )
        elif self.anonymous.cleaned_data.get("anonymous") == f.YES:
            answers.reporter = ReporterAnswers(anonymous=True)
        else:
            details, safe = self.referrer.cleaned_data, self.contact_safe.cleaned_data
            answers.reporter = ReporterAnswers(
                name=details.get("name", ""),
                phone=details.get("phone", ""),
                email=details.get("email", ""),
                relationship=details.get("relationship", ""),
                safe_to_contact=yes_no(safe.get("safe_to_contact")),
                contact_notes=safe.get("contact_notes", ""),
                updates_by=details.get("updates_by", ""),
            )
        return answers
