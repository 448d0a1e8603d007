"""Bromley's and Bexley's GSS codes, early-help naming and services (seed.BOROUGH_SETTINGS)."""

from django.db import migrations


def apply(apps, schema_editor):
    from contacts.seed import apply_borough_settings

    apply_borough_settings(apps)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_borough_services_and_postcodes")]
    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
