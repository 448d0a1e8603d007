"""The Family Wellbeing referral (with its consent form upload), the self-referral and the
consultation request in Chromium, axe-core on every page and error state."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.calendar import calendar_for
from reporting.models import ConsentForm, Referral
from tests.e2e.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.usefixtures("private_storage")

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _continue(page, name="Continue"):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def _check(page, context):
    assert_accessible(page, context)


def _error(page, context, text):
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text(text)
    assert page.title().startswith("Error: ")
    _check(page, context)


def _date(page, day: dt.date, scope=None):
    where = scope or page
    where.get_by_label("Day").fill(str(day.day))
    where.get_by_label("Month").fill(str(day.month))
    where.get_by_label("Year").fill(str(day.year))


def _professional(page):
    page.get_by_label("Full name").fill("Jo Baker")
    page.get_by_label("Organisation").fill("Hillside Primary School")
    page.get_by_label("Your role").fill("Designated safeguarding lead")
    page.get_by_label("Work email address").fill("jo.baker@hillside.example")
    page.get_by_label("Work phone number").fill("020 8461 7000")


def test_family_wellbeing_referral_with_upload(page, site, tmp_path):
    page.goto(f"{site}/bromley/")
    page.get_by_role("link", name="Refer a family for early help").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer a family for early help")
    _check(page, "fw start")
    screenshot(page, "fw-start")
    page.get_by_role("button", name="Start now").click()

    _check(page, "fw consent question")
    _continue(page)
    _error(page, "fw consent error", "Select yes if you have the parent's or carer's written")
    page.get_by_label("Yes").check()
    _continue(page)

    _continue(page)
    _error(page, "fw professional error", "Enter your work email address")
    _professional(page)
    _continue(page)

    # The upload page: a wrong file first, then a real PDF.
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload the signed consent form")
    _check(page, "fw upload")
    fake = tmp_path / "consent.pdf"
    fake.write_bytes(b"<html><body>not a pdf</body></html>")
    page.get_by_label("Signed consent form").set_input_files(str(fake))
    page.get_by_label("Name of the parent or carer who gave consent").fill("Sara Hughes")
    _date(page, timezone.localdate() - dt.timedelta(days=3))
    _continue(page)
    _error(page, "fw upload error", "The selected file must be a PDF, JPG or PNG")
    screenshot(page, "fw-upload-error")
    expect(page.get_by_label("Name of the parent or carer who gave consent")).to_have_value(
        "Sara Hughes"
    )
    real = tmp_path / "signed-consent.pdf"
    real.write_bytes(PDF)
    page.get_by_label("Signed consent form").set_input_files(str(real))
    _continue(page)
    assert ConsentForm.objects.get().original_name == "signed-consent.pdf"

    # The child
    _check(page, "fw child name")
    page.get_by_label("First name").fill("Amira")
    page.get_by_label("Last name").fill("Hughes")
    _continue(page)
    _check(page, "fw child born")
    page.get_by_label("Yes, I will give their date of birth").check()
    _continue(page)
    _date(page, dt.date(2017, 3, 14))
    _continue(page)
    _check(page, "fw child where")
    page.get_by_label("Address").fill("12 Station Road")
    page.get_by_label("Postcode").fill("BR1 3UH")
    _continue(page)
    _check(page, "fw child sex")
    page.get_by_label("Female").check()
    _continue(page)
    _check(page, "fw child ethnicity")
    expect(page.locator("h1")).to_contain_text("ethnic group? (optional)")
    page.locator("select").select_option("MWBA")
    _continue(page)
    _check(page, "fw children")
    page.get_by_label("No").check()
    _continue(page)

    # The parent or carer
    _continue(page)
    _error(page, "fw carer error", "Enter the parent's or carer's full name")
    page.get_by_label("Full name").fill("Sara Hughes")
    page.get_by_label("Relationship to the children").fill("Mother")
    page.get_by_label("Phone number (optional)").fill("07911 123456")
    page.get_by_label("Main language (optional)").fill("Arabic")
    page.get_by_label("Yes").check()
    _continue(page)
    _check(page, "fw carers")
    page.get_by_label("No").check()
    _continue(page)

    # Criteria and details
    _continue(page)
    _error(page, "fw criteria error", "Select at least one thing that applies to the family")
    page.get_by_label("Parental or carer mental ill-health").check()
    page.get_by_label("Low-level neglect").check()
    screenshot(page, "fw-criteria")
    _continue(page)
    _continue(page)
    _error(page, "fw criteria details error", "Enter details about parental or carer")
    page.get_by_label("Parental or carer mental ill-health").fill("Mum has depression.")
    page.get_by_label("Low-level neglect").fill("Often without breakfast.")
    _continue(page)
    page.get_by_label("What support has been tried so far?").fill("School nurse sessions.")
    _continue(page)
    _check(page, "fw other agencies")
    _continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending")
    expect(page.locator("main")).to_contain_text("signed-consent.pdf")
    _check(page, "fw check answers")
    screenshot(page, "fw-check")
    _continue(page, "Send referral")

    expect(page.locator(".govuk-panel__title")).to_have_text("Referral sent")
    referral = Referral.objects.get()
    expect(page.locator(".govuk-panel__body")).to_contain_text(referral.reference)
    assert referral.consent_forms.get().original_name == "signed-consent.pdf"
    _check(page, "fw confirmation")
    screenshot(page, "fw-sent")


def test_no_consent_stop_offers_a_consultation(page, site):
    page.goto(f"{site}/bromley/family-wellbeing/consent/")
    page.get_by_label("No").check()
    _continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "We cannot accept a referral without consent"
    )
    _check(page, "fw no consent")
    screenshot(page, "fw-no-consent")
    page.get_by_role("button", name="Ask for a consultation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask MASH for a consultation")
    assert Referral.objects.count() == 0


def test_self_referral(page, site):
    page.goto(f"{site}/bexley/self-referral/")
    _check(page, "self start")
    page.get_by_role("button", name="Start now").click()
    _continue(page)
    _error(page, "self who error", "Select if you are a parent or carer or a young person")
    page.get_by_label("A parent or carer").check()
    _continue(page)
    page.get_by_label("First name").fill("Leo")
    _continue(page)
    page.get_by_label("Yes, I will give their date of birth").check()
    _continue(page)
    _date(page, dt.date(2015, 5, 2))
    _continue(page)
    page.get_by_label("School, college or nursery").fill("Bexleyheath Academy")
    _continue(page)
    expect(page.locator("h1")).to_have_text("What is Leo's sex? (optional)")
    _continue(page)  # optional: skipped
    expect(page.locator("h1")).to_have_text("What is Leo's ethnic group? (optional)")
    _continue(page)
    page.get_by_label("No").check()
    _continue(page)
    _check(page, "self help")
    page.get_by_label("A child might be excluded, or is missing school").check()
    _continue(page)
    page.get_by_label("Tell us about your family and the help you would like").fill(
        "Leo will not go to school."
    )
    _continue(page)
    _continue(page)
    _error(page, "self contact error", "Select how you would like us to contact you")
    page.get_by_label("Email").check()
    page.get_by_label("When is it safe to contact you? (optional)").fill("After 3pm")
    screenshot(page, "self-contact")
    _continue(page)
    page.get_by_label("Full name").fill("Aisha Khan")
    _continue(page)
    _error(page, "self details error", "Enter your email address, so we can email you")
    page.get_by_label("Email address").fill("aisha@example.com")
    _continue(page)
    _check(page, "self check")
    _continue(page, "Send request")
    expect(page.locator(".govuk-panel__title")).to_have_text("Request sent")
    _check(page, "self sent")
    referral = Referral.objects.get()
    assert referral.kind == "self_referral" and referral.contact_methods == ["email"]
    assert (referral.children.get().sex, referral.contact_source) == ("", "1D")


def test_consultation(page, site, bromley):
    calendar = calendar_for(bromley)
    day = timezone.localdate() + dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7)

    page.goto(f"{site}/bromley/consultation/")
    _check(page, "consultation start")
    page.get_by_role("button", name="Start now").click()
    _professional(page)
    _continue(page)
    page.get_by_label("What would you like to talk through?").fill(
        "A family with attendance problems; I am not sure they meet the criteria."
    )
    _continue(page)
    _check(page, "consultation callback")
    _date(page, saturday)
    page.get_by_label("From").select_option("10:00")
    page.get_by_label("Until").select_option("11:00")
    _continue(page)
    _error(page, "consultation callback error", "Choose a working day")
    screenshot(page, "consultation-callback-error")
    _date(page, day)
    _continue(page)
    _check(page, "consultation check")
    _continue(page, "Send request")
    expect(page.locator(".govuk-panel__title")).to_have_text("Request sent")
    _check(page, "consultation sent")
    referral = Referral.objects.get()
    assert referral.callback_date == day and referral.callback_start == dt.time(10)
