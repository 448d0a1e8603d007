"""Find any referral: the staff search.

`search(user=..., terms=...)` finds referrals of the user's boroughs (never another's) by any
of: reference (exact), the child's name (typo-tolerant, first and last names swapped, a
shortened first name: the record checks' own rules, `mash.matching.name_agrees`), date of birth
(exact, or day and month swapped as the record checks allow), postcode (any spacing or case),
address and school (containing the words typed), and the referrer's name or email
(containing). Terms given together must all match.

Speed (PostgreSQL, measured by `benchmarks/search.py` at 1,000,000 children): every term is an
indexed lookup. Names are narrowed in the database by b-tree prefix and exact lookups and an
edit-distance filter (`_name_q`), and only those candidates are scored in Python. Addresses,
schools and the referrer's name and email use trigram indexes for their "contains" lookups;
the reference its unique index; dates of birth and postcodes their b-tree indexes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import connection
from django.db.models import Func, IntegerField, Q, Value
from django.db.models.functions import Lower
from django.db.models.lookups import GreaterThanOrEqual

from mash.access import user_boroughs
from mash.matching import allowed_typos, name_agrees, normalise_name, postcode_spellings
from mash.models import ScreeningRecord
from reporting.models import Child, Referral

LIMIT = 50
# At most this many name candidates are scored in Python (a safety valve).
MAX_CANDIDATES = 2000


@dataclass(frozen=True)
class SearchTerms:
    reference: str = ""
    name: str = ""
    date_of_birth: dt.date | None = None
    postcode: str = ""
    address: str = ""
    school: str = ""
    referrer: str = ""

    @property
    def empty(self) -> bool:
        return not any(asdict(self).values())

    def for_audit(self) -> dict:
        """The terms as plain values (what the audit event records)."""
        return {
            key: value.isoformat() if isinstance(value, dt.date) else value
            for key, value in asdict(self).items()
            if value
        }


@dataclass(frozen=True)
class Hit:
    referral: Referral
    children: list
    record: ScreeningRecord | None


def _postgres() -> bool:
    return connection.vendor == "postgresql"


class _QueryChild:
    """The name typed, shaped like a Child for `matching.name_agrees`."""

    name_unknown = False

    def __init__(self, first: str, last: str):
        self.first_name, self.last_name = first, last


def split_name(name: str) -> tuple[str, str]:
    """'Amira Hughes' -> ('Amira', 'Hughes'); one word is a first name or a last name alike
    (name_agrees compares a single name with both)."""
    words = name.split()
    if not words:
        return "", ""
    if len(words) == 1:
        return words[0], ""
    return " ".join(words[:-1]), words[-1]


class _WithinEdits(Func):
    """fuzzystrmatch's levenshtein_less_equal(LOWER(field), 'word', k) <= k, in C: a prefilter
    on the rows the indexes found, loose enough never to drop a row `name_agrees` accepts (a
    swap of two letters is one edit there and two here; one more for punctuation and accents
    that the matcher's normalisation drops)."""

    function = "levenshtein_less_equal"
    output_field = IntegerField()


def _near(field: str, word: str) -> Q:
    typed = normalise_name(word)
    bound = 2 * allowed_typos(len(typed)) + 1
    distance = _WithinEdits(Lower(field), Value(typed), Value(bound))
    return Q(**{f"{field}__istartswith": typed}) | Q(GreaterThanOrEqual(Value(bound), distance))


def _starts(field: str, word: str, letters: int) -> Q:
    return Q(**{f"{field}__istartswith": normalise_name(word)[:letters]})


def _name_q(first: str, last: str) -> Q:
    """Children whose names could be this name (either order), each branch a pair of
    b-tree lookups (the UPPER(name) indexes of reporting migration 0003): one name exact and
    the other with the same initial, or both starting with the same two letters; then, on
    PostgreSQL, narrowed in the database to names within a few edits (`_near`).
    `name_agrees` decides. (Trigram similarity was measured and dropped for names: at
    1,000,000 children a short name's trigrams match 100,000-250,000 rows at threshold 0.2,
    2.4 s a search; one wrong letter in a short name needs that threshold.)"""
    words = [w for w in (first, last) if w]
    postgres = _postgres()

    def near(field, word):
        return _near(field, word) if postgres else Q()

    def alike(field, word):
        return (
            Q(**{f"{field}__iexact": word}) | _starts(field, word, 3 if len(word) >= 5 else 2)
        ) & near(field, word)

    def pair(first_field, last_field, a, b):
        found = (
            Q(**{f"{first_field}__iexact": a}) & _starts(last_field, b, 1)
            | Q(**{f"{last_field}__iexact": b}) & _starts(first_field, a, 1)
            | _starts(first_field, a, 2) & _starts(last_field, b, 2)
        )
        return found & near(first_field, a) & near(last_field, b)

    if len(words) == 1:
        return alike("first_name", words[0]) | alike("last_name", words[0])
    return pair("first_name", "last_name", first, last) | pair(
        "last_name", "first_name", first, last
    )


def _child_q(terms: SearchTerms) -> Q | None:
    q = Q()
    if terms.date_of_birth:
        dob = terms.date_of_birth
        days = {dob}
        if dob.day <= 12 and dob.day != dob.month:
            days.add(dob.replace(month=dob.day, day=dob.month))
        q &= Q(date_of_birth__in=sorted(days))
    if terms.postcode:
        q &= Q(postcode__in=postcode_spellings(terms.postcode))
    if terms.address:
        q &= Q(address__icontains=terms.address)
    if terms.school:
        q &= Q(school__icontains=terms.school)
    if terms.name:
        q &= _name_q(*split_name(terms.name))
    return q if q.children else None


def _referral_q(terms: SearchTerms) -> Q:
    q = Q()
    if terms.reference:
        q &= Q(reference=terms.reference.strip().upper().replace(" ", ""))
    if terms.referrer:
        q &= Q(referrer_name__icontains=terms.referrer) | Q(
            referrer_email__icontains=terms.referrer
        )
    return q


def search(*, user, terms: SearchTerms, limit: int = LIMIT) -> list[Hit]:
    """Referrals of the user's boroughs matching every term, newest first (at most `limit`)."""
    if terms.empty:
        return []
    boroughs = list(user_boroughs(user).values_list("pk", flat=True))
    if not boroughs:
        return []
    referral_q = _referral_q(terms)
    child_q = _child_q(terms)
    children_by_referral: dict[int, list] = {}
    if child_q is not None:
        rows = _candidates(child_q, referral_q, boroughs)
        wanted = _QueryChild(*split_name(terms.name)) if terms.name else None
        for child in rows:
            if wanted is not None and not name_agrees(wanted, child):
                continue
            children_by_referral.setdefault(child.referral_id, []).append(child)
            if len(children_by_referral) >= limit:
                break
        if not children_by_referral:
            return []
        referrals = Referral.objects.filter(pk__in=list(children_by_referral))
    else:
        referrals = Referral.objects.filter(referral_q, borough_id__in=boroughs)
    referrals = list(
        referrals.select_related("borough", "screening").order_by("-received_at", "-pk")[:limit]
    )
    if child_q is None:
        for child in Child.objects.filter(referral__in=referrals).order_by("referral_id", "order"):
            children_by_referral.setdefault(child.referral_id, []).append(child)
    return [
        Hit(
            referral=referral,
            children=children_by_referral.get(referral.pk, []),
            record=getattr(referral, "screening", None),
        )
        for referral in referrals
    ]


def _candidates(child_q, referral_q, boroughs) -> list:
    """The children matching the child terms in the user's boroughs, newest referral first
    (at most MAX_CANDIDATES)."""
    rows = (
        Child.objects.filter(child_q, referral__borough_id__in=boroughs)
        .filter(Q(referral__in=Referral.objects.filter(referral_q)) if referral_q else Q())
        .only(
            "id",
            "referral_id",
            "first_name",
            "last_name",
            "name_unknown",
            "date_of_birth",
            "approximate_age",
            "unborn",
            "postcode",
            "address",
            "school",
            "order",
        )
        .order_by("-referral__received_at", "-referral_id", "order")[:MAX_CANDIDATES]
    )
    return list(rows)
