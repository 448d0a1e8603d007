"""The screening queue: records opened by the submission signal, the queue page (order,
columns, filters, keyset pages, a constant number of queries), the referral summary, release
and manager reassignment."""

import datetime as dt
import re
from dataclasses import fields
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.calendar import LONDON
from mash import exceptions, services
from mash.deadlines import calendars_for, screening_due_at, state_q
from mash.models import AuditEvent, Enquiry, ScreeningRecord
from mash.selectors import (
    ENTRY_COLUMNS,
    ORDER,
    REVERSED,
    Cursor,
    QueueFilters,
    after_q,
    any_records,
    before_q,
    in_queue_order,
    open_records,
    page_entries,
    queue_page,
    scoped_boroughs,
)
from reporting.models import Referral
from reporting.services import submit_concern
from tests.mash.factories import StaffMemberFactory, log_in_verified
from tests.mash.screening_factories import ScreeningRecordFactory, open_referrals
from tests.reporting.factories import ReferralFactory, concern_answers

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=LONDON)  # a Wednesday


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=LONDON)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def both(bromley, bexley):
    return StaffMemberFactory(boroughs=[bromley, bexley]).user


@pytest.fixture
def manager(bromley):
    return StaffMemberFactory(boroughs=[bromley], manager=True).user


def staff_client(client, user):
    log_in_verified(client, user)
    return client


def references(response) -> list[str]:
    return re.findall(r'href="/mash/referrals/([A-Z]{3}-[0-9A-Z]{4}-[0-9A-Z]{4})/"', response.text)


# --- the screening record comes with the referral -----------------------------------------


class TestOpenedBySubmission:
    def test_submission_opens_a_record_due_one_working_day_later(self, bromley):
        received = at(2026, 11, 21, 14)  # a Saturday
        referral = submit_concern(borough=bromley, answers=concern_answers(), received_at=received)
        record = ScreeningRecord.objects.get(referral=referral)
        assert record.borough_id == bromley.pk
        assert record.due_at == at(2026, 11, 23, 17)  # close of Monday
        assert record.decided_at is None and record.claimed_by is None

    def test_bexley_record_uses_bexley_calendar(self, bexley):
        referral = submit_concern(
            borough=bexley, answers=concern_answers(), received_at=at(2026, 11, 23, 16)
        )
        assert referral.screening.borough == bexley
        assert referral.screening.due_at == at(2026, 11, 24, 16)

    def test_a_failing_receiver_aborts_the_submission(self, bromley):
        with (
            mock.patch("mash.receivers.screening_due_at", side_effect=RuntimeError("boom")),
            pytest.raises(RuntimeError),
        ):
            submit_concern(borough=bromley, answers=concern_answers(), received_at=NOW)
        assert not Referral.objects.exists()
        assert not ScreeningRecord.objects.exists()


# --- the queue page -------------------------------------------------------------------------


class TestQueuePage:
    def test_shows_only_my_boroughs_open_referrals_most_urgent_first(
        self, client, clock, screener, bromley, bexley
    ):
        later, sooner = open_referrals(bromley, [at(2026, 11, 25, 9), at(2026, 11, 24, 12)])
        (other,) = open_referrals(bexley, [at(2026, 11, 24, 10)])
        decided = ScreeningRecordFactory(referral=ReferralFactory(received_at=at(2026, 11, 20, 9)))
        ScreeningRecord.objects.filter(pk=decided.pk).update(decided_at=NOW)
        response = staff_client(client, screener).get("/mash/")
        assert response.status_code == 200
        assert references(response) == [sooner.referral.reference, later.referral.reference]
        assert other.referral.reference not in response.text
        assert decided.referral.reference not in response.text
        assert response["Cache-Control"].count("no-store") == 1

    def test_row_shows_kind_borough_received_time_left_state_and_holder(
        self, client, clock, screener, bromley
    ):
        overdue, amber, green = open_referrals(
            bromley, [at(2026, 11, 23, 9), at(2026, 11, 24, 12), at(2026, 11, 25, 10)]
        )
        ScreeningRecord.objects.filter(pk=amber.pk).update(claimed_by=screener, claimed_at=NOW)
        text = staff_client(client, screener).get("/mash/").text
        rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", text, re.S)[1:]
        assert len(rows) == 3
        # Overdue since Tuesday 09:00 -> 8h30 Tuesday? No: due Tue 24 09:00; now Wed 11:00:
        # 8h Tuesday (09:00-17:00) + 2h30 Wednesday (08:30-11:00) = 10h30 overdue.
        assert "Concern about a child" in rows[0] and "Bromley" in rows[0]
        assert "23 Nov 2026, 09:00" in rows[0]
        assert "Overdue by 10 hours 30 minutes" in rows[0]
        assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in rows[0]
        assert "Nobody" in rows[0]
        # Received Tue 12:00, due Wed 12:00: 1 hour left -> amber, held by me
        assert "1 hour<" in rows[1]
        assert '<strong class="govuk-tag govuk-tag--yellow">Due soon</strong>' in rows[1]
        assert "You" in rows[1]
        # Received Wed 10:00, due Thu 10:00: 7h30 left -> green
        assert "7 hours 30 minutes" in rows[2]
        assert '<strong class="govuk-tag govuk-tag--green">On track</strong>' in rows[2]

    def test_holder_is_named_for_others(self, client, clock, screener, bromley):
        colleague = StaffMemberFactory(boroughs=[bromley]).user
        (record,) = open_referrals(bromley, [at(2026, 11, 24, 12)])
        ScreeningRecord.objects.filter(pk=record.pk).update(claimed_by=colleague, claimed_at=NOW)
        text = staff_client(client, screener).get("/mash/").text
        assert colleague.get_full_name() in text

    def test_row_values_are_escaped_once(self, client, clock, screener, bromley):
        colleague = StaffMemberFactory(boroughs=[bromley]).user
        colleague.first_name, colleague.last_name = '<b>Ann & "Bo\'s"', "</td>"
        colleague.save()
        bromley.name = "Brom<ley> & Co"
        bromley.save()
        (record,) = open_referrals(bromley, [at(2026, 11, 24, 12)])
        ScreeningRecord.objects.filter(pk=record.pk).update(claimed_by=colleague, claimed_at=NOW)
        text = staff_client(client, screener).get("/mash/").text
        assert "&lt;b&gt;Ann &amp; &quot;Bo&#x27;s&quot; &lt;/td&gt;</td>" in text
        assert '<td class="govuk-table__cell">Brom&lt;ley&gt; &amp; Co</td>' in text
        assert "<b>Ann" not in text and "&amp;lt;" not in text and "&amp;amp;" not in text

    def test_viewing_the_queue_is_audited(self, client, clock, screener, bromley):
        open_referrals(bromley, [at(2026, 11, 24, 12)])
        staff_client(client, screener).get("/mash/?state=red")
        event = AuditEvent.objects.filter(action="queue_viewed").get()
        assert event.user == screener
        assert event.detail["filters"] == {"state": "red"}

    def test_empty_queue(self, client, clock, screener):
        text = staff_client(client, screener).get("/mash/").text
        assert "There are no referrals waiting to be screened." in text


class TestFilters:
    @pytest.fixture
    def mixed(self, bromley, bexley, both):
        received = [at(2026, 11, 23, 9), at(2026, 11, 24, 12), at(2026, 11, 25, 10)]
        records = {
            "bromley": open_referrals(bromley, received),
            "bexley": open_referrals(
                bexley, received, kind=Referral.Kind.FAMILY_WELLBEING, channel="phone"
            ),
        }
        ScreeningRecord.objects.filter(pk=records["bexley"][2].pk).update(
            claimed_by=both, claimed_at=NOW
        )
        return records

    def refs(self, client, query):
        return set(references(client.get("/mash/", query)))

    def names(self, records):
        return {r.referral.reference for r in records}

    def test_borough(self, client, clock, both, mixed):
        c = staff_client(client, both)
        assert self.refs(c, {"borough": "bexley"}) == self.names(mixed["bexley"])
        assert self.refs(c, {"borough": "bromley"}) == self.names(mixed["bromley"])
        assert self.refs(c, {}) == self.names(mixed["bromley"] + mixed["bexley"])

    def test_kind(self, client, clock, both, mixed):
        c = staff_client(client, both)
        assert self.refs(c, {"kind": "family_wellbeing"}) == self.names(mixed["bexley"])
        assert self.refs(c, {"kind": "concern"}) == self.names(mixed["bromley"])

    def test_state(self, client, clock, both, mixed):
        c = staff_client(client, both)
        # Bexley opens at 09:00 and Bromley at 08:30, but the due times are the same moments:
        # received Mon 09:00 -> overdue; Tue 12:00 -> due Wed 12:00 (amber); Wed 10:00 -> green
        brm, bxl = mixed["bromley"], mixed["bexley"]
        assert self.refs(c, {"state": "red"}) == self.names([brm[0], bxl[0]])
        assert self.refs(c, {"state": "amber"}) == self.names([brm[1], bxl[1]])
        assert self.refs(c, {"state": "green"}) == self.names([brm[2], bxl[2]])
        assert self.refs(c, {"state": "green", "borough": "bexley"}) == self.names([bxl[2]])

    def test_state_follows_the_clock(self, client, both, mixed):
        brm = mixed["bromley"]
        with time_machine.travel(at(2026, 11, 25, 12, 30), tick=False):
            c = staff_client(client, both)
            # Wed 10:00 received -> due Thu 10:00 (Bromley): 4h30 + 1h30 = 6h left -> green
            assert self.names([brm[2]]) <= self.refs(c, {"state": "green"})
            assert self.names([brm[1]]) <= self.refs(c, {"state": "red"})
        with time_machine.travel(at(2026, 11, 26, 8, 45), tick=False):
            c = staff_client(client, both)
            assert self.names([brm[2]]) <= self.refs(c, {"state": "amber"})

    def test_mine(self, client, clock, both, mixed):
        c = staff_client(client, both)
        assert self.refs(c, {"mine": "1"}) == self.names([mixed["bexley"][2]])

    def test_unknown_values_filter_nothing(self, client, clock, both, mixed):
        c = staff_client(client, both)
        everything = self.names(mixed["bromley"] + mixed["bexley"])
        assert self.refs(c, {"kind": "nonsense", "state": "purple"}) == everything

    def test_another_boroughs_filter_shows_nothing(self, client, clock, screener, mixed):
        response = staff_client(client, screener).get("/mash/", {"borough": "bexley"})
        assert references(response) == []
        assert "No referrals match your filters." in response.text
        for record in mixed["bexley"]:
            assert record.referral.reference not in response.text
        assert ">Bexley<" not in response.text

    def test_selector_matches_the_state_of_every_row(self, clock, both, mixed):
        for state in ("red", "amber", "green"):
            page = queue_page(user=both, filters=QueueFilters(state=state))
            assert page.rows
            assert {row.deadline.state.value for row in page.rows} == {state}


class TestKeysetPages:
    @pytest.fixture
    def many(self, bromley):
        # 120 referrals, several sharing a received time (and so a due time): ties by id.
        received = [at(2026, 11, 16, 9) + dt.timedelta(minutes=10 * (i // 3)) for i in range(120)]
        return open_referrals(bromley, received)

    def ordered(self, many):
        return [
            r.referral.reference
            for r in sorted(many, key=lambda r: (r.due_at, r.received_at, r.pk))  # queue order
        ]

    def test_pages_forward_and_back(self, client, clock, screener, many):
        c = staff_client(client, screener)
        expected = self.ordered(many)
        first = c.get("/mash/")
        assert references(first) == expected[:50]
        assert "Previous<span" not in first.text
        next_url = (
            re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
        )
        second = c.get(next_url)
        assert references(second) == expected[50:100]
        third_url = re.search(r'href="([^"]+)" rel="next"', second.text).group(1)
        third = c.get(third_url.replace("&amp;", "&"))
        assert references(third) == expected[100:]
        assert 'rel="next"' not in third.text
        back_url = re.search(r'href="([^"]+)" rel="prev"', third.text).group(1)
        back = c.get(back_url.replace("&amp;", "&"))
        assert references(back) == expected[50:100]
        first_again = c.get(
            re.search(r'href="([^"]+)" rel="prev"', back.text).group(1).replace("&amp;", "&")
        )
        assert references(first_again) == expected[:50]
        assert 'rel="prev"' not in first_again.text

    def test_pages_keep_the_filters(self, client, clock, screener, many):
        text = staff_client(client, screener).get("/mash/", {"state": "red"}).text
        next_url = re.search(r'href="([^"]+)" rel="next"', text).group(1)
        assert "state=red" in next_url

    def test_a_bad_cursor_is_the_first_page(self, client, clock, screener, many):
        c = staff_client(client, screener)
        assert references(c.get("/mash/", {"after": "x-y"})) == self.ordered(many)[:50]
        assert (
            references(c.get("/mash/", {"before": "99999999999999999999-1"}))
            == (self.ordered(many)[:50])
        )

    def test_cursor_round_trip(self, many):
        record = many[7]
        assert Cursor.decode(Cursor.of(record).encode()) == Cursor(
            1, record.effective_due_at, record.received_at, record.pk
        )
        assert Cursor.decode("") is None and Cursor.decode("12-") is None
        assert Cursor.decode("-1-1-1-1") is None

    def test_a_claim_between_pages_does_not_shift_them(self, client, clock, screener, many):
        """Keyset pages are stable: a record decided on page 1 does not push one off page 2."""
        c = staff_client(client, screener)
        expected = self.ordered(many)
        first = c.get("/mash/")
        ScreeningRecord.objects.filter(referral__reference=expected[0]).update(decided_at=NOW)
        next_url = re.search(r'href="([^"]+)" rel="next"', first.text).group(1)
        assert references(c.get(next_url.replace("&amp;", "&"))) == expected[50:100]


class TestConstantQueries:
    def count(self, client, url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    def test_queries_per_page_do_not_grow_with_the_queue(
        self, client, clock, both, bromley, bexley, django_assert_num_queries
    ):
        c = staff_client(client, both)
        open_referrals(bromley, [at(2026, 11, 24, 12)])
        self.count(c, "/mash/")  # the boroughs' calendars are built once, then memoised
        small, _ = self.count(c, "/mash/")
        received = [at(2026, 11, 10, 9) + dt.timedelta(minutes=7 * i) for i in range(300)]
        open_referrals(bromley, received)
        open_referrals(bexley, received, kind=Referral.Kind.FAMILY_WELLBEING)
        with django_assert_num_queries(small):
            response = c.get("/mash/")
        assert len(references(response)) == 50
        # a deep page (cursor) costs at most one query more: the EXISTS for "Previous page"
        deep_url = (
            "/mash/?" + "after=" + Cursor.of(ScreeningRecord.objects.order_by(*ORDER)[400]).encode()
        )
        with django_assert_num_queries(small + 1):
            response = c.get(deep_url)
        assert len(references(response)) == 50
        with django_assert_num_queries(small + 1):
            response = c.get(deep_url + "&state=red&kind=family_wellbeing&mine=&borough=bexley")

    def test_selector_query_count_is_fixed(self, clock, both, bromley, django_assert_num_queries):
        open_referrals(
            bromley, [at(2026, 11, 10, 9) + dt.timedelta(minutes=7 * i) for i in range(200)]
        )
        both.staff  # noqa: B018  (the decorator has loaded it in a request)
        queue_page(user=both)  # builds the boroughs' calendars (memoised per data_version)
        # the boroughs + the page
        with django_assert_num_queries(2):
            page = queue_page(user=both, page_size=100)
        assert len(page.rows) == 100
        with django_assert_num_queries(3):
            page = queue_page(user=both, after=page.next_cursor, page_size=100)
        assert len(page.rows) == 100 and page.has_previous and not page.has_next


# --- the referral summary, take next, release, reassign ---------------------------------


class TestReferralPage:
    def test_summary_is_shown_and_audited(self, client, clock, screener, bromley):
        referral = submit_concern(
            borough=bromley, answers=concern_answers(), received_at=at(2026, 11, 24, 12)
        )
        response = staff_client(client, screener).get(f"/mash/referrals/{referral.reference}/")
        assert response.status_code == 200
        text = response.text
        assert referral.reference in text and "Amira Hughes" in text and "Neglect" in text
        assert "Wednesday 25 November 2026, 12:00" in text  # due
        assert "Due soon" in text
        event = AuditEvent.objects.get(action="referral_viewed", referral=referral)
        assert event.user == screener

    def test_lower_case_reference_works(self, client, clock, screener, bromley):
        (record,) = open_referrals(bromley, [at(2026, 11, 24, 12)])
        url = f"/mash/referrals/{record.referral.reference.lower()}/"
        assert staff_client(client, screener).get(url).status_code == 200

    def test_other_borough_is_404(self, client, clock, screener, bexley):
        (record,) = open_referrals(bexley, [at(2026, 11, 24, 12)])
        response = staff_client(client, screener).get(
            f"/mash/referrals/{record.referral.reference}/"
        )
        assert response.status_code == 404
        assert record.referral.reference not in response.text


class TestTakeNextView:
    def test_take_next_claims_and_opens_the_most_urgent(self, client, clock, screener, bromley):
        later, sooner = open_referrals(bromley, [at(2026, 11, 25, 9), at(2026, 11, 24, 12)])
        response = staff_client(client, screener).post("/mash/take-next/")
        assert response.status_code == 302
        assert response["Location"] == f"/mash/referrals/{sooner.referral.reference}/"
        sooner.refresh_from_db()
        assert sooner.claimed_by == screener and sooner.claimed_at == NOW
        page = client.get(response["Location"])
        assert f"You are now screening {sooner.referral.reference}" in page.text
        assert AuditEvent.objects.filter(
            action="referral_claimed", referral=sooner.referral
        ).exists()

    def test_nothing_left(self, client, clock, screener):
        response = staff_client(client, screener).post("/mash/take-next/", follow=True)
        assert "There are no referrals waiting that nobody holds." in response.text

    def test_get_is_not_allowed(self, client, clock, screener):
        assert staff_client(client, screener).get("/mash/take-next/").status_code == 405


class TestRelease:
    def test_holder_releases(self, client, clock, screener, bromley):
        (record,) = open_referrals(bromley, [at(2026, 11, 24, 12)])
        services.take_next(user=screener)
        c = staff_client(client, screener)
        response = c.post(f"/mash/referrals/{record.referral.reference}/release/")
        assert response.status_code == 302
        record.refresh_from_db()
        assert record.claimed_by is None and record.claimed_at is None
        assert AuditEvent.objects.filter(action="referral_released", user=screener).exists()

    def test_someone_else_cannot_release(self, client, clock, screener, bromley):
        colleague = StaffMemberFactory(boroughs=[bromley]).user
        (record,) = open_referrals(bromley, [at(2026, 11, 24, 12)])
        services.take_next(user=colleague)
        record.refresh_from_db()
        with pytest.raises(exceptions.NotHolder):
            services.release(user=screener, record=record)
        response = staff_client(client, screener).post(
            f"/mash/referrals/{record.referral.reference}/release/", follow=True
        )
        assert "You do not hold this referral" in response.text
        record.refresh_from_db()
        assert record.claimed_by == colleague

    def test_manager_may_release(self, clock, manager, screener, bromley):
        (record,) = open_referrals(bromley, [at(2026, 11, 24, 12)])
        services.take_next(user=screener)
        record.refresh_from_db()
        services.release(user=manager, record=record)
        record.refresh_from_db()
        assert record.claimed_by is None
        event = AuditEvent.objects.get(action="referral_released")
        assert event.user == manager and event.detail["holder"] == screener.pk


class TestReassign:
    def test_manager_reassigns_through_the_page(self, client, clock, manager, screener, bromley):
        (record,) = open_referrals(bromley, [at(2026, 11, 24, 12)])
        c = staff_client(client, manager)
        url = f"/mash/referrals/{record.referral.reference}/reassign/"
        page = c.get(url)
        assert page.status_code == 200 and screener.get_full_name() in page.text
        error = c.post(url, {"to": ""})
        assert error.status_code == 200 and "Select who should screen this referral" in error.text
        assert error.text.count("Error: ") >= 1
        done = c.post(url, {"to": screener.pk})
        assert done.status_code == 302
        record.refresh_from_db()
        assert record.claimed_by == screener
        event = AuditEvent.objects.get(action="referral_reassigned")
        assert event.user == manager and event.detail["to"] == screener.pk

    def test_screeners_cannot_reassign(self, client, clock, screener, bromley):
        (record,) = open_referrals(bromley, [at(2026, 11, 24, 12)])
        url = f"/mash/referrals/{record.referral.reference}/reassign/"
        assert staff_client(client, screener).get(url).status_code == 403
        with pytest.raises(exceptions.NotAllowed):
            services.reassign(manager=screener, record=record, to_user=screener)

    def test_only_to_staff_of_that_borough(self, clock, manager, bromley, bexley):
        outsider = StaffMemberFactory(boroughs=[bexley]).user
        (record,) = open_referrals(bromley, [at(2026, 11, 24, 12)])
        with pytest.raises(exceptions.NotAllowed):
            services.reassign(manager=manager, record=record, to_user=outsider)
        record.refresh_from_db()
        assert record.claimed_by is None

    def test_manager_of_another_borough_cannot(self, clock, bexley, bromley, screener):
        other_manager = StaffMemberFactory(boroughs=[bexley], manager=True).user
        (record,) = open_referrals(bromley, [at(2026, 11, 24, 12)])
        with pytest.raises(exceptions.NotAllowed):
            services.reassign(manager=other_manager, record=record, to_user=screener)


def test_due_time_matches_deadlines_module(bromley):
    (record,) = open_referrals(bromley, [at(2026, 12, 24, 15)])
    assert record.due_at == screening_due_at(bromley, at(2026, 12, 24, 15)) == at(2026, 12, 29, 15)


class TestPageQuery:
    """`page_entries` (the page query written out) answers exactly what `in_queue_order` over
    ENTRY_COLUMNS answers, whatever the filters, cursor and direction."""

    @pytest.fixture
    def records(self, bromley, bexley, both):
        received = [at(2026, 11, 16, 9) + dt.timedelta(minutes=50 * i) for i in range(40)]
        records = open_referrals(bromley, received[::2]) + open_referrals(
            bexley, received[1::2], kind=Referral.Kind.FAMILY_WELLBEING
        )
        ScreeningRecord.objects.filter(pk__in=[r.pk for r in records[3:30:4]]).update(rank=0)
        ScreeningRecord.objects.filter(pk__in=[r.pk for r in records[::5]]).update(
            claimed_by=both, claimed_at=NOW
        )
        Enquiry.objects.create(
            record=records[7], agency="probation", question="Known?", requested_by=both
        )
        answered = Enquiry.objects.create(
            record=records[8], agency="police", question="Known?", requested_by=both
        )
        Enquiry.objects.filter(pk=answered.pk).update(answered_at=NOW, answer="No")
        return records

    def test_same_rows_as_the_orm(self, clock, both, records):
        def values(entry):  # every column but the borough object
            return tuple(getattr(entry, f.name) for f in fields(entry) if f.name != "borough")

        boroughs = {b.pk: b for b in scoped_boroughs(both)}
        base = open_records(user=both)
        cursor = Cursor.of(ScreeningRecord.objects.order_by(*ORDER)[17])
        filtered = [
            base,
            base.filter(kind=Referral.Kind.FAMILY_WELLBEING),
            base.filter(claimed_by=both),
            base.filter(after_q(cursor)),
            base.filter(before_q(cursor)),
            base.filter(claimed_by=both).filter(after_q(cursor)),
        ]
        now = timezone.now()
        calendars = calendars_for(boroughs.values())
        for state in ("red", "amber", "green"):
            filtered.append(base.filter(state_q(state, now, calendars)))
        for records_ in filtered:
            for order in (ORDER, REVERSED):
                for limit in (1, 7, 50):
                    listing = records_.annotate(has_open_enquiry=Enquiry.open_exists())
                    expected = list(
                        in_queue_order(listing.values_list(*ENTRY_COLUMNS), order, limit)
                    )
                    found = page_entries(records_, order, limit, boroughs)
                    assert [values(e) for e in found] == expected
                    assert all(e.borough is boroughs[e.borough_id] for e in found)
            assert any_records(records_) == records_.exists()
        flags = {e.pk: e.has_open_enquiry for e in page_entries(base, ORDER, 50, boroughs)}
        assert flags[records[7].pk] and not flags[records[8].pk]
        assert sum(flags.values()) == 1

    def test_nothing_matches(self, clock, both, records):
        boroughs = {b.pk: b for b in scoped_boroughs(both)}
        assert page_entries(open_records(user=both, boroughs=[]), ORDER, 50, boroughs) == []
        assert page_entries(open_records(user=both).filter(pk__in=[]), ORDER, 5, boroughs) == []
        assert not any_records(open_records(user=both, boroughs=[]))
        last = Cursor.of(open_records(user=both).order_by(*REVERSED).first())
        assert not any_records(open_records(user=both).filter(after_q(last)))
        assert any_records(open_records(user=both).filter(before_q(last)))


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 7, 1, 8, 30, 15, 999_999, tzinfo=dt.UTC),  # summer time
        dt.datetime(2026, 11, 25, 23, 59, 59, 1, tzinfo=dt.UTC),
        at(2026, 3, 29, 3, 0),  # just after the clocks went forward
    ],
)
def test_row_times_are_written_as_the_iso_datetime_filter_writes_them(moment):
    from django.template.defaultfilters import date as date_filter

    from mash.queue_table import when
    from reporting.templatetags.govuk_extras import iso_datetime

    iso, shown = when(moment)
    assert iso == iso_datetime(moment)
    assert shown == date_filter(timezone.localtime(moment), "j M Y, H:i")
