"""Ofsted's Annex A lists for one borough: the rows, as generators (one database query per list,
read in chunks with `iterator(chunk_size=...)`, so memory stays flat at any size). The views
in `mash.export_views` write them as CSV or as an .xlsx workbook; docs/annex-a.md says how each
column is filled and why.

- List 1, contacts: one row per child per contact received in the period (every kind of
  submission with children; a consultation request names no child and gives no row).
- List 2, early help: one row per child whose referral screening accepted for Family
  Wellbeing (the decision's outcome) in the period: start (the decision's date) and planned
  end (the end of the support window fixed with the decision).
- List 3, referrals to children's social care: one row per child per referral whose screening
  outcome is a referral to children's social care (`mash.outcomes`) decided in the period,
  with the number of the child's other such referrals in the 12 months before it.

The period: the six months ending on `until` (inclusive), London dates: until 31/05/2026 is
01/12/2025 to 31/05/2026.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DateTimeField, F, Func, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from contacts.calendar import LONDON, to_london
from mash.models import Decision
from mash.outcomes import EARLY_HELP, NO_FURTHER_ACTION, REFERRAL_TO_SOCIAL_CARE
from reporting.models import Child, Sex

CHUNK = 2000
MONTHS = 6

LIST_1 = (
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Date of Contact",
    "Contact Source",
)
LIST_2 = (
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Assessment start date",
    "Assessment completion date",
    "Organisation completing assessment",
)
LIST_3 = (
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Date of Referral",
    "Referral Source",
    "Referral NFA?",
    "Number of Referrals in Last 12 Months",
    "Allocated Team",
    "Allocated Worker",
    "Referral ID",
)
HEADINGS = {1: LIST_1, 2: LIST_2, 3: LIST_3}
TITLES = {
    1: "List 1 Contacts",
    2: "List 2 Early help",
    3: "List 3 Referrals",
}

# Annex A's gender categories. "I do not know" and "prefer not to say" are not recorded
# answers to the question, so both are "not stated/recorded"; so is a blank.
GENDER = {
    Sex.MALE: "a) Male",
    Sex.FEMALE: "b) Female",
    Sex.NOT_SPECIFIED: "d) Neither (indeterminate)",
}
GENDER_UNKNOWN = "c) Not stated/recorded (unknown)"
# Ethnicity: the census code itself; none recorded is NOBT (information not yet obtained).
ETHNICITY_UNKNOWN = "NOBT"
# Who holds a referral after screening: the team its outcome passes it to.
TEAMS = {
    Decision.Outcome.ASSESSMENT: "Referral and assessment team",
    Decision.Outcome.STRATEGY: "Referral and assessment team",
    Decision.Outcome.DISABLED_CHILDREN: "Disabled children's team",
}


@dataclass(frozen=True)
class Period:
    """Six months (Annex A's; `months` for others) of London dates ending on `until`, and
    their bounds as aware datetimes."""

    until: dt.date
    months: int = MONTHS

    @property
    def start(self) -> dt.date:
        return self.until - relativedelta(months=self.months) + dt.timedelta(days=1)

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=LONDON)

    @property
    def end_at(self) -> dt.datetime:
        """Exclusive: midnight at the start of the day after `until`."""
        return dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)


def age_in_years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def child_id(person_key: str, pk: int) -> str:
    """The child's stable pseudonymous id (`mash.identity`); a child saved before ids were
    given is known by its row (R and the row's number) instead."""
    return person_key or f"R{pk}"


def gender(sex: str) -> str:
    return GENDER.get(sex, GENDER_UNKNOWN)


def ethnicity(code: str) -> str:
    return code or ETHNICITY_UNKNOWN


def birth_and_age(row: dict, on: dt.date) -> tuple[dt.date | None, int | str]:
    """Date of birth (the due date for an unborn child) and age in whole years on `on`:
    -1 for an unborn child, the approximate age when only that is known, "" when neither."""
    if row["unborn"]:
        return row["due_date"], -1
    born = row["date_of_birth"]
    if born is not None:
        return born, max(age_in_years(born, on), 0)
    if row["approximate_age"] is not None:
        return None, row["approximate_age"]
    return None, ""


CHILD_FIELDS = (
    "pk",
    "person_key",
    "sex",
    "ethnicity",
    "date_of_birth",
    "approximate_age",
    "unborn",
    "due_date",
)


def _child_columns(row: dict, on: dt.date) -> list:
    born, age = birth_and_age(row, on)
    return [
        child_id(row["person_key"], row["pk"]),
        gender(row["sex"]),
        ethnicity(row["ethnicity"]),
        born,
        age,
    ]


def contacts(*, borough, period: Period) -> Iterator[list]:
    """List 1: [child id, gender, ethnicity, date of birth, age, date of contact, source]."""
    rows = (
        Child.objects.filter(
            referral__borough=borough,
            referral__received_at__gte=period.start_at,
            referral__received_at__lt=period.end_at,
        )
        .order_by("referral__received_at", "referral_id", "order")
        .values(
            *CHILD_FIELDS,
            contact_at=F("referral__received_at"),
            source=F("referral__contact_source"),
        )
    )
    for row in rows.iterator(chunk_size=CHUNK):
        on = to_london(row["contact_at"]).date()
        yield [*_child_columns(row, on), on, row["source"]]


def _decided(borough, period: Period, outcomes):
    return Child.objects.filter(
        referral__borough=borough,
        referral__screening__decision__outcome__in=sorted(outcomes),
        referral__screening__decision__decided_at__gte=period.start_at,
        referral__screening__decision__decided_at__lt=period.end_at,
    ).order_by("referral__screening__decision__decided_at", "referral_id", "order")


def early_help(*, borough, period: Period) -> Iterator[list]:
    """List 2: [child id, gender, ethnicity, date of birth, age, start, planned end,
    organisation]."""
    organisation = f"{borough.name} {borough.early_help_name}"
    rows = _decided(borough, period, EARLY_HELP).values(
        *CHILD_FIELDS,
        decided_at=F("referral__screening__decision__decided_at"),
        support_until=F("referral__screening__decision__support_until"),
    )
    for row in rows.iterator(chunk_size=CHUNK):
        on = to_london(row["decided_at"]).date()
        yield [*_child_columns(row, on), on, row["support_until"], organisation]


class YearBefore(Func):
    """The moment one calendar year before a timestamp (PostgreSQL interval, SQLite
    modifier)."""

    output_field = DateTimeField()
    template = "(%(expressions)s - interval '1 year')"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="datetime(%(expressions)s, '-1 year')", **extra
        )


def _earlier_referrals():
    """The number of the same child's (same person key) other referrals to children's social
    care decided in the 12 months before this one: a correlated count, inside the list's own
    query (one query, no N+1)."""
    decided = "referral__screening__decision__decided_at"
    earlier = (
        Child.objects.filter(
            person_key=OuterRef("person_key"),
            referral__borough_id=OuterRef("referral__borough_id"),
            referral__screening__decision__outcome__in=sorted(REFERRAL_TO_SOCIAL_CARE),
            **{
                f"{decided}__lt": OuterRef(decided),
                f"{decided}__gte": YearBefore(OuterRef(decided)),
            },
        )
        .exclude(person_key="")
        .exclude(referral_id=OuterRef("referral_id"))
        .order_by()
        .values("person_key")
        .annotate(n=Count("referral_id", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(earlier), Value(0))


def referrals(*, borough, period: Period) -> Iterator[list]:
    """List 3: [child id, gender, ethnicity, date of birth, age, date of referral, source,
    NFA?, referrals in the 12 months before, team, worker, referral id]."""
    decision = "referral__screening__decision__"
    rows = (
        _decided(borough, period, REFERRAL_TO_SOCIAL_CARE)
        .annotate(earlier=_earlier_referrals())
        .values(
            *CHILD_FIELDS,
            "earlier",
            decided_at=F(f"{decision}decided_at"),
            outcome=F(f"{decision}outcome"),
            source=F("referral__contact_source"),
            reference=F("referral__reference"),
            worker_first=F(f"{decision}decided_by__first_name"),
            worker_last=F(f"{decision}decided_by__last_name"),
            worker_username=F(f"{decision}decided_by__username"),
        )
    )
    for row in rows.iterator(chunk_size=CHUNK):
        on = to_london(row["decided_at"]).date()
        worker = f"{row['worker_first']} {row['worker_last']}".strip() or row["worker_username"]
        yield [
            *_child_columns(row, on),
            on,
            row["source"],
            "Yes" if row["outcome"] in NO_FURTHER_ACTION else "No",
            row["earlier"],
            TEAMS.get(row["outcome"], ""),
            worker,
            row["reference"],
        ]


LISTS = {1: contacts, 2: early_help, 3: referrals}


def rows(number: int, *, borough, period: Period) -> Iterator[list]:
    return LISTS[number](borough=borough, period=period)
