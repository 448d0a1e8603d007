"""The staff search's name keys: each child's names normalised, and the vocabulary of names
with their deletion neighbourhoods (reporting.names), and each child's copies of its referral's
received time and borough, filled for the children already stored."""

import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

import reporting.models
from reporting.names import child_keys, deletions


def fill(apps, schema_editor):
    """Every child's normalised names, and the vocabulary of them (reporting.names)."""
    Child = apps.get_model("reporting", "Child")
    Referral = apps.get_model("reporting", "Referral")
    NameKey = apps.get_model("reporting", "NameKey")
    names, batch = set(), []
    rows = Child.objects.only("first_name", "last_name", "name_unknown").order_by("pk")
    for child in rows.iterator(chunk_size=5_000):
        child.first_key, child.last_key = child_keys(child)
        names.update(n for n in (child.first_key, child.last_key) if n)
        batch.append(child)
        if len(batch) == 5_000:
            Child.objects.bulk_update(batch, ["first_key", "last_key"])
            batch = []
    Child.objects.bulk_update(batch, ["first_key", "last_key"])
    referral = Referral.objects.filter(pk=OuterRef("referral_id"))
    Child.objects.update(
        received_at=Subquery(referral.values("received_at")[:1]),
        borough_id=Subquery(referral.values("borough_id")[:1]),
    )
    NameKey.objects.bulk_create(
        (NameKey(key=key, name=name) for name in sorted(names) for key in deletions(name)),
        ignore_conflicts=True,
        batch_size=5_000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0006_seed_adult_social_care"),
        ("reporting", "0012_child_match_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="NameKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=200)),
                ("name", models.CharField(max_length=200)),
            ],
        ),
        migrations.AddField(
            model_name="child",
            name="first_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="child",
            name="last_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="child",
            name="received_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="child",
            name="borough",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contacts.borough",
            ),
        ),
        migrations.AddIndex(
            model_name="child",
            index=models.Index(
                fields=["first_key", "last_key", "-received_at"], name="child_names"
            ),
        ),
        migrations.AddIndex(
            model_name="child",
            index=models.Index(
                fields=["last_key", "first_key", "-received_at"], name="child_names_2"
            ),
        ),
        migrations.AddIndex(
            model_name="child",
            index=models.Index(fields=["first_key", "-received_at"], name="child_first_key"),
        ),
        migrations.AddIndex(
            model_name="child",
            index=models.Index(fields=["last_key", "-received_at"], name="child_last_key"),
        ),
        migrations.AddIndex(
            model_name="namekey",
            index=reporting.models.PortableIndex(
                django.contrib.postgres.indexes.OpClass("key", name="varchar_pattern_ops"),
                name="namekey_key_prefix",
            ),
        ),
        migrations.AddIndex(
            model_name="namekey",
            index=models.Index(fields=["name"], name="namekey_name"),
        ),
        migrations.AddConstraint(
            model_name="namekey",
            constraint=models.UniqueConstraint(fields=("key", "name"), name="one_name_key"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
