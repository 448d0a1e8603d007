"""What each kind of submission says, typed: one dataclass per submission, built by one
function per journey (`concern_journey.build_answers`, `family_journeys.*_answers`) and by the
staff "log a referral" form (`mash.intake_forms.LogReferralForm.answers`), and taken by the
services (`reporting.services.submit_concern`, `reporting.family_services.submit_*`), which
only clean the text and check the model's rules.

Dates are `datetime.date`, times `datetime.time`: the journeys keep ISO strings in the session,
and `iso_date` / `iso_time` turn them back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reporting.journey import NO, YES


def iso_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def iso_time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def yes_no(value: str | None) -> bool | None:
    """A yes/no answer as a bool (None when not answered)."""
    return {YES: True, NO: False}.get(value or "")


@dataclass
class ChildAnswers:
    first_name: str = ""
    last_name: str = ""
    name_unknown: bool = False
    date_of_birth: dt.date | None = None
    approximate_age: int | None = None
    unborn: bool = False
    due_date: dt.date | None = None
    address: str = ""
    postcode: str = ""
    school: str = ""
    sex: str = ""  # reporting.models.Sex, optional
    ethnicity: str = ""  # reporting.models.Ethnicity, optional

    @property
    def name(self) -> str:
        """As the check page shows it: 'Not known' when the name is not known."""
        if self.name_unknown:
            return "Not known"
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass
class ProfessionalAnswers:
    name: str = ""
    organisation: str = ""
    role: str = ""
    email: str = ""
    phone: str = ""


# -- a concern about a child ---------------------------------------------------------------------
@dataclass
class ConcernProfessional(ProfessionalAnswers):
    """A professional's concern: always named; whether the family knows and agrees."""

    family_aware: str = ""
    family_agrees: str = ""
    no_consent_reason: str = ""


@dataclass
class ReporterAnswers:
    """A member of the public, a relative, a parent or the child: named or anonymous."""

    anonymous: bool = False
    name: str = ""
    phone: str = ""
    email: str = ""
    relationship: str = ""
    safe_to_contact: bool | None = None
    contact_notes: str = ""
    updates_by: str = ""  # "email" or "sms", asked when both an email and a mobile are given


@dataclass
class ConcernDetails:
    categories: list[str] = field(default_factory=list)
    description: str = ""
    when_happened: str = ""
    still_happening: str = ""
    how_known: str = ""


@dataclass
class ConcernAnswers:
    who: str
    children: list[ChildAnswers]
    concern: ConcernDetails
    reporter: ReporterAnswers = field(default_factory=ReporterAnswers)  # not for professionals
    professional: ConcernProfessional | None = None  # only for professionals
    other_children_in_home: str = ""
    other_children_details: str = ""


# -- Family Wellbeing referral -------------------------------------------------------------------
@dataclass
class ConsentAnswers:
    given: bool = False
    consented_by: str = ""
    consent_date: dt.date | None = None
    file: dict | None = None  # the stored upload (reporting.uploads.store_consent_file)


@dataclass
class CarerAnswers:
    name: str = ""
    relationship: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""
    language: str = ""
    interpreter_needed: bool = False


@dataclass
class Criterion:
    code: str
    details: str = ""


@dataclass
class FamilyWellbeingAnswers:
    professional: ProfessionalAnswers
    consent: ConsentAnswers
    children: list[ChildAnswers]
    carers: list[CarerAnswers]
    criteria: list[Criterion]
    support_tried: str = ""
    other_agencies: str = ""


# -- self-referral -------------------------------------------------------------------------------
@dataclass
class SelfReporter:
    name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""
    updates_by: str = ""  # "email" or "sms", asked when both may be used and both are given


@dataclass
class SelfReferralAnswers:
    who: str
    children: list[ChildAnswers]
    reporter: SelfReporter
    methods: list[str] = field(default_factory=list)  # how they want to be contacted
    contact_notes: str = ""
    criteria: list[str] = field(default_factory=list)  # what they would like help with
    description: str = ""


# -- consultation --------------------------------------------------------------------------------
@dataclass
class ConsultationAnswers:
    professional: ProfessionalAnswers
    description: str = ""
    callback_date: dt.date | None = None
    callback_start: dt.time | None = None
    callback_end: dt.time | None = None
