"""config.inserts.insert writes what save(force_insert=True) writes, with the same signals,
in one statement built once per model."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config import inserts
from notifications.models import OutboxMessage
from reporting.models import Carer, Child, Referral
from reporting.references import new_reference
from tests.reporting.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def _referral(bromley, **changes) -> Referral:
    """An unsaved referral with a value in every kind of column: text, JSON, UUID, dates,
    times, booleans, nullable, choices."""
    fields = dict(
        borough=bromley,
        reference=new_reference(bromley),
        kind=Referral.Kind.FAMILY_WELLBEING,
        channel=Referral.Channel.PHONE,
        received_at=dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC),
        referrer_type=Referral.ReferrerType.PROFESSIONAL,
        referrer_name="Ann O'Neil",
        referrer_email="ann@example.org",
        referrer_phone="+447911123456",
        safe_to_contact=None,
        concern_categories=["neglect", "emotional"],
        contact_methods={"email": True, "note": "après 5pm"},
        description="Line one\nline two — «quoted»",
        callback_date=dt.date(2026, 4, 1),
        callback_start=dt.time(9, 30),
        callback_end=dt.time(17, 0),
        submission_key=uuid.uuid4(),
        legal_hold=True,
        legal_hold_reason="court order",
    )
    return Referral(**{**fields, **changes})


def _columns(obj) -> dict:
    """Every column's value as read back from the database (id and created_at aside)."""
    row = type(obj).objects.filter(pk=obj.pk).values().get()
    return {k: v for k, v in row.items() if k not in {"id", "created_at"}}


def test_a_row_is_what_save_writes(bromley):
    saved = _referral(bromley)
    saved.save(force_insert=True)
    inserted = _referral(bromley, reference=new_reference(bromley), submission_key=uuid.uuid4())
    before = timezone.now()

    assert inserts.insert([inserted]) == [inserted]

    assert inserted.pk is not None and inserted.pk != saved.pk
    assert not inserted._state.adding and inserted._state.db == "default"
    theirs, ours = _columns(saved), _columns(inserted)
    for column in ("reference", "submission_key"):
        assert theirs.pop(column) != ours.pop(column)
    assert ours == theirs
    # auto_now_add is filled by the field, as save() fills it, and kept on the instance
    stored = Referral.objects.values_list("created_at", flat=True).get(pk=inserted.pk)
    assert stored == inserted.created_at and stored >= before


def test_many_rows_in_one_statement_get_their_own_ids_in_order(bromley):
    referral = ReferralFactory()
    children = [
        Child(referral=referral, first_name=name, last_name="Smith", order=i)
        for i, name in enumerate(["Amy", "Ben", "Cal"])
    ]
    with CaptureQueriesContext(connection) as queries:
        inserts.insert(children)

    assert len(queries) == 1
    assert [Child.objects.get(pk=c.pk).first_name for c in children] == ["Amy", "Ben", "Cal"]
    assert referral.children.count() == 3


def test_the_statement_is_built_once_per_model(bromley):
    referral = ReferralFactory()
    inserts._statement.cache_clear()
    for i in range(3):
        inserts.insert([Carer(referral=referral, name=f"Carer {i}", order=i)])
    info = inserts._statement.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_the_save_signals_are_sent(bromley):
    seen = []

    def before(sender, instance, raw, update_fields, **kwargs):
        seen.append(("pre", instance.pk, raw, update_fields))

    def after(sender, instance, created, raw, update_fields, **kwargs):
        seen.append(("post", instance.pk, created, raw, update_fields))

    pre_save.connect(before, sender=Referral)
    post_save.connect(after, sender=Referral)
    try:
        referral = inserts.insert([_referral(bromley)])[0]
    finally:
        pre_save.disconnect(before, sender=Referral)
        post_save.disconnect(after, sender=Referral)
    assert seen == [("pre", None, False, None), ("post", referral.pk, True, False, None)]


def test_a_taken_unique_value_raises_as_save_does(bromley):
    first = inserts.insert([_referral(bromley)])[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        inserts.insert([_referral(bromley, reference=first.reference)])


def test_unless_taken_writes_nothing_and_leaves_the_transaction_usable(bromley):
    def message(to):
        return OutboxMessage(kind="acknowledgement", to=to, dedupe_key="ack:1")

    with transaction.atomic():
        first = inserts.insert([message("a@example.org")], unless_taken=["dedupe_key"])
        again = message("b@example.org")
        assert inserts.insert([again], unless_taken=["dedupe_key"]) == []
        assert again.pk is None and again._state.adding
        # No error was raised inside the transaction: it goes on.
        assert OutboxMessage.objects.get(dedupe_key="ack:1").to == "a@example.org"
    assert first[0].pk is not None
    assert OutboxMessage.objects.count() == 1


@pytest.mark.parametrize(
    "objs, why",
    [
        (lambda b: [_referral(b, id=10**9)], "primary key is already set"),
        (lambda b: [_referral(b), Carer(name="x")], "one model"),
        (lambda b: [_referral(b, referrer_name=F("referrer_email"))], "expressions"),
    ],
)
def test_what_is_not_a_plain_new_row_is_refused(bromley, objs, why):
    with pytest.raises(ValueError, match=why):
        inserts.insert(objs(bromley))
    assert not Referral.objects.exists()


def test_unless_taken_is_for_one_object(bromley):
    rows = [OutboxMessage(kind="k", to="t", dedupe_key=f"d{i}") for i in range(2)]
    with pytest.raises(ValueError, match="one object"):
        inserts.insert(rows, unless_taken=["dedupe_key"])


def test_an_unsaved_parent_is_refused_as_save_refuses_it(bromley):
    with pytest.raises(ValueError, match="unsaved related object"):
        inserts.insert([Child(referral=_referral(bromley), first_name="Amy")])


def test_an_error_swallowed_inside_an_atomic_block_still_spoils_it(bromley):
    """As with save(): the block is marked for rollback, nothing of it is committed."""
    first = inserts.insert([_referral(bromley)])[0]
    with pytest.raises(TransactionManagementError), transaction.atomic():
        inserts.insert([_referral(bromley, reference=new_reference(bromley))])
        with contextlib.suppress(IntegrityError):
            inserts.insert([_referral(bromley, reference=first.reference)])
        Referral.objects.count()  # the block is broken: no more queries in it
    assert list(Referral.objects.values_list("pk", flat=True)) == [first.pk]


class ReadReplicaRouter:
    """Reads from a database that does not exist: a write that asked for the read
    database would fail."""

    def db_for_read(self, model, **hints):
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"


def test_rows_go_to_the_database_for_writes(bromley, settings):
    settings.DATABASE_ROUTERS = [f"{__name__}.ReadReplicaRouter"]
    referral = Referral.objects.insert([_referral(bromley)])[0]
    assert referral._state.db == "default"
    settings.DATABASE_ROUTERS = []
    assert Referral.objects.filter(pk=referral.pk).exists()


@pytest.fixture
def no_returning(monkeypatch):
    """A database that cannot return the ids of inserted rows (SQLite before 3.35)."""
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)


def test_without_returning_rows_are_saved_one_by_one_by_the_orm(bromley, no_returning):
    seen = []

    def after(sender, instance, created, **kwargs):
        seen.append((instance.pk, created))

    referral = ReferralFactory()
    children = [Child(referral=referral, first_name=n, order=i) for i, n in enumerate("AB")]
    post_save.connect(after, sender=Child)
    try:
        assert inserts.insert(children) == children
    finally:
        post_save.disconnect(after, sender=Child)
    assert seen == [(children[0].pk, True), (children[1].pk, True)]
    assert [c.first_name for c in referral.children.order_by("order")] == ["A", "B"]


def test_without_returning_unless_taken_still_writes_nothing_for_a_taken_key(bromley, no_returning):
    def message(**changes):
        return OutboxMessage(**{"kind": "k", "to": "t", "dedupe_key": "ack:1", **changes})

    with transaction.atomic():
        assert inserts.insert([message()], unless_taken=["dedupe_key"])
        assert inserts.insert([message(to="u")], unless_taken=["dedupe_key"]) == []
        assert OutboxMessage.objects.get().to == "t"  # the transaction goes on
        # Another constraint's error (here the dedupe key, when asked about "to") is raised.
        with pytest.raises(IntegrityError):
            inserts.insert([message(to="v")], unless_taken=["to"])
    assert OutboxMessage.objects.count() == 1
