"""MASH models.

Staff access (owner "mash-access"): StaffMember, AuditEvent. Keep these at the top of the file.
Screening (owner "mash-queue"): ScreeningRecord and the rest, below.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

# --- Staff access: StaffMember, AuditEvent ------------------------------------------------


class StaffMember(models.Model):
    """A MASH staff member: their role and the boroughs whose referrals they may see."""

    class Role(models.TextChoices):
        SCREENER = "screener", "Screener (senior social worker)"
        MANAGER = "manager", "Manager"
        ADMIN = "admin", "Admin"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SCREENER)
    boroughs = models.ManyToManyField(
        "contacts.Borough",
        related_name="staff_members",
        help_text="The boroughs whose referrals this person may see. At least one.",
    )

    class Meta:
        ordering = ["user__username"]
        verbose_name = "staff member"

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()})"

    @property
    def is_manager(self) -> bool:
        return self.role in {self.Role.MANAGER, self.Role.ADMIN}


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditEvent.Immutable("Audit events cannot be changed.")

    def delete(self):
        raise AuditEvent.Immutable("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One append-only line of the audit trail: who did what, when, to which referral, from
    which borough. Rows are never updated or deleted: `save()` refuses an existing row,
    `delete()` raises, and a database trigger (migration 0001) refuses UPDATE and DELETE.
    Write them with `mash.audit.record()`."""

    class Immutable(Exception):
        """Raised on any attempt to change or delete an audit event."""

    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        editable=False,
    )
    # The username as typed or as it was (failed logins name users that may not exist).
    username = models.CharField(max_length=150, blank=True, db_index=True, editable=False)
    action = models.CharField(max_length=50, db_index=True, editable=False)
    referral = models.ForeignKey(
        "reporting.Referral",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        editable=False,
    )
    # The referral's reference, kept as text too so the trail reads without joins.
    reference = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    borough = models.ForeignKey(
        "contacts.Borough",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        editable=False,
    )
    detail = models.JSONField(default=dict, blank=True, editable=False)
    # A keyed hash of the client address (never the raw IP), to tell sources apart.
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "audit event"
        indexes = [
            models.Index(fields=["user", "-at"], name="mash_audit_user_at"),
            models.Index(fields=["referral", "-at"], name="mash_audit_referral_at"),
            models.Index(fields=["borough", "-at"], name="mash_audit_borough_at"),
        ]

    def __str__(self) -> str:
        who = self.username or "anonymous"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.reference}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise self.Immutable("Audit events cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.Immutable("Audit events cannot be deleted.")


# --- Screening (mash-queue) ---------------------------------------------------------------


class ScreeningRecord(models.Model):
    """The MASH's screening of one referral: when it is due, who holds it, when it was decided.

    Created with its due time in the same transaction as the referral (`mash.receivers`).
    "Open" means not yet decided. `borough` copies the referral's, so the queue reads and
    orders one table through its indexes."""

    referral = models.OneToOneField(
        "reporting.Referral", on_delete=models.CASCADE, related_name="screening"
    )
    borough = models.ForeignKey(
        "contacts.Borough", on_delete=models.PROTECT, related_name="screening_records"
    )
    due_at = models.DateTimeField()
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screening_claims",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The queue of a user with several boroughs, most urgent first (open records only).
            models.Index(
                fields=["due_at", "id"],
                name="screening_open_due",
                condition=models.Q(decided_at__isnull=True),
            ),
            # The queue of one borough, and the state filter's due_at ranges per borough.
            models.Index(
                fields=["borough", "due_at", "id"],
                name="screening_open_borough_due",
                condition=models.Q(decided_at__isnull=True),
            ),
            # "Take next": the most urgent open record nobody holds.
            models.Index(
                fields=["due_at", "id"],
                name="screening_unclaimed_due",
                condition=models.Q(decided_at__isnull=True, claimed_by__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(claimed_by__isnull=True, claimed_at__isnull=True)
                | models.Q(claimed_by__isnull=False, claimed_at__isnull=False),
                name="screening_claim_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Screening of {self.referral_id}"

    @property
    def is_open(self) -> bool:
        return self.decided_at is None
