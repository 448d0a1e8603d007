"""The screener corrects the contact source and a child's sex and ethnicity on the screening
page, in Chromium: the links, the forms (axe, errors), the values shown after saving."""

import datetime as dt

import pytest
import time_machine
from playwright.sync_api import expect

from contacts.calendar import LONDON
from reporting.services import submit_concern
from tests.e2e.conftest import assert_accessible, screenshot, sign_in
from tests.mash.factories import StaffMemberFactory
from tests.reporting.factories import concern_answers

NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def test_correct_source_sex_and_ethnicity(page, site, bromley):
    referral = submit_concern(borough=bromley, answers=concern_answers(), received_at=NOW)
    screener = StaffMemberFactory(boroughs=[bromley]).user
    sign_in(page, site, screener)
    page.goto(f"{site}/mash/referrals/{referral.reference}/screening/")
    census = page.locator("#census-list")
    expect(census).to_contain_text("1C Individual: acquaintance")
    census.get_by_role("link", name="Change the contact source").click()
    expect(page.locator("h1")).to_have_text("Record where the contact came from")
    assert_accessible(page, "census source")
    page.get_by_label("Where did the contact come from?").select_option("6")
    page.get_by_role("button", name="Save the contact source").click()
    expect(page.locator("#contact-source")).to_have_text("6 Police")
    page.wait_for_load_state()  # the "saved" banner takes the focus (and scrolls) on start

    page.locator("#census-list").get_by_role("link", name="Change Amira Hughes").click()
    expect(page.locator("h1")).to_have_text("Record the child's sex and ethnicity")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the child's sex")
    assert_accessible(page, "census child errors")
    page.get_by_label("Female").check()
    page.get_by_label("Ethnicity").select_option("ABAN")
    screenshot(page, "mash-census-child")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#census-child-1")).to_contain_text("Sex: Female")
    expect(page.locator("#census-child-1")).to_contain_text(
        "Ethnicity: Asian or Asian British: Bangladeshi"
    )
    assert_accessible(page, "screening census")
    screenshot(page, "mash-census-screening")
