"""Page titles that say where you are (WCAG 2.4.2) and carry nothing typed: each journey has its
own service name, each of its pages its own title, built from the step, never the answers."""

import datetime as dt
import inspect

import pytest

from reporting import family_journeys as fj
from reporting.concern_journey import CONCERN
from reporting.journey import Journey, Location
from reporting.registry import JOURNEYS as REGISTRY
from reporting.templatetags.govuk_extras import iso_datetime

JOURNEYS = [CONCERN, fj.FAMILY_WELLBEING, fj.SELF_REFERRAL, fj.CONSULTATION]


def test_each_journey_has_its_own_service_name():
    names = [entry.service for entry in REGISTRY.values()]
    assert all(names) and len(set(names)) == len(names)


@pytest.mark.parametrize("journey", JOURNEYS, ids=lambda j: j.name)
def test_every_page_of_a_journey_has_a_title_of_its_own(journey):
    titles = {}
    for step in journey.steps:
        indexes = [0, 1] if step.group else [None]
        for index in indexes:
            title = journey.page_title(Location(step.name, index))
            assert title, step.name
            titles.setdefault(title, []).append((step.name, index))
    shared = {title: where for title, where in titles.items() if len(where) > 1}
    assert not shared


def test_a_title_is_built_without_the_answers():
    """It takes a location only: nothing typed can reach it (issue 13)."""
    assert list(inspect.signature(Journey.page_title).parameters) == ["self", "location"]
    assert CONCERN.page_title(Location("date-of-birth", 1)) == (
        "What is the child's date of birth? – child 2"
    )


def test_time_datetime_values_are_whole_seconds_in_london():
    moment = dt.datetime(2026, 11, 22, 6, 4, 13, 865831, tzinfo=dt.UTC)
    assert iso_datetime(moment) == "2026-11-22T06:04:13+00:00"
    summer = dt.datetime(2026, 7, 1, 9, 0, 0, 1, tzinfo=dt.UTC)
    assert iso_datetime(summer) == "2026-07-01T10:00:00+01:00"
    assert iso_datetime(dt.date(2026, 12, 3)) == "2026-12-03"
    assert iso_datetime(None) == ""
