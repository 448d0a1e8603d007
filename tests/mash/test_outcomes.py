"""Every screening outcome is either a referral to children's social care or not: the
dashboard's conversion rate and Annex A List 3 read this one mapping."""

import pytest

from mash.models import Decision
from mash.outcomes import is_no_further_action, is_referral_to_social_care

Outcome = Decision.Outcome


@pytest.mark.parametrize(
    ("outcome", "referral"),
    [
        (Outcome.NO_FURTHER_ACTION, False),
        (Outcome.ADVICE, False),
        (Outcome.FAMILY_WELLBEING, False),
        (Outcome.ASSESSMENT, True),
        (Outcome.STRATEGY, True),
        (Outcome.DISABLED_CHILDREN, True),
        (Outcome.OTHER, False),
    ],
)
def test_each_outcome_maps_to_conversion(outcome, referral):
    assert is_referral_to_social_care(outcome) is referral


def test_every_outcome_is_mapped_in_the_test_above():
    # A new outcome must be placed deliberately: add it to the table above.
    assert len(Outcome.values) == 7


def test_only_no_further_action_is_nfa():
    assert [o for o in Outcome.values if is_no_further_action(o)] == [Outcome.NO_FURTHER_ACTION]
