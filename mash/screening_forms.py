"""Forms of the screening page's actions, rendered with crispy-forms-gds (GOV.UK markup).
They validate input and give GOV.UK messages; `mash.screening` re-checks everything."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from mash.models import Decision, Enquiry, NeedLevel, UrgencyRating
from mash.screening import REASON_MAX, TEXT_MAX
from reporting.census import STAFF_SEX_CHOICES, ethnicity_choices, source_choices

URGENCY_HINTS = {
    "red": "The child may be at risk of significant harm: act today.",
    "amber": "Needs attention soon, but no immediate risk is known.",
    "green": "No sign of risk of harm.",
}
LEVEL_HINTS = {
    1: "Needs met by universal services such as schools and health visitors.",
    2: "Additional needs: early help from one or more services.",
    3: "Complex needs: a coordinated, multi-agency response.",
    4: "Acute needs: statutory children's social care or child protection.",
}
OUTCOME_HINTS = {
    Decision.Outcome.ASSESSMENT: "A home visit within 10 days of the referral and the "
    "assessment within 40 working days are then shown on the referral.",
    Decision.Outcome.FAMILY_WELLBEING: "Keyworker support for up to six months.",
}


def _with_hints(choices, hints):
    return [Choice(value, label, hint=hints.get(value, "")) for value, label in choices]


class ScreeningForm(forms.Form):
    """A form with a GOV.UK helper; subclasses give `layout_fields`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*self.layout_fields())

    def layout_fields(self):  # pragma: no cover - overridden
        return []


def _reason_field(
    label: str, hint: str, *, required=True, max_length=REASON_MAX, missing: str = ""
):
    """A long answer; `missing` is its message when left empty (default: 'Enter the <label>')."""
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=max_length,
        widget=forms.Textarea,
        error_messages={
            "required": missing or f"Enter the {label.lower()}",
            "max_length": f"{label} must be {max_length} characters or less",
        },
    )


class UrgencyForm(ScreeningForm):
    rating = forms.ChoiceField(
        label="Urgency (screener's rating)",
        choices=_with_hints(UrgencyRating.Rating.choices, URGENCY_HINTS),
        widget=forms.RadioSelect,
        error_messages={"required": "Select red, amber or green"},
    )
    reason = _reason_field(
        "Reason",
        "Why this rating. A change keeps the earlier ratings.",
        missing="Enter why you gave this rating",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].help_text = "Your judgement of the risk to the child."

    def layout_fields(self):
        return [
            Field.radios("rating", legend_size=Size.MEDIUM),
            Field.textarea("reason", rows=4, label_size=Size.SMALL),
        ]


class NeedLevelForm(ScreeningForm):
    level = forms.TypedChoiceField(
        label="London Continuum of Need level",
        choices=_with_hints(NeedLevel.Level.choices, LEVEL_HINTS),
        coerce=int,
        widget=forms.RadioSelect,
        help_text="The level of the child's needs.",
        error_messages={"required": "Select a level"},
    )
    reason = _reason_field("Notes", "Optional: what the level rests on.", required=False)

    def layout_fields(self):
        return [
            Field.radios("level", legend_size=Size.MEDIUM),
            Field.textarea("reason", rows=3, label_size=Size.SMALL),
        ]


class RecordCheckForm(ScreeningForm):
    notes = _reason_field(
        "What the checks found",
        "Earlier referrals found here, and what other systems (for example the case record) show.",
        missing="Enter what the checks found",
        max_length=TEXT_MAX,
    )

    def layout_fields(self):
        return [Field.textarea("notes", rows=5, label_size=Size.MEDIUM)]


class EnquiryForm(ScreeningForm):
    agency = forms.ChoiceField(
        label="Which agency are you asking?",
        choices=Enquiry.Agency.choices,
        widget=forms.RadioSelect,
        help_text="A partner agency that may know the child or family.",
        error_messages={"required": "Select the agency"},
    )
    agency_detail = forms.CharField(
        label="Name of the agency",
        required=False,
        max_length=200,
        help_text="Only if you selected other.",
        error_messages={"max_length": "Name of the agency must be 200 characters or less"},
    )
    question = _reason_field(
        "What you asked",
        "The question as you put it to the agency.",
        max_length=TEXT_MAX,
        missing="Enter what you asked the agency",
    )

    def clean(self):
        data = super().clean()
        if data.get("agency") == Enquiry.Agency.OTHER and not data.get("agency_detail", "").strip():
            self.add_error("agency_detail", "Enter the name of the agency")
        return data

    def layout_fields(self):
        return [
            Field.radios("agency", legend_size=Size.MEDIUM),
            Field.text("agency_detail", field_width=20),
            Field.textarea("question", rows=4, label_size=Size.SMALL),
        ]


class AnswerForm(ScreeningForm):
    answer = _reason_field(
        "The agency's answer",
        "What they told you, and who told you.",
        max_length=TEXT_MAX,
        missing="Enter the agency's answer",
    )

    def layout_fields(self):
        return [Field.textarea("answer", rows=5, label_size=Size.MEDIUM)]


class DecisionForm(ScreeningForm):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=_with_hints(Decision.Outcome.choices, OUTCOME_HINTS),
        widget=forms.RadioSelect,
        help_text="What happens next for the child. This closes the screening.",
        error_messages={"required": "Select the outcome"},
    )
    rationale = _reason_field(
        "Rationale",
        "Why this outcome: the information and the checks it rests on.",
        max_length=TEXT_MAX,
    )

    def layout_fields(self):
        return [
            Field.radios("outcome", legend_size=Size.MEDIUM),
            Field.textarea("rationale", rows=6, label_size=Size.SMALL),
        ]


class ContactSourceForm(ScreeningForm):
    contact_source = forms.ChoiceField(
        label="Where did the contact come from?",
        choices=source_choices(blank="Choose a source"),
        help_text="As the children in need census codes it (used in Ofsted's Annex A).",
        error_messages={"required": "Select where the contact came from"},
    )

    def layout_fields(self):
        return [Field.select("contact_source", label_size=Size.MEDIUM)]


class ChildCensusForm(ScreeningForm):
    sex = forms.ChoiceField(
        label="Sex",
        choices=STAFF_SEX_CHOICES,
        widget=forms.RadioSelect,
        help_text="As recorded for the census.",
        error_messages={"required": "Select the child's sex"},
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity",
        choices=ethnicity_choices(blank="Choose an ethnicity"),
        help_text="The census categories.",
        error_messages={"required": "Select the child's ethnicity"},
    )

    def layout_fields(self):
        return [
            Field.radios("sex", legend_size=Size.SMALL),
            Field.select("ethnicity", label_size=Size.SMALL),
        ]
