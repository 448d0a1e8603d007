"""The outbox moves to the `notifications` app: the table stays (notifications.OutboxMessage
uses it under its old name), so no row moves. Here: drop the database's foreign key from the
outbox to referrals (notifications knows nothing of referrals; its `about_id` keeps the column
and its index), then forget the model in reporting's state only. And the channel a referrer chose for
updates (`updates_by`)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0008_census_fields"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboxmessage",
            name="referral",
            field=models.ForeignKey(
                blank=True,
                null=True,
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="outbox_messages",
                to="reporting.referral",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutboxMessage")],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="referral",
            name="updates_by",
            field=models.CharField(
                blank=True,
                choices=[("email", "Email"), ("sms", "Text message")],
                max_length=5,
            ),
        ),
    ]
