"""`mash` listens to `reporting`: every submitted referral gets its screening record, with its
due time, in the same transaction as the referral itself (the signal is sent before commit, so
an error here aborts the submission rather than leave a referral nobody will screen)."""

from django.dispatch import receiver

from mash.deadlines import screening_due_at
from mash.models import ScreeningRecord
from reporting.signals import referral_submitted


@receiver(referral_submitted, dispatch_uid="mash_open_screening_record")
def open_screening_record(sender, referral, **kwargs) -> ScreeningRecord:
    # A new referral: create, not get_or_create (one INSERT instead of a SELECT and a
    # savepoint). A second signal for the same referral would break the one-to-one and abort.
    return ScreeningRecord.objects.create(
        referral=referral,
        borough_id=referral.borough_id,
        due_at=screening_due_at(referral.borough, referral.received_at),
    )
