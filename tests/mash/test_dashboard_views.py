"""The dashboard pages: managers only, one of their boroughs, every figure linked to the list
behind it, the tables as streamed CSV; everything audited."""

import csv
import datetime as dt
import io

import pytest
import time_machine

from contacts.calendar import local_datetime
from mash.models import AuditAction, AuditEvent, Decision
from mash.screening import record_decision
from tests.mash.factories import StaffMemberFactory, log_in_verified
from tests.mash.screening_factories import ScreeningRecordFactory
from tests.reporting.factories import ReferralFactory

pytestmark = pytest.mark.django_db

NOW = local_datetime(dt.date(2026, 3, 18), dt.time(11))  # a Wednesday


@pytest.fixture
def history(bromley, bexley):
    """Bromley: one referral decided last week (assessment), one open; Bexley: one open."""
    screener = StaffMemberFactory(boroughs=[bromley], user__first_name="Sam").user
    with time_machine.travel(local_datetime(dt.date(2026, 3, 9), dt.time(10)), tick=False):
        decided = ScreeningRecordFactory(
            referral=ReferralFactory(borough=bromley, contact_source="6")
        )
        record_decision(
            user=screener,
            referral=decided.referral,
            outcome=Decision.Outcome.ASSESSMENT,
            rationale="Because.",
        )
    open_one = ScreeningRecordFactory(
        referral=ReferralFactory(borough=bromley, received_at=NOW - dt.timedelta(days=1))
    )
    theirs = ScreeningRecordFactory(
        referral=ReferralFactory(borough=bexley, received_at=NOW - dt.timedelta(days=1))
    )
    return {"decided": decided, "open": open_one, "bexley": theirs, "screener": screener}


@pytest.fixture
def manager(client, bromley, bexley):
    user = StaffMemberFactory(boroughs=[bromley, bexley], manager=True).user
    log_in_verified(client, user)
    return user


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_manager_sees_the_figures_with_links(client, history, manager):
    response = client.get("/mash/dashboard/")
    assert response.status_code == 200
    html = response.text
    assert "Dashboard: Bexley" in html  # the first of their boroughs by name
    response = client.get("/mash/dashboard/?borough=bromley")
    html = response.text
    assert "Dashboard: Bromley" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart"' in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in main and "<canvas" not in main
    # the default period: the 12 weeks ending with this one
    assert "Week by week, 29 Dec 2025 to 16 Mar 2026" in html
    assert (
        'href="/mash/dashboard/referrals/?borough=bromley&amp;from=2026-03-09&amp;to=2026-03-09&amp;figure=converted"'
        in html
    )
    assert "Police" in html  # the source
    event = AuditEvent.objects.filter(action=AuditAction.DASHBOARD_VIEWED).order_by("-id").first()
    assert event.user == manager and event.borough.slug == "bromley"
    assert event.detail["first_week"] == "2025-12-29" and event.detail["last_week"] == "2026-03-16"


def test_a_period_without_data_says_so_instead_of_bare_axes(client, history, manager):
    # Bexley: one open referral, nothing decided in the period
    html = client.get("/mash/dashboard/?borough=bexley").text
    assert 'id="chart-contacts"' in html  # a contact was received this week
    assert 'id="chart-outcomes"' not in html and 'id="chart-timeliness"' not in html
    assert "No decisions were made in this period." in html
    assert "No outcome messages were due in this period." in html
    # each chart shown scrolls in its own focusable region on a narrow screen
    assert html.count('class="app-chart-scroll" tabindex="0" role="region"') == html.count(
        '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart"'
    )


def test_the_list_behind_a_figure(client, history, manager):
    url = (
        "/mash/dashboard/referrals/?borough=bromley&from=2026-03-09&to=2026-03-09&figure=converted"
    )
    response = client.get(url)
    assert response.status_code == 200
    assert history["decided"].referral.reference in response.text
    assert history["open"].referral.reference not in response.text
    response = client.get("/mash/dashboard/referrals/?borough=bromley&figure=unallocated")
    assert history["open"].referral.reference in response.text
    assert history["bexley"].referral.reference not in response.text
    event = AuditEvent.objects.filter(action=AuditAction.DASHBOARD_LISTED).order_by("-id").first()
    assert event.detail["figure"] == "unallocated" and event.detail["count"] == 1
    assert client.get("/mash/dashboard/referrals/?figure=nonsense").status_code == 404
    assert client.get("/mash/dashboard/referrals/?figure=outcome&value=x").status_code == 404
    assert client.get("/mash/dashboard/referrals/?figure=held&user=x").status_code == 404


def test_a_persons_list_says_whose_it_is(client, bromley, bexley, history, manager):
    sam = history["screener"]
    url = f"/mash/dashboard/referrals/?borough=bromley&figure=decided_today&user={sam.pk}"
    response = client.get(url)
    assert '<h1 class="govuk-heading-l">Decided today by Sam ' in response.text
    assert "<title>Decided today by Sam " in response.text
    # Someone with nothing to do with the borough: no name is shown.
    stranger = StaffMemberFactory(boroughs=[bexley], user__first_name="Alex").user
    url = f"/mash/dashboard/referrals/?borough=bromley&figure=held&user={stranger.pk}"
    response = client.get(url)
    assert "Alex" not in response.text and '<h1 class="govuk-heading-l">Held</h1>' in response.text


def test_a_period_backwards_is_an_error_that_keeps_the_choice(client, history, manager):
    response = client.get("/mash/dashboard/?borough=bromley&from=2026-03-16&to=2026-03-02")
    assert response.status_code == 200
    html = response.text
    assert "There is a problem" in html and "<title>Error: " in html
    assert "The last week must be the same as or after the first week" in html
    assert '<option value="2026-03-02" selected>' in html
    assert '<option value="2026-03-16" selected>' in html


def test_csv_is_streamed_and_audited(client, history, manager):
    response = client.get(
        "/mash/dashboard/weekly.csv?borough=bromley&from=2026-03-09&to=2026-03-16"
    )
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, first, second = rows
    assert first[0] == "2026-03-09" and second[0] == "2026-03-16"
    week = dict(zip(header, first, strict=True))
    assert week["Decided"] == "1" and week["Referred to social care"] == "1"
    assert week["% converted"] == "100.0"
    assert week["Contacts: Concern about a child"] == "1"
    event = AuditEvent.objects.filter(action=AuditAction.DASHBOARD_EXPORTED).order_by("-id").first()
    assert event.detail["table"] == "weekly" and event.user == manager
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get("/mash/dashboard/now.csv?borough=bromley").streaming_content
                ).decode()
            )
        )
    )
    assert rows[0] == ["Figure", "Referrals"] and ["Unallocated", "1"] in rows
    sources = b"".join(
        client.get(
            "/mash/dashboard/sources.csv?borough=bromley&from=2026-03-09&to=2026-03-09"
        ).streaming_content
    ).decode()
    assert "6,6 Police,1" in sources
    assert client.get("/mash/dashboard/other.csv").status_code == 404


def test_screeners_are_refused_and_other_boroughs_are_not_found(client, history, bexley):
    screener = StaffMemberFactory(boroughs=[bexley]).user
    log_in_verified(client, screener)
    for url in (
        "/mash/dashboard/",
        "/mash/dashboard/referrals/?figure=decided",
        "/mash/dashboard/now.csv",
    ):
        assert client.get(url).status_code == 403
    boss = StaffMemberFactory(boroughs=[bexley], manager=True).user
    log_in_verified(client, boss)
    for url in (
        "/mash/dashboard/?borough=bromley",
        "/mash/dashboard/referrals/?borough=bromley&figure=unallocated",
        "/mash/dashboard/weekly.csv?borough=bromley",
    ):
        assert client.get(url).status_code == 404
    assert "Dashboard: Bexley" in client.get("/mash/dashboard/").text


def test_the_navigation_shows_the_dashboard_to_managers_only(client, history, bromley):
    boss = StaffMemberFactory(boroughs=[bromley], manager=True).user
    log_in_verified(client, boss)
    assert 'href="/mash/dashboard/"' in client.get("/mash/").text
    log_in_verified(client, history["screener"])
    assert 'href="/mash/dashboard/"' not in client.get("/mash/").text
