"""Reads of the outbox (keyword-only arguments)."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import OutboxMessage


def pending() -> QuerySet:
    """Messages waiting to be sent (not sent, not failed for good)."""
    return OutboxMessage.objects.filter(sent_at__isnull=True, status=OutboxMessage.Status.PENDING)


def about(*, about_id: int) -> QuerySet:
    """The messages about one thing (a referral, by its id), newest first."""
    return OutboxMessage.objects.filter(about_id=about_id).order_by("-created_at", "-pk")


def failed(*, about_ids=None) -> QuerySet:
    """Messages failed for good (refused by the provider, or bounced), newest first."""
    queryset = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED)
    if about_ids is not None:
        queryset = queryset.filter(about_id__in=about_ids)
    return queryset.order_by("-failed_at", "-pk")
