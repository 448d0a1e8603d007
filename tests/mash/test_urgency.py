"""Urgency sets the clock: each borough's screening policy, the effective due time (the
earlier of the statutory deadline and the rating's), and the queue and take_next order (Red
first, then effective due time, then received time; consultations never served)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from contacts.calendar import LONDON, calendar_for
from contacts.models import Borough
from mash import screening, services
from mash.deadlines import effective_due_at, rating_due_at, screening_due_at
from mash.models import ScreeningPolicy, ScreeningRecord, TimeUnit
from mash.policy import DEFAULT, Rules, Timescale, rules_for
from mash.selectors import queue_page
from reporting.models import Referral
from tests.mash.factories import StaffMemberFactory, log_in_verified
from tests.mash.screening_factories import open_referrals

pytestmark = pytest.mark.django_db


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=LONDON)


# --- the policy --------------------------------------------------------------------------


def test_defaults_and_each_boroughs_policy(bromley, bexley):
    assert DEFAULT.screening == Timescale(1, TimeUnit.WORKING_DAYS)
    assert DEFAULT.ratings == {
        "red": Timescale(4, TimeUnit.CLOCK_HOURS),
        "amber": Timescale(1, TimeUnit.WORKING_DAYS),
        "green": Timescale(1, TimeUnit.WORKING_DAYS),
    }
    assert DEFAULT.warning == Timescale(2, TimeUnit.WORKING_HOURS)
    assert DEFAULT.red_unheld == dt.timedelta(minutes=15)
    assert (DEFAULT.home_visit_days, DEFAULT.assessment_working_days) == (10, 45)
    assert (DEFAULT.support_months, DEFAULT.outcome_within) == (6, dt.timedelta(hours=24))
    # The data migration kept Bromley's published 40 working days; Bexley has the default.
    assert rules_for(bromley).assessment_working_days == 40
    assert rules_for(bexley).assessment_working_days == 45


def test_a_third_borough_gets_the_defaults():
    borough = Borough.objects.create(
        slug="lewisham",
        name="Lewisham",
        council_name="London Borough of Lewisham",
        reference_prefix="LEW",
        mash_name="Lewisham MASH",
        address="Town Hall",
    )
    policy = ScreeningPolicy.objects.get(borough=borough)
    assert Rules.of(policy) == Rules.of(ScreeningPolicy())
    assert rules_for(borough).ratings["red"] == Timescale(4, TimeUnit.CLOCK_HOURS)
    policy.delete()
    assert rules_for(Borough.objects.get(pk=borough.pk)) is DEFAULT


def test_policy_validation(bromley):
    policy = ScreeningPolicy.objects.get(borough=bromley)
    policy.red_amount, policy.warning_unit, policy.warning_amount = 0, TimeUnit.WORKING_DAYS, 31
    policy.home_visit_days = 0
    with pytest.raises(ValidationError) as caught:
        policy.full_clean()
    assert set(caught.value.message_dict) == {"red_amount", "warning_amount", "home_visit_days"}


# --- the effective due time (pure, time-travel free: moments are given) --------------------


@pytest.fixture
def calendar(bromley):
    return calendar_for(bromley)


def test_red_at_1630_on_a_friday_is_due_2030_that_friday(calendar):
    received = at(2026, 11, 20, 10)  # Friday 10:00: statutory Monday 10:00
    statutory = screening_due_at(None, received, calendar=calendar, rules=DEFAULT)
    assert statutory == at(2026, 11, 23, 10)
    due = effective_due_at(
        statutory_due_at=statutory,
        rating="red",
        rated_at=at(2026, 11, 20, 16, 30),
        rules=DEFAULT,
        calendar=calendar,
    )
    assert due == at(2026, 11, 20, 20, 30)


def test_amber_and_green_never_later_than_statutory(calendar):
    statutory = at(2026, 11, 23, 10)
    for rating in ("amber", "green"):
        # Amber at Friday 16:30: 30 min Friday + 8h Monday -> Monday 16:30; statutory is earlier
        assert rating_due_at(
            rating, at(2026, 11, 20, 16, 30), rules=DEFAULT, calendar=calendar
        ) == at(2026, 11, 23, 16, 30)
        assert (
            effective_due_at(
                statutory_due_at=statutory,
                rating=rating,
                rated_at=at(2026, 11, 20, 16, 30),
                rules=DEFAULT,
                calendar=calendar,
            )
            == statutory
        )
    assert effective_due_at(statutory_due_at=statutory, rules=DEFAULT, calendar=calendar) == (
        statutory
    )


def test_a_rating_across_the_christmas_bank_holidays(calendar):
    # Amber at Thu 24 Dec 16:00: 1 hour that day, then Christmas Day, Boxing Day (Mon 28
    # observed) and the weekend are skipped: 7h30 more on Tue 29 Dec -> 16:00.
    assert rating_due_at("amber", at(2026, 12, 24, 16), rules=DEFAULT, calendar=calendar) == at(
        2026, 12, 29, 16
    )
    # Red is clock time: holidays count.
    assert rating_due_at("red", at(2026, 12, 24, 22), rules=DEFAULT, calendar=calendar) == at(
        2026, 12, 25, 2
    )


def test_red_across_the_clock_changes_is_four_real_hours(calendar):
    # Autumn: 00:30 BST on Sun 25 Oct 2026 + 4 real hours = 03:30 GMT (the 01:00-02:00 hour
    # happens twice).
    autumn = rating_due_at("red", at(2026, 10, 25, 0, 30), rules=DEFAULT, calendar=calendar)
    assert autumn.astimezone(dt.UTC) == dt.datetime(2026, 10, 25, 3, 30, tzinfo=dt.UTC)
    # Spring: 00:30 GMT on Sun 29 Mar 2026 + 4 real hours = 05:30 BST.
    spring = rating_due_at("red", at(2026, 3, 29, 0, 30), rules=DEFAULT, calendar=calendar)
    assert spring == at(2026, 3, 29, 5, 30)
    assert spring.astimezone(dt.UTC) == dt.datetime(2026, 3, 29, 4, 30, tzinfo=dt.UTC)


def test_the_policy_changes_the_clocks(bromley, calendar):
    policy = ScreeningPolicy.objects.get(borough=bromley)
    policy.red_amount, policy.red_unit = 2, TimeUnit.WORKING_HOURS
    policy.screening_amount = 2
    policy.save()
    rules = rules_for(bromley)
    # Red, 2 working hours from Friday 16:30: 30 min Friday, 1h30 Monday -> Monday 10:00.
    assert rating_due_at("red", at(2026, 11, 20, 16, 30), rules=rules, calendar=calendar) == at(
        2026, 11, 23, 10
    )
    # Statutory, two working days from Monday 10:00 -> Wednesday 10:00.
    assert screening_due_at(bromley, at(2026, 11, 23, 10)) == at(2026, 11, 25, 10)


# --- set_urgency moves the record in the queue ----------------------------------------------


def test_set_urgency_sets_the_effective_due_time_and_rank(bromley):
    screener = StaffMemberFactory(boroughs=[bromley]).user
    (record,) = open_referrals(bromley, [at(2026, 11, 20, 10)])
    with time_machine.travel(at(2026, 11, 20, 16, 30), tick=False):
        row = screening.set_urgency(
            user=screener, referral=record.referral, rating="red", reason="Scared to go home"
        )
    record.refresh_from_db()
    assert row.due_at == at(2026, 11, 20, 20, 30)
    assert (record.rating, record.rank) == ("red", 0)
    assert record.effective_due_at == at(2026, 11, 20, 20, 30)
    assert record.due_at == at(2026, 11, 23, 10)  # the statutory deadline is kept
    # Changed to Green later: back to the statutory deadline, out of the Red rank.
    with time_machine.travel(at(2026, 11, 20, 16, 45), tick=False):
        screening.set_urgency(
            user=screener, referral=record.referral, rating="green", reason="Safe with aunt"
        )
    record.refresh_from_db()
    assert (record.rating, record.rank) == ("green", 1)
    assert record.effective_due_at == at(2026, 11, 23, 10)


# --- the new user's story: the Red referral goes first ---------------------------------------


@pytest.fixture
def story(bromley):
    """60 older referrals, an even older consultation request, and the 14-year-old's concern
    received last and rated Red."""
    older = open_referrals(
        bromley, [at(2026, 11, 16, 9) + dt.timedelta(minutes=20 * i) for i in range(60)]
    )
    (consultation,) = open_referrals(bromley, [at(2026, 11, 2, 9)], kind=Referral.Kind.CONSULTATION)
    (scared,) = open_referrals(bromley, [at(2026, 11, 25, 10)])
    rater = StaffMemberFactory(boroughs=[bromley]).user
    with time_machine.travel(at(2026, 11, 25, 10, 5), tick=False):
        screening.set_urgency(
            user=rater, referral=scared.referral, rating="red", reason="I'm scared to go home"
        )
    return {"older": older, "consultation": consultation, "scared": scared}


def test_red_goes_first_in_the_queue_and_take_next_serves_it(client, bromley, story):
    screener = StaffMemberFactory(boroughs=[bromley]).user
    with time_machine.travel(at(2026, 11, 25, 10, 10), tick=False):
        page = queue_page(user=screener)
        references = [row.entry.reference for row in page.rows]
        assert references[0] == story["scared"].referral.reference
        assert story["consultation"].referral.reference not in references
        # then the others by effective due time, then received time
        rest = [r.referral.reference for r in sorted(story["older"], key=lambda r: r.due_at)]
        assert references[1:] == rest[: len(references) - 1]
        log_in_verified(client, screener)
        text = client.get("/mash/").text
        assert text.index(story["scared"].referral.reference) < text.index(rest[0])
        assert "Rated Red" in text
        record = services.take_next(user=screener)
    assert record.pk == story["scared"].pk


def test_take_next_never_serves_a_consultation(bromley, story):
    screener = StaffMemberFactory(boroughs=[bromley]).user
    served = []
    while (record := services.take_next(user=screener)) is not None:
        served.append(record.pk)
    assert len(served) == 61
    assert story["consultation"].pk not in served
    assert ScreeningRecord.objects.get(pk=story["consultation"].pk).claimed_by is None


def test_ties_on_due_time_go_by_received_time(bromley):
    # Saturday and Sunday referrals are all due at Monday's close: the earlier received first.
    sunday, saturday = open_referrals(bromley, [at(2026, 11, 22, 9), at(2026, 11, 21, 9)])
    assert sunday.due_at == saturday.due_at
    screener = StaffMemberFactory(boroughs=[bromley]).user
    assert [services.take_next(user=screener).pk for _ in range(2)] == [saturday.pk, sunday.pk]


def test_queue_shows_overdue_in_working_and_calendar_time(client, bromley):
    (record,) = open_referrals(bromley, [at(2026, 11, 20, 17)])  # due Mon 23 Nov 17:00
    screener = StaffMemberFactory(boroughs=[bromley]).user
    with time_machine.travel(at(2026, 12, 1, 17), tick=False):
        log_in_verified(client, screener)
        text = client.get("/mash/").text
    assert "due Mon 23 Nov 17:00, 8 days ago" in text
    assert "Overdue by 51 hours" in text  # 6 working days of 8h30
