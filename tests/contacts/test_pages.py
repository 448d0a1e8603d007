"""The public contact pages: who to call now, what changes when, and caching bounded by it."""

import datetime as dt
import re

import pytest
import time_machine

from contacts.calendar import UTC
from contacts.models import Borough
from contacts.selectors import staffing_for
from tests.contacts.conftest import ldn

pytestmark = pytest.mark.django_db


def get(client, path, at):
    with time_machine.travel(at, tick=False):
        return client.get(path)


def text(response) -> str:
    """The page's main content as plain text, whitespace collapsed."""
    html = response.content.decode()
    html = html[html.index("<main") : html.index("</main>")]
    html = re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'")
    return re.sub(r"\s+", " ", html)


def max_age(response) -> int:
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


def staffed_card_numbers(response) -> list[str]:
    return re.findall(
        r'class="govuk-link app-nowrap app-staffed-number" href="tel:(\+\d+)">([\d ]+)</a>',
        response.content.decode(),
    )


def test_choose_council_lists_both_councils(client, seeded_boroughs):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/bromley/"' in html and 'href="/bexley/"' in html
    assert "London Borough of Bromley" in html and "London Borough of Bexley" in html
    assert 'href="tel:999"' in html
    assert max_age(response) <= 60


def test_choose_council_hides_inactive_boroughs(client, bexley):
    bexley.is_active = False
    bexley.save()
    html = client.get("/").content.decode()
    assert 'href="/bexley/"' not in html and 'href="/bromley/"' in html


def test_bromley_in_hours_shows_the_office_numbers_now(client, seeded_boroughs):
    response = get(client, "/bromley/", ldn(2026, 11, 27, 16, 59, 30))
    assert response.status_code == 200
    title = re.search(r"<title>(.*?)</title>", response.content.decode()).group(1)
    assert title.count("London Borough of Bromley") == 1, title  # the council once
    assert staffed_card_numbers(response) == [
        ("+442084617373", "020 8461 7373"),
        ("+442084617379", "020 8461 7379"),
        ("+442084617026", "020 8461 7026"),
        ("+442084617373", "020 8461 7373"),
        ("+442084617309", "020 8461 7309"),
    ]
    page = text(response)
    assert "It is 4:59pm on Friday 27 November 2026" in page
    assert "Open now. Closes at 5pm today." in page
    # what it changes to: the out-of-hours line, its number, and when it opens
    assert "Emergency out-of-hours service 0300 303 8671" in page
    assert "Closed now Opens at 5pm today." in page
    assert 'href="tel:+443003038671">0300 303 8671</a>' in response.content.decode()
    assert 'href="tel:999"' in response.content.decode()
    assert "Civic Centre Stockwell Close Bromley BR1 3UH" in page
    assert "Fax: 020 8313 4400" in page
    # cached no longer than the 30 seconds left until 5pm
    assert max_age(response) <= 30


def test_bromley_friday_evening_shows_out_of_hours_until_monday(client, seeded_boroughs):
    response = get(client, "/bromley/", ldn(2026, 11, 27, 17, 0))
    assert staffed_card_numbers(response) == [("+443003038671", "0300 303 8671")]
    page = text(response)
    assert "Open now. Closes at 8:30am on Monday 30 November." in page
    assert "Opens at 8:30am on Monday 30 November." in page
    assert "020 8461 7373" in page  # the other lines are still listed
    assert 'href="tel:999"' in response.content.decode()


def test_bromley_on_the_substitute_bank_holiday(client, seeded_boroughs):
    response = get(client, "/bromley/", ldn(2026, 12, 28, 12, 0))
    assert staffed_card_numbers(response) == [("+443003038671", "0300 303 8671")]
    assert "Closes at 8:30am tomorrow (Tuesday 29 December)." in text(response)


def test_bexley_gap_says_no_line_is_staffed_and_when_each_opens(client, seeded_boroughs):
    response = get(client, "/bexley/", ldn(2026, 11, 24, 8, 15))
    assert response.status_code == 200
    assert staffed_card_numbers(response) == []
    page = text(response)
    assert "No Bexley phone line is staffed right now." in page
    assert "Children's Services MASH opens at 9am today: 020 3045 5440 ." in page
    assert "Out-of-hours service opens at 6pm today: 020 8303 7777 or 020 8303 7171 ." in page
    assert "If a child is in immediate danger, call 999" in page
    assert "Civic Offices 2 Watling Street Bexleyheath DA6 7AT" in page
    assert "Fax" not in page
    assert max_age(response) <= 60


def test_bexley_evening_gap(client, seeded_boroughs):
    response = get(client, "/bexley/", ldn(2026, 11, 27, 17, 59, 45))
    page = text(response)
    assert "No Bexley phone line is staffed right now." in page
    assert "Out-of-hours service opens at 6pm today" in page
    assert "Children's Services MASH opens at 9am on Monday 30 November" in page
    assert max_age(response) <= 15


def test_bexley_out_of_hours_shows_both_numbers(client, seeded_boroughs):
    response = get(client, "/bexley/", ldn(2026, 11, 28, 3, 0))
    assert staffed_card_numbers(response) == [
        ("+442083037777", "020 8303 7777"),
        ("+442083037171", "020 8303 7171"),
    ]
    assert "No Bexley phone line" not in text(response)


@pytest.mark.parametrize(
    ("slug", "at"),
    [
        ("bromley", ldn(2026, 11, 23, 8, 29, 50)),
        ("bromley", ldn(2026, 11, 23, 16, 59, 59)),
        ("bexley", ldn(2026, 11, 24, 7, 59, 20)),
        ("bexley", ldn(2026, 11, 24, 8, 59, 1)),
        ("bexley", ldn(2026, 11, 24, 16, 59, 30)),
        ("bexley", ldn(2026, 11, 24, 17, 59, 59)),
        ("bromley", ldn(2026, 3, 30, 8, 29)),
    ],
)
def test_page_cache_never_outlives_the_next_change(client, seeded_boroughs, slug, at):
    response = get(client, f"/{slug}/", at)
    assert response.status_code == 200
    next_change = staffing_for(Borough.objects.get(slug=slug), at).next_change
    seconds_left = (next_change.astimezone(UTC) - at.astimezone(UTC)) / dt.timedelta(seconds=1)
    assert 0 <= max_age(response) <= seconds_left
    assert "public" in response["Cache-Control"]


def test_page_shows_an_admin_edit_at_once(client, bromley):
    from contacts.models import PhoneNumber

    at = ldn(2026, 11, 23, 12, 0)
    assert ("+442084617373", "020 8461 7373") in staffed_card_numbers(get(client, "/bromley/", at))
    PhoneNumber.objects.filter(number="+442084617026").update(number="+442084610000")
    # a queryset update sends no signal: code that bypasses save() must bump the version
    from contacts.signals import bump

    bump(bromley.pk)
    numbers = staffed_card_numbers(get(client, "/bromley/", at))
    assert ("+442084610000", "020 8461 0000") in numbers
    assert ("+442084617026", "020 8461 7026") not in numbers


def test_unknown_borough_is_a_govuk_404(client, seeded_boroughs):
    response = client.get("/narnia/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<h1 class="govuk-heading-xl">Page not found</h1>' in html
    assert "govuk-template" in html or "govuk-header" in html
    assert 'href="tel:999"' in html


def test_inactive_borough_page_is_a_404(client, bromley):
    bromley.is_active = False
    bromley.save()
    assert client.get("/bromley/").status_code == 404


def test_in_hours_page_says_what_to_call_after_the_switch(client, seeded_boroughs):
    body = text(get(client, "/bromley/", ldn(2026, 11, 24, 10, 0)))
    assert "From 5pm today, call the Emergency out-of-hours service on 0300 303 8671" in body, body


def test_friday_evening_switch_names_the_out_of_hours_line(client, seeded_boroughs):
    body = text(get(client, "/bromley/", ldn(2026, 11, 27, 8, 40)))
    assert "From 5pm today, call the Emergency out-of-hours service" in body


def test_bexley_before_its_evening_gap_says_no_line_until_6pm(client, seeded_boroughs):
    body = text(get(client, "/bexley/", ldn(2026, 11, 24, 16, 0)))
    assert "From 5pm today, no phone line is staffed until 6pm today." in body
    assert "From 5pm today, call" not in body


def test_out_of_hours_page_says_office_line_opens_next_morning(client, seeded_boroughs):
    body = text(get(client, "/bromley/", ldn(2026, 11, 24, 20, 0)))
    assert "From 8:30am tomorrow (Wednesday 25 November), call the Children's services on" in body


def test_lines_after_change_is_the_set_staffed_from_next_change(bexley):
    staffing = staffing_for(bexley, ldn(2026, 11, 24, 7, 30))
    assert staffing.next_change == ldn(2026, 11, 24, 8, 0)
    assert staffing.lines_after_change == ()
    assert staffing.next_opening == ldn(2026, 11, 24, 9, 0)
    evening = staffing_for(bexley, ldn(2026, 11, 24, 17, 30))
    assert [line.purpose for line in evening.lines_after_change] == ["out_of_hours"]


def s_maxage(response) -> int:
    return int(re.search(r"s-maxage=(\d+)", response["Cache-Control"]).group(1))


def test_the_borough_page_is_revalidated_by_browsers_and_never_stale_after_an_edit(
    client, seeded_boroughs
):
    at = ldn(2026, 11, 24, 10, 0)  # Bromley's office is open until 17:00
    first = get(client, "/bromley/", at)
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{24}"', etag)
    # Browsers keep it but ask again every time; shared caches keep the rule of never
    # outliving the next switch (and a minute at most).
    assert max_age(first) == 0 and "public" in first["Cache-Control"]
    assert 0 < s_maxage(first) <= 60
    # Asking again with the ETag costs a 304 and no body (served from the page memo)...
    again = get(client, "/bromley/", at + dt.timedelta(seconds=5))
    assert again["ETag"] == etag
    with time_machine.travel(at + dt.timedelta(seconds=10), tick=False):
        unchanged = client.get("/bromley/", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["ETag"] == etag and max_age(unchanged) == 0
    # ...until an admin edits the borough's numbers: the same browser gets the new page.
    number = Borough.objects.get(slug="bromley").lines.first().numbers.first()
    number.number = "020 8461 7000"
    number.save()
    with time_machine.travel(at + dt.timedelta(seconds=15), tick=False):
        edited = client.get("/bromley/", headers={"If-None-Match": etag})
    assert edited.status_code == 200 and edited["ETag"] != etag
    assert "020 8461 7000" in text(edited)


def test_help_to_report_relay_uk_interpreters_and_bsl_only_when_set(client, seeded_boroughs):
    at = ldn(2026, 11, 24, 10, 0)
    page = get(client, "/bromley/", at).content.decode()
    assert 'href="tel:180010208461737' in page and "18001 020 8461 7373" in page
    assert "We can arrange an interpreter" in page
    assert 'id="bsl"' not in page
    bromley = Borough.objects.get(slug="bromley")
    bromley.bsl_video_relay_url = "https://bsl.example.org/bromley"
    bromley.save()
    page = get(client, "/bromley/", at + dt.timedelta(seconds=1)).content.decode()
    assert 'href="https://bsl.example.org/bromley"' in page


def test_adult_social_care_is_never_among_the_lines_about_a_child(client, seeded_boroughs):
    at = ldn(2026, 11, 24, 10, 0)
    page = text(get(client, "/bromley/", at))
    assert "020 8461 7777" not in page and "Adult social care" not in page
    answer = get(client, f"/api/contacts/bromley/?at={at.isoformat()}", at).json()
    assert "adult_social_care" not in [line["purpose"] for line in answer["open_lines"]]


def test_saving_a_stale_borough_never_sets_its_version_back(client, seeded_boroughs):
    """Two admins: one opens the borough, the other edits a number, the first saves. The page
    rendered after the number's edit must not be served again after that save."""
    stale = Borough.objects.get(slug="bromley")
    at = ldn(2026, 11, 24, 10, 0)
    number = stale.lines.get(purpose="childrens_services").numbers.first()
    number.number = "+442084617000"
    number.save()
    assert "020 8461 7000" in text(get(client, "/bromley/", at))
    stale.mash_email = "mash@bromley.example"
    stale.save()
    page = text(get(client, "/bromley/", at + dt.timedelta(seconds=1)))
    assert "mash@bromley.example" in page and "020 8461 7000" in page
