"""Beat tasks of ops: thin wrappers, idempotent (acks_late is global)."""

from celery import shared_task


@shared_task(name="ops.heartbeat")
def heartbeat() -> str:
    from ops import monitoring

    return monitoring.beat_heartbeat().isoformat()


@shared_task(name="ops.check_alerts")
def check_alerts() -> list[str]:
    from ops import monitoring

    return monitoring.check_alerts()


@shared_task(name="ops.refresh_contacts_snapshot")
def refresh_contacts_snapshot() -> bool:
    from contacts.snapshot import refresh_snapshot

    return refresh_snapshot()


@shared_task(name="ops.clear_expired_sessions")
def clear_expired_sessions() -> int:
    from ops import monitoring

    return monitoring.clear_expired_sessions()


@shared_task(name="ops.apply_retention")
def apply_retention() -> dict:
    from ops import retention

    return retention.apply_retention()
