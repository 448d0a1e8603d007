"""Staff sign-in in Chromium: password, then a real TOTP code; first-time enrolment from the
setup key shown on the page; the lockout page. axe-core on every page and error state."""

import base64
import re

from django_otp.oath import TOTP
from playwright.sync_api import expect

from mash.enrolment import create_link
from tests.e2e.conftest import assert_accessible, screenshot
from tests.mash.factories import PASSWORD, StaffMemberFactory, device_for


def _code(key: bytes) -> str:
    return f"{TOTP(key).token():06d}"


def _password(page, site, username, password=PASSWORD):
    page.goto(f"{site}/mash/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def test_sign_in_with_password_and_totp(page, site, bromley):
    member = StaffMemberFactory(manager=True, boroughs=[bromley])
    username = member.user.username

    page.goto(f"{site}/mash/audit/")
    assert page.url.startswith(f"{site}/mash/login/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in to MASH screening"
    assert page.get_by_text("Exit this page").count() == 0
    assert_accessible(page, "login")
    screenshot(page, "staff-login")

    _password(page, site, username, "not-the-password")
    assert page.title().startswith("Error: ")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "login error")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Username").fill(username)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{site}/mash/verify/")
    assert_accessible(page, "verify")
    screenshot(page, "staff-verify")

    right = _code(device_for(member.user).bin_key)
    page.get_by_label("Security code").fill("000000" if right != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "verify error")

    # A password alone still opens nothing.
    page.goto(f"{site}/mash/audit/")
    assert not page.url.startswith(f"{site}/mash/audit/")

    page.goto(f"{site}/mash/verify/")
    page.wait_for_timeout(1100)  # this session's wait after a wrong code
    page.get_by_label("Security code").fill(_code(device_for(member.user).bin_key))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{site}/mash/")  # the queue
    page.goto(f"{site}/mash/audit/")
    assert page.get_by_role("heading", level=1).inner_text() == "Audit trail"
    assert page.get_by_role("button", name=re.compile("Sign out")).is_visible()
    assert_accessible(page, "audit trail")
    screenshot(page, "staff-audit")

    page.get_by_role("button", name=re.compile("Sign out")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    assert_accessible(page, "signed out")
    page.goto(f"{site}/mash/audit/")
    assert page.url.startswith(f"{site}/mash/login/")


def test_first_sign_in_enrols_from_the_setup_key(page, site, bromley):
    member = StaffMemberFactory(manager=True, boroughs=[bromley], with_device=False)
    page.goto(site + create_link(user=member.user))  # the one-time link the admin gave
    page.wait_for_url(f"{site}/mash/login/")
    _password(page, site, member.user.username)
    page.wait_for_url(f"{site}/mash/enrol/")
    assert page.get_by_role("img", name=re.compile("QR code")).is_visible()
    assert_accessible(page, "enrol")
    screenshot(page, "staff-enrol")

    page.get_by_label(re.compile("security code")).fill("12")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "enrol error")

    # What a person would type into their app: the setup key shown on the page.
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label(re.compile("security code")).fill(_code(base64.b32decode(secret)))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{site}/mash/")
    page.goto(f"{site}/mash/audit/")
    assert page.get_by_role("heading", level=1).inner_text() == "Audit trail"


def test_lockout_page(page, site, bromley):
    member = StaffMemberFactory(boroughs=[bromley])
    for _ in range(5):
        _password(page, site, member.user.username, "wrong-password-x")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is locked")
    assert page.get_by_text("contact your manager").is_visible()
    assert_accessible(page, "locked")
    screenshot(page, "staff-locked")
