"""Messages to the public never echo what the public typed: the council sends them to any
address typed into a form, so a typed name or description would let anyone send their own words
("Dear Pat. Your report FAILED - resubmit now at http://...") from the council's sender.
Acknowledgements and outcome emails carry the reference, the borough's numbers and fixed
wording only: checked for every kind of submission, with every text field hostile, in both the
subject and the body."""

import pytest
from django.db import models
from django.utils import timezone

from mash import notifications
from mash.models import Decision
from notifications.kinds import Channel, Kind, render
from notifications.models import OutboxMessage
from reporting import messages
from reporting.models import Referral
from tests.reporting.factories import ReferralFactory, eager_celery  # noqa: F401 (a fixture)
from tests.reporting.test_views import CHILD_ONE, CHILDREN_DONE, CONCERN, NAMED, START, submit, walk

HOSTILE = "Pat. Your report FAILED - resubmit now at http://evil.example/x"
MARKERS = ("FAILED", "evil.example", "resubmit", "Pat")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def every_text_field_hostile(referral):
    for field in Referral._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField) and not field.choices:
            if field.name in {"reference"}:
                continue
            value = HOSTILE if not isinstance(field, models.EmailField) else "pat@evil.example"
            setattr(referral, field.name, value[: field.max_length or None])
    return referral


def assert_no_echo(subject, body):
    for marker in MARKERS:
        assert marker not in subject, (marker, subject)
        assert marker not in body, (marker, body)


@pytest.mark.parametrize("channel", list(Channel.values))
@pytest.mark.parametrize("kind", list(Referral.Kind.values))
def test_acknowledgements_carry_nothing_typed(bromley, kind, channel):
    referral = every_text_field_hostile(ReferralFactory.build(borough=bromley, kind=kind))
    referral.reference = "BRM-4K7Q-X9D2"
    text = render(
        messages.ACKNOWLEDGEMENT_KINDS[kind],
        channel,
        messages.acknowledgement_personalisation(referral),
    )
    assert_no_echo(text.subject, text.body)
    assert referral.reference in text.body
    if channel == Channel.EMAIL:
        assert referral.reference in text.subject
        assert "999" in text.body
        assert text.body.startswith("Hello,")


@pytest.mark.parametrize("channel", list(Channel.values))
@pytest.mark.parametrize("outcome", list(Decision.Outcome.values))
def test_outcome_messages_carry_nothing_typed(bromley, outcome, channel):
    referral = every_text_field_hostile(ReferralFactory.build(borough=bromley))
    referral.reference = "BRM-4K7Q-X9D2"
    decision = Decision(outcome=outcome, rationale=HOSTILE, decided_at=timezone.now())
    text = render(Kind.OUTCOME, channel, notifications.personalisation(referral, decision))
    assert_no_echo(text.subject, text.body)
    assert referral.reference in text.body


def test_a_hostile_name_and_description_typed_into_the_journey_never_leave(bromley, client):
    named = [
        (path, {**data, "name": HOSTILE} if path == "your-details/" else data)
        for path, data in NAMED
    ]
    concern = [
        (path, {"description": HOSTILE} if path == "description/" else data)
        for path, data in CONCERN
    ]
    child = [
        (path, {"first_name": "Pat", "last_name": "FAILED"} if path == "child/1/name/" else data)
        for path, data in CHILD_ONE
    ]
    walk(client, [*START, ("who/", {"who": "public"}), *child, *CHILDREN_DONE, *concern, *named])
    submit(client)
    messages = OutboxMessage.objects.all()
    assert messages.count() == 1
    for message in messages:
        assert_no_echo(message.rendered().subject, message.rendered().body)
