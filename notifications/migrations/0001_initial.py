"""notifications.OutboxMessage takes over reporting's outbox table as it is (state only: no
row moves); 0002 then adds what messages need now (channel, personalisation, status)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("reporting", "0009_outbox_to_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboxMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("kind", models.CharField(max_length=30)),
                        ("to", models.EmailField(max_length=254)),
                        ("subject", models.CharField(max_length=255)),
                        ("body", models.TextField()),
                        ("dedupe_key", models.CharField(max_length=200, unique=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("claimed_until", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                        (
                            "about_id",
                            models.BigIntegerField(
                                blank=True, db_column="referral_id", db_index=True, null=True
                            ),
                        ),
                    ],
                    options={
                        "db_table": "reporting_outboxmessage",
                        "ordering": ["-created_at"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(("sent_at__isnull", True)),
                                fields=["created_at"],
                                name="outbox_unsent",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
