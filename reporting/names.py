"""Children's names as the record checks and the staff search compare them.

`normalise_name` and `allowed_typos` are the matching rule's own (`mash.matching` uses them):
names compared as lower-case letters only, with a number of typos allowed by length.

For the search to find "names within a few typos" through an index, each child row keeps its
names normalised (`Child.first_key`, `Child.last_key`, b-tree indexed), and the vocabulary of
every normalised name ever stored is kept with its deletion neighbourhood (`NameKey`: each
name with every string made by deleting up to `allowed_typos(len(name))` of its letters).

Why that finds every name the rule accepts: if two names are within d typos (optimal string
alignment: an insertion, deletion, substitution or swap of neighbouring letters each count
one), deleting at most d letters from each gives the same string (a substitution deletes the
letter on both sides, a swap one of the two letters on both sides, an insertion on one side).
d is at most `allowed_typos` of the shorter name, so of either name. So the names the rule
could accept for a typed name are among the vocabulary names sharing a key with the typed
name's own deletion neighbourhood (`candidates`); the rule itself then picks among those few.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import combinations

from django.db import connection
from django.db.models import F, Q

_NOT_LETTERS = re.compile(r"[^a-z]")


def normalise_name(name: str) -> str:
    """Lower-case letters only, accents dropped: "O'Brien-Smith " -> "obriensmith"."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_LETTERS.sub("", plain.casefold())


def allowed_typos(length: int) -> int:
    if length <= 3:
        return 0
    if length <= 7:
        return 1
    return 2


def deletions(name: str) -> set[str]:
    """`name` and every string made by deleting up to allowed_typos(len(name)) of its letters
    (never the empty string)."""
    found = {name}
    for count in range(1, allowed_typos(len(name)) + 1):
        for gone in combinations(range(len(name)), count):
            found.add("".join(c for i, c in enumerate(name) if i not in gone))
    found.discard("")
    return found


def child_keys(child) -> tuple[str, str]:
    """The child's (first, last) names normalised; ("", "") when the name is not known."""
    if child.name_unknown:
        return "", ""
    return normalise_name(child.first_name), normalise_name(child.last_name)


def set_keys(children: Iterable) -> set[str]:
    """Fill each child's first_key and last_key (and its copies of the referral's received
    time and borough); the names found (for `remember`)."""
    names = set()
    for child in children:
        child.first_key, child.last_key = child_keys(child)
        if child.referral_id is not None and (child.received_at is None or not child.borough_id):
            child.received_at = child.referral.received_at
            child.borough_id = child.referral.borough_id
        names.update(n for n in (child.first_key, child.last_key) if n)
    return names


def remember(names: Iterable[str]) -> None:
    """Add names to the vocabulary, each with its keys, in one statement (rows already there
    are skipped by the unique index: ON CONFLICT DO NOTHING writes nothing for them)."""
    from reporting.models import NameKey

    names = sorted(set(names) - {""})
    pairs = [(key, name) for name in names for key in deletions(name)]
    if not pairs:
        return
    if connection.vendor == "postgresql":
        # Written out: every submission runs it, and the ORM's bulk_create cost four times
        # the statement (issue 21, docs/benchmarks/submit-path.md).
        keys, values = zip(*pairs, strict=True)
        with connection.cursor() as cursor:
            cursor.execute(_REMEMBER, [list(keys), list(values)])
        return
    rows = [NameKey(key=key, name=name) for key, name in pairs]
    NameKey.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5_000)


_REMEMBER = (
    "INSERT INTO reporting_namekey (key, name)"
    " SELECT * FROM unnest(%s::varchar[], %s::varchar[]) ON CONFLICT DO NOTHING"
)


def forget(names: Iterable[str]) -> None:
    """Drop from the vocabulary those of `names` no child has any more (after children are
    deleted: a name is personal data, kept no longer than a child who bears it)."""
    from reporting.models import Child, NameKey

    names = {n for n in names if n}
    if not names:
        return
    used = set(Child.objects.filter(first_key__in=names).values_list("first_key", flat=True))
    used |= set(Child.objects.filter(last_key__in=names).values_list("last_key", flat=True))
    NameKey.objects.filter(name__in=names - used).delete()


def near(typed: list[str], *, first: str = "") -> set[str]:
    """In one query: vocabulary names that could be within the allowed typos of any of the
    `typed` names (normalised), and, for a typed `first` name, the names that are a shortened
    form of it or of which it is a shortened form (3 letters or more). A superset of what the
    rule accepts: the caller applies the rule to these few."""
    from reporting.models import NameKey

    keys = set().union(*(deletions(name) for name in typed if name))
    if not keys:
        return set()
    condition = Q(key__in=sorted(keys | {first[:end] for end in range(3, len(first))}))
    if len(first) >= 3:
        condition |= Q(key__startswith=first, key=F("name"))
    return set(NameKey.objects.filter(condition).values_list("name", flat=True).distinct())


def candidates(typed: str, also: Iterable[str] = ()) -> set[str]:
    """Vocabulary names that could be within the allowed typos of `typed` (normalised): a
    superset of what the rule accepts, from an index lookup (with the names among `also`)."""
    from reporting.models import NameKey

    if not typed:
        return set()
    return set(
        NameKey.objects.filter(key__in=sorted(deletions(typed) | set(also)))
        .values_list("name", flat=True)
        .distinct()
    )


def starting_with(prefix: str) -> set[str]:
    """Vocabulary names that start with `prefix` and are longer than it."""
    from reporting.models import NameKey

    rows = NameKey.objects.filter(key__startswith=prefix, key=F("name")).exclude(key=prefix)
    return set(rows.values_list("name", flat=True))
