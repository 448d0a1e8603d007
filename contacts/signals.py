"""Every change to a borough's contacts bumps its data_version, so cached answers about who is
staffed are dropped at once, in every process."""

from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from contacts.models import (
    Borough,
    ClosureDay,
    ContactLine,
    OfficeHours,
    PhoneNumber,
    StaffedWindow,
)
from contacts.snapshot import refresh_snapshot


def bump(borough_id: int) -> None:
    Borough.objects.filter(pk=borough_id).update(data_version=F("data_version") + 1)
    slugs = list(Borough.objects.filter(pk=borough_id).values_list("slug", flat=True))
    forget_versions_on_commit(slugs)


def forget_versions_on_commit(slugs: list[str]) -> None:
    """Drop the cached versions now and again once the change is committed (in between, a
    request could read the old row and cache it again)."""
    from contacts.selectors import forget_borough_version

    for slug in slugs:
        forget_borough_version(slug)
        transaction.on_commit(lambda slug=slug: forget_borough_version(slug))
    refresh_snapshot_on_commit()


def refresh_snapshot_on_commit() -> None:
    """Rewrite the outage snapshot (contacts.snapshot) once the change commits: once per
    transaction, however many rows an admin save touched."""
    connection = transaction.get_connection()
    if any(func is refresh_snapshot for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(refresh_snapshot)


@receiver(post_save, sender=Borough)
def borough_saved(sender, instance: Borough, created: bool, raw: bool = False, **kwargs):
    if raw:
        return
    if created:
        forget_versions_on_commit([instance.slug])
    else:
        bump(instance.pk)
        instance.refresh_from_db(fields=["data_version"])


@receiver(post_delete, sender=Borough)
def borough_deleted(sender, instance: Borough, **kwargs):
    forget_versions_on_commit([instance.slug])


@receiver([post_save, post_delete], sender=OfficeHours)
@receiver([post_save, post_delete], sender=ClosureDay)
@receiver([post_save, post_delete], sender=ContactLine)
def borough_child_changed(sender, instance, raw: bool = False, **kwargs):
    if not raw:
        bump(instance.borough_id)


@receiver([post_save, post_delete], sender=PhoneNumber)
@receiver([post_save, post_delete], sender=StaffedWindow)
def line_child_changed(sender, instance, raw: bool = False, **kwargs):
    if raw:
        return
    borough_id = (
        ContactLine.objects.filter(pk=instance.line_id).values_list("borough_id", flat=True).first()
    )
    if borough_id is not None:
        bump(borough_id)
