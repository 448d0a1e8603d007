"""The pg_trgm and fuzzystrmatch extensions, and trigram GIN indexes for the MASH staff search
(`mash.search`): children's addresses and schools, and the referrer's name and email
(ILIKE '%...%'). PostgreSQL only; SQLite scans (small databases)."""

from django.db import migrations

# (name, table, indexed expression). Django's icontains on PostgreSQL is
# UPPER("col"::text) LIKE UPPER('%...%'): those indexes are on that same expression. Children's
# names are found through the b-tree UPPER(name) indexes of 0003 instead (see mash.search).
INDEXES = [
    ("child_address_trgm", "reporting_child", 'UPPER("address"::text)'),
    ("child_school_trgm", "reporting_child", 'UPPER("school"::text)'),
    ("referral_referrer_name_trgm", "reporting_referral", 'UPPER("referrer_name"::text)'),
    ("referral_referrer_email_trgm", "reporting_referral", 'UPPER("referrer_email"::text)'),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # levenshtein_less_equal, the search's edit-distance prefilter on what the indexes found
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    for name, table, expression in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0006_submission_key"),
    ]

    operations = [migrations.RunPython(create, drop)]
