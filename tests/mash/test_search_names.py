"""The staff search's name lookup (the stored name keys and the name vocabulary) finds exactly
the children the record checks' rule (`mash.matching.name_agrees`) accepts: compared, for
hundreds of typed names, with the rule applied to every child of the user's boroughs."""

import datetime as dt
import random

import pytest
from django.db import connection

from contacts.calendar import LONDON
from mash.matching import name_agrees
from mash.search import SearchTerms, _QueryChild, search, split_name
from reporting.models import Child, Referral
from reporting.references import new_reference
from tests.mash.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

FIRSTS = ["Amira", "Samantha", "Sam", "Leo", "Zoë", "Mohammed", "Mary-Ann", "Christopher", "Ed"]
LASTS = ["Hughes", "O'Brien", "Smith-Jones", "Patel", "Nguyen", "Ali", "Kowalczyk", "Li", "Fox"]


def typo(rng, word):
    """A swap of two neighbouring letters, a letter changed, dropped or added (or none)."""
    if len(word) < 3:
        return word
    i = rng.randrange(0, len(word) - 1)  # the first letter too
    return rng.choice(
        [
            word,
            word[:i] + word[i + 1] + word[i] + word[i + 2 :],
            word[:i] + rng.choice("aeiouxz") + word[i + 1 :],
            word[:i] + word[i + 1 :],
            word[:i] + rng.choice("aeiou") + word[i:],
        ]
    )


def stored_name(rng):
    """How a name may have been typed into a referral."""
    first, last = typo(rng, rng.choice(FIRSTS)), typo(rng, rng.choice(LASTS))
    shape = rng.random()
    if shape < 0.1:
        return {"name_unknown": True, "first_name": "", "last_name": ""}
    if shape < 0.2:
        return {"first_name": first, "last_name": ""}
    if shape < 0.3:
        return {"first_name": "", "last_name": last}
    if shape < 0.4:
        return {"first_name": last.upper(), "last_name": first}  # entered the wrong way round
    if shape < 0.5:
        return {"first_name": first[:3], "last_name": last}  # a shortened first name
    return {"first_name": first, "last_name": last}


@pytest.fixture
def many_children(bromley, bexley):
    rng = random.Random(15)
    start = dt.datetime(2026, 1, 5, 9, tzinfo=LONDON)
    referrals = Referral.objects.bulk_create(
        Referral(
            reference=new_reference(borough),
            borough=borough,
            received_at=start + dt.timedelta(hours=i),
            description="Test concern",
            concern_categories=["neglect"],
        )
        for i, borough in enumerate([bromley, bexley] * 90)
    )
    Child.objects.bulk_create(
        Child(referral=referral, order=order, **stored_name(rng))
        for referral in referrals
        for order in range(rng.choice([1, 1, 2]))
    )
    return rng


def by_the_rule(user_borough, typed):
    wanted = _QueryChild(*split_name(typed))
    children = Child.objects.filter(referral__borough=user_borough).select_related("referral")
    agreeing = {c.referral for c in children if name_agrees(wanted, c)}
    return [r.reference for r in sorted(agreeing, key=lambda r: (r.received_at, r.pk))][::-1]


@pytest.mark.parametrize("union", [True, False], ids=["name branches", "one query"])
def test_the_search_finds_exactly_the_children_the_rule_accepts(
    bromley, many_children, union, monkeypatch
):
    """Both ways: the name branches merged (PostgreSQL), and the one query (SQLite, and any
    name given with other terms)."""
    monkeypatch.setattr(connection.features, "supports_slicing_ordering_in_compound", union)
    rng = many_children
    user = StaffMemberFactory(boroughs=[bromley]).user
    typed_names = [
        *FIRSTS,
        *LASTS,
        *(f"{f} {s}" for f in FIRSTS for s in LASTS),
        *(f"{s} {f}" for f in FIRSTS[:4] for s in LASTS),
        *(f"{typo(rng, rng.choice(FIRSTS))} {typo(rng, rng.choice(LASTS))}" for _ in range(60)),
        *(typo(rng, rng.choice(LASTS)) for _ in range(20)),
        "Samanth Hughes",
        "Sa Hughes",
        "Mary Ann Smith Jones",
        "ZOE",
        "123",
        "O'Brien-",
    ]
    checked = found = 0
    for typed in typed_names:
        hits = search(user=user, terms=SearchTerms(name=typed), limit=1000)
        expected = by_the_rule(bromley, typed)
        assert [hit.referral.reference for hit in hits] == expected, typed
        for hit in hits:
            assert hit.children and all(
                name_agrees(_QueryChild(*split_name(typed)), c) for c in hit.children
            )
        checked += 1
        found += bool(expected)
    # the comparison is not vacuous: most typed names find someone, some find nobody
    assert found > checked * 0.6
    assert found < checked


def test_the_limit_keeps_the_newest_agreeing_referrals(bromley, many_children):
    user = StaffMemberFactory(boroughs=[bromley]).user
    expected = by_the_rule(bromley, "Hughes")
    assert len(expected) > 3
    hits = search(user=user, terms=SearchTerms(name="Hughes"), limit=3)
    assert [hit.referral.reference for hit in hits] == expected[:3]


def test_a_referral_with_many_matching_children_keeps_them_all(bromley):
    user = StaffMemberFactory(boroughs=[bromley]).user
    start = dt.datetime(2026, 2, 2, 9, tzinfo=LONDON)
    older, old, newest = Referral.objects.bulk_create(
        Referral(
            reference=new_reference(bromley),
            borough=bromley,
            received_at=start + dt.timedelta(days=day),
            description="Test concern",
            concern_categories=["neglect"],
        )
        for day in range(3)
    )
    Child.objects.bulk_create(
        [Child(referral=newest, order=i, first_name="Amira", last_name="Hughes") for i in range(5)]
        + [Child(referral=r, order=0, first_name="Amria", last_name="Hughes") for r in (old, older)]
    )
    hits = search(user=user, terms=SearchTerms(name="Amira Hughes"), limit=2)
    assert [hit.referral for hit in hits] == [newest, old]
    assert [len(hit.children) for hit in hits] == [5, 1]
