"""A stable pseudonymous id for each child across referrals (`Child.person_key`): Annex A's
"Child Unique ID" and the count of a child's referrals in the 12 months before one.

When a referral arrives (`mash.receivers`, in the submission's transaction, before its
children are inserted: the key goes in with them, no UPDATE), each of its children is compared
with the borough's earlier children by the record-check matcher
(`mash.matching.newest_strong_match`, the first strong match `find_matches` would list): a
child with a strong match (name with the exact date of birth or postcode) takes that match's
key; any other child gets a new random key. A possible match is not enough: it is the
screener's to judge, and a wrong join would merge two children's histories in the figures.
Keys are random (`C` and 12 Crockford base32 characters), so they say nothing about the child
and cannot be reversed.
"""

from __future__ import annotations

import secrets

from mash.matching import newest_strong_match
from reporting.models import Child
from reporting.references import ALPHABET

KEY_LENGTH = 12


def new_person_key() -> str:
    return "C" + "".join(secrets.choice(ALPHABET) for _ in range(KEY_LENGTH))


def person_key_for(child: Child, *, exclude_referral) -> str:  # child may be unsaved
    """The key of the newest strong match that has one, else a new key."""
    match = newest_strong_match(child, exclude_referral=exclude_referral, keyed=True)
    return match.person_key if match is not None else new_person_key()


def give_person_keys(referral, children) -> None:
    """Set the key of each of `referral`'s children that has none, on the instances (the
    caller saves them: the submission inserts them after this). One lookup each."""
    for child in children:
        if not child.person_key:
            child.person_key = person_key_for(child, exclude_referral=referral)
