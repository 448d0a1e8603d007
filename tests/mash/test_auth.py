"""Staff sign-in: password then TOTP (enrolling the first time), lockout, session limits,
no-store caching, the admin behind the same two factors, and the create_staff command."""

import datetime as dt
import re
from io import StringIO

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.calendar import LONDON
from mash.enrolment import create_link
from mash.models import AuditEvent, StaffMember
from tests.mash.factories import (
    PASSWORD,
    StaffMemberFactory,
    UserFactory,
    device_for,
    log_in_password_only,
    log_in_verified,
    totp_code,
)

LOGIN = "/mash/login/"
VERIFY = "/mash/verify/"
ENROL = "/mash/enrol/"
LOGOUT = "/mash/logout/"
AUDIT = "/mash/audit/"
# Every staff URL mash-access owns, and the admin. (mash-queue sweeps its own the same way.)
PROTECTED = [AUDIT, f"{AUDIT}?user=someone", "/admin/", "/admin/mash/auditevent/"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(bromley):
    return StaffMemberFactory(manager=True, boroughs=[bromley])


def _password(client, username, password=PASSWORD, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def _assert_not_in(response):
    """Refused: sent to the login or the code page, never the page itself."""
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith((LOGIN, VERIFY, "/admin/login/")), response["Location"]


class TestPasswordStep:
    def test_login_page_renders_with_no_store(self, client):
        response = client.get(LOGIN)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert b"Sign in to MASH screening" in response.content
        assert b"Exit this page" not in response.content

    def test_wrong_password_shows_error_and_signs_nobody_in(self, client, manager):
        response = _password(client, manager.user.username, "not-the-password")
        assert response.status_code == 200
        assert b"Enter a correct username and password" in response.content
        assert "_auth_user_id" not in client.session
        assert response.context["form_has_errors"]

    def test_password_alone_opens_nothing(self, client, manager):
        response = _password(client, manager.user.username)
        assert response.status_code == 302
        assert response["Location"] == VERIFY
        assert "_auth_user_id" not in client.session  # not signed in until the code
        for url in PROTECTED:
            _assert_not_in(client.get(url))
        refusals = AuditEvent.objects.filter(
            action="access_refused", username=manager.user.username
        )
        assert refusals.count() >= 2
        assert {e.detail["reason"] for e in refusals} == {"otp_missing"}

    def test_a_password_only_session_is_refused_everywhere(self, client, manager):
        manager.user.is_staff = manager.user.is_superuser = True
        manager.user.save()
        log_in_password_only(client, manager.user)
        for url in PROTECTED:
            _assert_not_in(client.get(url))
        assert AuditEvent.objects.filter(
            action="access_refused", user=manager.user, detail__reason="otp_missing"
        ).exists()

    def test_next_is_kept_through_both_steps_but_not_off_site(self, client, manager):
        _password(client, manager.user.username, next_url=f"{AUDIT}?user=x")
        response = client.post(VERIFY, {"otp_token": totp_code(device_for(manager.user))})
        assert response["Location"] == f"{AUDIT}?user=x"
        client.post(LOGOUT)
        _password(client, manager.user.username, next_url="https://evil.example/")
        with time_machine.travel(dt.timedelta(seconds=60)):  # a fresh TOTP step
            response = client.post(VERIFY, {"otp_token": totp_code(device_for(manager.user))})
        assert response["Location"] == "/mash/"


class TestCodeStep:
    def test_right_code_signs_in_verified(self, client, manager):
        _password(client, manager.user.username)
        response = client.post(VERIFY, {"otp_token": totp_code(device_for(manager.user))})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(manager.user.pk)
        page = client.get(AUDIT)
        assert page.status_code == 200
        assert "no-store" in page["Cache-Control"]
        assert AuditEvent.objects.filter(action="login", user=manager.user).count() == 1

    def test_wrong_code_is_refused_and_audited(self, client, manager):
        _password(client, manager.user.username)
        device = device_for(manager.user)
        wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
        response = client.post(VERIFY, {"otp_token": wrong})
        assert response.status_code == 200
        assert b"The security code is not right" in response.content
        assert "_auth_user_id" not in client.session
        assert AuditEvent.objects.filter(action="otp_failed", user=manager.user).exists()
        _assert_not_in(client.get(AUDIT))

    def test_codes_are_throttled_after_a_wrong_one(self, client, manager):
        start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
        device = device_for(manager.user)
        with time_machine.travel(start, tick=False):
            _password(client, manager.user.username)
            wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
            client.post(VERIFY, {"otp_token": wrong})
            # Even the right code is not checked until the wait is over.
            response = client.post(VERIFY, {"otp_token": totp_code(device)})
            assert b"Too many wrong codes" in response.content
            assert "_auth_user_id" not in client.session
        with time_machine.travel(start + dt.timedelta(seconds=5), tick=False):
            response = client.post(VERIFY, {"otp_token": totp_code(device)})
            assert response.status_code == 302
            assert client.session["_auth_user_id"] == str(manager.user.pk)

    def test_code_must_be_six_digits(self, client, manager):
        _password(client, manager.user.username)
        response = client.post(VERIFY, {"otp_token": "12ab"})
        assert b"Enter the 6-digit security code" in response.content

    def test_code_page_needs_the_password_first(self, client, manager):
        assert client.get(VERIFY)["Location"] == LOGIN
        assert client.post(VERIFY, {"otp_token": "123456"})["Location"] == LOGIN

    def test_pending_password_expires_after_ten_minutes(self, client, manager):
        start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
        with time_machine.travel(start, tick=False):
            _password(client, manager.user.username)
        with time_machine.travel(start + dt.timedelta(minutes=11), tick=False):
            response = client.post(VERIFY, {"otp_token": totp_code(device_for(manager.user))})
        assert response["Location"] == LOGIN
        assert "_auth_user_id" not in client.session


class TestEnrolment:
    def test_first_sign_in_enrols_with_a_qr_code(self, client, bromley):
        member = StaffMemberFactory(manager=True, boroughs=[bromley], with_device=False)
        assert client.get(create_link(user=member.user))["Location"] == LOGIN
        response = _password(client, member.user.username)
        assert response["Location"] == ENROL
        _assert_not_in(client.get(AUDIT))

        page = client.get(ENROL)
        assert page.status_code == 200
        html = page.content.decode()
        assert 'src="data:image/svg+xml;base64,' in html
        device = TOTPDevice.objects.get(user=member.user)
        assert not device.confirmed
        secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
        import base64

        assert base64.b32decode(secret) == device.bin_key

        # Reloading the page keeps the same unconfirmed device (the QR code stays valid).
        client.get(ENROL)
        assert TOTPDevice.objects.filter(user=member.user).count() == 1

        wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
        assert client.post(ENROL, {"otp_token": wrong}).status_code == 200
        device.refresh_from_db()
        assert not device.confirmed

        with time_machine.travel(dt.timedelta(seconds=1)):  # past the failure throttle
            response = client.post(ENROL, {"otp_token": totp_code(device)})
        assert response.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        assert client.get(AUDIT).status_code == 200
        assert AuditEvent.objects.filter(action="otp_enrolled", user=member.user).exists()

    def test_enrolled_user_cannot_enrol_again(self, client, manager):
        _password(client, manager.user.username)
        assert client.get(ENROL)["Location"] == VERIFY
        assert TOTPDevice.objects.filter(user=manager.user).count() == 1


class TestLockout:
    def test_five_failures_lock_the_account(self, client, manager):
        username = manager.user.username
        for _ in range(4):
            assert _password(client, username, "wrong-password-x").status_code == 200
        response = _password(client, username, "wrong-password-x")
        assert response.status_code == 429
        # Now even the right password is refused, with the locked page.
        response = _password(client, username)
        assert response.status_code == 429
        html = response.content.decode()
        assert "Your account is locked" in html
        assert "try again after" in html
        assert "contact your manager" in html
        assert "no-store" in response["Cache-Control"]
        assert "_auth_user_id" not in client.session
        # Four failures, then the fifth is the lockout's one row; the refused attempt during
        # the lockout writes none.
        assert AuditEvent.objects.filter(action="login_failed", username=username).count() == 4
        assert AuditEvent.objects.filter(action="locked_out", username=username).count() == 1
        # No IP address stored by axes: a keyed pseudonym of it.
        attempts = AccessAttempt.objects.filter(username=username)
        assert attempts.exists()
        assert all(a.ip_address not in (None, "127.0.0.1") for a in attempts)

    def test_lock_lifts_after_the_cool_off(self, client, manager):
        start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
        username = manager.user.username
        with time_machine.travel(start, tick=False):
            for _ in range(5):
                _password(client, username, "wrong-password-x")
            assert _password(client, username).status_code == 429
        with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
            assert _password(client, username)["Location"] == VERIFY

    def test_another_username_is_not_locked(self, client, manager, bromley):
        other = StaffMemberFactory(boroughs=[bromley])
        for _ in range(5):
            _password(client, manager.user.username, "wrong-password-x")
        assert _password(client, other.user.username)["Location"] == VERIFY


class TestSessionLimits:
    def test_idle_thirty_minutes_signs_out(self, client, manager):
        start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
        with time_machine.travel(start, tick=False):
            log_in_verified(client, manager.user)
            assert client.get(AUDIT).status_code == 200
        with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
            assert client.get(AUDIT).status_code == 200
        with time_machine.travel(start + dt.timedelta(minutes=29 + 31), tick=False):
            _assert_not_in(client.get(AUDIT))
            assert "_auth_user_id" not in client.session
            login_page = client.get(LOGIN)
            assert b"did nothing for 30 minutes" in login_page.content
        assert AuditEvent.objects.filter(
            action="session_expired", user=manager.user, detail__reason="idle"
        ).exists()

    def test_twelve_hours_at_most_even_when_active(self, client, manager):
        start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=LONDON)
        with time_machine.travel(start, tick=False):
            log_in_verified(client, manager.user)
        for minutes in range(20, 12 * 60, 20):
            with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
                assert client.get(AUDIT).status_code == 200, minutes
        with time_machine.travel(start + dt.timedelta(hours=12, minutes=1), tick=False):
            _assert_not_in(client.get(AUDIT))
        assert AuditEvent.objects.filter(
            action="session_expired", user=manager.user, detail__reason="absolute"
        ).exists()

    def test_logout_ends_the_session_and_is_audited(self, client, manager):
        log_in_verified(client, manager.user)
        page = client.get(LOGOUT)  # a link or a prefetch signs nobody out
        assert page.status_code == 200
        assert b'<form method="post" action="/mash/logout/"' in page.content
        assert client.get(AUDIT).status_code == 200
        response = client.post(LOGOUT)
        assert response.status_code == 200
        assert b"You have signed out" in response.content
        _assert_not_in(client.get(AUDIT))
        assert AuditEvent.objects.filter(action="logout", user=manager.user).exists()


class TestNoStore:
    def test_staff_and_admin_responses_are_no_store(self, client, manager):
        for url in [LOGIN, AUDIT, "/admin/", "/admin/login/"]:
            response = client.get(url)
            assert "no-store" in response["Cache-Control"], url
        log_in_verified(client, manager.user)
        assert "no-store" in client.get(AUDIT)["Cache-Control"]

    def test_public_pages_are_not_forced_to_no_store(self, client, seeded_boroughs):
        response = client.get("/privacy/")
        assert "no-store" not in response.get("Cache-Control", "")


class TestAdminNeedsTwoFactors:
    def test_admin_login_sends_to_the_staff_login(self, client):
        response = client.get("/admin/login/?next=/admin/contacts/")
        assert response.status_code == 302
        assert response["Location"] == "/mash/login/?next=%2Fadmin%2Fcontacts%2F"

    def test_verified_admin_gets_in(self, client, bromley):
        member = StaffMemberFactory(admin=True, boroughs=[bromley])
        member.user.is_staff = member.user.is_superuser = True
        member.user.save()
        log_in_verified(client, member.user)
        assert client.get("/admin/").status_code == 200
        assert client.get("/admin/mash/auditevent/").status_code == 200

    def test_verified_non_admin_is_refused_without_a_loop(self, client, manager):
        log_in_verified(client, manager.user)
        assert client.get("/admin/").status_code in (302, 403)
        assert client.get("/admin/login/").status_code == 403


class TestCreateStaff:
    def test_creates_a_staff_member_and_says_how_to_enrol(self, bromley, bexley):
        out = StringIO()
        call_command(
            "create_staff",
            "jo.screener",
            "--role",
            "manager",
            "--borough",
            "bromley",
            "--borough",
            "bexley",
            "--password",
            "a-long-enough-passphrase",
            stdout=out,
        )
        member = StaffMember.objects.get(user__username="jo.screener")
        assert member.role == "manager"
        assert set(member.boroughs.values_list("slug", flat=True)) == {"bromley", "bexley"}
        assert member.user.check_password("a-long-enough-passphrase")
        assert not member.user.is_staff
        assert "/mash/login/" in out.getvalue()
        assert "QR code" in out.getvalue()

    def test_generates_a_password_when_none_given(self, bromley):
        out = StringIO()
        call_command("create_staff", "sam", "--borough", "bromley", stdout=out)
        password = re.search(r"Password \(shown once\): (\S+)", out.getvalue()).group(1)
        assert StaffMember.objects.get(user__username="sam").user.check_password(password)

    def test_unknown_borough_is_an_error(self, bromley):
        with pytest.raises(CommandError, match="No borough"):
            call_command("create_staff", "x", "--borough", "croydon", stdout=StringIO())

    def test_weak_password_is_refused(self, bromley):
        with pytest.raises(CommandError):
            call_command(
                "create_staff",
                "y",
                "--borough",
                "bromley",
                "--password",
                "short",
                stdout=StringIO(),
            )


def test_user_factory_password_works(db):
    user = UserFactory()
    assert user.check_password(PASSWORD)
