"""The concern journey through Django's test client: navigation, submission, abuse."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contacts.calendar import LONDON
from notifications.models import OutboxMessage
from reporting.models import Referral

BASE = "/bromley/report/"
MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)

START = [("danger/", {"danger": "no"})]
CHILD_ONE = [
    ("child/1/name/", {"first_name": "Sam", "last_name": "Smith"}),
    ("child/1/age/", {"age_known": "dob"}),
    (
        "child/1/date-of-birth/",
        {"date_of_birth_0": "3", "date_of_birth_1": "4", "date_of_birth_2": "2016"},
    ),
    ("child/1/where/", {"address": "1 High Street\nBromley", "postcode": "br1 3uh"}),
    ("child/1/sex/", {}),
    ("child/1/ethnicity/", {}),
]
CHILDREN_DONE = [("children/", {"add_another": "no"})]
CONCERN = [
    ("other-children/", {"other_children_in_home": "no"}),
    ("categories/", {"categories": ["neglect", "physical"]}),
    ("description/", {"description": "He is often outside late at night with no coat."}),
    ("when/", {"when_happened": "Last night"}),
    ("still-happening/", {"still_happening": "yes"}),
    ("how-known/", {"how_known": "saw"}),
]
ANONYMOUS = [("about-you/", {"anonymous": "yes"})]
NAMED = [
    ("about-you/", {"anonymous": "no"}),
    (
        "your-details/",
        {
            "name": "Pat Jones",
            "phone": "07911 123456",
            "email": "pat@example.com",
            "relationship": "Neighbour",
            "updates_by": "email",
        },
    ),
    ("contact-safe/", {"safe_to_contact": "yes", "contact_notes": "After 6pm"}),
]


def public(who="public"):
    return [*START, ("who/", {"who": who}), *CHILD_ONE, *CHILDREN_DONE, *CONCERN]


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY_NOON, tick=False):
        yield


def walk(client, steps):
    """POST each page in turn; every answer must be accepted (a redirect)."""
    response = None
    for path, data in steps:
        response = client.post(BASE + path, data)
        assert response.status_code == 302, (path, _errors(response))
    return response


def _errors(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<li><a href="#[^"]+">([^<]+)</a></li>', html)


def submit(client):
    response = client.post(BASE + "check-your-answers/", {"website": ""})
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == BASE + "sent/"
    return client.get(BASE + "sent/")


# -- pages and links -------------------------------------------------------------------------
def test_borough_page_links_to_the_online_report(web):
    html = web.get("/bromley/").content.decode()
    assert 'href="/bromley/report/"' in html
    assert "Report a concern online" in html


def test_start_page_explains_and_starts(web):
    response = web.get(BASE)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<form method="post" action="{BASE}"' in html  # "Start now" begins a new report
    assert "Start now" in html
    assert "govuk-exit-this-page" in html
    assert 'href="/exit/"' in html
    assert "delete your browsing history" in html
    assert web.post(BASE)["Location"] == BASE + "danger/"
    assert response["Cache-Control"].startswith("max-age=0")


def test_unknown_borough_or_page_is_404(web):
    assert web.get("/nowhere/report/").status_code == 404
    assert web.get(BASE + "no-such-page/").status_code == 404
    assert web.get(BASE + "child/0/name/").status_code == 404
    assert web.get(BASE + "child/1/who/").status_code == 404
    assert web.get(BASE + "name/").status_code == 404


def test_every_form_has_csrf(bromley):
    client = Client(enforce_csrf_checks=True)
    html = client.get(BASE + "danger/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert client.post(BASE + "danger/", {"danger": "no"}).status_code == 403


# -- the 999 stop ----------------------------------------------------------------------------
def test_immediate_danger_stops_and_says_call_999(web):
    response = walk(web, [("danger/", {"danger": "yes"})])
    assert response["Location"] == BASE + "call-999/"
    html = web.get(BASE + "call-999/").content.decode()
    assert "Call 999 now" in html
    assert 'href="tel:999"' in html
    assert "Nothing you have told us here has been sent" in html
    assert "020 8461 7373" in html  # Bromley's children's services, staffed on a weekday noon
    assert "0800 1111" in html
    assert Referral.objects.count() == 0


# -- whole journeys --------------------------------------------------------------------------
def test_anonymous_public_report_is_sent(web):
    walk(web, public() + ANONYMOUS)
    check = web.get(BASE + "check-your-answers/")
    html = check.content.decode()
    assert "Check your answers before sending your report" in html
    assert "Sam Smith" in html and "3 April 2016" in html and "BR1 3UH" in html
    assert "Not given: you want to stay anonymous" in html
    page = submit(web).content.decode()
    referral = Referral.objects.get()
    assert referral.reference in page
    assert "Report sent" in page and "What happens next" in page
    assert "020 8461 7373" in page
    assert referral.anonymous and referral.referrer_name == ""
    assert referral.referrer_type == "public"
    assert sorted(referral.concern_categories) == ["neglect", "physical"]
    assert referral.still_happening == "yes" and referral.how_known == "saw"
    child = referral.children.get()
    assert (child.first_name, child.date_of_birth) == ("Sam", dt.date(2016, 4, 3))
    assert child.postcode == "BR1 3UH" and child.address == "1 High Street\nBromley"
    # The answers are gone from the session; every page says the report was sent.
    for path in ("who/", "check-your-answers/", "danger/"):
        html = web.get(BASE + path).content.decode()
        assert "You have already sent this report" in html and referral.reference in html
        assert "Sam" not in html


def test_named_report_keeps_contact_details(web):
    walk(web, public("relative") + NAMED)
    page = submit(web).content.decode()
    referral = Referral.objects.get()
    assert not referral.anonymous
    assert referral.referrer_name == "Pat Jones"
    assert referral.referrer_phone == "+447911123456"
    assert referral.referrer_email == "pat@example.com"
    assert referral.safe_to_contact is True and referral.contact_notes == "After 6pm"
    assert referral.referrer_relationship == "Neighbour"
    assert "We have sent a confirmation email" in page


def test_the_confirmation_reads_nothing_back_after_sending(web):
    """What the confirmation says was worked out when the report was saved (kept in the
    session: facts, no answers): the page reads neither the referral nor the outbox. Without
    it (an older session) it reads the referral once, only the columns it shows
    (selectors.SENT_FIELDS: a column left out would be loaded by a query of its own), and says
    the same."""
    walk(web, public("relative") + NAMED)
    assert web.post(BASE + "check-your-answers/", {"website": ""}).status_code == 302
    with CaptureQueriesContext(connection) as queries:
        page = web.get(BASE + "sent/").content.decode()
    assert "We have sent a confirmation email" in page
    read = [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in read if "reporting_referral" in sql or "outbox" in sql], read

    session = web.session
    del session["journey-sent:concern:bromley:page"]
    session.save()
    with CaptureQueriesContext(connection) as queries:
        again = web.get(BASE + "sent/").content.decode()
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "reporting_referral"' in q["sql"]]
    assert len(reads) == 1, reads
    assert _main(again) == _main(page)


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("notes", ["Email only", ""])
def test_not_safe_to_contact_promises_no_message(web, notes):
    """'Not safe to contact' (even with a note such as 'email only'): nothing is sent, and the
    confirmation page says so plainly instead of promising an email."""
    unsafe = [*NAMED[:2], ("contact-safe/", {"safe_to_contact": "no", "contact_notes": notes})]
    walk(web, public("relative") + unsafe)
    page = re.sub(r"\s+", " ", submit(web).content.decode())
    assert not OutboxMessage.objects.exists()
    assert "We have sent a confirmation email" not in page
    assert "we will not send you a confirmation email" in page
    assert "We will let you know what we decide" not in page
    assert ("they will first read what you told us" in page) == bool(notes)


def test_a_child_about_themself_without_a_way_to_reach_them(web):
    walk(
        web,
        [
            *START,
            ("who/", {"who": "child"}),
            ("about-self/", {"about_self": "me"}),
            ("child/1/name/", {"name_unknown": "on"}),
            ("child/1/age/", {"age_known": "age"}),
            ("child/1/age-in-years/", {"approximate_age": "13"}),
            ("child/1/where/", {}),
            ("child/1/sex/", {}),
            ("child/1/ethnicity/", {}),
            *CHILDREN_DONE,
            *CONCERN[:-1],
            ("how-known/", {"how_known": "other"}),
            ("reach-you/", {}),
        ],
    )
    page = re.sub(r"\s+", " ", submit(web).content.decode())
    assert "they will talk to you first" in page
    assert "You did not give us a way to contact you" in page
    referral = Referral.objects.get()
    assert referral.anonymous and referral.about_themself


def test_two_children_then_remove_one(web):
    walk(web, [*START, ("who/", {"who": "parent_carer"}), *CHILD_ONE])
    response = walk(web, [("children/", {"add_another": "yes"})])
    assert response["Location"] == BASE + "child/2/name/"
    # The new child's back link goes to the list of children.
    assert (
        f'href="{BASE}children/" class="govuk-back-link"'
        in web.get(BASE + "child/2/name/").content.decode()
    )
    walk(
        web,
        [
            ("child/2/name/", {"name_unknown": "on"}),
            ("child/2/age/", {"age_known": "unborn"}),
            ("child/2/due-date/", {"due_date_0": "1", "due_date_1": "3", "due_date_2": "2027"}),
            ("child/2/where/", {"school": "Bromley Nursery"}),
            ("child/2/sex/", {}),
            ("child/2/ethnicity/", {}),
        ],
    )
    summary = web.get(BASE + "children/").content.decode()
    assert "You have told us about 2 children" in summary
    assert "Sam Smith" in summary and "Name not known" in summary
    assert BASE + "child/2/remove-child/" in summary
    walk(web, [*CHILDREN_DONE, *CONCERN, *ANONYMOUS])
    check = web.get(BASE + "check-your-answers/").content.decode()
    assert "Child 1" in check and "Child 2" in check and "due 1 March 2027" in check
    submit(web)
    referral = Referral.objects.get()
    children = list(referral.children.order_by("order"))
    assert len(children) == 2
    assert children[1].unborn and children[1].due_date == dt.date(2027, 3, 1)
    assert children[1].name_unknown and children[1].school == "Bromley Nursery"


def test_removing_a_child(web):
    walk(web, [*START, ("who/", {"who": "public"}), *CHILD_ONE])
    walk(web, [("children/", {"add_another": "yes"})])
    walk(
        web,
        [
            ("child/2/name/", {"first_name": "Alex"}),
            ("child/2/age/", {"age_known": "age"}),
            ("child/2/age-in-years/", {"approximate_age": "6"}),
            ("child/2/where/", {"address": "Flat 2"}),
            ("child/2/sex/", {}),
            ("child/2/ethnicity/", {}),
        ],
    )
    page = web.get(BASE + "child/1/remove-child/").content.decode()
    assert "Are you sure you want to remove Sam Smith?" in page
    response = walk(web, [("child/1/remove-child/", {"remove": "yes"})])
    assert response["Location"] == BASE + "children/"
    summary = web.get(BASE + "children/").content.decode()
    assert "You have told us about 1 child" in summary and "Alex" in summary
    assert "Sam Smith" not in summary
    assert "remove-child" not in summary  # the last child cannot be removed


def test_abandoned_new_child_is_dropped(web):
    walk(web, [*START, ("who/", {"who": "public"}), *CHILD_ONE])
    walk(web, [("children/", {"add_another": "yes"})])
    # They go back to the list instead of adding the child, and carry on.
    assert web.get(BASE + "children/").status_code == 200
    walk(web, [*CHILDREN_DONE, *CONCERN, *ANONYMOUS])
    submit(web)
    assert Referral.objects.get().children.count() == 1


def test_at_most_ten_children(web):
    walk(web, [*START, ("who/", {"who": "public"}), *CHILD_ONE])
    for number in range(2, 11):
        walk(web, [("children/", {"add_another": "yes"})])
        walk(
            web,
            [
                (f"child/{number}/name/", {"first_name": f"Child{number}"}),
                (f"child/{number}/age/", {"age_known": "age"}),
                (f"child/{number}/age-in-years/", {"approximate_age": "5"}),
                (f"child/{number}/where/", {"school": "St Mary's"}),
                (f"child/{number}/sex/", {}),
                (f"child/{number}/ethnicity/", {}),
            ],
        )
    response = web.post(BASE + "children/", {"add_another": "yes"})
    assert response.status_code == 200
    assert _errors(response)[0].startswith("You can tell us about up to 10 children in one report")


# -- professionals ---------------------------------------------------------------------------
PROFESSIONAL = [
    *START,
    ("who/", {"who": "professional"}),
    ("professional-route/", {"route": "safeguarding"}),
    (
        "professional-details/",
        {
            "name": "Dr Ann Lee",
            "organisation": "Bromley Surgery",
            "role": "GP",
            "email": "ann.lee@nhs.example",
        },
    ),
]


def test_professional_safeguarding_referral_is_named_and_asks_about_the_family(web):
    walk(
        web,
        [
            *PROFESSIONAL,
            ("family-aware/", {"family_aware": "no"}),
            ("consent-reason/", {"no_consent_reason": "Telling them could put him at risk."}),
            *CHILD_ONE,
            *CHILDREN_DONE,
        ],
    )
    response = walk(web, CONCERN)
    # No "about you" question: a professional is named already.
    assert response["Location"] == BASE + "check-your-answers/"
    check = web.get(BASE + "check-your-answers/").content.decode()
    assert "Dr Ann Lee" in check and "Bromley Surgery" in check
    assert "Why have you not told the family?" not in check  # a label, not an answer
    assert "Telling them could put him at risk." in check
    submit(web)
    referral = Referral.objects.get()
    assert referral.referrer_type == "professional" and not referral.anonymous
    assert (referral.organisation, referral.role) == ("Bromley Surgery", "GP")
    assert referral.family_aware == "no" and referral.family_agrees == ""
    assert referral.no_consent_reason == "Telling them could put him at risk."
    assert referral.referrer_email == "ann.lee@nhs.example"


def test_consent_is_never_a_gate(web):
    walk(
        web,
        [
            *PROFESSIONAL,
            ("family-aware/", {"family_aware": "yes"}),
            ("family-agrees/", {"family_agrees": "no"}),
        ],
    )
    page = web.get(BASE + "consent-reason/").content.decode()
    assert "Why does the family not agree?" in page
    response = walk(web, [("consent-reason/", {"no_consent_reason": "They deny it."})])
    assert response["Location"] == BASE + "child/1/name/"


def test_family_agrees_goes_straight_to_the_child(web):
    response = walk(
        web,
        [
            *PROFESSIONAL,
            ("family-aware/", {"family_aware": "yes"}),
            ("family-agrees/", {"family_agrees": "yes"}),
        ],
    )
    assert response["Location"] == BASE + "child/1/name/"


def test_professional_wanting_early_help_gets_the_family_wellbeing_page(web):
    response = walk(
        web,
        [
            *START,
            ("who/", {"who": "professional"}),
            ("professional-route/", {"route": "early_help"}),
        ],
    )
    assert response["Location"] == BASE + "early-help/"
    html = web.get(BASE + "early-help/").content.decode()
    assert "Refer a family for early help" in html and "phone us" in html
    assert "020 8461 7373" in html
    assert Referral.objects.count() == 0


def test_professional_must_give_a_work_contact(web):
    walk(web, [*START, ("who/", {"who": "professional"})])
    walk(web, [("professional-route/", {"route": "safeguarding"})])
    response = web.post(
        BASE + "professional-details/", {"name": "A", "organisation": "B", "role": "C"}
    )
    assert _errors(response) == ["Enter a work email address or phone number"]


# -- a young person --------------------------------------------------------------------------
def test_a_young_person_about_themself_is_spoken_to_as_you(web):
    walk(web, [*START, ("who/", {"who": "child"})])
    page = web.get(BASE + "about-self/").content.decode()
    assert "0800 1111" in page  # Childline beside every page of theirs
    walk(web, [("about-self/", {"about_self": "me"})])
    page = web.get(BASE + "child/1/name/").content.decode()
    assert "What is your name?" in page
    walk(web, [("child/1/name/", {"first_name": "Jo"})])
    assert "How old are you?" in web.get(BASE + "child/1/age/").content.decode()
    walk(
        web,
        [
            ("child/1/age/", {"age_known": "age"}),
            ("child/1/age-in-years/", {"approximate_age": "14"}),
        ],
    )
    assert "Where do you live?" in web.get(BASE + "child/1/where/").content.decode()
    # They may go on without an address or a school.
    walk(
        web,
        [("child/1/where/", {}), ("child/1/sex/", {}), ("child/1/ethnicity/", {}), *CHILDREN_DONE],
    )
    assert (
        "Do any other children live with you?" in web.get(BASE + "other-children/").content.decode()
    )
    walk(web, CONCERN[:-1])
    assert "It happened to me" in web.get(BASE + "how-known/").content.decode()
    response = web.post(BASE + "how-known/", {"how_known": "other"})
    # Not asked whether to give their name, nor who the child is to them.
    assert response.url.endswith("/reach-you/")
    page = web.get(BASE + "reach-you/").content.decode()
    assert "How can we contact you safely?" in page and "0800 1111" in page
    assert "Who is the child to you?" not in page
    walk(web, [("reach-you/", {"phone": "07700 900 982", "contact_notes": "Text after school"})])
    check = web.get(BASE + "check-your-answers/").content.decode()
    assert "0800 1111" in check
    assert "How you know the child" not in check and "Do you want to tell us" not in check
    assert "Text after school" in check
    page = submit(web).content.decode()
    assert "0800 1111" in page
    assert "they will talk to you first" in page
    referral = Referral.objects.get()
    assert referral.about_themself and referral.referrer_name == "Jo"
    assert referral.referrer_phone == "+447700900982"
    assert referral.children.get().school == ""


# -- adults ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("age_known", "path", "data", "adult"),
    [
        ("age", "age-in-years/", {"approximate_age": "18"}, True),
        ("age", "age-in-years/", {"approximate_age": "17"}, False),
        (
            "dob",
            "date-of-birth/",
            {"date_of_birth_0": "23", "date_of_birth_1": "11", "date_of_birth_2": "2008"},
            True,
        ),
        (
            "dob",
            "date-of-birth/",
            {"date_of_birth_0": "24", "date_of_birth_1": "11", "date_of_birth_2": "2008"},
            False,
        ),
    ],
)
def test_an_adult_is_sent_elsewhere(web, age_known, path, data, adult):
    walk(web, [*START, ("who/", {"who": "public"}), CHILD_ONE[0]])
    walk(web, [("child/1/age/", {"age_known": age_known})])
    response = walk(web, [("child/1/" + path, data)])
    if adult:
        assert response["Location"] == BASE + "adult/"
        html = web.get(BASE + "adult/").content.decode()
        assert "This service is for children" in html and "adult social care" in html
        assert 'href="tel:999"' in html
        # The way on is blocked: the adult answer is not on a path to check your answers.
        assert web.get(BASE + "child/1/where/")["Location"] == BASE + "adult/"
    else:
        assert response["Location"] == BASE + "child/1/where/"


# -- navigation ------------------------------------------------------------------------------
def back_link(client, path) -> str:
    html = client.get(BASE + path).content.decode()
    return re.search(r'<a href="([^"]+)" class="govuk-back-link">', html).group(1)


def test_back_links_follow_the_path(web):
    assert back_link(web, "danger/") == BASE
    walk(web, public())
    assert back_link(web, "who/") == BASE + "danger/"
    assert back_link(web, "child/1/name/") == BASE + "who/"
    assert back_link(web, "child/1/where/") == BASE + "child/1/date-of-birth/"
    assert back_link(web, "other-children/") == BASE + "children/"
    assert back_link(web, "about-you/") == BASE + "how-known/"


def test_pages_ahead_of_the_answers_redirect_to_the_next_question(web):
    walk(web, START)
    assert web.get(BASE + "categories/")["Location"] == BASE + "who/"
    assert web.get(BASE + "check-your-answers/")["Location"] == BASE + "who/"
    assert web.get(BASE + "child/5/name/")["Location"] == BASE + "who/"


def test_answers_are_kept_when_going_back(web):
    walk(web, public())
    html = web.get(BASE + "description/").content.decode()
    assert "He is often outside late at night with no coat." in html
    html = web.get(BASE + "child/1/date-of-birth/").content.decode()
    assert 'value="2016"' in html


def test_change_link_returns_to_check_answers(web):
    walk(web, public() + ANONYMOUS)
    check = web.get(BASE + "check-your-answers/").content.decode()
    assert BASE + "description/?change=1" in check
    assert back_link(web, "description/?change=1") == BASE + "check-your-answers/"
    response = web.post(BASE + "description/?change=1", {"description": "Changed words"})
    assert response["Location"] == BASE + "check-your-answers/"
    assert "Changed words" in web.get(BASE + "check-your-answers/").content.decode()


def test_change_that_opens_new_questions_asks_them_then_returns(web):
    walk(web, public() + ANONYMOUS)
    response = web.post(BASE + "about-you/?change=1", {"anonymous": "no"})
    assert response["Location"] == BASE + "your-details/?change=1"
    response = walk(web, [("your-details/?change=1", NAMED[1][1])])
    assert response["Location"] == BASE + "contact-safe/?change=1"
    response = walk(web, [("contact-safe/?change=1", {"safe_to_contact": "no"})])
    assert response["Location"] == BASE + "check-your-answers/"
    submit(web)
    referral = Referral.objects.get()
    assert referral.referrer_name == "Pat Jones" and referral.safe_to_contact is False


def test_changed_answers_leave_old_ones_off_the_report(web):
    walk(web, [*PROFESSIONAL, ("family-aware/", {"family_aware": "yes"})])
    walk(web, [("family-agrees/", {"family_agrees": "yes"}), *CHILD_ONE, *CHILDREN_DONE])
    walk(web, CONCERN)
    # Now they say they are a member of the public after all.
    response = web.post(BASE + "who/?change=1", {"who": "public"})
    assert response["Location"] == BASE + "about-you/?change=1"
    walk(web, [("about-you/?change=1", {"anonymous": "yes"})])
    submit(web)
    referral = Referral.objects.get()
    assert referral.referrer_type == "public" and referral.organisation == ""
    assert referral.anonymous and referral.referrer_email == ""


# -- expiry ----------------------------------------------------------------------------------
def test_expired_session_explains_itself_and_starts_again(web):
    walk(web, public())
    web.session.flush()  # the session is gone from the database, as after 2 hours
    web.cookies.clear()
    for path in ("child/1/name/", "categories/", "check-your-answers/"):
        response = web.get(BASE + path)
        assert response.status_code == 200
        html = response.content.decode()
        assert "This page has expired" in html
        assert f'href="{BASE}"' in html
    response = web.post(BASE + "description/", {"description": "x"})
    assert "This page has expired" in response.content.decode()
    response = web.post(BASE + "check-your-answers/", {})
    assert "This page has expired" in response.content.decode()
    assert Referral.objects.count() == 0


def test_old_session_data_is_not_trusted(web):
    session = web.session
    session["journey:concern:bromley"] = {"v": 0, "steps": "nonsense"}
    session.save()
    assert "This page has expired" in web.get(BASE + "who/").content.decode()
    assert web.get(BASE + "danger/").status_code == 200


# -- submission and abuse --------------------------------------------------------------------
def test_honeypot_filled_saves_nothing(web):
    walk(web, public() + ANONYMOUS)
    response = web.post(BASE + "check-your-answers/", {"website": "http://spam.example"})
    assert response.status_code == 400
    assert "Your report has not been sent" in response.content.decode()
    assert Referral.objects.count() == 0


def test_rate_limit_shows_a_friendly_page(web, settings):
    settings.RATE_LIMIT_SUBMISSIONS = "1/h"
    walk(web, public() + ANONYMOUS)
    submit(web)
    web.post(BASE)  # "Start now": a new report
    walk(web, public() + ANONYMOUS)
    response = web.post(BASE + "check-your-answers/", {"website": ""})
    assert response.status_code == 429
    assert "You have sent too many reports" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert Referral.objects.count() == 1
    # The answers are still there for later.
    assert web.get(BASE + "check-your-answers/").status_code == 200


def test_double_click_on_send_goes_to_the_confirmation(web):
    walk(web, public() + ANONYMOUS)
    submit(web)
    response = web.post(BASE + "check-your-answers/", {"website": ""})
    assert response["Location"] == BASE + "sent/"
    assert Referral.objects.count() == 1


def test_confirmation_without_a_report_goes_to_the_start(web):
    assert web.get(BASE + "sent/")["Location"] == BASE


def test_html_is_stored_as_text_and_escaped(web):
    steps = [
        (path, {"description": "<script>alert('x')</script> & <b>bold</b>"})
        if path == "description/"
        else (path, data)
        for path, data in public() + ANONYMOUS
    ]
    walk(web, steps)
    html = web.get(BASE + "check-your-answers/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    submit(web)
    assert Referral.objects.get().description == "<script>alert('x')</script> & <b>bold</b>"


def test_a_huge_paste_is_refused_cleanly(web):
    walk(web, public()[:-4])
    response = web.post(BASE + "description/", {"description": "a" * 100_000})
    assert response.status_code == 200
    assert _errors(response) == ["What is worrying you must be 5,000 characters or less"]
    assert "Error: " in response.content.decode().split("</title>")[0]


def test_error_summary_links_to_each_field(web):
    walk(web, [*START, ("who/", {"who": "public"})])
    response = web.post(BASE + "child/1/name/", {})
    html = response.content.decode()
    assert '<a href="#id_first_name">' in html
    assert 'id="id_first_name"' in html
    response = web.post(BASE + "child/1/name/", {"first_name": "Sam"})
    walk(web, [("child/1/age/", {"age_known": "dob"})])
    response = web.post(
        BASE + "child/1/date-of-birth/",
        {"date_of_birth_0": "12", "date_of_birth_1": "", "date_of_birth_2": "2015"},
    )
    html = response.content.decode()
    assert '<a href="#id_date_of_birth_1">Date of birth must include a month</a>' in html
    # What was typed is kept.
    assert 'value="12"' in html and 'value="2015"' in html


def test_add_and_remove_children_from_check_answers(web):
    walk(web, public() + ANONYMOUS)
    check = web.get(BASE + "check-your-answers/").content.decode()
    assert f'href="{BASE}children/?change=1">Add another child</a>' in check
    response = walk(web, [("children/?change=1", {"add_another": "yes"})])
    assert response["Location"] == BASE + "child/2/name/?change=1"
    response = walk(
        web,
        [
            ("child/2/name/?change=1", {"first_name": "Alex"}),
            ("child/2/age/?change=1", {"age_known": "age"}),
            ("child/2/age-in-years/?change=1", {"approximate_age": "4"}),
        ],
    )
    response = walk(web, [("child/2/where/?change=1", {"school": "Nursery"})])
    assert response["Location"] == BASE + "child/2/sex/?change=1"
    response = walk(web, [("child/2/sex/?change=1", {"sex": "male"})])
    assert response["Location"] == BASE + "child/2/ethnicity/?change=1"
    response = walk(web, [("child/2/ethnicity/?change=1", {"ethnicity": "CHNE"})])
    assert response["Location"] == BASE + "children/?change=1"
    response = walk(web, [("children/?change=1", {"add_another": "no"})])
    assert response["Location"] == BASE + "check-your-answers/"
    check = web.get(BASE + "check-your-answers/").content.decode()
    assert "Alex" in check
    assert f'href="{BASE}child/1/remove-child/?change=1">Remove child 1 from this report' in check
    response = walk(web, [("child/1/remove-child/?change=1", {"remove": "yes"})])
    assert response["Location"] == BASE + "check-your-answers/"
    assert "Chinese" in check and "Male" in check
    submit(web)
    assert [c.first_name for c in Referral.objects.get().children.all()] == ["Alex"]
    alex = Referral.objects.get().children.get()
    assert (alex.sex, alex.ethnicity) == ("male", "CHNE")


def test_only_the_latest_age_answer_counts(web):
    walk(web, [*START, ("who/", {"who": "public"}), CHILD_ONE[0]])
    walk(web, [("child/1/age/", {"age_known": "dob"})])
    response = walk(
        web,
        [
            (
                "child/1/date-of-birth/",
                {"date_of_birth_0": "1", "date_of_birth_1": "1", "date_of_birth_2": "1990"},
            )
        ],
    )
    assert response["Location"] == BASE + "adult/"
    # They meant an age: the old date of birth no longer makes the child an adult.
    walk(web, [("child/1/age/", {"age_known": "age"})])
    response = walk(web, [("child/1/age-in-years/", {"approximate_age": "10"})])
    assert response["Location"] == BASE + "child/1/where/"
    walk(
        web,
        [
            ("child/1/where/", {"school": "Hill School"}),
            ("child/1/sex/", {}),
            ("child/1/ethnicity/", {}),
        ],
    )
    assert "About 10 years old" in web.get(BASE + "children/").content.decode()
    walk(web, [*CHILDREN_DONE, *CONCERN, *ANONYMOUS])
    submit(web)
    child = Referral.objects.get().children.get()
    assert child.approximate_age == 10 and child.date_of_birth is None


@pytest.mark.parametrize(
    ("slug", "number"), [("bromley", "020 8461 7777"), ("bexley", "020 8303 7777")]
)
def test_the_adult_page_gives_the_boroughs_adult_social_care_number(
    client, seeded_boroughs, slug, number
):
    base = f"/{slug}/report/"
    for path, data in [
        *START,
        ("who/", {"who": "public"}),
        ("child/1/name/", {"first_name": "Kim"}),
        ("child/1/age/", {"age_known": "age"}),
        ("child/1/age-in-years/", {"approximate_age": "19"}),
    ]:
        assert client.post(base + path, data).status_code == 302
    page = re.sub(r"\s+", " ", client.get(base + "adult/").content.decode())
    assert f">{number}</a>" in page and "Adult social care" in page
