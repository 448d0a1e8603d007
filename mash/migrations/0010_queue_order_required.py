from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mash", "0009_policies_and_queue_order"),
    ]

    operations = [
        migrations.AlterField(
            model_name="screeningrecord",
            name="received_at",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="screeningrecord",
            name="effective_due_at",
            field=models.DateTimeField(),
        ),
    ]
