"""The census contact source, derived from each journey's answers at submit (reporting.sources),
saved with the referral in its transaction; blank when the answers do not say."""

import datetime as dt
from dataclasses import replace

import pytest
import time_machine
from django.db import transaction

from contacts.calendar import LONDON
from reporting.answers import (
    ConcernProfessional,
    ConsultationAnswers,
    ProfessionalAnswers,
    ReporterAnswers,
    SelfReferralAnswers,
    SelfReporter,
)
from reporting.family_services import submit_consultation, submit_self_referral
from reporting.models import ABOUT_THEMSELF, ContactSource, Referral
from reporting.services import build_concern, record_submission, submit_concern
from reporting.sources import derive_source, individual_source, professional_source
from tests.reporting.factories import PROFESSIONAL, child, concern_answers, eager_celery  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
S = ContactSource


@pytest.mark.parametrize(
    ("role", "organisation", "code"),
    [
        ("Class teacher", "Hillside Primary", S.SCHOOLS),
        ("Designated safeguarding lead", "Hillside Primary School", S.SCHOOLS),
        ("Head of year 9", "Ravens Wood", S.SCHOOLS),
        ("School nurse", "Hillside Primary School", S.SCHOOL_NURSE),
        ("Health visitor", "Bromley Healthcare", S.HEALTH_VISITOR),
        ("GP", "Station Road Surgery", S.GP),
        ("Partner", "Station Road medical practice", S.GP),
        ("Registrar", "A&E, Princess Royal University Hospital", S.A_AND_E),
        ("Nurse", "Emergency department", S.A_AND_E),
        ("PC", "Metropolitan Police", S.POLICE),
        ("Detective constable", "Met", S.POLICE),
        ("Case manager", "Youth Offending Service", S.OTHER_LEGAL),
        ("Officer", "Probation Service", S.OTHER_LEGAL),
        ("Family court adviser", "Cafcass", S.OTHER_LEGAL),
        ("Housing officer", "Clarion", S.HOUSING),
        ("Keyworker", "Bromley Family Wellbeing", S.LA_EARLY_HELP),
        ("Social worker", "Children's services", S.LA_SOCIAL_CARE),
        ("Nursery manager", "Little Acorns", S.EDUCATION_SERVICES),
        ("Education welfare officer", "Bexley Council", S.EDUCATION_SERVICES),
        ("Community midwife", "King's", S.OTHER_PRIMARY_HEALTH),
        ("Pharmacist", "Boots", S.OTHER_PRIMARY_HEALTH),
        ("Clinician", "CAMHS", S.OTHER_HEALTH),
        ("Consultant paediatrician", "Queen Mary's Hospital", S.OTHER_HEALTH),
        ("Manager", "Acme Ltd", ""),
        ("", "", ""),
    ],
)
def test_a_professional_by_role_and_organisation(role, organisation, code):
    assert professional_source(role, organisation) == code


@pytest.mark.parametrize(
    ("relationship", "code"),
    [
        ("Neighbour", S.ACQUAINTANCE),
        ("my friend", S.ACQUAINTANCE),
        ("Family friend", S.ACQUAINTANCE),
        ("Their childminder", S.ACQUAINTANCE),
        ("Grandmother", S.FAMILY_MEMBER),
        ("my sister", S.FAMILY_MEMBER),
        ("Aunt", S.FAMILY_MEMBER),
        ("Stepdad", S.FAMILY_MEMBER),
        ("I walk past the house", S.INDIVIDUAL),
        ("", S.INDIVIDUAL),
    ],
)
def test_a_named_individual_by_relationship(relationship, code):
    assert individual_source(relationship) == code


def _concern(**changes) -> Referral:
    """A concern submitted through the service with the named public answers changed."""
    answers = concern_answers()
    reporter = changes.pop("reporter", None)
    if reporter is not None:
        answers.reporter = reporter
    return submit_concern(borough=changes.pop("borough"), answers=replace(answers, **changes))


def _saved_source(referral: Referral) -> str:
    return Referral.objects.values_list("contact_source", flat=True).get(pk=referral.pk)


def named(relationship: str) -> ReporterAnswers:
    return ReporterAnswers(name="Sam", phone="07911 123456", relationship=relationship)


def anon(relationship: str) -> ReporterAnswers:
    return ReporterAnswers(anonymous=True, relationship=relationship)


@pytest.mark.parametrize(
    ("who", "reporter", "code"),
    [
        ("public", anon("Neighbour"), S.ANONYMOUS),
        ("relative", anon("Aunt"), S.ANONYMOUS),
        ("public", named("Neighbour"), S.ACQUAINTANCE),
        ("public", named("Nan"), S.FAMILY_MEMBER),
        ("public", named("A passer-by"), S.INDIVIDUAL),
        ("relative", named("Uncle"), S.FAMILY_MEMBER),
        ("parent_carer", named("Mother"), S.FAMILY_MEMBER),
        ("child", anon(ABOUT_THEMSELF), S.SELF),
        ("child", named(ABOUT_THEMSELF), S.SELF),
        ("child", named("my friend"), S.ACQUAINTANCE),
        ("child", anon("my friend"), S.ANONYMOUS),
    ],
)
def test_each_concern_answer_gives_its_source(bromley, who, reporter, code):
    referral = _concern(borough=bromley, who=who, reporter=reporter)
    assert _saved_source(referral) == code


@pytest.mark.parametrize(
    ("role", "organisation", "code"),
    [
        ("GP", "Station Road Surgery", S.GP),
        ("Designated safeguarding lead", "Hillside Primary School", S.SCHOOLS),
        ("PC", "Metropolitan Police", S.POLICE),
        ("Health visitor", "Bromley Healthcare", S.HEALTH_VISITOR),
        ("Volunteer", "Scouts", ""),
    ],
)
def test_a_professionals_concern(bromley, role, organisation, code):
    answers = concern_answers("professional")
    answers.professional = replace(answers.professional, role=role, organisation=organisation)
    assert isinstance(answers.professional, ConcernProfessional)
    referral = submit_concern(borough=bromley, answers=answers)
    assert _saved_source(referral) == code


def test_a_source_already_set_by_staff_is_kept(bromley):
    """Staff logging a call may know better than the answers: their choice is not replaced."""
    referral = Referral(contact_source=S.HOUSING)
    assert derive_source(referral) == ""  # nothing in the answers, and yet:
    built, children = build_concern(
        borough=bromley, answers=concern_answers(), channel="phone", received_at=None
    )
    built.contact_source = S.HOUSING
    with transaction.atomic():
        record_submission(built, children, acknowledge=False)
    assert _saved_source(built) == S.HOUSING


def test_the_family_wellbeing_referral_is_the_professionals():
    # Submitted through the service: tests/reporting/test_family_services.py (a school's DSL).
    referral = Referral(
        kind=Referral.Kind.FAMILY_WELLBEING,
        referrer_type=Referral.ReferrerType.PROFESSIONAL,
        role=PROFESSIONAL["role"],
        organisation=PROFESSIONAL["organisation"],
    )
    assert derive_source(referral) == S.SCHOOLS


@pytest.mark.parametrize("who", ["child", "parent_carer"])
def test_a_self_referral_is_self(bromley, who):
    referral = submit_self_referral(
        borough=bromley,
        answers=SelfReferralAnswers(
            who=who,
            children=[child()],
            criteria=["mental_health"],
            description="We need some help.",
            methods=["phone"],
            reporter=SelfReporter(name="Zoe", phone="07911 123456"),
        ),
    )
    assert _saved_source(referral) == S.SELF


def test_a_consultation_is_the_professionals(bromley):
    with time_machine.travel(dt.datetime(2026, 11, 23, 12, tzinfo=LONDON), tick=False):
        referral = submit_consultation(
            borough=bromley,
            answers=ConsultationAnswers(
                professional=ProfessionalAnswers(**{**PROFESSIONAL, "role": "Health visitor"}),
                description="Advice please.",
                callback_date=dt.date(2026, 11, 24),
                callback_start=dt.time(10),
                callback_end=dt.time(11),
            ),
        )
    assert _saved_source(referral) == S.HEALTH_VISITOR
