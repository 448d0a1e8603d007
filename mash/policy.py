"""Each borough's screening policy as plain values (`Rules`), and the arithmetic of its
timescales. Pure: `Rules` and `Timescale` hold no database rows; `rules_for(borough)` reads the
borough's `ScreeningPolicy` row (or gives the defaults for a borough without one).

A timescale is an amount and a unit: hours of clock time (nights, weekends and holidays
count, measured in real elapsed time across a clock change), hours of working time, or working
days (each the length of the borough's longest working day, counted in working time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from contacts.calendar import WorkingCalendar, shift, to_london
from contacts.memos import Memo
from contacts.selectors import as_of_version
from mash.models import ScreeningPolicy, TimeUnit


@dataclass(frozen=True)
class Timescale:
    amount: int
    unit: str

    def add(self, start: dt.datetime, *, calendar: WorkingCalendar) -> dt.datetime:
        """The moment this timescale after `start` runs out."""
        start = to_london(start)
        if self.unit == TimeUnit.CLOCK_HOURS:
            return shift(start, dt.timedelta(hours=self.amount))
        return calendar.add_working_time(start, self.working_time(calendar))

    def working_time(self, calendar: WorkingCalendar) -> dt.timedelta:
        if self.unit == TimeUnit.WORKING_DAYS:
            return calendar.working_day * self.amount
        return dt.timedelta(hours=self.amount)

    def __str__(self) -> str:
        label = {
            TimeUnit.CLOCK_HOURS: ("hour", "hours"),
            TimeUnit.WORKING_HOURS: ("working hour", "working hours"),
            TimeUnit.WORKING_DAYS: ("working day", "working days"),
        }[TimeUnit(self.unit)]
        return f"{self.amount} {label[self.amount != 1]}"


@dataclass(frozen=True)
class Rules:
    """A borough's screening policy, as values (`DEFAULT`: the model's defaults)."""

    screening: Timescale
    ratings: dict  # rating ("red", "amber", "green") -> Timescale
    warning: Timescale
    red_unheld: dt.timedelta
    home_visit_days: int
    assessment_working_days: int
    support_months: int
    outcome_within: dt.timedelta
    managers_inbox: str
    out_of_hours_inbox: str

    def __hash__(self) -> int:  # the ratings dict is never changed after construction
        return id(self)

    @classmethod
    def of(cls, policy: ScreeningPolicy) -> Rules:
        def scale(name):
            return Timescale(getattr(policy, f"{name}_amount"), getattr(policy, f"{name}_unit"))

        return cls(
            screening=scale("screening"),
            ratings={r: scale(r) for r in ("red", "amber", "green")},
            warning=scale("warning"),
            red_unheld=dt.timedelta(minutes=policy.red_unheld_minutes),
            home_visit_days=policy.home_visit_days,
            assessment_working_days=policy.assessment_working_days,
            support_months=policy.support_months,
            outcome_within=dt.timedelta(hours=policy.outcome_within_hours),
            managers_inbox=policy.managers_inbox,
            out_of_hours_inbox=policy.out_of_hours_inbox,
        )


DEFAULT = Rules.of(ScreeningPolicy())

# What a borough has published that differs from the defaults, given to its policy when the
# borough is created (as the seed loads it; migration 0006 did the same for the boroughs then
# in the database): Bromley's page says "within a 40 working-day period".
PUBLISHED = {"bromley": {"assessment_working_days": 40}}


def rules_for(borough) -> Rules:
    """The borough's policy. Uses `borough.screening_policy` when it was loaded with the
    borough (select_related: no query), else reads it (one query); the defaults without one."""
    cache = getattr(borough, "_state", None)
    if cache is not None and "screening_policy" in cache.fields_cache:
        policy = cache.fields_cache["screening_policy"]
    else:
        policy = ScreeningPolicy.objects.filter(borough_id=borough.pk).first()
    return Rules.of(policy) if policy is not None else DEFAULT


# Per-process memo of each borough's rules, keyed on its data_version like its working
# calendar: saving or deleting a ScreeningPolicy bumps the version (mash.receivers), so the
# next borough row read misses the memo. Saves a query (about 1 ms of CPU) on every submission
# and on every staff page that works out a deadline. Every reader goes through it.
_rules = Memo("screening rules")  # borough id -> (data_version, Rules)


def current_rules(borough) -> Rules:
    """`rules_for(borough)` as of `borough.data_version`: read once per version per process
    (pass a borough row read in this request: a stale row gets its stale version's rules)."""
    return as_of_version(_rules, borough, rules_for)
