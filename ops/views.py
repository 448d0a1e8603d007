"""/healthz (liveness), /readyz (readiness) and /metrics (Prometheus, behind a token)."""

import contextlib
import hmac

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from ops import metrics, monitoring


@never_cache
@require_safe
def healthz(request):
    """Liveness: this process answers. No database: a database outage must not get every web
    process restarted (the public pages still answer from the contacts snapshot)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Readiness: 200 when every check passes, else 503 with each check's answer."""
    checks = monitoring.readiness()
    ready = all(value == "ok" for value in checks.values())
    if checks.get("beat", "ok") != "ok" and checks.get("database") == "ok":
        # A dead beat cannot raise its own alert: the readiness probe does.
        with contextlib.suppress(Exception):  # the probe answers whatever happens
            monitoring.check_beat_alert()
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


@never_cache
@require_safe
def metrics_view(request):
    """Prometheus text format, only with "Authorization: Bearer <METRICS_TOKEN>"; 404 when no
    token is configured or the one given is wrong (nothing says the page exists)."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Http404
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
