"""Each borough's early-help service in its own words, the services it offers online (a
service that is off has no pages and no links), and its levels-of-need guide on the
professionals' pages."""

import html

import pytest
import time_machine

from contacts.calendar import LONDON
from contacts.models import Borough

JOURNEY_URLS = {
    "wellbeing": [
        "family-wellbeing/",
        "family-wellbeing/consent/",
        "family-wellbeing/child/1/name/",
        "family-wellbeing/carer/1/carer/",
        "family-wellbeing/check-your-answers/",
        "family-wellbeing/sent/",
    ],
    "self": ["self-referral/", "self-referral/check-your-answers/", "self-referral/sent/"],
    "consultation": [
        "consultation/",
        "consultation/check-your-answers/",
        "consultation/sent/",
    ],
}


@pytest.fixture(autouse=True)
def _monday():
    import datetime as dt

    with time_machine.travel(dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON), tick=False):
        yield


def text_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def test_bexley_keeps_family_wellbeing_and_bromley_says_early_help(client, seeded_boroughs):
    bexley = text_of(client, "/bexley/")
    assert "Family Wellbeing: help for families" in bexley
    assert "Refer a family to Family Wellbeing" in bexley
    assert "Ask Family Wellbeing for help" in bexley
    assert '<h1 class="govuk-heading-xl">Refer a family to Family Wellbeing</h1>' in text_of(
        client, "/bexley/family-wellbeing/"
    )
    bromley = text_of(client, "/bromley/")
    assert "Early help: help for families" in bromley
    assert "Refer a family for early help" in bromley and "Ask for early help" in bromley
    for url in ("/bromley/", "/bromley/family-wellbeing/", "/bromley/self-referral/"):
        assert "Family Wellbeing" not in text_of(client, url), url
    assert "Refer a family for early help – London Borough of Bromley" in text_of(
        client, "/bromley/family-wellbeing/"
    )


def test_the_early_help_name_is_data(client, seeded_boroughs):
    bromley = Borough.objects.get(slug="bromley")
    bromley.early_help_name = "Bromley Children's Project"
    bromley.early_help_referral_title = "Refer a family to the Bromley Children's Project"
    bromley.save()
    text = text_of(client, "/bromley/family-wellbeing/")
    assert '<h1 class="govuk-heading-xl">Refer a family to the Bromley Children\'s Project' in text
    assert "The Bromley Children's Project team works with" in text


@pytest.mark.parametrize("slug", ["bromley", "bexley"])
def test_every_journey_is_offered_by_default(client, seeded_boroughs, slug):
    for flow, urls in JOURNEY_URLS.items():
        assert client.get(f"/{slug}/{urls[0]}").status_code == 200, flow


def test_a_borough_without_early_help_has_no_early_help_pages_or_links(client, seeded_boroughs):
    Borough.objects.filter(slug="bromley").update(early_help_service=False)
    for flow in ("wellbeing", "self"):
        for url in JOURNEY_URLS[flow]:
            assert client.get(f"/bromley/{url}").status_code == 404, url
            assert client.post(f"/bromley/{url}", {}).status_code == 404, url
    pages = [
        "/bromley/",
        "/bromley/consultation/",
        "/bromley/report/early-help/",
        "/bromley/signs-a-child-may-be-at-risk/",
    ]
    for url in pages:
        text = text_of(client, url)
        assert "/bromley/family-wellbeing/" not in text, url
        assert "/bromley/self-referral/" not in text, url
    assert 'href="/bromley/consultation/"' in text_of(client, "/bromley/")
    early = text_of(client, "/bromley/report/early-help/")
    assert "does not take early help referrals online" in early
    assert 'href="/bromley/consultation/"' in early
    # Bexley is untouched
    assert client.get("/bexley/family-wellbeing/").status_code == 200


def test_a_borough_without_consultations_has_no_consultation_pages_or_links(
    client, seeded_boroughs
):
    Borough.objects.filter(slug="bexley").update(consultations=False)
    for url in JOURNEY_URLS["consultation"]:
        assert client.get(f"/bexley/{url}").status_code == 404, url
    for url in (
        "/bexley/",
        "/bexley/family-wellbeing/",
        "/bexley/report/early-help/",
        "/bexley/report/professional-route/",
    ):
        assert "/bexley/consultation/" not in text_of(client, url), url
    assert client.get("/bromley/consultation/").status_code == 200


def test_the_need_levels_guide_is_on_the_professionals_pages(client, seeded_boroughs):
    bexley = Borough.objects.get(slug="bexley")
    bexley.need_levels_guide = "Level 1, universal: our own words.\n\nLevel 2, early help: ours."
    bexley.save()
    referral = '<a class="govuk-link" href="/bexley/family-wellbeing/">'
    consultation = '<a class="govuk-link" href="/bexley/consultation/">'
    for url, early_help, not_sure in (
        ("/bexley/family-wellbeing/", "make this referral", consultation),
        ("/bexley/consultation/", referral, "ask for this consultation"),
        ("/bexley/report/early-help/", referral, consultation),
    ):
        text = text_of(client, url)
        assert '<p class="govuk-body">Level 1, universal: our own words.</p>' in text, url
        assert '<p class="govuk-body">Level 2, early help: ours.</p>' in text, url
        guide = text[text.index("describe a child's needs in levels") :]
        assert early_help in guide, url  # early help: the referral
        assert not_sure in guide, url  # not sure: a consultation
        assert 'href="/bexley/report/"' in guide, url  # complex or at risk: report a concern


def test_the_professional_route_question_offers_the_guide(client, seeded_boroughs):
    client.post("/bromley/report/danger/", {"danger": "no"})
    client.post("/bromley/report/who/", {"who": "professional"})
    text = text_of(client, "/bromley/report/professional-route/")
    assert "Not sure? The levels of need in Bromley" in text
    assert "Level 2, early help" in text
    assert 'href="/bromley/consultation/"' in text


def test_the_default_guide_is_the_london_continuum_of_need(seeded_boroughs):
    levels = Borough.objects.get(slug="bromley").need_levels
    assert [level.split(",")[0] for level in levels] == [
        "Level 1",
        "Level 2",
        "Level 3",
        "Level 4",
    ]
