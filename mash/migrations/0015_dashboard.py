"""The dashboard: working time from receipt to decision kept on the screening record
(backfilled for decisions already made, on each borough's calendar)."""

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
        ("mash", "0011_alter_auditevent_action"),
    ]

    operations = [
        migrations.AddField(
            model_name="screeningrecord",
            name="decision_working_seconds",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
