"""Record checks: earlier (and later) referrals about the same child in the same borough.

`find_matches(child, *, exclude_referral)` compares one child with the children of the
borough's other referrals on name, date of birth and postcode, tolerant of how people type:

- names are compared normalised (accents dropped, case folded, hyphens, apostrophes and spaces
  removed: "Smith-Jones", "smith jones" and "SMITHJONES" are one name), with a small number
  of typos allowed by length (optimal string alignment distance, rapidfuzz's `OSA`: an
  insertion, deletion, substitution or swap of two adjacent letters is one typo; none up to
  3 letters, 1 up to 7, 2 from 8), first and last name swapped, and a first name that is a
  shortened form of the other ("Sam" / "Samantha");
- a date of birth matches exactly, or with day and month transposed; an approximate age is
  consistent with a date of birth (or another approximate age) when they put the birth within
  a year of each other, counted at each referral's received date; two different dates of birth
  mean two different children;
- postcodes are compared without spaces, case folded.

A match needs the name to agree and no conflict, plus the date of birth or postcode or an
age consistent with it; a child whose name is not known matches on date of birth and postcode
together. Strong: name with exact date of birth or postcode; possible: anything weaker.

Speed: candidates are narrowed in the database first (`candidates_q`: same borough, another
referral, and the same date of birth, OR one of the postcode's spellings, OR first and last
names starting with the same two letters on a row whose age could fit), so only tens of rows
reach the Python scoring even at 100,000 referrals (measured on PostgreSQL with `seed_demo
--referrals 100000`: 30-90 candidates a child). The filter reads reporting_child's
date_of_birth, postcode and UPPER(first_name/last_name) prefixes: with indexes on those
(reporting's table) the query is an index BitmapOr instead of a sequential scan.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from rapidfuzz.distance import OSA

from contacts.calendar import to_london
from reporting.models import Child
from reporting.names import allowed_typos, normalise_name  # noqa: F401  (the rule's own)

RECENT = dt.timedelta(days=7)
# Prefix length for the database prefilter on names.
PREFIX = 2
# At most this many candidates are scored (a safety valve for very common names).
MAX_CANDIDATES = 2000

STRONG = "strong"
POSSIBLE = "possible"

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def normalise_postcode(postcode: str) -> str:
    """Upper-case letters and digits only: " br1 3uh" -> "BR13UH"."""
    return _NOT_ALNUM.sub("", (postcode or "").upper())


def postcode_spellings(postcode: str) -> list[str]:
    """How a postcode may be stored: compact, and with the usual space before the last three."""
    compact = normalise_postcode(postcode)
    if not compact:
        return []
    spellings = {compact}
    if len(compact) > 3:
        spellings.add(f"{compact[:-3]} {compact[-3:]}")
    # reporting stores postcodes upper-cased; lower-case too for rows written by other means
    return sorted(spellings | {spelling.lower() for spelling in spellings})


def similar(a: str, b: str) -> bool:
    """Two normalised names are the same name, allowing a few typos by length."""
    if not a or not b:
        return False
    if a == b:
        return True
    return OSA.distance(a, b) <= allowed_typos(min(len(a), len(b)))


def similar_first(a: str, b: str) -> bool:
    """First names: similar, or one a shortened form of the other of at least 3 letters."""
    if similar(a, b):
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 3 and long.startswith(short)


def _names(child) -> tuple[str, str]:
    if child.name_unknown:
        return "", ""
    return normalise_name(child.first_name), normalise_name(child.last_name)


def name_agrees(child, other) -> bool | None:
    """True when the names agree (either order), False when both are known and disagree,
    None when either child's name is not known."""
    first, last = _names(child)
    other_first, other_last = _names(other)
    if not (first or last) or not (other_first or other_last):
        return None
    if first and last and other_first and other_last:
        if similar_first(first, other_first) and similar(last, other_last):
            return True
        # Swapped: first and last names entered the other way round.
        return similar(first, other_last) and similar(last, other_first)
    # One side has one name only: it must be the same as one of the other's names.
    mine = [n for n in (first, last) if n]
    theirs = [n for n in (other_first, other_last) if n]
    if len(mine) == 1 and len(theirs) == 1:
        if similar(mine[0], theirs[0]):
            return True
        same_slot = bool(first) == bool(other_first)
        return False if same_slot else None
    single, full = (mine[0], theirs) if len(mine) == 1 else (theirs[0], mine)
    return any(similar(single, name) for name in full)


def _age_at(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _received_date(child) -> dt.date:
    """The London date the child's referral was received (the child's own copy of it when it
    has one: saved children and `Candidate` rows do)."""
    return to_london(getattr(child, "received_at", None) or child.referral.received_at).date()


def dob_agrees(child, other) -> str | None:
    """'exact' (same date, or day and month swapped), 'consistent' (an approximate age fits),
    'conflict' (two dates of birth that differ, or ages far apart), or None (nothing to
    compare)."""
    a, b = child.date_of_birth, other.date_of_birth
    if a and b:
        if a == b or (a.year == b.year and a.day == b.month and a.month == b.day):
            return "exact"
        return "conflict"
    if a and other.approximate_age is not None:
        age = _age_at(a, _received_date(other))
        return "consistent" if abs(age - other.approximate_age) <= 1 else "conflict"
    if b and child.approximate_age is not None:
        age = _age_at(b, _received_date(child))
        return "consistent" if abs(age - child.approximate_age) <= 1 else "conflict"
    if child.approximate_age is not None and other.approximate_age is not None:
        born = _received_date(child).year - child.approximate_age
        other_born = _received_date(other).year - other.approximate_age
        return "consistent" if abs(born - other_born) <= 1 else "conflict"
    return None


def postcode_agrees(child, other) -> bool | None:
    mine, theirs = normalise_postcode(child.postcode), normalise_postcode(other.postcode)
    if not mine or not theirs:
        return None
    return mine == theirs


@dataclass(frozen=True)
class Match:
    """Another referral's child who looks like the same child."""

    child: Child
    strength: str  # STRONG or POSSIBLE
    reasons: tuple[str, ...] = field(default_factory=tuple)
    recent: bool = False

    @property
    def referral(self):
        return self.child.referral

    @property
    def is_strong(self) -> bool:
        return self.strength == STRONG


def compare(child, other) -> tuple[str, tuple[str, ...]] | None:
    """(strength, reasons) when `other` looks like the same child as `child`, else None."""
    name = name_agrees(child, other)
    born = dob_agrees(child, other)
    place = postcode_agrees(child, other)
    if name is False or born == "conflict":
        return None
    reasons = []
    if name:
        reasons.append("name")
    if born == "exact":
        reasons.append("date of birth")
    elif born == "consistent":
        reasons.append("age")
    if place:
        reasons.append("postcode")
    if name:
        if born == "exact" or place:
            return STRONG, tuple(reasons)
        if born == "consistent":
            return POSSIBLE, tuple(reasons)
        return None
    # A child whose name one referral did not know: date of birth and postcode together.
    if name is None and born == "exact" and place:
        return POSSIBLE, tuple(reasons)
    if name is None and child.unborn and other.unborn and place:
        return POSSIBLE, tuple(reasons)
    return None


def _names_q(child) -> Q | None:
    """Rows whose first and last names start like the child's (either order); a child with
    one name known: rows with a name starting like it."""
    first, last = (name[:PREFIX] for name in _names(child))
    if len(first) == PREFIX and len(last) == PREFIX:
        return Q(first_name__istartswith=first, last_name__istartswith=last) | Q(
            first_name__istartswith=last, last_name__istartswith=first
        )
    single = first if len(first) == PREFIX else last if len(last) == PREFIX else ""
    if not single:
        return None
    return Q(first_name__istartswith=single) | Q(last_name__istartswith=single)


def candidates_q(child) -> Q | None:
    """The database prefilter: rows that could possibly match (None: nothing to go on).

    Every match rests on the date of birth, the postcode, or the name with an age consistent
    with it (`compare`). So: the same date of birth (or day and month swapped), or one of the
    postcode's spellings, or a name starting alike on a row with an age and no date of birth
    of its own (two dates of birth that differ never match), or, for a child known only by
    an approximate age, a name starting alike with a date of birth in the years it allows."""
    parts = Q()
    dob = child.date_of_birth
    if dob:
        days = {dob}
        if dob.day <= 12 and dob.day != dob.month:
            days.add(dob.replace(month=dob.day, day=dob.month))
        parts |= Q(date_of_birth__in=sorted(days))
    spellings = postcode_spellings(child.postcode)
    if spellings:
        parts |= Q(postcode__in=spellings)
    names = _names_q(child)
    if names is not None and (dob or child.approximate_age is not None):
        aged = Q(date_of_birth__isnull=True, approximate_age__isnull=False)
        if not dob:
            born = _received_date(child).year - child.approximate_age
            aged |= Q(
                date_of_birth__gte=dt.date(born - 2, 1, 1),
                date_of_birth__lte=dt.date(born + 1, 12, 31),
            )
        parts |= names & aged
    return parts if parts else None


def strong_candidate_terms(child) -> tuple[list[dt.date], list[str]] | None:
    """What a strong match must share with `child` (None: the child can have none): a strong
    match is the name with the exact date of birth (or day and month swapped) or the
    postcode, so (the dates of birth, the postcode's spellings), either list maybe empty."""
    days = set()
    if dob := child.date_of_birth:
        days.add(dob)
        if dob.day <= 12 and dob.day != dob.month:
            days.add(dob.replace(month=dob.day, day=dob.month))
    spellings = postcode_spellings(child.postcode)
    if not (days or spellings) or not any(_names(child)):
        return None
    return sorted(days), spellings


# The columns `compare` reads, with the child's id and person key, for the scan that stops at
# the first strong match (`newest_strong_match`): read as plain rows, not model instances.
COMPARED = ("id", "first_name", "last_name", "name_unknown", "date_of_birth", "approximate_age",
            "postcode", "unborn", "person_key", "received_at")  # fmt: skip
# Candidates read in the first go: a child referred before is nearly always the newest strong
# candidate; the rest (up to MAX_CANDIDATES) only when none of these is a strong match.
FIRST_WINDOW = 8


@dataclass(frozen=True, slots=True)
class Candidate:
    """An earlier child as `compare` sees it (COMPARED's columns)."""

    pk: int
    first_name: str
    last_name: str
    name_unknown: bool
    date_of_birth: dt.date | None
    approximate_age: int | None
    postcode: str
    unborn: bool
    person_key: str
    received_at: dt.datetime


@functools.cache
def _strong_candidates_sql(days: int, spellings: int, keyed: bool) -> str:
    """The candidates query for a shape of terms. Written out, not built by the ORM: it runs
    in every submission's transaction, and building the query was most of its cost (issue 21,
    docs/benchmarks/submit-path.md). The same indexes serve it (child_dob, child_postcode)."""

    def marks(count: int) -> str:
        return ", ".join(["%s"] * count)

    shared = []
    if days:
        shared.append(f"date_of_birth IN ({marks(days)})")
    if spellings:
        shared.append(f"postcode IN ({marks(spellings)})")
    # Only counts of placeholders and constant names go into the text: values are parameters.
    where = " OR ".join(shared)
    columns = ", ".join(COMPARED)
    keyed_only = " AND person_key <> ''" if keyed else ""
    return (
        f"SELECT {columns} FROM {Child._meta.db_table} WHERE ({where})"  # noqa: S608
        f" AND borough_id = %s AND referral_id <> %s{keyed_only}"
        ' ORDER BY received_at DESC, referral_id DESC, "order" LIMIT %s OFFSET %s'
    )


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite's cursor gives a naive UTC datetime (the ORM's converters are not on this path)."""
    if moment is not None and timezone.is_naive(moment):
        return moment.replace(tzinfo=dt.UTC)
    return moment


def newest_strong_match(child, *, exclude_referral, keyed: bool = False) -> Candidate | None:
    """The child of the borough's newest other referral that is a strong match for `child`
    (`keyed`: among those with a person key), as a `Candidate`, or None. Reads candidates
    newest first, a few at a time, as plain rows (the children's own copies of the
    referral's borough and received time: no join), and stops at the first strong one: the
    same answer as the first strong match `find_matches` returns, without scoring every
    candidate. `child` may be unsaved (its referral saved)."""
    terms = strong_candidate_terms(child)
    if terms is None:
        return None
    days, spellings = terms
    sql = _strong_candidates_sql(len(days), len(spellings), keyed)
    params = [*days, *spellings, child.referral.borough_id]
    params.append(getattr(exclude_referral, "pk", exclude_referral))
    with connection.cursor() as cursor:
        for limit, offset in ((FIRST_WINDOW, 0), (MAX_CANDIDATES - FIRST_WINDOW, FIRST_WINDOW)):
            cursor.execute(sql, [*params, limit, offset])
            rows = cursor.fetchall()
            for row in rows:
                other = Candidate(*row[:-1], _aware(row[-1]))
                verdict = compare(child, other)
                if verdict is not None and verdict[0] == STRONG:
                    return other
            if len(rows) < limit:
                break
    return None


def find_matches(child, *, exclude_referral, now: dt.datetime | None = None) -> list[Match]:
    """Children of the borough's other referrals who look like `child`: strong matches first,
    then newest first. `recent` marks a referral received in the 7 days before this one (or
    since), for the "another concern in the last 7 days" warning."""
    referral = child.referral
    prefilter = candidates_q(child)
    if prefilter is None:
        return []
    exclude_id = getattr(exclude_referral, "pk", exclude_referral)
    rows = (
        Child.objects.filter(prefilter, referral__borough_id=referral.borough_id)
        .exclude(referral_id=exclude_id)
        .select_related("referral")
        .order_by("-referral__received_at", "-referral_id", "order")[:MAX_CANDIDATES]
    )
    now = now or timezone.now()
    since = min(referral.received_at, now) - RECENT
    found: dict[int, Match] = {}
    for other in rows:
        verdict = compare(child, other)
        if verdict is None:
            continue
        strength, reasons = verdict
        match = Match(other, strength, reasons, recent=other.referral.received_at >= since)
        best = found.get(other.referral_id)
        if best is None or (match.is_strong and not best.is_strong):
            found[other.referral_id] = match
    return sorted(
        found.values(),
        key=lambda m: (not m.is_strong, -m.referral.received_at.timestamp()),
    )


def matches_for_referral(referral, *, now: dt.datetime | None = None) -> list[tuple]:
    """[(child, [Match, ...]), ...] for each child of `referral`."""
    return [
        (child, find_matches(child, exclude_referral=referral, now=now))
        for child in referral.children.all()
    ]
