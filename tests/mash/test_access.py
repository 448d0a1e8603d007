"""Scoping to the user's boroughs: another borough's referral is a 404, like a missing one;
roles; the managers' audit trail page stays within their boroughs."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from mash.access import (
    get_referral_or_404,
    manager_required,
    referrals_for,
    staff_required,
    user_boroughs,
)
from mash.models import AuditEvent
from tests.mash.factories import StaffMemberFactory, UserFactory, log_in_verified
from tests.reporting.factories import ReferralFactory

pytestmark = pytest.mark.django_db
AUDIT = "/mash/audit/"


@pytest.fixture
def referrals(bromley, bexley):
    return {
        "bromley": ReferralFactory(borough=bromley),
        "bexley": ReferralFactory(borough=bexley),
    }


class TestScopingHelpers:
    def test_user_boroughs(self, bromley, bexley):
        one = StaffMemberFactory(boroughs=[bromley])
        both = StaffMemberFactory(boroughs=[bromley, bexley])
        assert list(user_boroughs(one.user)) == [bromley]
        assert set(user_boroughs(both.user)) == {bromley, bexley}
        assert not user_boroughs(UserFactory()).exists()
        assert not user_boroughs(AnonymousUser()).exists()

    def test_referrals_for_filters_to_the_users_boroughs(self, referrals, bromley, bexley):
        bromley_screener = StaffMemberFactory(boroughs=[bromley])
        both = StaffMemberFactory(boroughs=[bromley, bexley])
        assert list(referrals_for(bromley_screener.user)) == [referrals["bromley"]]
        assert set(referrals_for(both.user)) == set(referrals.values())
        assert not referrals_for(UserFactory()).exists()
        assert not referrals_for(AnonymousUser()).exists()

    def test_inactive_staff_see_nothing(self, referrals, bromley):
        member = StaffMemberFactory(boroughs=[bromley])
        member.user.is_active = False
        member.user.save()
        assert not referrals_for(member.user).exists()

    def test_get_referral_or_404_in_scope(self, referrals, bromley):
        member = StaffMemberFactory(boroughs=[bromley])
        reference = referrals["bromley"].reference
        assert get_referral_or_404(member.user, reference) == referrals["bromley"]
        assert get_referral_or_404(member.user, reference.lower()) == referrals["bromley"]

    def test_other_boroughs_referral_is_a_404_and_audited(self, referrals, bromley):
        member = StaffMemberFactory(boroughs=[bromley])
        other = referrals["bexley"]
        with pytest.raises(Http404) as raised:
            get_referral_or_404(member.user, other.reference)
        assert other.reference not in str(raised.value)
        event = AuditEvent.objects.get(action="access_refused", user=member.user)
        assert event.detail["reason"] == "not_in_scope"
        assert event.referral == other
        assert event.borough == other.borough

    def test_missing_referral_is_the_same_404(self, referrals, bromley):
        member = StaffMemberFactory(boroughs=[bromley])
        with pytest.raises(Http404) as missing:
            get_referral_or_404(member.user, "BRM-0000-0000")
        with pytest.raises(Http404) as other:
            get_referral_or_404(member.user, referrals["bexley"].reference)
        assert str(missing.value) == str(other.value)


def _view(request):
    return HttpResponse("secret page")


class TestDecorators:
    def _request(self, user):
        request = RequestFactory().get("/mash/somewhere/")
        request.user = user
        request.session = {}
        return request

    def test_anonymous_goes_to_login(self, db):
        response = staff_required(_view)(self._request(AnonymousUser()))
        assert response.status_code == 302
        assert response["Location"] == "/mash/login/?next=%2Fmash%2Fsomewhere%2F"

    def test_unverified_user_goes_to_login(self, bromley):
        member = StaffMemberFactory(boroughs=[bromley])
        member.user.is_verified = lambda: False
        response = staff_required(_view)(self._request(member.user))
        assert response.status_code == 302
        assert AuditEvent.objects.filter(user=member.user, detail__reason="otp_missing").exists()

    def test_verified_non_staff_is_forbidden(self, client, bromley):
        user = UserFactory()
        log_in_verified(client, user)
        response = client.get(AUDIT)
        assert response.status_code == 403
        assert AuditEvent.objects.filter(user=user, detail__reason="not_staff").exists()

    def test_screener_is_not_a_manager(self, client, bromley):
        member = StaffMemberFactory(boroughs=[bromley])
        log_in_verified(client, member.user)
        assert client.get(AUDIT).status_code == 403
        assert AuditEvent.objects.filter(user=member.user, detail__reason="not_manager").exists()

    def test_verified_staff_pass(self, bromley):
        member = StaffMemberFactory(manager=True, boroughs=[bromley])
        member.user.is_verified = lambda: True
        assert staff_required(_view)(self._request(member.user)).content == b"secret page"
        assert manager_required(_view)(self._request(member.user)).content == b"secret page"


class TestAuditTrailPage:
    def test_manager_reads_a_referrals_trail(self, client, referrals, bromley):
        manager = StaffMemberFactory(manager=True, boroughs=[bromley])
        screener = StaffMemberFactory(boroughs=[bromley])
        from mash import audit

        audit.record(action="referral_viewed", user=screener.user, referral=referrals["bromley"])
        log_in_verified(client, manager.user)
        response = client.get(AUDIT, {"referral": referrals["bromley"].reference})
        assert response.status_code == 200
        html = response.content.decode()
        assert screener.user.username in html
        assert "referral_viewed" in html
        assert AuditEvent.objects.filter(
            action="audit_viewed", user=manager.user, referral=referrals["bromley"]
        ).exists()

    def test_other_boroughs_referral_trail_is_404(self, client, referrals, bromley):
        manager = StaffMemberFactory(manager=True, boroughs=[bromley])
        log_in_verified(client, manager.user)
        response = client.get(AUDIT, {"referral": referrals["bexley"].reference})
        assert response.status_code == 404
        assert referrals["bexley"].reference.encode() not in response.content

    def test_manager_reads_a_users_trail_within_their_boroughs(
        self, client, referrals, bromley, bexley
    ):
        manager = StaffMemberFactory(manager=True, boroughs=[bromley])
        screener = StaffMemberFactory(boroughs=[bromley, bexley])
        from mash import audit

        audit.record(action="referral_viewed", user=screener.user, referral=referrals["bromley"])
        audit.record(action="referral_viewed", user=screener.user, referral=referrals["bexley"])
        log_in_verified(client, manager.user)
        response = client.get(AUDIT, {"user": screener.user.username})
        assert response.status_code == 200
        html = response.content.decode()
        assert referrals["bromley"].reference in html
        assert referrals["bexley"].reference not in html  # another borough's: not shown

    def test_other_boroughs_user_is_404(self, client, bromley, bexley):
        manager = StaffMemberFactory(manager=True, boroughs=[bromley])
        stranger = StaffMemberFactory(boroughs=[bexley])
        log_in_verified(client, manager.user)
        assert client.get(AUDIT, {"user": stranger.user.username}).status_code == 404
        assert client.get(AUDIT, {"user": "nobody-at-all"}).status_code == 404

    def test_audit_page_pages(self, client, referrals, bromley):
        manager = StaffMemberFactory(manager=True, boroughs=[bromley])
        from mash import audit

        for _ in range(60):
            audit.record(action="referral_viewed", user=manager.user, referral=referrals["bromley"])
        log_in_verified(client, manager.user)
        first = client.get(AUDIT, {"referral": referrals["bromley"].reference})
        assert "page 1 of 2" in first.content.decode()
        second = client.get(AUDIT, {"referral": referrals["bromley"].reference, "page": 2})
        assert "page 2 of 2" in second.content.decode()
