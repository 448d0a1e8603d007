"""Bromley's and Bexley's adult social care lines (seed.ADULT_SOCIAL_CARE)."""

from django.db import migrations


def apply(apps, schema_editor):
    from contacts.seed import add_adult_social_care

    add_adult_social_care(apps)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0005_borough_bsl_video_relay_adult_line")]
    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
