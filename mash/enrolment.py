"""One-time enrolment links: the second thing (beside the password) a person needs to enrol an
authenticator app, so that a password alone never reveals a TOTP secret.

A link is made by `create_staff` or by an admin resetting someone's authenticator in the Django
admin; its token is shown once and only its SHA-256 is stored. It works for 24 hours and once:
opening it only remembers it in the browser's session; giving the right password with it uses
it up (a conditional UPDATE, so two sessions cannot both use it) and voids any authenticator
set up before (a secret seen earlier is worth nothing). Every step is audited.
"""

import hashlib
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mash import audit
from mash.models import AuditAction, EnrolmentLink

SESSION_LINK = "mash_enrol_link"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_link(*, user, created_by=None, request=None, reset_device=False) -> str:
    """A new enrolment link for `user`; returns its path (with the token: show it once).
    Earlier unused links of the person stop working. With `reset_device`, their
    authenticator devices are deleted too (they must enrol again)."""
    now = timezone.now()
    EnrolmentLink.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
    if reset_device:
        deleted, _ = TOTPDevice.objects.filter(user=user).delete()
        audit.record(
            action=AuditAction.OTP_DEVICE_RESET,
            user=created_by,
            request=request,
            subject_user=user.get_username(),
            devices=deleted,
        )
    token = secrets.token_urlsafe(32)
    link = EnrolmentLink.objects.create(
        user=user,
        token_hash=_hash(token),
        created_at=now,
        expires_at=now + EnrolmentLink.VALID_FOR,
        created_by=created_by,
    )
    audit.record(
        action=AuditAction.ENROLMENT_LINK_CREATED,
        user=created_by,
        request=request,
        subject_user=user.get_username(),
        link=link.pk,
        expires_at=link.expires_at.isoformat(),
    )
    return reverse("mash:enrol_link", kwargs={"token": token})


def find_link(token: str) -> EnrolmentLink | None:
    """The unused, unexpired link with this token, or None."""
    if not token or len(token) > 100:
        return None
    return (
        EnrolmentLink.objects.filter(
            token_hash=_hash(token), used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("user")
        .first()
    )


@transaction.atomic
def use_link(*, link_id, user, request) -> bool:
    """Use up the session's link for `user` (after their right password): True when it was
    theirs, unused and unexpired and this call took it. Voids earlier unconfirmed devices."""
    now = timezone.now()
    taken = EnrolmentLink.objects.filter(
        pk=link_id, user=user, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not taken:
        return False
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    audit.record(action=AuditAction.ENROLMENT_LINK_USED, user=user, request=request, link=link_id)
    return True
