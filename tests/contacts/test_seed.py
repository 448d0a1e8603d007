"""The data migration loads Bromley and Bexley exactly as the council pages state them. The
expected values are typed here, from the pages, not read from the project's seed module."""

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from contacts.models import Borough, ContactLine

pytestmark = pytest.mark.django_db

T = dt.time
MON_FRI = [0, 1, 2, 3, 4]

EXPECTED = {
    "bromley": {
        "name": "Bromley",
        "council_name": "London Borough of Bromley",
        "reference_prefix": "BRM",
        "mash_name": "Bromley Multi-Agency Safeguarding Hub (MASH)",
        "address": ["Civic Centre", "Stockwell Close", "Bromley", "BR1 3UH"],
        "fax": "+442083134400",
        "fax_display": "020 8313 4400",
        "is_active": True,
        # "Call children's services (Mon-Fri, 8:30am-5pm)"
        "office_hours": [(day, T(8, 30), T(17, 0)) for day in MON_FRI],
        "closure_days": [],
        "lines": [
            {
                "purpose": "childrens_services",
                "schedule": "office_hours",
                # "020 8461 7373 / 7379 / 7026"
                "numbers": ["020 8461 7373", "020 8461 7379", "020 8461 7026"],
                "e164": ["+442084617373", "+442084617379", "+442084617026"],
                "windows": [],
            },
            {
                "purpose": "out_of_hours",
                "schedule": "outside_office_hours",
                # "Out of hours/weekends/public holidays: 0300 303 8671"
                "numbers": ["0300 303 8671"],
                "e164": ["+443003038671"],
                "windows": [],
            },
            {
                "purpose": "referral_and_assessment",
                "schedule": "office_hours",
                # "Children's referral and assessment team ... Telephone: 020 8461 7373 /7309"
                "numbers": ["020 8461 7373", "020 8461 7309"],
                "e164": ["+442084617373", "+442084617309"],
                "windows": [],
            },
        ],
    },
    "bexley": {
        "name": "Bexley",
        "council_name": "London Borough of Bexley",
        "reference_prefix": "BXL",
        "mash_name": "Bexley Children's Services Multi-Agency Safeguarding Hub (MASH)",
        "address": ["Civic Offices", "2 Watling Street", "Bexleyheath", "DA6 7AT"],
        "fax": "",
        "fax_display": "",
        "is_active": True,
        # "Business hours (Monday to Friday 9am to 5pm)"
        "office_hours": [(day, T(9, 0), T(17, 0)) for day in MON_FRI],
        "closure_days": [],
        "lines": [
            {
                "purpose": "childrens_services",
                "schedule": "office_hours",
                "numbers": ["020 3045 5440"],
                "e164": ["+442030455440"],
                "windows": [],
            },
            {
                "purpose": "out_of_hours",
                "schedule": "windows",
                "on_closed_days": "all_day",
                # "Out of hours 020 8303 7777 or 020 8303 7171"
                "numbers": ["020 8303 7777", "020 8303 7171"],
                "e164": ["+442083037777", "+442083037171"],
                # weekdays 6pm to 8am (past midnight), all weekend, and Monday until 8am
                "windows": sorted(
                    [(day, T(18), T(8)) for day in MON_FRI]
                    + [(5, T(0), T(0)), (6, T(0), T(0)), (0, T(0), T(8))]
                ),
            },
        ],
    },
}


def snapshot(borough: Borough) -> dict:
    lines = []
    # the children's lines (adult social care is seeded by migration 0006, tested below)
    for line in borough.lines.exclude(purpose="adult_social_care").order_by("order", "id"):
        entry = {
            "purpose": line.purpose,
            "schedule": line.schedule,
            "numbers": [n.display for n in line.numbers.order_by("order", "id")],
            "e164": [n.number for n in line.numbers.order_by("order", "id")],
            "windows": sorted((w.weekday, w.starts, w.ends) for w in line.windows.all()),
        }
        if line.schedule == "windows":
            entry["on_closed_days"] = line.on_closed_days
        lines.append(entry)
    return {
        "name": borough.name,
        "council_name": borough.council_name,
        "reference_prefix": borough.reference_prefix,
        "mash_name": borough.mash_name,
        "address": borough.address_lines,
        "fax": borough.fax,
        "fax_display": borough.fax_display,
        "is_active": borough.is_active,
        "office_hours": [
            (oh.weekday, oh.opens, oh.closes) for oh in borough.office_hours.order_by("weekday")
        ],
        "closure_days": list(borough.closure_days.values_list("date", flat=True)),
        "lines": lines,
    }


@pytest.mark.parametrize("slug", ["bromley", "bexley"])
def test_seeded_borough_is_exactly_as_the_pages_state(seeded_boroughs, slug):
    assert snapshot(Borough.objects.get(slug=slug)) == EXPECTED[slug]


def test_the_data_migration_itself_loads_both_boroughs(db):
    """Run migration 0002's own function with the historical models it was written for."""
    Borough.objects.all().delete()
    migration = importlib.import_module("contacts.migrations.0002_seed_boroughs")
    state = MigrationLoader(connection).project_state(("contacts", "0002_seed_boroughs"))
    migration.load(state.apps, None)
    assert sorted(Borough.objects.values_list("slug", flat=True)) == ["bexley", "bromley"]
    for slug, expected in EXPECTED.items():
        assert snapshot(Borough.objects.get(slug=slug)) == expected
    # running it again changes nothing (idempotent)
    migration.load(state.apps, None)
    assert Borough.objects.count() == 2
    migration.unload(state.apps, None)
    assert not Borough.objects.filter(slug__in=["bromley", "bexley"]).exists()


ADULT = "adult_social_care"


def test_migration_0006_seeds_each_boroughs_adult_social_care_line(seeded_boroughs):
    adult = {
        line.borough.slug: (line.label, line.schedule, [n.display for n in line.numbers.all()])
        for line in ContactLine.objects.filter(purpose=ADULT)
    }
    assert adult == {
        "bromley": ("Adult social care", "office_hours", ["020 8461 7777"]),
        "bexley": ("Adult social care", "office_hours", ["020 8303 7777"]),
    }


def test_seed_numbers_are_stored_in_e164_and_valid(seeded_boroughs):
    from contacts.models import PhoneNumber

    for number in PhoneNumber.objects.all():
        stored = number.number
        number.full_clean()  # normalising an already-normal number changes nothing
        assert number.number == stored


def test_line_labels_and_summaries(seeded_boroughs):
    labels = {
        (line.borough.slug, line.purpose): (line.label, line.hours_summary)
        for line in Borough.objects.get(slug="bromley").lines.exclude(purpose=ADULT)
    } | {
        (line.borough.slug, line.purpose): (line.label, line.hours_summary)
        for line in Borough.objects.get(slug="bexley").lines.exclude(purpose=ADULT)
    }
    assert labels == {
        ("bromley", "childrens_services"): (
            "Children's services",
            "Monday to Friday, 8:30am to 5pm",
        ),
        ("bromley", "out_of_hours"): (
            "Emergency out-of-hours service",
            "Out of hours, weekends and public holidays",
        ),
        ("bromley", "referral_and_assessment"): ("Children's referral and assessment team", ""),
        ("bexley", "childrens_services"): (
            "Children's Services MASH",
            "Business hours: Monday to Friday, 9am to 5pm",
        ),
        ("bexley", "out_of_hours"): (
            "Out-of-hours service",
            "Monday to Friday, 6pm to 8am; all weekend and bank holidays",
        ),
    }
