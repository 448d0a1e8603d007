"""The retention schedule, enforced: travel past each period and see exactly what is gone and
what stays; a legal hold stops it; a second run does nothing; each run is audited by count."""

import datetime as dt

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test import TestCase

from contacts.calendar import LONDON
from mash import check_report
from mash.models import (
    AuditEvent,
    ConsultationAdvice,
    Decision,
    RecordCheck,
    ScreeningRecord,
    StatusCheckCode,
    UrgencyRating,
)
from notifications.models import OutboxMessage
from ops.models import RetentionPeriod
from ops.retention import REMOVED
from ops.retention import apply_retention as apply_now
from ops.schedule import DEFAULTS
from reporting.models import Carer, Child, ConsentForm, Referral
from reporting.uploads import private_storage
from tests.mash.factories import UserFactory
from tests.notifications.factories import OutboxMessageFactory
from tests.reporting.factories import ChildFactory, ReferralFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 1, 15, 11, 0, tzinfo=LONDON)
DAYS = {row["record_type"]: row["days"] for row in DEFAULTS}
Outcome = Decision.Outcome


@pytest.fixture(autouse=True)
def schedule(settings, tmp_path):
    settings.PRIVATE_STORAGE = {
        "BACKEND": "reporting.uploads.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private")},
    }
    for row in DEFAULTS:
        RetentionPeriod.objects.update_or_create(record_type=row["record_type"], defaults=row)


def apply_retention():
    """The nightly run, its after-commit work (deleting consent form files) included."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return apply_now()


def decided(bromley, outcome=None, *, kind=Referral.Kind.CONCERN, at=T0, **fields):
    """A referral received and decided at `at`, with everything that can hang off it."""
    user = UserFactory()
    referral = ReferralFactory(
        borough=bromley,
        kind=kind,
        received_at=at,
        referrer_name="Quentin Referrer",
        description="Secret description",
        wellbeing_criteria=[{"code": "low_level_neglect", "details": "Secret details"}],
        **fields,
    )
    ChildFactory(referral=referral, first_name="Zinnia", last_name="Childname")
    Carer.objects.create(referral=referral, name="Carla Carer", order=0)
    name = f"consent-{referral.pk}.pdf"
    private_storage().save(name, ContentFile(b"%PDF-1.4 signed"))
    ConsentForm.objects.create(
        referral=referral,
        stored_name=name,
        original_name="consent.pdf",
        content_type="application/pdf",
        size=15,
        sha256="0" * 64,
        uploaded_at=at,
    )
    OutboxMessageFactory(about_id=referral.pk, sent_at=at, created_at=at)
    record = ScreeningRecord.objects.create(
        referral=referral, borough=bromley, due_at=at + dt.timedelta(days=1), decided_at=at
    )
    UrgencyRating.objects.create(record=record, rating="red", reason="Secret reason", set_by=user)
    RecordCheck.objects.create(record=record, notes="Secret notes", checked_by=user)
    if kind == Referral.Kind.CONSULTATION:
        ConsultationAdvice.objects.create(record=record, advice="Secret advice", given_by=user)
    else:
        Decision.objects.create(
            record=record, outcome=outcome, rationale="Secret rationale", decided_by=user
        )
    return referral


def is_anonymised(referral) -> bool:
    referral.refresh_from_db()
    record = referral.screening
    gone = (
        referral.anonymised_at is not None
        and referral.referrer_name == ""
        and referral.description == ""
        and referral.referrer_email == ""
        and referral.wellbeing_criteria == [{"code": "low_level_neglect", "details": ""}]
        and not Child.objects.filter(referral=referral).exists()
        and not Carer.objects.filter(referral=referral).exists()
        and not ConsentForm.objects.filter(referral=referral).exists()
        and not OutboxMessage.objects.filter(about_id=referral.pk).exists()
        and not private_storage().exists(f"consent-{referral.pk}.pdf")
        and record.urgency_ratings.get().reason == ""
        and record.record_checks.get().notes == ""
    )
    if gone and hasattr(record, "decision"):
        assert record.decision.rationale == REMOVED
    if gone and hasattr(record, "consultation_advice"):
        assert record.consultation_advice.advice == REMOVED
    return gone


def untouched(referral) -> bool:
    referral.refresh_from_db()
    return (
        referral.anonymised_at is None
        and referral.referrer_name == "Quentin Referrer"
        and Child.objects.filter(referral=referral, first_name="Zinnia").exists()
        and private_storage().exists(f"consent-{referral.pk}.pdf")
        and referral.screening.record_checks.get().notes == "Secret notes"
    )


def after(days: int, extra=dt.timedelta(days=1)):
    return time_machine.travel(T0 + dt.timedelta(days=days) + extra, tick=False)


def test_each_period_takes_exactly_its_own_records(bromley):
    nfa = decided(bromley, Outcome.NO_FURTHER_ACTION)
    advice = decided(bromley, Outcome.ADVICE)
    wellbeing = decided(bromley, Outcome.FAMILY_WELLBEING)
    social_care = decided(bromley, Outcome.ASSESSMENT)
    strategy = decided(bromley, Outcome.STRATEGY)
    consultation = decided(bromley, kind=Referral.Kind.CONSULTATION)
    held = decided(bromley, Outcome.NO_FURTHER_ACTION, legal_hold=True, legal_hold_reason="Inquiry")
    still_open = ReferralFactory(borough=bromley, received_at=T0, referrer_name="Quentin Referrer")
    ScreeningRecord.objects.create(
        referral=still_open, borough=bromley, due_at=T0 + dt.timedelta(days=1)
    )

    # The day before the shortest period ends: nothing goes.
    with after(DAYS["consultation"], extra=-dt.timedelta(days=1)):
        assert apply_retention()["consultation_anonymised"] == 0
    assert untouched(consultation)

    with after(DAYS["consultation"]):
        counts = apply_retention()
    assert counts["consultation_anonymised"] == 1 and is_anonymised(consultation)
    assert all(untouched(r) for r in (nfa, advice, wellbeing, social_care, strategy, held))

    with after(DAYS["nfa_contact"]):
        counts = apply_retention()
    assert counts["nfa_contact_anonymised"] == 2
    assert counts["family_wellbeing_anonymised"] == 1
    assert is_anonymised(nfa) and is_anonymised(advice) and is_anonymised(wellbeing)
    assert untouched(social_care) and untouched(strategy)
    assert untouched(held)  # legal hold: kept whatever the schedule says

    with after(DAYS["social_care"]):
        counts = apply_retention()
        again = apply_retention()
    assert counts["social_care_anonymised"] == 2
    assert is_anonymised(social_care) and is_anonymised(strategy)
    assert untouched(held)
    still_open.refresh_from_db()
    assert still_open.anonymised_at is None and still_open.referrer_name == "Quentin Referrer"
    # Idempotent: the second run found nothing left to do.
    assert not any(value for key, value in again.items() if key.endswith("_anonymised"))

    # Lifting the hold lets the schedule take it at the next run.
    Referral.objects.filter(pk=held.pk).update(legal_hold=False)
    with after(DAYS["social_care"]):
        assert apply_retention()["nfa_contact_anonymised"] == 1
    assert is_anonymised(held)
    # The statistics stay: every referral row is still there, with its outcome.
    assert Referral.objects.count() == 8
    assert Decision.objects.filter(outcome=Outcome.ASSESSMENT).count() == 1


def test_each_run_is_audited_by_count(bromley):
    decided(bromley, Outcome.NO_FURTHER_ACTION)
    with after(DAYS["nfa_contact"]):
        apply_retention()
    event = AuditEvent.objects.filter(action="retention_applied").get()
    assert event.detail["nfa_contact_anonymised"] == 1
    assert event.user is None


def test_the_admin_edited_period_is_the_one_enforced(bromley):
    referral = decided(bromley, Outcome.NO_FURTHER_ACTION)
    RetentionPeriod.objects.filter(record_type="nfa_contact").update(days=30)
    with after(29, extra=dt.timedelta(0)):
        apply_retention()
    assert untouched(referral)
    with after(30):
        apply_retention()
    assert is_anonymised(referral)


def test_audit_events_go_after_their_period_and_only_then(bromley):
    with time_machine.travel(T0, tick=False):
        old = AuditEvent.objects.create(action="login", username="old")
    with time_machine.travel(T0 + dt.timedelta(days=30), tick=False):
        recent = AuditEvent.objects.create(action="login", username="recent")
    with after(DAYS["audit"]):
        assert apply_retention()["audit_deleted"] == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()


@pytest.mark.postgres
def test_the_audit_trail_refuses_deletes_outside_the_retention_task(bromley):
    event = AuditEvent.objects.create(action="login", username="someone")
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM mash_auditevent WHERE id = %s", [event.pk])


def test_sent_email_bodies_go_after_the_short_window_and_rows_after_the_period(settings):
    settings.OUTBOX_SENT_BODY_HOURS = 48
    with time_machine.travel(T0, tick=False):
        sent = OutboxMessageFactory(sent_at=T0, to="reader@example.org", body="Dear reader")
        unsent = OutboxMessageFactory(to="waiting@example.org", body="Still to send")
    with time_machine.travel(T0 + dt.timedelta(hours=47), tick=False):
        apply_retention()
    sent.refresh_from_db()
    assert sent.body == "Dear reader"
    with time_machine.travel(T0 + dt.timedelta(hours=49), tick=False):
        assert apply_retention()["outbox_bodies_dropped"] == 1
    sent.refresh_from_db()
    unsent.refresh_from_db()
    assert (sent.body, sent.to, sent.subject) == ("", "", "")
    assert unsent.body == "Still to send" and unsent.to == "waiting@example.org"
    with after(DAYS["outbox"]):
        assert apply_retention()["outbox_deleted"] == 1
    assert not OutboxMessage.objects.filter(pk=sent.pk).exists()
    assert OutboxMessage.objects.filter(pk=unsent.pk).exists()  # never sent: kept


def test_expired_public_sessions_are_cleared(client, bromley):
    from django.contrib.sessions.models import Session

    from ops.monitoring import clear_expired_sessions

    with time_machine.travel(T0, tick=False):
        client.get("/bromley/report/danger/")
        session = client.session
        session["x"] = 1
        session.save()
    assert Session.objects.count() == 1
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        assert clear_expired_sessions() == 0
    with time_machine.travel(T0 + dt.timedelta(hours=3), tick=False):
        assert clear_expired_sessions() == 1
    assert Session.objects.count() == 0


def test_the_privacy_notice_states_the_schedule_and_its_basis(client, bromley):
    html = client.get("/privacy/").content.decode()
    for row in DEFAULTS:
        assert row["counted_from"].split(" (")[0] in html.replace("&#x27;", "'")
    assert "Limitation Act 1980" in html and "legal hold" in html


def test_status_check_codes_go_a_day_after_they_expire(bromley):
    with time_machine.travel(T0, tick=False):
        referral = ReferralFactory(borough=bromley, referrer_email="sam@example.com")
        asked = check_report.ask_for_code(
            borough=bromley,
            reference=referral.reference,
            channel="email",
            contact="sam@example.com",
        )
    expiry = T0 + check_report.VALID_FOR
    with time_machine.travel(expiry + dt.timedelta(hours=23, minutes=59), tick=False):
        assert apply_retention()["status_codes_deleted"] == 0
    with time_machine.travel(expiry + dt.timedelta(days=1, seconds=1), tick=False):
        assert apply_retention()["status_codes_deleted"] == 1
    assert not StatusCheckCode.objects.filter(token=asked.token).exists()


def test_the_name_vocabulary_forgets_names_no_child_bears_any_more(bromley):
    from reporting.models import NameKey

    gone = decided(bromley, Outcome.NO_FURTHER_ACTION)
    ChildFactory(referral=gone, first_name="Xanthippe", last_name="Childname", order=1)
    kept = ReferralFactory(borough=bromley)  # still open: its child stays
    ChildFactory(referral=kept, first_name="Olive", last_name="Childname")
    assert {"zinnia", "xanthippe", "childname", "olive"} <= set(
        NameKey.objects.values_list("name", flat=True)
    )
    days = next(r["days"] for r in DEFAULTS if r["record_type"] == "nfa_contact")
    with after(days):
        apply_retention()
    assert is_anonymised(gone)
    left = set(NameKey.objects.values_list("name", flat=True))
    assert not {"zinnia", "xanthippe"} & left
    assert {"childname", "olive"} <= left  # another child still bears them
