"""Reads of borough contacts. `staffing_for` is the one function that answers "which lines
are staffed at time T, is it in hours, and when does that change"."""

from __future__ import annotations

import copy
import datetime as dt
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import Http404
from django.utils import timezone

from contacts.calendar import WorkingCalendar, calendar_for, to_london, utc
from contacts.memos import Memo
from contacts.models import Borough, ContactLine
from contacts.phone import national_format
from contacts.staffing import LineSpec, Number, Staffing, Window, compute_staffing


def active_boroughs():
    return Borough.objects.filter(is_active=True).order_by("name")


# Every public page starts by reading its borough's row. Each process keeps the rows it read
# for a few seconds: an edit made in this process is seen at once (contacts.signals forgets the
# slug), and one made in another process within BOROUGH_MEMO_SECONDS. That bounds how long a
# changed phone number or a deactivated borough can still be served (the borough page's
# shared version cache allows 60 s), and saves a query on every request.
BOROUGH_MEMO_SECONDS = 5.0
_boroughs = Memo("borough rows")  # slug -> (monotonic time read, Borough)


def get_active_borough(slug: str) -> Borough:
    """The active borough with this slug (a private copy: callers may change it); raises
    Borough.DoesNotExist."""
    entry = _boroughs.get(slug)
    now = time.monotonic()
    if entry is None or now - entry[0] >= BOROUGH_MEMO_SECONDS:
        entry = (now, Borough.objects.get(slug=slug, is_active=True))
        _boroughs.set(slug, entry)
    return copy.copy(entry[1])


def borough_or_404(slug: str) -> Borough:
    """The active borough with this slug, else Http404 (pages and the API answer 404)."""
    try:
        return get_active_borough(slug)
    except Borough.DoesNotExist as exc:
        raise Http404("No such council") from exc


# The data_version of each active borough, in the shared cache (Redis in production), so the
# busiest public page can tell whether what it rendered is still true without a database
# query. contacts.signals forgets a borough's entry when a change to its contacts commits; the
# timeout bounds how long a lost invalidation (Redis unreachable at that moment) can last.
VERSION_CACHE_SECONDS = 60
MISSING = 0  # cached for a slug with no active borough


def _version_key(slug: str) -> str:
    return f"contacts:borough-version:{slug}"


def borough_version(slug: str) -> int | None:
    """The data_version of the active borough with this slug, or None when there is none."""
    key = _version_key(slug)
    version = cache.get(key)
    if version is None:
        version = (
            Borough.objects.filter(slug=slug, is_active=True)
            .values_list("data_version", flat=True)
            .first()
        ) or MISSING
        cache.set(key, version, VERSION_CACHE_SECONDS)
    return version or None


def forget_borough_version(slug: str) -> None:
    """Called when a borough's contacts change (now and again on commit)."""
    _boroughs.forget(slug)
    cache.delete(_version_key(slug))


@dataclass(frozen=True)
class BoroughContacts:
    """Everything about a borough's lines that staffing needs, loaded once."""

    calendar: WorkingCalendar
    lines: tuple[LineSpec, ...]  # the lines to call about a child
    adult_lines: tuple[LineSpec, ...] = ()  # adult social care, for someone worried about an adult

    @classmethod
    def of(cls, calendar: WorkingCalendar, lines: tuple[LineSpec, ...]) -> BoroughContacts:
        """A borough's lines, adult social care kept apart from the lines about a child."""
        adult = ContactLine.Purpose.ADULT_SOCIAL_CARE
        return cls(
            calendar,
            tuple(line for line in lines if line.purpose != adult),
            tuple(line for line in lines if line.purpose == adult),
        )


def load_contacts(borough: Borough) -> BoroughContacts:
    lines = borough.lines.prefetch_related("numbers", "windows").order_by("order", "id")
    specs = tuple(
        LineSpec(
            id=line.pk,
            purpose=line.purpose,
            label=line.label,
            description=line.description,
            numbers=tuple(Number(n.number, national_format(n.number)) for n in line.numbers.all()),
            schedule=line.schedule,
            on_closed_days=line.on_closed_days,
            windows=tuple(Window(w.weekday, w.starts, w.ends) for w in line.windows.all()),
            hours_summary=line.hours_summary,
        )
        for line in lines
    )
    return BoroughContacts.of(working_calendar(borough), specs)


# Per-process memo of the last answer per borough. It is keyed on the borough's data_version
# (read from the database on every request, and bumped by every admin edit), and an answer is
# reused only between the moment it was computed and its next_change: never past it.
# borough id -> (data_version, computed at, BoroughContacts, Staffing)
_staffing = Memo("staffing")


# Per-process memo of each borough's working calendar, keyed on its data_version: every edit
# of office hours or closure days bumps the version, so the next borough row read from the
# database misses the memo and the calendar is rebuilt. Building one costs two queries and the
# bank-holiday table; the queue and every submission need one.
_calendars = Memo("working calendars")  # borough id -> (data_version, WorkingCalendar)


def as_of_version(memo: Memo, borough: Borough, load):
    """What `load(borough)` gave for this borough's data_version, loaded once per version per
    process (pass a row read in this request: a stale instance gets its stale version's)."""
    entry = memo.get(borough.pk)
    if entry is not None and entry[0] == borough.data_version:
        return entry[1]
    value = load(borough)
    memo.set(borough.pk, (borough.data_version, value))
    return value


def working_calendar(borough: Borough) -> WorkingCalendar:
    """The borough's working calendar as of `borough.data_version`."""
    return as_of_version(_calendars, borough, calendar_for)


# Per-process memo of each borough's lines, keyed on its data_version like the calendars.
_contacts = Memo("contact lines")  # borough id -> (data_version, BoroughContacts)


def contacts_for(borough: Borough) -> BoroughContacts:
    """The borough's lines and calendar as of `borough.data_version`."""
    return as_of_version(_contacts, borough, load_contacts)


def staffing_for(borough: Borough, at: dt.datetime | None = None) -> Staffing:
    """Which of the borough's lines are staffed at `at` (default now), in Europe/London."""
    at = to_london(at or timezone.now())
    entry = _staffing.get(borough.pk)
    if entry is not None and entry[0] == borough.data_version:
        _, computed_at, contacts, staffing = entry
        if staffing.next_change is not None and utc(computed_at) <= utc(at) < utc(
            staffing.next_change
        ):
            return staffing.at_moment(at)
    else:
        contacts = contacts_for(borough)
    staffing = compute_staffing(contacts.calendar, contacts.lines, at)
    _staffing.set(borough.pk, (borough.data_version, at, contacts, staffing))
    return staffing


def seconds_until(moment: dt.datetime | None, now: dt.datetime, cap: int) -> int:
    """Whole seconds from now until `moment`, at most `cap`, never negative."""
    if moment is None:
        return cap
    remaining = int((utc(moment) - utc(now)).total_seconds())
    return max(0, min(cap, remaining))
