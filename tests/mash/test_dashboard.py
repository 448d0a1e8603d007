"""The managers' dashboard figures (mash.dashboard), asserted exactly on known histories built
through the real decision path (mash.screening.record_decision, under time-machine)."""

from __future__ import annotations

import datetime as dt

import pytest

from contacts.calendar import local_datetime
from mash import dashboard
from mash.dashboard import Period, Rate, now_figures, percentile, records_behind, trends
from mash.models import Decision, ScreeningRecord
from mash.screening import record_decision
from notifications.models import OutboxMessage
from tests.mash.factories import StaffMemberFactory
from tests.mash.screening_factories import ScreeningRecordFactory
from tests.reporting.factories import ChildFactory, ReferralFactory

pytestmark = pytest.mark.django_db

Outcome = Decision.Outcome


def at(y, m, d, hh=10, mm=0) -> dt.datetime:
    return local_datetime(dt.date(y, m, d), dt.time(hh, mm))


@pytest.fixture
def screener(bromley):
    return StaffMemberFactory(boroughs=[bromley], user__first_name="Sam", user__last_name="Ode")


@pytest.fixture
def other(bromley):
    return StaffMemberFactory(boroughs=[bromley], user__first_name="Ali", user__last_name="Bee")


def make(
    borough,
    received: dt.datetime,
    *,
    kind="concern",
    source="",
    child: dict | None = None,
    anonymous=False,
    **record,
) -> ScreeningRecord:
    referral = ReferralFactory(
        borough=borough,
        received_at=received,
        kind=kind,
        contact_source=source,
        **({"anonymous_referrer": True} if anonymous else {}),
    )
    if child is not None:
        ChildFactory(referral=referral, order=0, **child)
    return ScreeningRecordFactory(referral=referral, **record)


def decide(time_machine, record, user, when: dt.datetime, outcome=Outcome.NO_FURTHER_ACTION):
    time_machine.move_to(when, tick=False)
    return record_decision(
        user=user, referral=record.referral, outcome=outcome, rationale="Because."
    )


def sent(record, when):
    OutboxMessage.objects.filter(about_id=record.referral_id, kind="outcome").update(
        sent_at=when, status=OutboxMessage.Status.SENT
    )


# --- pure helpers ----------------------------------------------------------------------------
def test_percentile_interpolates_as_postgres_percentile_cont():
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7
    assert percentile([1, 2, 4], 0.5) == 2
    assert percentile([4, 1, 2], 0.9) == pytest.approx(3.6)
    assert percentile([1, 2, 3, 4], 0.5) == 2.5


def test_rate_and_period():
    assert Rate(1, 3).percent == 33.3 and str(Rate(2, 3)) == "66.7%"
    assert Rate(0, 0).percent is None and str(Rate(0, 0)) == ""
    period = Period.ending(dt.date(2026, 1, 7), weeks=3)  # a Wednesday
    assert period.weeks == [dt.date(2025, 12, 22), dt.date(2025, 12, 29), dt.date(2026, 1, 5)]
    assert period.start == at(2025, 12, 22, 0) and period.end == at(2026, 1, 12, 0)


# --- now -------------------------------------------------------------------------------------
def test_a_bounced_outcome_message_is_late_and_listed(bromley, screener, time_machine):
    """Sent but bounced since (a delivery receipt said so): not a message sent, so late once
    its 24 hours are up, counted and listed as the unsent ones are."""
    bounced = make(bromley, at(2026, 3, 9, 9))
    decide(time_machine, bounced, screener.user, at(2026, 3, 9, 10))
    OutboxMessage.objects.filter(about_id=bounced.referral_id, kind="outcome").update(
        sent_at=at(2026, 3, 9, 10, 5),
        status=OutboxMessage.Status.FAILED,
        failed_at=at(2026, 3, 9, 10, 6),
    )
    on_time = make(bromley, at(2026, 3, 9, 9, 30))
    decide(time_machine, on_time, screener.user, at(2026, 3, 9, 10))
    sent(on_time, at(2026, 3, 9, 10, 5))
    before_due = at(2026, 3, 10, 9, 59)  # 24 hours not yet up
    assert now_figures(borough=bromley, now=before_due).counts["messages_late"] == 0
    now = at(2026, 3, 10, 11)
    assert now_figures(borough=bromley, now=now).counts["messages_late"] == 1
    behind = records_behind(borough=bromley, figure="messages_late", now=now)
    assert [r.referral_id for r in behind] == [bounced.referral_id]


def test_now_figures(bromley, bexley, screener, other, time_machine):
    now = at(2026, 3, 10, 11, 0)  # Tuesday 11:00
    # decided earlier: yesterday by the screener (not today), today by each
    old = make(bromley, at(2026, 3, 9, 9))
    decide(time_machine, old, screener.user, at(2026, 3, 9, 12))
    sent(old, at(2026, 3, 9, 12, 5))
    late = make(bromley, at(2026, 3, 9, 9, 30))  # email due 3/10 09:00, never sent
    decide(time_machine, late, screener.user, at(2026, 3, 9, 10))
    today_a = make(bromley, at(2026, 3, 10, 8, 40))  # email not due yet, unsent
    decide(time_machine, today_a, screener.user, at(2026, 3, 10, 9))
    today_b = make(bromley, at(2026, 3, 10, 8, 45), anonymous=True)
    decide(time_machine, today_b, other.user, at(2026, 3, 10, 9, 30))
    time_machine.move_to(now, tick=False)
    # open: due 10:00 tomorrow (on track), due at 12:00 today (inside two working hours),
    # overdue (due 09:00 today), Red
    make(bromley, at(2026, 3, 10, 10))
    make(bromley, at(2026, 3, 9, 12), claimed_by=screener.user, claimed_at=now)
    make(bromley, at(2026, 3, 9, 9), claimed_by=screener.user, claimed_at=now)
    make(bromley, at(2026, 3, 10, 9), rating="red", rank=0, effective_due_at=at(2026, 3, 10, 13))
    make(bexley, at(2026, 3, 9, 9))  # another borough: never counted
    make(bromley, at(2026, 3, 9, 9), kind="consultation")  # consultations have their own queue

    figures = now_figures(borough=bromley, now=now)
    assert figures.counts == {
        "unallocated": 2,
        "in_screening": 2,
        "due_soon": 1,
        "overdue": 1,
        "red": 1,
        "messages_late": 1,
    }
    people = {p.name: (p.held, p.held_overdue, p.decided_today) for p in figures.people}
    assert people == {"Sam Ode": (2, 1, 1), "Ali Bee": (0, 0, 1)}
    # each figure's list is the records it counts
    for key, _label in dashboard.NOW_FIGURES:
        listed = records_behind(borough=bromley, figure=key, now=now)
        assert listed.count() == figures.counts[key], key
    behind = records_behind(borough=bromley, figure="messages_late", now=now)
    assert {r.referral_id for r in behind} == {late.referral_id}
    listed = records_behind(
        borough=bromley, figure="held_overdue", now=now, user_id=screener.user_id
    )
    assert [r.received_at for r in listed] == [at(2026, 3, 9, 9)]
    listed = records_behind(
        borough=bromley, figure="decided_today", now=now, user_id=screener.user_id
    )
    assert [r.pk for r in listed] == [today_a.pk]


# --- trends ----------------------------------------------------------------------------------
def test_contacts_by_kind_and_source_by_london_week(bromley, bexley):
    # Sunday 29 March 2026 23:30 BST is still week 23 March; Monday 00:30 is week 30 March.
    make(bromley, at(2026, 3, 29, 23, 30), source="6")
    make(bromley, at(2026, 3, 30, 0, 30), source="6")
    make(bromley, at(2026, 3, 30, 9), kind="family_wellbeing", source="2A")
    make(bromley, at(2026, 4, 1, 9), kind="consultation")
    make(bromley, at(2026, 4, 6, 0, 0))  # after the period
    make(bexley, at(2026, 3, 30, 9), source="6")
    result = trends(borough=bromley, period=Period(dt.date(2026, 3, 23), dt.date(2026, 3, 30)))
    first, second = result.weeks
    assert first.start == dt.date(2026, 3, 23) and first.contacts == {"concern": 1}
    assert second.contacts == {"concern": 1, "family_wellbeing": 1, "consultation": 1}
    assert result.contacts_total == 4 and result.kind_total("concern") == 2
    assert result.sources == {"6": 2, "2A": 1, "": 1}
    period = result.period
    assert records_behind(borough=bromley, figure="source", value="", period=period).count() == 1
    behind = records_behind(borough=bromley, figure="contacts", value="concern", period=period)
    assert behind.count() == 2


def test_time_to_decision_in_working_hours_skips_bank_holidays(bromley, screener, time_machine):
    """Bromley works 08:30-17:00. Christmas 2026: Friday 25 December, Boxing Day Saturday, so
    the substitute bank holiday is Monday 28 December."""
    a = make(bromley, at(2026, 12, 24, 16, 0))
    decide(time_machine, a, screener.user, at(2026, 12, 29, 9, 30))  # 1 h + 1 h = 2 h
    b = make(bromley, at(2026, 12, 29, 9, 0))
    decide(time_machine, b, screener.user, at(2026, 12, 29, 10, 0))  # 1 h
    c = make(bromley, at(2026, 12, 30, 9, 0))
    decide(time_machine, c, screener.user, at(2026, 12, 31, 9, 0))  # one working day: 8.5 h
    result = trends(borough=bromley, period=Period(dt.date(2026, 12, 28), dt.date(2026, 12, 28)))
    (week,) = result.weeks
    assert week.decided == 3
    assert week.median_hours == pytest.approx(2.0)
    assert week.p90_hours == pytest.approx(2 + 0.8 * (8.5 - 2))
    a.refresh_from_db()
    assert a.decision_working_seconds == 2 * 3600


def test_timeliness_outcomes_conversion_and_messages(bromley, screener, time_machine):
    week = Period(dt.date(2026, 3, 9), dt.date(2026, 3, 9))
    # due 10:00 the next working day: decided before, exactly at, and after the due time
    r1 = make(bromley, at(2026, 3, 9, 10))
    decide(time_machine, r1, screener.user, at(2026, 3, 9, 15), Outcome.ASSESSMENT)
    sent(r1, at(2026, 3, 9, 15, 30))
    r2 = make(bromley, at(2026, 3, 9, 10, 0))
    decide(time_machine, r2, screener.user, at(2026, 3, 10, 10, 0), Outcome.STRATEGY)
    sent(r2, at(2026, 3, 11, 10, 1))  # a minute past its 24 hours
    r3 = make(bromley, at(2026, 3, 10, 9))
    decide(time_machine, r3, screener.user, at(2026, 3, 11, 12), Outcome.ADVICE)  # late
    r4 = make(bromley, at(2026, 3, 11, 9), anonymous=True)  # nobody to tell
    decide(time_machine, r4, screener.user, at(2026, 3, 11, 9, 30), Outcome.FAMILY_WELLBEING)
    r5 = make(bromley, at(2026, 3, 12, 9))  # decided Sunday night, email not due at "now"
    decide(time_machine, r5, screener.user, at(2026, 3, 15, 23, 0), Outcome.DISABLED_CHILDREN)
    # red rating: its effective due time 13:00 is earlier than the statutory deadline
    r6 = make(
        bromley, at(2026, 3, 12, 9), rating="red", rank=0, effective_due_at=at(2026, 3, 12, 13)
    )
    decide(time_machine, r6, screener.user, at(2026, 3, 12, 14), Outcome.NO_FURTHER_ACTION)
    sent(r6, at(2026, 3, 12, 14, 10))
    # the week after: not in this period
    r7 = make(bromley, at(2026, 3, 13, 9))
    decide(time_machine, r7, screener.user, at(2026, 3, 16, 9), Outcome.ASSESSMENT)

    now = at(2026, 3, 16, 10)
    result = trends(borough=bromley, period=week, now=now)
    (w,) = result.weeks
    assert w.decided == 6
    assert w.in_time == 3  # r1, r2 (exactly at its due time), r5
    assert str(w.timeliness) == "50.0%"
    assert w.outcomes == {
        "assessment": 1,
        "strategy": 1,
        "advice": 1,
        "family_wellbeing": 1,
        "disabled_children": 1,
        "nfa": 1,
    }
    assert w.converted == 3 and str(w.conversion) == "50.0%"
    # told: r1, r2, r3, r5, r6 (r4 anonymous); due by now or sent: r1, r2, r3, r6 (r5 due
    # Monday 23:00); in time: r1, r6
    assert (w.messages_due, w.messages_in_time) == (4, 2)
    for figure, expected in [
        ("decided", 6),
        ("in_time", 3),
        ("late", 3),
        ("converted", 3),
        ("messages_due", 4),
        ("messages_in_time", 2),
    ]:
        assert records_behind(borough=bromley, figure=figure, period=week, now=now).count() == (
            expected
        ), figure
    behind = records_behind(
        borough=bromley, figure="outcome", value="strategy", period=week, now=now
    )
    assert [r.pk for r in behind] == [r2.pk]


CHILD = {
    "first_name": "Zoë",
    "last_name": "O'Brien",
    "date_of_birth": dt.date(2015, 6, 1),
    "postcode": "BR1 3UH",
}


def test_re_referrals_across_a_year_boundary(bromley, bexley, screener, time_machine):
    def referral(received, child, outcome, borough=bromley, decided=None):
        record = make(borough, received, child=child)
        user = screener.user
        if borough != bromley:
            user = StaffMemberFactory(boroughs=[borough]).user
        decide(time_machine, record, user, decided or received + dt.timedelta(hours=2), outcome)
        return record

    # Zoë: referred to social care in December 2025; again in January 2026 (re-referral,
    # across the year boundary, name typed differently).
    referral(at(2025, 12, 15), CHILD, Outcome.ASSESSMENT)
    again = referral(
        at(2026, 1, 6),
        {**CHILD, "first_name": "ZOE", "last_name": "obrien", "postcode": "BR2 9ZZ"},
        Outcome.STRATEGY,
    )
    # Kai: an earlier referral 12 months and one day before: not a re-referral
    kai = {"first_name": "Kai", "last_name": "Smith", "date_of_birth": dt.date(2014, 1, 1)}
    referral(at(2025, 1, 6, 9), kai, Outcome.ASSESSMENT)
    kai_later = referral(at(2026, 1, 7, 10), kai, Outcome.ASSESSMENT)
    # Mia: the earlier contact was not a referral to social care (advice): not a re-referral
    mia = {"first_name": "Mia", "last_name": "Hall", "postcode": "BR6 1AA"}
    referral(at(2025, 11, 3), mia, Outcome.ADVICE)
    referral(at(2026, 1, 7, 11), mia, Outcome.ASSESSMENT)
    # Leo: an earlier referral to social care in another borough: not counted here
    leo = {"first_name": "Leo", "last_name": "Green", "date_of_birth": dt.date(2016, 2, 2)}
    referral(at(2025, 10, 1), leo, Outcome.ASSESSMENT, borough=bexley)
    referral(at(2026, 1, 8), leo, Outcome.ASSESSMENT)
    # Ava: same name, different date of birth and postcode: another child
    ava = {"first_name": "Ava", "last_name": "Khan", "date_of_birth": dt.date(2012, 5, 5)}
    referral(at(2025, 9, 1), {**ava, "postcode": "BR3 1AA"}, Outcome.ASSESSMENT)
    referral(
        at(2026, 1, 8, 11),
        {**ava, "date_of_birth": dt.date(2013, 5, 5), "postcode": "BR3 2BB"},
        Outcome.ASSESSMENT,
    )
    # Kai again, now within 12 months of January 2026, but advice: not a referral, not counted
    referral(at(2026, 1, 9), kai, Outcome.ADVICE)

    period = Period(dt.date(2026, 1, 5), dt.date(2026, 1, 5))
    result = trends(borough=bromley, period=period, now=at(2026, 2, 1))
    (w,) = result.weeks
    assert w.converted == 5 and w.re_referrals == 1 and str(w.re_referral_rate) == "20.0%"
    behind = records_behind(borough=bromley, figure="re_referrals", period=period)
    assert [r.pk for r in behind] == [again.pk]
    assert kai_later.pk not in {r.pk for r in behind}

    # the beat task marks every decision; the dashboard then reads the marks
    marked = dashboard.mark_re_referrals(now=at(2026, 2, 1), since=at(2020, 1, 1))
    decided = ScreeningRecord.objects.filter(decided_at__isnull=False)
    assert marked == decided.count() == 11
    assert set(decided.filter(re_referral=True)) == {again}
    assert not decided.filter(re_referral__isnull=True).exists()
    assert dashboard.mark_re_referrals(now=at(2026, 2, 1), since=at(2020, 1, 1)) == 0
    assert trends(borough=bromley, period=period).weeks[0].re_referrals == 1
    ScreeningRecord.objects.filter(pk=again.pk).update(re_referral=False)
    ScreeningRecord.objects.filter(pk=kai_later.pk).update(re_referral=True)
    assert [
        r.pk for r in records_behind(borough=bromley, figure="re_referrals", period=period)
    ] == [kai_later.pk]  # (the marks are what is counted once made)
    # a run looks again at the last fortnight only, and at anything not yet marked
    ScreeningRecord.objects.filter(pk=again.pk).update(re_referral=None)
    assert dashboard.mark_re_referrals(now=at(2026, 2, 1)) == 1
    assert ScreeningRecord.objects.get(pk=again.pk).re_referral is True
    assert ScreeningRecord.objects.get(pk=kai_later.pk).re_referral is True  # outside 14 days
    assert dashboard.mark_re_referrals(now=at(2026, 1, 20)) == 1  # Kai decided 7 Jan: looked at
    assert ScreeningRecord.objects.get(pk=kai_later.pk).re_referral is False


def test_re_referral_rule_agrees_with_the_record_check(bromley, screener, time_machine):
    """Every pair the set-based rule finds is a strong match of mash.matching.compare."""
    from mash.matching import STRONG, compare
    from reporting.models import Child

    first = make(bromley, at(2025, 12, 1), child=CHILD)
    decide(time_machine, first, screener.user, at(2025, 12, 1, 12), Outcome.ASSESSMENT)
    second = make(
        bromley, at(2026, 1, 5), child={**CHILD, "first_name": "zoe", "postcode": "br13uh"}
    )
    decide(time_machine, second, screener.user, at(2026, 1, 5, 12), Outcome.ASSESSMENT)
    a = Child.objects.select_related("referral").get(referral=first.referral)
    b = Child.objects.select_related("referral").get(referral=second.referral)
    assert compare(b, a)[0] == STRONG
    period = Period(dt.date(2026, 1, 5), dt.date(2026, 1, 5))
    assert trends(borough=bromley, period=period).weeks[0].re_referrals == 1


def test_the_migration_indexes_are_the_queries_expressions():
    """reporting 0012 creates the indexes the re-referral lookups read: the same SQL."""
    import importlib

    migration = importlib.import_module("reporting.migrations.0012_child_match_keys")
    for name, columns in migration.INDEXES.items():
        made = columns.replace("{a}", migration.ACCENTED).replace("{p}", migration.PLAIN)
        assert made == dashboard.CHILD_KEY_INDEXES[name]


@pytest.mark.postgres
def test_name_keys_in_sql_are_the_matchers_normalised_names():
    from django.db import connection

    from mash.matching import normalise_name

    # (Latin-1's accented letters; rarer ones, like the Vietnamese "ọ", are dropped in SQL
    # rather than plain-lettered: mash.dashboard says so)
    names = ["Zoë", "O'Brien-Smith ", "JOSÉ", "Ann Marie", "Renée", "Çelik", "Øyvind", "Nuñez"]
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"SELECT {dashboard.name_key_sql('%s')}", [name])
            assert cursor.fetchone()[0] == normalise_name(name), name


def test_the_beat_task_marks_re_referrals_hourly(settings, bromley, screener, time_machine):
    from mash import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["mash-mark-re-referrals"]
    assert entry["task"] == "mash.mark_re_referrals" and entry["schedule"] == 3600
    record = make(bromley, at(2026, 3, 9, 10))
    decide(time_machine, record, screener.user, at(2026, 3, 9, 12), Outcome.ASSESSMENT)
    assert tasks.mark_re_referrals() == 1
    record.refresh_from_db()
    assert record.re_referral is False


def test_settled_weeks_come_from_the_nightly_summary(bromley, screener, time_machine):
    """The nightly task stores each settled week's figures; the dashboard reads them (and
    works out live the weeks not yet settled); stored and live figures are the same."""
    from mash import tasks
    from mash.models import DashboardWeek

    first = make(bromley, at(2026, 3, 2, 10), source="6")
    decide(time_machine, first, screener.user, at(2026, 3, 2, 15), Outcome.ASSESSMENT)
    sent(first, at(2026, 3, 2, 16))
    second = make(bromley, at(2026, 3, 10, 9), source="2A")
    decide(time_machine, second, screener.user, at(2026, 3, 11, 9, 30), Outcome.ADVICE)
    make(bromley, at(2026, 3, 17, 9))
    now = at(2026, 3, 18, 12)  # weeks of 2 and 9 March have ended; 16 March is this week
    period = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 16))
    live = trends(borough=bromley, period=period, now=now)
    time_machine.move_to(now, tick=False)
    written = tasks.summarise_dashboard_weeks()
    assert written == dashboard.MAX_WEEKS * 2  # every settled week of both boroughs
    stored = DashboardWeek.objects.get(borough=bromley, week=dt.date(2026, 3, 2))
    assert DashboardWeek.objects.filter(week=dt.date(2026, 3, 9)).exists()
    assert not DashboardWeek.objects.filter(week__gte=dt.date(2026, 3, 16)).exists()
    assert trends(borough=bromley, period=period, now=now) == live
    (week,) = [w for w in live.weeks if w.start == dt.date(2026, 3, 2)]
    assert stored.figures == week.as_data()
    assert week.sources == {"6": 1} and week.converted == 1 and week.messages_in_time == 1
    # the stored figures are what is shown for a settled week; unsettled weeks stay live
    figures = {**stored.figures, "decided": 99}
    DashboardWeek.objects.filter(pk=stored.pk).update(figures=figures)
    shown = trends(borough=bromley, period=period, now=now)
    assert [w.decided for w in shown.weeks] == [99, 1, 0]
    assert shown.sources == {"6": 1, "2A": 1, "": 1}
    # the next night makes the last weeks again (older ones are kept as they are)
    assert dashboard.summarise_weeks(now=now, boroughs=[bromley]) == dashboard.RESUMMARISE_WEEKS
    assert trends(borough=bromley, period=period, now=now) == live
