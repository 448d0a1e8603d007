"""The 400, 403 and CSRF-failure pages: the GOV.UK layout (no inline style, so the CSP holds),
plain words, the council's numbers when the URL names a borough, and 999 always."""

import re

import pytest
from django.test import Client, RequestFactory

from config import views

pytestmark = pytest.mark.django_db

BROMLEY_NUMBER = "020 8461 7373"


def assert_govuk_page(html: str) -> None:
    assert 'class="govuk-template"' in html and "govuk-footer" in html
    assert "govuk-header" in html and 'id="main-content"' in html
    assert not re.search(r"\sstyle=|<style", html)  # the CSP allows no inline style
    assert 'href="tel:999"' in html


def test_csrf_failure_says_cookies_in_plain_words_with_the_boroughs_numbers(bromley):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/bromley/report/danger/", {"danger": "no"})
    assert response.status_code == 403
    html = response.content.decode()
    assert_govuk_page(html)
    assert "You need cookies turned on to send this form" in html
    assert "<title>You need cookies turned on to send this form" in html
    assert BROMLEY_NUMBER in html
    assert "CSRF" not in html and "Forbidden" not in html
    assert "no-store" in response["Cache-Control"]


def test_csrf_failure_without_a_borough_still_says_999_and_where_to_find_the_number(bromley):
    response = Client(enforce_csrf_checks=True).post("/mash/login/", {"username": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert_govuk_page(html)
    assert "You need cookies turned on" in html
    assert BROMLEY_NUMBER not in html
    assert 'href="/"' in html  # find the number to call


def test_bad_request_page_with_the_boroughs_numbers(bromley):
    response = Client().get("/bromley/report/%00/")
    assert response.status_code == 400
    html = response.content.decode()
    assert_govuk_page(html)
    assert "Sorry, there is a problem" in html
    assert "nothing has been sent or saved" in html
    assert BROMLEY_NUMBER in html


def test_a_nul_in_a_staff_reference_is_a_400_not_a_500(bromley):
    response = Client().get("/mash/referrals/BRM-%00-X/")
    assert response.status_code == 400
    assert_govuk_page(response.content.decode())


def test_permission_denied_page(bexley):
    request = RequestFactory().get("/bexley/family-wellbeing/")
    response = views.permission_denied(request, None)
    assert response.status_code == 403
    html = response.content.decode()
    assert_govuk_page(html)
    assert "You cannot see this page" in html
    assert "020 3045 5440" in html or "020 8303 7777" in html  # Bexley's, whatever the hour


def test_unknown_borough_in_the_url_gives_the_page_without_numbers(bromley):
    request = RequestFactory().get("/nowhere/report/")
    html = views.bad_request(request).content.decode()
    assert_govuk_page(html)
    assert BROMLEY_NUMBER not in html
