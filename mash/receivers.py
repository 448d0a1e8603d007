"""`mash` listens to `reporting`: every submitted referral gets its screening record, with its
due time, in the same transaction as the referral itself (the signal is sent before commit, so
an error here aborts the submission rather than leave a referral nobody will screen)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from config import inserts
from contacts.models import Borough
from contacts.signals import borough_child_changed
from mash.deadlines import screening_due_at
from mash.identity import give_person_keys
from mash.models import ScreeningPolicy, ScreeningRecord
from mash.policy import PUBLISHED, current_rules
from reporting.signals import children_received, referral_submitted


@receiver(referral_submitted, dispatch_uid="mash_open_screening_record")
def open_screening_record(sender, referral, **kwargs) -> ScreeningRecord:
    # A new referral: insert, not get_or_create (one INSERT instead of a SELECT and a
    # savepoint). A second signal for the same referral would break the one-to-one and abort.
    borough = referral.borough
    due_at = screening_due_at(borough, referral.received_at, rules=current_rules(borough))
    record = ScreeningRecord(
        referral=referral,
        borough_id=referral.borough_id,
        due_at=due_at,
        effective_due_at=due_at,
        received_at=referral.received_at,
        kind=referral.kind,
    )
    # Every column set here (ScreeningRecord.save's defaults are not needed): one INSERT
    # built once (config.inserts).
    inserts.insert([record])
    return record


@receiver(children_received, dispatch_uid="mash_person_keys")
def give_children_person_keys(sender, referral, children, **kwargs) -> None:
    """Each child's stable pseudonymous id, by the record-check matcher (`mash.identity`),
    set before the children are inserted (they go in with it)."""
    give_person_keys(referral, children)


@receiver(post_save, sender=Borough, dispatch_uid="mash_borough_policy")
def give_new_borough_a_policy(sender, instance, created, raw=False, **kwargs):
    """A new borough gets the default screening policy (with what it has published, if
    known), to edit in the admin."""
    if created and not raw:
        ScreeningPolicy.objects.get_or_create(
            borough=instance, defaults=PUBLISHED.get(instance.slug, {})
        )


# A policy edit bumps its borough's data_version, as an edit of its contacts does (the same
# receiver): every process drops the rules it kept (`mash.policy.current_rules`).
for _signal in (post_save, post_delete):
    _signal.connect(
        borough_child_changed, sender=ScreeningPolicy, dispatch_uid="mash_policy_changed"
    )
