"""Every answer a public journey collects reaches the MASH referral and screening pages, and a
"not safe to contact" or "do not phone" answer is a warning beside each detail it limits."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.calendar import LONDON
from reporting import uploads
from reporting.answers import (
    CarerAnswers,
    ConsentAnswers,
    Criterion,
    FamilyWellbeingAnswers,
    ProfessionalAnswers,
    ReporterAnswers,
    SelfReferralAnswers,
    SelfReporter,
)
from reporting.family_services import submit_family_wellbeing, submit_self_referral
from reporting.services import submit_concern
from tests.reporting.factories import PROFESSIONAL, child, named_public

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
PAGES = ("mash:referral", "mash:screening")


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.PRIVATE_STORAGE = {
        "BACKEND": "reporting.uploads.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private")},
    }
    with time_machine.travel(NOON, tick=False):
        yield


def page_text(client, name: str, reference: str) -> str:
    response = client.get(reverse(name, args=[reference]))
    assert response.status_code == 200
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def warnings(text: str) -> list[str]:
    found = re.findall(r'govuk-warning-text__text">(.*?)</strong>', text)
    return [re.sub(r"<span.*?</span>", "", w).strip() for w in found]


def test_a_concern_shows_every_answer(client_in, bromley):
    answers = named_public()
    referral = submit_concern(borough=bromley, answers=answers)
    for name in PAGES:
        text = page_text(client_in, name, referral.reference)
        reporter, kid = answers.reporter, answers.children[0]
        for value in (
            kid.first_name,
            kid.last_name,
            kid.school,
            kid.postcode.upper(),
            answers.other_children_details,
            answers.concern.description,
            answers.concern.when_happened,
            "Neglect",
            reporter.name,
            "07911 123456",
            reporter.email,
            reporter.relationship,
            reporter.contact_notes,
        ):
            assert value in text, (name, value)
        assert warnings(text) == []


def test_not_safe_to_contact_is_a_warning_beside_each_detail(client_in, bromley):
    answers = named_public()
    answers.reporter = ReporterAnswers(
        name="Sam Taylor",
        phone="07911 123456",
        email="sam.taylor@example.com",
        relationship="Neighbour",
        safe_to_contact=False,
        contact_notes="Email only, never call",
    )
    referral = submit_concern(borough=bromley, answers=answers)
    for name in PAGES:
        text = page_text(client_in, name, referral.reference)
        found = warnings(text)
        assert len(found) == 2, found  # beside the phone and beside the email
        assert all("Not safe to contact" in w and "Email only, never call" in w for w in found)


@pytest.fixture
def stored():
    file = SimpleUploadedFile("consent.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    return uploads.store_consent_file(file, uploads.validate_consent_file(file))


def test_a_family_wellbeing_referral_shows_the_family_language_interpreter_and_phone(
    client_in, bromley, stored
):
    carer = CarerAnswers(
        name="Sara Hughes",
        relationship="Mother",
        phone="07911 123456",
        email="sara@example.com",
        address="12 Station Road",
        postcode="br1 3uh",
        language="Polish",
        interpreter_needed=True,
    )
    answers = FamilyWellbeingAnswers(
        professional=ProfessionalAnswers(**PROFESSIONAL),
        consent=ConsentAnswers(
            given=True, consented_by="Sara Hughes", consent_date=dt.date(2026, 11, 20), file=stored
        ),
        children=[child()],
        carers=[carer],
        criteria=[Criterion("substance_misuse", "Dad drinks most days.")],
        support_tried="Referred to the school nurse.",
        other_agencies="Health visitor",
    )
    referral = submit_family_wellbeing(borough=bromley, answers=answers)
    for name in PAGES:
        text = page_text(client_in, name, referral.reference)
        for value in (
            PROFESSIONAL["name"],
            PROFESSIONAL["organisation"],
            PROFESSIONAL["role"],
            PROFESSIONAL["email"],
            "020 8461 7000",
            "Sara Hughes",
            "Mother",
            "Phone: 07911 123456",
            "sara@example.com",
            "12 Station Road",
            "BR1 3UH",
            "Main language: Polish",
            "Interpreter needed: Yes",
            "Dad drinks most days.",
            "Referred to the school nurse.",
            "Health visitor",
            "signed 20 November 2026",
        ):
            assert value in text, (name, value)


def test_a_self_referral_shows_how_to_contact_them_and_warns_against_phoning(client_in, bromley):
    answers = SelfReferralAnswers(
        who="parent_carer",
        children=[child()],
        reporter=SelfReporter(
            name="Sara Hughes",
            phone="07911 123456",
            email="sara@example.com",
            address="12 Station Road",
            postcode="BR1 3UH",
        ),
        methods=["email", "letter"],
        contact_notes="Weekday mornings",
        criteria=["low_level_neglect"],
        description="We are struggling since my partner left.",
    )
    referral = submit_self_referral(borough=bromley, answers=answers)
    for name in PAGES:
        text = page_text(client_in, name, referral.reference)
        for value in (
            "Sara Hughes",
            "sara@example.com",
            "12 Station Road",
            "BR1 3UH",
            "Email or letter",
            "Weekday mornings",
            "We are struggling since my partner left.",
            "Low-level neglect",
        ):
            assert value in text, (name, value)
        assert warnings(text) == [
            "Do not phone: they asked to be contacted by email or letter only."
        ]
        # the warning sits in the phone's row, before the number
        phone_row = re.search(r"Phone</dt>(.*?)</dd>", text).group(1)
        assert "Do not phone" in phone_row and "07911 123456" in phone_row


def test_the_channel_chosen_for_updates_is_shown(client_in, bromley):
    answers = named_public()
    answers.reporter.updates_by = "sms"
    referral = submit_concern(borough=bromley, answers=answers)
    assert referral.updates_by == "sms"
    for name in PAGES:
        text = re.sub(r"<[^>]+>", " ", page_text(client_in, name, referral.reference))
        assert re.search(r"Updates sent by\s+Text message", text), name
