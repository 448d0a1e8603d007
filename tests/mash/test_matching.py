"""Record checks: matching a referral's child against the borough's other referrals."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rapidfuzz.distance import OSA

from contacts.calendar import LONDON
from mash import matching
from mash.matching import (
    find_matches,
    normalise_name,
    normalise_postcode,
    similar,
)
from reporting.models import Child
from tests.reporting.factories import ChildFactory, ReferralFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)


def child(
    first="Amira",
    last="Hughes",
    *,
    dob=dt.date(2017, 3, 14),
    age=None,
    postcode="BR1 3UH",
    borough=None,
    received=NOW,
    name_unknown=False,
    unborn=False,
):
    referral = ReferralFactory(received_at=received, **({"borough": borough} if borough else {}))
    return ChildFactory(
        referral=referral,
        first_name="" if name_unknown else first,
        last_name="" if name_unknown else last,
        name_unknown=name_unknown,
        date_of_birth=dob,
        approximate_age=age,
        postcode=postcode,
        unborn=unborn,
        order=0,
    )


def refs(matches):
    return [m.referral.reference for m in matches]


def earlier(**kwargs):
    kwargs.setdefault("received", NOW - dt.timedelta(days=60))
    return child(**kwargs)


# --- the pieces -----------------------------------------------------------------------------
def test_normalise_name_folds_case_accents_hyphens_spaces_apostrophes():
    assert normalise_name("  O'Brien-Smith ") == "obriensmith"
    assert normalise_name("SMITH JONES") == normalise_name("smith-jones") == "smithjones"
    assert normalise_name("Zoë") == "zoe"


def test_normalise_postcode():
    assert normalise_postcode(" br1 3uh") == normalise_postcode("BR13UH") == "BR13UH"
    assert matching.postcode_spellings("br13uh") == ["BR1 3UH", "BR13UH", "br1 3uh", "br13uh"]


@pytest.mark.parametrize(
    "a,b,distance",
    [
        ("hughes", "hughes", 0),
        ("hughes", "hugehs", 1),  # adjacent letters swapped
        ("hughes", "hughs", 1),  # a letter missing
        ("hughes", "hugches", 1),  # one extra
        ("hughes", "hoghes", 1),  # one wrong
        ("amira", "amria", 1),
        ("abc", "", 3),
        ("kitten", "sitting", 3),
    ],
)
def test_typo_distance(a, b, distance):
    """The distance `similar` allows typos by (rapidfuzz's optimal string alignment: a swap of
    two adjacent letters is one typo, not two)."""
    assert OSA.distance(a, b) == distance
    assert OSA.distance(b, a) == distance


def test_typos_allowed_grow_with_length():
    assert not similar("leo", "lea")  # short names: exact only
    assert similar("amira", "amria")
    assert not similar("amira", "amrai x".replace(" ", ""))
    assert similar("christopher", "christohpre")  # two typos in a long name
    assert not similar("christopher", "christina")


# --- find_matches ---------------------------------------------------------------------------
def test_same_child_exact(bromley):
    old = earlier()
    new = child()
    (match,) = find_matches(new, exclude_referral=new.referral, now=NOW)
    assert match.referral == old.referral
    assert match.is_strong
    assert set(match.reasons) == {"name", "date of birth", "postcode"}


@pytest.mark.parametrize(
    "first,last",
    [
        ("amira", "HUGHES"),  # case
        ("Amria", "Hughes"),  # a typo in the first name
        ("Amira", "Hugehs"),  # letters swapped in the last name
        ("Hughes", "Amira"),  # first and last swapped
        ("Amira ", " Hughes"),  # spaces
    ],
)
def test_tolerates_how_names_are_typed(bromley, first, last):
    old = earlier(first=first, last=last)
    new = child()
    assert refs(find_matches(new, exclude_referral=new.referral, now=NOW)) == [
        old.referral.reference
    ]


def test_hyphens_and_spaces_in_double_barrelled_names(bromley):
    old = earlier(first="Mary-Jane", last="Smith Jones", dob=dt.date(2015, 1, 2))
    new = child(first="Mary Jane", last="Smith-Jones", dob=dt.date(2015, 1, 2), postcode="")
    assert refs(find_matches(new, exclude_referral=new.referral, now=NOW)) == [
        old.referral.reference
    ]


def test_postcode_spacing_and_case(bromley):
    # No date of birth on either: the postcode must carry it, typed differently.
    old = earlier(dob=None, postcode="br13uh")
    new = child(dob=None, postcode="BR1 3UH")
    (match,) = find_matches(new, exclude_referral=new.referral, now=NOW)
    assert match.referral == old.referral and "postcode" in match.reasons and match.is_strong


def test_different_children_do_not_match(bromley):
    earlier(first="Leo", last="Hughes")  # a sibling: same surname, postcode, date of birth
    earlier(first="Amira", last="Hughes", dob=dt.date(2012, 5, 1))  # same name, other child
    earlier(first="Amira", last="Patel")  # different surname
    earlier(first="Oliver", last="Brown", postcode="BR2 9AA", dob=dt.date(2017, 3, 14))
    new = child()
    assert find_matches(new, exclude_referral=new.referral, now=NOW) == []


def test_name_alone_is_not_enough(bromley):
    earlier(dob=None, postcode="BR6 0AA")
    new = child(dob=None, postcode="BR1 3UH")
    assert find_matches(new, exclude_referral=new.referral, now=NOW) == []


def test_day_and_month_transposed_date_of_birth(bromley):
    old = earlier(dob=dt.date(2017, 3, 4), postcode="")
    new = child(dob=dt.date(2017, 4, 3), postcode="")
    assert refs(find_matches(new, exclude_referral=new.referral, now=NOW)) == [
        old.referral.reference
    ]


def test_approximate_age_consistent_with_date_of_birth(bromley):
    # Born March 2017: 9 on 23 Nov 2026. "About 9" matches as possible; "about 4" does not.
    old = earlier(dob=None, age=9, postcode="", received=NOW - dt.timedelta(days=30))
    other = earlier(dob=None, age=4, postcode="", received=NOW - dt.timedelta(days=20))
    new = child(postcode="")
    matches = find_matches(new, exclude_referral=new.referral, now=NOW)
    assert refs(matches) == [old.referral.reference]
    assert not matches[0].is_strong and "age" in matches[0].reasons
    assert other.referral.reference not in refs(matches)


def test_name_unknown_matches_on_date_of_birth_and_postcode(bromley):
    old = earlier(name_unknown=True)
    new = child()
    (match,) = find_matches(new, exclude_referral=new.referral, now=NOW)
    assert match.referral == old.referral and not match.is_strong


def test_only_the_same_borough_and_never_itself(bromley, bexley):
    earlier(borough=bexley, postcode="DA6 7AT")
    new = child()
    assert find_matches(new, exclude_referral=new.referral, now=NOW) == []
    # a second child on the same referral is not "another referral"
    ChildFactory(referral=new.referral, first_name="Amira", last_name="Hughes", order=1)
    assert find_matches(new, exclude_referral=new.referral, now=NOW) == []


def test_recent_flag_for_the_last_seven_days(bromley):
    recent = earlier(received=NOW - dt.timedelta(days=6, hours=23))
    old = earlier(received=NOW - dt.timedelta(days=7, hours=1))
    new = child()
    matches = {m.referral.reference: m for m in find_matches(new, exclude_referral=new.referral)}
    assert matches[recent.referral.reference].recent
    assert not matches[old.referral.reference].recent


def test_strong_first_then_newest(bromley):
    possible = earlier(dob=None, age=9, postcode="", received=NOW - dt.timedelta(days=1))
    strong_old = earlier(received=NOW - dt.timedelta(days=90))
    strong_new = earlier(received=NOW - dt.timedelta(days=10))
    new = child()
    assert refs(find_matches(new, exclude_referral=new.referral, now=NOW)) == [
        strong_new.referral.reference,
        strong_old.referral.reference,
        possible.referral.reference,
    ]


def test_prefilter_runs_in_the_database(bromley):
    """Only plausible candidates are fetched (one query), not the whole borough."""
    for i in range(30):
        earlier(first=f"Zed{i}", last="Quinn", dob=dt.date(2010, 1, 1), postcode="BR6 0AA")
    for year in range(2008, 2016):  # the same name with a date of birth of their own
        earlier(first="Amira", last="Hughes", dob=dt.date(year, 6, 1), postcode="BR6 0AA")
    old = earlier()
    new = child()
    with CaptureQueriesContext(connection) as ctx:
        matches = find_matches(new, exclude_referral=new.referral, now=NOW)
    assert refs(matches) == [old.referral.reference]
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"]
    assert "date_of_birth" in sql and "postcode" in sql
    # the unrelated rows are filtered out by the database, not in Python
    assert matching.candidates_q(new) is not None
    from reporting.models import Child

    assert (
        Child.objects.filter(matching.candidates_q(new), referral__borough=bromley)
        .exclude(referral=new.referral)
        .count()
        == 1
    )


def test_one_name_known_matches_with_the_date_of_birth(bromley):
    old = earlier(first="", last="Hughes", postcode="")
    new = child(postcode="")
    (match,) = find_matches(new, exclude_referral=new.referral, now=NOW)
    assert match.referral == old.referral and match.is_strong


def test_a_typo_at_the_start_of_a_name_still_matches_on_date_of_birth(bromley):
    old = earlier(first="Amira", last="Gughes", postcode="")
    new = child(postcode="")
    assert refs(find_matches(new, exclude_referral=new.referral, now=NOW)) == [
        old.referral.reference
    ]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_name_prefilter_uses_the_name_indexes(bromley):
    """With sequential scans off (the table is tiny here), the record check's name-prefix
    condition is answered from the name-prefix indexes declared on Child (on a table this small
    the whole prefilter prefers child_dob; benchmarks/queue.py measures it at scale)."""
    from reporting.models import Child

    # Known by one name only: either name may start with it, so both indexes are needed.
    target = child("Amelia", "", dob=None, age=8, postcode="", borough=bromley)
    query = Child.objects.filter(matching._names_q(target)).order_by().values("pk")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "child_first_name_upper" in plan
    assert "child_last_name_upper" in plan


# --- the newest strong match (person keys) --------------------------------------------------


def test_newest_strong_match_is_the_first_strong_match_find_matches_lists(bromley):
    older = earlier(dob=dt.date(2017, 3, 14), postcode="SE1 1AA")  # strong: date of birth
    newer = earlier(received=NOW - dt.timedelta(days=5), dob=None, age=9, postcode="SE2 2BB")
    conflicting = earlier(received=NOW - dt.timedelta(days=30), dob=dt.date(2017, 2, 3))
    earlier(first="Zoe", last="Hughes", received=NOW - dt.timedelta(days=2))  # another child
    me = child()
    strong = [m.child for m in find_matches(me, exclude_referral=me.referral) if m.is_strong]
    assert strong and strong[0] == older
    assert newer not in strong and conflicting not in strong
    assert matching.newest_strong_match(me, exclude_referral=me.referral).pk == older.pk


def test_newest_strong_match_keyed_skips_children_without_a_key(bromley):
    keyed = earlier(received=NOW - dt.timedelta(days=90))
    keyed.person_key = "CAAAAAAAAAAAA"
    keyed.save()
    earlier(received=NOW - dt.timedelta(days=10))  # newer, strong, but no key yet
    me = child()
    assert matching.newest_strong_match(me, exclude_referral=me.referral).person_key == ""
    found = matching.newest_strong_match(me, exclude_referral=me.referral, keyed=True)
    assert found.pk == keyed.pk and found.person_key == keyed.person_key


def test_no_strong_match_without_a_name_or_anything_strong_to_match_on(bromley):
    earlier(dob=None, age=9, postcode="")
    me = child(dob=None, age=9, postcode="")
    assert matching.newest_strong_match(me, exclude_referral=me.referral) is None
    nameless = child(name_unknown=True)
    assert matching.newest_strong_match(nameless, exclude_referral=nameless.referral) is None


def test_newest_strong_match_reads_past_the_first_window(bromley):
    """More than FIRST_WINDOW newer candidates that are not strong (neighbours at the same
    postcode): the strong one behind them is still found."""
    older = earlier(received=NOW - dt.timedelta(days=400), postcode="SE9 9ZZ")
    for day in range(matching.FIRST_WINDOW + 3):
        earlier(
            first="Zoe", last=f"Neighbour{day}", dob=None, received=NOW - dt.timedelta(days=day + 1)
        )
    me = child()
    assert matching.newest_strong_match(me, exclude_referral=me.referral).pk == older.pk


def test_newest_strong_match_of_an_unsaved_child(bromley):
    """The submission asks before inserting the child (its key goes in with it)."""
    older = earlier()
    referral = ReferralFactory(received_at=NOW)
    new = Child(referral=referral, first_name="Amira", last_name="Hughes", postcode="BR1 3UH")
    assert matching.newest_strong_match(new, exclude_referral=referral).pk == older.pk


def test_newest_strong_match_compares_an_age_with_the_candidates_received_date(bromley):
    """A candidate known by an approximate age (strong on name and postcode): its age is
    counted at its own referral's received date, read from the plain row (aware on every
    database)."""
    aged = earlier(dob=None, age=9, received=NOW - dt.timedelta(days=30))
    me = child()  # born 14 March 2017: 9 at the earlier referral
    found = matching.newest_strong_match(me, exclude_referral=me.referral)
    assert found.pk == aged.pk and found.received_at == aged.received_at
    too_old = child(first="Amira", dob=dt.date(2010, 1, 5), postcode="BR1 3UH")
    assert matching.newest_strong_match(too_old, exclude_referral=too_old.referral) is None
