"""The working calendar: office hours minus bank holidays and closure days, counted like an SLA
clock. Examples first, then properties (hypothesis) checked against an independent oracle that
does all its arithmetic in UTC."""

import datetime as dt
import functools

import holidays
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from contacts.calendar import LONDON, UTC, WorkingCalendar, calendar_for, elapsed, to_london

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
WEEKDAYS = range(5)
BROMLEY = WorkingCalendar(hours={d: (dt.time(8, 30), dt.time(17, 0)) for d in WEEKDAYS})
BEXLEY = WorkingCalendar(hours={d: (dt.time(9, 0), dt.time(17, 0)) for d in WEEKDAYS})
DAY = 8 * H + 30 * M  # one Bromley working day


def ldn(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


# --- examples ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "delta", "expected"),
    [
        # Monday 10:00 + one working day = Tuesday 10:00
        (ldn(2026, 11, 23, 10), DAY, ldn(2026, 11, 24, 10)),
        # from a Saturday the clock starts on Monday at 08:30 and runs all day
        (ldn(2026, 11, 28, 11), DAY, ldn(2026, 11, 30, 17)),
        (ldn(2026, 11, 29, 23, 59), DAY, ldn(2026, 11, 30, 17)),
        # Friday 16:00: one hour on Friday, 7h30 on Monday from 08:30
        (ldn(2026, 11, 27, 16), DAY, ldn(2026, 11, 30, 16)),
        (ldn(2026, 11, 27, 16), 8 * H, ldn(2026, 11, 30, 15, 30)),
        # a span that ends exactly at closing time ends there, not at the next opening
        (ldn(2026, 11, 23, 8, 30), DAY, ldn(2026, 11, 23, 17)),
        (ldn(2026, 11, 23, 16), H, ldn(2026, 11, 23, 17)),
        (ldn(2026, 11, 23, 16), H + dt.timedelta(seconds=1), ldn(2026, 11, 24, 8, 30, 1)),
        # before opening: the clock starts at opening
        (ldn(2026, 11, 23, 6), 2 * H, ldn(2026, 11, 23, 10, 30)),
        # after closing: the clock starts the next morning
        (ldn(2026, 11, 23, 17), H, ldn(2026, 11, 24, 9, 30)),
        (ldn(2026, 11, 23, 20), dt.timedelta(0), ldn(2026, 11, 23, 20)),
        # a week of working days
        (ldn(2026, 11, 23, 10), 5 * DAY, ldn(2026, 11, 30, 10)),
        # Christmas 2026: Fri 25 (Christmas), Sat 26 (Boxing Day), Mon 28 (substitute day)
        (ldn(2026, 12, 24, 16), DAY, ldn(2026, 12, 29, 16)),
        (ldn(2026, 12, 24, 17), H, ldn(2026, 12, 29, 9, 30)),
        # New Year's Day 2027 is a Friday
        (ldn(2026, 12, 31, 16), DAY, ldn(2027, 1, 4, 16)),
        # Easter 2027: Good Friday 26 March, Easter Monday 29 March (clocks change on the 28th)
        (ldn(2027, 3, 25, 16), DAY, ldn(2027, 3, 30, 16)),
        # Easter 2026 and the May bank holidays
        (ldn(2026, 4, 2, 16), DAY, ldn(2026, 4, 7, 16)),
        (ldn(2026, 5, 1, 16), DAY, ldn(2026, 5, 5, 16)),
        (ldn(2026, 5, 22, 16), DAY, ldn(2026, 5, 26, 16)),
        (ldn(2026, 8, 28, 16), DAY, ldn(2026, 9, 1, 16)),
        # clock changes: Friday 16:00 GMT + one working day = Monday 15:30 BST, and back
        (ldn(2026, 3, 27, 16), DAY, ldn(2026, 3, 30, 16)),
        (ldn(2026, 10, 23, 16), DAY, ldn(2026, 10, 26, 16)),
        (ldn(2026, 3, 27, 16, 30), 8 * H, ldn(2026, 3, 30, 16)),
        (ldn(2026, 10, 23, 16, 30), 8 * H, ldn(2026, 10, 26, 16)),
        (ldn(2027, 3, 26, 12), DAY, ldn(2027, 3, 30, 17)),
    ],
)
def test_add_working_time_examples(start, delta, expected):
    result = BROMLEY.add_working_time(start, delta)
    assert result == expected
    assert result.utcoffset() == expected.utcoffset()  # the same wall clock, not just instant
    assert result.tzinfo is LONDON


def test_add_working_time_bexley_hours():
    assert BEXLEY.add_working_time(ldn(2026, 11, 27, 16), 8 * H) == ldn(2026, 11, 30, 16)
    assert BEXLEY.add_working_time(ldn(2026, 11, 30, 8, 30), H) == ldn(2026, 11, 30, 10)


def test_closure_days_are_skipped():
    closed = WorkingCalendar(
        hours=BROMLEY.hours, closures=frozenset({dt.date(2026, 12, 29), dt.date(2026, 12, 30)})
    )
    assert closed.add_working_time(ldn(2026, 12, 24, 16), DAY) == ldn(2026, 12, 31, 16)
    assert closed.working_time_between(ldn(2026, 12, 24, 0), ldn(2027, 1, 1, 0)) == DAY * 2
    assert not closed.is_working_time(ldn(2026, 12, 29, 12))
    assert BROMLEY.is_working_time(ldn(2026, 12, 29, 12))


def test_bank_holidays_can_be_ignored():
    every_day = WorkingCalendar(hours=BROMLEY.hours, observe_bank_holidays=False)
    assert every_day.add_working_time(ldn(2026, 12, 24, 16), DAY) == ldn(2026, 12, 25, 16)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (ldn(2026, 11, 23, 10), ldn(2026, 11, 24, 10), DAY),
        (ldn(2026, 11, 23, 0), ldn(2026, 11, 30, 0), 5 * DAY),
        (ldn(2026, 11, 28, 0), ldn(2026, 11, 30, 0), dt.timedelta(0)),  # a weekend
        (ldn(2026, 11, 23, 17), ldn(2026, 11, 24, 8, 30), dt.timedelta(0)),  # a night
        (ldn(2026, 11, 23, 12), ldn(2026, 11, 23, 12), dt.timedelta(0)),
        (ldn(2026, 11, 24, 10), ldn(2026, 11, 23, 10), -DAY),  # backwards is negative
        (ldn(2026, 12, 21, 0), ldn(2027, 1, 4, 0), 7 * DAY),  # Christmas fortnight
        # across the March clock change: Friday 09:00 GMT to Monday 09:00 BST
        (ldn(2026, 3, 27, 9), ldn(2026, 3, 30, 9), 8 * H + 30 * M),
        (ldn(2026, 3, 23, 0), ldn(2026, 4, 6, 0), 9 * DAY),  # Good Friday 3 April
        # across the October clock change
        (ldn(2026, 10, 23, 9), ldn(2026, 10, 26, 9), 8 * H + 30 * M),
        (ldn(2026, 10, 19, 0), ldn(2026, 11, 2, 0), 10 * DAY),
        # Easter 2027 with its clock change in the middle
        (ldn(2027, 3, 22, 0), ldn(2027, 4, 5, 0), 8 * DAY),
    ],
)
def test_working_time_between_examples(a, b, expected):
    assert BROMLEY.working_time_between(a, b) == expected


def test_elapsed_real_time_across_clock_changes_is_utc_correct():
    # Friday 16:00 GMT -> Monday 16:00 BST is 2 days 23h of real time (an hour was skipped)
    start = ldn(2026, 3, 27, 16)
    end = BROMLEY.add_working_time(start, DAY)
    assert elapsed(start, end) == dt.timedelta(days=2, hours=23)
    assert end.astimezone(UTC) == dt.datetime(2026, 3, 30, 15, tzinfo=UTC)
    # Friday 16:00 BST -> Monday 16:00 GMT is 3 days 1h (an hour was repeated)
    start = ldn(2026, 10, 23, 16)
    end = BROMLEY.add_working_time(start, DAY)
    assert elapsed(start, end) == dt.timedelta(days=3, hours=1)
    assert end.astimezone(UTC) == dt.datetime(2026, 10, 26, 16, tzinfo=UTC)
    # 2027: Thursday 16:00 GMT before Good Friday -> Tuesday 16:00 BST after Easter Monday
    start = ldn(2027, 3, 25, 16)
    end = BROMLEY.add_working_time(start, DAY)
    assert elapsed(start, end) == dt.timedelta(days=4, hours=23)
    assert end.astimezone(UTC) == dt.datetime(2027, 3, 30, 15, tzinfo=UTC)


def test_naive_datetime_is_read_as_london():
    # in summer London is UTC+1: a naive 10:00 is 09:00 UTC, and counting starts at 10:00 BST
    naive = dt.datetime(2026, 7, 6, 10)
    assert to_london(naive) == ldn(2026, 7, 6, 10)
    assert to_london(naive).utcoffset() == H
    assert BROMLEY.add_working_time(naive, H) == ldn(2026, 7, 6, 11)
    assert BROMLEY.working_time_between(naive, dt.datetime(2026, 7, 6, 12)) == 2 * H
    assert BROMLEY.is_working_time(dt.datetime(2026, 7, 6, 8, 30))
    assert not BROMLEY.is_working_time(dt.datetime(2026, 7, 6, 8, 29))
    # an aware time in another zone is converted, not re-labelled: 07:45 UTC is 08:45 BST
    assert BROMLEY.is_working_time(dt.datetime(2026, 7, 6, 7, 45, tzinfo=UTC))
    assert BROMLEY.add_working_time(dt.datetime(2026, 7, 6, 15, 0, tzinfo=UTC), H) == ldn(
        2026, 7, 6, 17
    )


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (ldn(2026, 11, 23, 8, 29, 59), False),
        (ldn(2026, 11, 23, 8, 30), True),
        (ldn(2026, 11, 23, 16, 59, 59), True),
        (ldn(2026, 11, 23, 17), False),
        (ldn(2026, 11, 28, 12), False),  # Saturday
        (ldn(2026, 11, 29, 12), False),  # Sunday
        (ldn(2026, 12, 25, 12), False),  # Christmas Day
        (ldn(2026, 12, 28, 12), False),  # substitute day for Boxing Day
        (ldn(2026, 12, 29, 12), True),
        (ldn(2027, 3, 29, 12), False),  # Easter Monday 2027
    ],
)
def test_is_working_time(moment, working):
    assert BROMLEY.is_working_time(moment) is working


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (ldn(2026, 11, 23, 8), ldn(2026, 11, 23, 8, 30)),
        (ldn(2026, 11, 23, 8, 30), ldn(2026, 11, 23, 17)),
        (ldn(2026, 11, 23, 17), ldn(2026, 11, 24, 8, 30)),
        (ldn(2026, 11, 27, 17), ldn(2026, 11, 30, 8, 30)),
        (ldn(2026, 12, 24, 17), ldn(2026, 12, 29, 8, 30)),
        (ldn(2026, 10, 24, 22), ldn(2026, 10, 26, 8, 30)),
    ],
)
def test_next_change(moment, expected):
    assert BROMLEY.next_change(moment) == expected


def test_next_change_across_clock_change_is_utc_correct():
    assert BROMLEY.next_change(ldn(2026, 3, 28, 22)).astimezone(UTC) == dt.datetime(
        2026, 3, 30, 7, 30, tzinfo=UTC
    )
    assert BROMLEY.next_change(ldn(2026, 10, 24, 22)).astimezone(UTC) == dt.datetime(
        2026, 10, 26, 8, 30, tzinfo=UTC
    )


def test_working_day_length():
    assert BROMLEY.working_day == DAY
    assert BEXLEY.working_day == 8 * H


def test_add_negative_delta_is_refused():
    with pytest.raises(ValueError, match="forwards only"):
        BROMLEY.add_working_time(ldn(2026, 11, 23, 10), -M)


def test_bad_hours_are_refused():
    with pytest.raises(ValueError):
        WorkingCalendar(hours={0: (dt.time(17), dt.time(9))})
    with pytest.raises(ValueError):
        WorkingCalendar(hours={0: (dt.time(9), dt.time(9))})
    with pytest.raises(ValueError):
        WorkingCalendar(hours={7: (dt.time(9), dt.time(17))})


def test_a_calendar_without_hours_gives_up_instead_of_looping():
    empty = WorkingCalendar(hours={})
    with pytest.raises(ValueError):
        empty.add_working_time(ldn(2026, 11, 23, 10), H)
    with pytest.raises(ValueError):
        _ = empty.working_day
    assert empty.working_time_between(ldn(2026, 1, 1), ldn(2026, 12, 31)) == dt.timedelta(0)


@pytest.mark.django_db
def test_calendar_for_a_seeded_borough(bromley, bexley):
    from contacts.models import ClosureDay

    ClosureDay.objects.create(borough=bromley, date=dt.date(2026, 12, 24), reason="Christmas")
    calendar = calendar_for(bromley)
    assert dict(calendar.hours) == dict(BROMLEY.hours)
    assert calendar.closures == frozenset({dt.date(2026, 12, 24)})
    assert calendar.add_working_time(ldn(2026, 12, 23, 16), DAY) == ldn(2026, 12, 29, 16)
    bexley_calendar = calendar_for(bexley)
    assert dict(bexley_calendar.hours) == dict(BEXLEY.hours)
    assert bexley_calendar.closures == frozenset()


# The repeated hour in October: 01:20 GMT comes after 01:45 BST, though its wall clock is earlier.
# A calendar (or a window) that ends inside that hour must compare real instants, not wall clocks.
SMALL_HOURS = WorkingCalendar(hours={6: (dt.time(0), dt.time(1, 30))})
FIRST_0120 = dt.datetime(2026, 10, 25, 0, 20, tzinfo=UTC).astimezone(LONDON)  # 01:20 BST
SECOND_0120 = dt.datetime(2026, 10, 25, 1, 20, tzinfo=UTC).astimezone(LONDON)  # 01:20 GMT


def test_the_repeated_october_hour_is_compared_as_real_time():
    assert (FIRST_0120.fold, SECOND_0120.fold) == (0, 1)
    # open 00:00-01:30 BST, i.e. 23:00-00:30 UTC
    assert SMALL_HOURS.is_working_time(FIRST_0120)
    assert not SMALL_HOURS.is_working_time(SECOND_0120)
    assert SMALL_HOURS.working_time_between(SECOND_0120, SECOND_0120 + 2 * H) == dt.timedelta(0)
    assert SMALL_HOURS.working_time_between(FIRST_0120, SECOND_0120) == 10 * M
    assert SMALL_HOURS.working_time_between(SECOND_0120, FIRST_0120) == -10 * M
    assert SMALL_HOURS.next_change(FIRST_0120).astimezone(UTC) == dt.datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    assert SMALL_HOURS.add_working_time(SECOND_0120, 10 * M) == ldn(2026, 11, 1, 0, 10)
    assert SMALL_HOURS.add_working_time(FIRST_0120, 10 * M).astimezone(UTC) == dt.datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


# --- properties -------------------------------------------------------------------------------
START, END = dt.datetime(2025, 12, 1), dt.datetime(2028, 1, 31)
CLOCK_CHANGES = [
    dt.datetime(2026, 3, 29, 1, tzinfo=UTC),
    dt.datetime(2026, 10, 25, 1, tzinfo=UTC),
    dt.datetime(2027, 3, 28, 1, tzinfo=UTC),
    dt.datetime(2027, 10, 31, 1, tzinfo=UTC),
]

# Real instants (generated in UTC, shown in London: the repeated hour in October gets fold=1)
anywhere = st.datetimes(min_value=START, max_value=END).map(
    lambda d: d.replace(tzinfo=UTC).astimezone(LONDON)
)
near_clock_change = st.builds(
    lambda change, minutes: (change + dt.timedelta(minutes=minutes)).astimezone(LONDON),
    st.sampled_from(CLOCK_CHANGES),
    st.integers(min_value=-4 * 24 * 60, max_value=4 * 24 * 60),
)
near_holiday = st.builds(
    lambda day, minutes: ldn(day.year, day.month, day.day) + dt.timedelta(minutes=minutes),
    st.sampled_from(
        [dt.date(2026, 12, 25), dt.date(2026, 12, 28), dt.date(2027, 3, 26), dt.date(2026, 4, 6)]
    ),
    st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60),
).map(lambda d: d.astimezone(UTC).astimezone(LONDON))
moments = st.one_of(anywhere, near_clock_change, near_holiday)
deltas = st.one_of(
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=12)),
    st.integers(min_value=0, max_value=6 * 17 * 4).map(lambda q: q * 15 * M),
)
# up to six weeks either way, in minutes (or any instant, for the odd long span)
offsets = st.one_of(
    st.integers(min_value=-42 * 24 * 60, max_value=42 * 24 * 60),
    st.integers(min_value=-2 * 24 * 60, max_value=2 * 24 * 60),
)
quarter_hours = st.integers(min_value=0, max_value=95).map(lambda q: dt.time(q // 4, (q % 4) * 15))


@st.composite
def calendars(draw):
    """Bromley, Bexley, or any weekly hours (including small hours on a Sunday) and closures."""
    kind = draw(st.sampled_from(["bromley", "bexley", "small_hours", "random"]))
    if kind == "bromley":
        hours = dict(BROMLEY.hours)
    elif kind == "bexley":
        hours = dict(BEXLEY.hours)
    elif kind == "small_hours":  # opens or closes inside the hour the clocks change
        hours = dict(BROMLEY.hours)
        hours[6] = draw(
            st.sampled_from(
                [
                    (dt.time(0), dt.time(1, 30)),
                    (dt.time(1, 15), dt.time(1, 45)),
                    (dt.time(1, 30), dt.time(3)),
                ]
            )
        )
    else:
        # at least 3 days of at least 2 hours a week, so 12 days of work fit in a few months
        hours = {}
        for weekday in draw(st.sets(st.integers(0, 6), min_size=3)):
            opens = draw(quarter_hours.filter(lambda t: t <= dt.time(21, 45)))
            length = draw(
                st.integers(min_value=8, max_value=96 - opens.hour * 4 - opens.minute // 15 - 1)
            )
            closes_q = opens.hour * 4 + opens.minute // 15 + length
            hours[weekday] = (opens, dt.time(closes_q // 4, (closes_q % 4) * 15))
    closures = draw(
        st.frozensets(st.dates(dt.date(2025, 12, 1), dt.date(2028, 1, 31)), max_size=20)
    )
    return WorkingCalendar(hours=hours, closures=closures)


def oracle_between(calendar: WorkingCalendar, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """Working time from a to b (a <= b), from first principles, all in UTC."""
    a_utc, b_utc = a.astimezone(UTC), b.astimezone(UTC)
    total = dt.timedelta(0)
    day = a_utc.astimezone(LONDON).date() - dt.timedelta(days=1)
    while day <= b_utc.astimezone(LONDON).date() + dt.timedelta(days=1):
        closed = day in calendar.closures or _is_bank_holiday(day)
        if day.weekday() in calendar.hours and not closed:
            opens, closes = calendar.hours[day.weekday()]
            start = dt.datetime.combine(day, opens, tzinfo=LONDON).astimezone(UTC)
            end = dt.datetime.combine(day, closes, tzinfo=LONDON).astimezone(UTC)
            lo, hi = max(start, a_utc), min(end, b_utc)
            if lo < hi:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total


@functools.cache
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def _is_bank_holiday(day: dt.date) -> bool:
    return day in _holidays(day.year)


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(calendar=calendars(), start=moments, delta=deltas)
def test_between_start_and_start_plus_delta_is_delta(calendar, start, delta):
    end = calendar.add_working_time(start, delta)
    assert elapsed(start, end) >= dt.timedelta(0)
    assert calendar.working_time_between(start, end) == delta
    assert oracle_between(calendar, start, end) == delta


@PROPERTY
@given(calendar=calendars(), start=moments, d1=deltas, d2=deltas)
def test_add_is_monotonic_and_composes(calendar, start, d1, d2):
    small, large = sorted([d1, d2])
    t_small = calendar.add_working_time(start, small)
    t_large = calendar.add_working_time(start, large)
    assert t_small.astimezone(UTC) <= t_large.astimezone(UTC)
    if small > dt.timedelta(0):
        # adding in two steps lands where adding at once does
        assert calendar.add_working_time(t_small, large - small) == t_large


@PROPERTY
@given(calendar=calendars(), start=moments, delta=deltas)
def test_add_ends_inside_or_at_the_end_of_a_working_period(calendar, start, delta):
    assume(delta > dt.timedelta(0))
    end = calendar.add_working_time(start, delta)
    # (in UTC: London-time arithmetic is wall-clock and drops fold in the repeated hour)
    just_before = end.astimezone(UTC) - dt.timedelta(microseconds=1)
    # the last microsecond counted was working time
    assert calendar.is_working_time(just_before.astimezone(UTC).astimezone(LONDON))
    assert oracle_between(calendar, just_before, end) == dt.timedelta(microseconds=1)
    assert end.tzinfo is LONDON


@PROPERTY
@given(calendar=calendars(), a=moments, b_minutes=offsets, c_minutes=offsets)
def test_between_is_antisymmetric_and_additive(calendar, a, b_minutes, c_minutes):
    b = (a + b_minutes * M).astimezone(UTC).astimezone(LONDON)
    c = (a + c_minutes * M).astimezone(UTC).astimezone(LONDON)
    ab = calendar.working_time_between(a, b)
    assert calendar.working_time_between(b, a) == -ab
    lo, mid, hi = sorted([a, b, c], key=lambda d: d.astimezone(UTC))
    whole = calendar.working_time_between(lo, hi)
    assert whole == calendar.working_time_between(lo, mid) + calendar.working_time_between(mid, hi)
    assert whole == oracle_between(calendar, lo, hi)
    assert dt.timedelta(0) <= whole <= elapsed(lo, hi)


@PROPERTY
@given(calendar=calendars(), moment=moments)
def test_no_working_time_on_weekends_bank_holidays_or_closures(calendar, moment):
    day = moment.date()
    day_start = ldn(day.year, day.month, day.day)
    next_day = day + dt.timedelta(days=1)
    day_end = ldn(next_day.year, next_day.month, next_day.day)
    worked = calendar.working_time_between(day_start, day_end)
    if day.weekday() not in calendar.hours or day in calendar.closures or _is_bank_holiday(day):
        assert worked == dt.timedelta(0)
        assert not calendar.is_working_time(moment)
    else:
        opens, closes = calendar.hours[day.weekday()]
        assert worked == oracle_between(calendar, day_start, day_end) > dt.timedelta(0)
        assert worked <= dt.datetime.combine(day, closes) - dt.datetime.combine(day, opens) + H


@PROPERTY
@given(calendar=calendars(), moment=moments)
@example(  # opens at the first 01:30 of 25 October 2026; 01:00 GMT comes after it
    calendar=WorkingCalendar(hours={**BROMLEY.hours, 6: (dt.time(1, 30), dt.time(3))}),
    moment=dt.datetime(2026, 10, 25, 1, 0, tzinfo=UTC).astimezone(LONDON),
)
@example(calendar=SMALL_HOURS, moment=SECOND_0120)
@example(calendar=SMALL_HOURS, moment=FIRST_0120)
def test_is_working_time_agrees_with_the_oracle(calendar, moment):
    tiny = dt.timedelta(microseconds=1)
    expected = oracle_between(calendar, moment, moment.astimezone(UTC) + tiny) == tiny
    assert calendar.is_working_time(moment) is expected


@PROPERTY
@given(calendar=calendars(), moment=moments)
def test_next_change_is_the_next_switch(calendar, moment):
    change = calendar.next_change(moment)
    assert change.astimezone(UTC) > moment.astimezone(UTC)
    state = calendar.is_working_time(moment)
    # nothing switches between moment and change, and it switches at change
    if state:
        assert calendar.working_time_between(moment, change) == elapsed(moment, change)
    else:
        assert calendar.working_time_between(moment, change) == dt.timedelta(0)
    after = change.astimezone(UTC).astimezone(LONDON)
    assert calendar.is_working_time(after) is not state
