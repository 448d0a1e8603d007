"""The screening queue in Chromium: sign in with a real TOTP code, see the queue (most urgent
first, deadline tags with words), filter it, page through it, take next, release; a manager
reassigns. axe-core on every page and state looked at."""

import datetime as dt
import re

import pytest
import time_machine
from playwright.sync_api import expect

from contacts.calendar import LONDON
from mash.models import ScreeningRecord
from tests.e2e.conftest import assert_accessible, screenshot, sign_in
from tests.mash.factories import StaffMemberFactory
from tests.mash.screening_factories import open_referrals

# A Wednesday late morning: some referrals overdue, some due soon, some on track.
NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    # The server and the test share the clock; it ticks so sessions and TOTP work normally.
    with time_machine.travel(NOW, tick=True):
        yield


def at(day, hour, minute=0):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def test_sign_in_see_the_queue_filter_and_take_next(page, site, bromley, bexley):
    screener = StaffMemberFactory(boroughs=[bromley]).user
    overdue, amber, green = open_referrals(bromley, [at(23, 9), at(24, 12), at(25, 10)])
    (elsewhere,) = open_referrals(bexley, [at(23, 9)])

    sign_in(page, site, screener)
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening queue")
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(3)
    refs = [r.referral.reference for r in (overdue, amber, green)]
    assert [rows.nth(i).locator("th").inner_text() for i in range(3)] == refs
    expect(rows.nth(0)).to_contain_text("Overdue by 10 hours 30 minutes")
    expect(rows.nth(0).locator(".govuk-tag")).to_have_text("Overdue")
    expect(rows.nth(1).locator(".govuk-tag")).to_have_text("Due soon")
    expect(rows.nth(2).locator(".govuk-tag")).to_have_text("On track")
    assert elsewhere.referral.reference not in page.content()
    assert_accessible(page, "queue")
    screenshot(page, "mash-queue")

    page.get_by_label("Deadline").select_option("amber")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r".*state=amber.*"))
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator("th")).to_have_text(amber.referral.reference)
    assert_accessible(page, "queue filtered")
    page.get_by_label("Kind").select_option("family_wellbeing")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#queue-empty")).to_have_text("No referrals match your filters.")
    assert_accessible(page, "queue filtered to nothing")
    page.get_by_role("link", name="Clear filters").click()
    expect(rows).to_have_count(3)

    page.get_by_role("button", name="Take next referral").click()
    page.wait_for_url(f"{site}/mash/referrals/{overdue.referral.reference}/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"You are now screening {overdue.referral.reference}"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Referral {overdue.referral.reference}"
    )
    assert_accessible(page, "referral after take next")
    screenshot(page, "mash-referral")
    overdue.refresh_from_db()
    assert overdue.claimed_by == screener

    page.get_by_role("link", name="Back to the queue").click()
    expect(rows.nth(0).locator("td").last).to_have_text("You")
    page.get_by_label("Only referrals I hold").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)

    page.get_by_role("link", name=overdue.referral.reference).click()
    page.get_by_role("button", name="Release back to the queue").click()
    page.wait_for_url(f"{site}/mash/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{overdue.referral.reference} is back in the queue."
    )
    assert_accessible(page, "queue after release")
    overdue.refresh_from_db()
    assert overdue.claimed_by is None


def test_pages_of_the_queue(page, site, bromley):
    screener = StaffMemberFactory(boroughs=[bromley]).user
    records = open_referrals(bromley, [at(16, 9) + dt.timedelta(minutes=9 * i) for i in range(65)])
    ordered = [r.referral.reference for r in sorted(records, key=lambda r: (r.due_at, r.pk))]
    sign_in(page, site, screener)
    rows = page.locator("#queue tbody tr th")
    expect(rows).to_have_count(50)
    page.get_by_role("link", name="Next page").click()
    expect(rows).to_have_count(15)
    assert rows.all_inner_texts() == ordered[50:]
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    assert_accessible(page, "queue page 2")
    screenshot(page, "mash-queue-page-2")
    page.get_by_role("link", name="Previous page").click()
    expect(rows).to_have_count(50)
    assert rows.all_inner_texts() == ordered[:50]


def test_manager_reassigns(page, site, bromley):
    manager = StaffMemberFactory(boroughs=[bromley], manager=True).user
    screener = StaffMemberFactory(boroughs=[bromley]).user
    (record,) = open_referrals(bromley, [at(24, 12)])
    sign_in(page, site, manager)
    page.get_by_role("link", name=record.referral.reference).click()
    page.get_by_role("link", name=re.compile("^Reassign")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Who should screen")
    assert_accessible(page, "reassign")
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page, "reassign error")
    page.get_by_label(re.compile("Who should screen")).select_option(str(screener.pk))
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{record.referral.reference} is now held by {screener.get_full_name()}"
    )
    assert ScreeningRecord.objects.get(pk=record.pk).claimed_by == screener
    screenshot(page, "mash-reassigned")
