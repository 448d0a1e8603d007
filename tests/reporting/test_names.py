"""Children's names as the search finds them: the deletion keys, the normalised names kept on
every child, and the vocabulary of names (reporting.names)."""

import importlib
import random
import string

import pytest
from django.apps import apps
from rapidfuzz.distance import OSA

from reporting import names
from reporting.models import Child, NameKey
from tests.reporting.factories import ReferralFactory


def test_names_within_the_allowed_typos_share_a_deletion_key():
    rng = random.Random(3)
    letters = "abcdeilmnorst"
    near = 0
    for _ in range(20_000):
        a = "".join(rng.choice(letters) for _ in range(rng.randint(1, 11)))
        b = list(a)
        for _ in range(rng.randint(0, 3)):  # a few random edits
            i = rng.randrange(len(b) + 1)
            edit = rng.choice("sdit")
            if edit == "s" and i < len(b):
                b[i] = rng.choice(letters)
            elif edit == "d" and i < len(b):
                del b[i]
            elif edit == "i":
                b.insert(i, rng.choice(letters))
            elif edit == "t" and i < len(b) - 1:
                b[i], b[i + 1] = b[i + 1], b[i]
        b = "".join(b)
        if b and OSA.distance(a, b) <= names.allowed_typos(min(len(a), len(b))):
            near += 1
            assert names.deletions(a) & names.deletions(b), (a, b)
    assert near > 5_000


def test_deletions():
    assert names.deletions("sam") == {"sam"}  # 3 letters: no typo allowed
    assert names.deletions("amir") == {"amir", "mir", "air", "amr", "ami"}
    assert len(names.deletions("abcdefgh")) == 1 + 8 + 28  # 8 letters: up to two deleted
    assert "cdefgh" in names.deletions("abcdefgh")
    assert "defgh" not in names.deletions("abcdefgh")
    assert "" not in names.deletions("a")


pytestmark = pytest.mark.django_db


def vocabulary():
    return set(NameKey.objects.values_list("name", flat=True))


def test_a_saved_child_keeps_its_names_normalised_and_in_the_vocabulary():
    child = Child.objects.create(
        referral=ReferralFactory(), first_name="Zoë", last_name="O'Brien-Smith"
    )
    child.refresh_from_db()
    assert (child.first_key, child.last_key) == ("zoe", "obriensmith")
    referral = child.referral
    assert (child.received_at, child.borough_id) == (referral.received_at, referral.borough_id)
    assert {"zoe", "obriensmith"} <= vocabulary()
    assert NameKey.objects.filter(name="obriensmith").count() == len(names.deletions("obriensmith"))
    child.last_name = "Patel"
    child.save(update_fields=["last_name"])
    child.refresh_from_db()
    assert child.last_key == "patel"
    assert "patel" in vocabulary()
    child.name_unknown = True
    child.save()
    child.refresh_from_db()
    assert (child.first_key, child.last_key) == ("", "")


def test_bulk_created_children_too():
    referral = ReferralFactory()
    Child.objects.bulk_create(
        [
            Child(referral=referral, order=0, first_name="Leo", last_name="Nguyen"),
            Child(referral=referral, order=1, first_name="X", name_unknown=True),
        ]
    )
    keys = list(referral.children.order_by("order").values_list("first_key", "last_key"))
    assert keys == [("leo", "nguyen"), ("", "")]
    assert {"leo", "nguyen"} <= vocabulary()
    assert "x" not in vocabulary()


def test_candidates_and_prefixes():
    names.remember(["hughes", "hughs", "huges", "amira", "samantha", "sam", "samuel"])
    assert {"hughes", "hughs", "huges"} <= names.candidates("hughes")
    assert "amira" not in names.candidates("hughes")
    assert names.starting_with("sam") == {"samantha", "samuel"}
    assert names.candidates("") == set()


def test_the_migration_fills_the_keys_of_children_already_stored():
    referral = ReferralFactory()
    Child.objects.bulk_create(
        [Child(referral=referral, order=0, first_name="Amira", last_name="Hughes")]
    )
    Child.objects.update(first_key="", last_key="", received_at=None, borough=None)
    NameKey.objects.all().delete()
    migration = importlib.import_module("reporting.migrations.0013_search_name_keys")
    migration.fill(apps, None)
    child = referral.children.get()
    assert (child.first_key, child.last_key) == ("amira", "hughes")
    assert (child.received_at, child.borough_id) == (referral.received_at, referral.borough_id)
    assert vocabulary() == {"amira", "hughes"}


def test_normalise_name_keeps_letters_only():
    assert names.normalise_name(" Mary-Ann O'Neil ") == "maryannoneil"
    assert names.normalise_name(string.digits) == ""
