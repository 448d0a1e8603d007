"""Celery tasks of mash: thin wrappers over plain functions, idempotent (acks_late is global)."""

from celery import shared_task

from mash import notifications


@shared_task(name="mash.flag_late_outcome_notifications")
def flag_late_outcome_notifications() -> int:
    """Beat: flag decisions whose outcome email was not sent within 24 hours (each once)."""
    return notifications.flag_late_notifications()


@shared_task(name="mash.raise_screening_alerts")
def raise_screening_alerts() -> int:
    """Beat, every minute: raise deadline and Red-unheld alerts to managers (each once)."""
    from mash import alerts

    return alerts.raise_alerts()


@shared_task(name="mash.mark_re_referrals")
def mark_re_referrals() -> int:
    """Beat, hourly: mark the last fortnight's screening decisions re-referrals or not (the
    dashboard counts the marks, and works out live only what is not yet marked)."""
    from mash import dashboard

    return dashboard.mark_re_referrals()


@shared_task(name="mash.summarise_dashboard_weeks")
def summarise_dashboard_weeks() -> int:
    """Beat, nightly: keep the dashboard's weekly summaries of settled weeks."""
    from mash import dashboard

    return dashboard.summarise_weeks()
