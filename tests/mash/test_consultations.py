"""The consultation queue: consultation requests of the user's boroughs, the earliest callback
window first, open/closed; claiming (atomic: of two claims one wins); recording the advice
given (required; who, when) closes it; audited; another borough's request is a 404."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from contacts.calendar import LONDON
from mash import consultations, exceptions
from mash.models import AuditEvent, ConsultationAdvice, ScreeningRecord
from reporting.answers import ConsultationAnswers, ProfessionalAnswers
from reporting.family_services import submit_consultation
from reporting.models import Referral
from tests.mash.factories import StaffMemberFactory, log_in_password_only, log_in_verified

NOW = dt.datetime(2026, 11, 24, 11, 0, tzinfo=LONDON)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def consultation(borough, *, day=None, start="10:00", end="11:00", received=None, name="Jo Bell"):
    """A consultation request submitted as the public journey submits it (screening record
    from the signal)."""
    return submit_consultation(
        borough=borough,
        answers=ConsultationAnswers(
            professional=ProfessionalAnswers(
                name=name,
                organisation="Hillside Primary School",
                role="Designated safeguarding lead",
                email="jo.bell@school.example",
                phone="020 8461 7373",
            ),
            description="A pupil has been coming in hungry; not sure it meets the threshold.",
            callback_date=day or dt.date(2026, 11, 26),
            callback_start=dt.time.fromisoformat(start),
            callback_end=dt.time.fromisoformat(end),
        ),
        received_at=received or NOW - dt.timedelta(hours=1),
    )


@pytest.fixture
def other_screener(bromley):
    return StaffMemberFactory(boroughs=[bromley]).user


# -- the queue ---------------------------------------------------------------------------------
def test_queue_lists_own_borough_open_requests_earliest_callback_first(
    clock, client_in, bromley, bexley
):
    later = consultation(bromley, day=dt.date(2026, 11, 27), received=NOW - dt.timedelta(days=2))
    same_day_late = consultation(bromley, day=dt.date(2026, 11, 26), start="15:00", end="16:00")
    first = consultation(bromley, day=dt.date(2026, 11, 26), start="09:00", end="09:30")
    elsewhere = consultation(bexley, day=dt.date(2026, 11, 25))
    concern = Referral.objects.create(
        borough=bromley, reference="BRM-0000-0001", received_at=NOW, description="x"
    )
    response = client_in.get("/mash/consultations/")
    assert response.status_code == 200
    refs = [r.reference for r in response.context["rows"]]
    assert refs == [first.reference, same_day_late.reference, later.reference]
    html = response.content.decode()
    assert elsewhere.reference not in html and concern.reference not in html
    assert AuditEvent.objects.filter(action="consultations_viewed").count() == 1


def test_closed_filter(clock, client_in, screener, bromley):
    open_one, closed_one = consultation(bromley), consultation(bromley)
    consultations.record_advice(user=screener, referral=closed_one, advice="Talked it through.")
    response = client_in.get("/mash/consultations/?status=closed")
    assert [r.reference for r in response.context["rows"]] == [closed_one.reference]
    assert "Talked it through" not in response.content.decode()  # advice on its own page
    assert screener.get_full_name() in response.content.decode()  # who gave it
    response = client_in.get("/mash/consultations/")
    assert [r.reference for r in response.context["rows"]] == [open_one.reference]
    response = client_in.get("/mash/consultations/?status=nonsense")
    assert response.context["status"] == "open"


# -- claiming ----------------------------------------------------------------------------------
def test_claim_through_the_page(clock, client_in, screener, bromley):
    request = consultation(bromley)
    url = reverse("mash:consultation_claim", args=[request.reference])
    response = client_in.post(url)
    assert response.status_code == 302
    record = ScreeningRecord.objects.get(referral=request)
    assert record.claimed_by == screener and record.claimed_at == NOW
    event = AuditEvent.objects.get(action="consultation_claimed")
    assert event.user == screener and event.referral == request


def test_a_claimed_consultation_cannot_be_claimed_again(clock, screener, other_screener, bromley):
    request = consultation(bromley)
    consultations.claim(user=screener, referral=request)
    with pytest.raises(exceptions.AlreadyClaimed):
        consultations.claim(user=other_screener, referral=request)
    # Claiming again your own claim is harmless.
    consultations.claim(user=screener, referral=request)
    assert ScreeningRecord.objects.get(referral=request).claimed_by == screener
    assert AuditEvent.objects.filter(action="consultation_claimed").count() == 1


def test_two_claims_at_once_one_wins(clock, screener, other_screener, bromley):
    """Both claimants read the record as unclaimed; only one conditional UPDATE succeeds."""
    request = consultation(bromley)
    results = {}
    for user in (screener, other_screener):
        try:
            consultations.claim(user=user, referral=request)
            results[user.pk] = "won"
        except exceptions.AlreadyClaimed:
            results[user.pk] = "lost"
    assert sorted(results.values()) == ["lost", "won"]
    record = ScreeningRecord.objects.get(referral=request)
    assert results[record.claimed_by_id] == "won"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_on_postgres_one_wins(seeded_boroughs):
    from contacts.models import Borough

    bromley = Borough.objects.get(slug="bromley")
    request = consultation(bromley)
    users = [StaffMemberFactory(boroughs=[bromley]).user for _ in range(8)]
    barrier = threading.Barrier(len(users))
    outcomes = []

    def claim(user):
        try:
            barrier.wait()
            consultations.claim(user=user, referral=request)
            outcomes.append("won")
        except exceptions.AlreadyClaimed:
            outcomes.append("lost")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("won") == 1 and outcomes.count("lost") == len(users) - 1
    assert AuditEvent.objects.filter(action="consultation_claimed").count() == 1


# -- advice ------------------------------------------------------------------------------------
def test_record_advice_closes_it(clock, client_in, screener, bromley):
    request = consultation(bromley)
    client_in.post(reverse("mash:consultation_claim", args=[request.reference]))
    url = reverse("mash:consultation_advice", args=[request.reference])
    response = client_in.post(url, {"advice": "  Agreed the school offers early help.\r\n"})
    assert response.status_code == 302
    advice = ConsultationAdvice.objects.get()
    assert advice.advice == "Agreed the school offers early help."
    assert advice.given_by == screener and advice.given_at == NOW
    record = ScreeningRecord.objects.get(referral=request)
    assert record.decided_at == NOW
    event = AuditEvent.objects.get(action="consultation_advice_recorded")
    assert event.referral == request and event.user == screener
    page = client_in.get(reverse("mash:consultation", args=[request.reference]))
    html = page.content.decode()
    assert "Agreed the school offers early help." in html and "Closed" in html
    # The screening page of a closed consultation still opens (no screening decision).
    assert client_in.get(reverse("mash:screening", args=[request.reference])).status_code == 200
    # Closed: it leaves the open list, and advice cannot be recorded again.
    assert not consultations.consultation_queue(user=screener).exists()
    with pytest.raises(exceptions.AlreadyClosed):
        consultations.record_advice(user=screener, referral=request, advice="More")
    with pytest.raises(exceptions.AlreadyClosed):
        consultations.claim(user=screener, referral=request)


def test_advice_is_required(clock, client_in, bromley):
    request = consultation(bromley)
    url = reverse("mash:consultation_advice", args=[request.reference])
    response = client_in.post(url, {"advice": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors["advice"] == ["Enter the advice given"]
    assert b"Error: Consultation" in response.content
    assert not ConsultationAdvice.objects.exists()
    assert ScreeningRecord.objects.get(referral=request).decided_at is None
    with pytest.raises(ValidationError):
        consultations.record_advice(user=response.wsgi_request.user, referral=request, advice="")


def test_advice_too_long(clock, client_in, bromley):
    request = consultation(bromley)
    url = reverse("mash:consultation_advice", args=[request.reference])
    response = client_in.post(url, {"advice": "x" * (consultations.ADVICE_MAX + 1)})
    assert response.context["form"].errors["advice"] == [
        f"Advice given must be {consultations.ADVICE_MAX:,} characters or less"
    ]


def test_advice_unclaimed_claims_it(clock, screener, bromley):
    request = consultation(bromley)
    consultations.record_advice(user=screener, referral=request, advice="Advice")
    record = ScreeningRecord.objects.get(referral=request)
    assert record.claimed_by == screener and record.claimed_at == NOW


def test_advice_refused_when_someone_else_holds_it(
    clock, client, screener, other_screener, bromley
):
    request = consultation(bromley)
    consultations.claim(user=other_screener, referral=request)
    with pytest.raises(exceptions.AlreadyClaimed):
        consultations.record_advice(user=screener, referral=request, advice="Advice")
    log_in_verified(client, screener)
    url = reverse("mash:consultation_advice", args=[request.reference])
    response = client.post(url, {"advice": "Advice"})
    assert response.status_code == 302
    assert not ConsultationAdvice.objects.exists()
    page = client.get(reverse("mash:consultation", args=[request.reference]))
    assert b"Only the person holding this consultation" in page.content


# -- scoping -----------------------------------------------------------------------------------
def urls(reference):
    return [
        ("get", reverse("mash:consultation", args=[reference])),
        ("post", reverse("mash:consultation_claim", args=[reference])),
        ("post", reverse("mash:consultation_advice", args=[reference])),
    ]


def test_another_borough_is_404_everywhere(clock, client_in, bexley):
    request = consultation(bexley)
    for method, url in urls(request.reference):
        response = getattr(client_in, method)(url, {"advice": "Advice"})
        assert response.status_code == 404, url
    record = ScreeningRecord.objects.get(referral=request)
    assert record.claimed_by is None and record.decided_at is None
    assert AuditEvent.objects.filter(action="access_refused", referral=request).count() == 3
    with pytest.raises(exceptions.OutOfScope):
        consultations.claim(user=_user(client_in), referral=request)


def _user(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def test_a_concern_is_not_a_consultation(clock, client_in, bromley):
    concern = Referral.objects.create(
        borough=bromley, reference="BRM-0000-0002", received_at=NOW, description="x"
    )
    ScreeningRecord.objects.create(referral=concern, borough=bromley, due_at=NOW)
    for method, url in urls(concern.reference):
        assert getattr(client_in, method)(url).status_code == 404
    with pytest.raises(exceptions.OutOfScope):
        consultations.claim(user=_user(client_in), referral=concern)


def test_password_only_and_anonymous_are_sent_to_sign_in(clock, client, screener, bromley):
    request = consultation(bromley)
    all_urls = [("get", "/mash/consultations/"), *urls(request.reference)]
    for method, url in all_urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/mash/login/" in response["Location"], url
    log_in_password_only(client, screener)
    for method, url in all_urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/mash/login/" in response["Location"], url
    record = ScreeningRecord.objects.get(referral=request)
    assert record.claimed_by is None


def test_viewing_a_consultation_is_audited(clock, client_in, bromley):
    request = consultation(bromley)
    response = client_in.get(reverse("mash:consultation", args=[request.reference]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hillside Primary School" in html
    assert "020 8461 7373" in html and "+442084617373" not in html
    event = AuditEvent.objects.get(action="referral_viewed")
    assert event.referral == request and event.detail["page"] == "consultation"


def test_a_consultation_closed_by_a_screening_decision(clock, client_in, bromley):
    request = consultation(bromley)
    ScreeningRecord.objects.filter(referral=request).update(decided_at=NOW)
    page = client_in.get(reverse("mash:consultation", args=[request.reference]))
    html = page.content.decode()
    assert "Closed by a screening decision" in html
    assert "Record advice and close" not in html and "Claim this consultation" not in html
    listed = client_in.get("/mash/consultations/?status=closed")
    assert [r.reference for r in listed.context["rows"]] == [request.reference]
