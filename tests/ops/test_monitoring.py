"""/readyz fails on each cause; operational alerts go out once per incident; /metrics is
behind a token and names no person."""

import datetime as dt
import socket

import pytest
import time_machine
from django.db import connection

from contacts.calendar import LONDON
from contacts.models import ContactLine
from notifications.models import OutboxMessage
from ops import monitoring
from ops.models import Heartbeat, Incident, TaskFailure, UnstaffedAlert
from tests.mash.screening_factories import open_referrals
from tests.notifications.factories import OutboxMessageFactory
from tests.reporting.factories import ChildFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)  # a Wednesday in office hours


@pytest.fixture(autouse=True)
def _healthy(settings):
    settings.REDIS_URL = ""
    settings.OPS_ALERT_EMAIL = "ops@council.example"
    monitoring._migrations_applied = False
    yield
    monitoring._migrations_applied = False


def readyz(client):
    response = client.get("/readyz")
    return response.status_code, response.json()["checks"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ready_when_everything_is_fine(client):
    with time_machine.travel(NOW, tick=False):
        status, checks = readyz(client)
    assert status == 200, checks
    assert set(checks) == {"database", "redis", "migrations", "outbox", "beat"}


def test_not_ready_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"  # nothing listens there
    Heartbeat.objects.create(name="beat", at=dt.datetime.now(tz=LONDON))
    status, checks = readyz(client)
    assert status == 503 and checks["redis"].startswith("unreachable")
    assert checks["beat"] == "ok"


def test_not_ready_when_a_migration_is_not_applied(client):
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'ops' AND name = '0002_retention_defaults'"
        )
    status, checks = readyz(client)
    assert status == 503 and checks["migrations"] == "1 not applied"


def test_not_ready_when_the_outbox_lags(client, settings):
    settings.OUTBOX_MAX_LAG_SECONDS = 15 * 60
    with time_machine.travel(NOW, tick=False):
        OutboxMessageFactory()
    with time_machine.travel(NOW + dt.timedelta(minutes=14), tick=False):
        assert readyz(client)[0] == 200
    with time_machine.travel(NOW + dt.timedelta(minutes=16), tick=False):
        status, checks = readyz(client)
    assert status == 503 and checks["outbox"] == "oldest unsent email waited 960 s"


def test_not_ready_when_beat_is_silent(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/14"
    settings.BEAT_MAX_SILENCE_SECONDS = 300
    checks_redis = monitoring.check_redis()
    if checks_redis is not None:
        pytest.skip("needs a Redis at 127.0.0.1:6379")
    with time_machine.travel(NOW, tick=False):
        assert readyz(client)[1]["beat"] == "no heartbeat yet"
        monitoring.beat_heartbeat()
        assert readyz(client)[0] == 200
    with time_machine.travel(NOW + dt.timedelta(minutes=6), tick=False):
        status, checks = readyz(client)
    assert status == 503 and checks["beat"] == "silent for 360 s"
    # The probe raised the alert a silent beat cannot raise itself, once.
    assert Incident.objects.filter(kind="beat_silent", closed_at__isnull=True).count() == 1
    with time_machine.travel(NOW + dt.timedelta(minutes=7), tick=False):
        readyz(client)
    assert OutboxMessage.objects.filter(kind="ops_alert").count() == 1


def alerts():
    return list(OutboxMessage.objects.filter(kind="ops_alert").order_by("pk"))


def test_outbox_lag_alerts_once_per_incident(settings):
    with time_machine.travel(NOW, tick=False):
        stuck = OutboxMessageFactory()
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        assert monitoring.check_alerts() == []
    with time_machine.travel(NOW + dt.timedelta(minutes=16), tick=False):
        assert monitoring.check_alerts() == ["outbox_lag:"]
    with time_machine.travel(NOW + dt.timedelta(minutes=30), tick=False):
        assert monitoring.check_alerts() == []  # same incident: no second alert
    # The alert itself waits in the outbox too; once everything is sent the incident closes.
    OutboxMessage.objects.update(sent_at=NOW + dt.timedelta(minutes=31))
    with time_machine.travel(NOW + dt.timedelta(minutes=32), tick=False):
        monitoring.check_alerts()
    assert Incident.objects.get(kind="outbox_lag").closed_at is not None
    (alert,) = alerts()
    assert alert.to == "ops@council.example" and "waited 16 minutes" in alert.rendered().body
    stuck.refresh_from_db()
    # A new incident later is alerted again.
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        OutboxMessageFactory()
    with time_machine.travel(NOW + dt.timedelta(hours=1, minutes=20), tick=False):
        assert monitoring.check_alerts() == ["outbox_lag:"]
    assert len(alerts()) == 2


def test_beat_silence_alerts_once(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/14"
    with time_machine.travel(NOW, tick=False):
        monitoring.beat_heartbeat()
    with time_machine.travel(NOW + dt.timedelta(minutes=4), tick=False):
        assert monitoring.check_alerts() == []
    with time_machine.travel(NOW + dt.timedelta(minutes=6), tick=False):
        assert monitoring.check_alerts() == ["beat_silent:"]
        assert monitoring.check_alerts() == []
        monitoring.beat_heartbeat()
        monitoring.check_alerts()
    assert Incident.objects.get(kind="beat_silent").closed_at is not None
    assert len(alerts()) == 1 and "beat" in alerts()[0].rendered().body


def test_a_borough_without_a_staffed_line_for_longer_than_its_gap_alerts(bromley, bexley):
    # Bexley on a weekday 08:00-09:00 has no staffed line by design: within its gap.
    UnstaffedAlert.objects.create(borough=bexley, minutes=90)
    with time_machine.travel(dt.datetime(2026, 12, 2, 8, 15, tzinfo=LONDON), tick=False):
        assert monitoring.check_alerts() == []
    # An admin's mistake: Bromley's out-of-hours line deleted, nobody answers tonight.
    ContactLine.objects.filter(borough=bromley, purpose="out_of_hours").delete()
    from contacts.memos import clear_all

    clear_all()
    with time_machine.travel(dt.datetime(2026, 12, 2, 18, 0, tzinfo=LONDON), tick=False):
        assert monitoring.check_alerts() == ["no_staffed_line:bromley"]
        assert monitoring.check_alerts() == []
    (alert,) = alerts()
    assert "No Bromley phone line is staffed now" in alert.rendered().body


def test_metrics_need_the_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404  # off unless configured
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


def test_metrics_count_the_queue_and_the_outbox_and_name_no_person(client, settings, bromley):
    settings.METRICS_TOKEN = "s3cret-token"
    with time_machine.travel(NOW, tick=False):
        records = open_referrals(bromley, [NOW - dt.timedelta(days=3), NOW - dt.timedelta(hours=1)])
        ChildFactory(referral=records[0].referral, first_name="Metricname")
        OutboxMessageFactory(to="metrics-person@example.org")
        TaskFailure.objects.create(task_name="reporting.send_outbox_message", count=3)
        client.get("/bromley/")
        body = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").content.decode()
    assert 'mash_queue_depth{borough="bromley",state="overdue"} 1.0' in body
    assert 'mash_queue_depth{borough="bromley",state="on_track"} 1.0' in body
    assert "mash_overdue_total 1.0" in body
    assert "outbox_unsent 1.0" in body
    assert 'celery_task_failures_total{task="reporting.send_outbox_message"} 3.0' in body
    assert 'http_requests_total{method="GET",route="borough",status="200"}' in body
    for personal in ("Metricname", "metrics-person", records[0].referral.reference):
        assert personal not in body
