"""Editing boroughs in the Django admin: validation with clear errors, the typed value kept,
numbers stored in E.164 and shown as people write them."""

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError

from contacts.models import (
    Borough,
    ClosureDay,
    ContactLine,
    OfficeHours,
    PhoneNumber,
    StaffedWindow,
)
from tests.contacts.conftest import change_form_data

pytestmark = pytest.mark.django_db

PHONE_ERROR = "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
UK_ERROR = "Enter a UK phone number, like 020 8461 7373 or 0300 303 8671"


def line_url(line) -> str:
    return f"/admin/contacts/contactline/{line.pk}/change/"


def borough_url(borough) -> str:
    return f"/admin/contacts/borough/{borough.pk}/change/"


def key_for(data: dict, prefix: str, suffix: str, value) -> str:
    """The form prefix (like 'numbers-0') of the inline row whose `suffix` field is `value`."""
    return next(
        key[: -len(suffix)]
        for key, v in data.items()
        if key.startswith(prefix) and key.endswith(suffix) and v == value
    )


def inline_errors(response, index: int) -> list:
    return [form.errors for form in response.context["inline_admin_formsets"][index].formset]


def non_form_errors(response, index: int) -> list[str]:
    return list(response.context["inline_admin_formsets"][index].formset.non_form_errors())


@pytest.fixture
def childrens_line(bromley):
    return ContactLine.objects.get(borough=bromley, purpose="childrens_services")


@pytest.fixture
def bexley_ooh(bexley):
    return ContactLine.objects.get(borough=bexley, purpose="out_of_hours")


# --- phone numbers ------------------------------------------------------------------------------
def test_the_change_form_shows_numbers_nationally(admin_client, childrens_line):
    response = admin_client.get(line_url(childrens_line))
    assert response.status_code == 200
    page = response.content.decode()
    for shown in ("020 8461 7373", "020 8461 7379", "020 8461 7026"):
        assert f'value="{shown}"' in page
    assert 'value="+442084617373"' not in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12345", PHONE_ERROR),
        ("020 8461 737", PHONE_ERROR),
        ("not a number", PHONE_ERROR),
        ("07700 90098", PHONE_ERROR),
        ("+1 202 456 1111", UK_ERROR),  # a valid number, but not a UK one
    ],
)
def test_invalid_number_is_rejected_clearly_and_kept(admin_client, childrens_line, typed, message):
    data = change_form_data(admin_client.get(line_url(childrens_line)))
    row = key_for(data, "numbers-", "-number", "020 8461 7379")
    data[f"{row}-number"] = typed
    response = admin_client.post(line_url(childrens_line), data)
    assert response.status_code == 200  # the form again, not a redirect
    errors = inline_errors(response, 0)
    row_index = int(row.rsplit("-", 1)[1])
    assert errors[row_index] == {"number": [message]}
    page = response.content.decode()
    assert f'value="{html.escape(typed, quote=True)}"' in page  # what was typed is kept
    assert message in html.unescape(page)
    assert "Please correct the error" in page
    assert PhoneNumber.objects.filter(line=childrens_line, number="+442084617379").exists()


@pytest.mark.parametrize(
    "typed",
    [
        "020 8461 0000",
        "02084610000",
        "+44 20 8461 0000",
        "+44 (0)20 8461 0000",
        "0044 20 8461 0000",
    ],
)
def test_number_is_stored_in_e164_and_shown_nationally(admin_client, childrens_line, typed):
    data = change_form_data(admin_client.get(line_url(childrens_line)))
    row = key_for(data, "numbers-", "-number", "020 8461 7026")
    data[f"{row}-number"] = typed
    response = admin_client.post(line_url(childrens_line), data)
    assert response.status_code == 302
    numbers = list(childrens_line.numbers.values_list("number", flat=True))
    assert numbers == ["+442084617373", "+442084617379", "+442084610000"]
    page = admin_client.get(line_url(childrens_line)).content.decode()
    assert 'value="020 8461 0000"' in page
    assert str(PhoneNumber.objects.get(number="+442084610000")) == "020 8461 0000"


def test_adding_a_number_in_the_admin(admin_client, bexley_ooh):
    data = change_form_data(admin_client.get(line_url(bexley_ooh)))
    total = int(data["numbers-TOTAL_FORMS"])
    data["numbers-TOTAL_FORMS"] = str(total + 1)
    data[f"numbers-{total}-number"] = "0300 303 8671"
    data[f"numbers-{total}-order"] = "5"
    data[f"numbers-{total}-line"] = str(bexley_ooh.pk)
    response = admin_client.post(line_url(bexley_ooh), data)
    assert response.status_code == 302
    assert list(bexley_ooh.numbers.values_list("number", flat=True)) == [
        "+442083037777",
        "+442083037171",
        "+443003038671",
    ]


def test_model_full_clean_normalises_and_rejects(childrens_line):
    number = PhoneNumber(line=childrens_line, number="020 8461 1234")
    number.full_clean()
    assert number.number == "+442084611234"
    assert number.display == "020 8461 1234"
    with pytest.raises(ValidationError) as caught:
        PhoneNumber(line=childrens_line, number="999").full_clean()
    assert caught.value.message_dict == {"number": [PHONE_ERROR]}


# --- the borough form: fax, reference prefix ----------------------------------------------------
def test_fax_is_shown_nationally_and_validated(admin_client, bromley):
    response = admin_client.get(borough_url(bromley))
    assert 'value="020 8313 4400"' in response.content.decode()
    data = change_form_data(response)
    data["fax"] = "0208 313 44"
    response = admin_client.post(borough_url(bromley), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"fax": [PHONE_ERROR]}
    assert 'value="0208 313 44"' in response.content.decode()
    data["fax"] = "020 8313 4401"
    response = admin_client.post(borough_url(bromley), data)
    assert response.status_code == 302
    bromley.refresh_from_db()
    assert bromley.fax == "+442083134401"
    assert bromley.fax_display == "020 8313 4401"


@pytest.mark.parametrize("prefix", ["brm", "B1M", "BR", "ÄBC"])
def test_reference_prefix_must_be_three_capital_letters(bromley, prefix):
    bromley.reference_prefix = prefix
    with pytest.raises(ValidationError) as caught:
        bromley.full_clean()
    assert caught.value.message_dict["reference_prefix"] == [
        "Enter three capital letters, like BRM"
    ]


# --- office hours -------------------------------------------------------------------------------
@pytest.mark.parametrize(("opens", "closes"), [("17:00", "08:30"), ("09:00", "09:00")])
def test_office_hours_closing_before_opening_is_rejected(admin_client, bromley, opens, closes):
    data = change_form_data(admin_client.get(borough_url(bromley)))
    row = key_for(data, "office_hours-", "-weekday", 2)
    data[f"{row}-opens"] = opens
    data[f"{row}-closes"] = closes
    response = admin_client.post(borough_url(bromley), data)
    assert response.status_code == 200
    errors = inline_errors(response, 0)
    assert errors[int(row.rsplit("-", 1)[1])] == {
        "closes": ["The office must close after it opens"]
    }
    assert f'value="{closes}' in response.content.decode()
    assert OfficeHours.objects.get(borough=bromley, weekday=2).closes == dt.time(17)


def test_office_hours_model_clean(bromley):
    with pytest.raises(ValidationError) as caught:
        OfficeHours(borough=bromley, weekday=5, opens=dt.time(12), closes=dt.time(11)).full_clean()
    assert caught.value.message_dict == {"closes": ["The office must close after it opens"]}
    OfficeHours(borough=bromley, weekday=5, opens=dt.time(9), closes=dt.time(12)).full_clean()


def test_a_second_office_hours_row_for_the_same_weekday_is_rejected(admin_client, bromley):
    data = change_form_data(admin_client.get(borough_url(bromley)))
    total = int(data["office_hours-TOTAL_FORMS"])
    data["office_hours-TOTAL_FORMS"] = str(total + 1)
    data[f"office_hours-{total}-weekday"] = "0"
    data[f"office_hours-{total}-opens"] = "10:00"
    data[f"office_hours-{total}-closes"] = "11:00"
    data[f"office_hours-{total}-borough"] = str(bromley.pk)
    response = admin_client.post(borough_url(bromley), data)
    assert response.status_code == 200
    assert OfficeHours.objects.filter(borough=bromley).count() == 5


def test_closure_day_twice_is_rejected(admin_client, bromley):
    ClosureDay.objects.create(borough=bromley, date=dt.date(2026, 12, 24))
    data = change_form_data(admin_client.get(borough_url(bromley)))
    total = int(data["closure_days-TOTAL_FORMS"])
    data["closure_days-TOTAL_FORMS"] = str(total + 1)
    data[f"closure_days-{total}-date"] = "2026-12-24"
    data[f"closure_days-{total}-borough"] = str(bromley.pk)
    response = admin_client.post(borough_url(bromley), data)
    assert response.status_code == 200
    assert ClosureDay.objects.filter(borough=bromley).count() == 1


# --- staffed windows ----------------------------------------------------------------------------
def _window_row(data, weekday, starts):
    return next(
        key[: -len("-weekday")]
        for key, value in data.items()
        if key.startswith("windows-")
        and key.endswith("-weekday")
        and value == weekday
        and data[key[: -len("-weekday")] + "-starts"] == starts
    )


@pytest.mark.parametrize("same", ["18:00", "08:00", "12:30"])
def test_window_starting_and_ending_at_the_same_time_is_rejected(admin_client, bexley_ooh, same):
    data = change_form_data(admin_client.get(line_url(bexley_ooh)))
    row = _window_row(data, 2, "18:00:00")
    data[f"{row}-starts"] = same
    data[f"{row}-ends"] = same
    response = admin_client.post(line_url(bexley_ooh), data)
    assert response.status_code == 200
    errors = inline_errors(response, 1)
    assert errors[int(row.rsplit("-", 1)[1])] == {
        "ends": [
            "A window cannot start and end at the same time; use 00:00 to 00:00 for the whole day"
        ]
    }
    assert f'value="{same}' in response.content.decode()
    assert StaffedWindow.objects.filter(line=bexley_ooh, weekday=2, starts=dt.time(18)).exists()


def test_whole_day_and_past_midnight_windows_are_accepted(admin_client, bexley_ooh):
    data = change_form_data(admin_client.get(line_url(bexley_ooh)))
    row = _window_row(data, 2, "18:00:00")
    data[f"{row}-starts"] = "00:00"
    data[f"{row}-ends"] = "00:00"
    other = _window_row(data, 3, "18:00:00")
    data[f"{other}-starts"] = "22:00"
    data[f"{other}-ends"] = "06:00"
    response = admin_client.post(line_url(bexley_ooh), data)
    assert response.status_code == 302
    windows = {(w.weekday, w.starts, w.ends) for w in bexley_ooh.windows.all()}
    assert (2, dt.time(0), dt.time(0)) in windows
    assert (3, dt.time(22), dt.time(6)) in windows
    window = StaffedWindow.objects.get(line=bexley_ooh, weekday=3, starts=dt.time(22))
    assert window.runs_past_midnight
    assert str(window) == "Thursday 22:00-06:00 (next day)"


def test_a_line_staffed_at_weekly_times_needs_at_least_one(admin_client, bexley_ooh):
    data = change_form_data(admin_client.get(line_url(bexley_ooh)))
    for key in [k for k in data if k.startswith("windows-") and k.endswith("-id")]:
        data[key[: -len("-id")] + "-DELETE"] = "on"
    response = admin_client.post(line_url(bexley_ooh), data)
    assert response.status_code == 200
    assert non_form_errors(response, 1) == [
        "Add at least one weekly time when this line is staffed, or choose another "
        "'when is it staffed' option"
    ]
    assert bexley_ooh.windows.count() == 8
    # with a schedule that does not use weekly times, none are needed
    data["schedule"] = ContactLine.Schedule.OUTSIDE_OFFICE_HOURS
    response = admin_client.post(line_url(bexley_ooh), data)
    assert response.status_code == 302
    assert bexley_ooh.windows.count() == 0


def test_window_model_clean():
    line = ContactLine(schedule=ContactLine.Schedule.WINDOWS)
    with pytest.raises(ValidationError):
        StaffedWindow(line=line, weekday=0, starts=dt.time(9), ends=dt.time(9)).clean()
    StaffedWindow(line=line, weekday=0, starts=dt.time(0), ends=dt.time(0)).clean()
    StaffedWindow(line=line, weekday=0, starts=dt.time(18), ends=dt.time(8)).clean()


def test_admin_needs_a_signed_in_staff_user(client, bromley):
    response = client.get(borough_url(bromley))
    assert response.status_code == 302
    assert Borough.objects.get(pk=bromley.pk).fax == "+442083134400"
