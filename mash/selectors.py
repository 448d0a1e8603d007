"""Reads for the MASH queue.

`queue_page` answers one page of a user's queue: their boroughs' undecided referrals (not
consultation requests), most urgent first (Red first, then the effective due time, then the
received time, then id), filtered, with keyset pagination. A page costs the same
small, fixed number of queries whatever its position and however many referrals there are:
the boroughs (with their calendars' office hours and closure days), the page itself (one
indexed range scan, LIMIT page size + 1) and, when paging from a cursor, one EXISTS for the
other direction. Working time left and the deadline state are computed in Python from the
calendars, and the state filter is turned into due_at ranges so it stays indexed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, connections
from django.db.models import F, Q
from django.db.models.fields.tuple_lookups import TupleGreaterThan, TupleLessThan
from django.utils import timezone

from mash.access import user_boroughs
from mash.deadlines import (
    Deadline,
    DeadlineState,
    Timeline,
    calendars_for,
    deadline_for,
    state_q,
)
from mash.models import QUEUED, AuditEvent, Enquiry, ScreeningRecord, StaffMember
from mash.policy import current_rules
from reporting.models import Referral

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

# The kinds in the screening queue (consultation requests have a queue of their own).
KINDS = [choice for choice in Referral.Kind.choices if choice[0] != Referral.Kind.CONSULTATION]
KIND_VALUES = {value for value, _ in KINDS}
STATES = list(DeadlineState)


# The queue order: Red first, then the effective due time, then the received time (then the
# id, so that every record has one place). `ScreeningRecord.rank` is 0 for Red, 1 otherwise.
ORDER = ("rank", "effective_due_at", "received_at", "id")
REVERSED = tuple(f"-{name}" for name in ORDER)


def _micros(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _moment(micros: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(micros) / 1_000_000, tz=dt.UTC)


@dataclass(frozen=True)
class Cursor:
    """A position in the queue order: (rank, effective_due_at, received_at, id) of a record."""

    rank: int
    effective_due_at: dt.datetime
    received_at: dt.datetime
    id: int

    def encode(self) -> str:
        return f"{self.rank}-{_micros(self.effective_due_at)}-{_micros(self.received_at)}-{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """The cursor in `text`, or None when it is missing or malformed (first page)."""
        if not text:
            return None
        try:
            rank, due, received, ident = str(text).split("-", 3)
            cursor = cls(int(rank), _moment(due), _moment(received), int(ident))
        except (ValueError, OverflowError, OSError):
            return None
        if cursor.id < 0 or cursor.rank < 0:
            return None
        return cursor

    @classmethod
    def of(cls, record) -> Cursor:
        return cls(record.rank, record.effective_due_at, record.received_at, record.pk)

    def values(self) -> tuple:
        return (self.rank, self.effective_due_at, self.received_at, self.id)


def after_q(cursor: Cursor):
    """Records after `cursor` in the queue order, as one row comparison
    (rank, effective_due_at, received_at, id) > (cursor): the database seeks straight to it in
    the queue index. (An OR of the column-by-column comparisons makes it filter every record
    sharing the leading values first: thousands at a busy close of day.)"""
    return TupleGreaterThan(tuple(F(name) for name in ORDER), cursor.values())


def before_q(cursor: Cursor):
    """Records before `cursor` in the queue order."""
    return TupleLessThan(tuple(F(name) for name in ORDER), cursor.values())


@dataclass(frozen=True)
class QueueFilters:
    borough: str = ""  # a borough slug, one of the user's
    kind: str = ""  # a Referral.Kind value
    state: str = ""  # a DeadlineState value: red, amber, green
    mine: bool = False  # only referrals the user holds

    @classmethod
    def from_query(cls, data) -> QueueFilters:
        """Filters from a GET query; unknown values are dropped (they filter nothing)."""
        kind = data.get("kind", "")
        state = data.get("state", "")
        return cls(
            borough=str(data.get("borough", ""))[:50],
            kind=kind if kind in KIND_VALUES else "",
            state=state if state in {s.value for s in STATES} else "",
            mine=data.get("mine") in {"1", "on", "yes", "true"},
        )

    def as_query(self) -> dict[str, str]:
        query = {}
        if self.borough:
            query["borough"] = self.borough
        if self.kind:
            query["kind"] = self.kind
        if self.state:
            query["state"] = self.state
        if self.mine:
            query["mine"] = "1"
        return query

    @property
    def active(self) -> bool:
        return bool(self.as_query())


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One open referral as the queue lists it: plain values read in the page query (no model
    instances: building three per row was most of the page's cost)."""

    pk: int
    rank: int
    effective_due_at: dt.datetime
    received_at: dt.datetime
    due_at: dt.datetime
    rating: str
    borough_id: int
    claimed_by_id: int | None
    reference: str
    kind: str
    holder_username: str | None
    holder_first_name: str | None
    holder_last_name: str | None
    has_open_enquiry: bool
    borough: object = None

    @property
    def holder_name(self) -> str:
        """Who holds it ("" when nobody does): their full name, else their username."""
        if self.claimed_by_id is None:
            return ""
        full = f"{self.holder_first_name or ''} {self.holder_last_name or ''}".strip()
        return full or self.holder_username or ""


# The page query's columns, in QueueEntry's order.
ENTRY_COLUMNS = (
    "id",
    "rank",
    "effective_due_at",
    "received_at",
    "due_at",
    "rating",
    "borough_id",
    "claimed_by_id",
    "referral__reference",
    "kind",
    "claimed_by__username",
    "claimed_by__first_name",
    "claimed_by__last_name",
    "has_open_enquiry",
)


@dataclass(frozen=True)
class QueueRow:
    entry: QueueEntry
    deadline: Deadline


@dataclass
class QueuePage:
    rows: list[QueueRow]
    boroughs: list = field(default_factory=list)
    filters: QueueFilters = field(default_factory=QueueFilters)
    next_cursor: Cursor | None = None
    previous_cursor: Cursor | None = None
    now: dt.datetime | None = None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


def entries(rows, boroughs: dict) -> list[QueueEntry]:
    """QueueEntry objects from page query rows (ENTRY_COLUMNS), with their borough."""
    return [QueueEntry(*row, borough=boroughs[row[6]]) for row in rows]


def scoped_boroughs(user) -> list:
    """The user's boroughs, by name, with their screening policies (one query; their
    calendars come from `calendars_for`, memoised)."""
    return list(user_boroughs(user).select_related("screening_policy").order_by("name"))


def in_queue_order(listing, order, limit: int):
    """The first `limit` rows of `listing` in `order` (ORDER or REVERSED), as one query of two
    parts: Red (rank 0), then the rest (rank 1), each its own index range, joined by UNION ALL.
    One ordered scan over (rank, effective_due_at, ...) would walk, under a deadline-state
    filter (a range of effective_due_at), every Red record and then every overdue one before
    the first match; each part seeks straight to its range."""
    if not connection.features.supports_slicing_ordering_in_compound:
        # SQLite (the embedded default) allows no LIMIT inside a UNION's parts: one ordered
        # query gives the same rows, and its databases are small.
        return listing.order_by(*order)[:limit]
    parts = [listing.filter(rank=rank).order_by(*order)[:limit] for rank in (0, 1)]
    return parts[0].union(parts[1], all=True).order_by(*order)[:limit]


# The page query written out (PostgreSQL, and any database that orders and limits inside a
# UNION's parts): the same SELECT, joins and order as `in_queue_order` over ENTRY_COLUMNS, with
# the ORM compiling only the WHERE clause of the filtered records (the filters stay the ORM's:
# QUEUED, the boroughs, `state_q`, the cursors). Building and compiling the whole UNION through
# the ORM took half of `queue_page`'s CPU (about 4.5 ms of 9 a page, in process).
_PAGE_PART = """SELECT "mash_screeningrecord"."id", "mash_screeningrecord"."rank",
 "mash_screeningrecord"."effective_due_at", "mash_screeningrecord"."received_at",
 "mash_screeningrecord"."due_at", "mash_screeningrecord"."rating",
 "mash_screeningrecord"."borough_id", "mash_screeningrecord"."claimed_by_id",
 "reporting_referral"."reference", "mash_screeningrecord"."kind",
 "auth_user"."username", "auth_user"."first_name", "auth_user"."last_name",
 EXISTS(SELECT 1 FROM "mash_enquiry" WHERE "mash_enquiry"."record_id" = "mash_screeningrecord"."id"
  AND "mash_enquiry"."answered_at" IS NULL)
FROM "mash_screeningrecord"
 INNER JOIN "reporting_referral"
  ON ("mash_screeningrecord"."referral_id" = "reporting_referral"."id")
 LEFT OUTER JOIN "auth_user" ON ("mash_screeningrecord"."claimed_by_id" = "auth_user"."id")
WHERE ({where}) AND "mash_screeningrecord"."rank" = {rank}
ORDER BY {inner} LIMIT %s"""
_PAGE_ORDER = {
    # ORDER and REVERSED: (ORDER BY inside each part, ORDER BY of the union by position)
    ORDER: (
        ", ".join(f'"mash_screeningrecord"."{name}" ASC' for name in ORDER),
        "2 ASC, 3 ASC, 4 ASC, 1 ASC",
    ),
    REVERSED: (
        ", ".join(f'"mash_screeningrecord"."{name}" DESC' for name in ORDER),
        "2 DESC, 3 DESC, 4 DESC, 1 DESC",
    ),
}


def _where(records) -> tuple[str, list] | None:
    """The WHERE clause of a filtered ScreeningRecord queryset and its parameters, compiled by
    the ORM; None when it matches nothing. Only for filters on the record's own columns (no
    joins: the page query's SQL names the table itself)."""
    query = records.query
    if sum(1 for count in query.alias_refcount.values() if count) > 1:  # (trimmed joins: 0)
        raise ValueError("the page query filters only the screening record's own columns")
    compiler = query.get_compiler(using=records.db)
    try:
        sql, params = compiler.compile(query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "TRUE", []
    return sql, list(params)


def page_entries(records, order, limit: int, boroughs: dict) -> list[QueueEntry]:
    """The first `limit` of the filtered screening `records` in `order` (ORDER or REVERSED),
    as QueueEntry objects with their borough: one query, the rows of `in_queue_order` over
    ENTRY_COLUMNS. Where the database cannot order and limit a UNION's parts (SQLite), that
    queryset itself."""
    db = connections[records.db]
    if not db.features.supports_slicing_ordering_in_compound:
        listing = records.annotate(has_open_enquiry=Enquiry.open_exists())
        return entries(in_queue_order(listing.values_list(*ENTRY_COLUMNS), order, limit), boroughs)
    where = _where(records)
    if where is None:
        return []
    where_sql, params = where
    inner, outer = _PAGE_ORDER[order]
    # (built from the constants above and the ORM's compiled WHERE; every value a parameter)
    red, rest = (_PAGE_PART.format(where=where_sql, inner=inner, rank=rank) for rank in (0, 1))
    sql = f"({red}) UNION ALL ({rest}) ORDER BY {outer} LIMIT %s"  # noqa: S608
    with db.cursor() as cursor:
        cursor.execute(sql, [*params, limit, *params, limit, limit])
        return entries(cursor.fetchall(), boroughs)


def any_records(records) -> bool:
    """Whether the filtered screening `records` hold any record (the page's "is there a page
    before/after" question): `records.exists()`, its SQL written out as the page query's."""
    where = _where(records)
    if where is None:
        return False
    where_sql, params = where
    with connections[records.db].cursor() as cursor:
        cursor.execute(f'SELECT 1 FROM "mash_screeningrecord" WHERE {where_sql} LIMIT 1', params)  # noqa: S608
        return cursor.fetchone() is not None


def open_records(*, user, boroughs=None):
    """Screening records in the queue (undecided, not consultations: those have their own
    queue) of the user's boroughs (a queryset, unordered)."""
    borough_ids = [b.pk for b in (boroughs if boroughs is not None else scoped_boroughs(user))]
    return ScreeningRecord.objects.filter(QUEUED, borough_id__in=borough_ids)


def queue_page(
    *,
    user,
    filters: QueueFilters | None = None,
    after: Cursor | None = None,
    before: Cursor | None = None,
    now: dt.datetime | None = None,
    page_size: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the user's queue, most urgent first. `after` pages forwards from a cursor,
    `before` backwards (give one at most)."""
    filters = filters or QueueFilters()
    now = now or timezone.now()
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    boroughs = scoped_boroughs(user)
    calendars = calendars_for(boroughs)

    chosen = boroughs
    if filters.borough:
        chosen = [b for b in boroughs if b.slug == filters.borough]
    records = open_records(user=user, boroughs=chosen)
    if filters.kind:
        records = records.filter(kind=filters.kind)
    rules = {b.pk: current_rules(b) for b in boroughs}
    if filters.state:
        records = records.filter(
            state_q(filters.state, now, {b.pk: calendars[b.pk] for b in chosen}, rules=rules)
        )
    if filters.mine:
        records = records.filter(claimed_by=user)

    if not chosen:
        return QueuePage(rows=[], boroughs=boroughs, filters=filters, now=now)

    by_id = {b.pk: b for b in boroughs}
    # (each row says whether an enquiry to a partner agency is still unanswered: no extra query)
    if before is not None:
        found = page_entries(records.filter(before_q(before)), REVERSED, page_size + 1, by_id)
        more_before = len(found) > page_size
        found = found[:page_size][::-1]
        more_after = bool(found) and any_records(records.filter(after_q(Cursor.of(found[-1]))))
    else:
        listing = records.filter(after_q(after)) if after is not None else records
        found = page_entries(listing, ORDER, page_size + 1, by_id)
        more_after = len(found) > page_size
        found = found[:page_size]
        more_before = (
            after is not None
            and bool(found)
            and any_records(records.filter(before_q(Cursor.of(found[0]))))
        )

    rows = deadline_rows(found, now, calendars, rules)
    return QueuePage(
        rows=rows,
        boroughs=boroughs,
        filters=filters,
        next_cursor=Cursor.of(found[-1]) if more_after and found else None,
        previous_cursor=Cursor.of(found[0]) if more_before and found else None,
        now=now,
    )


def deadline_rows(found, now, calendars, rules) -> list[QueueRow]:
    """QueueRows (entry and deadline) for entries, their working time computed on one
    timeline per borough (a page of records weeks overdue costs a few binary searches)."""
    timelines = {}
    for borough_id in {entry.borough_id for entry in found}:
        dues = [r.effective_due_at for r in found if r.borough_id == borough_id]
        timelines[borough_id] = Timeline(
            calendars[borough_id], min(now, *dues), max(now, *dues), now, rules=rules[borough_id]
        )
    return [
        QueueRow(
            entry,
            deadline_for(
                entry,
                now,
                calendars[entry.borough_id],
                timeline=timelines[entry.borough_id],
                rules=rules[entry.borough_id],
            ),
        )
        for entry in found
    ]


# --- the managers' team view -----------------------------------------------------------------
UNALLOCATED_SHOWN = 100


@dataclass
class TeamMember:
    member: StaffMember
    rows: list[QueueRow]

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows if row.deadline.overdue)


@dataclass
class Team:
    members: list[TeamMember]
    unallocated: list[QueueRow]
    unallocated_count: int
    boroughs: list
    now: dt.datetime


def team(*, user, now: dt.datetime | None = None) -> Team:
    """For a manager: each staff member of their boroughs with the referrals they hold there
    (queue order, with deadline states), and the referrals nobody holds (the first 100 in
    queue order, and how many). Five queries whatever the team's size."""
    now = now or timezone.now()
    boroughs = scoped_boroughs(user)
    calendars = calendars_for(boroughs)
    rules = {b.pk: current_rules(b) for b in boroughs}
    by_id = {b.pk: b for b in boroughs}
    records = open_records(user=user, boroughs=boroughs)
    listing = records.annotate(has_open_enquiry=Enquiry.open_exists()).values_list(*ENTRY_COLUMNS)
    held = entries(listing.filter(claimed_by__isnull=False).order_by(*ORDER), by_id)
    free = entries(
        listing.filter(claimed_by__isnull=True).order_by(*ORDER)[:UNALLOCATED_SHOWN], by_id
    )
    staff = list(
        StaffMember.objects.filter(boroughs__in=[b.pk for b in boroughs], user__is_active=True)
        .select_related("user")
        .distinct()
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    rows = deadline_rows(held + free, now, calendars, rules)
    by_holder: dict[int, list] = {}
    for row in rows[: len(held)]:
        by_holder.setdefault(row.entry.claimed_by_id, []).append(row)
    return Team(
        members=[TeamMember(m, by_holder.get(m.user_id, [])) for m in staff],
        unallocated=rows[len(held) :],
        unallocated_count=records.filter(claimed_by__isnull=True).count(),
        boroughs=boroughs,
        now=now,
    )


# --- The audit trail (managers) -----------------------------------------------------------


def trail_for_referral(*, referral):
    """Every event about one referral, newest first (scope the referral before calling)."""
    return AuditEvent.objects.filter(referral=referral).select_related("user", "borough")


def trail_for_user(*, viewer, username):
    """The events of one staff member of the viewer's boroughs, limited to those boroughs
    (and borough-less events: sign-ins, refusals); None when that person is not staff of any
    of the viewer's boroughs."""
    boroughs = user_boroughs(viewer).values("pk")
    target = StaffMember.objects.filter(user__username=username, boroughs__in=boroughs).first()
    if target is None:
        return None
    return (
        AuditEvent.objects.filter(user=target.user)
        .filter(Q(borough__in=boroughs) | Q(borough__isnull=True))
        .select_related("user", "borough")
    )
