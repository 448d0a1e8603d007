"""Is the service ready, and is anything wrong that operations must hear about?

- `readiness()`: the checks behind /readyz: the database answers, Redis answers (when
  REDIS_URL is set), every migration is applied, the oldest unsent email is younger than
  OUTBOX_MAX_LAG_SECONDS, and beat's heartbeat is younger than BEAT_MAX_SILENCE_SECONDS
  (when there is a broker, hence a beat).
- `check_alerts()`: (beat, every minute; /readyz also runs the beat check, since a dead beat
  cannot report itself) opens an incident and emails the operations address through the
  outbox, once per incident, when emails wait longer than OUTBOX_MAX_LAG_SECONDS, beat has
  been silent longer than BEAT_MAX_SILENCE_SECONDS, or a borough will have no staffed phone
  line for longer than its configured gap; the incident closes when the cause clears.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ops.models import Heartbeat, Incident, UnstaffedAlert

logger = logging.getLogger(__name__)
BEAT = "beat"
_migrations_applied = False


# --- readiness ----------------------------------------------------------------------------
def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001
        return f"unreachable ({type(exc).__name__})"
    return None


def check_redis() -> str | None:
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return f"unreachable ({type(exc).__name__})"
    return None


def check_migrations() -> str | None:
    """None when every migration is applied (remembered per process once true)."""
    global _migrations_applied
    if _migrations_applied:
        return None
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # noqa: BLE001
        return f"unknown ({type(exc).__name__})"
    if plan:
        return f"{len(plan)} not applied"
    _migrations_applied = True
    return None


def outbox_lag(now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long the oldest unsent message has waited (None when none waits; a message failed
    for good does not wait: staff are shown it)."""
    from notifications.selectors import pending

    oldest = pending().order_by("created_at").values_list("created_at", flat=True).first()
    if oldest is None:
        return None
    return (now or timezone.now()) - oldest


def check_outbox(now=None) -> str | None:
    lag = outbox_lag(now)
    if lag is not None and lag.total_seconds() > settings.OUTBOX_MAX_LAG_SECONDS:
        return f"oldest unsent email waited {int(lag.total_seconds())} s"
    return None


def beat_silence(now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long since beat's last heartbeat (None: never seen)."""
    last = Heartbeat.objects.filter(name=BEAT).values_list("at", flat=True).first()
    return None if last is None else (now or timezone.now()) - last


def check_beat(now=None) -> str | None:
    if not settings.REDIS_URL:
        return None  # no broker, no beat: tasks run inline
    silence = beat_silence(now)
    if silence is None:
        return "no heartbeat yet"
    if silence.total_seconds() > settings.BEAT_MAX_SILENCE_SECONDS:
        return f"silent for {int(silence.total_seconds())} s"
    return None


def readiness() -> dict[str, str]:
    """Each check's answer: "ok", or why not. The database first: the rest need it."""
    results = {"database": check_database(), "redis": check_redis()}
    if results["database"] is None:
        results["migrations"] = check_migrations()
        results["outbox"] = check_outbox()
        results["beat"] = check_beat()
    else:
        results.update(migrations="not checked", outbox="not checked", beat="not checked")
    return {name: problem or "ok" for name, problem in results.items()}


# --- heartbeat, sessions ------------------------------------------------------------------
def beat_heartbeat(now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    Heartbeat.objects.update_or_create(name=BEAT, defaults={"at": now})
    return now


def clear_expired_sessions() -> int:
    """Delete expired sessions (public journeys and staff alike); returns how many."""
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


# --- alerts -------------------------------------------------------------------------------
def open_incident(kind: str, key: str, summary: str, *, now: dt.datetime) -> Incident | None:
    """Open an incident and send its alert, unless one is already open (then None)."""
    if Incident.objects.filter(kind=kind, key=key, closed_at__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            incident = Incident.objects.create(kind=kind, key=key, summary=summary, opened_at=now)
            send_alert(incident)
    except IntegrityError:
        return None  # opened by a concurrent check
    return incident


def send_alert(incident: Incident) -> None:
    logger.error("ops alert", extra={"kind": incident.kind, "key": incident.key})
    if not settings.OPS_ALERT_EMAIL:
        return
    from notifications.kinds import Channel, Kind
    from notifications.outbox import enqueue

    opened = timezone.localtime(incident.opened_at)
    enqueue(
        kind=Kind.OPS_ALERT,
        channel=Channel.EMAIL,
        to=settings.OPS_ALERT_EMAIL,
        personalisation={
            "service_name": settings.SERVICE_NAME,
            "incident": incident.get_kind_display(),
            "summary": incident.summary,
            "first_seen": f"{opened:%H:%M} on {opened:%d %B %Y}",
        },
        dedupe_key=f"ops:{incident.kind}:{incident.key}:{incident.pk}",
    )


def close_incidents(kind: str, *, still_open: set[str], now: dt.datetime) -> int:
    return (
        Incident.objects.filter(kind=kind, closed_at__isnull=True)
        .exclude(key__in=still_open)
        .update(closed_at=now)
    )


def _check(kind: str, problems: dict[str, str], now: dt.datetime) -> list[str]:
    opened = []
    for key, summary in problems.items():
        if open_incident(kind, key, summary, now=now) is not None:
            opened.append(f"{kind}:{key}")
    close_incidents(kind, still_open=set(problems), now=now)
    return opened


def beat_problems(now) -> dict[str, str]:
    problem = check_beat(now)
    if problem is None or problem == "no heartbeat yet":
        return {}
    return {"": f"Periodic tasks (Celery beat) have not run: {problem}."}


def outbox_problems(now) -> dict[str, str]:
    lag = outbox_lag(now)
    if lag is None or lag.total_seconds() <= settings.OUTBOX_MAX_LAG_SECONDS:
        return {}
    minutes = int(lag.total_seconds() // 60)
    return {"": f"The oldest unsent email has waited {minutes} minutes."}


def unstaffed_problems(now) -> dict[str, str]:
    from contacts.selectors import active_boroughs, staffing_for

    gaps = dict(UnstaffedAlert.objects.values_list("borough_id", "minutes"))
    problems = {}
    for borough in active_boroughs():
        gap = dt.timedelta(minutes=gaps.get(borough.pk, settings.UNSTAFFED_ALERT_MINUTES))
        staffing = staffing_for(borough, now)
        if staffing.open_lines:
            continue
        opening = staffing.next_opening
        if opening is None or opening - now > gap:
            until = (
                f"until {timezone.localtime(opening):%H:%M on %d %B %Y}"
                if opening
                else "with no opening time at all"
            )
            problems[borough.slug] = (
                f"No {borough.name} phone line is staffed now, {until}: longer than the "
                f"{int(gap.total_seconds() // 60)} minutes allowed. Check its contact lines "
                "in the admin."
            )
    return problems


def check_beat_alert(now: dt.datetime | None = None) -> list[str]:
    now = now or timezone.now()
    return _check(Incident.Kind.BEAT_SILENT, beat_problems(now), now)


def check_alerts(now: dt.datetime | None = None) -> list[str]:
    """Open (and alert) or close every kind of incident; returns the ones opened now."""
    now = now or timezone.now()
    opened = check_beat_alert(now)
    opened += _check(Incident.Kind.OUTBOX_LAG, outbox_problems(now), now)
    opened += _check(Incident.Kind.NO_STAFFED_LINE, unstaffed_problems(now), now)
    return opened
