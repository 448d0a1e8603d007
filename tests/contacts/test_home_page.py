"""The home page: the child's postcode first, the councils listed below it."""

import html

import pytest
from django.core.management import call_command

from tests.contacts.ons_csv import SAMPLE, write_ons_csv


@pytest.fixture
def directory(seeded_boroughs, tmp_path):
    call_command("import_postcodes", str(write_ons_csv(tmp_path / "onspd.csv", SAMPLE)))


def page(client, postcode=None):
    response = client.get("/", {} if postcode is None else {"postcode": postcode})
    return response, html.unescape(response.content.decode())


def test_the_home_page_asks_for_a_postcode_above_the_list(client, seeded_boroughs):
    response, text = page(client)
    assert response.status_code == 200
    assert '<form method="get" action="/"' in text and 'name="postcode"' in text
    assert "What is the child's postcode?" in text
    assert "If you do not know it, enter the postcode where you are" in text
    assert text.index('name="postcode"') < text.index('href="/bromley/"')
    assert 'href="/bexley/"' in text
    assert "public" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("typed", "slug"),
    [("BR1 3UH", "bromley"), ("br13uh", "bromley"), (" Da6  7at ", "bexley")],
)
def test_a_postcode_in_one_served_borough_goes_to_its_page(client, directory, typed, slug):
    response = client.get("/", {"postcode": typed})
    assert response.status_code == 302 and response["Location"] == f"/{slug}/"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert client.get("/?postcode=BR1+3UH")["Location"] == "/bromley/"  # the form's own GET


def test_a_postcode_in_a_council_not_served_says_so_and_what_to_do(client, directory):
    response, text = page(client, "se10 9nn")
    assert response.status_code == 200
    assert "This service does not cover SE10 9NN" in text
    assert "<title>This service does not cover that area" in text  # the title holds no postcode
    assert 'href="tel:999"' in text
    assert "0808 800 5000" in text and 'href="tel:08088005000"' in text
    assert 'href="https://www.gov.uk/find-local-council"' in text
    assert 'href="/bromley/"' in text and 'href="/bexley/"' in text  # what it does cover
    assert "no-store" in response["Cache-Control"]


def test_a_postcode_on_a_boundary_lists_the_boroughs_it_may_be_in(client, directory):
    response, text = page(client, "SE9 4ZZ")
    assert response.status_code == 200
    assert "SE9 4ZZ may be in more than one council area" in text
    listed = text[text.index("it may be in:") : text.index("If you are not sure")]
    assert 'href="/bexley/"' in listed and 'href="/bromley/"' in listed
    assert "find-local-council" in text  # part of SE9 is Greenwich: not served


def test_an_unknown_postcode_lists_every_council(client, directory):
    response, text = page(client, "ZE1 0AA")
    assert "We could not find ZE1 0AA" in text
    assert 'href="/bromley/"' in text and 'href="/bexley/"' in text
    assert "find-local-council" in text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("BR1", "Enter a real postcode"),
        ("hello", "Enter a real postcode"),
        ("  ", "Enter a postcode"),
    ],
)
def test_invalid_input_gets_an_error(client, directory, typed, message):
    response, text = page(client, typed)
    assert response.status_code == 200
    assert "<title>Error: Worried about a child?" in text
    assert f'<a href="#postcode">{message}</a>' in text  # the error summary
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}' in text
    assert 'aria-describedby="postcode-hint postcode-error"' in text
    assert f'value="{typed}"' in text  # what was typed is kept
    assert 'href="/bromley/"' in text  # the list is still there


def test_typed_text_is_escaped(client, seeded_boroughs):
    response = client.get("/", {"postcode": '"><script>alert(1)</script>'})
    assert b"<script>alert(1)" not in response.content


def test_without_a_loaded_directory_the_home_page_still_works(client, seeded_boroughs):
    response, text = page(client, "BR1 3UH")
    assert response.status_code == 200
    assert "We could not find BR1 3UH" in text
    assert 'href="/bromley/"' in text and 'href="/bexley/"' in text


def test_the_lookup_is_one_query_on_the_directory(client, directory, django_assert_num_queries):
    with django_assert_num_queries(2):  # the served boroughs (for the list), the postcode
        assert client.get("/", {"postcode": "BR1 3UH"}).status_code == 302
