"""What each screening outcome counts as in the front door's figures.

A contact is "converted" when screening refers it to children's social care: an assessment,
a strategy discussion (child protection) or the disabled children's team. Every other outcome
(no further action, advice and signposting, Family Wellbeing early help, other) is not a
referral to children's social care. Annex A List 3 and the dashboard's conversion rate both
read this one mapping."""

from __future__ import annotations

from mash.models import Decision

Outcome = Decision.Outcome

REFERRAL_TO_SOCIAL_CARE = frozenset(
    {Outcome.ASSESSMENT, Outcome.STRATEGY, Outcome.DISABLED_CHILDREN}
)
# "NFA" in Annex A List 3: a referral to children's social care that ends with no further
# action. At the front door only the no-further-action outcome itself is NFA.
NO_FURTHER_ACTION = frozenset({Outcome.NO_FURTHER_ACTION})
EARLY_HELP = frozenset({Outcome.FAMILY_WELLBEING})


def is_referral_to_social_care(outcome: str) -> bool:
    """True when this outcome is a referral to children's social care (the contact-to-referral
    conversion), False for every other outcome."""
    return outcome in REFERRAL_TO_SOCIAL_CARE


def is_no_further_action(outcome: str) -> bool:
    return outcome in NO_FURTHER_ACTION
