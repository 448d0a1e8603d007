"""Every page of the site, public and staff, in Chromium at 320 CSS pixels wide (WCAG 1.4.10
reflow), with axe-core, valid `<time datetime>` values and a title of its own.

The pages come from the URLconf: every named URL pattern must be visited here (the test
records which pattern each page it lands on resolves to) or be listed in NOT_PAGES with the
reason, so a page added later fails this test until it is visited. The staff pages are filled
with the data that makes them widest (many columns, long words, every section shown); the
journeys are walked through Django's test client on the same database and session store,
and each of their pages is then opened in the browser."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from contacts.calendar import LONDON
from mash import consultations, screening
from mash.enrolment import create_link
from mash.models import Decision, ScreeningRecord
from reporting.answers import ConsultationAnswers, ProfessionalAnswers
from reporting.family_services import submit_consultation
from reporting.models import Child
from reporting.registry import JOURNEYS
from reporting.services import submit_concern
from tests.e2e.conftest import (
    REFLOW_WIDTH,
    assert_accessible,
    hand_over,
    screenshot,
    screenshots_wanted,
)
from tests.mash.factories import PASSWORD, StaffMemberFactory, log_in_verified
from tests.mash.test_check_report import sent_code
from tests.reporting import test_family_views as fv
from tests.reporting import test_views as cv
from tests.reporting.factories import PROFESSIONAL, child, concern_answers

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)  # Monday noon, as the journey tests
COUNCIL = "London Borough of Bromley"

# Named patterns that are not pages a person reads, and why.
NOT_PAGES = {
    "healthz": "a plain-text health check for the load balancer",
    "api_contacts": "JSON for the council's own website",
    "mash:take_next": "POST only: claims a referral and redirects to it",
    "mash:release": "POST only: redirects to the referral",
    "mash:consultation_claim": "POST only: redirects to the consultation",
    "mash:consultation_advice": "POST only: redirects, or shows the consultation page",
    "mash:consent_download": "a file download",
    "mash:enrol_link": "remembers the one-time link in the session and redirects to sign-in",
    "readyz": "a JSON readiness check for the load balancer",
    "exit": "Exit this page: clears the journey and redirects to the exit site",
    "metrics": "Prometheus metrics, for the monitoring system only",
    "mash:alert_acknowledge": "POST only: acknowledges an alert and redirects",
    "mash:annex_a_xlsx": "a file download (the Annex A workbook): tests/e2e/test_exports.py",
    "mash:annex_a_csv": "a file download (an Annex A list as CSV): tests/e2e/test_exports.py",
    "notify_receipts": "GOV.UK Notify's delivery receipts callback (POST, bearer token)",
    "check:sign_out": "POST only: ends a report's status check and redirects",
    "mash:dashboard_csv": "a CSV download (tests/mash/test_dashboard_views.py)",
}
# Django's own admin (its own markup and styles) is not one of the service's pages.
NOT_PAGE_NAMESPACES = {"admin"}

pytestmark = pytest.mark.usefixtures("private_storage")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def page_names() -> set[str]:
    """The view name of every named URL pattern, namespaced ("mash:queue")."""

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in NOT_PAGE_NAMESPACES:
                    continue
                inner = ":".join(filter(None, [namespace, p.namespace]))
                yield from walk(p.url_patterns, inner)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}:{p.name}" if namespace else p.name

    return set(walk(get_resolver().url_patterns, "")) - set(NOT_PAGES)


class Visitor:
    """Opens pages in the browser, checks each, and records the patterns they resolve to."""

    def __init__(self, page, site):
        self.page, self.site = page, site
        self.seen: set[str] = set()
        self.titles: dict[str, str] = {}  # path: title

    def visit(self, url: str, *, service: str = "") -> None:
        """Open a page and check it; a journey's page has the journey's own service name
        and the council in its title, and the service name in its header."""
        response = self.page.goto(self.site + url)
        assert response.status < 400, (url, response.status)
        assert_accessible(self.page, url)
        path = urlsplit(self.page.url).path
        self.seen.add(resolve(path).view_name)
        title = self.page.title()
        self.titles.setdefault(path, title)
        if service:
            assert (
                title.endswith(f" – {service} – {COUNCIL}") or title == f"{service} – {COUNCIL}"
            ), (
                url,
                title,
            )
            header = self.page.locator(".govuk-header__service-name").inner_text()
            assert header == service, (url, header)

    def assert_titles_distinct(self) -> None:
        """WCAG 2.4.2: each page's title says where you are, so no two pages share one."""
        by_title: dict[str, list[str]] = {}
        for path, title in self.titles.items():
            by_title.setdefault(title, []).append(path)
        shared = {title: paths for title, paths in by_title.items() if len(paths) > 1}
        assert not shared, f"pages sharing a title: {shared}"

    def assert_no_title_carries(self, words) -> None:
        """No <title> carries a name or an answer (a shared phone's tabs and history)."""
        for path, title in self.titles.items():
            for word in words:
                assert not re.search(rf"\b{re.escape(word)}\b", title, re.I), (path, title)

    def hand_over(self, client: Client) -> None:
        hand_over(self.page, self.site, client)


def narrow_screenshot(page, name: str) -> None:
    if not screenshots_wanted():
        return
    size = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
    screenshot(page, f"{name}-320px")
    page.set_viewport_size(size)


def walk_journey(visitor: Visitor, base: str, steps, service: str) -> None:
    """Answer each page with the test client, then open every page of the path, the
    check-your-answers page and, once sent, the confirmation in the browser."""
    client = Client()
    for path, data in steps:
        response = client.post(base + path, data)
        assert response.status_code == 302, (base + path, response.content.decode()[:300])
    visitor.hand_over(client)
    visitor.visit(base, service=service)  # the start page
    for path, _ in steps:
        visitor.visit(base + path, service=service)
    visitor.visit(base + "check-your-answers/", service=service)
    response = client.post(base + "check-your-answers/", {"website": ""})
    assert response.status_code == 302, response.content.decode()[:300]
    visitor.visit(base + "sent/", service=service)


def wellbeing_steps():
    return [
        ("consent/", {"consent": "yes"}),
        ("professional/", PROFESSIONAL),
        (
            "consent-form/",
            fv.consent_page(SimpleUploadedFile("consent.pdf", fv.PDF, "application/pdf")),
        ),
        *fv.CHILD,
        *fv.CARER,
        *fv.NEED,
    ]


# Every name and free-text answer the walks give: none may reach a <title>.
ANSWERS = [
    "Sam",
    "Smith",
    "Pat Jones",
    "Amira",
    "Hughes",
    "Sara",
    "Leo",
    "Khan",
    "Aisha",
    "Jo Baker",
    "Hillside",
    "Station Road",
    "Neighbour",
]


def test_every_public_page(page, site, bromley):
    cache.clear()  # the rate limit: four journeys are sent from one address
    visitor = Visitor(page, site)
    for url in (
        "/",
        "/bromley/",
        "/bromley/signs-a-child-may-be-at-risk/",
        "/privacy/",
        "/cookies/",
        "/accessibility/",
    ):
        visitor.visit(url)
    visitor.visit("/bromley/report/danger/", service=JOURNEYS["concern"].service_for(bromley))
    walk_journey(
        visitor, cv.BASE, [*cv.public(), *cv.NAMED], JOURNEYS["concern"].service_for(bromley)
    )
    walk_journey(visitor, fv.FW, wellbeing_steps(), JOURNEYS["wellbeing"].service_for(bromley))
    walk_journey(
        visitor,
        fv.SELF,
        [
            *fv.SELF_STEPS,
            ("contact/", {"methods": ["phone", "email", "letter"]}),
            (
                "your-details/",
                {
                    "name": "Aisha Khan",
                    "phone": "07911 123456",
                    "email": "aisha@example.com",
                    "address": "3 Elm Road",
                    "postcode": "BR2 9AA",
                    "updates_by": "email",
                },
            ),
        ],
        JOURNEYS["self"].service_for(bromley),
    )
    walk_journey(
        visitor,
        fv.CONSULT,
        [
            ("your-details/", PROFESSIONAL),
            ("summary/", {"description": "A family with a lot going on; I would like advice."}),
            ("callback/", fv.CALLBACK),
        ],
        JOURNEYS["consultation"].service_for(bromley),
    )
    walk_check_a_report(visitor, bromley)
    public = {name for name in page_names() if not name.startswith("mash:")}
    assert public - visitor.seen == set(), "public pages not visited"
    visitor.assert_titles_distinct()
    visitor.assert_no_title_carries(ANSWERS)


def walk_check_a_report(visitor: Visitor, bromley) -> None:
    """ "Check a report": the start page, the code page, the status, and signed out."""
    service = "Check a report"
    referral = submit_concern(borough=bromley, answers=concern_answers())
    client = Client()
    base = "/bromley/check-a-report/"
    visitor.visit(base, service=service)
    client.post(base, {"reference": referral.reference, "contact": "sam.taylor@example.com"})
    visitor.hand_over(client)
    visitor.visit(base + "code/", service=service)
    code = sent_code(referral)
    assert client.post(base + "code/", {"code": code})["Location"] == base + "status/"
    visitor.hand_over(client)  # the session's key changed with the code
    visitor.visit(base + "status/", service=service)
    visitor.visit(base + "signed-out/", service=service)


# -- staff -------------------------------------------------------------------------------------
LONG_WORD = "Wolstenholme-Fotheringay-Abernethy"


def staff_data(bromley, manager):
    """Referrals that fill every part of the staff pages: an earlier concern about the same
    child (record checks find it), ratings and levels changed (the history table), enquiries
    open and answered, a decided referral whose outcome email is late, consultations open
    and closed."""
    answers = concern_answers(children=[child(last_name=LONG_WORD)])
    earlier = submit_concern(
        borough=bromley, answers=answers, received_at=NOW - dt.timedelta(days=3)
    )
    referral = submit_concern(
        borough=bromley, answers=answers, received_at=NOW - dt.timedelta(hours=2)
    )
    lonely = submit_concern(
        borough=bromley,
        answers=concern_answers("anonymous"),
        received_at=NOW - dt.timedelta(hours=1),
    )
    Child.objects.filter(referral=lonely).update(first_name="Nobody", last_name="Else")
    for rating, level in (("amber", 2), ("red", 3)):
        screening.set_urgency(
            user=manager, referral=referral, rating=rating, reason=f"Rated {rating} {LONG_WORD}"
        )
        screening.set_need_level(user=manager, referral=referral, level=level, reason=LONG_WORD)
    screening.record_check(user=manager, referral=referral, notes=f"Found {earlier.reference}")
    asked = screening.request_enquiry(
        user=manager, referral=referral, agency="police", question="Any call-outs this year?"
    )
    screening.answer_enquiry(
        user=manager, referral=referral, enquiry_id=asked.pk, answer=f"Two call-outs {LONG_WORD}"
    )
    open_enquiry = screening.request_enquiry(
        user=manager, referral=referral, agency="health", question="Known to the GP?"
    )
    screening.record_decision(
        user=manager, referral=earlier, outcome="assessment", rationale=f"Needs {LONG_WORD}"
    )
    Decision.objects.filter(record__referral=earlier).update(notification_late_at=NOW)
    open_consultation = submit_consultation(
        borough=bromley, answers=consultation_answers(), received_at=NOW
    )
    closed_consultation = submit_consultation(
        borough=bromley, answers=consultation_answers(), received_at=NOW
    )
    consultations.claim(user=manager, referral=closed_consultation)
    consultations.record_advice(
        user=manager, referral=closed_consultation, advice=f"Advised {LONG_WORD}"
    )
    ScreeningRecord.objects.filter(referral=referral).update(claimed_by=manager, claimed_at=NOW)
    return {
        "earlier": earlier,
        "referral": referral,
        "lonely": lonely,
        "open_enquiry": open_enquiry,
        "consultation": open_consultation,
        "closed_consultation": closed_consultation,
    }


def consultation_answers() -> ConsultationAnswers:
    return ConsultationAnswers(
        professional=ProfessionalAnswers(
            **{**PROFESSIONAL, "organisation": f"{LONG_WORD} Primary School"}
        ),
        description="A family with a lot going on.",
        callback_date=dt.date(2026, 11, 24),
        callback_start=dt.time(10),
        callback_end=dt.time(11, 30),
    )


def test_every_staff_page(page, site, bromley):
    manager = StaffMemberFactory(
        boroughs=[bromley], manager=True, user__username="sam.wolstenholme-fotheringay"
    ).user
    data = staff_data(bromley, manager)
    ref = data["referral"].reference
    visitor = Visitor(page, site)

    # signing in: the sign-in page, the code page, the first-time enrolment page
    visitor.visit("/mash/login/")
    client = Client()
    client.post("/mash/login/", {"username": manager.username, "password": PASSWORD})
    visitor.hand_over(client)
    visitor.visit("/mash/verify/")
    newcomer = StaffMemberFactory(boroughs=[bromley], with_device=False).user
    client = Client()
    client.get(create_link(user=newcomer))  # enrolling needs the one-time link and the password
    client.post("/mash/login/", {"username": newcomer.username, "password": PASSWORD})
    visitor.hand_over(client)
    visitor.visit("/mash/enrol/")

    client = Client()
    log_in_verified(client, manager)
    visitor.hand_over(client)
    for url in (
        "/mash/",
        "/mash/?kind=concern&state=green",
        f"/mash/referrals/{ref}/",
        f"/mash/referrals/{ref}/reassign/",
        f"/mash/referrals/{ref}/screening/",
        f"/mash/referrals/{data['lonely'].reference}/screening/",
        f"/mash/referrals/{data['earlier'].reference}/screening/",
        f"/mash/referrals/{ref}/screening/urgency/",
        f"/mash/referrals/{ref}/screening/need-level/",
        f"/mash/referrals/{ref}/screening/checks/",
        f"/mash/referrals/{ref}/screening/source/",
        f"/mash/referrals/{ref}/screening/children/{data['referral'].children.get().pk}/census/",
        f"/mash/referrals/{ref}/screening/enquiries/new/",
        f"/mash/referrals/{ref}/screening/enquiries/{data['open_enquiry'].pk}/answer/",
        f"/mash/referrals/{ref}/screening/decision/",
        "/mash/outcome-notifications/late/",
        "/mash/log/",
        "/mash/consultations/",
        "/mash/consultations/?status=closed",
        f"/mash/consultations/{data['consultation'].reference}/",
        f"/mash/consultations/{data['closed_consultation'].reference}/",
        "/mash/subject-access/",
        f"/mash/subject-access/{ref}/",
        "/mash/search/",
        "/mash/team/",
        "/mash/alerts/",
        "/mash/exports/",
        "/mash/exports/?borough=bromley&day=31&month=5&year=2026",
        "/mash/exports/?borough=bromley&day=31&month=2&year=2026",
        "/mash/dashboard/",
        "/mash/dashboard/referrals/?figure=unallocated",
        "/mash/dashboard/referrals/?figure=outcome&value=assessment",
        "/mash/audit/",
        f"/mash/audit/?referral={ref}",
        f"/mash/audit/?user={manager.username}",
        "/mash/logout/",
    ):
        visitor.visit(url)
        if url in {
            "/mash/",
            "/mash/consultations/?status=closed",
            f"/mash/audit/?referral={ref}",
            "/mash/dashboard/",
        }:
            narrow_screenshot(page, "reflow-" + url.strip("/").replace("/", "-").split("?")[0])
        if url.startswith("/mash/audit/?"):
            # whose trail: the reference, never a person's name or username
            title = visitor.page.title()
            assert (ref in title) == ("referral=" in url), title
            assert "wolstenholme" not in title.lower(), title
    staff = {name for name in page_names() if name.startswith("mash:")}
    assert staff - visitor.seen == set(), "staff pages not visited"
