"""Nobody misses a deadline silently: the alerts beat task (each alert once, audited, emailed
through the outbox; Red out of hours to the out-of-hours team too), the managers' banner and
acknowledging it. Time travels across each trigger, a bank holiday, and the beat run twice
(and at once, on PostgreSQL)."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from contacts.calendar import LONDON
from mash import alerts, screening, services
from mash.models import Alert, AuditAction, AuditEvent, ScreeningPolicy, ScreeningRecord
from mash.tasks import raise_screening_alerts
from notifications.models import OutboxMessage
from reporting.models import Referral
from tests.mash.factories import StaffMemberFactory, log_in_verified
from tests.mash.screening_factories import open_referrals

MANAGERS = "mash-managers@bromley.example.gov.uk"
OOH = "out-of-hours@bromley.example.gov.uk"


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=LONDON)


@pytest.fixture
def inboxes(bromley):
    ScreeningPolicy.objects.filter(borough=bromley).update(
        managers_inbox=MANAGERS, out_of_hours_inbox=OOH
    )


def beat(moment):
    with time_machine.travel(moment, tick=False):
        return raise_screening_alerts.apply().get()


def kinds(record):
    return sorted(Alert.objects.filter(referral=record.referral).values_list("kind", flat=True))


@pytest.mark.django_db
class TestTriggers:
    def test_warning_then_overdue_each_once(self, bromley, inboxes):
        # Received Mon 23 Nov 10:00, due Tue 24 Nov 10:00; the warning window (2 working hours)
        # opens at Mon 16:30 (30 min Monday + 1h30 Tuesday).
        (record,) = open_referrals(bromley, [at(2026, 11, 23, 10)])
        assert beat(at(2026, 11, 23, 16, 30)) == 0
        assert beat(at(2026, 11, 23, 16, 31)) == 1
        assert kinds(record) == ["warning"]
        assert beat(at(2026, 11, 23, 16, 32)) == 0  # the beat again: nothing new
        assert beat(at(2026, 11, 24, 9, 59)) == 0
        assert beat(at(2026, 11, 24, 10)) == 1
        assert kinds(record) == ["overdue", "warning"]
        assert beat(at(2026, 11, 24, 10, 1)) == 0
        events = AuditEvent.objects.filter(
            action=AuditAction.ALERT_RAISED, referral=record.referral
        )
        assert sorted(e.detail["kind"] for e in events) == ["overdue", "warning"]
        emails = OutboxMessage.objects.filter(kind=alerts.EMAIL_KIND, about_id=record.referral_id)
        assert sorted(m.to for m in emails) == [MANAGERS, MANAGERS]
        body = emails.get(personalisation__what="has passed its deadline").rendered().body
        assert record.referral.reference in body and "Tuesday 24 November 2026, 10:00" in body
        assert "Amira" not in body  # never the child's name

    def test_decided_referrals_and_consultations_raise_nothing(self, bromley, inboxes):
        decided, consultation = open_referrals(bromley, [at(2026, 11, 16, 10)] * 2)
        ScreeningRecord.objects.filter(pk=decided.pk).update(decided_at=at(2026, 11, 16, 11))
        ScreeningRecord.objects.filter(pk=consultation.pk).update(kind=Referral.Kind.CONSULTATION)
        assert beat(at(2026, 11, 25, 12)) == 0

    def test_warning_across_a_bank_holiday(self, bromley, inboxes):
        # Received Thu 24 Dec 2026 09:30 -> due Tue 29 Dec 09:30 (Christmas Day and the
        # observed Boxing Day on Mon 28 skipped). The window opens at Thu 24 Dec 16:00.
        (record,) = open_referrals(bromley, [at(2026, 12, 24, 9, 30)])
        assert record.due_at == at(2026, 12, 29, 9, 30)
        assert beat(at(2026, 12, 24, 16)) == 0
        assert beat(at(2026, 12, 24, 16, 1)) == 1
        assert beat(at(2026, 12, 28, 12)) == 0  # the bank holiday: still only the warning
        assert kinds(record) == ["warning"]
        assert beat(at(2026, 12, 29, 9, 30)) == 1

    def test_red_nobody_holds_for_fifteen_minutes(self, bromley, inboxes):
        screener = StaffMemberFactory(boroughs=[bromley]).user
        (record,) = open_referrals(bromley, [at(2026, 11, 23, 9)])
        with time_machine.travel(at(2026, 11, 23, 10), tick=False):
            screening.set_urgency(
                user=screener, referral=record.referral, rating="red", reason="Scared"
            )
        # Red at 10:00 sets 14:00 (clock), inside the day, so not out of hours.
        assert beat(at(2026, 11, 23, 10, 14)) == 0
        assert beat(at(2026, 11, 23, 10, 15)) == 1
        assert kinds(record) == ["red_unheld"]
        alert = Alert.objects.get()
        assert alert.red and not alert.out_of_hours
        assert [m.to for m in OutboxMessage.objects.filter(kind=alerts.EMAIL_KIND)] == [MANAGERS]

    def test_red_released_counts_from_the_release(self, bromley, inboxes):
        screener = StaffMemberFactory(boroughs=[bromley]).user
        (record,) = open_referrals(bromley, [at(2026, 11, 23, 9)])
        with time_machine.travel(at(2026, 11, 23, 10), tick=False):
            services.take_next(user=screener)
            screening.set_urgency(
                user=screener, referral=record.referral, rating="red", reason="Scared"
            )
        assert beat(at(2026, 11, 23, 10, 30)) == 0  # held
        record.refresh_from_db()
        with time_machine.travel(at(2026, 11, 23, 10, 40), tick=False):
            services.release(user=screener, record=record)
        assert beat(at(2026, 11, 23, 10, 54)) == 0
        assert beat(at(2026, 11, 23, 10, 55)) == 1

    def test_red_whose_clock_runs_out_of_hours_goes_to_the_out_of_hours_team(
        self, bromley, inboxes
    ):
        screener = StaffMemberFactory(boroughs=[bromley]).user
        (record,) = open_referrals(bromley, [at(2026, 11, 20, 10)])
        with time_machine.travel(at(2026, 11, 20, 16, 30), tick=False):
            services.take_next(user=screener)
            screening.set_urgency(
                user=screener, referral=record.referral, rating="red", reason="Scared"
            )
        # Due Friday 20:30: inside the warning window at once (the office closes at 17:00).
        assert beat(at(2026, 11, 20, 16, 31)) == 1
        assert beat(at(2026, 11, 20, 20, 30)) == 1
        assert kinds(record) == ["overdue", "warning"]
        assert all(a.out_of_hours for a in Alert.objects.all())
        sent = sorted(OutboxMessage.objects.filter(kind=alerts.EMAIL_KIND).values_list("to"))
        assert sent == [(MANAGERS,), (MANAGERS,), (OOH,), (OOH,)]

    def test_without_inboxes_the_banner_still_shows(self, client, bromley):
        (record,) = open_referrals(bromley, [at(2026, 11, 16, 10)])
        assert beat(at(2026, 11, 25, 12)) == 1
        assert not OutboxMessage.objects.filter(kind=alerts.EMAIL_KIND).exists()
        assert AuditEvent.objects.get(action=AuditAction.ALERT_RAISED).detail["emailed"] == []


@pytest.mark.django_db
class TestBanner:
    def test_managers_see_it_at_the_right_minute_until_acknowledged(self, client, bromley, bexley):
        manager = StaffMemberFactory(boroughs=[bromley], manager=True).user
        screener = StaffMemberFactory(boroughs=[bromley]).user
        other = StaffMemberFactory(boroughs=[bexley], manager=True).user
        (record,) = open_referrals(bromley, [at(2026, 11, 23, 10)])
        reference = record.referral.reference
        with time_machine.travel(at(2026, 11, 23, 16, 30), tick=False):
            raise_screening_alerts.apply()
            log_in_verified(client, manager)
            assert 'id="alert-banner"' not in client.get("/mash/").text
        with time_machine.travel(at(2026, 11, 23, 16, 31), tick=False):
            raise_screening_alerts.apply()
            text = client.get("/mash/consultations/").text  # every MASH page
            assert 'id="alert-banner"' in text and f"{reference}</a> is near its deadline" in text
            log_in_verified(client, screener)
            assert 'id="alert-banner"' not in client.get("/mash/").text
            log_in_verified(client, other)
            assert reference not in client.get("/mash/").text
            (alert,) = Alert.objects.all()
            # another borough's manager cannot acknowledge it
            assert client.post(f"/mash/alerts/{alert.pk}/acknowledge/").status_code == 404
            log_in_verified(client, screener)
            assert client.post(f"/mash/alerts/{alert.pk}/acknowledge/").status_code == 403
            log_in_verified(client, manager)
            response = client.post(
                f"/mash/alerts/{alert.pk}/acknowledge/", {"next": "/mash/consultations/"}
            )
            assert response.status_code == 302 and response["Location"] == "/mash/consultations/"
            assert 'id="alert-banner"' not in client.get("/mash/").text
        alert.refresh_from_db()
        assert alert.acknowledged_by == manager
        event = AuditEvent.objects.get(action=AuditAction.ALERT_ACKNOWLEDGED)
        assert event.user == manager and event.referral == record.referral
        # acknowledged once: again is refused, not audited twice
        client.post(f"/mash/alerts/{alert.pk}/acknowledge/")
        assert AuditEvent.objects.filter(action=AuditAction.ALERT_ACKNOWLEDGED).count() == 1

    def test_next_must_stay_in_mash(self, client, bromley):
        manager = StaffMemberFactory(boroughs=[bromley], manager=True).user
        open_referrals(bromley, [at(2026, 11, 16, 10)])
        beat(at(2026, 11, 25, 12))
        log_in_verified(client, manager)
        alert = Alert.objects.get()
        response = client.post(
            f"/mash/alerts/{alert.pk}/acknowledge/", {"next": "https://evil.example/"}
        )
        assert response["Location"] == "/mash/alerts/"

    def test_alerts_page(self, client, bromley):
        manager = StaffMemberFactory(boroughs=[bromley], manager=True).user
        (record,) = open_referrals(bromley, [at(2026, 11, 16, 10)])
        beat(at(2026, 11, 25, 12))
        log_in_verified(client, manager)
        text = client.get("/mash/alerts/").text
        assert record.referral.reference in text and "Deadline passed" in text
        assert AuditEvent.objects.filter(action="alerts_viewed", user=manager).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_raise_each_alert_once(seeded_boroughs):
    bromley = seeded_boroughs["bromley"]
    ScreeningPolicy.objects.filter(borough=bromley).update(managers_inbox=MANAGERS)
    records = open_referrals(
        bromley, [at(2026, 11, 16, 9) + dt.timedelta(minutes=5 * i) for i in range(40)]
    )
    barrier = threading.Barrier(2)
    counts, errors = [], []

    def run():
        try:
            barrier.wait(10)
            counts.append(alerts.raise_alerts(now=at(2026, 11, 25, 12)))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(counts) == len(records) == Alert.objects.count()
    assert AuditEvent.objects.filter(action=AuditAction.ALERT_RAISED).count() == len(records)
    assert OutboxMessage.objects.filter(kind=alerts.EMAIL_KIND).count() == len(records)
