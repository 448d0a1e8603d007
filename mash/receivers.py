"""`mash` listens to `reporting`: every submitted referral gets its screening record, with its
due time, in the same transaction as the referral itself (the signal is sent before commit, so
an error here aborts the submission rather than leave a referral nobody will screen)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from contacts.models import Borough
from mash.deadlines import screening_due_at
from mash.identity import assign_person_keys
from mash.models import ScreeningPolicy, ScreeningRecord
from mash.policy import PUBLISHED
from reporting.signals import referral_submitted


@receiver(referral_submitted, dispatch_uid="mash_open_screening_record")
def open_screening_record(sender, referral, **kwargs) -> ScreeningRecord:
    # A new referral: create, not get_or_create (one INSERT instead of a SELECT and a
    # savepoint). A second signal for the same referral would break the one-to-one and abort.
    due_at = screening_due_at(referral.borough, referral.received_at)
    return ScreeningRecord.objects.create(
        referral=referral,
        borough_id=referral.borough_id,
        due_at=due_at,
        effective_due_at=due_at,
        received_at=referral.received_at,
        kind=referral.kind,
    )


@receiver(referral_submitted, dispatch_uid="mash_person_keys")
def give_children_person_keys(sender, referral, children=None, **kwargs) -> None:
    """Each child's stable pseudonymous id, by the record-check matcher (`mash.identity`)."""
    assign_person_keys(referral, children)


@receiver(post_save, sender=Borough, dispatch_uid="mash_borough_policy")
def give_new_borough_a_policy(sender, instance, created, raw=False, **kwargs):
    """A new borough gets the default screening policy (with what it has published, if
    known), to edit in the admin."""
    if created and not raw:
        ScreeningPolicy.objects.get_or_create(
            borough=instance, defaults=PUBLISHED.get(instance.slug, {})
        )
