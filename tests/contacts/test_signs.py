"""The "Signs that a child may be at risk" page, for the person who is not sure."""

import html

import pytest


@pytest.mark.parametrize("slug", ["bromley", "bexley"])
def test_the_signs_page_covers_each_kind_of_harm_and_ends_tell_us(client, seeded_boroughs, slug):
    response = client.get(f"/{slug}/signs-a-child-may-be-at-risk/")
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert '<h1 class="govuk-heading-xl">Signs that a child may be at risk</h1>' in text
    headings = [
        "Physical abuse",
        "Emotional abuse",
        "Sexual abuse",
        "Neglect",
        "Exploitation",
        "Domestic abuse at home",
    ]
    positions = [text.index(f">{heading}</h2>") for heading in headings]
    assert positions == sorted(positions)
    end = text.index("You do not need to be sure: tell us")
    assert end > positions[-1]
    assert f'href="/{slug}/report/"' in text[end:]  # a link to start a report
    assert 'href="tel:999"' in text
    assert "max-age" in response["Cache-Control"]


def test_the_signs_page_is_linked_from_the_borough_page_and_the_report_start(
    client, seeded_boroughs
):
    link = 'href="/bromley/signs-a-child-may-be-at-risk/"'
    assert link in client.get("/bromley/").content.decode()
    assert link in client.get("/bromley/report/").content.decode()


def test_no_signs_page_for_an_unknown_borough(client, seeded_boroughs):
    assert client.get("/nowhere/signs-a-child-may-be-at-risk/").status_code == 404
