"""The default retention schedule (ops.schedule), and the audit trail's append-only trigger
taught one exception: a transaction that has set `ops.retention_delete` (ops.retention, the
nightly task, for audit events past their retention period) may DELETE. UPDATE stays refused."""

from django.db import migrations

PG_RETENTION_ALLOWS_DELETE = """
CREATE OR REPLACE FUNCTION mash_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('ops.retention_delete', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'mash_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
PG_FORBID_ALL = """
CREATE OR REPLACE FUNCTION mash_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'mash_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def load_defaults(apps, schema_editor):
    from ops.schedule import DEFAULTS

    RetentionPeriod = apps.get_model("ops", "RetentionPeriod")
    for row in DEFAULTS:
        RetentionPeriod.objects.get_or_create(record_type=row["record_type"], defaults=row)


def allow_retention_delete(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_RETENTION_ALLOWS_DELETE, params=None)


def forbid_all(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORBID_ALL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0001_initial"),
        ("mash", "0004_consultation_advice"),
    ]

    operations = [
        migrations.RunPython(load_defaults, migrations.RunPython.noop),
        migrations.RunPython(allow_retention_delete, forbid_all),
    ]
