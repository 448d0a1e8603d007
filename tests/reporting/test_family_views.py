"""The Family Wellbeing referral, self-referral and consultation journeys through Django's test
client: pages, the consent gate, uploads, validation, submission."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from contacts.calendar import LONDON
from notifications.models import OutboxMessage
from reporting import ratelimit
from reporting.models import ConsentForm, Referral
from tests.reporting.factories import PROFESSIONAL, eager_celery  # noqa: F401 (a fixture)

FW = "/bromley/family-wellbeing/"
SELF = "/bromley/self-referral/"
CONSULT = "/bromley/consultation/"
MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

pytestmark = pytest.mark.usefixtures("eager_celery", "private_storage")

CHILD = [
    ("child/1/name/", {"first_name": "Amira", "last_name": "Hughes"}),
    ("child/1/age/", {"age_known": "dob"}),
    (
        "child/1/date-of-birth/",
        {"date_of_birth_0": "14", "date_of_birth_1": "3", "date_of_birth_2": "2017"},
    ),
    ("child/1/where/", {"address": "12 Station Road", "postcode": "br1 3uh", "school": "Hillside"}),
    ("child/1/sex/", {"sex": "female"}),
    ("child/1/ethnicity/", {"ethnicity": "MWBA"}),
    ("children/", {"add_another": "no"}),
]
CARER = [
    (
        "carer/1/carer/",
        {
            "name": "Sara Hughes",
            "relationship": "Mother",
            "phone": "07911 123456",
            "address": "12 Station Road",
            "postcode": "BR1 3UH",
            "language": "Arabic",
            "interpreter": "yes",
        },
    ),
    ("carers/", {"add_another": "no"}),
]
NEED = [
    ("criteria/", {"criteria": ["mental_health", "exclusion_risk"]}),
    (
        "criteria-details/",
        {"mental_health": "Mum has depression.", "exclusion_risk": "Amira misses Mondays."},
    ),
    ("support-tried/", {"support_tried": "School nurse sessions."}),
    ("other-agencies/", {"other_agencies": "GP"}),
]


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY_NOON, tick=False):
        yield


def errors(response) -> list[str]:
    found = re.findall(r'<li><a href="#[^"]+">([^<]+)</a></li>', response.content.decode())
    return [html.unescape(message) for message in found]


def walk(client, base, steps):
    response = None
    for path, data in steps:
        if not path.startswith("check-your-answers"):
            page = client.get(base + path)  # every page renders before it is answered
            assert page.status_code == 200, (path, page.status_code)
            assert page.content.decode().count("<h1") == 1, path
        response = client.post(base + path, data)
        assert response.status_code == 302, (path, errors(response))
    return response


def upload(name="consent.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def consent_page(file=None, **overrides):
    data = {
        "consented_by": "Sara Hughes",
        "consent_date_0": "20",
        "consent_date_1": "11",
        "consent_date_2": "2026",
        **overrides,
    }
    if file is not None:
        data["consent_file"] = file
    return data


def start_fw(web):
    walk(web, FW, [("consent/", {"consent": "yes"}), ("professional/", PROFESSIONAL)])


def full_fw(web):
    start_fw(web)
    walk(web, FW, [("consent-form/", consent_page(upload())), *CHILD, *CARER, *NEED])


# -- pages ---------------------------------------------------------------------------------
def test_borough_page_links_to_the_three_journeys(web):
    html = web.get("/bromley/").content.decode()
    assert 'href="/bromley/family-wellbeing/"' in html
    assert 'href="/bromley/self-referral/"' in html
    assert 'href="/bromley/consultation/"' in html


def test_start_pages(web):
    for base, heading in (
        (FW, "Refer a family for early help"),
        (SELF, "Ask for early help"),
        (CONSULT, "Ask MASH for a consultation"),
    ):
        response = web.get(base)
        assert response.status_code == 200
        html = response.content.decode()
        assert heading in html and "Start now" in html and "govuk-exit-this-page" in html
    assert "written consent" in web.get(FW).content.decode()
    assert web.get("/nowhere/family-wellbeing/").status_code == 404
    assert web.get(FW + "no-such-step/").status_code == 404
    assert web.get(FW + "child/1/carer/").status_code == 404


def test_csrf_required(bromley):
    client = Client(enforce_csrf_checks=True)
    html = client.get(FW + "consent/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert client.post(FW + "consent/", {"consent": "yes"}).status_code == 403


def test_concern_journeys_early_help_page_points_here(web):
    html = web.get("/bromley/report/early-help/").content.decode()
    assert 'href="/bromley/family-wellbeing/"' in html


# -- the professional ------------------------------------------------------------------------
def test_work_email_is_required_and_typed_answers_are_kept(web):
    walk(web, FW, [("consent/", {"consent": "yes"})])
    response = web.post(FW + "professional/", {**PROFESSIONAL, "email": ""})
    assert response.status_code == 200
    assert errors(response) == ["Enter your work email address"]
    html = response.content.decode()
    assert 'value="Hillside Primary School"' in html
    assert "<title>Error: " in html


def test_bad_email_and_phone_get_govuk_messages(web):
    walk(web, FW, [("consent/", {"consent": "yes"})])
    response = web.post(FW + "professional/", {**PROFESSIONAL, "email": "jo@", "phone": "12"})
    found = errors(response)
    assert "Enter an email address in the correct format, like name@example.com" in found
    assert len(found) == 2


# -- consent ---------------------------------------------------------------------------------
def test_no_consent_stops_and_offers_a_consultation(web):
    assert f'<form method="post" action="{FW}"' in web.get(FW).content.decode()
    assert web.post(FW)["Location"] == FW + "consent/"
    response = walk(web, FW, [("consent/", {"consent": "no"})])
    assert response["Location"] == FW + "no-consent/"
    html = web.get(FW + "no-consent/").content.decode()
    assert "We cannot accept a referral without consent" in html
    assert 'href="/bromley/consultation/"' in html
    # The rest of the journey is out of reach, and nothing was saved.
    assert web.get(FW + "professional/")["Location"] == FW + "no-consent/"
    assert web.get(FW + "consent-form/")["Location"] == FW + "no-consent/"
    assert web.get(FW + "check-your-answers/")["Location"] == FW + "no-consent/"
    assert Referral.objects.count() == 0


def test_consent_question_needs_an_answer(web):
    response = web.post(FW + "consent/", {})
    assert errors(response) == ["Select yes if you have the parent's or carer's written consent"]


def test_the_upload_page_is_a_multipart_form(web):
    start_fw(web)
    html = web.get(FW + "consent-form/").content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and 'name="consent_file"' in html


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (None, "Select the signed consent form"),
        (upload(content=b""), "The selected file is empty"),
        (upload("consent.pdf", b"<html><script>alert(1)</script></html>"), "must be a PDF"),
        (upload("consent.pdf.exe", PDF, "application/pdf"), "must be a PDF"),
        (upload("consent.exe.pdf", PDF), "must be a PDF"),
        (
            upload("photo.png", PDF, "image/png"),
            "The selected file is a PDF, but its name ends in .png",
        ),
        (upload("consent.pdf", b"MZ\x90\x00" + b"\x00" * 60), "must be a PDF"),
    ],
    ids=["missing", "empty", "html", "double-ext", "inner-exe", "mismatch", "exe"],
)
def test_refused_uploads_keep_the_other_answers(web, private_storage, file, message):
    start_fw(web)
    response = web.post(FW + "consent-form/", consent_page(file))
    assert response.status_code == 200
    found = errors(response)
    assert len(found) == 1 and message in found[0]
    html = response.content.decode()
    assert 'value="Sara Hughes"' in html  # what was typed on this page is kept
    assert ConsentForm.objects.count() == 0
    assert not private_storage.exists() or not any(private_storage.iterdir())
    # Earlier answers are still there.
    assert 'value="Jo Baker"' in web.get(FW + "professional/").content.decode()


def test_oversized_upload_gets_a_govuk_error_not_a_500(web, settings):
    settings.CONSENT_FORM_MAX_BYTES = 1024 * 1024  # 1MB keeps the test quick
    start_fw(web)
    big = PDF + b"0" * (1024 * 1024 + 1 - len(PDF))
    response = web.post(FW + "consent-form/", consent_page(upload(content=big)))
    assert response.status_code == 200
    assert errors(response) == ["The selected file must be smaller than 1MB"]
    assert ConsentForm.objects.count() == 0


def test_ten_megabyte_limit(web):
    start_fw(web)
    big = PDF + b"0" * (10 * 1024 * 1024 + 1 - len(PDF))
    response = web.post(FW + "consent-form/", consent_page(upload(content=big)))
    assert errors(response) == ["The selected file must be smaller than 10MB"]
    exact = PDF + b"0" * (10 * 1024 * 1024 - len(PDF))
    response = web.post(FW + "consent-form/", consent_page(upload(content=exact)))
    assert response.status_code == 302


def test_consent_date_in_the_future_is_refused(web):
    start_fw(web)
    response = web.post(
        FW + "consent-form/",
        consent_page(upload(), consent_date_0="24", consent_date_1="11", consent_date_2="2026"),
    )
    assert "Date they signed must be today or in the past" in errors(response)
    assert (
        "Select the signed consent form again: your browser does not keep a chosen file when "
        "another answer on the page needs changing" in errors(response)
    )


def test_valid_upload_is_stored_privately_under_a_random_name(web, private_storage):
    start_fw(web)
    walk(web, FW, [("consent-form/", consent_page(upload("Signed form.PDF")))])
    stored = ConsentForm.objects.get()
    assert stored.referral is None and stored.original_name == "Signed form.PDF"
    assert stored.content_type == "application/pdf" and stored.size == len(PDF)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", stored.stored_name)
    assert (private_storage / stored.stored_name).read_bytes() == PDF
    # The session keeps names, size and checksum, never the content.
    session = web.session["journey:family_wellbeing:bromley"]
    file = session["steps"]["consent-form"]["file"]
    assert set(file) == {"stored_name", "original_name", "size", "sha256"}
    # Coming back shows the file; submitting without a new one keeps it.
    html = web.get(FW + "consent-form/").content.decode()
    assert "You have uploaded Signed form.PDF" in html
    walk(web, FW, [("consent-form/", consent_page())])
    assert ConsentForm.objects.count() == 1


def test_replacing_the_upload_deletes_the_old_one(web, private_storage):
    start_fw(web)
    walk(web, FW, [("consent-form/", consent_page(upload()))])
    first = ConsentForm.objects.get().stored_name
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    walk(web, FW, [("consent-form/", consent_page(upload("scan.png", png, "image/png")))])
    assert list(ConsentForm.objects.values_list("original_name", flat=True)) == ["scan.png"]
    assert not (private_storage / first).exists()


# -- the whole referral ----------------------------------------------------------------------
def test_family_wellbeing_referral_is_sent_with_its_consent_form(web):
    full_fw(web)
    check = web.get(FW + "check-your-answers/").content.decode()
    assert "Check your answers before sending" in check
    for text in (
        "Jo Baker",
        "consent.pdf",
        "Amira Hughes",
        "14 March 2017",
        "Sara Hughes",
        "Needs an interpreter",
        "Parental or carer mental ill-health",
        "Mum has depression.",
        "School nurse sessions.",
        "Female",
        "Mixed: White and Black African",
    ):
        assert text in check, text
    response = web.post(FW + "check-your-answers/", {"website": ""})
    assert response["Location"] == FW + "sent/"
    with CaptureQueriesContext(connection) as queries:
        page = web.get(FW + "sent/").content.decode()
    # what it says was worked out when it was saved: the referral is not read back
    assert not any("reporting_referral" in q["sql"] for q in queries.captured_queries)
    referral = Referral.objects.get()
    assert referral.reference in page and "Referral sent" in page
    assert referral.kind == Referral.Kind.FAMILY_WELLBEING
    assert (
        referral.referrer_type == "professional"
        and referral.organisation == PROFESSIONAL["organisation"]
    )
    assert referral.consent_given_by == "Sara Hughes"
    assert referral.consent_date == dt.date(2026, 11, 20)
    assert [c["code"] for c in referral.wellbeing_criteria] == ["mental_health", "exclusion_risk"]
    assert referral.support_tried == "School nurse sessions." and referral.other_agencies == "GP"
    assert referral.children.get().date_of_birth == dt.date(2017, 3, 14)
    assert (referral.children.get().sex, referral.children.get().ethnicity) == ("female", "MWBA")
    assert referral.contact_source == "2A"  # a school's professional (reporting.sources)
    carer = referral.carers.get()
    assert carer.interpreter_needed and carer.language == "Arabic"
    assert carer.phone == "+447911123456"
    assert referral.consent_forms.get().original_name == "consent.pdf"
    message = OutboxMessage.objects.get(about_id=referral.pk)
    assert message.to == PROFESSIONAL["email"] and referral.reference in message.rendered().subject
    assert "early help referral" in message.rendered().subject
    assert "Amira" not in message.rendered().body  # nothing about the family in an email
    assert "We have sent a confirmation email" in page
    assert referral.screening is not None  # MASH's receiver ran in the same transaction


def test_criteria_need_at_least_one_and_each_needs_details(web):
    start_fw(web)
    walk(web, FW, [("consent-form/", consent_page(upload())), *CHILD, *CARER])
    response = web.post(FW + "criteria/", {})
    assert errors(response) == ["Select at least one thing that applies to the family"]
    walk(web, FW, [("criteria/", {"criteria": ["low_level_neglect", "physical_chastisement"]})])
    response = web.post(FW + "criteria-details/", {"low_level_neglect": "Often hungry."})
    assert errors(response) == ["Enter details about physical chastisement"]


def test_an_adult_is_refused_and_unborn_needs_a_due_date(web):
    start_fw(web)
    walk(web, FW, [("consent-form/", consent_page(upload())), *CHILD[:2]])
    response = web.post(
        FW + "child/1/date-of-birth/",
        {"date_of_birth_0": "1", "date_of_birth_1": "1", "date_of_birth_2": "2000"},
    )
    assert "Early help is for children aged 17 or under" in errors(response)[0]
    walk(web, FW, [("child/1/age/", {"age_known": "unborn"})])
    response = web.post(FW + "child/1/due-date/", {})
    assert errors(response) == ["Enter the baby's due date"]


def test_two_carers_then_remove_one(web):
    start_fw(web)
    walk(web, FW, [("consent-form/", consent_page(upload())), *CHILD, CARER[0]])
    response = walk(web, FW, [("carers/", {"add_another": "yes"})])
    assert response["Location"] == FW + "carer/2/carer/"
    walk(
        web,
        FW,
        [("carer/2/carer/", {"name": "Tom Hughes", "email": "t@example.com", "interpreter": "no"})],
    )
    html = web.get(FW + "carers/").content.decode()
    assert "You have added 2 parents or carers" in html and FW + "carer/2/remove-carer/" in html
    response = web.post(FW + "carers/", {})
    assert errors(response) == ["Select yes if you need to add another parent or carer"]
    assert (
        "<title>Error: Do you need to add another parent or carer? –" in response.content.decode()
    )
    walk(web, FW, [("carer/2/remove-carer/", {"remove": "yes"})])
    assert "You have added 1 parent or carer" in web.get(FW + "carers/").content.decode()


def test_carer_needs_a_way_to_contact(web):
    start_fw(web)
    walk(web, FW, [("consent-form/", consent_page(upload())), *CHILD])
    response = web.post(FW + "carer/1/carer/", {"name": "Sara", "interpreter": "no"})
    assert errors(response) == ["Enter a phone number, email address or address"]


def test_honeypot_and_rate_limit(web, settings):
    full_fw(web)
    response = web.post(FW + "check-your-answers/", {"website": "http://spam"})
    assert response.status_code == 400 and Referral.objects.count() == 0
    assert ConsentForm.objects.get().referral is None  # left for the clean-up
    settings.RATE_LIMIT_SUBMISSIONS = "1/h"
    # Another submission from the same address (the test client's) used the allowance.
    assert ratelimit.check_and_count(RequestFactory().get("/"))
    response = web.post(FW + "check-your-answers/", {"website": ""})
    assert response.status_code == 429 and Referral.objects.count() == 0
    assert response["Retry-After"]
    html = response.content.decode()
    assert "Your answers are still here" in html and 'href="/bromley/family-wellbeing/check' in html
    settings.RATE_LIMIT_SUBMISSIONS = "10/h"
    assert web.post(FW + "check-your-answers/", {"website": ""}).status_code == 302
    assert Referral.objects.get().consent_forms.count() == 1


# -- self-referral ---------------------------------------------------------------------------
SELF_STEPS = [
    ("who/", {"who": "parent_carer"}),
    ("child/1/name/", {"first_name": "Leo", "last_name": "Khan"}),
    ("child/1/age/", {"age_known": "dob"}),
    (
        "child/1/date-of-birth/",
        {"date_of_birth_0": "2", "date_of_birth_1": "5", "date_of_birth_2": "2015"},
    ),
    ("child/1/where/", {"school": "Bromley Juniors"}),
    ("child/1/sex/", {}),
    ("child/1/ethnicity/", {}),
    ("children/", {"add_another": "no"}),
    ("help/", {"criteria": ["exclusion_risk"]}),
    ("description/", {"description": "Leo will not go to school and I do not know why."}),
]


def test_self_referral_chooses_how_to_be_contacted(web):
    walk(web, SELF, SELF_STEPS)
    response = web.post(SELF + "contact/", {})
    assert errors(response) == ["Select how you would like us to contact you"]
    assert response.content.decode().count("<h1") == 1
    assert "<title>Error: How would you like us to contact you?" in response.content.decode()
    walk(web, SELF, [("contact/", {"methods": ["phone", "letter"], "contact_notes": "After 3pm"})])
    response = web.post(SELF + "your-details/", {"name": "Aisha Khan"})
    assert errors(response) == [
        "Enter your phone number, so we can call you",
        "Enter your address and postcode, so we can write to you",
    ]
    assert "upload" not in web.get(SELF + "your-details/").content.decode().lower()
    walk(
        web,
        SELF,
        [
            (
                "your-details/",
                {
                    "name": "Aisha Khan",
                    "phone": "07911 123456",
                    "address": "3 Elm Road",
                    "postcode": "BR2 9AA",
                },
            )
        ],
    )
    check = web.get(SELF + "check-your-answers/").content.decode()
    assert "Leo Khan" in check and "After 3pm" in check and "Letter" in check
    walk(web, SELF, [("check-your-answers/", {"website": ""})])
    page = web.get(SELF + "sent/").content.decode()
    referral = Referral.objects.get()
    assert referral.kind == Referral.Kind.SELF_REFERRAL and referral.reference in page
    assert referral.referrer_type == "parent_carer"
    assert referral.contact_methods == ["phone", "letter"]
    assert referral.contact_notes == "After 3pm" and referral.referrer_postcode == "BR2 9AA"
    assert referral.consent_forms.count() == 0
    # they did not ask for email: the acknowledgement is a text to the mobile (they chose phone)
    (message,) = OutboxMessage.objects.all()
    assert (message.channel, message.to) == ("sms", "+447911123456")
    assert "We have sent a text message with your reference" in page


def test_self_referral_by_a_young_person_speaks_to_them(web):
    walk(web, SELF, [("who/", {"who": "child"})])
    html = web.get(SELF + "child/1/name/").content.decode()
    assert "What is your name?" in html
    assert "0800 1111" in html  # Childline beside our numbers
    response = walk(web, SELF, [("child/1/name/", {"first_name": "Zoe"})])
    assert response["Location"] == SELF + "child/1/date-of-birth/"


def test_self_referral_by_email_gets_an_acknowledgement(web):
    walk(
        web,
        SELF,
        [
            *SELF_STEPS,
            ("contact/", {"methods": ["email"]}),
            ("your-details/", {"name": "Aisha Khan", "email": "aisha@example.com"}),
            ("check-your-answers/", {"website": ""}),
        ],
    )
    message = OutboxMessage.objects.get()
    assert message.to == "aisha@example.com"
    assert "request for early help support" in message.rendered().subject


# -- consultation ----------------------------------------------------------------------------
CALLBACK = {
    "callback_date_0": "24",
    "callback_date_1": "11",
    "callback_date_2": "2026",
    "callback_start": "10:00",
    "callback_end": "11:30",
}


def test_consultation_request(web):
    walk(
        web,
        CONSULT,
        [
            ("your-details/", PROFESSIONAL),
            ("summary/", {"description": "A family with a lot going on; I would like advice."}),
            ("callback/", CALLBACK),
        ],
    )
    check = web.get(CONSULT + "check-your-answers/").content.decode()
    assert "Tuesday 24 November 2026, 10am to 11:30am" in check
    walk(web, CONSULT, [("check-your-answers/", {"website": ""})])
    referral = Referral.objects.get()
    assert referral.kind == Referral.Kind.CONSULTATION
    assert referral.callback_date == dt.date(2026, 11, 24)
    assert (referral.callback_start, referral.callback_end) == (dt.time(10), dt.time(11, 30))
    assert referral.children.count() == 0
    assert "consultation" in OutboxMessage.objects.get().rendered().subject


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"callback_date_0": "28"}, "Choose a working day"),  # a Saturday
        ({"callback_date_0": "29"}, "Choose a working day"),  # a Sunday
        ({"callback_date_0": "20"}, "The day must be today or in the future"),
        ({"callback_date_1": "2", "callback_date_2": "2027"}, "within the next 4 weeks"),
        ({"callback_start": "07:30"}, "Choose times between 8:30am and 5pm"),
        ({"callback_end": "10:00"}, "at least 30 minutes after"),
        ({"callback_start": ""}, "Select the earliest time we can call"),
        (
            {"callback_date_0": "23", "callback_start": "09:00", "callback_end": "12:00"},
            "later today",
        ),
    ],
)
def test_callback_window_is_checked_against_working_hours(web, changes, message):
    walk(
        web,
        CONSULT,
        [("your-details/", PROFESSIONAL), ("summary/", {"description": "Advice please."})],
    )
    response = web.post(CONSULT + "callback/", {**CALLBACK, **changes})
    assert response.status_code == 200
    found = errors(response)
    assert len(found) == 1 and message in found[0], found
    assert 'value="10:00" selected' in response.content.decode() or "callback_start" in changes


def test_choosing_another_criterion_asks_for_its_details(web):
    full_fw(web)
    check = FW + "check-your-answers/"
    response = web.post(
        FW + "criteria/?change=1",
        {"criteria": ["mental_health", "exclusion_risk", "low_level_neglect"]},
    )
    assert response["Location"] == FW + "criteria-details/?change=1"
    assert web.get(check)["Location"] == FW + "criteria-details/"
    html = web.get(FW + "criteria-details/?change=1").content.decode()
    assert "Mum has depression." in html  # what was typed before is kept
    response = web.post(
        FW + "criteria-details/?change=1",
        {
            "mental_health": "Mum has depression.",
            "exclusion_risk": "Misses Mondays.",
            "low_level_neglect": "No breakfast.",
        },
    )
    assert response["Location"] == check
    # Fewer criteria: the details still pass, straight back to the check page.
    response = web.post(FW + "criteria/?change=1", {"criteria": ["mental_health"]})
    assert response["Location"] == check
    web.post(check, {"website": ""})
    referral = Referral.objects.get()
    assert referral.wellbeing_criteria == [
        {"code": "mental_health", "details": "Mum has depression."}
    ]


def test_choosing_letter_later_asks_for_the_address(web):
    walk(
        web,
        SELF,
        [
            *SELF_STEPS,
            ("contact/", {"methods": ["email"]}),
            ("your-details/", {"name": "Aisha Khan", "email": "aisha@example.com"}),
        ],
    )
    response = web.post(SELF + "contact/?change=1", {"methods": ["email", "letter"]})
    assert response["Location"] == SELF + "your-details/?change=1"
    html = web.get(SELF + "your-details/?change=1").content.decode()
    assert 'value="Aisha Khan"' in html
    assert web.post(SELF + "check-your-answers/", {"website": ""})["Location"] == (
        SELF + "your-details/"
    )
    assert Referral.objects.count() == 0


def test_a_consultation_asks_for_a_phone_number_to_call_back(web):
    response = web.post(CONSULT + "your-details/", {**PROFESSIONAL, "phone": ""})
    assert response.status_code == 200
    assert errors(response) == ["Enter a phone number we can call you back on"]


def test_the_callback_page_offers_only_times_the_mash_can_keep(web):
    # Bromley's office hours: 08:30-17:00, Monday to Friday.
    walk(
        web,
        CONSULT,
        [("your-details/", PROFESSIONAL), ("summary/", {"description": "Advice please."})],
    )
    page = web.get(CONSULT + "callback/").content.decode()
    starts = re.findall(r'<option value="(\d\d:\d\d)"', page.split('name="callback_end"')[0])
    ends = re.findall(r'<option value="(\d\d:\d\d)"', page.split('name="callback_end"')[1])
    assert starts[0] == "08:30" and starts[-1] == "16:30"
    assert ends[0] == "09:00" and ends[-1] == "17:00"


def test_self_referral_asks_how_to_send_updates_only_when_email_and_phone_are_both_allowed(web):
    walk(web, SELF, [*SELF_STEPS, ("contact/", {"methods": ["phone", "email"]})])
    both = {"name": "Aisha Khan", "phone": "07911 123456", "email": "aisha@example.com"}
    response = web.post(SELF + "your-details/", both)
    assert response.status_code == 200
    assert "Select how we should send you updates" in response.content.decode()
    walk(web, SELF, [("your-details/", both | {"updates_by": "sms"})])
    walk(web, SELF, [("check-your-answers/", {"website": ""})])
    referral = Referral.objects.get()
    assert referral.updates_by == "sms"
    assert OutboxMessage.objects.get().channel == "sms"


def test_self_referral_by_email_only_is_not_asked(web):
    walk(web, SELF, [*SELF_STEPS, ("contact/", {"methods": ["email"]})])
    page = web.get(SELF + "your-details/").content.decode()
    assert "how should we send you updates" not in page
