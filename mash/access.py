"""Who may see what in the MASH back office.

Every staff view is wrapped in `staff_required` (or `manager_required`): signed in with a
password AND a TOTP code (django-otp's `is_verified()`), with a StaffMember record. Every query
of referrals goes through `referrals_for(user)` or `get_referral_or_404(user, reference)`, which
scope to the user's boroughs: another borough's referral is a 404, exactly like one that does
not exist.
"""

from functools import wraps
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse

from contacts.models import Borough
from mash import audit
from mash.models import AuditAction, ScreeningRecord, StaffMember
from reporting.models import Referral


def staff_member(user) -> StaffMember | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.staff
    except StaffMember.DoesNotExist:
        return None


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and callable(check) and check())


def user_boroughs(user):
    """The boroughs whose referrals `user` may see (none for anyone who is not staff)."""
    member = staff_member(user)
    if member is None:
        return Borough.objects.none()
    return Borough.objects.filter(staff_members=member)


def referrals_for(user):
    """Referrals of the user's boroughs only."""
    if staff_member(user) is None:
        return Referral.objects.none()
    return Referral.objects.filter(borough__in=user_boroughs(user).values("pk"))


def get_referral_or_404(user, reference, *, request=None, queryset=None):
    """The referral with this reference if it is in the user's boroughs, else Http404 (the
    same answer whether it belongs to another borough or does not exist). A refusal of an
    existing referral is audited."""
    queryset = referrals_for(user) if queryset is None else queryset
    referral = queryset.filter(reference=str(reference).upper()).first()
    if referral is not None:
        return referral
    other = (
        Referral.objects.filter(reference=str(reference).upper()).select_related("borough").first()
    )
    audit.record(
        action=AuditAction.ACCESS_REFUSED,
        user=user if user is not None and user.is_authenticated else None,
        referral=other,
        request=request,
        reason="not_in_scope" if other is not None else "not_found",
        asked_for=str(reference)[:40],
    )
    raise Http404("No referral with that reference")


def referral_and_record_or_404(request, reference):
    """The referral (in the user's boroughs, as `get_referral_or_404`) and its screening
    record; Http404 when the referral has none."""
    queryset = referrals_for(request.user).select_related(
        "borough", "screening", "screening__claimed_by"
    )
    referral = get_referral_or_404(request.user, reference, request=request, queryset=queryset)
    try:
        record = referral.screening
    except ScreeningRecord.DoesNotExist as exc:
        raise Http404("This referral has no screening record") from exc
    return referral, record


def _to_login(request, view_name="mash:login"):
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse(view_name)}?{query}")


def _check_staff(request, *, managers_only=False):
    """None when the request may go on, else the response refusing it (all refusals audited)."""
    user = request.user
    if not user.is_authenticated:
        pending = request.session.get("mash_pending")
        if pending:  # a password was given, the TOTP code not yet
            audit.record(
                action=AuditAction.ACCESS_REFUSED,
                user=None,
                username=pending.get("username", ""),
                request=request,
                reason="otp_missing",
            )
            return HttpResponseRedirect(reverse("mash:verify"))
        return _to_login(request)
    if not is_verified(user):
        audit.record(
            action=AuditAction.ACCESS_REFUSED, user=user, request=request, reason="otp_missing"
        )
        return _to_login(request)
    member = staff_member(user)
    if member is None:
        audit.record(
            action=AuditAction.ACCESS_REFUSED, user=user, request=request, reason="not_staff"
        )
        raise PermissionDenied
    if managers_only:
        refuse_unless_manager(request, member=member)
    return None


def refuse_unless_manager(request, *, member=None, referral=None) -> None:
    """PermissionDenied (audited) unless the signed-in staff member is a manager or admin. For
    views that must scope a referral first (another borough's is a 404 for everyone), then
    check the role; `manager_required` does the same for views with nothing to scope."""
    member = member or staff_member(request.user)
    if member is None or not member.is_manager:
        audit.record(
            action=AuditAction.ACCESS_REFUSED,
            user=request.user,
            referral=referral,
            request=request,
            reason="not_manager",
        )
        raise PermissionDenied


def staff_required(view):
    """Signed in with password + TOTP, and a staff member; otherwise to the login (or 403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        refusal = _check_staff(request)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    """As `staff_required`, and the role is manager or admin."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        refusal = _check_staff(request, managers_only=True)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    return wrapper


__all__ = [
    "get_referral_or_404",
    "is_verified",
    "manager_required",
    "refuse_unless_manager",
    "referrals_for",
    "staff_member",
    "staff_required",
    "user_boroughs",
]
