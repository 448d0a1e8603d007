"""Operations: the retention schedule (data, edited in the admin), the beat heartbeat, the
incidents operational alerts are raised for (each alert once per incident), and counts of
failed Celery tasks. Nothing here holds personal data."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class RetentionPeriod(models.Model):
    """How long one type of record is kept, from when, and what happens after (`ops.retention`
    enforces it nightly). The privacy notice lists these rows as they stand."""

    class RecordType(models.TextChoices):
        NFA_CONTACT = "nfa_contact", "Reports closed with no further action or advice"
        FAMILY_WELLBEING = "family_wellbeing", "Reports passed to Family Wellbeing (early help)"
        SOCIAL_CARE = "social_care", "Reports passed to children's social care"
        CONSULTATION = "consultation", "Consultation requests from professionals"
        AUDIT = "audit", "Audit trail of staff access and changes"
        OUTBOX = "outbox", "Emails sent to people who gave an email address"

    record_type = models.CharField(max_length=30, choices=RecordType.choices, unique=True)
    days = models.PositiveIntegerField(help_text="How many days the record is kept.")
    counted_from = models.CharField(
        max_length=200, help_text="The moment the period starts, in words (shown to the public)."
    )
    what_happens = models.CharField(
        max_length=300, help_text="What happens when the period ends (shown to the public)."
    )
    basis = models.TextField(help_text="Why this period: the law or guidance it follows.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "retention period"

    def __str__(self) -> str:
        return f"{self.get_record_type_display()}: {self.days} days"

    @property
    def years(self) -> str:
        years, rest = divmod(self.days, 365)
        if years and rest <= 7:
            return f"{years} year{'s' if years != 1 else ''}"
        return f"{self.days} days"


class Heartbeat(models.Model):
    """The last time a periodic process proved it runs (beat writes "beat" every minute)."""

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"


class Incident(models.Model):
    """One operational problem, from when it was first seen until it cleared. An alert is sent
    when an incident opens, never again for the same incident."""

    class Kind(models.TextChoices):
        OUTBOX_LAG = "outbox_lag", "Emails waiting too long"
        BEAT_SILENT = "beat_silent", "Periodic tasks not running"
        NO_STAFFED_LINE = "no_staffed_line", "No staffed phone line"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=100, blank=True, help_text="Which borough, if any.")
    summary = models.CharField(max_length=300)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=Q(closed_at__isnull=True),
                name="one_open_incident_per_kind_and_key",
            )
        ]

    def __str__(self) -> str:
        return self.summary


class UnstaffedAlert(models.Model):
    """How long a borough may have no staffed phone line before operations are alerted
    (boroughs without a row use settings.UNSTAFFED_ALERT_MINUTES)."""

    borough = models.OneToOneField(
        "contacts.Borough", on_delete=models.CASCADE, related_name="unstaffed_alert"
    )
    minutes = models.PositiveIntegerField(
        help_text="Alert when no line will be staffed for longer than this."
    )

    def __str__(self) -> str:
        return f"{self.borough}: {self.minutes} minutes"


class TaskFailure(models.Model):
    """How many times each Celery task failed (for the metrics): no arguments, no errors."""

    task_name = models.CharField(max_length=200, unique=True)
    count = models.PositiveBigIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.task_name}: {self.count}"
