"""The append-only audit trail: `record()` writes one AuditEvent; the receivers below record
every login, failed login, lockout and logout."""

import hashlib
import hmac

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Q
from django.dispatch import receiver

from config.client import client_ip
from mash.models import AuditEvent, StaffMember

# Actions (the `action` column). Free text is allowed, these are the ones mash writes itself.
LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOCKED_OUT = "locked_out"
LOGOUT = "logout"
OTP_FAILED = "otp_failed"
OTP_ENROLLED = "otp_enrolled"
SESSION_EXPIRED = "session_expired"
ACCESS_REFUSED = "access_refused"
REFERRAL_VIEWED = "referral_viewed"
REFERRAL_CHANGED = "referral_changed"
AUDIT_VIEWED = "audit_viewed"


def client_ip_hash(request) -> str:
    """A keyed, truncated hash of the client address: tells sources apart, never stores it."""
    if request is None:
        return ""
    address = client_ip(request)  # behind nginx, the client's, not nginx's
    if not address:
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def record(
    *, action, user=None, referral=None, borough=None, request=None, username="", **detail
) -> AuditEvent:
    """Append one event to the audit trail and return it.

    `user` defaults to the request's authenticated user; `borough` to the referral's.
    Extra keyword arguments go in `detail` (JSON: keep them plain values, never personal data
    about the child or referrer)."""
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    if user is not None and not getattr(user, "is_authenticated", True):
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
        reference=getattr(referral, "reference", "") or "",
        borough=borough,
        detail=detail,
        ip_hash=client_ip_hash(request),
    )


# --- Reading the trail (managers) ----------------------------------------------------------


def trail_for_referral(referral):
    """Every event about one referral, newest first (scope the referral before calling)."""
    return AuditEvent.objects.filter(referral=referral).select_related("user", "borough")


def trail_for_user(*, viewer, username):
    """The events of one staff member of the viewer's boroughs, limited to those boroughs
    (and borough-less events: sign-ins, refusals); None when that person is not staff of any
    of the viewer's boroughs."""
    from mash.access import user_boroughs

    boroughs = user_boroughs(viewer).values("pk")
    target = StaffMember.objects.filter(user__username=username, boroughs__in=boroughs).first()
    if target is None:
        return None
    return (
        AuditEvent.objects.filter(user=target.user)
        .filter(Q(borough__in=boroughs) | Q(borough__isnull=True))
        .select_related("user", "borough")
    )


# --- Receivers ----------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="mash_audit_login")
def _on_login(sender, request, user, **kwargs):
    record(action=LOGIN, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="mash_audit_logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(action=LOGOUT, user=user, request=request)


def _user_named(username):
    if not username:
        return None
    return get_user_model()._default_manager.filter(**{"username": username}).first()


@receiver(user_login_failed, dispatch_uid="mash_audit_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username") or "")[:150]
    record(
        action=LOGIN_FAILED,
        user=_user_named(username),
        username=username,
        request=request,
    )


@receiver(user_locked_out, dispatch_uid="mash_audit_locked_out")
def _on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    username = str(username or "")[:150]
    record(action=LOCKED_OUT, user=_user_named(username), username=username, request=request)
