"""The audit trail for managers: one referral's events or one staff member's, within the
manager's boroughs (reading the trail is itself audited)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from mash import audit
from mash.access import get_referral_or_404, manager_required
from mash.models import AuditAction
from mash.selectors import trail_for_referral, trail_for_user


@manager_required
def audit_view(request):
    """The audit trail for one referral (?referral=REF) or one person (?user=USERNAME),
    within the manager's boroughs."""
    reference = request.GET.get("referral", "").strip().upper()
    username = request.GET.get("user", "").strip()
    events = None
    subject = ""
    if reference:
        referral = get_referral_or_404(request.user, reference, request=request)
        events = trail_for_referral(referral=referral)
        subject = f"referral {referral.reference}"
        audit.record(action=AuditAction.AUDIT_VIEWED, referral=referral, request=request)
    elif username:
        events = trail_for_user(viewer=request.user, username=username)
        if events is None:
            audit.record(
                action=AuditAction.ACCESS_REFUSED,
                request=request,
                reason="audit_user_not_in_scope",
                asked_for=username[:150],
            )
            raise Http404("No staff member with that username in your boroughs")
        subject = f"user {username}"
        audit.record(action=AuditAction.AUDIT_VIEWED, request=request, subject_user=username)
    page = None
    if events is not None:
        page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mash/audit.html",
        {
            "page": page,
            "subject": subject,
            "reference": reference,
            "username": username,
            "nav_current": "audit",
        },
    )
