"""Managers' alerts: the list of unacknowledged ones, and acknowledging one (audited). The
banner on every MASH page is `mash.templatetags.mash_alerts`."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from mash import alerts, audit
from mash.access import manager_required, user_boroughs
from mash.models import AuditAction


@manager_required
@require_http_methods(["GET", "HEAD"])
def alert_list(request):
    found = list(alerts.open_alerts(boroughs=user_boroughs(request.user)))
    audit.record(
        action=AuditAction.ALERTS_VIEWED, user=request.user, request=request, rows=len(found)
    )
    return render(request, "mash/alerts.html", {"nav_current": "alerts", "found": found})


@manager_required
@require_POST
def acknowledge_view(request, pk):
    try:
        alert = alerts.acknowledge(
            user=request.user, alert_id=pk, boroughs=user_boroughs(request.user), request=request
        )
    except alerts.AlertError as exc:
        if str(exc) == "No such alert":
            raise Http404("No such alert") from exc
        messages.info(request, str(exc))
    else:
        messages.success(request, f"Alert about {alert.referral.reference} acknowledged.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) or not target.startswith("/mash/"):
        target = reverse("mash:alerts")
    return HttpResponseRedirect(target)
