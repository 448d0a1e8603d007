"""GET /api/contacts/<borough>/?at=<ISO 8601>: exactly the shape DESIGN.md gives."""

import datetime as dt
import re

import pytest
import time_machine

from contacts.calendar import UTC
from tests.contacts.conftest import ldn

pytestmark = pytest.mark.django_db

KEYS = {"borough", "at", "in_hours", "open_lines", "next_change"}
BROMLEY_OFFICE_LINES = [
    {
        "purpose": "childrens_services",
        "label": "Children's services",
        "numbers": ["020 8461 7373", "020 8461 7379", "020 8461 7026"],
    },
    {
        "purpose": "referral_and_assessment",
        "label": "Children's referral and assessment team",
        "numbers": ["020 8461 7373", "020 8461 7309"],
    },
]
BROMLEY_OOH = [
    {
        "purpose": "out_of_hours",
        "label": "Emergency out-of-hours service",
        "numbers": ["0300 303 8671"],
    }
]
BEXLEY_OOH = [
    {
        "purpose": "out_of_hours",
        "label": "Out-of-hours service",
        "numbers": ["020 8303 7777", "020 8303 7171"],
    }
]


def api(client, slug, **params):
    return client.get(f"/api/contacts/{slug}/", params)


def max_age(response) -> int:
    match = re.search(r"max-age=(\d+)", response["Cache-Control"])
    assert match, response["Cache-Control"]
    return int(match.group(1))


def test_bromley_in_hours_exact_shape(client, seeded_boroughs):
    response = api(client, "bromley", at="2026-11-23T10:00:00")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {
        "borough": "bromley",
        "at": "2026-11-23T10:00:00+00:00",
        "in_hours": True,
        "open_lines": BROMLEY_OFFICE_LINES,
        "next_change": "2026-11-23T17:00:00+00:00",
    }


def test_bromley_out_of_hours_on_the_boxing_day_substitute(client, seeded_boroughs):
    body = api(client, "bromley", at="2026-12-28T12:00:00").json()
    assert set(body) == KEYS
    assert body["in_hours"] is False
    assert body["open_lines"] == BROMLEY_OOH
    assert body["next_change"] == "2026-12-29T08:30:00+00:00"


@pytest.mark.parametrize(
    ("at", "open_lines", "in_hours", "next_change"),
    [
        ("2026-11-24T07:59:00", BEXLEY_OOH, False, "2026-11-24T08:00:00+00:00"),
        ("2026-11-24T08:00:00", [], False, "2026-11-24T09:00:00+00:00"),
        (
            "2026-11-24T09:00:00",
            [
                {
                    "purpose": "childrens_services",
                    "label": "Children's Services MASH",
                    "numbers": ["020 3045 5440"],
                }
            ],
            True,
            "2026-11-24T17:00:00+00:00",
        ),
        ("2026-11-24T17:00:00", [], False, "2026-11-24T18:00:00+00:00"),
        ("2026-11-24T18:00:00", BEXLEY_OOH, False, "2026-11-25T08:00:00+00:00"),
        ("2026-11-28T12:00:00", BEXLEY_OOH, False, "2026-11-30T08:00:00+00:00"),
    ],
)
def test_bexley_through_a_day(client, seeded_boroughs, at, open_lines, in_hours, next_change):
    body = api(client, "bexley", at=at).json()
    assert body == {
        "borough": "bexley",
        "at": at + "+00:00",
        "in_hours": in_hours,
        "open_lines": open_lines,
        "next_change": next_change,
    }


def test_naive_at_is_london_time_in_summer(client, seeded_boroughs):
    # 08:45 naive in July is 08:45 BST (07:45 UTC): Bromley's office is open
    body = api(client, "bromley", at="2026-07-06T08:45:00").json()
    assert body["at"] == "2026-07-06T08:45:00+01:00"
    assert body["in_hours"] is True
    assert body["next_change"] == "2026-07-06T17:00:00+01:00"
    # 08:15 naive is before opening
    body = api(client, "bromley", at="2026-07-06T08:15:00").json()
    assert body["in_hours"] is False
    assert body["open_lines"] == BROMLEY_OOH


@pytest.mark.parametrize(
    ("at", "expected_at", "in_hours"),
    [
        ("2026-07-06T07:45:00Z", "2026-07-06T08:45:00+01:00", True),  # 08:45 BST
        ("2026-07-06T07:15:00Z", "2026-07-06T08:15:00+01:00", False),
        ("2026-07-06T07:45:00+00:00", "2026-07-06T08:45:00+01:00", True),
        ("2026-07-06T13:15:00+05:30", "2026-07-06T08:45:00+01:00", True),
        ("2026-07-06T03:15:00-04:00", "2026-07-06T08:15:00+01:00", False),
        ("2026-11-23T16:59:59.500000Z", "2026-11-23T16:59:59.500000+00:00", True),
        ("2026-11-23", "2026-11-23T00:00:00+00:00", False),  # a date alone is midnight
        ("2026-07-06 08:45:00", "2026-07-06T08:45:00+01:00", True),  # a space for the T
        ("2026-07-06 07:45:00+00:00", "2026-07-06T08:45:00+01:00", True),
    ],
)
def test_at_with_z_and_offsets(client, seeded_boroughs, at, expected_at, in_hours):
    body = api(client, "bromley", at=at).json()
    assert body["at"] == expected_at
    assert body["in_hours"] is in_hours


def test_an_unencoded_plus_in_the_query_string_still_means_an_offset(client, seeded_boroughs):
    # '+' in a raw query string decodes to a space; the API reads it back as the offset sign
    response = client.get("/api/contacts/bromley/?at=2026-07-06T13:15:00+05:30")
    assert response.status_code == 200
    assert response.json()["at"] == "2026-07-06T08:45:00+01:00"


def test_at_across_the_clock_changes(client, seeded_boroughs):
    body = api(client, "bromley", at="2026-03-28T23:30:00Z").json()
    assert body["at"] == "2026-03-28T23:30:00+00:00"
    assert body["next_change"] == "2026-03-30T08:30:00+01:00"
    body = api(client, "bromley", at="2026-03-29T01:30:00Z").json()
    assert body["at"] == "2026-03-29T02:30:00+01:00"
    assert body["next_change"] == "2026-03-30T08:30:00+01:00"
    body = api(client, "bexley", at="2026-10-25T01:30:00Z").json()
    assert body["at"] == "2026-10-25T01:30:00+00:00"
    assert body["open_lines"] == BEXLEY_OOH
    assert body["next_change"] == "2026-10-26T08:00:00+00:00"


def test_at_defaults_to_now(client, seeded_boroughs):
    with time_machine.travel(ldn(2026, 11, 27, 17, 0), tick=False):
        body = api(client, "bromley").json()
    assert body["at"] == "2026-11-27T17:00:00+00:00"
    assert body["open_lines"] == BROMLEY_OOH
    assert body["next_change"] == "2026-11-30T08:30:00+00:00"
    with time_machine.travel(ldn(2026, 7, 6, 9, 0), tick=False):
        body = client.get("/api/contacts/bromley/?at=").json()
    assert body["at"] == "2026-07-06T09:00:00+01:00"
    assert body["in_hours"] is True


def test_unknown_borough_is_a_json_404(client, seeded_boroughs):
    response = api(client, "narnia", at="2026-11-23T10:00:00")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "narnia" in response.json()["error"]
    assert "no-store" in response["Cache-Control"]


def test_inactive_borough_is_a_json_404(client, bromley):
    bromley.is_active = False
    bromley.save()
    response = api(client, "bromley")
    assert response.status_code == 404
    assert response.json()["error"]


@pytest.mark.parametrize(
    "at",
    [
        "tomorrow",
        "garbage",
        " ",
        "   ",
        "T",
        "2026-13-01T10:00:00",
        "2026-11-31T10:00:00",
        "2026-11-23T25:00:00",
        "2026-11-23T10:00:00+25:00",
        "9999-01-01T00:00:00",
        "1066-10-14T09:00:00",
        "0001-01-01T00:00:00",
        "99999-01-01T00:00:00",
        "1700000000",
    ],
)
def test_bad_at_is_a_json_400_with_a_message(client, seeded_boroughs, at):
    response = api(client, "bromley", at=at)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    message = response.json()["error"]
    assert "ISO 8601" in message and "at" in message
    assert "no-store" in response["Cache-Control"]


def test_the_edges_of_the_accepted_years_still_answer(client, seeded_boroughs):
    for at in ("1900-01-01T12:00:00", "2200-12-31T23:59:59"):
        response = api(client, "bexley", at=at)
        assert response.status_code == 200, at
        assert response.json()["next_change"] is not None


def test_only_safe_methods(client, seeded_boroughs):
    assert client.post("/api/contacts/bromley/").status_code == 405


@pytest.mark.parametrize(
    ("slug", "now", "limit"),
    [
        ("bromley", ldn(2026, 11, 23, 16, 59, 30), 30),
        ("bromley", ldn(2026, 11, 23, 8, 29, 59), 1),
        ("bromley", ldn(2026, 11, 23, 16, 59, 59, 600000), 0),
        ("bexley", ldn(2026, 11, 24, 17, 59, 50), 10),
        ("bexley", ldn(2026, 11, 24, 7, 59, 15), 45),
        ("bromley", ldn(2026, 11, 23, 12, 0), 60),  # never more than a minute anyway
        ("bexley", ldn(2026, 11, 28, 12, 0), 60),
    ],
)
def test_cache_max_age_never_outlives_the_next_change(client, seeded_boroughs, slug, now, limit):
    with time_machine.travel(now, tick=False):
        response = api(client, slug)
    assert response.status_code == 200
    next_change = dt.datetime.fromisoformat(response.json()["next_change"])
    seconds_left = (next_change.astimezone(UTC) - now.astimezone(UTC)).total_seconds()
    assert max_age(response) <= seconds_left
    assert max_age(response) == limit


def test_cache_max_age_with_an_explicit_at_is_short(client, seeded_boroughs):
    with time_machine.travel(ldn(2026, 11, 23, 16, 59, 30), tick=False):
        response = api(client, "bromley", at="2026-11-23T16:59:30")
    assert response.status_code == 200
    assert max_age(response) <= 60


def test_any_borough_by_data_alone(client, db):
    """A third borough, made only of data: office 10:00-16:00, a late line Friday and Saturday
    22:00 to 02:00 (past midnight, not on bank holidays), and the office line."""
    from tests.contacts.factories import (
        ContactLineFactory,
        PhoneNumberFactory,
        StaffedWindowFactory,
        borough_with_office_hours,
    )

    borough = borough_with_office_hours(slug="testshire", name="Testshire")
    office = ContactLineFactory(borough=borough, label="Front door", order=0)
    PhoneNumberFactory(line=office, number="+442079460000")
    late = ContactLineFactory(
        borough=borough,
        purpose="out_of_hours",
        label="Late line",
        schedule="windows",
        on_closed_days="closed",
        order=1,
    )
    PhoneNumberFactory(line=late, number="+443003038671")
    for weekday in (4, 5):
        StaffedWindowFactory(line=late, weekday=weekday, starts=dt.time(22), ends=dt.time(2))
    late_line = [{"purpose": "out_of_hours", "label": "Late line", "numbers": ["0300 303 8671"]}]

    def ask(at):
        return api(client, "testshire", at=at).json()

    assert ask("2026-11-27T15:59:00") == {
        "borough": "testshire",
        "at": "2026-11-27T15:59:00+00:00",
        "in_hours": True,
        "open_lines": [
            {"purpose": "childrens_services", "label": "Front door", "numbers": ["020 7946 0000"]}
        ],
        "next_change": "2026-11-27T16:00:00+00:00",
    }
    assert ask("2026-11-27T16:00:00")["next_change"] == "2026-11-27T22:00:00+00:00"
    assert ask("2026-11-27T16:00:00")["open_lines"] == []
    body = ask("2026-11-28T01:59:59")
    assert body["open_lines"] == late_line
    assert body["next_change"] == "2026-11-28T02:00:00+00:00"
    assert ask("2026-11-28T02:00:00")["next_change"] == "2026-11-28T22:00:00+00:00"
    assert ask("2026-11-29T01:00:00")["open_lines"] == late_line
    assert ask("2026-11-29T02:00:00")["next_change"] == "2026-11-30T10:00:00+00:00"
    # bank holidays are closed whole calendar days for this line: Christmas Day (Friday) and
    # Boxing Day (Saturday) remove both nights' windows up to midnight on Sunday, when the
    # part of Saturday night's window that falls on an ordinary day still runs
    assert ask("2026-12-25T23:00:00")["open_lines"] == []
    assert ask("2026-12-25T23:00:00")["next_change"] == "2026-12-27T00:00:00+00:00"
    assert ask("2026-12-26T00:30:00")["open_lines"] == []
    assert ask("2026-12-26T22:30:00")["open_lines"] == []
    body = ask("2026-12-27T00:30:00")
    assert body["open_lines"] == late_line
    assert body["next_change"] == "2026-12-27T02:00:00+00:00"
    assert client.get("/testshire/").status_code == 200
