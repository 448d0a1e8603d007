import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from reporting import references
from reporting.models import Child, Referral
from reporting.references import ALPHABET, is_reference, new_reference, normalise_reference
from reporting.services import submit_concern
from tests.reporting.factories import ReferralFactory, concern_answers

FORMAT = re.compile(r"^BRM-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_alphabet_is_crockford_base32_without_ambiguous_letters():
    assert len(ALPHABET) == len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert "".join(sorted(ALPHABET)) == ALPHABET


@pytest.mark.django_db
def test_format_and_prefix(bromley, bexley):
    reference = new_reference(bromley)
    assert FORMAT.match(reference), reference
    assert new_reference(bexley).startswith("BXL-")
    assert len(reference) <= Referral._meta.get_field("reference").max_length
    assert is_reference(reference)


@pytest.mark.django_db
def test_random_enough_no_ambiguous_characters_and_every_symbol_used(bromley):
    generated = [new_reference(bromley) for _ in range(3000)]
    assert len(set(generated)) == len(generated)
    body = "".join(reference[4:].replace("-", "") for reference in generated)
    assert not set(body) & set("ILOUilou")
    assert set(body) == set(ALPHABET)


@pytest.mark.django_db
def test_drawn_from_secrets(bromley, monkeypatch):
    calls = []

    def choice(seq):
        calls.append(seq)
        return seq[0]

    monkeypatch.setattr(references.secrets, "choice", choice)
    assert new_reference(bromley) == "BRM-0000-0000"
    assert len(calls) == 8


@pytest.mark.django_db
def test_collision_retries_with_a_new_reference(bromley, monkeypatch):
    taken = ReferralFactory(borough=bromley, reference="BRM-AAAA-BBBB")
    issued = iter(["BRM-AAAA-BBBB", "BRM-AAAA-BBBB", "BRM-CCCC-DDDD"])
    monkeypatch.setattr(references, "new_reference", lambda borough: next(issued))

    with transaction.atomic():  # the retries use savepoints: the outer transaction survives
        referral = submit_concern(borough=bromley, answers=concern_answers())

    assert referral.reference == "BRM-CCCC-DDDD"
    assert Referral.objects.count() == 2
    taken.refresh_from_db()
    assert taken.description != referral.description
    assert referral.children.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_collision_reruns_the_whole_transaction_without_savepoints(bromley, monkeypatch):
    """As in production (no outer transaction): the insert that collides spoils the
    transaction, which is run again from the start; nothing of the spoilt try is kept and no
    savepoint is used."""
    ReferralFactory(borough=bromley, reference="BRM-AAAA-BBBB")
    issued = iter(["BRM-AAAA-BBBB", "BRM-CCCC-DDDD"])
    monkeypatch.setattr(references, "new_reference", lambda borough: next(issued))
    with CaptureQueriesContext(connection) as queries:  # anonymous: no outbox row
        referral = submit_concern(borough=bromley, answers=concern_answers("anonymous"))
    assert referral.reference == "BRM-CCCC-DDDD"
    assert Referral.objects.count() == 2 and Child.objects.count() == 1
    assert referral.children.count() == 1
    assert not [q for q in queries.captured_queries if "SAVEPOINT" in q["sql"]]
    assert [q["sql"] for q in queries.captured_queries].count("ROLLBACK") == 1


@pytest.mark.django_db
def test_gives_up_after_repeated_collisions_and_saves_nothing(bromley, monkeypatch):
    ReferralFactory(borough=bromley, reference="BRM-AAAA-BBBB")
    monkeypatch.setattr(references, "new_reference", lambda borough: "BRM-AAAA-BBBB")
    with pytest.raises(RuntimeError, match="No free reference"):
        submit_concern(borough=bromley, answers=concern_answers())
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("BRM-4K7Q-X9D2", "BRM-4K7Q-X9D2"),
        ("brm 4k7q x9d2", "BRM-4K7Q-X9D2"),
        (" BRM4K7QX9D2 ", "BRM-4K7Q-X9D2"),
        ("BRM-4K7Q-X9DO", "BRM-4K7Q-X9D0"),
        ("bxl-i1l0-abcd", "BXL-1110-ABCD"),
        ("BRM-4K7Q-X9D", ""),
        ("BRM-4K7Q-X9DU", ""),
        ("123-4K7Q-X9D2", ""),
        ("", ""),
    ],
)
def test_normalise_reference(typed, expected):
    assert normalise_reference(typed) == expected


@given(
    prefix=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
    body=st.text(alphabet=ALPHABET, min_size=8, max_size=8),
)
def test_normalise_round_trips_any_reference_however_typed(prefix, body):
    reference = f"{prefix}-{body[:4]}-{body[4:]}"
    assert normalise_reference(reference) == reference
    assert normalise_reference(reference.lower().replace("-", " ")) == reference
