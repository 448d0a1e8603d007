"""The audit trail is append-only (in Python, in the admin and in the database) and records
logins, failed logins and logouts."""

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from mash import audit
from mash.admin import AuditEventAdmin
from mash.models import AuditAction, AuditEvent
from tests.conftest import is_postgres
from tests.mash.factories import PASSWORD, StaffMemberFactory, UserFactory, log_in_verified
from tests.reporting.factories import ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(bromley):
    member = StaffMemberFactory(boroughs=[bromley])
    referral = ReferralFactory(borough=bromley)
    return audit.record(action=AuditAction.REFERRAL_VIEWED, user=member.user, referral=referral)


class TestRecord:
    def test_record_fills_who_what_when_where(self, bromley):
        member = StaffMemberFactory(boroughs=[bromley])
        referral = ReferralFactory(borough=bromley)
        request = RequestFactory().get("/mash/referrals/x/", REMOTE_ADDR="203.0.113.9")
        request.user = member.user
        event = audit.record(
            action=AuditAction.URGENCY_SET, referral=referral, request=request, field="urgency"
        )
        event.refresh_from_db()
        assert event.user == member.user
        assert event.username == member.user.username
        assert event.referral == referral
        assert event.reference == referral.reference
        assert event.borough == bromley
        assert event.detail == {"field": "urgency", "path": "/mash/referrals/x/"}
        assert event.at is not None
        assert event.ip_hash and "203.0.113.9" not in event.ip_hash
        assert len(event.ip_hash) == 32
        # The same address hashes the same way; another one differently.
        other = RequestFactory().get("/", REMOTE_ADDR="203.0.113.10")
        assert audit.client_ip_hash(request) != audit.client_ip_hash(other)

    def test_record_without_a_user(self, db):
        event = audit.record(action="login_failed", username="ghost")
        assert event.user is None
        assert event.username == "ghost"


class TestAppendOnly:
    def test_save_of_an_existing_event_is_refused(self, event):
        event.action = "something_else"
        with pytest.raises(AuditEvent.Immutable):
            event.save()
        event.refresh_from_db()
        assert event.action == AuditAction.REFERRAL_VIEWED

    def test_delete_is_refused(self, event):
        with pytest.raises(AuditEvent.Immutable):
            event.delete()
        with pytest.raises(AuditEvent.Immutable):
            AuditEvent.objects.filter(pk=event.pk).delete()
        with pytest.raises(AuditEvent.Immutable):
            AuditEvent.objects.filter(pk=event.pk).update(action="x")
        assert AuditEvent.objects.filter(pk=event.pk, action=AuditAction.REFERRAL_VIEWED).exists()

    def test_the_database_refuses_a_raw_update(self, event):
        table = AuditEvent._meta.db_table
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET action = %s WHERE id = %s", ["x", event.pk])  # noqa: S608
        event.refresh_from_db()
        assert event.action == AuditAction.REFERRAL_VIEWED

    @pytest.mark.postgres
    def test_postgres_refuses_a_raw_delete(self, event):
        assert is_postgres()
        table = AuditEvent._meta.db_table
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_admin_offers_no_add_change_or_delete_even_to_superusers(self, event, rf):
        superuser = UserFactory(is_staff=True, is_superuser=True)
        request = rf.get("/admin/mash/auditevent/")
        request.user = superuser
        model_admin = AuditEventAdmin(AuditEvent, admin_site)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, event)
        assert not model_admin.has_delete_permission(request, event)
        assert model_admin.get_actions(request) == {}

    def test_admin_change_and_delete_pages_refuse(self, client, event, bromley):
        member = StaffMemberFactory(admin=True, boroughs=[bromley])
        member.user.is_staff = member.user.is_superuser = True
        member.user.save()
        log_in_verified(client, member.user)
        base = f"/admin/mash/auditevent/{event.pk}"
        assert client.get(f"{base}/change/").status_code == 200  # view only
        assert client.post(f"{base}/change/", {"action": "x"}).status_code == 403
        assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
        assert client.get("/admin/mash/auditevent/add/").status_code == 403
        event.refresh_from_db()
        assert event.action == AuditAction.REFERRAL_VIEWED


class TestLoginEvents:
    def test_successful_and_failed_logins_and_logout(self, client, bromley):
        member = StaffMemberFactory(boroughs=[bromley])
        username = member.user.username
        client.post("/mash/login/", {"username": username, "password": "wrong-password-1"})
        client.post("/mash/login/", {"username": "nobody-here", "password": "whatever-it-is"})
        failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
        assert failed.get(username=username).user == member.user
        assert failed.get(username="nobody-here").user is None

        from tests.mash.factories import device_for, totp_code

        client.post("/mash/login/", {"username": username, "password": PASSWORD})
        assert AuditEvent.objects.filter(
            action=AuditAction.PASSWORD_ACCEPTED, user=member.user
        ).exists()
        assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()
        client.post("/mash/verify/", {"otp_token": totp_code(device_for(member.user))})
        assert AuditEvent.objects.filter(action=AuditAction.LOGIN, user=member.user).count() == 1

        client.post("/mash/logout/")
        assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, user=member.user).count() == 1
        # Passwords never reach the trail.
        for event in AuditEvent.objects.all():
            assert PASSWORD not in str(event.detail)
            assert "wrong-password-1" not in str(event.detail)
