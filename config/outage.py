"""When the database is down: the public pages answer from the contacts snapshot, and a report
in progress gets a page with the borough's staffed number, never a bare error.

`OutageMiddleware.process_exception` catches a database that cannot be reached
(OperationalError, InterfaceError) in a view; `server_error` (the project's handler500) does the
same for one raised outside a view (the session saved after the view, for instance). Both:

- `/`, `/<borough>/` and `/api/contacts/<borough>/` answer from `contacts.snapshot`, with who
  is staffed now computed by `contacts.staffing.compute_staffing`, and (on pages) a banner
  saying online reporting is unavailable for now and to phone;
- any other public page of a borough (a report in progress) answers 503 with that borough's
  staffed numbers;
- a request whose report was already saved (`mark_saved`) is never told it failed: it gets a
  "your report was sent" page with the reference, whatever broke after the commit.

Answers are 503 or 500, so SessionMiddleware does not try to save the session to the database
that is down.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views import defaults

logger = logging.getLogger(__name__)

UNREACHABLE = (OperationalError, InterfaceError)
SNAPSHOT_ROUTES = {"choose_council", "borough", "api_contacts"}


def invalid_fields(exc) -> list[str]:
    """The names of the fields a ValidationError is about (never its messages, which can
    quote what the person typed): for logs."""
    return sorted(getattr(exc, "error_dict", {}) or ["__all__"])


def mark_saved(request, reference: str) -> None:
    """Call as soon as a submission has committed: from then on no error page for this
    request says the report failed."""
    request.saved_reference = reference


def _route(request) -> tuple[str, dict]:
    match = getattr(request, "resolver_match", None)
    if match is None:
        from django.urls import Resolver404, resolve

        try:
            match = resolve(request.path_info)
        except Resolver404:
            return "", {}
    return match.view_name or "", match.kwargs


def _no_store(response):
    patch_cache_control(response, no_store=True, private=True)
    return response


def _snapshot_borough(slug: str):
    from contacts.snapshot import load_snapshot

    return load_snapshot().get(slug)


def _staffing(borough, at=None):
    from contacts.calendar import to_london
    from contacts.staffing import compute_staffing

    contacts = borough.contacts
    return compute_staffing(contacts.calendar, contacts.lines, to_london(at or timezone.now()))


def saved_page(request):
    reference = request.saved_reference
    _, kwargs = _route(request)
    borough = _snapshot_borough(kwargs.get("borough_slug", ""))
    context = {"reference": reference, "borough": borough, "outage": False}
    if borough is not None:
        context["staffing"] = _staffing(borough)
    # 200: the report was sent, and the session (with its confirmation) is saved as usual when
    # the database is up, so the confirmation page and a second click on "Send" still work.
    return _no_store(render(request, "reporting/saved_not_shown.html", context))


def _choose_council(request):
    from contacts.snapshot import load_snapshot

    boroughs = sorted(load_snapshot().values(), key=lambda b: b.name)
    context = {"boroughs": boroughs, "outage": True}
    return _no_store(render(request, "contacts/choose_council.html", context, status=200))


def _borough_page(request, borough):
    from contacts.staffing import describe_hours

    staffing = _staffing(borough)
    lines = [
        {"status": status, "hours": describe_hours(status.line, borough.contacts.calendar)}
        for status in staffing.lines
    ]
    context = {"borough": borough, "staffing": staffing, "lines": lines, "outage": True}
    return _no_store(render(request, "contacts/worried_about_a_child.html", context))


def _api(request, slug: str):
    from contacts.views import _json_error, parse_at, staffing_json

    borough = _snapshot_borough(slug)
    if borough is None:
        return _json_error(f"Unknown borough '{slug}'.", 404)
    raw_at = request.GET.get("at")
    at = None
    if raw_at:
        try:
            at = parse_at(raw_at)
        except ValueError:
            return _json_error(
                "'at' must be an ISO 8601 date and time, like 2026-11-23T14:30:00+00:00.", 400
            )
    response = JsonResponse(staffing_json(borough, _staffing(borough, at)))
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Contacts-Source"] = "snapshot"
    return _no_store(response)


def _report_unavailable(request, borough):
    context = {
        "borough": borough,
        "staffing": _staffing(borough),
        "outage": True,
        "title": "Sorry, online reporting is unavailable",
    }
    return _no_store(render(request, "reporting/unavailable.html", context, status=503))


def outage_response(request, exception):
    """The answer for a request that failed with `exception`, or None to let it fail as usual."""
    if getattr(request, "saved_reference", None):
        return saved_page(request)
    if not isinstance(exception, UNREACHABLE):
        return None
    name, kwargs = _route(request)
    if name.startswith("mash:") or name.startswith("admin:"):
        return None  # staff pages: the usual 500; staff have their own procedures
    logger.error("database unreachable: answering %s from the contacts snapshot", name)
    slug = kwargs.get("borough_slug")
    if name == "choose_council":
        return _choose_council(request)
    if name == "api_contacts":
        return _api(request, slug)
    if slug is None:
        return None
    borough = _snapshot_borough(slug)
    if borough is None:
        return None
    if name == "borough":
        return _borough_page(request, borough)
    return _report_unavailable(request, borough)


class OutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        try:
            return outage_response(request, exception)
        except Exception:  # noqa: BLE001 - the usual error page is better than none
            logger.exception("outage page failed")
            return None


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: the outage or "report sent" page when one applies, else Django's own."""
    exception = sys.exc_info()[1]
    try:
        response = outage_response(request, exception)
    except Exception:  # noqa: BLE001
        logger.exception("outage page failed")
        response = None
    if response is not None:
        return response
    return defaults.server_error(request, template_name)
