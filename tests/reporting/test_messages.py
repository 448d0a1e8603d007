"""Each referrer by the channel they chose, within the limits they set: `referrer_route`, the
one rule every message to a referrer goes through, and the question on the contact details
page (asked only of someone who gives both an email address and a mobile number)."""

import pytest
from django.core import mail

from notifications.models import OutboxMessage
from reporting.messages import is_mobile, referrer_route, routes
from reporting.models import Referral
from tests.reporting.factories import eager_celery  # noqa: F401 (a fixture)
from tests.reporting.test_views import BASE, NAMED, public, submit, walk

EMAIL, MOBILE, LANDLINE = "pat@example.com", "+447911123456", "+442084617000"


def referral(**fields):
    defaults = dict(
        referrer_name="Pat Jones",
        referrer_email=EMAIL,
        referrer_phone=MOBILE,
        safe_to_contact=True,
    )
    return Referral(**(defaults | fields))


@pytest.mark.parametrize(
    "fields,route",
    [
        ({}, ("email", EMAIL)),  # both, no choice recorded: email
        ({"updates_by": "sms"}, ("sms", MOBILE)),
        ({"updates_by": "email"}, ("email", EMAIL)),
        ({"referrer_email": ""}, ("sms", MOBILE)),  # a mobile only: a text
        ({"referrer_email": "", "referrer_phone": LANDLINE}, None),  # a landline gets no text
        ({"referrer_phone": ""}, ("email", EMAIL)),
        ({"updates_by": "sms", "referrer_phone": LANDLINE}, ("email", EMAIL)),
        ({"safe_to_contact": False, "updates_by": "sms"}, None),  # not safe: nothing, ever
        (
            {"anonymous": True, "referrer_name": "", "referrer_email": "", "referrer_phone": ""},
            None,
        ),
        ({"contact_methods": ["phone"]}, ("sms", MOBILE)),  # "phone only": no email
        ({"contact_methods": ["email"], "updates_by": "sms"}, ("email", EMAIL)),
        ({"contact_methods": ["letter"]}, None),  # letters only: no email, no text
        ({"safe_to_contact": None}, ("email", EMAIL)),  # not asked (professionals): may
    ],
)
def test_referrer_route(fields, route):
    subject = referral(**fields)
    assert referrer_route(subject) == route
    assert subject.is_contactable == (route is not None)


def test_routes_lists_every_allowed_channel():
    assert routes(referral()) == {"email": EMAIL, "sms": MOBILE}
    assert routes(referral(contact_methods=["phone", "letter"])) == {"sms": MOBILE}


def test_only_uk_mobiles_get_texts():
    assert is_mobile("+447700900982") and not is_mobile("+442084617373")
    assert not is_mobile("") and not is_mobile("+33612345678")


# -- the question on the contact details page ------------------------------------------------
def details(**changes):
    (path, data), *_ = [step for step in NAMED if step[0] == "your-details/"]
    data = {key: value for key, value in data.items() if key != "updates_by"}
    return path, data | changes


@pytest.mark.django_db
def test_both_given_and_no_choice_is_an_error_that_keeps_what_was_typed(client, bromley):
    walk(client, [*public(), ("about-you/", {"anonymous": "no"})])
    path, data = details()
    response = client.post(BASE + path, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select how we should send you updates" in page
    assert "govuk-error-summary" in page and 'href="#id_updates_by' in page
    assert 'value="pat@example.com"' in page and "Pat Jones" in page


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["020 8461 7000", ""])
def test_not_asked_without_both_an_email_and_a_mobile(client, bromley, phone):
    walk(client, [*public(), ("about-you/", {"anonymous": "no"})])
    path, data = details(phone=phone, updates_by="sms")
    walk(client, [(path, data)])


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
@pytest.mark.parametrize("choice", ["sms", "email"])
def test_the_chosen_channel_gets_the_acknowledgement(
    client, bromley, choice, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_BACKEND = "locmem"
    from notifications.backends import locmem_outbox

    locmem_outbox.clear()
    path, data = details(updates_by=choice)
    steps = [step if step[0] != path else (path, data) for step in NAMED]
    walk(client, [*public(), *steps])
    with django_capture_on_commit_callbacks(execute=True):
        page = submit(client).content.decode()
    referral = Referral.objects.get()
    assert referral.updates_by == choice
    (message,) = OutboxMessage.objects.filter(about_id=referral.pk)
    assert message.channel == choice
    (sent,) = locmem_outbox
    assert sent.to == (MOBILE if choice == "sms" else EMAIL)
    if choice == "sms":
        assert "We have sent a text message with your reference" in page
        assert referral.reference in sent.body and "Sam" not in sent.body  # no child's name
    else:
        assert "We have sent a confirmation email" in page
    assert mail.outbox == []
    locmem_outbox.clear()


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_celery")
def test_not_safe_to_contact_sends_nothing_whatever_was_chosen(client, bromley):
    path, data = details(updates_by="sms")
    steps = [
        (path, data) if step[0] == path else step for step in NAMED if step[0] != "contact-safe/"
    ]
    walk(client, [*public(), *steps, ("contact-safe/", {"safe_to_contact": "no"})])
    submit(client)
    referral = Referral.objects.get()
    assert referral.safe_to_contact is False and referral.updates_by == "sms"
    assert not OutboxMessage.objects.exists()
