"""Messages get a channel, personalisation (their text comes from templates), a status and
the provider's id for delivery receipts. Rows sent before are marked sent."""

from django.db import migrations, models


def mark_sent(apps, schema_editor):
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    OutboxMessage.objects.filter(sent_at__isnull=False).update(status="sent")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="channel",
            field=models.CharField(
                choices=[("email", "Email"), ("sms", "Text message")], default="email", max_length=5
            ),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="failed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="failure",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="personalisation",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="provider_id",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting to be sent"),
                    ("sent", "Sent"),
                    ("delivered", "Delivered"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="body",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="kind",
            field=models.CharField(
                choices=[
                    ("acknowledgement", "Report received"),
                    ("fw_acknowledgement", "Family Wellbeing referral received"),
                    ("self_acknowledgement", "Request for help received"),
                    ("consultation_acknowledgement", "Consultation request received"),
                    ("outcome", "Outcome of a report"),
                    ("escalation", "MASH escalation alert"),
                    ("ops_alert", "Operations alert"),
                    ("check_code", "Code to check a report"),
                ],
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="subject",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="to",
            field=models.CharField(max_length=254),
        ),
        migrations.RunPython(mark_sent, migrations.RunPython.noop),
    ]
