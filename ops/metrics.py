"""Prometheus metrics. Requests are counted as they are answered (config.observability);
the rest is read from the database at each scrape by `ServiceCollector`. Labels are borough
slugs, deadline states, route names and task names only: never anything about a person."""

from __future__ import annotations

import logging
import os

from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

logger = logging.getLogger(__name__)


class ServiceCollector(Collector):
    def collect(self):
        try:
            yield from self._collect()
        except Exception as exc:  # noqa: BLE001 - a scrape must answer even when the DB is down
            logger.warning("metrics: database figures unavailable (%s)", type(exc).__name__)
            up = GaugeMetricFamily("service_database_up", "1 when the database answered.")
            up.add_metric([], 0)
            yield up

    def _collect(self):
        from contacts.models import Borough
        from mash.deadlines import DeadlineState, calendars_for, state_q
        from mash.models import ScreeningRecord
        from notifications.selectors import pending
        from ops.models import Heartbeat, TaskFailure
        from ops.monitoring import BEAT, outbox_lag

        now = timezone.now()
        boroughs = list(Borough.objects.filter(is_active=True))
        calendars = calendars_for(boroughs)
        depth = GaugeMetricFamily(
            "mash_queue_depth",
            "Open referrals waiting for a screening decision, by borough and deadline state.",
            labels=["borough", "state"],
        )
        overdue = 0
        for borough in boroughs:
            open_records = ScreeningRecord.objects.filter(borough=borough, decided_at__isnull=True)
            for state in DeadlineState:
                count = open_records.filter(
                    state_q(state, now, {borough.pk: calendars[borough.pk]})
                ).count()
                depth.add_metric([borough.slug, state.name.lower()], count)
                if state is DeadlineState.OVERDUE:
                    overdue += count
        yield depth
        yield GaugeMetricFamily(
            "mash_overdue_total", "Open referrals past their screening deadline.", value=overdue
        )
        yield GaugeMetricFamily(
            "outbox_unsent",
            "Messages written but not sent yet.",
            value=pending().count(),
        )
        lag = outbox_lag(now)
        yield GaugeMetricFamily(
            "outbox_oldest_unsent_age_seconds",
            "How long the oldest unsent message has waited (0 when none waits).",
            value=lag.total_seconds() if lag else 0,
        )
        failures = CounterMetricFamily(
            "celery_task_failures", "Celery tasks that failed, by task name.", labels=["task"]
        )
        for name, count in TaskFailure.objects.values_list("task_name", "count"):
            failures.add_metric([name], count)
        yield failures
        beat = Heartbeat.objects.filter(name=BEAT).values_list("at", flat=True).first()
        yield GaugeMetricFamily(
            "beat_heartbeat_age_seconds",
            "Seconds since Celery beat's last heartbeat (-1: never).",
            value=(now - beat).total_seconds() if beat else -1,
        )
        up = GaugeMetricFamily("service_database_up", "1 when the database answered.")
        up.add_metric([], 1)
        yield up


_service = ServiceCollector()


def exposition() -> bytes:
    """The metrics text: this process's request metrics (or every gunicorn worker's, with
    PROMETHEUS_MULTIPROC_DIR set) and the service figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in list(REGISTRY._collector_to_names):
            registry.register(collector)
    registry.register(_service)
    return generate_latest(registry)
