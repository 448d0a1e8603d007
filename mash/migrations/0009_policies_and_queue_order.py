"""Data: every borough gets its screening policy (Bromley's assessment timescale is its
published 40 working days; the others keep the defaults, 45 as statutory guidance allows);
every screening record gets the copies the queue orders by (the referral's received time and
kind), its current rating, and its effective due time."""

import datetime as dt

from django.db import migrations

BROMLEY_ASSESSMENT_WORKING_DAYS = 40
RED_CLOCK_HOURS = 4  # the default Red timescale, as the policies are created here


def forwards(apps, schema_editor):
    Borough = apps.get_model("contacts", "Borough")
    ScreeningPolicy = apps.get_model("mash", "ScreeningPolicy")
    ScreeningRecord = apps.get_model("mash", "ScreeningRecord")
    UrgencyRating = apps.get_model("mash", "UrgencyRating")
    for borough in Borough.objects.all():
        ScreeningPolicy.objects.get_or_create(
            borough=borough,
            defaults=(
                {"assessment_working_days": BROMLEY_ASSESSMENT_WORKING_DAYS}
                if borough.slug == "bromley"
                else {}
            ),
        )
    records = ScreeningRecord.objects.select_related("referral").order_by("pk")
    for record in records.iterator(chunk_size=2000):
        latest = UrgencyRating.objects.filter(record=record).order_by("-set_at", "-id").first()
        record.received_at = record.referral.received_at
        record.kind = record.referral.kind
        record.effective_due_at = record.due_at
        if latest is not None:
            record.rating, record.rated_at = latest.rating, latest.set_at
            # Amber and Green (one working day from the rating, given after receipt) never
            # end before the statutory deadline; Red (4 clock hours) may.
            if latest.rating == "red":
                record.rank = 0
                record.effective_due_at = min(
                    record.due_at, latest.set_at + dt.timedelta(hours=RED_CLOCK_HOURS)
                )
        record.save(
            update_fields=["received_at", "kind", "effective_due_at", "rating", "rated_at", "rank"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("mash", "0008_urgency_policy_alerts"),
        ("contacts", "0002_seed_boroughs"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
