"""The append-only audit trail: `record()` writes one AuditEvent; the receivers below record
every login, failed login, lockout and logout. What can be recorded is `mash.models.AuditAction`;
the trail is read through `mash.selectors` (`trail_for_referral`, `trail_for_user`)."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from mash.clients import client_pseudonym
from mash.models import AuditAction, AuditEvent


def client_ip_hash(request) -> str:
    """A keyed, truncated hash of the client address: tells sources apart, never stores it."""
    return client_pseudonym(request)[:32]


def record(
    *, action, user=None, referral=None, borough=None, request=None, username="", **detail
) -> AuditEvent:
    """Append one event to the audit trail and return it.

    `action` is an `AuditAction` (anything else raises ValueError: the vocabulary is closed).
    `user` defaults to the request's authenticated user; `borough` to the referral's.
    Extra keyword arguments go in `detail` (JSON: keep them plain values, never personal data
    about the child or referrer)."""
    action = AuditAction(action)
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if user is not None and not user.is_authenticated:
        user = None
    if referral is not None and borough is None:
        borough = referral.borough
    if request is not None and "path" not in detail:
        detail["path"] = request.path[:200]
    return AuditEvent.objects.create(
        action=action,
        user=user,
        username=(user.get_username() if user is not None else username)[:150],
        referral=referral,
        reference=referral.reference if referral is not None else "",
        borough=borough,
        detail=detail,
        ip_hash=client_ip_hash(request),
    )


# --- Receivers ----------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="mash_audit_login")
def _on_login(sender, request, user, **kwargs):
    record(action=AuditAction.LOGIN, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="mash_audit_logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(action=AuditAction.LOGOUT, user=user, request=request)


def _user_named(username):
    if not username:
        return None
    return get_user_model()._default_manager.filter(**{"username": username}).first()


@receiver(user_login_failed, dispatch_uid="mash_audit_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, "axes_locked_out", False):
        return  # refused by the lockout: the lockout itself is audited once, below
    if (credentials or {}).get("mash_wrong_code"):
        return  # a wrong TOTP code counted against the lockout: audited as otp_failed
    username = str((credentials or {}).get("username") or "")[:150]
    record(
        action=AuditAction.LOGIN_FAILED,
        user=_user_named(username),
        username=username,
        request=request,
    )


@receiver(user_locked_out, dispatch_uid="mash_audit_locked_out")
def _on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    """axes signals every refused attempt during a lockout: one audit row per lockout (per
    username and client, within the cool-off), not one per attempt."""
    username = str(username or "")[:150]
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    already = AuditEvent.objects.filter(
        action=AuditAction.LOCKED_OUT,
        username=username,
        ip_hash=client_ip_hash(request),
        at__gte=since,
    )
    if already.exists():
        return
    record(
        action=AuditAction.LOCKED_OUT,
        user=_user_named(username),
        username=username,
        request=request,
    )
