"""Screening due times and deadline states, with the clock travelled across weekends, bank
holidays, closure days and clock changes (Europe/London)."""

import datetime as dt

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from contacts.calendar import LONDON, WorkingCalendar, calendar_for, elapsed
from contacts.models import ClosureDay
from mash.deadlines import (
    DUE_SOON,
    ON_TRACK,
    OVERDUE,
    DeadlineState,
    Timeline,
    calendars_for,
    deadline_for,
    deadline_state,
    format_working_time,
    record_state,
    screening_due_at,
    state_q,
    working_time_left,
)
from mash.models import ScreeningRecord

pytestmark = pytest.mark.django_db


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=LONDON)


def due_record(borough, due_at):
    """What the deadline functions read of a screening record (not rated: effective due time
    = statutory)."""
    return ScreeningRecord(borough=borough, due_at=due_at, effective_due_at=due_at)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Monday 10:00 -> Tuesday 10:00
        (at(2026, 11, 23, 10), at(2026, 11, 24, 10)),
        # Friday 10:00 -> Monday 10:00 (the weekend does not count)
        (at(2026, 11, 20, 10), at(2026, 11, 23, 10)),
        # Saturday -> the close of Monday
        (at(2026, 11, 21, 14), at(2026, 11, 23, 17)),
        # Sunday night -> the close of Monday
        (at(2026, 11, 22, 23, 59), at(2026, 11, 23, 17)),
        # Before opening on a weekday -> that day's close
        (at(2026, 11, 24, 7), at(2026, 11, 24, 17)),
        # After closing on a weekday -> the next day's close
        (at(2026, 11, 24, 19), at(2026, 11, 25, 17)),
        # Thursday 24 Dec 15:00: 2 hours on the 24th, then Christmas Day, Boxing Day, the
        # weekend and Monday 28 Dec (the Boxing Day substitute bank holiday) are skipped:
        # 6 hours 30 minutes more from 08:30 on Tuesday 29 Dec.
        (at(2026, 12, 24, 15), at(2026, 12, 29, 15)),
        # Received on Christmas Day -> close of Tuesday 29 Dec
        (at(2026, 12, 25, 11), at(2026, 12, 29, 17)),
        # Received on the substitute day itself, Monday 28 Dec 2026
        (at(2026, 12, 28, 10), at(2026, 12, 29, 17)),
        # Easter 2027: Thursday 25 March 12:00 -> Good Friday and Easter Monday skipped
        (at(2027, 3, 25, 12), at(2027, 3, 30, 12)),
    ],
)
def test_screening_due_at_bromley(bromley, received, due):
    assert screening_due_at(bromley, received) == due


def test_bexley_uses_its_own_hours(bexley):
    # Bexley is open 09:00-17:00: an 8-hour working day.
    assert screening_due_at(bexley, at(2026, 11, 21, 14)) == at(2026, 11, 23, 17)
    assert screening_due_at(bexley, at(2026, 11, 24, 8)) == at(2026, 11, 24, 17)
    assert screening_due_at(bexley, at(2026, 11, 23, 16)) == at(2026, 11, 24, 16)


def test_a_closure_day_is_skipped(bromley):
    received = at(2026, 12, 23, 10)
    assert screening_due_at(bromley, received) == at(2026, 12, 24, 10)
    ClosureDay.objects.create(borough=bromley, date=dt.date(2026, 12, 24), reason="Christmas")
    bromley.refresh_from_db()
    # 24 Dec is now closed too: 7 hours on the 23rd, the rest (1h30) from Tuesday 29 Dec.
    assert screening_due_at(bromley, received) == at(2026, 12, 29, 10)


def test_clock_change_spring_forward(bromley):
    # BST starts on Sunday 29 March 2026: Friday 10:00 GMT -> Monday 10:00 BST.
    due = screening_due_at(bromley, at(2026, 3, 27, 10))
    assert due == at(2026, 3, 30, 10)
    assert due.utcoffset() == dt.timedelta(hours=1)
    assert elapsed(at(2026, 3, 27, 10), due) == dt.timedelta(hours=71)


def test_clock_change_fall_back(bromley):
    # BST ends on Sunday 25 October 2026: Friday 10:00 BST -> Monday 10:00 GMT.
    due = screening_due_at(bromley, at(2026, 10, 23, 10))
    assert due == at(2026, 10, 26, 10)
    assert due.utcoffset() == dt.timedelta(0)
    assert elapsed(at(2026, 10, 23, 10), due) == dt.timedelta(hours=73)


def test_received_time_in_utc_is_read_in_london(bromley):
    received = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)  # 10:00 BST
    assert screening_due_at(bromley, received) == at(2026, 6, 2, 10)


@pytest.mark.parametrize(
    ("now", "state", "left"),
    [
        # Due Tuesday 24 Nov 10:00 (received Monday 10:00)
        (at(2026, 11, 23, 10), ON_TRACK, dt.timedelta(hours=8, minutes=30)),
        (at(2026, 11, 24, 7, 59), DUE_SOON, dt.timedelta(hours=1, minutes=30)),
        # Monday 16:30: 30 min today + 1h30 tomorrow = exactly 2 working hours: not under two
        (at(2026, 11, 23, 16, 30), ON_TRACK, dt.timedelta(hours=2)),
        (at(2026, 11, 23, 16, 31), DUE_SOON, dt.timedelta(hours=1, minutes=59)),
        # overnight the clock does not run: still 1h30 left at 08:00 Tuesday -> amber
        (at(2026, 11, 24, 8), DUE_SOON, dt.timedelta(hours=1, minutes=30)),
        (at(2026, 11, 24, 9, 59), DUE_SOON, dt.timedelta(minutes=1)),
        (at(2026, 11, 24, 10), OVERDUE, dt.timedelta(0)),
        (at(2026, 11, 24, 12), OVERDUE, -dt.timedelta(hours=2)),
    ],
)
def test_state_and_time_left_as_the_clock_runs(bromley, now, state, left):
    record = due_record(bromley, screening_due_at(bromley, at(2026, 11, 23, 10)))
    with time_machine.travel(now, tick=False):
        assert record_state(record) is state
        assert working_time_left(record) == left


def test_state_over_a_weekend(bromley):
    # Received Friday 14:00, due Monday 14:00. Over the weekend nothing runs.
    record = due_record(bromley, screening_due_at(bromley, at(2026, 11, 20, 14)))
    assert record.effective_due_at == at(2026, 11, 23, 14)
    with time_machine.travel(at(2026, 11, 20, 16, 30), tick=False):
        # Friday 16:30: 30 min left on Friday + 5h30 on Monday = 6h
        assert working_time_left(record) == dt.timedelta(hours=6)
        assert record_state(record) is ON_TRACK
    with time_machine.travel(at(2026, 11, 22, 12), tick=False):
        assert working_time_left(record) == dt.timedelta(hours=5, minutes=30)
        assert record_state(record) is ON_TRACK
    with time_machine.travel(at(2026, 11, 23, 12, 1), tick=False):
        assert record_state(record) is DUE_SOON
    with time_machine.travel(at(2026, 11, 23, 14), tick=False):
        assert record_state(record) is OVERDUE


def test_amber_over_the_christmas_bank_holidays(bromley):
    # Due Tuesday 29 Dec 2026 at 09:30: on Thursday 24 Dec at 16:00 there is 1 hour left that
    # day plus 1 hour on the 29th: 2 hours, green. At 16:01 it is amber, and stays amber through
    # Christmas, Boxing Day, the weekend and the substitute bank holiday on Monday 28 Dec.
    record = due_record(bromley, at(2026, 12, 29, 9, 30))
    with time_machine.travel(at(2026, 12, 24, 16), tick=False):
        assert record_state(record) is ON_TRACK
    for moment in (at(2026, 12, 24, 16, 1), at(2026, 12, 25, 12), at(2026, 12, 28, 12)):
        with time_machine.travel(moment, tick=False):
            assert record_state(record) is DUE_SOON, moment
            assert working_time_left(record) < dt.timedelta(hours=2)
    with time_machine.travel(at(2026, 12, 28, 12), tick=False):
        assert working_time_left(record) == dt.timedelta(hours=1)
    with time_machine.travel(at(2026, 12, 29, 9, 30), tick=False):
        assert record_state(record) is OVERDUE


def test_amber_across_the_autumn_clock_change(bromley):
    # Due Monday 26 Oct 2026 09:30 GMT; on Friday 23 Oct 16:30 BST: 30 min + 1h = 1h30 left.
    record = due_record(bromley, at(2026, 10, 26, 9, 30))
    with time_machine.travel(at(2026, 10, 23, 16, 30), tick=False):
        assert working_time_left(record) == dt.timedelta(hours=1, minutes=30)
        assert record_state(record) is DUE_SOON
    # 01:30 on Sunday happens twice; neither counts.
    with time_machine.travel(dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC), tick=False):
        assert working_time_left(record) == dt.timedelta(hours=1)


def test_overdue_time_left_is_negative_working_time(bromley):
    record = due_record(bromley, at(2026, 11, 20, 16))
    # Friday 16:00 due; now Monday 09:30 -> 1h Friday + 1h Monday overdue
    d = deadline_for(record, at(2026, 11, 23, 9, 30), calendar_for(bromley))
    assert d.state is OVERDUE
    assert d.left == -dt.timedelta(hours=2)
    assert d.left_display == "Overdue by 2 hours"


def test_deadline_state_values_are_colours_not_urgency():
    assert [s.value for s in DeadlineState] == ["red", "amber", "green"]
    assert OVERDUE.label == "Overdue" and OVERDUE.tag_class == "govuk-tag--red"
    assert DUE_SOON.label == "Due soon" and DUE_SOON.tag_class == "govuk-tag--yellow"
    assert ON_TRACK.label == "On track" and ON_TRACK.tag_class == "govuk-tag--green"


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(hours=3, minutes=5), "3 hours 5 minutes"),
        (dt.timedelta(minutes=45), "45 minutes"),
        (dt.timedelta(hours=1), "1 hour"),
        (dt.timedelta(minutes=1), "1 minute"),
        (dt.timedelta(seconds=20), "less than a minute"),
        (-dt.timedelta(hours=26), "26 hours"),
    ],
)
def test_format_working_time(delta, text):
    assert format_working_time(delta) == text


def test_calendars_for_matches_calendar_for_and_is_kept_until_an_edit(
    seeded_boroughs, django_assert_num_queries
):
    from contacts.models import Borough

    boroughs = list(Borough.objects.all())
    calendars = calendars_for(boroughs)
    for borough in boroughs:
        assert calendars[borough.pk] == calendar_for(borough)
    with django_assert_num_queries(0):
        assert calendars_for(boroughs) == calendars

    # An edit bumps the borough's data_version: the next row read gets the new calendar.
    christmas_eve = dt.date(2026, 12, 24)
    ClosureDay.objects.create(borough=seeded_boroughs["bexley"], date=christmas_eve)
    fresh = {b.slug: b for b in Borough.objects.all()}
    again = calendars_for(fresh.values())
    assert again[fresh["bexley"].pk] == calendar_for(fresh["bexley"])
    assert christmas_eve in again[fresh["bexley"].pk].closures
    assert christmas_eve not in calendars[fresh["bexley"].pk].closures
    assert again[fresh["bromley"].pk] is calendars[fresh["bromley"].pk]


BROMLEY_HOURS = {d: (dt.time(8, 30), dt.time(17)) for d in range(5)}
moments = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),
    max_value=dt.datetime(2028, 12, 31),
    timezones=st.just(LONDON),
)


@settings(max_examples=200, deadline=None)
@given(received=moments, now=moments)
def test_state_agrees_with_working_time_left_and_the_filter(received, now):
    """The state computed from due_at matches the working time left, for any two moments."""
    calendar = WorkingCalendar(hours=BROMLEY_HOURS)
    due = calendar.add_working_time(received, calendar.working_day)
    assert calendar.working_time_between(received, due) == calendar.working_day
    left = calendar.working_time_between(now, due)
    state = deadline_state(due, now, calendar=calendar)
    if due <= now:
        assert state is OVERDUE and left <= dt.timedelta(0)
    elif left < dt.timedelta(hours=2):
        assert state is DUE_SOON
    else:
        assert state is ON_TRACK


def test_state_q_is_ranges_on_effective_due_at(bromley, bexley):
    from mash.models import ScreeningRecord
    from tests.mash.screening_factories import open_referrals

    now = at(2026, 11, 23, 16, 45)
    calendars = {bromley.pk: calendar_for(bromley), bexley.pk: calendar_for(bexley)}
    overdue = state_q(OVERDUE, now, calendars)
    assert overdue.children == [("effective_due_at__lte", now)]

    # Bromley opens 08:30: 15 min today + 1h45 tomorrow -> 10:15; Bexley opens 09:00 -> 10:45.
    # One range common to both (the first query bound), then the exception for Bromley.
    def leaves(q):
        for child in q.children:
            yield from leaves(child) if isinstance(child, type(q)) else [child]

    amber = list(leaves(state_q("amber", now, calendars)))
    assert ("effective_due_at__gt", now) in amber
    assert ("effective_due_at__lt", at(2026, 11, 24, 10, 45)) in amber
    assert ("effective_due_at__gte", at(2026, 11, 24, 10, 15)) in amber  # NOT (Bromley and this)
    green = list(leaves(state_q("green", now, calendars)))
    assert ("effective_due_at__gte", at(2026, 11, 24, 10, 15)) in green
    assert ("effective_due_at__lt", at(2026, 11, 24, 10, 45)) in green  # NOT (Bexley and this)

    # And they select exactly the records in that state, in both boroughs, around each bound.
    received = [
        at(2026, 11, 20, 16, 45),  # due now: overdue
        at(2026, 11, 23, 10, 14),  # due 10:14 tomorrow
        at(2026, 11, 23, 10, 15),
        at(2026, 11, 23, 10, 44),
        at(2026, 11, 23, 10, 45),
        at(2026, 11, 23, 10, 46),
        at(2026, 11, 23, 12),
    ]
    records = open_referrals(bromley, received) + open_referrals(bexley, received)
    for state in DeadlineState:
        expected = {
            r.pk
            for r in records
            if deadline_state(r.due_at, now, calendar=calendars[r.borough_id]) is state
        }
        found = set(
            ScreeningRecord.objects.filter(state_q(state, now, calendars)).values_list(
                "pk", flat=True
            )
        )
        assert found == expected, state
        assert expected  # every state is represented
    # Records of a borough whose calendar is not given are not selected.
    only_bexley = {bexley.pk: calendars[bexley.pk]}
    assert not ScreeningRecord.objects.filter(
        state_q("green", now, only_bexley), borough=bromley
    ).exists()


@settings(max_examples=200, deadline=None)
@given(a=moments, b=moments, now=moments)
def test_timeline_agrees_with_the_calendar(a, b, now):
    """The queue's prefix-sum timeline gives the same working time and state as the calendar."""
    calendar = WorkingCalendar(
        hours=BROMLEY_HOURS, closures=frozenset({dt.date(2026, 12, 24), dt.date(2027, 6, 1)})
    )
    start, end = min(a, b, now), max(a, b, now)
    timeline = Timeline(calendar, start, end, now)
    assert timeline.between(a, b) == calendar.working_time_between(a, b)
    record = due_record(None, b)
    fast = deadline_for(record, now, calendar, timeline=timeline)
    slow = deadline_for(record, now, calendar)
    assert fast == slow
