"""factory-boy factories for boroughs and their contact data (any borough, by data alone)."""

import datetime as dt

import factory

from contacts.models import (
    Borough,
    ClosureDay,
    ContactLine,
    OfficeHours,
    PhoneNumber,
    StaffedWindow,
)


def _prefix(n: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "Z" + letters[(n // 26) % 26] + letters[n % 26]


class BoroughFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Borough
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Testshire {n}")
    slug = factory.Sequence(lambda n: f"testshire-{n}")
    council_name = factory.LazyAttribute(lambda b: f"London Borough of {b.name}")
    reference_prefix = factory.Sequence(_prefix)
    mash_name = factory.LazyAttribute(lambda b: f"{b.name} Multi-Agency Safeguarding Hub (MASH)")
    address = "Town Hall\n1 High Street\nTestshire\nTE1 1ST"


class OfficeHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficeHours

    borough = factory.SubFactory(BoroughFactory)
    weekday = 0
    opens = dt.time(9)
    closes = dt.time(17)


class ClosureDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClosureDay

    borough = factory.SubFactory(BoroughFactory)
    date = dt.date(2026, 12, 24)
    reason = "Christmas closure"


class ContactLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactLine

    borough = factory.SubFactory(BoroughFactory)
    purpose = ContactLine.Purpose.CHILDRENS_SERVICES
    label = "Children's services"
    schedule = ContactLine.Schedule.OFFICE_HOURS
    order = factory.Sequence(int)


class PhoneNumberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhoneNumber

    line = factory.SubFactory(ContactLineFactory)
    number = "+442079460000"
    order = 0


class StaffedWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffedWindow

    line = factory.SubFactory(ContactLineFactory)
    weekday = 0
    starts = dt.time(18)
    ends = dt.time(8)


def borough_with_office_hours(*, opens=dt.time(10), closes=dt.time(16), **kwargs) -> Borough:
    borough = BoroughFactory(**kwargs)
    for weekday in range(5):
        OfficeHoursFactory(borough=borough, weekday=weekday, opens=opens, closes=closes)
    return borough
