"""Submission references like `BRM-4K7Q-X9D2`: the borough's prefix and two groups of four
Crockford base32 characters drawn from `secrets` (40 random bits: unguessable).

Crockford's alphabet leaves out I, L, O and U, so a reference read aloud over the phone or
copied by hand is hard to get wrong; `normalise_reference` forgives the usual slips (lower
case, spaces, O for 0, I or L for 1). Uniqueness is enforced by the database: the caller
retries with a fresh reference on the (vanishingly rare) collision.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
GROUPS = 2
GROUP_LENGTH = 4
REFERENCE_RE = re.compile(rf"^[A-Z]{{3}}(-[{ALPHABET}]{{{GROUP_LENGTH}}}){{{GROUPS}}}$")

_SLIPS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _group() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH))


def new_reference(borough) -> str:
    """A fresh random reference for `borough`, like 'BRM-4K7Q-X9D2' (not checked for use)."""
    return "-".join([borough.reference_prefix, *(_group() for _ in range(GROUPS))])


def normalise_reference(text: str) -> str:
    """'brm 4k7q x9d2' or 'BRM-4K7Q-X9D2 ' -> 'BRM-4K7Q-X9D2'; '' when it cannot be one."""
    compact = re.sub(r"[\s\-_.]", "", text or "").upper()
    if len(compact) != 3 + GROUPS * GROUP_LENGTH or not compact[:3].isalpha():
        return ""
    prefix, rest = compact[:3], compact[3:].translate(_SLIPS)
    groups = [rest[i : i + GROUP_LENGTH] for i in range(0, len(rest), GROUP_LENGTH)]
    reference = "-".join([prefix, *groups])
    return reference if REFERENCE_RE.match(reference) else ""


def is_reference(text: str) -> bool:
    return bool(REFERENCE_RE.match(text or ""))
