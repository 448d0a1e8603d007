"""Factories for screening records (the referral's queue entry), and a fast bulk maker for
tests that need many open referrals."""

from __future__ import annotations

import datetime as dt

import factory

from contacts.calendar import calendar_for
from mash.deadlines import screening_due_at
from mash.models import ScreeningRecord
from reporting.models import Referral
from reporting.references import new_reference
from tests.reporting.factories import ReferralFactory


class ScreeningRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningRecord

    referral = factory.SubFactory(ReferralFactory)
    borough = factory.LazyAttribute(lambda o: o.referral.borough)
    due_at = factory.LazyAttribute(
        lambda o: screening_due_at(o.referral.borough, o.referral.received_at)
    )
    effective_due_at = factory.LazyAttribute(lambda o: o.due_at)
    received_at = factory.LazyAttribute(lambda o: o.referral.received_at)
    kind = factory.LazyAttribute(lambda o: o.referral.kind)


def open_referrals(borough, received: list[dt.datetime], **fields) -> list[ScreeningRecord]:
    """One open referral per received time, in `borough`, created in bulk with their screening
    records (due times computed as the signal receiver would)."""
    calendar = calendar_for(borough)
    references: set[str] = set()
    while len(references) < len(received):
        references.add(new_reference(borough))
    referrals = Referral.objects.bulk_create(
        Referral(
            reference=reference,
            borough=borough,
            received_at=at,
            description="Test concern",
            concern_categories=["neglect"],
            **fields,
        )
        for reference, at in zip(sorted(references), received, strict=True)
    )
    records = []
    for referral in referrals:
        due_at = screening_due_at(borough, referral.received_at, calendar=calendar)
        records.append(
            ScreeningRecord(
                referral=referral,
                borough=borough,
                due_at=due_at,
                effective_due_at=due_at,
                received_at=referral.received_at,
                kind=referral.kind,
            )
        )
    return ScreeningRecord.objects.bulk_create(records)
