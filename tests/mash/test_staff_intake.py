"""Logging a referral received by phone, email or letter (`/mash/log/`): the channel and the
time received are recorded, the online journey's validation applies, the screening record's due
time counts from when the call came in, the borough is scoped, and the logging is audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from contacts.calendar import LONDON
from mash.deadlines import screening_due_at
from mash.intake_forms import LogReferralForm
from mash.models import AuditEvent, ScreeningRecord
from notifications.models import OutboxMessage
from reporting import forms as public_forms
from reporting.models import Referral
from tests.mash.factories import StaffMemberFactory, log_in_password_only, log_in_verified

URL = "/mash/log/"
# Tuesday 24 November 2026, 15:00 London.
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def date_parts(prefix: str, day: dt.date) -> dict:
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


def post_data(**overrides) -> dict:
    """A valid logged concern: a phone call from a named neighbour about one child."""
    data = {
        "children_count": "1",
        "action": "save",
        "intake-channel": "phone",
        **date_parts("intake-received_date", NOW.date()),
        "intake-received_time": "14:20",
        "intake-borough": "bromley",
        "who-who": "public",
        "referrer-anonymous": "no",
        "referrer-name": "Sam Taylor",
        "referrer-phone": "07911 123456",
        "referrer-email": "sam.taylor@example.com",
        "referrer-relationship": "Neighbour",
        "referrer-updates_by": "email",
        "referrer-safe_to_contact": "yes",
        "referrer-contact_notes": "After 6pm",
        "child0-first_name": "Amira",
        "child0-last_name": "Hughes",
        "child0-age_known": "dob",
        **date_parts("child0-date_of_birth", dt.date(2017, 3, 14)),
        "child0-address": "12 Station Road, Bromley",
        "child0-postcode": "br13uh",
        "child0-school": "Hillside Primary School",
        "home-other_children_in_home": "no",
        "concern-categories": ["neglect", "emotional"],
        "concern-description": "Often outside late at night without a coat.",
        "concern-when_happened": "Most evenings",
        "concern-still_happening": "yes",
        "concern-how_known": "saw",
    }
    for key, value in overrides.items():
        key = key.replace("__", "-")
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def errors_of(response) -> list[str]:
    return [message for _, message in response.context["form"].error_links()]


# -- saving ------------------------------------------------------------------------------------
def test_get_shows_the_form_with_now_and_the_only_borough(client_in):
    response = client_in.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.channel.initial["received_time"] == "15:00"
    assert form.channel.initial["received_date"] == NOW.date()
    assert form.channel.initial["borough"] == "bromley"
    html = response.content.decode()
    assert "Log a referral" in html
    assert 'value="bexley"' not in html


@pytest.mark.parametrize("channel", ["phone", "email", "letter"])
def test_a_logged_referral_records_its_channel_and_lands_on_screening(client_in, channel):
    response = client_in.post(URL, post_data(intake__channel=channel))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("mash:screening", args=[referral.reference])
    assert referral.channel == channel
    assert referral.kind == Referral.Kind.CONCERN
    assert referral.reference.startswith("BRM-")
    assert referral.received_at == dt.datetime(2026, 11, 24, 14, 20, tzinfo=LONDON)
    assert referral.referrer_phone == "+447911123456"
    assert referral.concern_categories == ["neglect", "emotional"]
    child = referral.children.get()
    assert (child.first_name, child.date_of_birth, child.postcode) == (
        "Amira",
        dt.date(2017, 3, 14),
        "BR1 3UH",
    )
    # The same signal path as online: a screening record and the acknowledgement email.
    assert ScreeningRecord.objects.filter(referral=referral).exists()
    assert OutboxMessage.objects.filter(about_id=referral.pk, kind="acknowledgement").count() == 1
    follow = client_in.get(response["Location"])
    assert follow.status_code == 200


def test_a_back_dated_call_is_due_one_working_day_after_it_came_in(client_in, bromley):
    # The call came in on Friday 20 November at 16:00; it is logged on Tuesday.
    data = post_data(**date_parts("intake__received_date", dt.date(2026, 11, 20)))
    data["intake-received_time"] = "16:00"
    client_in.post(URL, data)
    referral = Referral.objects.get()
    received = dt.datetime(2026, 11, 20, 16, 0, tzinfo=LONDON)
    assert referral.received_at == received
    due = referral.screening.due_at
    assert due == screening_due_at(bromley, received)
    # Friday 16:00 + one working day (08:30-17:00) = Monday 16:00: already overdue.
    assert due == dt.datetime(2026, 11, 23, 16, 0, tzinfo=LONDON)


def test_the_logging_is_audited(client_in, screener):
    client_in.post(URL, post_data(intake__channel="letter"))
    referral = Referral.objects.get()
    event = AuditEvent.objects.get(action="referral_logged")
    assert event.user == screener
    assert event.referral == referral
    assert event.borough == referral.borough
    assert event.detail["channel"] == "letter"


def test_anonymous_referrer_keeps_no_contact_details(client_in):
    data = post_data(referrer__anonymous="yes")
    client_in.post(URL, data)  # the typed-in details are ignored, as online
    referral = Referral.objects.get()
    assert referral.anonymous
    assert (referral.referrer_name, referral.referrer_email, referral.referrer_phone) == (
        "",
        "",
        "",
    )
    assert not OutboxMessage.objects.exists()


def test_a_professional_referral_with_family_not_told(client_in):
    data = post_data(
        who__who="professional",
        referrer__anonymous=None,
        pro__name="Dr Ana Patel",
        pro__organisation="Bromley Surgery",
        pro__role="GP",
        pro__email="ana.patel@nhs.example",
        pro__phone="",
        pro__family_aware="no",
        pro__no_consent_reason="Telling them could put the child at more risk.",
    )
    response = client_in.post(URL, data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.referrer_type == "professional"
    assert (referral.referrer_name, referral.organisation, referral.role) == (
        "Dr Ana Patel",
        "Bromley Surgery",
        "GP",
    )
    assert referral.family_aware == "no"
    assert referral.no_consent_reason.startswith("Telling them")


def test_two_children_and_an_unborn_baby(client_in):
    data = post_data(children_count="2")
    data.update(
        {
            "child1-name_unknown": "on",
            "child1-age_known": "unborn",
            **date_parts("child1-due_date", dt.date(2027, 2, 1)),
            "child1-address": "Same address",
        }
    )
    assert client_in.post(URL, data).status_code == 302
    children = list(Referral.objects.get().children.order_by("order"))
    assert len(children) == 2
    assert children[1].unborn and children[1].due_date == dt.date(2027, 2, 1)
    assert children[1].display_name == "Name unknown"


def test_add_and_remove_a_child_keep_what_was_typed(client_in):
    response = client_in.post(URL, post_data(action="add-child"))
    form = response.context["form"]
    assert len(form.children) == 2
    assert not form.has_errors
    assert not Referral.objects.exists()
    html = response.content.decode()
    assert 'value="Amira"' in html and "Child 2" in html

    data = post_data(action="remove-child-0", children_count="2")
    data["child1-first_name"] = "Bilal"
    response = client_in.post(URL, data)
    form = response.context["form"]
    assert len(form.children) == 1
    assert form.children[0].name["first_name"].value() == "Bilal"


# -- the same validation as online ---------------------------------------------------------------
def test_nothing_filled_in_gives_the_required_messages(client_in):
    response = client_in.post(URL, {"children_count": "1", "action": "save"})
    assert response.status_code == 200
    errors = errors_of(response)
    assert "Select how it came in" in errors
    assert "Select the borough the referral is for" in errors
    assert "Select who is making the referral" in errors
    assert "Select what the concern is about" in errors
    assert "Enter what the concern is" in errors
    assert b"Error: Log a referral" in response.content
    assert not Referral.objects.exists()


def public_error(form_class, data: dict, field: str) -> str:
    form = form_class(data)
    assert not form.is_valid()
    return form.errors[field][0]


def test_bad_phone_same_message_as_online(client_in):
    response = client_in.post(URL, post_data(referrer__phone="12345"))
    online = public_error(public_forms.YourDetailsForm, {"name": "Sam", "phone": "12345"}, "phone")
    assert online in errors_of(response)
    assert not Referral.objects.exists()


def test_no_phone_or_email_same_message_as_online(client_in):
    response = client_in.post(URL, post_data(referrer__phone="", referrer__email=""))
    assert "Enter a phone number or email address" in errors_of(response)


def test_bad_email_same_message_as_online(client_in):
    response = client_in.post(URL, post_data(referrer__email="sam@"))
    online = public_error(public_forms.YourDetailsForm, {"name": "Sam", "email": "sam@"}, "email")
    assert online in errors_of(response)


def test_future_date_of_birth_same_message_as_online(client_in):
    tomorrow = NOW.date() + dt.timedelta(days=1)
    response = client_in.post(URL, post_data(**date_parts("child0__date_of_birth", tomorrow)))
    online = public_error(
        public_forms.ChildDobForm, date_parts("date_of_birth", tomorrow), "date_of_birth"
    )
    assert online == "Date of birth must be today or in the past"
    assert online in errors_of(response)


def test_unreal_date_of_birth_same_message_as_online(client_in):
    data = post_data(**date_parts("child0__date_of_birth", dt.date(2017, 3, 14)))
    data["child0-date_of_birth_0"] = "31"
    data["child0-date_of_birth_1"] = "2"
    response = client_in.post(URL, data)
    assert "Date of birth must be a real date" in errors_of(response)


def test_an_adult_is_refused(client_in):
    response = client_in.post(
        URL, post_data(**date_parts("child0__date_of_birth", dt.date(2000, 1, 1)))
    )
    assert "The child must be under 18" in errors_of(response)
    response = client_in.post(URL, post_data(child0__age_known="age", child0__approximate_age="19"))
    assert "The child must be under 18" in errors_of(response)


def test_bad_age_same_message_as_online(client_in):
    response = client_in.post(
        URL, post_data(child0__age_known="age", child0__approximate_age="ten")
    )
    online = public_error(public_forms.ChildAgeForm, {"approximate_age": "ten"}, "approximate_age")
    assert online in errors_of(response)


def test_bad_postcode_and_nowhere_to_find_the_child(client_in):
    response = client_in.post(URL, post_data(child0__postcode="XYZ 123"))
    assert "Enter a real postcode, like BR1 3UH" in errors_of(response)
    response = client_in.post(
        URL, post_data(child0__address="", child0__postcode="", child0__school="")
    )
    assert "Enter where the child lives or the school they go to" in errors_of(response)


def test_name_or_name_unknown_required(client_in):
    response = client_in.post(URL, post_data(child0__first_name="", child0__last_name=""))
    assert any(message.startswith("Enter the child's name") for message in errors_of(response))


def test_a_due_date_in_the_past_is_refused(client_in):
    data = post_data(
        child0__age_known="unborn", **date_parts("child0__due_date", dt.date(2026, 1, 1))
    )
    response = client_in.post(URL, data)
    assert "Due date must be today or in the future" in errors_of(response)


def test_a_professional_needs_organisation_and_role(client_in):
    response = client_in.post(
        URL, post_data(who__who="professional", pro__family_aware="yes", pro__family_agrees="yes")
    )
    errors = errors_of(response)
    assert "Enter their organisation" in errors
    assert "Enter their role" in errors
    assert "Enter a work email address or phone number" in errors


def test_details_not_asked_are_not_checked(client_in):
    # A professional: the public referrer's half-filled details are ignored.
    data = post_data(
        who__who="professional",
        referrer__phone="nonsense",
        pro__name="Dr Ana Patel",
        pro__organisation="Bromley Surgery",
        pro__role="GP",
        pro__phone="020 8461 7373",
        pro__family_aware="yes",
        pro__family_agrees="yes",
        child0__approximate_age="nonsense",  # date of birth is what is known
    )
    assert client_in.post(URL, data).status_code == 302


def test_received_time_in_the_future_is_refused(client_in):
    response = client_in.post(URL, post_data(intake__received_time="15:30"))
    assert "The time received must be now or in the past" in errors_of(response)
    tomorrow = NOW.date() + dt.timedelta(days=1)
    response = client_in.post(URL, post_data(**date_parts("intake__received_date", tomorrow)))
    assert "The time received must be now or in the past" in errors_of(response)
    assert not Referral.objects.exists()


@pytest.mark.parametrize("value", ["25:00", "9", "half two", "14:60"])
def test_received_time_must_be_a_time(client_in, value):
    response = client_in.post(URL, post_data(intake__received_time=value))
    assert "Enter the time received in 24-hour format, like 14:30" in errors_of(response)


def test_received_time_accepts_a_dot_and_one_digit_hour(client_in):
    assert client_in.post(URL, post_data(intake__received_time="9.05")).status_code == 302
    assert Referral.objects.get().received_at == dt.datetime(2026, 11, 24, 9, 5, tzinfo=LONDON)


def test_error_summary_links_to_the_inputs(client_in):
    response = client_in.post(URL, post_data(referrer__phone="12345", intake__channel=None))
    html = response.content.decode()
    assert 'href="#id_intake-channel_1"' in html and 'id="id_intake-channel_1"' in html
    assert 'href="#id_referrer-phone"' in html and 'id="id_referrer-phone"' in html


# -- scoping -------------------------------------------------------------------------------------
def test_another_borough_is_refused_and_nothing_is_created(client_in, bexley):
    response = client_in.post(URL, post_data(intake__borough="bexley"))
    assert response.status_code == 200
    assert "Select the borough the referral is for" in errors_of(response)
    assert not Referral.objects.exists()


def test_a_two_borough_user_chooses(client, bromley, bexley):
    user = StaffMemberFactory(boroughs=[bromley, bexley]).user
    log_in_verified(client, user)
    response = client.get(URL)
    assert "borough" not in response.context["form"].channel.initial
    assert client.post(URL, post_data(intake__borough="bexley")).status_code == 302
    referral = Referral.objects.get()
    assert referral.borough == bexley and referral.reference.startswith("BXL-")


def test_password_only_session_is_sent_to_sign_in(client, screener):
    log_in_password_only(client, screener)
    for response in (client.get(URL), client.post(URL, post_data())):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mash:login"))
    assert not Referral.objects.exists()


def test_anonymous_visitor_is_sent_to_sign_in(client, bromley):
    response = client.post(URL, post_data())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mash:login"))
    assert not Referral.objects.exists()


def test_the_form_reuses_the_public_forms():
    form = LogReferralForm(boroughs=[])
    assert isinstance(form.referrer, public_forms.YourDetailsForm)
    assert isinstance(form.children[0].dob, public_forms.ChildDobForm)
    assert isinstance(form.children[0].where, public_forms.ChildWhereForm)
    assert isinstance(form.professional, public_forms.ProfessionalDetailsForm)


def test_a_model_refusal_is_shown_and_nothing_is_audited(client_in, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"description": "Too long"})

    monkeypatch.setattr("mash.intake_views.submit_concern", refuse)
    response = client_in.post(URL, post_data())
    assert response.status_code == 200
    assert "The referral could not be saved: check the answers and try again" in errors_of(response)
    assert not AuditEvent.objects.filter(action="referral_logged").exists()


def test_staff_record_sex_ethnicity_and_the_source_or_leave_them(client_in):
    """Optional: left blank, the child has none and the source is worked out (a named
    neighbour: 1C); given, they are saved as chosen."""
    client_in.post(URL, post_data())
    first = Referral.objects.get()
    assert first.contact_source == "1C"
    assert (first.children.get().sex, first.children.get().ethnicity) == ("", "")
    data = post_data()
    data.update(
        {"intake-contact_source": "4", "child0-sex": "not_specified", "child0-ethnicity": "WROM"}
    )
    client_in.post(URL, data)
    second = Referral.objects.exclude(pk=first.pk).get()
    assert second.contact_source == "4"
    assert (second.children.get().sex, second.children.get().ethnicity) == (
        "not_specified",
        "WROM",
    )


def test_an_unknown_source_or_ethnicity_is_an_error(client_in):
    data = post_data()
    data.update({"intake-contact_source": "42", "child0-ethnicity": "NOPE"})
    response = client_in.post(URL, data)
    assert response.status_code == 200 and not Referral.objects.exists()
    assert "Select a contact source from the list" in response.text
    assert "Select an ethnic group from the list" in response.text
