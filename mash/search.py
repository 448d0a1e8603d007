"""Find any referral: the staff search.

`search(user=..., terms=...)` finds referrals of the user's boroughs (never another's) by any
of: reference (exact), the child's name (typo-tolerant, first and last names swapped, a
shortened first name: the record checks' own rules, `mash.matching.name_agrees`), date of birth
(exact, or day and month swapped as the record checks allow), postcode (any spacing or case),
address and school (containing the words typed), and the referrer's name or email
(containing). Terms given together must all match.

Speed (PostgreSQL, measured by `benchmarks/search.py` at 1,000,000 children, plans in
docs/benchmarks/search-plans.md): every term is an indexed lookup. A typed name is first turned
into the stored names the rule accepts for it, through the name vocabulary's deletion keys
(`reporting.names`, a few milliseconds), then children are looked up by their normalised names
(`Child.first_key`, `last_key`) in those sets: the database returns exactly the children whose
names agree, newest first, so the limit is the rule's own. Addresses, schools and the
referrer's name and email use trigram indexes for their "contains" lookups; the reference its
unique index; dates of birth and postcodes their b-tree indexes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import connection
from django.db.models import Q

from mash.access import user_boroughs
from mash.matching import name_agrees, normalise_name, postcode_spellings, similar, similar_first
from mash.models import ScreeningRecord
from reporting import names
from reporting.models import Child, Referral

LIMIT = 50
# A name pair's sets of stored names give one branch per pair when there are at most this many
# pairs (each an exact index range, newest first), else one per name of the smaller side.
PAIR_BRANCHES = 24


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


def _name_sets(first: str, last: str) -> list[tuple[dict, ...]]:
    """Exactly the children whose names agree with the name typed (`matching.name_agrees`),
    as lookups of their normalised names (`Child.first_key`, `last_key`) in sets of stored
    names found through the name vocabulary (`reporting.names`). Each item: a (first_key,
    last_key) lookup of value sets ({"first_key__in": [...], ...}); a child matches if it
    matches one. Two names typed: the first and the last, or swapped, or a child with one
    name known and it like either typed name; one name typed: either of the child's names."""
    typed = [n for n in (normalise_name(first), normalise_name(last)) if n]
    if not typed:
        return []
    stored = names.near(typed, first=typed[0] if len(typed) == 2 else "")  # one query

    def like(word):
        return {name for name in stored if similar(word, name)}

    if len(typed) == 1:
        alike = sorted(like(typed[0]))
        return [{"first_key__in": alike}, {"last_key__in": alike}] if alike else []
    a, b = typed
    like_a, like_b = like(a), like(b)
    either = sorted(like_a | like_b)
    found = []
    if like_b:
        first_a = {name for name in stored if similar_first(a, name)}
        found.append({"first_key__in": sorted(first_a), "last_key__in": like_b})
    if like_a and like_b:
        found.append({"first_key__in": sorted(like_b), "last_key__in": sorted(like_a)})
    if either:
        found.append({"first_key__in": either, "last_key": ""})
        found.append({"first_key": "", "last_key__in": either})
    return [{k: sorted(v) if isinstance(v, set) else v for k, v in f.items()} for f in found]


def _name_q(name_sets: list[dict]) -> Q:
    """The children whose names agree with the name typed, as one condition."""
    q = Q(pk__in=[])
    for lookup in name_sets:
        q |= Q(**lookup)
    return q


def _name_branches(name_sets: list[dict]) -> list[tuple[dict, bool]]:
    """The same children as `_name_q`, as branches that each read one index range (see
    `_candidates_by_name`): ({column: a value, or a list of values}, whether to read it
    newest first and stop at the limit). One name typed: one branch per stored name it may
    be, first or last (each range ordered by received time, however common the name). A
    pair of names: one exact range per pair when there are few (each newest first; planning
    a union of hundreds costs more than it saves), else one branch per name of the smaller
    side with the other side's names as a list, read whole (the children bearing both: few
    to sort). Branches read whole are not ordered: a planner told to stop early at a limit
    it guesses is near walks the whole of a common name (or of the blank name of unnamed
    children) when the matches are fewer than it guessed."""
    branches = []
    for lookup in name_sets:
        values = {field.removesuffix("__in"): value for field, value in lookup.items()}
        firsts, surnames = values.get("first_key"), values.get("last_key")
        if len(values) == 1:  # one name typed: first_key or last_key alone
            ((field, names_),) = values.items()
            branches += [({field: name}, True) for name in names_]
        elif "" in (firsts, surnames):
            branches.append((values, False))
        elif len(firsts) * len(surnames) <= PAIR_BRANCHES:
            branches += [
                ({"first_key": given, "last_key": surname}, True)
                for given in firsts
                for surname in surnames
            ]
        elif len(firsts) <= len(surnames):
            branches += [({"first_key": one, "last_key": surnames}, False) for one in firsts]
        else:
            branches += [({"last_key": one, "first_key": firsts}, False) for one in surnames]
    return branches


def _child_q(terms: SearchTerms, name_sets: list[dict]) -> Q | None:
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
        q &= _name_q(name_sets)
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
    name_sets = _name_sets(*split_name(terms.name)) if terms.name else []
    child_q = _child_q(terms, name_sets)
    children_by_referral: dict[int, list] = {}
    if child_q is not None:
        # The database finds exactly the matching children (the name rule included), newest
        # first: read a few more rows than referrals wanted (a referral may have several
        # matching children), more only when those were not enough.
        wanted = _QueryChild(*split_name(terms.name)) if terms.name else None
        # A name alone: each name branch read newest first from its own index range, merged.
        # (SQLite cannot order and limit each part of a UNION: its one query does there.)
        by_name = (
            not referral_q
            and _name_only(terms)
            and connection.features.supports_slicing_ordering_in_compound
        )
        branches = _name_branches(name_sets) if by_name else []
        if by_name and not branches:
            return []
        size = 2 * limit
        while True:
            if branches:
                rows = _candidates_by_name(branches, boroughs, size)
            else:
                rows = _candidates(child_q, referral_q, boroughs, size)
            children_by_referral, complete = _first_referrals(rows, wanted, limit)
            if complete or len(rows) < size:
                break
            size *= 4
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


def _name_only(terms: SearchTerms) -> bool:
    return bool(terms.name) and not any(
        (terms.date_of_birth, terms.postcode, terms.address, terms.school)
    )


def _first_referrals(rows, wanted, limit: int) -> tuple[dict, bool]:
    """{referral id: [its matching children]} for the first `limit` referrals of `rows`
    (grouped by referral, newest first), and whether a row past them was seen (so no child
    of theirs is missing)."""
    found: dict[int, list] = {}
    seen = set()
    for child in rows:
        if child.pk in seen:
            continue  # (a child two name branches found)
        seen.add(child.pk)
        if wanted is not None and not name_agrees(wanted, child):
            continue  # (never: the lookup is the rule's own; kept as its last word)
        if child.referral_id not in found and len(found) >= limit:
            return found, True
        found.setdefault(child.referral_id, []).append(child)
    return found, False


CANDIDATE_FIELDS = (
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
    "received_at",
)
NEWEST_FIRST = ("-received_at", "-referral_id", "order")


def _candidates(child_q, referral_q, boroughs, size: int) -> list:
    """The children matching the child terms in the user's boroughs, newest referral first
    (at most `size`): one query, the planner's choice of the most selective index."""
    rows = (
        Child.objects.filter(child_q, borough_id__in=boroughs)
        .filter(Q(referral__in=Referral.objects.filter(referral_q)) if referral_q else Q())
        .only(*CANDIDATE_FIELDS)
        .order_by(*NEWEST_FIRST)[:size]
    )
    return list(rows)


def _candidates_by_name(branches: list[tuple[dict, bool]], boroughs, size: int) -> list:
    """The children of the name branches in the user's boroughs, newest first (at most
    `size`, a child two branches found counted twice): UNION ALL of the branches, an ordered
    branch its newest `size` (an index range read in order that stops there: child_names,
    child_first_key, ...), merged; one query, written here (the ORM took longer to compile
    tens of branches than PostgreSQL to run them)."""
    quote = connection.ops.quote_name
    meta = Child._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in CANDIDATE_FIELDS)
    order = ", ".join(
        f"{quote(meta.get_field(name.lstrip('-')).column)} {'DESC' if name[0] == '-' else 'ASC'}"
        for name in NEWEST_FIRST
    )
    parts, params = [], []
    for branch, ordered in branches:
        conditions = []
        for column, value in [*branch.items(), ("borough_id", list(boroughs))]:
            conditions.append(f"{quote(column)} = {'ANY(%s)' if isinstance(value, list) else '%s'}")
            params.append(value)
        # identifiers from the model and this module only; every value is a parameter
        where = " AND ".join(conditions)
        part = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where}"  # noqa: S608
        if ordered:
            part += f" ORDER BY {order} LIMIT %s"
            params.append(size)
        parts.append(f"({part})")
    union = " UNION ALL ".join(parts)
    sql = f"SELECT * FROM ({union}) AS found ORDER BY {order} LIMIT %s"  # noqa: S608
    return list(Child.objects.raw(sql, [*params, size]))
