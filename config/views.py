"""Project-level pages: the footer's information pages, and the error pages (400, 403, the CSRF
failure) in the GOV.UK layout with the council's numbers. Health checks: ops.views."""

import logging

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import requires_csrf_token
from django.views.generic import TemplateView

logger = logging.getLogger(__name__)


class InformationPage(TemplateView):
    """A static page from the footer (privacy, accessibility, cookies)."""


class PrivacyPage(InformationPage):
    """The privacy notice, with the retention schedule as it stands in the admin."""

    def get_context_data(self, **kwargs):
        from ops.models import RetentionPeriod

        context = super().get_context_data(**kwargs)
        context["retention_periods"] = list(RetentionPeriod.objects.all())
        return context


# -- error pages -----------------------------------------------------------------------------
def error_context(request) -> dict:
    """The borough the URL names (its first part, e.g. /bromley/report/...), with the lines
    staffed now, so an error page can still say whom to call. Empty when the URL names none,
    or when the borough cannot be read (an error page must never fail)."""
    from contacts.selectors import get_active_borough, staffing_for

    slug = request.path_info.strip("/").split("/", 1)[0]
    if not slug or len(slug) > 50 or not slug.replace("-", "").isalnum():
        return {}
    try:
        borough = get_active_borough(slug)
        return {"borough": borough, "staffing": staffing_for(borough, timezone.now())}
    except Exception:  # noqa: BLE001 - no such borough, or the database is down
        return {}


def _error_page(request, template: str, status: int):
    response = render(request, template, error_context(request), status=status)
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def bad_request(request, exception=None):
    return _error_page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: almost always cookies turned off, or a form left open so long that
    its session ended. Says so in plain words; the reason goes to the log, not the page."""
    logger.info("CSRF failure: %s", reason)
    return _error_page(request, "403_csrf.html", 403)
