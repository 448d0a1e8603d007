"""Screening deadlines: when a referral must be screened, how much working time is left, and
its deadline state.

A referral is due one working day of working time after it was received, on its borough's
working calendar (`contacts.calendar`): received 10:00 Monday, due 10:00 Tuesday; received on a
Saturday, due at the close of Monday; bank holidays and closure days do not count.

The deadline state (red overdue, amber under two working hours left, green otherwise) is a
fact about the clock. It is never the screener's urgency rating (a judgement about the child,
set by hand), and the two are kept apart in code and on screen.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q
from django.utils import timezone

from contacts.calendar import WorkingCalendar, calendar_for, earliest, elapsed, to_london
from contacts.selectors import working_calendar
from mash.policy import DEFAULT, Rules, current_rules


class DeadlineState(StrEnum):
    """The deadline state of an undecided referral. The value is the colour it is shown in."""

    OVERDUE = "red"
    DUE_SOON = "amber"
    ON_TRACK = "green"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag modifier; the tag always carries the label too, never colour alone."""
        return _TAG_CLASSES[self]


OVERDUE = DeadlineState.OVERDUE
DUE_SOON = DeadlineState.DUE_SOON
ON_TRACK = DeadlineState.ON_TRACK

_LABELS = {OVERDUE: "Overdue", DUE_SOON: "Due soon", ON_TRACK: "On track"}
_TAG_CLASSES = {
    OVERDUE: "govuk-tag--red",
    DUE_SOON: "govuk-tag--yellow",
    ON_TRACK: "govuk-tag--green",
}


def screening_due_at(
    borough,
    received_at: dt.datetime,
    *,
    calendar: WorkingCalendar | None = None,
    rules: Rules | None = None,
):
    """The statutory deadline: when a referral received at `received_at` must be screened by,
    its borough's statutory screening time later (default one working day of working time on
    the borough's calendar), in Europe/London."""
    calendar = calendar or working_calendar(borough)
    rules = rules or current_rules(borough)
    return rules.screening.add(received_at, calendar=calendar)


def rating_due_at(
    rating: str, rated_at: dt.datetime, *, rules: Rules, calendar: WorkingCalendar
) -> dt.datetime:
    """The deadline an urgency rating sets, counted from the moment it was given (defaults:
    Red 4 hours of clock time, Amber and Green one working day)."""
    return rules.ratings[rating].add(rated_at, calendar=calendar)


def effective_due_at(
    *,
    statutory_due_at: dt.datetime,
    rating: str = "",
    rated_at: dt.datetime | None = None,
    rules: Rules,
    calendar: WorkingCalendar,
) -> dt.datetime:
    """A referral's effective due time: the earlier of its statutory deadline and the one its
    current rating set from when it was given (none when it is not rated). Pure."""
    if not rating or rated_at is None:
        return to_london(statutory_due_at)
    return to_london(
        earliest(statutory_due_at, rating_due_at(rating, rated_at, rules=rules, calendar=calendar))
    )


def working_time_left(
    record, now: dt.datetime | None = None, *, calendar: WorkingCalendar | None = None
) -> dt.timedelta:
    """Working time from `now` until the record's effective due time; negative once it is
    overdue (the working time since it fell due)."""
    now = now or timezone.now()
    calendar = calendar or calendar_for(record.borough)
    return calendar.working_time_between(now, record.effective_due_at)


def due_soon_boundary(
    calendar: WorkingCalendar, now: dt.datetime, *, rules: Rules = DEFAULT
) -> dt.datetime:
    """The end of the warning window from now (default two working hours): a referral due
    before it is due soon."""
    return rules.warning.add(now, calendar=calendar)


def deadline_state(
    due_at: dt.datetime,
    now: dt.datetime | None = None,
    *,
    calendar: WorkingCalendar,
    rules: Rules = DEFAULT,
) -> DeadlineState:
    """Red when the due time has come, amber inside the warning window (default two working
    hours), else green.

    Decided in terms of `due_at` against two moments (now, and the end of the warning window),
    so the queue's state filter (`state_q`) selects exactly the same records with an indexed
    range."""
    now = now or timezone.now()
    if due_at <= now:
        return OVERDUE
    if due_at < due_soon_boundary(calendar, now, rules=rules):
        return DUE_SOON
    return ON_TRACK


def record_state(
    record, now: dt.datetime | None = None, *, calendar=None, rules: Rules | None = None
) -> DeadlineState:
    return deadline_state(
        record.effective_due_at,
        now,
        calendar=calendar or calendar_for(record.borough),
        rules=rules or current_rules(record.borough),
    )


def state_q(
    state: DeadlineState | str,
    now: dt.datetime,
    calendars: dict[int, WorkingCalendar],
    *,
    prefix: str = "",
    rules: dict[int, Rules] | None = None,
) -> Q:
    """A filter on effective_due_at (and borough) matching the records in `state` at `now`,
    for records of the boroughs whose calendars are given (borough id -> calendar; `rules`:
    borough id -> Rules, default the default policy). Ranges only, so the (borough,
    effective_due_at) index serves it."""
    state = DeadlineState(state)
    rules = rules or {}
    due, borough = f"{prefix}effective_due_at", f"{prefix}borough_id"
    if state is OVERDUE:
        return Q(**{f"{due}__lte": now})
    boundaries = {
        borough_id: due_soon_boundary(calendar, now, rules=rules.get(borough_id, DEFAULT))
        for borough_id, calendar in calendars.items()
    }
    if not boundaries:
        return Q(pk__in=[])
    # One plain range common to every borough, then the exceptions of the boroughs whose
    # boundary differs, as NOT (...). Written as an OR of per-borough ranges instead, the
    # planner misjudges how many rows match and sorts thousands of rows rather than walk the
    # due_at index for the first page (measured: 29 ms against under 1 ms at 100,000).
    scope = Q(**{f"{borough}__in": list(boundaries)})
    if state is DUE_SOON:
        latest = max(boundaries.values())
        bounds = Q(**{f"{due}__gt": now, f"{due}__lt": latest})
        exceptions = [
            Q(**{borough: borough_id, f"{due}__gte": boundary})
            for borough_id, boundary in boundaries.items()
            if boundary < latest
        ]
    else:
        earliest = min(boundaries.values())
        bounds = Q(**{f"{due}__gte": earliest})
        exceptions = [
            Q(**{borough: borough_id, f"{due}__lt": boundary})
            for borough_id, boundary in boundaries.items()
            if boundary > earliest
        ]
    for exception in exceptions:
        bounds &= ~exception
    return scope & bounds


@dataclass(frozen=True)
class Deadline:
    """What the queue shows about one record's deadline."""

    due_at: dt.datetime
    left: dt.timedelta
    state: DeadlineState
    now: dt.datetime | None = None

    @property
    def overdue(self) -> bool:
        return self.state is OVERDUE

    @property
    def calendar_display(self) -> str:
        """The due time and how far it is in calendar time: 'due Mon 23 Nov 17:00, 8 days
        ago' (or 'in 3 hours')."""
        due = to_london(self.due_at)
        when = f"due {due:%a} {due.day} {due:%b %H:%M}"
        if self.now is None:
            return when
        gap = elapsed(self.now, self.due_at)
        span = format_calendar_time(abs(gap))
        return f"{when}, {span} ago" if gap <= dt.timedelta(0) else f"{when}, in {span}"

    @property
    def left_display(self) -> str:
        if self.left <= dt.timedelta(0) or self.overdue:
            return f"Overdue by {format_working_time(-self.left)}"
        return format_working_time(self.left)


def deadline_for(
    record,
    now: dt.datetime,
    calendar: WorkingCalendar,
    *,
    timeline: Timeline | None = None,
    rules: Rules = DEFAULT,
) -> Deadline:
    """The deadline of one record at `now` (its effective due time). Give a `timeline`
    (covering now and the record's due time) to answer many records quickly."""
    due_at = record.effective_due_at
    if timeline is not None and timeline.covers(now) and timeline.covers(due_at):
        left = timeline.between(now, due_at)
        boundary = timeline.boundary
    else:
        left = calendar.working_time_between(now, due_at)
        boundary = due_soon_boundary(calendar, now, rules=rules)
    if due_at <= now:
        state = OVERDUE
    elif due_at < boundary:
        state = DUE_SOON
    else:
        state = ON_TRACK
    return Deadline(due_at=due_at, left=left, state=state, now=now)


class Timeline:
    """Working time on one calendar over a span [start, end], with prefix sums, so the
    working time between any two moments in the span is two binary searches (a queue page
    asks it for 50 records, each up to weeks overdue). Agrees exactly with
    `WorkingCalendar.working_time_between` inside the span."""

    def __init__(
        self,
        calendar: WorkingCalendar,
        start: dt.datetime,
        end: dt.datetime,
        now,
        *,
        rules: Rules = DEFAULT,
    ):
        self.start, self.end = to_london(start), to_london(end)
        self.periods = list(calendar.periods_between(self.start, self.end))
        self.starts = [p.start for p in self.periods]
        self.cumulative = [dt.timedelta(0)]
        for period in self.periods:
            self.cumulative.append(self.cumulative[-1] + period.duration)
        self.boundary = due_soon_boundary(calendar, now, rules=rules)

    def covers(self, moment: dt.datetime) -> bool:
        return self.start <= moment <= self.end

    def _since_start(self, moment: dt.datetime) -> dt.timedelta:
        index = bisect.bisect_right(self.starts, moment) - 1
        if index < 0:
            return dt.timedelta(0)
        period = self.periods[index]
        inside = min(max(elapsed(period.start, moment), dt.timedelta(0)), period.duration)
        return self.cumulative[index] + inside

    def between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        return self._since_start(b) - self._since_start(a)


def format_working_time(delta: dt.timedelta) -> str:
    """'3 hours 5 minutes', '45 minutes', '1 hour', 'less than a minute' (working time)."""
    total_minutes = int(abs(delta).total_seconds() // 60)
    hours, minutes = divmod(total_minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts) or "less than a minute"


def format_calendar_time(delta: dt.timedelta) -> str:
    """'8 days', '1 day', '3 hours', '25 minutes', 'less than a minute' (clock time, the
    largest whole unit)."""
    seconds = int(delta.total_seconds())
    for size, name in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {name}{'s' if count != 1 else ''}"
    return "less than a minute"


def calendars_for(boroughs: Iterable) -> dict[int, WorkingCalendar]:
    """Working calendars by borough id, for borough rows read in this request (memoised per
    process by data_version: no queries once built)."""
    return {borough.pk: working_calendar(borough) for borough in boroughs}
