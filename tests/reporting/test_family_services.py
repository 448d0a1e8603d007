"""submit_family_wellbeing, submit_self_referral, submit_consultation: one transaction each."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts.calendar import LONDON
from notifications.models import OutboxMessage
from reporting import uploads
from reporting.answers import (
    CarerAnswers,
    ConsentAnswers,
    ConsultationAnswers,
    Criterion,
    FamilyWellbeingAnswers,
    ProfessionalAnswers,
    SelfReferralAnswers,
    SelfReporter,
)
from reporting.family_services import (
    submit_consultation,
    submit_family_wellbeing,
    submit_self_referral,
)
from reporting.models import Carer, Child, ConsentForm, Referral
from reporting.signals import referral_submitted
from tests.reporting.factories import PROFESSIONAL, child, eager_celery  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.PRIVATE_STORAGE = {
        "BACKEND": "reporting.uploads.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private")},
    }
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def stored():
    file = SimpleUploadedFile("consent.pdf", PDF, content_type="application/pdf")
    return uploads.store_consent_file(file, uploads.validate_consent_file(file))


def fw_answers(stored_file: dict) -> FamilyWellbeingAnswers:
    return FamilyWellbeingAnswers(
        professional=ProfessionalAnswers(**PROFESSIONAL),
        consent=ConsentAnswers(
            given=True,
            consented_by="Sara Hughes",
            consent_date=dt.date(2026, 11, 20),
            file=stored_file,
        ),
        children=[child()],
        carers=[
            CarerAnswers(
                name="Sara Hughes",
                relationship="Mother",
                phone="07911 123456",
                email="",
                address="12 Station Road",
                postcode="br1 3uh",
                language="Polish",
                interpreter_needed=True,
            )
        ],
        criteria=[Criterion("substance_misuse", "Dad drinks most days.")],
        support_tried="Referred to the school nurse.",
        other_agencies="",
    )


def test_family_wellbeing_saved_with_its_consent_form(
    bromley, stored, django_capture_on_commit_callbacks, mailoutbox
):
    seen = []

    def receiver(sender, referral, **kwargs):
        # Inside the transaction: children, carers and the consent form are already there.
        seen.append(
            (referral.children.count(), referral.carers.count(), referral.consent_forms.count())
        )

    referral_submitted.connect(receiver, weak=False, dispatch_uid="test-fw")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            referral = submit_family_wellbeing(borough=bromley, answers=fw_answers(stored))
    finally:
        referral_submitted.disconnect(dispatch_uid="test-fw")
    assert seen == [(1, 1, 1)]
    referral.refresh_from_db()
    assert referral.reference.startswith("BRM-")
    assert referral.kind == "family_wellbeing" and referral.received_at == NOON
    assert referral.contact_source == "2A"  # a school's safeguarding lead (reporting.sources)
    assert referral.referrer_email == PROFESSIONAL["email"] and referral.role.startswith(
        "Designated"
    )
    assert referral.wellbeing_criteria == [
        {"code": "substance_misuse", "details": "Dad drinks most days."}
    ]
    assert "Dad drinks most days." in referral.description
    form = referral.consent_forms.get()
    assert form.stored_name == stored["stored_name"] and form.sha256 == stored["sha256"]
    carer = referral.carers.get()
    assert carer.postcode == "BR1 3UH" and carer.interpreter_needed
    message = OutboxMessage.objects.get()
    assert message.to == PROFESSIONAL["email"] and message.sent_at is not None
    assert len(mailoutbox) == 1 and referral.reference in mailoutbox[0].body
    assert "Amira" not in mailoutbox[0].body
    # Attached files survive the clean-up.
    assert uploads.delete_abandoned_uploads(now=NOON + dt.timedelta(days=30)) == 0


def test_a_failing_receiver_saves_nothing_and_the_file_is_cleaned_later(bromley, stored):
    def broken(sender, referral, **kwargs):
        raise RuntimeError("screening record failed")

    referral_submitted.connect(broken, weak=False, dispatch_uid="test-broken")
    try:
        with pytest.raises(RuntimeError):
            submit_family_wellbeing(borough=bromley, answers=fw_answers(stored))
    finally:
        referral_submitted.disconnect(dispatch_uid="test-broken")
    assert Referral.objects.count() == 0
    assert Child.objects.count() == Carer.objects.count() == OutboxMessage.objects.count() == 0
    row = ConsentForm.objects.get()
    assert row.referral is None
    storage = uploads.private_storage()
    assert storage.exists(row.stored_name)
    assert uploads.delete_abandoned_uploads(now=NOON + dt.timedelta(hours=25)) == 1
    assert not storage.exists(row.stored_name) and ConsentForm.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda a: setattr(a.consent, "given", False), "consent"),
        (lambda a: setattr(a.consent, "file", None), "consent"),
        (lambda a: setattr(a.consent, "consent_date", dt.date(2026, 11, 24)), "consent_date"),
        (lambda a: setattr(a.consent, "consented_by", ""), "consent"),
        (lambda a: setattr(a, "criteria", []), "wellbeing_criteria"),
        (lambda a: setattr(a, "criteria", [Criterion("poverty")]), "wellbeing_criteria"),
        (lambda a: setattr(a, "children", []), "children"),
        (lambda a: setattr(a, "carers", []), "carers"),
        (lambda a: setattr(a.professional, "email", ""), "referrer_email"),
    ],
)
def test_family_wellbeing_refused(bromley, stored, change, field):
    answers = fw_answers(stored)
    change(answers)
    with pytest.raises(ValidationError) as caught:
        submit_family_wellbeing(borough=bromley, answers=answers)
    assert field in caught.value.message_dict
    assert Referral.objects.count() == 0


def test_a_consent_form_is_attached_once(bromley, stored):
    submit_family_wellbeing(borough=bromley, answers=fw_answers(stored))
    with pytest.raises(ValidationError) as caught:
        submit_family_wellbeing(borough=bromley, answers=fw_answers(stored))
    assert "consent_form" in caught.value.message_dict
    assert Referral.objects.count() == 1


def test_self_referral_by_a_young_person(bexley):
    referral = submit_self_referral(
        borough=bexley,
        answers=SelfReferralAnswers(
            who="child",
            children=[child(first_name="Zoe", date_of_birth=dt.date(2011, 6, 1))],
            criteria=["mental_health"],
            description="My mum is not well and I look after my brother.",
            methods=["email", "phone"],
            contact_notes="After school",
            reporter=SelfReporter(name="Zoe", phone="07911 123456", email="zoe@example.com"),
        ),
    )
    assert referral.reference.startswith("BXL-")
    assert referral.kind == "self_referral" and referral.referrer_type == "child"
    assert referral.contact_methods == ["email", "phone"]
    assert referral.wellbeing_criteria == [{"code": "mental_health", "details": ""}]
    assert OutboxMessage.objects.get().to == "zoe@example.com"


def test_self_referral_needs_a_contact_method_and_a_valid_person(bromley):
    answers = SelfReferralAnswers(
        who="public",
        children=[child()],
        description="Help",
        methods=["phone"],
        reporter=SelfReporter(name="A", phone="07911 123456"),
    )
    with pytest.raises(ValidationError):
        submit_self_referral(borough=bromley, answers=answers)
    answers.who = "parent_carer"
    answers.methods = []
    with pytest.raises(ValidationError):
        submit_self_referral(borough=bromley, answers=answers)
    answers.methods = ["pigeon"]
    with pytest.raises(ValidationError):
        submit_self_referral(borough=bromley, answers=answers)
    assert Referral.objects.count() == 0


def test_consultation_without_naming_the_family(bromley):
    referral = submit_consultation(
        borough=bromley,
        answers=ConsultationAnswers(
            professional=ProfessionalAnswers(**PROFESSIONAL),
            description="A family struggling with school attendance.",
            callback_date=dt.date(2026, 11, 24),
            callback_start=dt.time(10),
            callback_end=dt.time(11),
        ),
    )
    assert referral.kind == "consultation" and referral.children.count() == 0
    assert referral.callback_date == dt.date(2026, 11, 24)
    assert referral.callback_start == dt.time(10) and referral.callback_end == dt.time(11)
    assert referral.screening.due_at > NOON  # MASH opens a record like any other
    assert "consultation" in OutboxMessage.objects.get().rendered().subject


def test_consultation_needs_a_callback_window(bromley):
    answers = ConsultationAnswers(ProfessionalAnswers(**PROFESSIONAL), description="Advice")
    with pytest.raises(ValidationError):
        submit_consultation(borough=bromley, answers=answers)
    answers.callback_date = dt.date(2026, 11, 24)
    answers.callback_start, answers.callback_end = dt.time(11), dt.time(10)
    with pytest.raises(ValidationError):
        submit_consultation(borough=bromley, answers=answers)
    assert Referral.objects.count() == 0


@pytest.mark.parametrize(
    "day, start, end",
    [
        (dt.date(2026, 11, 28), dt.time(10), dt.time(11)),  # a Saturday
        (dt.date(2026, 12, 25), dt.time(10), dt.time(11)),  # Christmas Day
        (dt.date(2026, 11, 24), dt.time(7), dt.time(8)),  # before Bromley opens at 08:30
        (dt.date(2026, 11, 24), dt.time(16, 30), dt.time(17, 30)),  # past its 17:00 close
    ],
)
def test_a_consultation_call_back_is_in_working_time(bromley, day, start, end):
    answers = ConsultationAnswers(
        ProfessionalAnswers(**PROFESSIONAL),
        description="Advice",
        callback_date=day,
        callback_start=start,
        callback_end=end,
    )
    with pytest.raises(ValidationError, match="working hours"):
        submit_consultation(borough=bromley, answers=answers)
    assert Referral.objects.count() == 0


def test_a_consultation_needs_a_phone_number_to_call_back(bromley):
    answers = ConsultationAnswers(
        ProfessionalAnswers(**{**PROFESSIONAL, "phone": ""}),
        description="Advice",
        callback_date=dt.date(2026, 11, 24),
        callback_start=dt.time(10),
        callback_end=dt.time(11),
    )
    with pytest.raises(ValidationError, match="phone number"):
        submit_consultation(borough=bromley, answers=answers)
    assert Referral.objects.count() == 0
