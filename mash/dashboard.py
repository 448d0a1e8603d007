"""The managers' dashboard: how one borough's front door is doing, now and week by week.

Pure reads, one borough at a time (the view checks the manager may see it). Every figure is
defined once, as a filter on screening records (`FIGURES`): the dashboard counts with those
filters and the list behind a figure (`records_behind`) lists with the same ones, so a count
and its list always agree.

Now (live, whatever the time): open referrals (the screening queue: undecided, not
consultation requests) nobody holds, held ("in screening"), due within the warning window
(the deadline state amber, `mash.deadlines`), overdue, rated Red; outcome emails past their
24 hours and not sent; per staff member of the borough: held, overdue held, decided today.

Trends over a period of whole weeks (Monday to Sunday, Europe/London):
- contacts received (every kind, consultation requests too) by kind, and by census source
  over the period ("Not recorded" while blank);
- decisions made in the week (screening decisions, by `decided_at`): how many were made by
  their effective due time (`ScreeningRecord.effective_due_at`: the earlier of the statutory
  deadline and the urgency rating's), the median and 90th percentile working time from receipt
  to decision (`decision_working_seconds`, working hours on the borough's calendar: nights,
  weekends, bank holidays and closure days do not count; percentiles interpolated as
  PostgreSQL's percentile_cont), the outcomes, and the conversion: decisions that are a
  referral to children's social care (`mash.outcomes`) out of all decisions;
- re-referrals: of the week's referrals to children's social care, those about a child who
  had another referral to children's social care in the borough received in the 12 months
  (London calendar months) before this one was received. "The same child" is the record
  check's strong match (`mash.matching.compare`: the name agrees and the date of birth or
  the postcode is the same) with names compared normalised (`mash.matching.normalise_name`:
  accents dropped, case folded, only letters) but without the typo tolerance, so it runs as
  one indexed set-based query at a million referrals (`RE_REFERRAL_SQL`; in SQL the accents
  dropped are Latin-1's, a rarer accented letter is dropped rather than plain-lettered);
- outcome emails: of the week's decisions whose referrer is told (due by now, or sent), how
  many were sent within their 24 hours (`Decision.notification_due_at`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Aggregate, BooleanField, Count, Exists, F, FloatField, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncWeek
from django.utils import timezone

from contacts.calendar import LONDON, local_datetime, to_london
from mash.deadlines import DUE_SOON, OVERDUE, calendars_for, state_q
from mash.matching import normalise_name, normalise_postcode
from mash.models import QUEUED, Decision, ScreeningRecord, StaffMember
from mash.notifications import KIND as OUTCOME_KIND
from mash.notifications import outcome_sent
from mash.outcomes import REFERRAL_TO_SOCIAL_CARE
from mash.policy import current_rules
from notifications.models import OutboxMessage
from reporting.models import Child, ContactSource, Referral

DEFAULT_WEEKS = 12
MAX_WEEKS = 156
NOT_RECORDED = "Not recorded"
CONVERTED = sorted(str(o) for o in REFERRAL_TO_SOCIAL_CARE)
OUTCOMES = list(Decision.Outcome.choices)
KINDS = list(Referral.Kind.choices)
SOURCES = [*ContactSource.choices, ("", NOT_RECORDED)]

# Screening decisions (consultation requests get advice, not a decision).
SCREENED = Q(decided_at__isnull=False) & ~Q(kind=Referral.Kind.CONSULTATION)


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week `day` is in."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Period:
    """Whole weeks, from the week beginning `first` to the week beginning `last` (Mondays)."""

    first: dt.date
    last: dt.date

    @classmethod
    def ending(cls, day: dt.date, weeks: int = DEFAULT_WEEKS) -> Period:
        last = week_start(day)
        return cls(last - dt.timedelta(weeks=weeks - 1), last)

    @property
    def weeks(self) -> list[dt.date]:
        count = (self.last - self.first).days // 7 + 1
        return [self.first + dt.timedelta(weeks=i) for i in range(count)]

    @property
    def start(self) -> dt.datetime:
        return local_datetime(self.first, dt.time())

    @property
    def end(self) -> dt.datetime:
        return local_datetime(self.last + dt.timedelta(days=7), dt.time())


def week_bounds(week: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return local_datetime(week, dt.time()), local_datetime(week + dt.timedelta(days=7), dt.time())


def today_start(now: dt.datetime) -> dt.datetime:
    return local_datetime(to_london(now).date(), dt.time())


# --- percentages and percentiles ------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    count: int
    of: int

    @property
    def percent(self) -> float | None:
        """Rounded to one decimal place; None when there is nothing to divide by."""
        return None if not self.of else round(100 * self.count / self.of, 1)

    def __str__(self) -> str:
        return "" if self.percent is None else f"{self.percent:.1f}%"


def percentile(values: list[float], p: float) -> float | None:
    """As PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = p * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile of a column (an ordered-set aggregate)."""

    function = "percentile_cont"
    template = "%(function)s(%(p)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, p: float, **extra):
        super().__init__(expression, p=float(p), **extra)


# --- re-referrals ------------------------------------------------------------------------
# Names as mash.matching.normalise_name leaves them: accents dropped (the common Latin ones),
# case folded, only the letters a-z. Both sides of the comparison and the expression indexes
# on reporting_child (reporting 0012) use exactly this SQL.
ACCENTED = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖòóôõöÙÚÛÜùúûüÝýÿ"
PLAIN = "AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOoooooUUUUuuuuYyy"


def name_key_sql(column: str) -> str:
    return f"regexp_replace(lower(translate({column}, '{ACCENTED}', '{PLAIN}')), '[^a-z]', '', 'g')"


def postcode_key_sql(column: str) -> str:
    return f"regexp_replace(upper({column}), '[^A-Z0-9]', '', 'g')"


def _known(alias: str) -> str:
    return (
        f"NOT {alias}.name_unknown AND {name_key_sql(f'{alias}.first_name')} <> '' "
        f"AND {name_key_sql(f'{alias}.last_name')} <> ''"
    )


def _earlier_referral(same: str) -> str:
    """A scalar subquery, run once per outer record (not flattened into a join): the outer
    record's children, each looked up among the other children by the expression index on
    (name keys, `same`), then their records and decisions by their unique keys."""
    return f"""(
  SELECT 1 FROM reporting_child c
  JOIN reporting_child c2
    ON {name_key_sql("c2.first_name")} = {name_key_sql("c.first_name")}
   AND {name_key_sql("c2.last_name")} = {name_key_sql("c.last_name")}
   AND {same.format(a="c2", b="c")}
  JOIN mash_screeningrecord r2 ON r2.referral_id = c2.referral_id
  JOIN mash_decision d2 ON d2.record_id = r2.id
  WHERE c.referral_id = mash_screeningrecord.referral_id
    AND {_known("c")}
    AND c2.referral_id <> mash_screeningrecord.referral_id
    AND r2.borough_id = mash_screeningrecord.borough_id
    AND d2.outcome IN ({", ".join(f"'{o}'" for o in CONVERTED)})
    AND r2.received_at < mash_screeningrecord.received_at
    AND r2.received_at >= ((mash_screeningrecord.received_at AT TIME ZONE 'Europe/London')
                           - interval '12 months') AT TIME ZONE 'Europe/London'
  LIMIT 1
) IS NOT NULL"""  # noqa: S608  (built from constants only, no input)


SAME_BIRTH = "{a}.date_of_birth = {b}.date_of_birth"
SAME_POSTCODE = postcode_key_sql("{a}.postcode") + " = " + postcode_key_sql("{b}.postcode")
# The expression indexes the lookups use (reporting 0012 creates them from these).
CHILD_KEY_INDEXES = {
    "child_match_name_dob": (
        f"{name_key_sql('first_name')}, {name_key_sql('last_name')}, date_of_birth"
    ),
    "child_match_name_postcode": (
        f"{name_key_sql('first_name')}, {name_key_sql('last_name')}, {postcode_key_sql('postcode')}"
    ),
}

# An earlier referral to children's social care about the same child, received in the 12
# months before, in the same borough (the outer record's table is "mash_screeningrecord").
RE_REFERRAL_SQL = f"({_earlier_referral(SAME_BIRTH)} OR {_earlier_referral(SAME_POSTCODE)})"


def live_re_referral_q() -> Q:
    """Re-referrals worked out now, on a query of screening records: in SQL on PostgreSQL,
    and by the same rule in Python elsewhere (SQLite, the embedded default of `make run`,
    which has none of the SQL's functions; its databases are small)."""
    if connection.vendor != "postgresql":
        return Q(pk__in=re_referral_ids_in_python())
    return Q(decision__outcome__in=CONVERTED) & Q(
        RawSQL(RE_REFERRAL_SQL, [], output_field=BooleanField())  # noqa: S611  (constant)
    )


def re_referral_ids_in_python() -> set[int]:
    """RE_REFERRAL_SQL's rule, for databases without its SQL: the ids of converted screening
    records with a child whose normalised names, and date of birth or postcode, match a child
    of an earlier converted referral in the same borough received in the 12 months before."""
    records, received, boroughs = {}, {}, {}
    for referral_id, pk, at, borough_id in ScreeningRecord.objects.filter(
        decision__outcome__in=CONVERTED
    ).values_list("referral_id", "pk", "received_at", "borough_id"):
        records[referral_id], received[referral_id], boroughs[referral_id] = pk, at, borough_id
    by_name: dict[tuple[str, str], list[tuple[int, object, str]]] = {}
    children = Child.objects.filter(referral_id__in=records, name_unknown=False).values_list(
        "referral_id", "first_name", "last_name", "date_of_birth", "postcode"
    )
    rows = []
    for referral_id, first, last, born, postcode in children:
        key = (normalise_name(first), normalise_name(last))
        if not all(key):
            continue
        row = (referral_id, born, normalise_postcode(postcode))
        by_name.setdefault(key, []).append(row)
        rows.append((key, row))
    found = set()
    for key, (referral_id, born, postcode) in rows:
        at = received[referral_id]
        since = to_london(at) - relativedelta(months=12)
        for other_id, other_born, other_postcode in by_name[key]:
            if (
                other_id != referral_id
                and boroughs[other_id] == boroughs[referral_id]
                and since <= received[other_id] < at
                and (
                    (born is not None and born == other_born)
                    or (postcode and postcode == other_postcode)
                )
            ):
                found.add(records[referral_id])
                break
    return found


def re_referral_q() -> Q:
    """Re-referrals: as the beat task marked them, or worked out now where it has not yet
    looked."""
    return Q(re_referral=True) | (Q(re_referral__isnull=True) & live_re_referral_q())


# How far back the beat task looks again: an earlier referral decided this long after a later
# one would change the later one's answer (decisions take a day or two, not a fortnight).
RECHECK = dt.timedelta(days=14)
MARK_BATCH = 5_000


def mark_re_referrals(*, now: dt.datetime | None = None, since: dt.datetime | None = None) -> int:
    """Beat: mark each screening decision made since `since` (default: the last 14 days, and
    every one not yet looked at) a re-referral or not, in one set-based UPDATE. Returns how
    many rows it set. Idempotent."""
    now = now or timezone.now()
    since = since if since is not None else now - RECHECK
    decided = ScreeningRecord.objects.filter(SCREENED)
    scope = decided.filter(Q(decided_at__gte=since) | Q(re_referral__isnull=True))
    changed = (
        scope.exclude(decision__outcome__in=CONVERTED)
        .exclude(re_referral=False)
        .update(re_referral=False)
    )
    converted = list(
        scope.filter(decision__outcome__in=CONVERTED).order_by().values_list("pk", flat=True)
    )
    for start in range(0, len(converted), MARK_BATCH):
        batch = converted[start : start + MARK_BATCH]
        # (a query of its own, so RE_REFERRAL_SQL's outer table is this query's table)
        yes = set(
            ScreeningRecord.objects.filter(pk__in=batch)
            .filter(live_re_referral_q())
            .values_list("pk", flat=True)
        )
        no = set(batch) - yes
        for value, ids in ((True, yes), (False, no)):
            changed += (
                ScreeningRecord.objects.filter(pk__in=ids)
                .exclude(re_referral=value)
                .update(re_referral=value)
            )
    return changed


# --- figure definitions ----------------------------------------------------------------------
def _sent_in_time():
    return outcome_sent(
        referral_id=OuterRef("referral_id"), due_at=OuterRef("decision__notification_due_at")
    )


def _sent():
    return outcome_sent(referral_id=OuterRef("referral_id"))


def now_q(name: str, *, borough, now: dt.datetime, user_id: int | None = None) -> Q:
    """The filter of one "now" figure."""
    if name == "unallocated":
        return QUEUED & Q(claimed_by__isnull=True)
    if name == "in_screening":
        return QUEUED & Q(claimed_by__isnull=False)
    if name in {"due_soon", "overdue"}:
        state = DUE_SOON if name == "due_soon" else OVERDUE
        calendars = calendars_for([borough])
        return QUEUED & state_q(state, now, calendars, rules={borough.pk: current_rules(borough)})
    if name == "red":
        return QUEUED & Q(rating="red")
    if name == "messages_late":
        return Q(decision__notify_referrer=True, decision__notification_due_at__lte=now) & ~Q(
            Exists(_sent())
        )
    if name == "held":
        return QUEUED & Q(claimed_by_id=user_id)
    if name == "held_overdue":
        return now_q("overdue", borough=borough, now=now) & Q(claimed_by_id=user_id)
    if name == "decided_today":
        return Q(decision__decided_by_id=user_id, decision__decided_at__gte=today_start(now))
    raise KeyError(name)


NOW_FIGURES = [
    ("unallocated", "Unallocated"),
    ("in_screening", "In screening"),
    ("due_soon", "Due within the warning window"),
    ("overdue", "Overdue"),
    ("red", "Red, not yet decided"),
    ("messages_late", "Outcome messages late"),
]
PERSON_FIGURES = {"held", "held_overdue", "decided_today"}

# Trend figures: (filter, which time puts a record in a week).
RECEIVED, DECIDED = "received_at", "decided_at"


def trend_q(name: str, value: str = "", *, now: dt.datetime) -> tuple[Q, str]:
    """The filter of one trend figure and the time that puts a record in a week."""
    if name == "contacts":
        return (Q(kind=value) if value else Q()), RECEIVED
    if name == "source":
        return Q(referral__contact_source=value), RECEIVED
    if name == "decided":
        return SCREENED, DECIDED
    if name == "in_time":
        return SCREENED & Q(decided_at__lte=F("effective_due_at")), DECIDED
    if name == "late":
        return SCREENED & Q(decided_at__gt=F("effective_due_at")), DECIDED
    if name == "outcome":
        return SCREENED & Q(decision__outcome=value), DECIDED
    if name == "converted":
        return SCREENED & Q(decision__outcome__in=CONVERTED), DECIDED
    if name == "re_referrals":
        return SCREENED & re_referral_q(), DECIDED
    if name == "messages_due":
        return SCREENED & messages_due_q(now), DECIDED
    if name == "messages_in_time":
        return SCREENED & messages_due_q(now) & Q(Exists(_sent_in_time())), DECIDED
    raise KeyError(name)


def messages_due_q(now: dt.datetime) -> Q:
    """Decisions whose referrer is told, counted once the 24 hours are up or the email sent."""
    return Q(decision__notify_referrer=True) & (
        Q(decision__notification_due_at__lte=now) | Q(Exists(_sent()))
    )


def records_behind(
    *,
    borough,
    figure: str,
    value: str = "",
    period: Period | None = None,
    now: dt.datetime | None = None,
    user_id: int | None = None,
):
    """The screening records behind one figure (a queryset, newest first): a "now" figure, or
    a trend figure over the period (one week or several)."""
    now = now or timezone.now()
    records = ScreeningRecord.objects.filter(borough=borough)
    if figure in dict(NOW_FIGURES) or figure in PERSON_FIGURES:
        records = records.filter(now_q(figure, borough=borough, now=now, user_id=user_id))
        return records.order_by("effective_due_at", "id")
    condition, moment = trend_q(figure, value, now=now)
    period = period or Period.ending(to_london(now).date())
    in_period = {f"{moment}__gte": period.start, f"{moment}__lt": period.end}
    if figure == "re_referrals":
        # the marked ones, and those not yet marked worked out now (few: one query of their
        # own, so the live rule is evaluated for them only)
        unknown = records.filter(SCREENED, re_referral__isnull=True, **in_period)
        live = list(unknown.filter(live_re_referral_q()).values_list("pk", flat=True))
        condition = SCREENED & (Q(re_referral=True) | Q(pk__in=live))
    records = records.filter(condition, **in_period)
    return records.order_by(f"-{moment}", "-id")


def person_name(*, borough, user_id: int) -> str:
    """The name the dashboard shows for a person in `borough`'s "each person" table: someone
    on its staff, or who holds or decided one of its referrals. Anyone else: ""."""
    from django.contrib.auth import get_user_model

    user = (
        get_user_model()
        .objects.filter(pk=user_id)
        .filter(
            Q(staff__boroughs=borough)
            | Q(pk__in=ScreeningRecord.objects.filter(borough=borough).values("claimed_by_id"))
            | Q(pk__in=Decision.objects.filter(record__borough=borough).values("decided_by_id"))
        )
        .first()
    )
    return (user.get_full_name() or user.get_username()) if user else ""


# --- the dashboard ---------------------------------------------------------------------------
@dataclass
class Person:
    user_id: int
    name: str
    held: int = 0
    held_overdue: int = 0
    decided_today: int = 0


@dataclass
class Now:
    counts: dict[str, int]
    people: list[Person]

    @property
    def rows(self):
        return [(key, label, self.counts[key]) for key, label in NOW_FIGURES]


@dataclass
class Week:
    start: dt.date
    contacts: dict[str, int] = field(default_factory=dict)  # kind -> count
    decided: int = 0
    in_time: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None
    outcomes: dict[str, int] = field(default_factory=dict)
    converted: int = 0
    re_referrals: int = 0
    messages_due: int = 0
    messages_in_time: int = 0
    sources: dict[str, int] = field(default_factory=dict)  # source code -> contacts

    def as_data(self) -> dict:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        return data

    @classmethod
    def from_data(cls, data: dict) -> Week:
        return cls(**{**data, "start": dt.date.fromisoformat(data["start"])})

    @property
    def contacts_total(self) -> int:
        return sum(self.contacts.values())

    @property
    def timeliness(self) -> Rate:
        return Rate(self.in_time, self.decided)

    @property
    def conversion(self) -> Rate:
        return Rate(self.converted, self.decided)

    @property
    def re_referral_rate(self) -> Rate:
        return Rate(self.re_referrals, self.converted)

    @property
    def messages_rate(self) -> Rate:
        return Rate(self.messages_in_time, self.messages_due)


@dataclass
class Trends:
    period: Period
    weeks: list[Week]
    sources: dict[str, int]  # source code ("" not recorded) -> contacts in the period

    def total(self, name: str) -> int:
        return sum(getattr(week, name) for week in self.weeks)

    @property
    def contacts_total(self) -> int:
        return sum(week.contacts_total for week in self.weeks)

    def kind_total(self, kind: str) -> int:
        return sum(week.contacts.get(kind, 0) for week in self.weeks)

    def outcome_total(self, outcome: str) -> int:
        return sum(week.outcomes.get(outcome, 0) for week in self.weeks)

    @property
    def timeliness(self) -> Rate:
        return Rate(self.total("in_time"), self.total("decided"))

    @property
    def conversion(self) -> Rate:
        return Rate(self.total("converted"), self.total("decided"))

    @property
    def re_referral_rate(self) -> Rate:
        return Rate(self.total("re_referrals"), self.total("converted"))

    @property
    def messages_rate(self) -> Rate:
        return Rate(self.total("messages_in_time"), self.total("messages_due"))


def now_figures(*, borough, now: dt.datetime | None = None) -> Now:
    """The live figures of one borough (two queries on the open records' indexes, one on
    today's decisions, two on unsent or failed outcome messages, one for the staff)."""
    now = now or timezone.now()
    records = ScreeningRecord.objects.filter(borough=borough)
    keys = ["unallocated", "in_screening", "due_soon", "overdue", "red"]
    counts = records.filter(QUEUED).aggregate(
        **{key: Count("id", filter=now_q(key, borough=borough, now=now)) for key in keys}
    )
    # (the outbox knows nothing of referrals: its rows name them by about_id). Counted from
    # the few outcome messages not sent (or failed since), each on its own partial index, each
    # looked up to its decision by the screening record's unique referral id: never a pass
    # over every decision due so far.
    overdue_decision = ScreeningRecord.objects.filter(
        referral_id=OuterRef("about_id"),
        borough=borough,
        decision__notify_referrer=True,
        decision__notification_due_at__lte=now,
    )
    outcome_messages = OutboxMessage.objects.filter(kind=OUTCOME_KIND).filter(
        Exists(overdue_decision)
    )
    counts["messages_late"] = (
        outcome_messages.filter(sent_at__isnull=True).count()
        + outcome_messages.filter(status=OutboxMessage.Status.FAILED, sent_at__isnull=False).count()
    )
    overdue = now_q("overdue", borough=borough, now=now)
    held = {
        row["claimed_by_id"]: row
        for row in records.filter(QUEUED, claimed_by__isnull=False)
        .values("claimed_by_id")
        .annotate(held=Count("id"), held_overdue=Count("id", filter=overdue))
        .order_by()
    }
    decided = dict(
        Decision.objects.filter(record__borough=borough, decided_at__gte=today_start(now))
        .values_list("decided_by_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    staff = (
        StaffMember.objects.filter(boroughs=borough, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    people, seen = [], set()
    for member in staff:
        user = member.user
        seen.add(user.pk)
        row = held.get(user.pk, {})
        people.append(
            Person(
                user.pk,
                user.get_full_name() or user.get_username(),
                row.get("held", 0),
                row.get("held_overdue", 0),
                decided.get(user.pk, 0),
            )
        )
    # Someone no longer on the borough's staff may still hold or have decided referrals.
    others = (set(held) | set(decided)) - seen
    if others:
        from django.contrib.auth import get_user_model

        for user in get_user_model().objects.filter(pk__in=others).order_by("username"):
            row = held.get(user.pk, {})
            people.append(
                Person(
                    user.pk,
                    user.get_full_name() or user.get_username(),
                    row.get("held", 0),
                    row.get("held_overdue", 0),
                    decided.get(user.pk, 0),
                )
            )
    return Now(counts=counts, people=people)


def _week_of(moment_field: str):
    return TruncWeek(moment_field, tzinfo=LONDON)


def _as_week(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return to_london(value).date() if value.tzinfo else value.date()
    return value


# A week is settled once it has ended: from then on the dashboard shows it from the weekly
# summary (`DashboardWeek`) once the nightly task has made it, and works it out live until
# then. What changes in a week after it ended (an outcome email falling due or sent late, a
# source corrected, a re-referral mark) reaches the summary the next night: correct within
# the day. This week is always live, and so are the "now" figures.
SETTLED_AFTER = dt.timedelta(0)
# Each night the summaries of the last weeks are made again (late corrections of a source, the
# re-referral marks of the last fortnight); older weeks are made once.
RESUMMARISE_WEEKS = 8


def settled(week: dt.date, now: dt.datetime) -> bool:
    return week_bounds(week)[1] + SETTLED_AFTER <= now


def trends(*, borough, period: Period, now: dt.datetime | None = None) -> Trends:
    """The weekly figures of one borough over `period`: settled weeks from the weekly summary
    the nightly task keeps, the others (this week, the last one, any not yet summarised)
    worked out now."""
    from mash.models import DashboardWeek

    now = now or timezone.now()
    stored = {
        row.week: Week.from_data(row.figures)
        for row in DashboardWeek.objects.filter(
            borough=borough, week__gte=period.first, week__lte=period.last
        )
        if settled(row.week, now)
    }
    missing = [w for w in period.weeks if w not in stored]
    weeks = dict(stored)
    if missing:
        live = live_trends(borough=borough, period=Period(missing[0], missing[-1]), now=now)
        weeks.update({w.start: w for w in live.weeks if w.start in missing})
    ordered = [weeks[w] for w in period.weeks]
    sources: dict[str, int] = {}
    for week in ordered:
        for code, n in week.sources.items():
            sources[code] = sources.get(code, 0) + n
    return Trends(period=period, weeks=ordered, sources=sources)


def summarise_weeks(*, now: dt.datetime | None = None, boroughs=None) -> int:
    """Nightly: keep the weekly summary of every borough's settled weeks (the last
    RESUMMARISE_WEEKS made again, older ones made when missing, back to MAX_WEEKS). Returns
    how many weeks it wrote."""
    from contacts.models import Borough
    from mash.models import DashboardWeek

    now = now or timezone.now()
    latest = week_start(to_london(now).date())
    while not settled(latest, now):
        latest -= dt.timedelta(weeks=1)
    every = Period(latest - dt.timedelta(weeks=MAX_WEEKS - 1), latest)
    recent = set(every.weeks[-RESUMMARISE_WEEKS:])
    written = 0
    for borough in boroughs if boroughs is not None else Borough.objects.all():
        have = set(
            DashboardWeek.objects.filter(borough=borough, week__gte=every.first).values_list(
                "week", flat=True
            )
        )
        wanted = [w for w in every.weeks if w in recent or w not in have]
        if not wanted:
            continue
        live = live_trends(borough=borough, period=Period(wanted[0], wanted[-1]), now=now)
        for week in live.weeks:
            if week.start in wanted:
                DashboardWeek.objects.update_or_create(
                    borough=borough,
                    week=week.start,
                    defaults={"figures": week.as_data(), "computed_at": now},
                )
                written += 1
    return written


def live_trends(*, borough, period: Period, now: dt.datetime | None = None) -> Trends:
    """The weekly figures of one borough over `period`, worked out now (a handful of grouped
    queries, each on an index range of the period)."""
    now = now or timezone.now()
    weeks = {start: Week(start) for start in period.weeks}
    records = ScreeningRecord.objects.filter(borough=borough)
    received = records.filter(received_at__gte=period.start, received_at__lt=period.end)
    for row in (
        received.annotate(week=_week_of("received_at"))
        .values("week", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        weeks[_as_week(row["week"])].contacts[row["kind"]] = row["n"]
    sources: dict[str, int] = {}
    for week, code, n in (
        received.annotate(week=_week_of("received_at"))
        .values_list("week", "referral__contact_source")
        .annotate(n=Count("id"))
        .order_by()
    ):
        weeks[_as_week(week)].sources[code or ""] = n
        sources[code or ""] = sources.get(code or "", 0) + n
    decided = records.filter(SCREENED, decided_at__gte=period.start, decided_at__lt=period.end)
    by_week = decided.annotate(week=_week_of("decided_at")).values("week").order_by()
    aggregates = {
        "decided": Count("id"),
        "in_time": Count("id", filter=Q(decided_at__lte=F("effective_due_at"))),
        "converted": Count("id", filter=Q(decision__outcome__in=CONVERTED)),
        "messages_due": Count("id", filter=messages_due_q(now)),
        "messages_in_time": Count("id", filter=messages_due_q(now) & Q(Exists(_sent_in_time()))),
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        aggregates["median"] = PercentileCont("decision_working_seconds", 0.5)
        aggregates["p90"] = PercentileCont("decision_working_seconds", 0.9)
    for row in by_week.annotate(**aggregates):
        week = weeks[_as_week(row["week"])]
        for name in ("decided", "in_time", "converted", "messages_due", "messages_in_time"):
            setattr(week, name, row[name])
        if postgres:
            week.median_hours = _hours(row["median"])
            week.p90_hours = _hours(row["p90"])
    if not postgres:
        seconds: dict[dt.date, list[int]] = {}
        for week, value in decided.annotate(week=_week_of("decided_at")).values_list(
            "week", "decision_working_seconds"
        ):
            if value is not None:
                seconds.setdefault(_as_week(week), []).append(value)
        for start, values in seconds.items():
            weeks[start].median_hours = _hours(percentile(values, 0.5))
            weeks[start].p90_hours = _hours(percentile(values, 0.9))
    for row in by_week.values("week", "decision__outcome").annotate(n=Count("id")):
        if row["decision__outcome"]:
            weeks[_as_week(row["week"])].outcomes[row["decision__outcome"]] = row["n"]
    # marked by the beat task, then those it has not yet looked at (worked out now)
    for condition in (Q(re_referral=True), Q(re_referral__isnull=True) & live_re_referral_q()):
        for row in (
            decided.filter(condition)
            .annotate(week=_week_of("decided_at"))
            .values("week")
            .annotate(n=Count("id"))
            .order_by()
        ):
            weeks[_as_week(row["week"])].re_referrals += row["n"]
    return Trends(period=period, weeks=list(weeks.values()), sources=sources)


def _hours(seconds) -> float | None:
    return None if seconds is None else float(seconds) / 3600


__all__ = [
    "DEFAULT_WEEKS",
    "NOW_FIGURES",
    "Period",
    "Rate",
    "now_figures",
    "percentile",
    "records_behind",
    "trends",
]
