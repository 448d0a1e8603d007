"""The working calendar: a borough's office hours minus bank holidays and closure days.

Time here is always Europe/London and always aware. Working time runs like a service-desk
SLA clock: only inside working periods. The two primitives are `add_working_time` and
`working_time_between`; everything about deadlines is built on them.

Arithmetic and comparisons between aware datetimes are done in UTC: Python subtracts and
compares two datetimes that share a tzinfo as wall-clock times, which is wrong across a clock
change (in October 01:20 GMT is later than 01:45 BST, but compares as earlier).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

from contacts.memos import Memo

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
ZERO = dt.timedelta(0)
# How far ahead a search for the next working period may look before giving up (a calendar
# with no office hours at all, or one closed for longer than this, is a configuration error).
SEARCH_LIMIT_DAYS = 3 * 366


_bank_holidays = Memo("bank holidays")  # year -> frozenset of dates


def bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays for one year, substitute days included."""
    days = _bank_holidays.get(year)
    if days is None:
        days = frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())
        _bank_holidays.set(year, days)
    return days


def is_bank_holiday(day: dt.date) -> bool:
    return day in bank_holidays(day.year)


def bank_holiday_name(day: dt.date) -> str | None:
    return holidays.country_holidays("GB", subdiv="ENG", years=day.year).get(day)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 January + 1 = 28 or 29
    February)."""
    return day + relativedelta(months=months)


def to_london(moment: dt.datetime) -> dt.datetime:
    """An aware datetime in Europe/London; a naive one is read as London wall-clock time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=LONDON)
    return moment.astimezone(LONDON)


def local_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    """The aware London moment for a wall-clock date and time.

    A wall-clock time that does not exist (in the hour skipped in March) is moved forward
    by the gap, as a clock on the wall would be; an ambiguous one (the repeated hour in
    October) is read as its first occurrence.
    """
    naive = dt.datetime.combine(day, time)
    aware = naive.replace(tzinfo=LONDON)
    # Round-trip through UTC to normalise non-existent times.
    return aware.astimezone(UTC).astimezone(LONDON)


def elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Real time between two aware datetimes (not wall-clock)."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def utc(moment: dt.datetime) -> dt.datetime:
    """The same instant in UTC: compare these, never two London datetimes directly."""
    return moment.astimezone(UTC)


def earliest(*moments: dt.datetime) -> dt.datetime:
    return min(moments, key=utc)


def latest(*moments: dt.datetime) -> dt.datetime:
    return max(moments, key=utc)


def shift(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """`moment + delta` in real time, returned in London time."""
    return (moment.astimezone(UTC) + delta).astimezone(LONDON)


@dataclass(frozen=True)
class Period:
    """A half-open span of time [start, end)."""

    start: dt.datetime
    end: dt.datetime

    def __contains__(self, moment: dt.datetime) -> bool:
        return utc(self.start) <= utc(moment) < utc(self.end)

    @property
    def duration(self) -> dt.timedelta:
        return elapsed(self.start, self.end)


@dataclass(frozen=True)
class WorkingCalendar:
    """Office hours per weekday (0 = Monday) and the days the office is closed.

    `hours` maps a weekday to (opens, closes) wall-clock times on that day; a weekday not in
    it is not a working day. Bank holidays (England and Wales) are always closed; `closures`
    are the borough's own extra closure days.
    """

    hours: Mapping[int, tuple[dt.time, dt.time]]
    closures: frozenset[dt.date] = field(default_factory=frozenset)
    observe_bank_holidays: bool = True

    def __post_init__(self) -> None:
        for weekday, (opens, closes) in self.hours.items():
            if not 0 <= weekday <= 6:
                raise ValueError(f"weekday must be 0-6, not {weekday}")
            if opens >= closes:
                raise ValueError("office hours must open before they close on the same day")

    # --- days --------------------------------------------------------------------------------
    def is_closed_day(self, day: dt.date) -> bool:
        return day in self.closures or (self.observe_bank_holidays and is_bank_holiday(day))

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.hours and not self.is_closed_day(day)

    def period_on(self, day: dt.date) -> Period | None:
        """The working period on one date, or None when it is not a working day."""
        if not self.is_working_day(day):
            return None
        opens, closes = self.hours[day.weekday()]
        return Period(local_datetime(day, opens), local_datetime(day, closes))

    @property
    def working_day(self) -> dt.timedelta:
        """The length of one full working day (the longest day in the week's hours)."""
        if not self.hours:
            raise ValueError("this calendar has no office hours")
        return max(
            dt.datetime.combine(dt.date.min, closes) - dt.datetime.combine(dt.date.min, opens)
            for opens, closes in self.hours.values()
        )

    # --- periods -----------------------------------------------------------------------------
    def periods_from(self, moment: dt.datetime) -> Iterator[Period]:
        """Working periods that end after `moment`, in order, the first clipped to start at it."""
        moment = to_london(moment)
        day = moment.date()
        for offset in range(SEARCH_LIMIT_DAYS):
            period = self.period_on(day + dt.timedelta(days=offset))
            if period is None or utc(period.end) <= utc(moment):
                continue
            yield Period(latest(period.start, moment), period.end)
        raise ValueError(f"no working time within {SEARCH_LIMIT_DAYS} days of {moment}")

    def periods_between(self, start: dt.datetime, end: dt.datetime) -> Iterator[Period]:
        """Working periods overlapping [start, end), clipped to it."""
        start, end = to_london(start), to_london(end)
        day = start.date()
        while day <= end.date():
            period = self.period_on(day)
            if period is not None:
                clipped = Period(latest(period.start, start), earliest(period.end, end))
                if utc(clipped.start) < utc(clipped.end):
                    yield clipped
            day += dt.timedelta(days=1)

    def is_working_time(self, moment: dt.datetime) -> bool:
        moment = to_london(moment)
        period = self.period_on(moment.date())
        return period is not None and moment in period

    def next_change(self, moment: dt.datetime) -> dt.datetime:
        """The next moment after `moment` at which working time starts or stops."""
        moment = to_london(moment)
        day = moment.date()
        for offset in range(SEARCH_LIMIT_DAYS):
            period = self.period_on(day + dt.timedelta(days=offset))
            if period is None:
                continue
            if utc(moment) < utc(period.start):
                return period.start
            if utc(moment) < utc(period.end):
                return period.end
        raise ValueError(f"no working time within {SEARCH_LIMIT_DAYS} days of {moment}")

    # --- the two primitives ------------------------------------------------------------------
    def add_working_time(self, start: dt.datetime, delta: dt.timedelta) -> dt.datetime:
        """The moment at which `delta` of working time has run, counting from `start`.

        The clock runs only in working time: from a start outside it, counting begins when the
        office next opens. A span that ends exactly at closing time ends there (not at the next
        opening).
        """
        start = to_london(start)
        if delta < ZERO:
            raise ValueError("add_working_time counts forwards only; delta must be >= 0")
        if delta == ZERO:
            return start
        remaining = delta
        for period in self.periods_from(start):
            available = period.duration
            if remaining <= available:
                return shift(period.start, remaining)
            remaining -= available
        raise AssertionError("unreachable: periods_from raises when it runs out")

    def working_time_between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Working time from a to b; negative when b is before a."""
        a, b = to_london(a), to_london(b)
        if utc(b) < utc(a):
            return -self.working_time_between(b, a)
        return sum((period.duration for period in self.periods_between(a, b)), ZERO)


def add_working_time(
    calendar: WorkingCalendar, start: dt.datetime, delta: dt.timedelta
) -> dt.datetime:
    return calendar.add_working_time(start, delta)


def working_time_between(calendar: WorkingCalendar, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    return calendar.working_time_between(a, b)


def calendar_for(borough) -> WorkingCalendar:
    """The working calendar of a borough, from its office hours and closure days."""
    return WorkingCalendar(
        hours={oh.weekday: (oh.opens, oh.closes) for oh in borough.office_hours.all()},
        closures=frozenset(borough.closure_days.values_list("date", flat=True)),
    )
