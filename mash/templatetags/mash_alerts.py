"""The managers' escalation banner, on every MASH page (mash/base_staff.html)."""

from django import template

from mash import alerts
from mash.access import is_verified, staff_member, user_boroughs

register = template.Library()


@register.inclusion_tag("mash/includes/alert_banner.html", takes_context=True)
def alert_banner(context):
    """Unacknowledged alerts of the manager's boroughs (one query; none for screeners, nor
    before the second factor)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    member = staff_member(user) if user is not None else None
    if member is None or not member.is_manager or not is_verified(user):
        return {"alerts": [], "more": 0}
    found = list(alerts.open_alerts(boroughs=user_boroughs(user))[: alerts.BANNER_LIMIT + 1])
    return {
        "alerts": [
            {
                "pk": a.pk,
                "reference": a.referral.reference,
                "what": alerts.WHAT[a.kind],
                "kind": a.get_kind_display(),
                "due_at": a.due_at,
                "red": a.red,
            }
            for a in found[: alerts.BANNER_LIMIT]
        ],
        "more": len(found) > alerts.BANNER_LIMIT,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
