"""Expression indexes for the dashboard's re-referrals (mash.dashboard.RE_REFERRAL_SQL): a
child's normalised first and last names with the date of birth, and with the normalised
postcode, so finding the same child in earlier referrals is an index lookup at a million
referrals. PostgreSQL only (other databases read the figures without them)."""

from django.db import migrations

INDEXES = {
    "child_match_name_dob": (
        "regexp_replace(lower(translate(first_name, '{a}', '{p}')), '[^a-z]', '', 'g'), "
        "regexp_replace(lower(translate(last_name, '{a}', '{p}')), '[^a-z]', '', 'g'), "
        "date_of_birth"
    ),
    "child_match_name_postcode": (
        "regexp_replace(lower(translate(first_name, '{a}', '{p}')), '[^a-z]', '', 'g'), "
        "regexp_replace(lower(translate(last_name, '{a}', '{p}')), '[^a-z]', '', 'g'), "
        "regexp_replace(upper(postcode), '[^A-Z0-9]', '', 'g')"
    ),
}
ACCENTED = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖòóôõöÙÚÛÜùúûüÝýÿ"
PLAIN = "AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOoooooUUUUuuuuYyy"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        columns = columns.replace("{a}", ACCENTED).replace("{p}", PLAIN)
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON reporting_child ({columns})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("reporting", "0011_child_person_key")]

    operations = [migrations.RunPython(create, drop)]
