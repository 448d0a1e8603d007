"""Annex A exports in Chromium: a manager opens Exports from the navigation, gets the date
wrong first, then downloads the workbook and a list as CSV through real browser downloads;
the files are read back. axe-core on the page and its error state."""

import csv
import datetime as dt

import openpyxl
import pytest
import time_machine
from playwright.sync_api import expect

from contacts.calendar import LONDON
from mash import annex_a
from reporting.models import Child
from tests.e2e.conftest import assert_accessible, screenshot, sign_in
from tests.mash.factories import StaffMemberFactory
from tests.reporting.factories import ReferralFactory

NOW = dt.datetime(2026, 6, 3, 11, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def test_a_manager_downloads_annex_a(page, site, bromley, tmp_path):
    manager = StaffMemberFactory(boroughs=[bromley], manager=True).user
    referral = ReferralFactory(
        borough=bromley, received_at=dt.datetime(2026, 5, 20, 10, tzinfo=LONDON), contact_source="9"
    )
    Child.objects.create(
        referral=referral,
        order=0,
        first_name="Amy",
        unborn=True,
        due_date=dt.date(2026, 8, 1),
        person_key="CAMYBROWSER01",
    )
    sign_in(page, site, manager)
    page.get_by_role("link", name="Exports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports")
    assert_accessible(page, "exports")
    screenshot(page, "mash-exports")

    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show the downloads").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a real date")
    assert page.title().startswith("Error: ")
    assert_accessible(page, "exports-error")
    screenshot(page, "mash-exports-error")

    page.get_by_label("Month").fill("5")
    page.get_by_role("button", name="Show the downloads").click()
    expect(page.locator("main h2")).to_have_text("Annex A, 1 December 2025 to 31 May 2026")
    assert_accessible(page, "exports-links")
    screenshot(page, "mash-exports-links")

    with page.expect_download() as caught:
        page.get_by_role("link", name="Annex A workbook").click()
    download = caught.value
    assert download.suggested_filename == "annex-a-lists-bromley-2026-05-31.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == [annex_a.TITLES[n] for n in (1, 2, 3)]
    rows = list(workbook["List 1 Contacts"].iter_rows(values_only=True))
    assert rows[0] == annex_a.LIST_1
    assert rows[1][0] == "CAMYBROWSER01" and rows[1][4] == -1 and rows[1][6] == "9"

    with page.expect_download() as caught:
        page.get_by_role("link", name="List 1 Contacts (CSV)").click()
    path = tmp_path / caught.value.suggested_filename
    caught.value.save_as(path)
    with path.open(newline="", encoding="utf-8") as file:
        lines = list(csv.reader(file))
    assert lines == [
        list(annex_a.LIST_1),
        [
            "CAMYBROWSER01",
            "c) Not stated/recorded (unknown)",
            "NOBT",
            "01/08/2026",
            "-1",
            "20/05/2026",
            "9",
        ],
    ]
