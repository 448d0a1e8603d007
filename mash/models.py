"""MASH models.

Staff access (owner "mash-access"): StaffMember, AuditEvent. Keep these at the top of the file.
Screening (owner "mash-queue"): ScreeningRecord and the rest, below.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from reporting.models import Referral

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


class AuditAction(models.TextChoices):
    """Every action the audit trail records: the one vocabulary of `AuditEvent.action`.
    `mash.audit.record()` refuses any other (tests/mash/test_audit_vocabulary.py checks that
    every action written anywhere in the code is one of these, and each is written)."""

    # Signing in and out (mash.audit's receivers, mash.auth_views, mash.middleware)
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out"
    LOGOUT = "logout", "Signed out"
    PASSWORD_ACCEPTED = "password_accepted", "Password accepted (code not yet given)"
    OTP_FAILED = "otp_failed", "Wrong authenticator code"
    OTP_ENROLLED = "otp_enrolled", "Authenticator app set up"
    SESSION_EXPIRED = "session_expired", "Session expired"
    ENROLMENT_LINK_CREATED = "enrolment_link_created", "Enrolment link created"
    ENROLMENT_LINK_USED = "enrolment_link_used", "Enrolment link used"
    OTP_DEVICE_RESET = "otp_device_reset", "Authenticator app reset"
    # Access (mash.access, mash.admin_site, mash.downloads, mash.audit_views, mash.views)
    ACCESS_REFUSED = "access_refused", "Access refused"
    # Reading (views)
    QUEUE_VIEWED = "queue_viewed", "Screening queue viewed"
    CONSULTATIONS_VIEWED = "consultations_viewed", "Consultation queue viewed"
    REFERRAL_VIEWED = "referral_viewed", "Referral viewed"
    CONSENT_DOWNLOADED = "consent_downloaded", "Consent form downloaded"
    LATE_NOTIFICATIONS_VIEWED = "late_notifications_viewed", "Late outcome notifications viewed"
    AUDIT_VIEWED = "audit_viewed", "Audit trail viewed"
    ADMIN_REFERRALS_LISTED = "admin_referrals_listed", "Referrals listed in the admin"
    # Intake by staff (mash.intake_views)
    REFERRAL_LOGGED = "referral_logged", "Referral logged by staff"
    # Claims (mash.services)
    REFERRAL_CLAIMED = "referral_claimed", "Referral claimed"
    REFERRAL_RELEASED = "referral_released", "Referral released"
    REFERRAL_REASSIGNED = "referral_reassigned", "Referral reassigned"
    # Screening (mash.screening)
    URGENCY_SET = "urgency_set", "Urgency rating set"
    NEED_LEVEL_SET = "need_level_set", "Continuum of Need level set"
    RECORD_CHECK_RECORDED = "record_check_recorded", "Record check recorded"
    ENQUIRY_REQUESTED = "enquiry_requested", "Enquiry requested"
    ENQUIRY_ANSWERED = "enquiry_answered", "Enquiry answered"
    DECISION_RECORDED = "decision_recorded", "Decision recorded"
    # Consultations (mash.consultations)
    CONSULTATION_CLAIMED = "consultation_claimed", "Consultation claimed"
    CONSULTATION_ADVICE_RECORDED = "consultation_advice_recorded", "Consultation advice recorded"
    # Alerts (mash.notifications)
    OUTCOME_NOTIFICATION_LATE = "outcome_notification_late", "Outcome notification late"
    # Urgency (mash.alerts, mash.alert_views, mash.search_views, mash.team_views,
    # mash.services, mash.admin)
    ALERT_RAISED = "alert_raised", "Alert raised to managers"
    ALERT_ACKNOWLEDGED = "alert_acknowledged", "Alert acknowledged"
    ALERTS_VIEWED = "alerts_viewed", "Alerts viewed"
    REFERRALS_SEARCHED = "referrals_searched", "Referrals searched"
    TEAM_VIEWED = "team_viewed", "Team viewed"
    REFERRALS_BULK_REASSIGNED = "referrals_bulk_reassigned", "Referrals reassigned in bulk"
    SCREENING_POLICY_CHANGED = "screening_policy_changed", "Screening policy changed"
    # The managers' dashboard (mash.dashboard_views)
    DASHBOARD_VIEWED = "dashboard_viewed", "Dashboard viewed"
    DASHBOARD_LISTED = "dashboard_listed", "Referrals behind a dashboard figure listed"
    DASHBOARD_EXPORTED = "dashboard_exported", "Dashboard table downloaded (CSV)"
    # Subject access (mash.subject_access_views)
    SUBJECT_ACCESS_SEARCHED = "subject_access_searched", "Subject access search"
    SUBJECT_ACCESS_EXPORTED = "subject_access_exported", "Subject access export"
    # Annex A exports (mash.export_views) and census fields corrected in screening
    # (mash.screening_views), with the old and new values
    ANNEX_A_EXPORTED = "annex_a_exported", "Annex A exported"
    CONTACT_SOURCE_SET = "contact_source_set", "Contact source set"
    CHILD_SEX_SET = "child_sex_set", "Child's sex set"
    CHILD_ETHNICITY_SET = "child_ethnicity_set", "Child's ethnicity set"
    # Retention (ops.retention, nightly, with the counts)
    RETENTION_APPLIED = "retention_applied", "Retention schedule applied"
    # "Check a report": the person who made it asks for its status (mash.check_report). No
    # detail ever carries what they typed.
    STATUS_CODE_SENT = "status_code_sent", "Status check: code sent to the person who reported"
    STATUS_CODE_WITHHELD = "status_code_withheld", "Status check: code not sent (contact limits)"
    STATUS_NO_MATCH = "status_no_match", "Status check: details matched no report"
    STATUS_CODE_WRONG = "status_code_wrong", "Status check: wrong code entered"
    STATUS_VIEWED = "status_viewed", "Status seen by the person who reported"


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
    action = models.CharField(
        max_length=50, choices=AuditAction.choices, db_index=True, editable=False
    )
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


class EnrolmentLink(models.Model):
    """A one-time link that lets a person enrol an authenticator app (with their password).

    The token itself is shown once (by `create_staff` or an admin's device reset) and only its
    SHA-256 is stored. A link works for 24 hours, once: it is used up when the password is
    given with it (`mash.enrolment`)."""

    VALID_FOR = dt.timedelta(hours=24)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when made by the create_staff command.",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Enrolment link for {self.user} made {self.created_at:%Y-%m-%d %H:%M}"


# --- Screening (mash-queue) ---------------------------------------------------------------


# Records in the screening queue: undecided, and not consultation requests.
QUEUED = models.Q(decided_at__isnull=True) & ~models.Q(kind=Referral.Kind.CONSULTATION)


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
    due_at = models.DateTimeField(help_text="The statutory deadline (mash.deadlines).")
    # Copies of the referral's, so the queue reads, filters and orders this one table.
    received_at = models.DateTimeField()
    kind = models.CharField(max_length=20, blank=True)
    # The current urgency rating (the latest UrgencyRating), when it was given, and what it
    # means for the queue: rank 0 for Red (first), 1 otherwise; the effective due time, the
    # earlier of the statutory deadline and the rating's (`mash.deadlines.effective_due_at`).
    rating = models.CharField(max_length=5, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    rank = models.PositiveSmallIntegerField(default=1)
    effective_due_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screening_claims",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Working time from receipt to decision on the borough's calendar, in seconds, fixed when
    # the decision is recorded (the dashboard's median and 90th percentile read it in SQL).
    decision_working_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Whether this decided referral is a re-referral (mash.dashboard.RE_REFERRAL_SQL), kept by
    # the beat task `mash.mark_re_referrals`; empty until it has looked (the dashboard then
    # works it out live).
    re_referral = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["rank", "effective_due_at", "received_at", "id"]
        indexes = [
            # The queue of a user with several boroughs, in queue order (open, not
            # consultations: those have a queue of their own).
            models.Index(
                fields=["rank", "effective_due_at", "received_at", "id"],
                name="screening_queue",
                condition=QUEUED,
            ),
            # The queue of one borough.
            models.Index(
                fields=["borough", "rank", "effective_due_at", "received_at", "id"],
                name="screening_queue_borough",
                condition=QUEUED,
            ),
            # "Take next": the first open record nobody holds, in queue order.
            models.Index(
                fields=["rank", "effective_due_at", "received_at", "id"],
                name="screening_queue_unclaimed",
                condition=QUEUED & models.Q(claimed_by__isnull=True),
            ),
            # The deadline-state filter and the alerts' scans: ranges of effective due times.
            models.Index(
                fields=["borough", "effective_due_at"],
                name="screening_open_effective_due",
                condition=QUEUED,
            ),
            # The dashboard's weeks: contacts received, and decisions made, in a range.
            models.Index(fields=["borough", "received_at"], name="screening_borough_received"),
            models.Index(
                fields=["borough", "decided_at"],
                name="screening_borough_decided",
                condition=models.Q(decided_at__isnull=False),
            ),
            # Decided referrals the re-referral task has not yet looked at.
            models.Index(
                fields=["borough", "decided_at"],
                name="screening_re_referral_unknown",
                condition=models.Q(decided_at__isnull=False, re_referral__isnull=True),
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

    def save(self, *args, **kwargs):
        """A new record's queue copies default to its referral's and its statutory deadline
        (the receiver sets them itself, without reading the referral again)."""
        if self.effective_due_at is None:
            self.effective_due_at = self.due_at
        if self.received_at is None or not self.kind:
            self.received_at = self.received_at or self.referral.received_at
            self.kind = self.kind or self.referral.kind
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.decided_at is None


# --- Screening work (owner "mash-screening", issue 6) -------------------------------------
# The screener's judgements and actions on one referral: urgency ratings and Continuum of Need
# levels (histories: the latest row is the current one), record checks, enquiries to partner
# agencies, and the decision. Written only through `mash.screening`.


class UrgencyRating(models.Model):
    """The screener's red/amber/green urgency rating of a referral, with the reason. A change
    is a new row (who, when, why); the latest is the current rating. Never the deadline state
    (`mash.deadlines`), which is a fact about the clock."""

    class Rating(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"

    record = models.ForeignKey(
        ScreeningRecord, on_delete=models.CASCADE, related_name="urgency_ratings"
    )
    rating = models.CharField(max_length=5, choices=Rating.choices)
    reason = models.TextField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    # The deadline this rating set (its policy's timescale from set_at), kept with the rating.
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["record", "-set_at"], name="urgency_record_at")]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} ({self.set_at:%Y-%m-%d %H:%M})"


class NeedLevel(models.Model):
    """The London Continuum of Need level a screener records (a change is a new row)."""

    class Level(models.IntegerChoices):
        UNIVERSAL = 1, "Level 1: universal"
        EARLY_HELP = 2, "Level 2: early help"
        COMPLEX = 3, "Level 3: complex"
        ACUTE = 4, "Level 4: acute or statutory"

    record = models.ForeignKey(
        ScreeningRecord, on_delete=models.CASCADE, related_name="need_levels"
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    reason = models.TextField(blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["record", "-set_at"], name="need_level_record_at")]

    def __str__(self) -> str:
        return self.get_level_display()


class RecordCheck(models.Model):
    """A record check done by a screener: the earlier referrals the matcher found then (their
    references) and what the screener noted (including checks of other systems)."""

    record = models.ForeignKey(
        ScreeningRecord, on_delete=models.CASCADE, related_name="record_checks"
    )
    found = models.JSONField(default=list, blank=True)
    notes = models.TextField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"Record check {self.checked_at:%Y-%m-%d %H:%M}"


class Enquiry(models.Model):
    """A question put to a partner agency, and its answer when it comes. Open until answered."""

    class Agency(models.TextChoices):
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        SCHOOL = "school", "School"
        PROBATION = "probation", "Probation"
        OTHER = "other", "Other"

    record = models.ForeignKey(ScreeningRecord, on_delete=models.CASCADE, related_name="enquiries")
    agency = models.CharField(max_length=10, choices=Agency.choices)
    agency_detail = models.CharField(max_length=200, blank=True)
    question = models.TextField()
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name_plural = "enquiries"
        indexes = [
            # The queue's "enquiry open" indicator: an EXISTS per row on this partial index.
            models.Index(
                fields=["record"],
                name="enquiry_open_record",
                condition=models.Q(answered_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_agency_display()} enquiry {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    @classmethod
    def open_exists(cls, record_ref: str = "pk") -> models.Exists:
        """EXISTS an unanswered enquiry of the outer ScreeningRecord: the queue's indicator, one
        indexed probe per row inside the page's own query (no extra query)."""
        return models.Exists(
            cls.objects.filter(record=models.OuterRef(record_ref), answered_at__isnull=True)
        )

    @property
    def agency_name(self) -> str:
        if self.agency == self.Agency.OTHER and self.agency_detail:
            return self.agency_detail
        return self.get_agency_display()


class Decision(models.Model):
    """The outcome of screening, with its rationale: one per referral, final. Recording it
    sets ScreeningRecord.decided_at in the same transaction (`mash.screening`).

    The downstream dates are fixed when the decision is made (`mash.screening`): the home
    visit and the assessment deadline for a children's social care assessment, the end of the
    support window for Family Wellbeing. The outcome email to the referrer (when they can be
    contacted) is due within 24 hours; `notification_late_at` is set once, by the monitor, when
    it was not sent in time."""

    class Outcome(models.TextChoices):
        NO_FURTHER_ACTION = "nfa", "No further action"
        ADVICE = "advice", "Advice and signposting"
        FAMILY_WELLBEING = "family_wellbeing", "Family Wellbeing (early help)"
        ASSESSMENT = "assessment", "Children's social care assessment"
        STRATEGY = "strategy", "Strategy discussion (child protection)"
        DISABLED_CHILDREN = "disabled_children", "Disabled children's team"
        OTHER = "other", "Other"

    record = models.OneToOneField(
        ScreeningRecord, on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    rationale = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    home_visit_by = models.DateField(null=True, blank=True)
    assessment_due = models.DateField(null=True, blank=True)
    support_until = models.DateField(null=True, blank=True)
    notify_referrer = models.BooleanField(default=False)
    notification_due_at = models.DateTimeField(null=True, blank=True)
    notification_late_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [
            # The 24-hour monitor: notifications due, not yet flagged.
            models.Index(
                fields=["notification_due_at"],
                name="decision_notification_watch",
                condition=models.Q(notify_referrer=True, notification_late_at__isnull=True),
            ),
            # The dashboard's "decided today" per person.
            models.Index(fields=["decided_at"], name="decision_decided_at"),
            # The late-notifications list, newest first.
            models.Index(
                fields=["-notification_late_at"],
                name="decision_notification_late",
                condition=models.Q(notification_late_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(rationale=""), name="decision_has_rationale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.decided_at:%Y-%m-%d %H:%M})"


# --- Consultations (owner "mash-intake", issue 6) -----------------------------------------


class ConsultationAdvice(models.Model):
    """The advice MASH gave a professional who asked for a consultation: what, who, when.
    Recording it closes the consultation (its screening record's `decided_at`, in the same
    transaction: `mash.consultations.record_advice`). One per consultation, final."""

    record = models.OneToOneField(
        ScreeningRecord, on_delete=models.CASCADE, related_name="consultation_advice"
    )
    advice = models.TextField()
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name_plural = "consultation advice"
        constraints = [
            models.CheckConstraint(condition=~models.Q(advice=""), name="consultation_has_advice"),
        ]

    def __str__(self) -> str:
        return f"Advice given {self.given_at:%Y-%m-%d %H:%M}"


# --- Screening policy, alerts (owner "mash-urgency", issue 15) -----------------------------


class TimeUnit(models.TextChoices):
    CLOCK_HOURS = "clock_hours", "hours of clock time (nights, weekends and holidays count)"
    WORKING_HOURS = "working_hours", "hours of working time"
    WORKING_DAYS = "working_days", "working days"


def _timescale(name: str, amount: int, unit: str, help_text: str):
    """An (amount, unit) pair of fields: '4 clock hours', '1 working day'."""
    return (
        models.PositiveSmallIntegerField(f"{name}: how many", default=amount, help_text=help_text),
        models.CharField(f"{name}: unit", max_length=20, choices=TimeUnit.choices, default=unit),
    )


class ScreeningPolicy(models.Model):
    """One borough's screening policy, edited in the admin: how long screening may take, the
    clock each urgency rating sets, the warning window before a deadline, the downstream
    timescales and where escalations go. Read through `mash.policy.current_rules` (a
    borough without a row gets the defaults). A change applies from then on: due times already fixed
    (at receipt, at a rating, at a decision) stay as they were set, like the calendar's."""

    borough = models.OneToOneField(
        "contacts.Borough", on_delete=models.CASCADE, related_name="screening_policy"
    )
    screening_amount, screening_unit = _timescale(
        "Statutory screening time", 1, TimeUnit.WORKING_DAYS, "From when a referral is received."
    )
    red_amount, red_unit = _timescale("Red rating", 4, TimeUnit.CLOCK_HOURS, "From the rating.")
    amber_amount, amber_unit = _timescale(
        "Amber rating", 1, TimeUnit.WORKING_DAYS, "From the rating."
    )
    green_amount, green_unit = _timescale(
        "Green rating", 1, TimeUnit.WORKING_DAYS, "From the rating."
    )
    warning_amount, warning_unit = _timescale(
        "Warning window", 2, TimeUnit.WORKING_HOURS, "Before a deadline: 'due soon' and an alert."
    )
    red_unheld_minutes = models.PositiveSmallIntegerField(
        "Red and nobody holding it: alert after (minutes)", default=15
    )
    home_visit_days = models.PositiveSmallIntegerField(
        "Home visit within (calendar days of the referral)", default=10
    )
    assessment_working_days = models.PositiveSmallIntegerField(
        "Assessment within (working days of the referral)", default=45
    )
    support_months = models.PositiveSmallIntegerField(
        "Family Wellbeing support for up to (months)", default=6
    )
    outcome_within_hours = models.PositiveSmallIntegerField(
        "Outcome to the referrer within (hours of the decision)", default=24
    )
    managers_inbox = models.EmailField(
        "MASH managers' team inbox",
        blank=True,
        help_text="Escalations (deadlines near or passed, Red referrals nobody holds) go here.",
    )
    out_of_hours_inbox = models.EmailField(
        "Out-of-hours team's inbox",
        blank=True,
        help_text="Red referrals whose clock runs out of office hours also go here.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "screening policy"
        verbose_name_plural = "screening policies"
        ordering = ["borough__name"]

    def __str__(self) -> str:
        return f"Screening policy of {self.borough}"

    LIMITS = {
        TimeUnit.CLOCK_HOURS: 24 * 14,
        TimeUnit.WORKING_HOURS: 8 * 14,
        TimeUnit.WORKING_DAYS: 30,
    }
    TIMESCALES = ("screening", "red", "amber", "green", "warning")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        for name in self.TIMESCALES:
            amount, unit = getattr(self, f"{name}_amount"), getattr(self, f"{name}_unit")
            if amount is None or unit not in TimeUnit.values:
                continue
            if amount < 1:
                errors[f"{name}_amount"] = "Enter a number of at least 1"
            elif amount > self.LIMITS[unit]:
                errors[f"{name}_amount"] = f"Enter at most {self.LIMITS[unit]} {unit.label}"
        for name, low, high in [
            ("red_unheld_minutes", 1, 24 * 60),
            ("home_visit_days", 1, 60),
            ("assessment_working_days", 1, 100),
            ("support_months", 1, 36),
            ("outcome_within_hours", 1, 24 * 7),
        ]:
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                errors[name] = f"Enter a number from {low} to {high}"
        if errors:
            raise ValidationError(errors)


class Alert(models.Model):
    """An escalation to a borough's managers about one referral, raised once per kind by the
    beat task (`mash.alerts.raise_alerts`): the (referral, kind) unique constraint makes a
    second raise, even one running at the same moment, insert nothing. Shown as a banner to
    the borough's managers until one of them acknowledges it."""

    class Kind(models.TextChoices):
        WARNING = "warning", "Deadline near"
        OVERDUE = "overdue", "Deadline passed"
        RED_UNHELD = "red_unheld", "Red and nobody holds it"

    referral = models.ForeignKey(
        "reporting.Referral", on_delete=models.CASCADE, related_name="alerts"
    )
    borough = models.ForeignKey("contacts.Borough", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    raised_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(help_text="The effective due time when it was raised.")
    red = models.BooleanField(default=False)
    out_of_hours = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["raised_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "kind"], name="one_alert_a_kind"),
        ]
        indexes = [
            # The managers' banner: unacknowledged alerts of their boroughs.
            models.Index(
                fields=["borough", "raised_at"],
                name="alert_unacknowledged",
                condition=models.Q(acknowledged_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.raised_at:%Y-%m-%d %H:%M})"


# --- "Check a report" (issue 17) -----------------------------------------------------------


class StatusCheckCode(models.Model):
    """A 6-digit code asked for on "Check a report" (`mash.check_report`).

    One row per request for a code, whether or not the details matched a report: when they
    did not, `referral` is empty and no code was sent, but the row is made and checked the
    same way, so the pages behave alike either way. Only a keyed hash of the code is kept. A
    code works for 15 minutes, once, and dies after 3 wrong tries. `token` (kept in the
    browser's session, never shown) says which row that browser is entering a code for."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    token = models.UUIDField(unique=True, editable=False)
    borough = models.ForeignKey("contacts.Borough", on_delete=models.CASCADE, related_name="+")
    referral = models.ForeignKey(
        "reporting.Referral",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="status_check_codes",
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["expires_at"], name="status_code_expiry")]

    def __str__(self) -> str:
        return f"Status check code {self.pk} ({self.get_channel_display()})"


# --- The managers' dashboard (issue 16) ---------------------------------------------------


class DashboardWeek(models.Model):
    """One borough's figures for one settled week (`mash.dashboard.Week.as_data`), kept by the
    nightly task `mash.summarise_dashboard_weeks` so the dashboard reads 12 rows instead of
    aggregating a quarter of a million. Weeks not yet settled are always worked out live."""

    borough = models.ForeignKey("contacts.Borough", on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="The Monday the week begins.")
    figures = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["borough", "week"]
        constraints = [
            models.UniqueConstraint(fields=["borough", "week"], name="dashboard_week_once"),
        ]

    def __str__(self) -> str:
        return f"{self.borough_id} week of {self.week}"
