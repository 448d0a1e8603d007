"""The dashboard: its audit actions, indexes for its weekly ranges, the re-referral mark, the weekly summary, and working time from receipt to decision kept on the screening record
(backfilled for decisions already made, on each borough's calendar)."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    from contacts.calendar import WorkingCalendar

    ScreeningRecord = apps.get_model("mash", "ScreeningRecord")
    Borough = apps.get_model("contacts", "Borough")
    calendars = {}
    for borough in Borough.objects.all():
        calendars[borough.pk] = WorkingCalendar(
            hours={oh.weekday: (oh.opens, oh.closes) for oh in borough.office_hours.all()},
            closures=frozenset(borough.closure_days.values_list("date", flat=True)),
        )
    decided = ScreeningRecord.objects.filter(
        decided_at__isnull=False, decision_working_seconds__isnull=True
    ).only("pk", "borough_id", "received_at", "decided_at")
    for record in decided.iterator(chunk_size=2000):
        calendar = calendars[record.borough_id]
        if not calendar.hours:
            continue
        took = calendar.working_time_between(record.received_at, record.decided_at)
        ScreeningRecord.objects.filter(pk=record.pk).update(
            decision_working_seconds=max(0, int(took.total_seconds()))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0006_seed_adult_social_care"),
        ("mash", "0013_status_check_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="screeningrecord",
            name="decision_working_seconds",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("login", "Signed in"),
                    ("login_failed", "Sign-in failed"),
                    ("locked_out", "Locked out"),
                    ("logout", "Signed out"),
                    ("password_accepted", "Password accepted (code not yet given)"),
                    ("otp_failed", "Wrong authenticator code"),
                    ("otp_enrolled", "Authenticator app set up"),
                    ("session_expired", "Session expired"),
                    ("enrolment_link_created", "Enrolment link created"),
                    ("enrolment_link_used", "Enrolment link used"),
                    ("otp_device_reset", "Authenticator app reset"),
                    ("access_refused", "Access refused"),
                    ("queue_viewed", "Screening queue viewed"),
                    ("consultations_viewed", "Consultation queue viewed"),
                    ("referral_viewed", "Referral viewed"),
                    ("consent_downloaded", "Consent form downloaded"),
                    ("late_notifications_viewed", "Late outcome notifications viewed"),
                    ("audit_viewed", "Audit trail viewed"),
                    ("admin_referrals_listed", "Referrals listed in the admin"),
                    ("referral_logged", "Referral logged by staff"),
                    ("referral_claimed", "Referral claimed"),
                    ("referral_released", "Referral released"),
                    ("referral_reassigned", "Referral reassigned"),
                    ("urgency_set", "Urgency rating set"),
                    ("need_level_set", "Continuum of Need level set"),
                    ("record_check_recorded", "Record check recorded"),
                    ("enquiry_requested", "Enquiry requested"),
                    ("enquiry_answered", "Enquiry answered"),
                    ("decision_recorded", "Decision recorded"),
                    ("consultation_claimed", "Consultation claimed"),
                    ("consultation_advice_recorded", "Consultation advice recorded"),
                    ("outcome_notification_late", "Outcome notification late"),
                    ("alert_raised", "Alert raised to managers"),
                    ("alert_acknowledged", "Alert acknowledged"),
                    ("alerts_viewed", "Alerts viewed"),
                    ("referrals_searched", "Referrals searched"),
                    ("team_viewed", "Team viewed"),
                    ("referrals_bulk_reassigned", "Referrals reassigned in bulk"),
                    ("screening_policy_changed", "Screening policy changed"),
                    ("dashboard_viewed", "Dashboard viewed"),
                    ("dashboard_listed", "Referrals behind a dashboard figure listed"),
                    ("dashboard_exported", "Dashboard table downloaded (CSV)"),
                    ("subject_access_searched", "Subject access search"),
                    ("subject_access_exported", "Subject access export"),
                    ("retention_applied", "Retention schedule applied"),
                ],
                db_index=True,
                editable=False,
                max_length=50,
            ),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(fields=["decided_at"], name="decision_decided_at"),
        ),
        migrations.AddIndex(
            model_name="screeningrecord",
            index=models.Index(
                fields=["borough", "received_at"], name="screening_borough_received"
            ),
        ),
        migrations.AddIndex(
            model_name="screeningrecord",
            index=models.Index(
                condition=models.Q(("decided_at__isnull", False)),
                fields=["borough", "decided_at"],
                name="screening_borough_decided",
            ),
        ),
        migrations.AddField(
            model_name="screeningrecord",
            name="re_referral",
            field=models.BooleanField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="screeningrecord",
            index=models.Index(
                condition=models.Q(("decided_at__isnull", False), ("re_referral__isnull", True)),
                fields=["borough", "decided_at"],
                name="screening_re_referral_unknown",
            ),
        ),
        migrations.CreateModel(
            name="DashboardWeek",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("week", models.DateField(help_text="The Monday the week begins.")),
                ("figures", models.JSONField()),
                ("computed_at", models.DateTimeField()),
                (
                    "borough",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contacts.borough",
                    ),
                ),
            ],
            options={
                "ordering": ["borough", "week"],
                "constraints": [
                    models.UniqueConstraint(fields=("borough", "week"), name="dashboard_week_once")
                ],
            },
        ),
    ]
