"""Urgency, alerts, search and the team in Chromium: the 14-year-old's Red referral goes first
in the queue and "Take next" serves it; a manager sees the escalation banner at the right
minute and acknowledges it; search finds the child by a misspelt name; the team view moves
referrals in bulk. axe-core on every new page and state."""

import datetime as dt
import re

import time_machine
from playwright.sync_api import expect

from contacts.calendar import LONDON
from mash.models import Alert, ScreeningRecord
from mash.tasks import raise_screening_alerts
from reporting.models import Child
from tests.e2e.conftest import assert_accessible, screenshot, sign_in
from tests.mash.factories import StaffMemberFactory
from tests.mash.screening_factories import open_referrals


def at(day, hour, minute=0):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def test_the_red_referral_goes_first_and_take_next_serves_it(page, site, bromley):
    with time_machine.travel(at(25, 10, 30), tick=True):
        screener = StaffMemberFactory(boroughs=[bromley]).user
        # 60 older referrals: the new one would be on page 2 by deadline alone.
        older = open_referrals(
            bromley, [at(16, 9) + dt.timedelta(minutes=20 * i) for i in range(60)]
        )
        (scared,) = open_referrals(bromley, [at(25, 10)])
        Child.objects.create(
            referral=scared.referral, first_name="Maya", last_name="Okafor", order=0
        )
        reference = scared.referral.reference
        sign_in(page, site, screener)
        first_rows = page.locator("#queue tbody tr th")
        assert reference not in first_rows.all_inner_texts()

        page.goto(f"{site}/mash/referrals/{reference}/screening/")
        page.get_by_role("link", name=re.compile("Set the urgency rating")).click()
        page.get_by_label("Red", exact=True).check()
        page.get_by_label("Reason").fill("Wrote: I'm scared to go home")
        page.get_by_role("button", name="Save the urgency rating").click()
        expect(page.locator("#rating-due")).to_contain_text("Wed 25 Nov 2026, 14:3")
        assert_accessible(page, "screening page with a Red rating's deadline")

        page.goto(f"{site}/mash/")
        expect(first_rows.nth(0)).to_have_text(reference)
        first = page.locator("#queue tbody tr").nth(0)
        expect(first).to_contain_text("Rated Red")
        expect(first.locator(".govuk-tag")).to_have_text("On track")  # not colour for colour
        assert older[0].referral.reference in first_rows.all_inner_texts()
        assert_accessible(page, "queue with a Red referral first")
        screenshot(page, "mash-queue-red-first")
        page.get_by_role("button", name="Take next referral").click()
        page.wait_for_url(f"{site}/mash/referrals/{reference}/")
        assert ScreeningRecord.objects.get(pk=scared.pk).claimed_by == screener


def test_a_manager_sees_the_banner_at_the_right_minute(page, site, bromley):
    manager = StaffMemberFactory(boroughs=[bromley], manager=True).user
    (record,) = open_referrals(bromley, [at(23, 10)])  # due Tue 24 Nov 10:00
    reference = record.referral.reference
    with time_machine.travel(at(23, 16, 30), tick=False):
        raise_screening_alerts.apply()
    with time_machine.travel(at(23, 16, 30) + dt.timedelta(seconds=5), tick=True):
        sign_in(page, site, manager)
        expect(page.locator("#alert-banner")).to_have_count(0)
    with time_machine.travel(at(23, 16, 31), tick=False):
        raise_screening_alerts.apply()
    with time_machine.travel(at(23, 16, 31) + dt.timedelta(seconds=5), tick=True):
        page.goto(f"{site}/mash/search/")
        banner = page.locator("#alert-banner")
        expect(banner).to_contain_text(f"{reference} is near its deadline")
        assert_accessible(page, "banner")
        screenshot(page, "mash-alert-banner")
        page.goto(f"{site}/mash/alerts/")
        expect(page.locator("#alerts")).to_contain_text("Deadline near")
        assert_accessible(page, "alerts page")
        banner.get_by_role("button", name=re.compile("Acknowledge")).click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            f"Alert about {reference} acknowledged."
        )
        expect(page.locator("#alert-banner")).to_have_count(0)
        expect(page.locator("#alerts-empty")).to_be_visible()
        assert_accessible(page, "alerts acknowledged")
    assert Alert.objects.get().acknowledged_by == manager


def test_search_finds_the_child_by_a_misspelt_name(page, site, bromley, bexley):
    with time_machine.travel(at(25, 11), tick=True):
        screener = StaffMemberFactory(boroughs=[bromley]).user
        (mine,) = open_referrals(bromley, [at(24, 9)])
        (theirs,) = open_referrals(bexley, [at(24, 9)])
        for record in (mine, theirs):
            Child.objects.create(
                referral=record.referral,
                first_name="Amira",
                last_name="Hughes",
                date_of_birth=dt.date(2012, 3, 27),
                order=0,
            )
        sign_in(page, site, screener)
        page.get_by_role("link", name="Find a referral").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Find a referral")
        assert_accessible(page, "search page")
        page.get_by_role("button", name="Search").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Enter at least one thing to search for"
        )
        assert page.title().startswith("Error: ")
        assert_accessible(page, "search error")
        page.get_by_label("Child's name").fill("Amria Hughs")
        page.get_by_role("button", name="Search").click()
        results = page.locator("#results tbody tr")
        expect(results).to_have_count(1)
        expect(results.nth(0)).to_contain_text(mine.referral.reference)
        expect(results.nth(0)).to_contain_text("Amira Hughes")
        assert theirs.referral.reference not in page.content()
        assert "Amria" not in page.url
        assert_accessible(page, "search results")
        screenshot(page, "mash-search-results")
        page.get_by_label("Child's name").fill("Nobody Atall")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#no-results")).to_be_visible()
        assert_accessible(page, "search without results")


def test_team_view_moves_referrals_in_bulk(page, site, bromley):
    with time_machine.travel(at(25, 11), tick=True):
        manager = StaffMemberFactory(boroughs=[bromley], manager=True).user
        screener = StaffMemberFactory(boroughs=[bromley]).user
        records = open_referrals(bromley, [at(24, 9), at(24, 10), at(25, 9)])
        sign_in(page, site, manager)
        page.get_by_role("link", name="Team").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Team")
        assert_accessible(page, "team")
        page.get_by_role("button", name="Reassign selected").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Select the referrals")
        assert_accessible(page, "team error")
        for record in records[:2]:
            page.get_by_label(f"Select {record.referral.reference}").check()
        page.get_by_label("Give the selected referrals to").select_option(str(screener.pk))
        page.get_by_role("button", name="Reassign selected").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "2 referrals now held by"
        )
        expect(page.locator(f"#held-{screener.username}")).to_contain_text(
            records[0].referral.reference
        )
        assert_accessible(page, "team after reassigning")
        screenshot(page, "mash-team")
    holders = dict(ScreeningRecord.objects.values_list("pk", "claimed_by"))
    assert [holders[r.pk] for r in records] == [screener.pk, screener.pk, None]
