"""Which contact lines are staffed at a moment, and when that changes: pure rules over data.

`contacts.selectors.staffing_for` feeds these from the database; nothing here touches it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from contacts.calendar import (
    Period,
    WorkingCalendar,
    earliest,
    latest,
    local_datetime,
    to_london,
    utc,
)

OFFICE_HOURS = "office_hours"
OUTSIDE_OFFICE_HOURS = "outside_office_hours"
WINDOWS = "windows"
CLOSED = "closed"
ALL_DAY = "all_day"
AS_USUAL = "as_usual"

ONE_DAY = dt.timedelta(days=1)
# Look this many days ahead for the next change, then further when nothing changes in it.
HORIZONS = (8, 40, 400)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Window:
    weekday: int
    starts: dt.time
    ends: dt.time  # at or before `starts`: the next day; 00:00-00:00 is the whole day


@dataclass(frozen=True)
class Number:
    e164: str
    display: str


@dataclass(frozen=True)
class LineSpec:
    id: int
    purpose: str
    label: str
    description: str
    numbers: tuple[Number, ...]
    schedule: str
    on_closed_days: str = CLOSED
    windows: tuple[Window, ...] = ()
    hours_summary: str = ""


@dataclass(frozen=True)
class LineStatus:
    line: LineSpec
    staffed: bool
    changes_at: dt.datetime | None  # when it opens (if closed) or closes (if staffed)


@dataclass(frozen=True)
class Staffing:
    at: dt.datetime
    in_hours: bool
    lines: tuple[LineStatus, ...]
    next_change: dt.datetime | None
    # The lines staffed from next_change on: what to call after the switch.
    lines_after_change: tuple[LineSpec, ...] = ()

    @property
    def open_lines(self) -> tuple[LineStatus, ...]:
        return tuple(status for status in self.lines if status.staffed)

    @property
    def closed_lines(self) -> tuple[LineStatus, ...]:
        return tuple(status for status in self.lines if not status.staffed)

    def at_moment(self, moment: dt.datetime) -> Staffing:
        """The same answer for another moment before `next_change` (nothing changes till then)."""
        return Staffing(
            moment, self.in_hours, self.lines, self.next_change, self.lines_after_change
        )

    @property
    def next_opening(self) -> dt.datetime | None:
        """When the first line that is closed now opens."""
        openings = [s.changes_at for s in self.closed_lines if s.changes_at is not None]
        return earliest(*openings) if openings else None

    @property
    def lines_opening_at_change(self) -> tuple[LineSpec, ...]:
        """Lines staffed after the switch that are not staffed now."""
        open_now = {status.line.id for status in self.open_lines}
        return tuple(line for line in self.lines_after_change if line.id not in open_now)


# --- interval helpers -----------------------------------------------------------------------
def merge(periods: Iterable[Period]) -> list[Period]:
    """Sorted, with overlapping or touching periods joined (compared as real instants)."""
    merged: list[Period] = []
    for period in sorted(periods, key=lambda p: utc(p.start)):
        if utc(period.start) >= utc(period.end):
            continue
        if merged and utc(period.start) <= utc(merged[-1].end):
            last = merged[-1]
            merged[-1] = Period(last.start, latest(last.end, period.end))
        else:
            merged.append(period)
    return merged


def subtract(periods: Sequence[Period], holes: Sequence[Period]) -> list[Period]:
    result = list(periods)
    for hole in holes:
        cut: list[Period] = []
        for period in result:
            if utc(hole.end) <= utc(period.start) or utc(hole.start) >= utc(period.end):
                cut.append(period)
                continue
            if utc(period.start) < utc(hole.start):
                cut.append(Period(period.start, hole.start))
            if utc(hole.end) < utc(period.end):
                cut.append(Period(hole.end, period.end))
        result = cut
    return result


def day_span(day: dt.date) -> Period:
    return Period(local_datetime(day, dt.time(0)), local_datetime(day + ONE_DAY, dt.time(0)))


def window_period(window: Window, day: dt.date) -> Period:
    start = local_datetime(day, window.starts)
    end_day = day + ONE_DAY if window.ends <= window.starts else day
    return Period(start, local_datetime(end_day, window.ends))


def days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    """Dates from first up to, not including, last."""
    day = first
    while day < last:
        yield day
        day += ONE_DAY


def line_periods(
    line: LineSpec, calendar: WorkingCalendar, first: dt.date, last: dt.date
) -> list[Period]:
    """When a line is staffed between first 00:00 and last 00:00 (London), merged."""
    span = Period(local_datetime(first, dt.time(0)), local_datetime(last, dt.time(0)))
    office = [p for day in days(first, last) if (p := calendar.period_on(day)) is not None]

    if line.schedule == OFFICE_HOURS:
        periods = office
    elif line.schedule == OUTSIDE_OFFICE_HOURS:
        periods = subtract([span], office)
    elif line.schedule == WINDOWS:
        periods = [
            window_period(window, day)
            for day in days(first - ONE_DAY, last)
            for window in line.windows
            if window.weekday == day.weekday()
        ]
        closed = [day_span(day) for day in days(first, last) if calendar.is_closed_day(day)]
        if line.on_closed_days == CLOSED:
            periods = subtract(periods, closed)
        elif line.on_closed_days == ALL_DAY:
            periods = periods + closed
    else:
        raise ValueError(f"unknown schedule {line.schedule!r}")

    clipped = [Period(latest(p.start, span.start), earliest(p.end, span.end)) for p in periods]
    return merge(clipped)


def _status(
    periods: list[Period], at: dt.datetime, horizon_end: dt.datetime
) -> tuple[bool, dt.datetime] | None:
    """(staffed, changes_at) for one line, or None when the change lies past the horizon."""
    for period in periods:
        if at in period:
            return (True, period.end) if utc(period.end) < utc(horizon_end) else None
        if utc(period.start) > utc(at):
            return (False, period.start)
    return None


def compute_staffing(
    calendar: WorkingCalendar, lines: Sequence[LineSpec], at: dt.datetime
) -> Staffing:
    """The lines staffed at `at`, whether it is in office hours, and when that next changes."""
    at = to_london(at)
    statuses: dict[int, tuple[bool, dt.datetime | None]] = {}
    for horizon in HORIZONS:
        first, last = at.date() - ONE_DAY, at.date() + dt.timedelta(days=horizon)
        horizon_end = local_datetime(last, dt.time(0))
        for line in lines:
            if line.id in statuses:
                continue
            found = _status(line_periods(line, calendar, first, last), at, horizon_end)
            if found is not None:
                statuses[line.id] = found
        if len(statuses) == len(lines):
            break
    for line in lines:
        # Staffed (or closed) for longer than the longest horizon: say so, with no change time.
        if line.id not in statuses:
            periods = line_periods(line, calendar, at.date() - ONE_DAY, at.date() + ONE_DAY)
            statuses[line.id] = (any(at in p for p in periods), None)

    line_statuses = tuple(
        LineStatus(line, statuses[line.id][0], statuses[line.id][1]) for line in lines
    )
    in_hours = calendar.is_working_time(at)
    changes = [s.changes_at for s in line_statuses if s.changes_at is not None]
    with contextlib.suppress(ValueError):
        changes.append(calendar.next_change(at))
    next_change = earliest(*changes) if changes else None
    after: tuple[LineSpec, ...] = ()
    if next_change is not None:
        after = tuple(
            line
            for line in lines
            if any(
                next_change in period
                for period in line_periods(
                    line, calendar, next_change.date() - ONE_DAY, next_change.date() + ONE_DAY
                )
            )
        )
    return Staffing(at, in_hours, line_statuses, next_change, after)


# --- words for people -----------------------------------------------------------------------
def format_time(value: dt.time) -> str:
    """GOV.UK style: 8:30am, 5pm, midday, midnight."""
    if value == dt.time(0):
        return "midnight"
    if value == dt.time(12):
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}:{value.minute:02d}{suffix}" if value.minute else f"{hour}{suffix}"


def format_weekdays(weekdays: Sequence[int]) -> str:
    weekdays = sorted(weekdays)
    if len(weekdays) > 2 and weekdays == list(range(weekdays[0], weekdays[-1] + 1)):
        return f"{WEEKDAY_NAMES[weekdays[0]]} to {WEEKDAY_NAMES[weekdays[-1]]}"
    names = [WEEKDAY_NAMES[d] for d in weekdays]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _group(items: Iterable[tuple[int, tuple[dt.time, dt.time]]]) -> list[str]:
    by_times: dict[tuple[dt.time, dt.time], list[int]] = {}
    for weekday, times in items:
        by_times.setdefault(times, []).append(weekday)
    parts = []
    for (starts, ends), weekdays in sorted(by_times.items(), key=lambda kv: min(kv[1])):
        when = (
            "all day"
            if starts == ends == dt.time(0)
            else f"{format_time(starts)} to {format_time(ends)}"
        )
        parts.append(f"{format_weekdays(weekdays)}, {when}")
    return parts


def describe_hours(line: LineSpec, calendar: WorkingCalendar) -> str:
    """When a line is staffed, in plain English: the admin's words, else written from data."""
    if line.hours_summary:
        return line.hours_summary
    if line.schedule == OFFICE_HOURS:
        parts = _group(calendar.hours.items())
        return "; ".join(parts) + " (not bank holidays)"
    if line.schedule == OUTSIDE_OFFICE_HOURS:
        return "Evenings, nights, weekends and bank holidays: whenever the office is closed"
    parts = _group((w.weekday, (w.starts, w.ends)) for w in line.windows)
    text = "; ".join(parts)
    if line.on_closed_days == ALL_DAY:
        text += "; bank holidays, all day"
    elif line.on_closed_days == CLOSED:
        text += " (not bank holidays)"
    return text
