from django.db import migrations


def load(apps, schema_editor):
    from contacts.seed import load_boroughs

    load_boroughs(apps)


def unload(apps, schema_editor):
    from contacts.seed import unload_boroughs

    unload_boroughs(apps)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
