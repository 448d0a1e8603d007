"""The managers' dashboard in Chromium: a manager signs in, reads the figures and the charts
(axe-core with every details element open too, and at 320 CSS pixels), follows a figure to the
referrals behind it, and gets the period wrong and back."""

import re

from playwright.sync_api import expect

from mash.management.commands.seed_demo import seed_history
from tests.e2e.conftest import (
    SCREENSHOTS,
    assert_accessible,
    assert_error_links_focus_their_fields,
    screenshot,
    screenshots_wanted,
    sign_in,
)
from tests.mash.factories import StaffMemberFactory


def test_a_manager_reads_the_dashboard(page, site, bromley):
    seed_history(referrals=1500, years=0.3, staff=3, seed=11)
    manager = StaffMemberFactory(boroughs=[bromley], manager=True).user
    sign_in(page, site, manager)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("h1")).to_have_text("Dashboard: Bromley")
    assert_accessible(page, "dashboard")
    screenshot(page, "mash-dashboard")
    charts = page.locator("main svg[role=img]")
    assert charts.count() == 7
    for i in range(charts.count()):
        label = charts.nth(i).get_attribute("aria-labelledby")
        title_id, desc_id = label.split()
        assert page.locator(f"[id='{title_id}']").count() == 1
        assert page.locator(f"[id='{desc_id}']").count() == 1
    for summary in page.locator("main details summary").all():
        summary.click()
    assert_accessible(page, "dashboard, every table shown")
    screenshot(page, "mash-dashboard-tables")
    page.set_viewport_size({"width": 320, "height": 640})
    screenshot(page, "mash-dashboard-320px")
    for name in ("now", "trends", "chart-hours", "conversion-table"):  # views to look at
        page.locator(f"[id='{name}']").scroll_into_view_if_needed()
        if screenshots_wanted():
            page.screenshot(path=str(SCREENSHOTS / f"mash-dashboard-320px-{name}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    # a figure leads to the referrals behind it, as many as it says
    cell = page.locator("#conversion-table tbody tr").nth(-1).locator("td a").nth(1)  # total
    number = int(cell.inner_text())
    assert number > 0
    cell.click()
    expect(page.locator("h1")).to_have_text("Referred to children's social care")
    expect(page.locator("main p").first).to_contain_text(f"{number} referral")
    assert page.locator("#behind tbody tr").count() == min(number, 50)
    assert_accessible(page, "referrals behind a figure")
    screenshot(page, "mash-dashboard-referrals")
    page.get_by_role("link", name="Back to the dashboard").click()

    # a period the wrong way round: an error summary, the choice kept
    page.get_by_label("From the week beginning").select_option(index=0)
    page.get_by_label("To the week beginning").select_option(index=3)
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The last week must be the same as or after the first week"
    )
    assert re.match(r"^Error: ", page.title())
    assert_accessible(page, "dashboard with an error")
    assert assert_error_links_focus_their_fields(page, "dashboard period") == 1
    screenshot(page, "mash-dashboard-error")
