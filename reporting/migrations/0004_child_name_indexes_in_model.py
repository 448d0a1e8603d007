# The name-prefix indexes that 0003 made with raw SQL on PostgreSQL are declared on the model
# (Child.Meta.indexes) from here on. On PostgreSQL they already exist with exactly the
# definition Django would create (tests/reporting/test_models.py compares them), so this only
# records them in the migration state; on other databases it creates them (without the
# PostgreSQL operator class: reporting.models.PortableIndex).

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations

import reporting.models


class AddIndexMadeOnPostgreSQLBy0003(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0003_child_lookup_indexes"),
    ]

    operations = [
        AddIndexMadeOnPostgreSQLBy0003(
            model_name="child",
            index=reporting.models.PortableIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("first_name"), name="text_pattern_ops"
                ),
                name="child_first_name_upper",
            ),
        ),
        AddIndexMadeOnPostgreSQLBy0003(
            model_name="child",
            index=reporting.models.PortableIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("last_name"), name="text_pattern_ops"
                ),
                name="child_last_name_upper",
            ),
        ),
    ]
