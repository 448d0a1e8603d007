"""A message that never reached the referrer, as MASH staff see it in the browser: the warning
on the referral and screening pages and the count on the late notifications list, each page
checked with axe-core; screenshots in test-results/screenshots/."""

import datetime as dt

import time_machine
from playwright.sync_api import expect

from contacts.calendar import LONDON
from mash import screening
from notifications.models import OutboxMessage
from notifications.receipts import record_receipt
from notifications.sending import sweep_unsent
from reporting.services import submit_concern
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.test_screening import sign_in_verified
from tests.mash.factories import StaffMemberFactory
from tests.reporting.factories import concern_answers

NOW = dt.datetime(2026, 11, 24, 11, 0, tzinfo=LONDON)


def test_a_bounced_outcome_email_is_shown_to_staff(page, site, bromley):
    with time_machine.travel(NOW, tick=True):
        referral = submit_concern(
            borough=bromley, answers=concern_answers(), received_at=NOW - dt.timedelta(hours=3)
        )
        user = StaffMemberFactory(boroughs=[bromley]).user
        screening.record_decision(user=user, referral=referral, outcome="nfa", rationale="Seen")
        sweep_unsent()
        outcome = OutboxMessage.objects.get(kind="outcome", about_id=referral.pk)
        record_receipt(provider_id="", reference=f"outbox-{outcome.pk}", status="permanent-failure")

        sign_in_verified(page, site, user)
        page.goto(f"{site}/mash/referrals/{referral.reference}/")
        warning = page.locator("#failed-messages")
        expect(warning).to_contain_text("The outcome email to the referrer was not delivered")
        expect(warning).to_contain_text("phone them")
        assert_accessible(page, "failed message on the referral")
        screenshot(page, "failed-message-referral")

        page.goto(f"{site}/mash/referrals/{referral.reference}/screening/")
        expect(page.locator("#outcome-email")).to_contain_text("Not delivered")
        screenshot(page, "failed-message-screening")

        page.goto(f"{site}/mash/outcome-notifications/late/")
        expect(page.locator("#failed-heading")).to_contain_text("failed: 1")
        expect(page.locator("#failed-messages-table")).to_contain_text(referral.reference)
        assert_accessible(page, "late notifications with a failed message")
        screenshot(page, "failed-message-late-list")
