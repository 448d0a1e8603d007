"""Attacks on the staff sign-in, reproduced as they happen (issue 14):

- locking a screener out for ever by typing wrong passwords for their username;
- hammering the code page so that the screener's right codes are refused (and the audit trail
  floods);
- one TOTP code presented by several sessions at the same moment (real concurrent requests on
  PostgreSQL);
- enrolling an authenticator with the password alone (reading the TOTP secret);
- an over-long username; signing out by a GET (a link, an image, a prefetch).
"""

import datetime as dt
import threading
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.calendar import LONDON
from mash.auth_views import code_wait_seconds
from mash.enrolment import create_link
from mash.models import AuditAction, AuditEvent, EnrolmentLink
from tests.mash.factories import PASSWORD, StaffMemberFactory, device_for, totp_code

LOGIN = "/mash/login/"
VERIFY = "/mash/verify/"
ENROL = "/mash/enrol/"
LOGOUT = "/mash/logout/"
ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.7"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)


def _password(client, username, password=PASSWORD, address=VICTIM):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def screener(bromley):
    return StaffMemberFactory(boroughs=[bromley]).user


@pytest.mark.django_db
class TestNoLockoutOfRealPeople:
    def test_wrong_passwords_from_one_client_do_not_lock_the_person_out_elsewhere(self, screener):
        attacker, victim = Client(), Client()
        with time_machine.travel(START, tick=False):
            for _ in range(40):
                _password(attacker, screener.username, "wrong-password-x", ATTACKER)
            # The attacker's client is locked for this username...
            assert _password(attacker, screener.username, PASSWORD, ATTACKER).status_code == 429
            # ...the screener at their own desk is not: password and code sign them in.
            assert _password(victim, screener.username)["Location"] == VERIFY
            victim.post(VERIFY, {"otp_token": totp_code(device_for(screener))}, REMOTE_ADDR=VICTIM)
            assert _signed_in(victim)
        # One row for the lockout; four for the failures before it; none for the 36 after.
        events = Counter(
            AuditEvent.objects.filter(username=screener.username).values_list("action", flat=True)
        )
        assert events[AuditAction.LOCKED_OUT] == 1
        assert events[AuditAction.LOGIN_FAILED] == 4

    def test_attempts_during_a_lockout_do_not_restart_its_clock(self, screener):
        attacker = Client()
        with time_machine.travel(START, tick=False):
            for _ in range(5):
                _password(attacker, screener.username, "wrong-password-x", ATTACKER)
        for minutes in (10, 20, 29):  # still hammering during the 30 minutes
            with time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False):
                response = _password(attacker, screener.username, "wrong-password-x", ATTACKER)
                assert response.status_code == 429
                assert "9:30am" in response.content.decode()  # from the lockout, not from now
        with time_machine.travel(START + dt.timedelta(minutes=31), tick=False):
            assert _password(attacker, screener.username, PASSWORD, ATTACKER)["Location"] == VERIFY
        assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).count() == 1

    def test_hammering_the_code_page_never_refuses_the_persons_right_code(self, screener):
        """Someone with the password (not the phone) hammers the code page; the real person,
        in their own session, gets in with their right code at once."""
        attacker, victim = Client(), Client()
        device = device_for(screener)
        with time_machine.travel(START, tick=False):
            _password(attacker, screener.username, PASSWORD, ATTACKER)
            _password(victim, screener.username)
            wrong = _wrong(totp_code(device))
            for _ in range(200):
                attacker.post(VERIFY, {"otp_token": wrong}, REMOTE_ADDR=ATTACKER)
            response = victim.post(VERIFY, {"otp_token": totp_code(device)}, REMOTE_ADDR=VICTIM)
            assert response.status_code == 302
            assert _signed_in(victim)
            assert not _signed_in(attacker)
        # 200 tries in one second: one code was checked (and audited), 199 waited unaudited.
        assert AuditEvent.objects.filter(action=AuditAction.OTP_FAILED).count() == 1

    def test_wrong_codes_back_off_exponentially_per_session(self, screener):
        client = Client()
        device = device_for(screener)
        assert [code_wait_seconds(n) for n in range(1, 7)] == [1, 2, 4, 8, 16, 32]
        assert code_wait_seconds(50) == 300
        now = START
        with time_machine.travel(now, tick=False):
            _password(client, screener.username)
        checked = 0
        for failures in range(1, 4):
            with time_machine.travel(now, tick=False):
                wrong = _wrong(totp_code(device))
                page = client.post(VERIFY, {"otp_token": wrong}, REMOTE_ADDR=VICTIM)
                assert b"not right" in page.content
                checked += 1
            wait = code_wait_seconds(failures)
            with time_machine.travel(now + dt.timedelta(seconds=wait - 0.5), tick=False):
                page = client.post(VERIFY, {"otp_token": totp_code(device)}, REMOTE_ADDR=VICTIM)
                assert b"Too many wrong codes" in page.content  # not even checked yet
            now += dt.timedelta(seconds=wait)
        with time_machine.travel(now, tick=False):
            client.post(VERIFY, {"otp_token": totp_code(device)}, REMOTE_ADDR=VICTIM)
            assert _signed_in(client)
        assert AuditEvent.objects.filter(action=AuditAction.OTP_FAILED).count() == checked

    def test_five_wrong_codes_lock_that_client_only(self, screener):
        """Guessing codes with the password costs the guesser: every checked wrong code counts
        against the username for that client, so five lock it there (not elsewhere)."""
        attacker, victim = Client(), Client()
        device = device_for(screener)
        now = START
        for _ in range(5):
            with time_machine.travel(now, tick=False):
                # (a fresh session each time: starting again does not dodge the count)
                _password(attacker, screener.username, PASSWORD, ATTACKER)
                response = attacker.post(
                    VERIFY, {"otp_token": _wrong(totp_code(device))}, REMOTE_ADDR=ATTACKER
                )
            now += dt.timedelta(seconds=2)
        assert response.status_code == 429
        with time_machine.travel(now, tick=False):
            assert _password(attacker, screener.username, PASSWORD, ATTACKER).status_code == 429
            assert _password(victim, screener.username)["Location"] == VERIFY
            victim.post(VERIFY, {"otp_token": totp_code(device)}, REMOTE_ADDR=VICTIM)
            assert _signed_in(victim)
        assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).count() == 1
        assert not AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_code_presented_by_many_sessions_at_once_signs_in_one(seeded_boroughs):
    """Eight sessions that all gave the password post the same code at the same moment, each
    on its own thread and database connection: exactly one is signed in."""
    sessions = 8
    user = StaffMemberFactory(boroughs=[seeded_boroughs["bromley"]]).user
    device = device_for(user)
    clients = []
    for index in range(sessions):
        client = Client()
        _password(client, user.username, PASSWORD, f"198.51.100.{10 + index}")
        clients.append(client)
    code = totp_code(device)
    barrier = threading.Barrier(sessions)
    results: dict[int, bool] = {}
    errors: list[BaseException] = []

    def present(index, client):
        try:
            barrier.wait(30)
            response = client.post(
                VERIFY, {"otp_token": code}, REMOTE_ADDR=f"198.51.100.{10 + index}"
            )
            assert response.status_code in (200, 302), response.status_code
            results[index] = _signed_in(client)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=present, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(results) == sessions
    assert sum(results.values()) == 1, results
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, user=user).count() == 1


@pytest.mark.django_db
class TestEnrolmentNeedsALink:
    def test_the_password_alone_never_shows_a_secret(self, bromley):
        member = StaffMemberFactory(boroughs=[bromley], with_device=False)
        client = Client()
        response = _password(client, member.user.username)
        assert response.status_code == 403
        assert b"You need an enrolment link" in response.content
        for url in (ENROL, VERIFY):
            page = client.get(url)
            assert page.status_code == 302
            assert page["Location"] == LOGIN
        assert not TOTPDevice.objects.filter(user=member.user).exists()
        assert AuditEvent.objects.filter(
            action=AuditAction.ACCESS_REFUSED,
            user=member.user,
            detail__reason="enrolment_link_missing",
        ).exists()

    def test_a_link_works_once_with_the_password(self, bromley):
        member = StaffMemberFactory(boroughs=[bromley], with_device=False)
        path = create_link(user=member.user)
        token = path.rstrip("/").rsplit("/", 1)[1]
        link = EnrolmentLink.objects.get(user=member.user)
        assert token not in link.token_hash  # only its hash is stored
        assert link.expires_at - link.created_at == dt.timedelta(hours=24)

        first = Client()
        assert first.get(path)["Location"] == LOGIN
        assert b"set up the authenticator app" in first.get(LOGIN).content
        # A wrong password with the link uses nothing.
        _password(first, member.user.username, "wrong-password-x")
        assert _password(first, member.user.username)["Location"] == ENROL
        assert b"totp-secret" in first.get(ENROL).content
        assert AuditEvent.objects.filter(action=AuditAction.ENROLMENT_LINK_USED).count() == 1

        # Used up: another browser with the same link and the password gets no secret.
        second = Client()
        assert second.get(path).status_code == 404
        assert _password(second, member.user.username).status_code == 403

    def test_a_link_expires_after_24_hours(self, bromley):
        member = StaffMemberFactory(boroughs=[bromley], with_device=False)
        with time_machine.travel(START, tick=False):
            path = create_link(user=member.user)
        with time_machine.travel(START + dt.timedelta(hours=24, minutes=1), tick=False):
            assert Client().get(path).status_code == 404

    def test_a_link_opened_then_expired_is_refused_at_the_password(self, bromley):
        member = StaffMemberFactory(boroughs=[bromley], with_device=False)
        client = Client()
        with time_machine.travel(START, tick=False):
            client.get(create_link(user=member.user))
        with time_machine.travel(START + dt.timedelta(hours=25), tick=False):
            assert _password(client, member.user.username).status_code == 403

    def test_a_link_is_for_its_own_person_only(self, bromley):
        owner = StaffMemberFactory(boroughs=[bromley], with_device=False)
        other = StaffMemberFactory(boroughs=[bromley], with_device=False)
        client = Client()
        client.get(create_link(user=owner.user))
        assert _password(client, other.user.username).status_code == 403
        assert not EnrolmentLink.objects.filter(used_at__isnull=False).exists()

    def test_a_new_link_voids_the_old_one(self, bromley):
        member = StaffMemberFactory(boroughs=[bromley], with_device=False)
        old = create_link(user=member.user)
        create_link(user=member.user)
        assert Client().get(old).status_code == 404


@pytest.mark.django_db
class TestHostileInput:
    def test_a_5000_character_username_is_refused_without_a_500(self, client):
        response = client.post(LOGIN, {"username": "x" * 5000, "password": "whatever-it-is"})
        assert response.status_code == 200
        assert b"Enter a correct username and password" in response.content

    def test_sign_out_needs_a_post(self, client, screener):
        from tests.mash.factories import log_in_verified

        log_in_verified(client, screener)
        page = client.get(LOGOUT)
        assert page.status_code == 200
        assert b"Sign out of MASH screening" in page.content
        assert _signed_in(client)
        client.post(LOGOUT)
        assert not _signed_in(client)
