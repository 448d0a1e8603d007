"""The managers' escalation banner, on every MASH page (mash/base_staff.html)."""

from django import template

from mash import alerts
from mash.access import is_verified, staff_member, user_boroughs
from mash.models import Alert

register = template.Library()
BANNER_COLUMNS = ("pk", "referral__reference", "kind", "due_at", "red")
KIND_LABELS = dict(Alert.Kind.choices)


@register.inclusion_tag("mash/includes/alert_banner.html", takes_context=True)
def alert_banner(context):
    """Unacknowledged alerts of the manager's boroughs (one query; none for screeners, nor
    before the second factor)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    member = staff_member(user) if user is not None else None
    if member is None or not member.is_manager or not is_verified(user):
        return {"alerts": [], "more": 0}
    # Only the columns shown (the alert rows with their whole referral and borough cost more
    # CPU than the rest of the banner, on every page a manager opens).
    found = list(
        alerts.open_alerts(boroughs=user_boroughs(user)).values_list(*BANNER_COLUMNS)[
            : alerts.BANNER_LIMIT + 1
        ]
    )
    return {
        "alerts": [
            {
                "pk": pk,
                "reference": reference,
                "what": alerts.WHAT[kind],
                "kind": KIND_LABELS.get(kind, kind),
                "due_at": due_at,
                "red": red,
            }
            for pk, reference, kind, due_at, red in found[: alerts.BANNER_LIMIT]
        ],
        "more": len(found) > alerts.BANNER_LIMIT,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
