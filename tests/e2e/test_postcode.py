"""Finding the council by postcode, and the signs page, in Chromium with axe-core."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.contacts.ons_csv import SAMPLE, write_ons_csv
from tests.e2e.conftest import assert_accessible, screenshot


@pytest.fixture
def home(page, site, tmp_path):
    """The home page, with a small postcode directory loaded."""
    call_command("import_postcodes", str(write_ons_csv(tmp_path / "onspd.csv", SAMPLE)))
    page.goto(f"{site}/")
    assert_accessible(page, "home page")
    return page


def find(page, postcode: str) -> None:
    page.get_by_label("What is the child's postcode?").fill(postcode)
    page.get_by_role("button", name="Find your council").click()
    page.wait_for_load_state()


def test_the_home_page_asks_for_the_postcode_first(home, site):
    expect(home.get_by_role("heading", level=1)).to_have_text("Worried about a child?")
    expect(home.get_by_label("What is the child's postcode?")).to_be_visible()
    expect(home.get_by_role("link", name="Bromley", exact=True)).to_be_visible()
    screenshot(home, "home-postcode")


@pytest.mark.parametrize(
    ("typed", "slug", "council"),
    [
        ("br1 3uh", "bromley", "London Borough of Bromley"),
        ("DA67AT", "bexley", "London Borough of Bexley"),
    ],
)
def test_a_postcode_goes_to_its_borough(home, site, typed, slug, council):
    find(home, typed)
    expect(home).to_have_url(f"{site}/{slug}/")
    expect(home.get_by_role("heading", level=1)).to_have_text("Are you worried about a child?")
    expect(home.locator(".govuk-caption-l")).to_have_text(council)
    assert_accessible(home, f"{slug} from its postcode")


def test_a_postcode_outside_both_says_what_to_do(home, site):
    find(home, "SE10 9NN")
    expect(home.get_by_role("heading", level=1)).to_have_text(
        "This service does not cover SE10 9NN"
    )
    expect(home.get_by_role("link", name="0808 800 5000")).to_have_attribute(
        "href", "tel:08088005000"
    )
    expect(home.get_by_role("link", name="find the local council on GOV.UK")).to_have_attribute(
        "href", "https://www.gov.uk/find-local-council"
    )
    expect(home.get_by_role("link", name="999").first).to_be_visible()
    assert_accessible(home, "not served")
    screenshot(home, "postcode-not-served")


def test_a_postcode_on_a_boundary_lists_the_boroughs(home, site):
    find(home, "se9 4zz")
    expect(home.get_by_role("heading", level=1)).to_have_text(
        "SE9 4ZZ may be in more than one council area"
    )
    expect(home.get_by_role("link", name="Bexley", exact=True)).to_be_visible()
    home.get_by_role("link", name="Bromley", exact=True).click()
    expect(home).to_have_url(f"{site}/bromley/")
    home.go_back()
    assert_accessible(home, "boundary")
    screenshot(home, "postcode-boundary")


def test_an_invalid_postcode_gets_an_error(home, site):
    find(home, "not a postcode")
    expect(home).to_have_title(re.compile(r"^Error: "))
    summary = home.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a real postcode")
    expect(summary).to_be_focused()  # govuk-frontend moves focus to the summary
    summary.get_by_role("link", name="Enter a real postcode").click()
    expect(home.get_by_label("What is the child's postcode?")).to_be_focused()
    expect(home.get_by_label("What is the child's postcode?")).to_have_value("not a postcode")
    assert_accessible(home, "invalid postcode")
    screenshot(home, "postcode-invalid")


def test_the_signs_page(page, site):
    page.goto(f"{site}/bexley/")
    page.get_by_role("link", name="signs that a child may be at risk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signs that a child may be at risk")
    for heading in ("Physical abuse", "Emotional abuse", "Sexual abuse", "Neglect"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="You do not need to be sure: tell us")).to_be_visible()
    assert_accessible(page, "signs page")
    screenshot(page, "signs")
    page.get_by_role("button", name="Report a concern about a child").click()
    expect(page).to_have_url(f"{site}/bexley/report/")
    expect(page.get_by_role("link", name="signs that a child may be at risk")).to_be_visible()
