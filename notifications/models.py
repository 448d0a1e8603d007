"""Every message the service sends (email or text message), as one outbox row.

A row is written in the same transaction as what caused it and sent after commit by
`notifications.sending` (at least once, marked sent once). This app knows nothing of referrals
or screening: `about_id` is the caller's own id of what the message is about (the `reporting`
and `mash` apps put a referral's id there), never a foreign key.
"""

from django.db import models
from django.db.models import Q

from notifications.kinds import Channel, Kind, Rendered, render


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=40, choices=Kind.choices)
    channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    # An email address or an E.164 mobile number, by channel. Emptied by retention once sent.
    to = models.CharField(max_length=254)
    personalisation = models.JSONField(default=dict, blank=True)
    # The id of what the message is about, in the caller's terms (a referral's id). The column
    # keeps its old name: the table was reporting's before this app existed.
    about_id = models.BigIntegerField(null=True, blank=True, db_column="referral_id", db_index=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # When the message failed for good (the provider refused it, or it bounced), and why, in
    # words fit for staff (never the provider's text: it can name the recipient).
    failed_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=100, blank=True)
    # The provider's id for the message (GOV.UK Notify's notification id), for receipts.
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    # Text of messages queued before message templates existed (sent as it is, by email).
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        db_table = "reporting_outboxmessage"
        ordering = ["-created_at"]
        indexes = [
            # The sweeper's scan: unsent rows only, oldest first.
            models.Index(
                fields=["created_at"], name="outbox_unsent", condition=Q(sent_at__isnull=True)
            ),
            # Messages failed for good (few): the late-notifications list and the dashboard.
            models.Index(fields=["failed_at"], name="outbox_failed", condition=Q(status="failed")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} #{self.pk}"

    @property
    def failed_for_good(self) -> bool:
        return self.status == self.Status.FAILED

    def rendered(self) -> Rendered:
        """The message's text: its kind's template for its channel, given its personalisation
        (or, for a row queued before templates existed, the text it was queued with)."""
        if not self.personalisation and self.body:
            return Rendered(self.subject, self.body)
        return render(self.kind, self.channel, self.personalisation)
