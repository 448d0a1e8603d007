"""Issue 13 in Chromium: a child reporting about themself, what people tell us reaching staff
with their limits shown as warnings, and fields that accept what people type. axe-core on
every page and state touched; screenshots in test-results/screenshots/."""

import re

from playwright.sync_api import expect

from reporting.models import Referral
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.test_report_journey import choose, continue_, heading, start
from tests.e2e.test_screening import sign_in_verified
from tests.mash.factories import StaffMemberFactory

CHILDLINE = "0800 1111"


def childline_here(page, name: str) -> None:
    expect(page.locator("main")).to_contain_text(CHILDLINE)
    assert_accessible(page, name)


def test_a_child_reporting_about_themself(page, site):
    start(page, site)
    choose(page, "No")
    continue_(page)
    choose(page, "A child or young person")
    continue_(page)
    childline_here(page, "about self")
    choose(page, "About me")
    continue_(page)
    heading(page, "What is your name?")
    childline_here(page, "your name")
    page.get_by_label("First name").fill("Jo")
    continue_(page)
    choose(page, "I will give my age")
    continue_(page)
    page.get_by_label("How old are you?").fill("13")
    continue_(page)
    heading(page, "Where do you live?")
    childline_here(page, "where do you live")
    screenshot(page, "child-where")
    continue_(page)  # nothing given: they may go on
    heading(page, "What is your sex? (optional)")
    continue_(page)  # optional: skipped
    heading(page, "What is your ethnic group? (optional)")
    continue_(page)
    if "children" in page.url:
        choose(page, "No")
        continue_(page)
    heading(page, "Do any other children live with you?")
    choose(page, "No")
    continue_(page)
    choose(page, "Something else")
    continue_(page)
    page.get_by_label("Tell us what is worrying you").fill("Someone at home hits me.")
    continue_(page)
    continue_(page)  # when: optional
    choose(page, "Yes")
    continue_(page)
    choose(page, "It happened to me")
    continue_(page)
    heading(page, "How can we contact you safely?")
    childline_here(page, "reach you")
    screenshot(page, "child-reach-you")
    main = page.locator("main")
    expect(main).not_to_contain_text("Do you want to tell us who you are?")
    expect(main).not_to_contain_text("Who is the child to you?")
    page.get_by_label("Phone number (optional)").fill("07700 900 982")
    page.get_by_label("When and how is it safe to contact you? (optional)").fill(
        "Text me after school"
    )
    continue_(page)
    heading(page, "Check your answers")
    childline_here(page, "child check answers")
    expect(main).not_to_contain_text("How you know the child")
    expect(main).to_contain_text("07700 900982")
    screenshot(page, "child-check")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Report sent")
    childline_here(page, "child confirmation")
    expect(main).to_contain_text("they may need to talk to your family")
    expect(main).to_contain_text("they will talk to you first")
    screenshot(page, "child-sent")
    referral = Referral.objects.get()
    assert referral.about_themself and referral.referrer_phone == "+447700900982"


def test_not_safe_to_contact_on_the_confirmation_and_on_the_staff_pages(page, site, bromley):
    start(page, site)
    choose(page, "No")
    continue_(page)
    choose(page, "A member of the public")
    continue_(page)
    page.get_by_label("First name").fill("Kim")
    continue_(page)
    choose(page, "I do not know their age")  # a neighbour may not know
    continue_(page)
    heading(page, "Where can we find Kim?")
    page.get_by_label("Postcode").fill("not a postcode at all")
    continue_(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a real postcode")
    assert_accessible(page, "postcode error")
    screenshot(page, "postcode-error")
    page.get_by_label("Postcode").fill("br1 3uh")
    continue_(page)
    heading(page, "What is Kim's sex? (optional)")
    continue_(page)
    heading(page, "What is Kim's ethnic group? (optional)")
    continue_(page)
    choose(page, "No")
    continue_(page)
    choose(page, "No")
    continue_(page)
    choose(page, "Neglect")
    continue_(page)
    page.get_by_label("Tell us what is worrying you").fill("Left alone at night.")
    continue_(page)
    continue_(page)
    choose(page, "I do not know")
    continue_(page)
    choose(page, "I saw it")
    continue_(page)
    choose(page, "Yes, I will give my name and contact details")
    continue_(page)
    page.get_by_label("Full name").fill("Sam Taylor")
    page.get_by_label("Phone number").fill("01632 960 001")
    page.get_by_label("Email address").fill("sam@example.com")
    continue_(page)
    choose(page, "No")
    page.get_by_label("When and how is it safe to contact you? (optional)").fill("Email only")
    continue_(page)
    expect(page.locator("main")).to_contain_text("Not known")  # the age
    page.get_by_role("button", name="Send report").click()
    main = page.locator("main")
    expect(main).to_contain_text("we will not send you a confirmation email")
    expect(main).not_to_contain_text("We have sent a confirmation email")
    assert_accessible(page, "unsafe confirmation")
    screenshot(page, "unsafe-sent")

    referral = Referral.objects.get()
    sign_in_verified(page, site, StaffMemberFactory(boroughs=[bromley]).user)
    for name, path in (("referral", ""), ("screening", "screening/")):
        page.goto(f"{site}/mash/referrals/{referral.reference}/{path}")
        warnings = page.locator(".govuk-warning-text")
        expect(warnings).to_have_count(2)
        expect(warnings.first).to_contain_text("Not safe to contact. Their note: \u201cEmail only")
        text = re.sub(r"\s+", " ", page.locator("main").inner_text())
        for value in ("Kim", "BR1 3UH", "Left alone at night.", "Sam Taylor", "01632 960001"):
            assert value in text, (name, value)
        assert_accessible(page, f"staff {name} with warnings")
        screenshot(page, f"staff-{name}-warnings")


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 50


def test_a_renamed_png_and_a_consent_form_lost_to_another_error(page, site, tmp_path, settings):
    from tests.e2e.test_family_journeys import _continue, _professional

    settings.PRIVATE_STORAGE = {
        "BACKEND": "reporting.uploads.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private")},
    }
    page.goto(f"{site}/bromley/family-wellbeing/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Yes").check()
    _continue(page)
    _professional(page)
    _continue(page)
    renamed = tmp_path / "consent.pdf"
    renamed.write_bytes(PNG)
    page.get_by_label("Signed consent form").set_input_files(str(renamed))
    page.get_by_label("Name of the parent or carer who gave consent").fill("Sara Hughes")
    _continue(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The selected file is a PNG, but its name ends in .pdf")
    assert_accessible(page, "renamed png")
    screenshot(page, "fw-renamed-png")
    real = tmp_path / "consent.png"
    real.write_bytes(PNG)
    page.get_by_label("Signed consent form").set_input_files(str(real))
    _continue(page)  # no date: the file must be chosen again, and the page says why
    expect(summary).to_contain_text("Select the signed consent form again")
    expect(summary).to_contain_text("your browser does not keep a chosen file")
    assert_accessible(page, "consent form again")
    screenshot(page, "fw-select-again")


def test_the_borough_page_after_an_admin_edit_and_help_to_report(page, site, bromley):
    from django.apps import apps

    from contacts.seed import add_adult_social_care

    add_adult_social_care(apps)  # migration 0006's lines (the e2e database is flushed)
    first = page.goto(f"{site}/bromley/")
    etag = first.headers["etag"]
    assert "max-age=0" in first.headers["cache-control"]
    help_to_report = page.locator("#help-to-report + p")
    expect(help_to_report).to_contain_text("18001 020 8461 7373")
    expect(page.locator("main")).to_contain_text("We can arrange an interpreter")
    expect(page.locator("#bsl")).to_have_count(0)
    # The browser asks again (If-None-Match) and is answered 304 while nothing changed.
    again = page.reload()
    assert again.request.header_value("if-none-match") == etag
    assert again.status in (200, 304)  # Chromium reports the revalidated page as its 200
    # An admin edits a number and adds the BSL video relay link: the next visit shows both.
    bromley.bsl_video_relay_url = "https://bsl.example.org/bromley"
    bromley.save()
    number = bromley.lines.get(purpose="childrens_services").numbers.first()
    number.number = "020 8461 7000"
    number.save()
    page.reload()
    expect(page.locator("main")).to_contain_text("020 8461 7000")
    expect(page.locator("#bsl a")).to_have_attribute("href", "https://bsl.example.org/bromley")
    assert_accessible(page, "borough page with help to report")
    screenshot(page, "borough-help-to-report")

    start(page, site)
    choose(page, "No")
    continue_(page)
    choose(page, "A member of the public")
    continue_(page)
    page.get_by_label("First name").fill("Kim")
    continue_(page)
    choose(page, "I know roughly how old they are")
    continue_(page)
    page.get_by_label("How old is Kim?").fill("19")
    continue_(page)
    heading(page, "This service is for children")
    expect(page.locator("#adult-social-care")).to_contain_text("020 8461 7777")
    assert_accessible(page, "adult page with its number")
    screenshot(page, "adult-social-care")
