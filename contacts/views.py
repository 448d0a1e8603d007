"""Public contact pages and the staffed-lines API. Thin: the rules are in selectors/staffing."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from contacts import postcodes
from contacts.calendar import to_london
from contacts.memos import Memo
from contacts.models import Borough
from contacts.selectors import (
    active_boroughs,
    borough_or_404,
    borough_version,
    contacts_for,
    get_active_borough,
    seconds_until,
    staffing_for,
)
from contacts.staffing import Staffing, describe_hours

# A page or answer that shows who is staffed is never cached past the next switch, and never
# longer than this, so an admin's edit reaches everyone within a minute.
MAX_AGE_CAP = 60
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def revalidate_until_next_change(response, staffing: Staffing, now: dt.datetime, etag: str):
    """The borough page: a browser revalidates it every time (max-age=0; its ETag gets a
    cheap 304 while nothing changed), so an admin's edit is seen on the next visit; a shared
    cache may keep it until the next switch (s-maxage), never past it nor past a minute."""
    response["ETag"] = etag
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=seconds_until(staffing.next_change, now, MAX_AGE_CAP),
    )
    return response


def not_modified(request, etag: str) -> bool:
    """The browser's copy is this page (If-None-Match names its ETag, or '*')."""
    wanted = request.headers.get("If-None-Match", "")
    return bool(wanted) and (
        wanted.strip() == "*"
        or etag in (tag.strip().removeprefix("W/") for tag in wanted.split(","))
    )


def cache_until_next_change(response, staffing: Staffing, now: dt.datetime):
    patch_cache_control(
        response, public=True, max_age=seconds_until(staffing.next_change, now, MAX_AGE_CAP)
    )
    return response


ENTER_A_POSTCODE = "Enter a postcode"
ENTER_A_REAL_POSTCODE = "Enter a real postcode"


@require_safe
def choose_council(request):
    """The home page: the child's postcode first, the list of councils below it. With
    `?postcode=`, a postcode in one served borough goes straight to that borough's page;
    anything else is answered here (not served, may be in several, unknown, invalid)."""
    boroughs = list(active_boroughs())
    raw = request.GET.get("postcode")
    if raw is None:
        response = render(request, "contacts/choose_council.html", {"boroughs": boroughs})
        patch_cache_control(response, public=True, max_age=MAX_AGE_CAP)
        return response

    postcode = postcodes.normalise(raw)
    if postcode is None:
        error = ENTER_A_POSTCODE if not raw.strip() else ENTER_A_REAL_POSTCODE
        response = render(
            request,
            "contacts/choose_council.html",
            {"boroughs": boroughs, "error": error, "typed": raw, "form_has_errors": True},
        )
    else:
        place = postcodes.place(postcode=postcode, boroughs=boroughs)
        if place.borough is not None:
            response = redirect("borough", place.borough.slug)
        else:
            response = render(
                request,
                "contacts/postcode_answer.html",
                {"boroughs": boroughs, "place": place},
            )
    # the answer is about where a child lives: kept by no cache and no shared proxy
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def signs(request, borough_slug: str):
    """Signs that a child may be at risk, for the person who is not sure."""
    borough = borough_or_404(borough_slug)
    now = timezone.now()
    staffing = staffing_for(borough, now)
    response = render(request, "contacts/signs.html", {"borough": borough, "staffing": staffing})
    return cache_until_next_change(response, staffing, now)


def line_rows(borough: Borough, staffing: Staffing) -> list[dict]:
    calendar = contacts_for(borough).calendar
    return [
        {
            "status": status,
            "hours": describe_hours(status.line, calendar),
        }
        for status in staffing.lines
    ]


@dataclass(frozen=True)
class RenderedPage:
    """A borough page as rendered once, and the span of time in which it is still true."""

    version: int  # the borough's data_version it was rendered from
    minute: dt.datetime  # the London minute it was rendered in (it shows the time of day)
    rendered_at: dt.datetime
    staffing: Staffing  # its next_change is when who is staffed changes: never reuse past it
    content: bytes
    etag: str = ""  # of the content: a browser holding it is answered 304

    def still_true(self, version: int, now: dt.datetime) -> bool:
        return (
            self.version == version
            and self.minute == minute_of(now)
            and self.rendered_at <= now
            and (self.staffing.next_change is None or now < self.staffing.next_change)
        )


def minute_of(moment: dt.datetime) -> dt.datetime:
    return to_london(moment).replace(second=0, microsecond=0)


# The busiest public page is rendered at most once a minute per borough per process, and
# re-rendered at once when the borough's contacts change or the staffed lines switch.
_rendered = Memo("borough pages")  # slug -> RenderedPage


@require_safe
def worried_about_a_child(request, borough_slug: str):
    now = timezone.now()
    version = borough_version(borough_slug)
    if version is None:
        raise Http404("No such council")
    page = _rendered.get(borough_slug)
    if page is not None and page.still_true(version, now):
        if not_modified(request, page.etag):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(page.content)
        return revalidate_until_next_change(response, page.staffing, now, page.etag)

    borough = borough_or_404(borough_slug)
    staffing = staffing_for(borough, now)
    context = {
        "borough": borough,
        "staffing": staffing,
        "lines": line_rows(borough, staffing),
    }
    response = render(request, "contacts/worried_about_a_child.html", context)
    etag = f'"{hashlib.blake2b(response.content, digest_size=12).hexdigest()}"'
    _rendered.set(
        borough_slug,
        RenderedPage(borough.data_version, minute_of(now), now, staffing, response.content, etag),
    )
    if not_modified(request, etag):
        response = HttpResponseNotModified()
    return revalidate_until_next_change(response, staffing, now, etag)


def _json_error(message: str, status: int) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, no_store=True)
    return response


def parse_at(value: str) -> dt.datetime:
    """An ISO 8601 moment; naive is read as Europe/London. Raises ValueError."""
    moment = dt.datetime.fromisoformat(value.strip().replace(" ", "+"))
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError("year out of range")
    return to_london(moment)


def staffing_json(borough: Borough, staffing: Staffing) -> dict:
    return {
        "borough": borough.slug,
        "at": staffing.at.isoformat(),
        "in_hours": staffing.in_hours,
        "open_lines": [
            {
                "purpose": status.line.purpose,
                "label": status.line.label,
                "numbers": [number.display for number in status.line.numbers],
            }
            for status in staffing.open_lines
        ],
        "next_change": staffing.next_change.isoformat() if staffing.next_change else None,
    }


@require_safe
def api_contacts(request, borough_slug: str):
    try:
        borough = get_active_borough(borough_slug)
    except Borough.DoesNotExist:
        return _json_error(f"Unknown borough '{borough_slug}'.", 404)
    now = timezone.now()
    raw_at = request.GET.get("at")
    if raw_at is None or raw_at == "":
        at = now
    else:
        try:
            at = parse_at(raw_at)
        except ValueError:
            return _json_error(
                "'at' must be an ISO 8601 date and time, like 2026-11-23T14:30:00+00:00.", 400
            )
    staffing = staffing_for(borough, at)
    response = JsonResponse(staffing_json(borough, staffing))
    response["Access-Control-Allow-Origin"] = "*"
    if raw_at:
        patch_cache_control(response, public=True, max_age=MAX_AGE_CAP)
    else:
        cache_until_next_change(response, staffing, now)
    patch_vary_headers(response, ["Origin"])
    return response
