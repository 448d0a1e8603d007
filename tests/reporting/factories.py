"""Factories for reporting's models, and realistic concern answers as the journey collects
them (the `ConcernAnswers` `submit_concern` takes)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import factory
import pytest
from django.utils import timezone

from contacts.models import Borough
from reporting.answers import (
    ChildAnswers,
    ConcernAnswers,
    ConcernDetails,
    ConcernProfessional,
    ReporterAnswers,
)
from reporting.models import Child, Referral
from reporting.references import new_reference


def _bromley() -> Borough:
    return Borough.objects.get(slug="bromley")


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    borough = factory.LazyFunction(_bromley)
    reference = factory.LazyAttribute(lambda o: new_reference(o.borough))
    kind = Referral.Kind.CONCERN
    channel = Referral.Channel.ONLINE
    received_at = factory.LazyFunction(timezone.now)
    referrer_type = Referral.ReferrerType.PUBLIC
    anonymous = False
    referrer_name = factory.Faker("name", locale="en_GB")
    referrer_email = factory.Faker("email")
    referrer_phone = "+447911123456"
    safe_to_contact = True
    concern_categories = factory.LazyFunction(lambda: ["neglect"])
    description = factory.Faker("paragraph", nb_sentences=5)
    still_happening = "yes"
    how_known = "saw"

    class Params:
        anonymous_referrer = factory.Trait(
            anonymous=True,
            referrer_name="",
            referrer_email="",
            referrer_phone="",
            safe_to_contact=None,
        )


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    referral = factory.SubFactory(ReferralFactory)
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    approximate_age = 7
    address = factory.Faker("street_address", locale="en_GB")
    postcode = "BR1 3UH"
    order = factory.Sequence(lambda n: n)


CHILD = {
    "first_name": "Amira",
    "last_name": "Hughes",
    "name_unknown": False,
    "date_of_birth": dt.date(2017, 3, 14),
    "approximate_age": None,
    "unborn": False,
    "due_date": None,
    "address": "12 Station Road\nBromley",
    "postcode": "br1 3uh",
    "school": "Hillside Primary School",
}

# A professional's details on the Family Wellbeing and consultation pages.
PROFESSIONAL = {
    "name": "Jo Baker",
    "organisation": "Hillside Primary School",
    "role": "Designated safeguarding lead",
    "email": "jo.baker@hillside.example",
    "phone": "020 8461 7000",
}


def child(**changes) -> ChildAnswers:
    return ChildAnswers(**{**CHILD, **changes})


def named_public() -> ConcernAnswers:
    return ConcernAnswers(
        who="public",
        children=[child()],
        other_children_in_home="yes",
        other_children_details="A baby, I think about one year old.",
        concern=ConcernDetails(
            categories=["neglect", "emotional"],
            description=(
                "The girl next door is often outside late at night without a coat and says there "
                "is no food at home. I hear shouting most evenings."
            ),
            when_happened="Most evenings for the last month",
            still_happening="yes",
            how_known="saw",
        ),
        reporter=ReporterAnswers(
            name="Sam Taylor",
            phone="07911 123456",
            email="sam.taylor@example.com",
            relationship="Neighbour",
            safe_to_contact=True,
            contact_notes="After 6pm on weekdays",
        ),
    )


def concern_answers(variant: str = "named", **overrides) -> ConcernAnswers:
    """Answers for one concern. Variants: named, anonymous, no_email, unsafe, professional,
    two_children, unborn."""
    answers = named_public()
    if variant == "anonymous":
        answers.reporter = ReporterAnswers(anonymous=True, relationship="Neighbour")
    elif variant == "no_email":
        answers.reporter.email = ""
    elif variant == "unsafe":
        answers.reporter.safe_to_contact = False
        answers.reporter.contact_notes = "Do not call: my partner checks my phone"
    elif variant == "professional":
        answers.who = "professional"
        answers.professional = ConcernProfessional(
            name="Dr Priya Shah",
            organisation="Station Road Surgery",
            role="GP",
            email="priya.shah@nhs.example",
            phone="020 8461 7000",
            family_aware="no",
            family_agrees="unknown",
            no_consent_reason="Telling the family could put the child at risk.",
        )
        answers.reporter = ReporterAnswers()
    elif variant == "two_children":
        answers.children = [child(), child(first_name="Leo", date_of_birth=None, approximate_age=4)]
    elif variant == "unborn":
        answers.children = [
            ChildAnswers(
                name_unknown=True,
                unborn=True,
                due_date=dt.date.today() + dt.timedelta(days=60),
                address="Flat 3, 1 High Street, Bexleyheath",
                postcode="DA6 7AT",
            )
        ]
    elif variant != "named":
        raise ValueError(variant)
    return replace(answers, **overrides)


def random_answers(rng: random.Random) -> ConcernAnswers:
    """A realistic mix for load tests: mostly named members of the public, some anonymous."""
    variant = rng.choices(
        ["named", "anonymous", "no_email", "professional", "two_children", "unborn"],
        weights=[40, 25, 10, 10, 10, 5],
    )[0]
    answers = concern_answers(variant)
    answers.concern.description = " ".join(
        rng.choice(["shouting", "bruises", "hungry", "alone", "late at night", "scared"])
        for _ in range(rng.randint(20, 200))
    )
    return answers


@pytest.fixture
def eager_celery():
    """Tasks run in-process even when REDIS_URL is set (CI): these tests are about our code,
    not the broker. Test modules use it with `pytestmark = usefixtures("eager_celery")`."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def reset_breakers():
    """Each test starts, and leaves, with the broker and cache presumed up."""
    from notifications.outbox import broker
    from reporting.ratelimit import cache_breaker

    broker.reset()
    cache_breaker.reset()
    yield
    broker.reset()
    cache_breaker.reset()
