"""`seed_demo`: fake referrals with screening records and demo staff who can really sign in
with the printed TOTP secrets; refused when DEBUG is off unless forced."""

import base64
import datetime as dt
import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.calendar import calendar_for
from mash.deadlines import screening_due_at
from mash.models import ScreeningRecord, StaffMember
from reporting.models import Child, Referral
from reporting.references import REFERENCE_RE

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_refuses_when_debug_is_off(settings, seeded_boroughs):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        seed("--referrals", "5", "--staff", "1")
    assert not Referral.objects.exists()
    assert not get_user_model().objects.filter(username="manager").exists()


def test_force_overrides(settings, seeded_boroughs):
    settings.DEBUG = False
    seed("--referrals", "5", "--staff", "1", "--force")
    assert Referral.objects.count() == 5


def test_fills_referrals_with_screening_records(settings, seeded_boroughs):
    settings.DEBUG = True
    before = timezone.now()
    output = seed("--referrals", "400", "--staff", "3", "--seed", "7")
    referrals = list(Referral.objects.select_related("borough", "screening"))
    assert len(referrals) == 400
    assert "Seeded 400 referrals" in output
    by_borough = Counter(r.borough.slug for r in referrals)
    assert set(by_borough) == {"bromley", "bexley"} and min(by_borough.values()) > 100
    references = [r.reference for r in referrals]
    assert len(set(references)) == 400
    calendars = {slug: calendar_for(b) for slug, b in seeded_boroughs.items()}
    for referral in referrals:
        assert REFERENCE_RE.match(referral.reference)
        assert referral.reference.startswith(referral.borough.reference_prefix + "-")
        assert before - dt.timedelta(days=10, seconds=5) <= referral.received_at <= timezone.now()
        record = referral.screening
        assert record.borough_id == referral.borough_id and record.decided_at is None
        assert record.due_at == screening_due_at(
            referral.borough, referral.received_at, calendar=calendars[referral.borough.slug]
        )
        if referral.anonymous:
            assert not (referral.referrer_name or referral.referrer_email)
    for referral in referrals[:40]:
        referral.full_clean()
    # varied received times: spread over most of the ten days, in and out of office hours
    received = sorted(r.received_at for r in referrals)
    assert received[-1] - received[0] > dt.timedelta(days=8)
    assert len({r.kind for r in referrals}) == len(Referral.Kind)
    assert Child.objects.values("referral").distinct().count() == 400
    # some are already held by the demo screeners, never by someone of another borough
    held = ScreeningRecord.objects.filter(claimed_by__isnull=False).select_related(
        "claimed_by__staff"
    )
    assert held.exists()
    for record in held:
        assert record.claimed_by.staff.boroughs.filter(pk=record.borough_id).exists()
        assert record.claimed_at is not None


def test_staff_and_their_totp_secrets(settings, seeded_boroughs, client):
    settings.DEBUG = True
    output = seed("--referrals", "0", "--staff", "3", "--password", "a-demo-password-123")
    members = {m.user.username: m for m in StaffMember.objects.select_related("user")}
    assert set(members) == {"screener1", "screener2", "screener3", "manager"}
    assert members["manager"].role == StaffMember.Role.MANAGER
    assert {b.slug for b in members["manager"].boroughs.all()} == {"bromley", "bexley"}
    assert {b.slug for b in members["screener3"].boroughs.all()} == {"bromley", "bexley"}
    assert members["screener1"].boroughs.count() == 1
    secrets = dict(re.findall(r"  (\w+) \(.*?\)\n    TOTP secret: ([A-Z2-7]+)\n", output))
    assert set(secrets) == set(members)
    for username, secret in secrets.items():
        device = TOTPDevice.objects.get(user__username=username)
        assert device.confirmed
        assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
        assert "otpauth://totp/" in output and f"secret={secret}" in output
    # A demo user signs in for real with the password and a code made from the printed secret.
    response = client.post(
        "/mash/login/", {"username": "screener2", "password": "a-demo-password-123"}
    )
    assert response.status_code == 302
    key = base64.b32decode(secrets["screener2"] + "=" * (-len(secrets["screener2"]) % 8))
    code = f"{totp(key, step=30, t0=0, digits=6, drift=0):06d}"
    response = client.post("/mash/verify/", {"otp_token": code})
    assert response.status_code == 302
    assert client.get("/mash/").status_code == 200


def test_running_again_adds_referrals_and_resets_staff(settings, seeded_boroughs):
    settings.DEBUG = True
    seed("--referrals", "20", "--staff", "2")
    first_key = TOTPDevice.objects.get(user__username="screener1").key
    seed("--referrals", "20", "--staff", "2")
    assert Referral.objects.count() == 40 == ScreeningRecord.objects.count()
    assert get_user_model().objects.filter(username__startswith="screener").count() == 2
    assert TOTPDevice.objects.filter(user__username="screener1").count() == 1
    assert TOTPDevice.objects.get(user__username="screener1").key != first_key


def test_more_than_one_batch(settings, seeded_boroughs):
    """Over one batch (5,000) the rows go in several bulk inserts, all with their records."""
    settings.DEBUG = True
    output = seed("--referrals", "6000", "--staff", "1")
    assert "5,000 / 6,000" in output and "6,000 / 6,000" in output
    assert Referral.objects.count() == 6000 == ScreeningRecord.objects.count()
    assert not Referral.objects.filter(screening__isnull=True).exists()


def test_history_years_of_decided_referrals(seeded_boroughs):
    """--years: referrals over years, the older ones decided (outcome, working time taken,
    mostly in time), outcome emails sent or flagged late, sources and repeat children."""
    from contacts.calendar import calendar_for as calendar_of
    from mash.management.commands.seed_demo import OPEN_FOR, seed_history
    from mash.models import ConsultationAdvice, Decision
    from mash.notifications import dedupe_key
    from notifications.models import OutboxMessage
    from reporting.models import ContactSource

    now = timezone.now()
    made = seed_history(referrals=3000, years=3, staff=2, seed=5)
    assert sum(made.values()) == 3000 and set(made) == {"bromley", "bexley"}
    records = list(ScreeningRecord.objects.select_related("referral", "borough"))
    received = [r.received_at for r in records]
    assert min(received) < now - dt.timedelta(days=2 * 365)
    assert max(received) <= timezone.now()
    calendars = {slug: calendar_of(b) for slug, b in seeded_boroughs.items()}
    in_time = decided = 0
    for record in records:
        old = record.received_at < now - OPEN_FOR - dt.timedelta(minutes=1)
        young = record.received_at > timezone.now() - OPEN_FOR
        if old:
            assert record.decided_at is not None, record.referral.reference
        if young:
            assert record.decided_at is None
        if record.decided_at is None:
            continue
        decided += 1
        in_time += record.decided_at <= record.effective_due_at
        took = calendars[record.borough.slug].working_time_between(
            record.received_at, record.decided_at
        )
        assert record.decision_working_seconds == int(took.total_seconds())
        assert record.claimed_by_id is not None
        if record.kind == Referral.Kind.CONSULTATION:
            assert ConsultationAdvice.objects.filter(record=record).exists()
        else:
            decision = Decision.objects.get(record=record)
            assert decision.decided_at == record.decided_at
            assert decision.notify_referrer == record.referral.is_contactable
            message = OutboxMessage.objects.filter(dedupe_key=dedupe_key(record.referral)).first()
            assert (message is not None) == decision.notify_referrer
            if message and decision.notification_late_at:
                assert message.sent_at is None or message.sent_at > decision.notification_due_at
    assert 0.8 < in_time / decided < 0.95
    outcomes = Counter(Decision.objects.values_list("outcome", flat=True))
    assert set(outcomes) == set(Decision.Outcome.values)
    sources = Counter(Referral.objects.values_list("contact_source", flat=True))
    assert sources[""] > 0 and sources[ContactSource.POLICE] > 0 and sources["9"] > 0
    # repeat children: the same name, date of birth and postcode in two referrals
    keys = Counter(
        (c.first_name, c.last_name, c.date_of_birth, c.postcode, c.referral.borough_id)
        for c in Child.objects.filter(
            date_of_birth__isnull=False, name_unknown=False
        ).select_related("referral")
    )
    assert sum(1 for n in keys.values() if n > 1) > 100
    assert OutboxMessage.objects.filter(sent_at__isnull=False).exists()
    assert Decision.objects.filter(notification_late_at__isnull=False).exists()
    # the dashboard's re-referral marks are made, and some are re-referrals
    decided = ScreeningRecord.objects.filter(decided_at__isnull=False).exclude(kind="consultation")
    assert not decided.filter(re_referral__isnull=True).exists()
    assert decided.filter(re_referral=True).count() > 10
