"""Annex A (mash.annex_a, mash.export_views): known referral histories, every figure asserted
exactly, through the real URLs (CSV and the .xlsx workbook), with the access rules."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.calendar import LONDON
from mash import annex_a
from mash.identity import give_person_keys
from mash.models import AuditEvent, Decision
from reporting.models import Child
from reporting.services import submit_concern
from tests.mash.factories import StaffMemberFactory, UserFactory, log_in_verified
from tests.mash.screening_factories import ScreeningRecordFactory
from tests.reporting.factories import ReferralFactory, concern_answers, eager_celery  # noqa: F401

pytestmark = pytest.mark.django_db
O = Decision.Outcome  # noqa: E741
UNTIL = dt.date(2026, 5, 31)  # the period: 1 December 2025 to 31 May 2026
QUERY = "?borough=bromley&until=2026-05-31"


def at(y, m, d, h=12) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=LONDON)


def contact(borough, received, *children, source="", outcome=None, decided=None, by=None, **kw):
    """A referral received at `received` with its children (dicts of Child fields), and when
    `outcome` is given its decision at `decided` by `by`."""
    referral = ReferralFactory(borough=borough, received_at=received, contact_source=source, **kw)
    for order, child in enumerate(children):
        Child.objects.create(referral=referral, order=order, **child)
    record = ScreeningRecordFactory(referral=referral)
    if outcome is not None:
        Decision.objects.create(
            record=record,
            outcome=outcome,
            rationale="Because.",
            decided_by=by,
            decided_at=decided,
            support_until=(decided + dt.timedelta(days=182)).date()
            if outcome == O.FAMILY_WELLBEING
            else None,
        )
        record.decided_at = decided
        record.save()
    return referral


@pytest.fixture
def worker(bromley):
    return UserFactory(first_name="Ada", last_name="Okafor")


@pytest.fixture
def manager(bromley):
    return StaffMemberFactory(boroughs=[bromley], manager=True).user


@pytest.fixture
def history(bromley, bexley, worker):
    """Amy (key CAMY) referred three times to children's social care, across a year boundary;
    Ben unborn; Cal with only an approximate age, two children in one contact; an early help
    case; contacts outside the period; Bexley's referral of a child with Amy's key."""
    amy = {
        "first_name": "Amy",
        "last_name": "Stone",
        "date_of_birth": dt.date(2015, 3, 2),
        "sex": "female",
        "ethnicity": "WBRI",
        "person_key": "CAMY",
    }
    made = {}
    # A year and a day before the second referral: not within its 12 months.
    made["amy_old"] = contact(
        bromley,
        at(2024, 12, 18),
        amy,
        outcome=O.ASSESSMENT,
        decided=at(2024, 12, 19),
        by=worker,
        source="2A",
    )
    made["amy_1"] = contact(
        bromley,
        at(2025, 12, 19),
        amy,
        outcome=O.STRATEGY,
        decided=at(2025, 12, 20),
        by=worker,
        source="6",
    )
    # An NFA between them is not a referral: not counted.
    made["amy_nfa"] = contact(
        bromley,
        at(2025, 12, 28),
        amy,
        outcome=O.NO_FURTHER_ACTION,
        decided=at(2025, 12, 29),
        by=worker,
        source="9",
    )
    made["amy_2"] = contact(
        bromley,
        at(2026, 1, 9),
        amy,
        outcome=O.ASSESSMENT,
        decided=at(2026, 1, 10),
        by=worker,
        source="3A",
    )
    made["ben"] = contact(
        bromley,
        at(2026, 3, 1),
        {
            "unborn": True,
            "due_date": dt.date(2026, 6, 1),
            "name_unknown": True,
            "person_key": "CBEN",
        },
        outcome=O.DISABLED_CHILDREN,
        decided=at(2026, 3, 2),
        by=worker,
        source="3B",
    )
    made["cal_and_dee"] = contact(
        bromley,
        at(2026, 4, 30, 23),
        {"first_name": "Cal", "approximate_age": 7, "sex": "male", "person_key": "CCAL"},
        {"first_name": "Dee", "sex": "prefer_not_to_say", "ethnicity": "REFU"},
        outcome=O.FAMILY_WELLBEING,
        decided=at(2026, 5, 31, 23),
        by=worker,
        source="1B",
    )
    # Outside the period: before 1 December 2025 and after 31 May 2026.
    made["early"] = contact(
        bromley, at(2025, 11, 30, 23), {"first_name": "Eve", "person_key": "CEVE"}
    )
    made["late"] = contact(bromley, at(2026, 6, 1, 0), {"first_name": "Fay", "person_key": "CFAY"})
    # Another borough's: never in Bromley's lists, and not in Amy's count.
    made["bexley"] = contact(
        bexley,
        at(2026, 1, 5),
        amy,
        outcome=O.ASSESSMENT,
        decided=at(2026, 1, 6),
        by=worker,
        source="6",
    )
    return made  # fmt: skip


def lines(number, bromley):
    return list(annex_a.rows(number, borough=bromley, period=annex_a.Period(UNTIL)))


def test_the_period_is_the_six_months_ending_on_the_date():
    period = annex_a.Period(UNTIL)
    assert period.start == dt.date(2025, 12, 1)
    assert period.start_at == at(2025, 12, 1, 0) and period.end_at == at(2026, 6, 1, 0)
    assert annex_a.Period(dt.date(2026, 8, 31)).start == dt.date(2026, 3, 1)


def test_list_1_contacts(bromley, history):
    rows = lines(1, bromley)
    dee_pk = history["cal_and_dee"].children.get(first_name="Dee").pk
    assert rows == [
        ["CAMY", "b) Female", "WBRI", dt.date(2015, 3, 2), 10, dt.date(2025, 12, 19), "6"],
        ["CAMY", "b) Female", "WBRI", dt.date(2015, 3, 2), 10, dt.date(2025, 12, 28), "9"],
        ["CAMY", "b) Female", "WBRI", dt.date(2015, 3, 2), 10, dt.date(2026, 1, 9), "3A"],
        ["CBEN", "c) Not stated/recorded (unknown)", "NOBT", dt.date(2026, 6, 1), -1,
         dt.date(2026, 3, 1), "3B"],
        ["CCAL", "a) Male", "NOBT", None, 7, dt.date(2026, 4, 30), "1B"],
        [f"R{dee_pk}", "c) Not stated/recorded (unknown)", "REFU", None, "",
         dt.date(2026, 4, 30), "1B"],
    ]  # fmt: skip


def test_list_2_early_help(bromley, history):
    # Decided at 23:00 London on 31 May: in the period (London dates, not UTC).
    organisation = f"Bromley {bromley.early_help_name}"
    assert lines(2, bromley) == [
        ["CCAL", "a) Male", "NOBT", None, 7, dt.date(2026, 5, 31), dt.date(2026, 11, 29),
         organisation],
        [lines(1, bromley)[5][0], "c) Not stated/recorded (unknown)", "REFU", None, "",
         dt.date(2026, 5, 31), dt.date(2026, 11, 29), organisation],
    ]  # fmt: skip


def test_list_3_referrals_with_re_referrals_across_the_year_boundary(bromley, history):
    rows = lines(3, bromley)
    refs = {name: history[name].reference for name in ("amy_1", "amy_2", "ben")}
    assert rows == [
        # 20/12/2025: the referral of 19/12/2024 is a year and a day before: 0
        ["CAMY", "b) Female", "WBRI", dt.date(2015, 3, 2), 10, dt.date(2025, 12, 20), "6",
         "No", 0, "Referral and assessment team", "Ada Okafor", refs["amy_1"]],
        # 10/01/2026: the one of 20/12/2025 (last year) counts; the NFA and Bexley's do not
        ["CAMY", "b) Female", "WBRI", dt.date(2015, 3, 2), 10, dt.date(2026, 1, 10), "3A",
         "No", 1, "Referral and assessment team", "Ada Okafor", refs["amy_2"]],
        ["CBEN", "c) Not stated/recorded (unknown)", "NOBT", dt.date(2026, 6, 1), -1,
         dt.date(2026, 3, 2), "3B", "No", 0, "Disabled children's team", "Ada Okafor",
         refs["ben"]],
    ]  # fmt: skip


def test_within_a_year_to_the_day_counts(bromley, worker):
    amy = {"first_name": "Amy", "person_key": "CAMY"}
    contact(
        bromley, at(2025, 1, 10), amy, outcome=O.ASSESSMENT, decided=at(2025, 1, 10, 13), by=worker
    )
    contact(bromley, at(2026, 1, 10), amy, outcome=O.ASSESSMENT, decided=at(2026, 1, 10, 12),
            by=worker)  # fmt: skip
    (row,) = lines(3, bromley)
    assert row[8] == 1


def test_each_list_is_one_query(bromley, history, django_assert_num_queries):
    for number in (1, 2, 3):
        with django_assert_num_queries(1):
            lines(number, bromley)


@pytest.mark.usefixtures("eager_celery")
def test_submitted_children_get_keys_from_the_record_check_matching(bromley):
    first = submit_concern(borough=bromley, answers=concern_answers())
    again = submit_concern(borough=bromley, answers=concern_answers())  # same child: strong
    other = submit_concern(borough=bromley, answers=concern_answers("unborn"))
    keys = [Child.objects.get(referral=r).person_key for r in (first, again, other)]
    assert keys[0] and keys[0] == keys[1]
    assert keys[2] and keys[2] != keys[0]
    assert keys[0].startswith("C") and len(keys[0]) == 13
    # Assigning again changes nothing.
    saved = list(Child.objects.filter(referral=again))
    give_person_keys(again, saved)
    assert [child.person_key for child in saved] == [keys[1]]
    assert Child.objects.get(referral=again).person_key == keys[1]


@pytest.mark.usefixtures("eager_celery")
def test_person_keys_go_in_with_the_children(bromley):
    """The key is set before the children are inserted: no UPDATE of a child afterwards."""
    first = submit_concern(borough=bromley, answers=concern_answers("two_children"))
    with CaptureQueriesContext(connection) as queries:
        again = submit_concern(borough=bromley, answers=concern_answers("two_children"))
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    keys = {c.first_name: c.person_key for c in Child.objects.filter(referral=first)}
    assert keys == {c.first_name: c.person_key for c in Child.objects.filter(referral=again)}
    assert len(set(keys.values())) == 2  # two children, two people


# --- The URLs ----------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_of_each_list(client, bromley, history, manager):
    log_in_verified(client, manager)
    response = client.get(f"/mash/exports/annex-a/list-3.csv{QUERY}")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="annex-a-list-3-bromley-2026-05-31.csv"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    rows = _csv(response)
    assert rows[0] == list(annex_a.LIST_3)
    assert rows[1][:9] == ["CAMY", "b) Female", "WBRI", "02/03/2015", "10", "20/12/2025", "6",
                           "No", "0"]  # fmt: skip
    assert rows[2][8] == "1" and len(rows) == 4
    one = _csv(client.get(f"/mash/exports/annex-a/list-1.csv{QUERY}"))
    assert one[0] == list(annex_a.LIST_1) and len(one) == 7
    assert one[4] == ["CBEN", "c) Not stated/recorded (unknown)", "NOBT", "01/06/2026", "-1",
                      "01/03/2026", "3B"]  # fmt: skip
    two = _csv(client.get(f"/mash/exports/annex-a/list-2.csv{QUERY}"))
    assert two[0] == list(annex_a.LIST_2) and two[1][5:7] == ["31/05/2026", "29/11/2026"]
    events = AuditEvent.objects.filter(action="annex_a_exported").order_by("at", "id")
    assert [(e.detail["export"], e.detail["format"], e.detail["until"]) for e in events] == [
        ("list-3", "csv", "2026-05-31"),
        ("list-1", "csv", "2026-05-31"),
        ("list-2", "csv", "2026-05-31"),
    ]
    assert all(e.borough == bromley and e.user == manager for e in events)
    assert events[0].detail["start"] == "2025-12-01"


def test_the_workbook_has_one_sheet_per_list(client, bromley, history, manager):
    log_in_verified(client, manager)
    response = client.get(f"/mash/exports/annex-a.xlsx{QUERY}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "annex-a-lists-bromley-2026-05-31.xlsx" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["List 1 Contacts", "List 2 Early help", "List 3 Referrals"]
    sheets = [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]
    for number, sheet in zip((1, 2, 3), sheets, strict=True):
        assert sheet[0] == annex_a.HEADINGS[number]
        expected = lines(number, bromley)
        assert len(sheet) == len(expected) + 1
        for got, want in zip(sheet[1:], expected, strict=True):
            as_read = [
                v.date() if isinstance(v, dt.datetime) else v for v in got
            ]  # Excel has no date type: dates read back as midnight datetimes
            assert as_read == [None if w == "" else w for w in want]
    date_cell = workbook.worksheets[2]["F2"]
    assert date_cell.number_format == "DD/MM/YYYY"
    assert AuditEvent.objects.get(action="annex_a_exported").detail["format"] == "xlsx"


def test_until_defaults_to_today(client, bromley, manager, worker):
    contact(bromley, at(2026, 3, 3), {"first_name": "Gil", "person_key": "CGIL"})
    log_in_verified(client, manager)
    with time_machine.travel(at(2026, 9, 3), tick=False):  # period 4 March to 3 September
        assert len(_csv(client.get("/mash/exports/annex-a/list-1.csv?borough=bromley"))) == 1
    with time_machine.travel(at(2026, 9, 2), tick=False):
        assert len(_csv(client.get("/mash/exports/annex-a/list-1.csv?borough=bromley"))) == 2


@pytest.mark.parametrize("until", ["31-05-2026", "2026-02-30", "tomorrow"])
def test_a_date_that_is_no_date_is_a_400_page(client, bromley, manager, until):
    log_in_verified(client, manager)
    for url in ("/mash/exports/annex-a.xlsx", "/mash/exports/annex-a/list-1.csv"):
        response = client.get(f"{url}?borough=bromley&until={until}")
        assert response.status_code == 400
        assert "Enter the date as YYYY-MM-DD" in response.text
        assert "govuk-heading-l" in response.text
    assert not AuditEvent.objects.filter(action="annex_a_exported").exists()


def test_a_period_not_yet_over_is_a_400_page(client, bromley, manager, time_machine):
    log_in_verified(client, manager)
    time_machine.move_to(at(2026, 9, 3), tick=False)
    for url in ("/mash/exports/annex-a.xlsx", "/mash/exports/annex-a/list-3.csv"):
        response = client.get(f"{url}?borough=bromley&until=2026-09-04")
        assert response.status_code == 400
        assert "The six months must end today or in the past" in response.text
        assert client.get(f"{url}?borough=bromley&until=2026-09-03").status_code == 200
    assert AuditEvent.objects.filter(action="annex_a_exported").count() == 2


def test_another_borough_or_none_is_404_and_screeners_403(client, bromley, bexley, history):
    outsider = StaffMemberFactory(boroughs=[bexley], manager=True).user
    log_in_verified(client, outsider)
    urls = [
        "/mash/exports/annex-a.xlsx",
        *(f"/mash/exports/annex-a/list-{n}.csv" for n in (1, 2, 3)),
    ]
    for url in urls:
        assert client.get(f"{url}{QUERY}").status_code == 404
        assert client.get(f"{url}?borough=nowhere").status_code == 404
    assert client.get(f"/mash/exports/annex-a/list-4.csv{QUERY}").status_code == 404
    # Bexley's own export does not show Bromley's referrals.
    own = _csv(client.get("/mash/exports/annex-a/list-3.csv?borough=bexley&until=2026-05-31"))
    assert [row[-1] for row in own[1:]] == [history["bexley"].reference]
    screener = StaffMemberFactory(boroughs=[bromley]).user
    log_in_verified(client, screener)
    for url in [*urls, "/mash/exports/"]:
        assert client.get(f"{url}{QUERY}").status_code == 403
    assert (
        AuditEvent.objects.filter(
            action="access_refused", user=screener, detail__reason="not_manager"
        ).count()
        == len(urls) + 1
    )


def test_a_manager_of_two_boroughs_must_say_which(client, bromley, bexley):
    both = StaffMemberFactory(boroughs=[bromley, bexley], manager=True).user
    log_in_verified(client, both)
    assert client.get("/mash/exports/annex-a/list-1.csv").status_code == 404
    assert client.get("/mash/exports/annex-a/list-1.csv?borough=bexley").status_code == 200


def test_the_exports_page(client, bromley, bexley, manager):
    log_in_verified(client, manager)
    page = client.get("/mash/exports/")
    assert page.status_code == 200 and "Exports" in page.text
    assert "/mash/exports/annex-a.xlsx" not in page.text  # links once a date is chosen
    shown = client.get("/mash/exports/?borough=bromley&day=31&month=5&year=2026")
    assert "1 December 2025 to 31 May 2026" in shown.text
    for url in (
        "/mash/exports/annex-a.xlsx?borough=bromley&amp;until=2026-05-31",
        "/mash/exports/annex-a/list-1.csv?borough=bromley&amp;until=2026-05-31",
        "/mash/exports/annex-a/list-3.csv?borough=bromley&amp;until=2026-05-31",
    ):
        assert url in shown.text
    wrong = client.get("/mash/exports/?borough=bromley&day=31&month=2&year=2026")
    assert "There is a problem" in wrong.text and "Enter a real date" in wrong.text
    assert 'value="31"' in wrong.text  # what was typed is kept
    assert "<title>Error: " in wrong.text
    with time_machine.travel(at(2026, 9, 3), tick=False):
        future = client.get("/mash/exports/?borough=bromley&day=4&month=9&year=2026")
        today = client.get("/mash/exports/?borough=bromley&day=3&month=9&year=2026")
    assert "must end today or in the past" in future.text and "annex-a.xlsx" not in future.text
    assert "<title>Error: " in future.text and 'value="4"' in future.text
    assert "4 March 2026 to 3 September 2026" in today.text
    other = client.get("/mash/exports/?borough=bexley&day=31&month=5&year=2026")
    assert "Choose a borough" in other.text and "annex-a.xlsx" not in other.text
    # The managers' navigation links to it.
    assert 'href="/mash/exports/"' in client.get("/mash/team/").text
