"""`python manage.py seed_demo --referrals N --staff M [--years Y] [--seed S] [--force]`

Fills the database with realistic fake referrals across the active boroughs (received at
varied times over the last ten days, each with its children and its screening record and due
time) and staff users screener1..M plus a manager, each with a confirmed TOTP device, then
prints how to sign in, including every TOTP secret. Everything is written with bulk inserts in
batches, so 100,000 referrals take well under a minute on PostgreSQL.

With `--years Y` it makes Y years of a large authority's front door instead (`seed_history`):
referrals received over the last Y years, mostly in office hours, with their census contact
source (a tenth not yet recorded), children (sex, ethnicity; about a fifth of them a child of
an earlier referral, so there are re-referrals), screening records, urgency ratings, and for
every referral older than two days a decision (an outcome, most within the deadline, the
working time it took) or, for consultation requests, the advice given; and for each decision
whose referrer can be contacted the outcome email in the outbox, sent (mostly within 24 hours,
the late ones flagged) or, for the last day's decisions, a few not yet sent. The newest
referrals stay open, a few held by screeners. `seed_demo --referrals 1000000 --years 5` is the
dashboard benchmark's data set. Callable from code as `seed_history(...)` (docstring).

It refuses to run when DEBUG is off (a production configuration) unless --force is given.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from psycopg import sql

from contacts.calendar import calendar_for, local_datetime
from contacts.models import Borough
from mash.deadlines import rating_due_at, screening_due_at
from mash.models import (
    ConsultationAdvice,
    Decision,
    ScreeningRecord,
    StaffMember,
    UrgencyRating,
)
from mash.notifications import KIND as OUTCOME_KIND
from mash.policy import DEFAULT
from notifications.models import OutboxMessage
from reporting.models import (
    CONCERN_CATEGORIES,
    Child,
    ContactSource,
    Ethnicity,
    Referral,
    Sex,
)
from reporting.names import remember, set_keys
from reporting.references import ALPHABET, GROUP_LENGTH, GROUPS

DEFAULT_PASSWORD = "demo-password-change-me"  # noqa: S105  (demo data only)
DEVICE_NAME = "Authenticator app"
BATCH = 5_000
# The share of open referrals already rated (a tenth of those Red).
RATED_SHARE = 0.3
DAYS_BACK = 10
UNIT = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward part of UK postcodes

FIRST_NAMES = [
    "Amira",
    "Leo",
    "Olivia",
    "Noah",
    "Isla",
    "Muhammad",
    "Ava",
    "Oliver",
    "Freya",
    "George",
    "Maya",
    "Arthur",
    "Zara",
    "Jack",
    "Lily",
    "Theo",
    "Poppy",
    "Harry",
    "Ruby",
    "Alfie",
    "Aisha",
    "Oscar",
    "Evie",
    "Ethan",
    "Grace",
    "Kai",
    "Sofia",
    "Reuben",
    "Mia",
    "Tobi",
]
LAST_NAMES = [
    "Hughes",
    "Smith",
    "Patel",
    "Jones",
    "Williams",
    "Brown",
    "Taylor",
    "Khan",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Ahmed",
    "Walker",
    "Wright",
    "Robinson",
    "Thompson",
    "White",
    "Okafor",
    "Green",
    "Hall",
    "Lewis",
    "Clarke",
    "Singh",
]
STREETS = [
    "Station Road",
    "High Street",
    "Church Lane",
    "Park Avenue",
    "Victoria Road",
    "Mill Lane",
    "Queens Road",
    "Kings Close",
    "Orchard Way",
    "Manor Road",
    "The Crescent",
    "Elm Grove",
]
SCHOOLS = [
    "Hillside Primary School",
    "St Mary's Primary School",
    "Oakwood Academy",
    "Riverside School",
    "Greenfield Primary",
    "Westbrook Secondary School",
    "",
]
POSTCODE_AREAS = {"bromley": ("BR1", "BR2", "BR3", "BR6"), "bexley": ("DA5", "DA6", "DA7", "DA15")}
WORDS = [
    "shouting",
    "late",
    "at",
    "night",
    "the",
    "children",
    "seem",
    "hungry",
    "and",
    "are",
    "often",
    "alone",
    "bruises",
    "on",
    "his",
    "arm",
    "she",
    "said",
    "she",
    "is",
    "scared",
    "to",
    "go",
    "home",
    "no",
    "coat",
    "in",
    "the",
    "cold",
    "missed",
    "school",
    "for",
    "weeks",
    "parents",
    "drinking",
    "heavily",
    "police",
    "were",
    "called",
    "again",
    "the",
    "baby",
    "cries",
    "for",
    "hours",
]
RELATIONSHIPS = ("Neighbour", "Aunt", "Grandparent", "Family friend", "Parent", "Teacher")
ORGANISATIONS = (
    ("Station Road Surgery", "GP"),
    ("Hillside Primary School", "Designated safeguarding lead"),
    ("Metropolitan Police", "Police constable"),
    ("Health visiting team", "Health visitor"),
)


# --- history (--years) ------------------------------------------------------------------
# Referrals received less than this long ago stay open (the "now" of the dashboard).
OPEN_FOR = dt.timedelta(days=2)
# The share of decisions made by their (effective) deadline.
IN_TIME_SHARE = 0.88
# The share of children who are a child of an earlier referral (re-referrals come from these).
REPEAT_SHARE = 0.2
# Recent children per borough a repeat is drawn from.
POOL_SIZE = 20_000
NOT_RECORDED_SHARE = 0.1
OUTCOMES_BY_KIND = {
    Referral.Kind.CONCERN: {
        Decision.Outcome.NO_FURTHER_ACTION: 28,
        Decision.Outcome.ADVICE: 20,
        Decision.Outcome.FAMILY_WELLBEING: 17,
        Decision.Outcome.ASSESSMENT: 22,
        Decision.Outcome.STRATEGY: 7,
        Decision.Outcome.DISABLED_CHILDREN: 2,
        Decision.Outcome.OTHER: 4,
    },
    Referral.Kind.FAMILY_WELLBEING: {
        Decision.Outcome.FAMILY_WELLBEING: 70,
        Decision.Outcome.ADVICE: 15,
        Decision.Outcome.ASSESSMENT: 8,
        Decision.Outcome.NO_FURTHER_ACTION: 7,
    },
    Referral.Kind.SELF_REFERRAL: {
        Decision.Outcome.FAMILY_WELLBEING: 60,
        Decision.Outcome.ADVICE: 25,
        Decision.Outcome.NO_FURTHER_ACTION: 10,
        Decision.Outcome.ASSESSMENT: 5,
    },
}
PROFESSIONAL_SOURCES = {
    ContactSource.SCHOOLS: 20,
    ContactSource.POLICE: 28,
    ContactSource.GP: 6,
    ContactSource.HEALTH_VISITOR: 6,
    ContactSource.A_AND_E: 4,
    ContactSource.OTHER_HEALTH: 3,
    ContactSource.HOUSING: 3,
    ContactSource.LA_SOCIAL_CARE: 4,
    ContactSource.LA_EXTERNAL: 3,
    ContactSource.LA_EARLY_HELP: 5,
    ContactSource.EDUCATION_SERVICES: 3,
    ContactSource.OTHER_LEGAL: 2,
    ContactSource.OTHER: 3,
}
SOURCE_BY_REFERRER = {
    Referral.ReferrerType.PUBLIC: (ContactSource.INDIVIDUAL, ContactSource.ACQUAINTANCE),
    Referral.ReferrerType.RELATIVE: (ContactSource.FAMILY_MEMBER,),
    Referral.ReferrerType.PARENT_CARER: (ContactSource.FAMILY_MEMBER,),
    Referral.ReferrerType.CHILD: (ContactSource.SELF,),
}
SEXES = (Sex.MALE, Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.NOT_KNOWN, "")
ETHNICITIES = [code for code in Ethnicity.values]


def reference(prefix: str, rng: random.Random) -> str:
    groups = ("".join(rng.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join([prefix, *groups])


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def copy_in(model, objects, *, with_pk: bool) -> None:
    """PostgreSQL: write model instances with COPY (far faster than INSERTs for 100,000s of
    rows). Values are taken as the instances hold them; JSON is serialised and empty
    auto_now(_add) timestamps are filled with now."""
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    names = [f.attname for f in fields]
    json_names = {f.attname for f in fields if isinstance(f, models.JSONField)}
    stamped = {
        f.attname
        for f in fields
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    }
    now = timezone.now()
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for obj in objects:
            row = []
            for name in names:
                value = getattr(obj, name)
                if name in json_names:
                    value = json.dumps(value)
                elif value is None and name in stamped:
                    value = now
                row.append(value)
            copy.write_row(row)


def save_with_ids(model, objects) -> None:
    """Insert rows and give each its id (rows pointing at them need it)."""
    if not _postgres():
        model.objects.bulk_create(objects, batch_size=1_000)
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(objects)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for row, pk in zip(objects, ids, strict=True):
        row.pk = pk
    copy_in(model, objects, with_pk=True)


def save_referrals(referrals) -> None:
    """Insert referrals and give each its id (children and records need it)."""
    save_with_ids(Referral, referrals)


def save(model, objects) -> None:
    if not _postgres():
        model.objects.bulk_create(objects, batch_size=2_000)  # (children: keys set there)
        return
    names = set_keys(objects) if model is Child else set()
    copy_in(model, objects, with_pk=False)
    remember(names)


def analyse(*, vacuum: bool = False) -> None:
    """Fresh statistics after a bulk load, or the planner may scan 100,000s of rows to find
    the queue's first page (or a dashboard's week) instead of walking its index. With
    `vacuum` (outside a transaction), VACUUM too, as autovacuum would in time: the visibility
    map lets index-only scans skip the table (measured: the dashboard's late-messages count
    at a million referrals, 183 ms with ANALYZE alone)."""
    if not _postgres():
        return
    command = "VACUUM ANALYZE {}" if vacuum and connection.get_autocommit() else "ANALYZE {}"
    with connection.cursor() as cursor:
        for model in (Referral, Child, ScreeningRecord, Decision, OutboxMessage):
            cursor.execute(sql.SQL(command).format(sql.Identifier(model._meta.db_table)))


def seed_history(
    *,
    referrals: int,
    years: float = 5,
    staff: int = 4,
    seed: int | None = None,
    password: str = DEFAULT_PASSWORD,
    stdout=None,
) -> dict[str, int]:
    """From code (benchmarks, tests): what `seed_demo --referrals N --years Y --staff M --seed S
    --force` does, without the DEBUG check. Returns referrals made per borough slug. Needs the
    boroughs (migrations) in place; staff screener1..M and "manager" are made or reset."""
    from django.core.management import call_command

    out = stdout or __import__("io").StringIO()
    args = ["--referrals", str(referrals), "--years", str(years), "--staff", str(staff)]
    args += ["--password", password, "--force"]
    if seed is not None:
        args += ["--seed", str(seed)]
    call_command("seed_demo", *args, stdout=out)
    return dict(
        Referral.objects.values_list("borough__slug").annotate(n=models.Count("id")).order_by()
    )


class Command(BaseCommand):
    help = "Fill the database with fake referrals and demo staff (never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--referrals", type=int, default=500, help="How many referrals.")
        parser.add_argument("--staff", type=int, default=4, help="How many screeners.")
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="Password for every demo staff user."
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed (repeatable).")
        parser.add_argument(
            "--years",
            type=float,
            default=0,
            help="Spread the referrals over this many years of history, decided (see above). "
            "0 (the default): the last ten days, all open.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off. Never in production.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this looks like a production configuration: seed_demo "
                "refuses to fill it with fake referrals. Use --force if you are sure."
            )
        count, staff_count = options["referrals"], options["staff"]
        if count < 0 or staff_count < 0:
            raise CommandError("--referrals and --staff must be 0 or more")
        boroughs = list(
            Borough.objects.filter(is_active=True)
            .prefetch_related("office_hours", "closure_days")
            .order_by("name")
        )
        if not boroughs:
            raise CommandError("No active boroughs: run migrate first")
        rng = random.Random(options["seed"])  # noqa: S311  (fake data, not secrets)
        began = time.perf_counter()
        people = self.make_staff(boroughs, staff_count, options["password"])
        if options["years"]:
            if options["years"] < 0:
                raise CommandError("--years must be 0 or more")
            made = self.make_history(boroughs, count, rng, people, years=options["years"])
            if count:
                from mash.dashboard import mark_re_referrals

                analyse()
                began_marks = time.perf_counter()
                marked = mark_re_referrals(since=timezone.now() - dt.timedelta(days=1))
                self.stdout.write(
                    f"  re-referral marks: {marked:,} decisions in "
                    f"{time.perf_counter() - began_marks:.0f}s"
                )
        else:
            made = self.make_referrals(boroughs, count, rng, people)
        if count:
            analyse(vacuum=bool(options["years"]))
        elapsed = time.perf_counter() - began
        per_borough = ", ".join(f"{made[b.pk]:,} {b.name}" for b in boroughs)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {sum(made.values()):,} referrals ({per_borough}) with their children "
                f"and screening records, and {len(people)} staff, in {elapsed:.1f}s."
            )
        )
        self.print_logins(people, options["password"])

    # --- staff ----------------------------------------------------------------------------
    def make_staff(self, boroughs, staff_count, password):
        """screener1..M (Bromley, Bexley, both, in turn) and a manager of every borough."""
        User = get_user_model()
        plan = []
        for i in range(1, staff_count + 1):
            turn = (i - 1) % (len(boroughs) + 1)
            chosen = boroughs if turn == len(boroughs) else [boroughs[turn]]
            plan.append((f"screener{i}", StaffMember.Role.SCREENER, chosen))
        plan.append(("manager", StaffMember.Role.MANAGER, boroughs))
        people = []
        for username, role, chosen in plan:
            with transaction.atomic():
                user, _ = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": username.rstrip("0123456789").capitalize(),
                        "last_name": username[len(username.rstrip("0123456789")) :] or "Demo",
                        "email": f"{username}@example.gov.uk",
                    },
                )
                user.set_password(password)
                user.is_active = True
                user.save()
                member, _ = StaffMember.objects.update_or_create(user=user, defaults={"role": role})
                member.boroughs.set(chosen)
                TOTPDevice.objects.filter(user=user).delete()
                device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
            people.append((user, member, chosen, device))
        return people

    def print_logins(self, people, password):
        self.stdout.write("")
        self.stdout.write("Sign in at /mash/login/ with a username below, the password")
        self.stdout.write(f"  {password}")
        self.stdout.write("and the 6-digit code an authenticator app shows for that user's TOTP")
        self.stdout.write("secret (add it by hand as a time-based key, or use the otpauth URI):")
        for user, member, chosen, device in people:
            secret = base64.b32encode(device.bin_key).decode().rstrip("=")
            names = " and ".join(b.name for b in chosen)
            self.stdout.write("")
            self.stdout.write(f"  {user.username} ({member.get_role_display()}, {names})")
            self.stdout.write(f"    TOTP secret: {secret}")
            self.stdout.write(f"    otpauth URI: {device.config_url}")

    # --- referrals ------------------------------------------------------------------------
    def make_referrals(self, boroughs, count, rng, people):
        calendars = {b.pk: calendar_for(b) for b in boroughs}
        rules = DEFAULT
        holders = {
            b.pk: [user for user, member, chosen, _ in people if b in chosen] for b in boroughs
        }
        taken = set(Referral.objects.values_list("reference", flat=True))
        now = timezone.now()
        made = {b.pk: 0 for b in boroughs}
        descriptions = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 80))).capitalize() + "."
            for _ in range(500)
        ]
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            referrals = []
            for _ in range(size):
                borough = rng.choice(boroughs)
                ref = reference(borough.reference_prefix, rng)
                while ref in taken:
                    ref = reference(borough.reference_prefix, rng)
                taken.add(ref)
                received = now - dt.timedelta(seconds=rng.uniform(0, DAYS_BACK * 86_400))
                referral = self.fake_referral(borough, ref, received, rng)
                referral.description = rng.choice(descriptions)
                referrals.append(referral)
            with transaction.atomic():
                save_referrals(referrals)  # sets their ids
                save(Child, [child for r in referrals for child in self.fake_children(r, rng)])
                records, ratings = [], []
                for r in referrals:
                    due = screening_due_at(
                        r.borough, r.received_at, calendar=calendars[r.borough_id], rules=rules
                    )
                    record = ScreeningRecord(
                        referral=r,
                        borough_id=r.borough_id,
                        due_at=due,
                        effective_due_at=due,
                        received_at=r.received_at,
                        kind=r.kind,
                    )
                    candidates = holders[r.borough_id]
                    if (
                        candidates
                        and r.kind != Referral.Kind.CONSULTATION
                        and rng.random() < RATED_SHARE
                    ):
                        rating = rng.choices(["red", "amber", "green"], weights=[1, 3, 6])[0]
                        rated_at = min(now, r.received_at + dt.timedelta(minutes=30))
                        rating_due = rating_due_at(
                            rating, rated_at, rules=rules, calendar=calendars[r.borough_id]
                        )
                        record.rating, record.rated_at = rating, rated_at
                        record.rank = 0 if rating == "red" else 1
                        record.effective_due_at = min(due, rating_due)
                        ratings.append(
                            UrgencyRating(
                                record=record,
                                rating=rating,
                                reason="Demo rating.",
                                set_by=rng.choice(candidates),
                                set_at=rated_at,
                                due_at=rating_due,
                            )
                        )
                    if candidates and rng.random() < 0.03:
                        record.claimed_by = rng.choice(candidates)
                        record.claimed_at = min(
                            now, r.received_at + dt.timedelta(minutes=rng.randint(5, 600))
                        )
                    records.append(record)
                    made[r.borough_id] += 1
                save_with_ids(ScreeningRecord, records)
                for rating in ratings:
                    rating.record_id = rating.record.pk
                save(UrgencyRating, ratings)
            if count > BATCH:
                self.stdout.write(f"  {min(start + size, count):,} / {count:,}")
        return made

    def make_history(self, boroughs, count, rng, people, *, years: float):
        """`years` of a front door: see the module docstring."""
        calendars = {b.pk: calendar_for(b) for b in boroughs}
        rules = DEFAULT
        holders = {
            b.pk: [user for user, member, chosen, _ in people if b in chosen] for b in boroughs
        }
        taken = set(Referral.objects.values_list("reference", flat=True))
        now = timezone.now()
        made = {b.pk: 0 for b in boroughs}
        pools = {b.pk: [] for b in boroughs}
        descriptions = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 80))).capitalize() + "."
            for _ in range(500)
        ]
        moments = sorted(self.received_moment(now, years, rng) for _ in range(count))
        for start in range(0, count, BATCH):
            referrals = []
            for received in moments[start : start + BATCH]:
                borough = rng.choice(boroughs)
                ref = reference(borough.reference_prefix, rng)
                while ref in taken:
                    ref = reference(borough.reference_prefix, rng)
                taken.add(ref)
                referral = self.fake_referral(borough, ref, received, rng)
                referral.description = rng.choice(descriptions)
                referral.created_at = received
                referral.contact_source = self.fake_source(referral, rng)
                referrals.append(referral)
            with transaction.atomic():
                save_referrals(referrals)
                children = []
                for r in referrals:
                    children.extend(self.history_children(r, rng, pools[r.borough_id]))
                save(Child, children)
                records, ratings, decisions, advice, messages = [], [], [], [], []
                for r in referrals:
                    calendar = calendars[r.borough_id]
                    candidates = holders[r.borough_id]
                    due = screening_due_at(r.borough, r.received_at, calendar=calendar, rules=rules)
                    record = ScreeningRecord(
                        referral=r,
                        borough_id=r.borough_id,
                        due_at=due,
                        effective_due_at=due,
                        received_at=r.received_at,
                        kind=r.kind,
                    )
                    consultation = r.kind == Referral.Kind.CONSULTATION
                    if candidates and not consultation and rng.random() < RATED_SHARE:
                        rating = rng.choices(["red", "amber", "green"], weights=[1, 3, 6])[0]
                        rated_at = min(now, r.received_at + dt.timedelta(minutes=30))
                        rating_due = rating_due_at(rating, rated_at, rules=rules, calendar=calendar)
                        record.rating, record.rated_at = rating, rated_at
                        record.rank = 0 if rating == "red" else 1
                        record.effective_due_at = min(due, rating_due)
                        ratings.append(
                            UrgencyRating(
                                record=record,
                                rating=rating,
                                reason="Demo rating.",
                                set_by=rng.choice(candidates),
                                set_at=rated_at,
                                due_at=rating_due,
                            )
                        )
                    records.append(record)
                    made[r.borough_id] += 1
                    if not candidates:
                        continue
                    if now - r.received_at < OPEN_FOR:
                        if rng.random() < 0.2:
                            record.claimed_by = rng.choice(candidates)
                            record.claimed_at = min(
                                now, r.received_at + dt.timedelta(minutes=rng.randint(5, 600))
                            )
                        continue
                    by = rng.choice(candidates)
                    deadline = record.effective_due_at
                    if rng.random() < IN_TIME_SHARE:
                        decided = r.received_at + (deadline - r.received_at) * rng.uniform(
                            0.05, 1.0
                        )
                    else:
                        decided = deadline + dt.timedelta(minutes=rng.randint(10, 2 * 24 * 60))
                    decided = min(decided, now - dt.timedelta(minutes=1))
                    record.decided_at = decided
                    record.decision_working_seconds = int(
                        calendar.working_time_between(r.received_at, decided).total_seconds()
                    )
                    record.claimed_by = by
                    record.claimed_at = r.received_at + (decided - r.received_at) / 10
                    if consultation:
                        advice.append(
                            ConsultationAdvice(
                                record=record, advice="Demo advice.", given_by=by, given_at=decided
                            )
                        )
                        continue
                    weights = OUTCOMES_BY_KIND[r.kind]
                    outcome = rng.choices(list(weights), weights=list(weights.values()))[0]
                    decision = Decision(
                        record=record,
                        outcome=outcome,
                        rationale="Demo rationale.",
                        decided_by=by,
                        decided_at=decided,
                        notify_referrer=r.is_contactable,
                    )
                    if outcome == Decision.Outcome.ASSESSMENT:
                        decision.home_visit_by = r.received_at.date() + dt.timedelta(days=10)
                    if decision.notify_referrer:
                        decision.notification_due_at = decided + rules.outcome_within
                        messages.append(self.outcome_message(r, decision, now, rng))
                    decisions.append(decision)
                save_with_ids(ScreeningRecord, records)
                for row in (*ratings, *decisions, *advice):
                    row.record_id = row.record.pk
                save(UrgencyRating, ratings)
                save(Decision, decisions)
                save(ConsultationAdvice, advice)
                save(OutboxMessage, messages)
            self.stdout.write(f"  {min(start + BATCH, count):,} / {count:,}")
        return made

    @staticmethod
    def received_moment(now, years: float, rng) -> dt.datetime:
        """A time in the last `years`: four in five on a weekday in office hours."""
        moment = now - dt.timedelta(seconds=rng.uniform(0, years * 365.25 * 86_400))
        if rng.random() < 0.8:
            day = moment.date()
            while day.weekday() >= 5:
                day -= dt.timedelta(days=1)
            minutes = rng.randint(8 * 60 + 30, 17 * 60 - 1)
            moment = local_datetime(day, dt.time(minutes // 60, minutes % 60, rng.randint(0, 59)))
            if moment > now:
                moment -= dt.timedelta(days=7)
        return moment

    @staticmethod
    def fake_source(referral, rng) -> str:
        if rng.random() < NOT_RECORDED_SHARE:
            return ""
        if referral.anonymous:
            return ContactSource.ANONYMOUS
        if referral.referrer_type == Referral.ReferrerType.PROFESSIONAL:
            return rng.choices(list(PROFESSIONAL_SOURCES), list(PROFESSIONAL_SOURCES.values()))[0]
        return rng.choice(SOURCE_BY_REFERRER.get(referral.referrer_type, (ContactSource.UNKNOWN,)))

    def history_children(self, referral, rng, pool):
        """The referral's children: some a child of an earlier referral (same name, date of
        birth and postcode, as a record check would find), the others new (and remembered)."""
        received = referral.received_at.date()
        for child in self.fake_children(referral, rng):
            if not child.unborn and pool and rng.random() < REPEAT_SHARE:
                earlier = rng.choice(pool)
                born = earlier.date_of_birth
                if born and (received - born).days < 17 * 365:
                    for name in (
                        "first_name",
                        "last_name",
                        "name_unknown",
                        "date_of_birth",
                        "address",
                        "postcode",
                        "school",
                        "sex",
                        "ethnicity",
                    ):
                        setattr(child, name, getattr(earlier, name))
                    child.approximate_age = (received - born).days // 365
                    yield child
                    continue
            child.sex = rng.choice(SEXES)
            child.ethnicity = rng.choice(ETHNICITIES) if rng.random() < 0.85 else ""
            if child.date_of_birth and not child.name_unknown:
                child.approximate_age = (received - child.date_of_birth).days // 365
                if len(pool) >= POOL_SIZE:
                    pool[rng.randrange(POOL_SIZE)] = child
                else:
                    pool.append(child)
            yield child

    @staticmethod
    def outcome_message(referral, decision, now, rng) -> OutboxMessage:
        """The outcome email: sent within the hour or two mostly; a few late (flagged as the
        monitor would); of the decisions whose 24 hours are not up, some not yet sent."""
        due = decision.notification_due_at
        message = OutboxMessage(
            kind=OUTCOME_KIND,
            about_id=referral.pk,
            to=referral.referrer_email,
            personalisation={"reference": referral.reference},
            dedupe_key=f"outcome:{referral.pk}",
            created_at=decision.decided_at,
            attempts=1,
        )
        roll = rng.random()
        if due > now and roll < 0.3:
            message.attempts = 0
            return message
        if roll < 0.95:
            sent = decision.decided_at + dt.timedelta(minutes=rng.randint(1, 120))
        elif roll < 0.995:
            sent = due + dt.timedelta(minutes=rng.randint(10, 48 * 60))
        else:
            sent = None  # never sent: the monitor flagged it
        if sent is not None and sent > now:
            sent = None if due > now else now
        message.sent_at = sent
        if sent is not None:
            message.status = OutboxMessage.Status.SENT
        if (sent is None or sent > due) and due + dt.timedelta(minutes=5) <= now:
            decision.notification_late_at = due + dt.timedelta(minutes=5)
        return message

    def fake_referral(self, borough, ref, received, rng) -> Referral:
        kind = rng.choices(list(Referral.Kind), weights=[70, 15, 10, 5])[0]
        professional = kind in {Referral.Kind.FAMILY_WELLBEING, Referral.Kind.CONSULTATION} or (
            rng.random() < 0.2
        )
        anonymous = not professional and rng.random() < 0.25
        referral = Referral(
            reference=ref,
            kind=kind,
            channel=rng.choices(list(Referral.Channel), weights=[80, 15, 4, 1])[0],
            borough=borough,
            received_at=received,
            referrer_type=(
                Referral.ReferrerType.PROFESSIONAL
                if professional
                else rng.choice(
                    [
                        Referral.ReferrerType.PUBLIC,
                        Referral.ReferrerType.RELATIVE,
                        Referral.ReferrerType.PARENT_CARER,
                        Referral.ReferrerType.CHILD,
                    ]
                )
            ),
            anonymous=anonymous,
            concern_categories=sorted(
                rng.sample([code for code, _ in CONCERN_CATEGORIES], rng.randint(1, 3))
            ),
            description="",
            when_happened=rng.choice(["Last night", "This week", "For months", "Today", ""]),
            still_happening=rng.choice(["yes", "no", "unknown"]),
            how_known=rng.choice(["saw", "heard", "told", "other"]),
            other_children_in_home=rng.choice(["yes", "no", "unknown"]),
        )
        if not anonymous:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            referral.referrer_name = f"{first} {last}"
            referral.referrer_email = f"{first}.{last}{rng.randint(1, 999)}@example.com".lower()
            referral.referrer_phone = f"+447700900{rng.randint(0, 999):03d}"
            referral.safe_to_contact = rng.random() > 0.1
            referral.referrer_relationship = "" if professional else rng.choice(RELATIONSHIPS)
        if professional:
            referral.organisation, referral.role = rng.choice(ORGANISATIONS)
            referral.family_aware = rng.choice(["yes", "no", "unknown"])
            referral.family_agrees = rng.choice(["yes", "no", "unknown"])
        return referral

    def fake_children(self, referral, rng):
        today = referral.received_at.date()
        for order in range(rng.choices([1, 2, 3], weights=[75, 20, 5])[0]):
            unborn = order == 0 and rng.random() < 0.03
            known = rng.random() > 0.1
            area = rng.choice(POSTCODE_AREAS.get(referral.borough.slug, ("AB1",)))
            yield Child(
                referral=referral,
                order=order,
                first_name=rng.choice(FIRST_NAMES) if known and not unborn else "",
                last_name=rng.choice(LAST_NAMES) if known and not unborn else "",
                name_unknown=unborn or not known,
                unborn=unborn,
                due_date=today + dt.timedelta(days=rng.randint(10, 200)) if unborn else None,
                date_of_birth=(
                    today - dt.timedelta(days=rng.randint(30, 17 * 365))
                    if not unborn and rng.random() < 0.7
                    else None
                ),
                approximate_age=None if unborn else rng.randint(0, 17),
                address=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                postcode=f"{area} {rng.randint(1, 9)}{rng.choice(UNIT)}{rng.choice(UNIT)}",
                school=rng.choice(SCHOOLS),
            )
