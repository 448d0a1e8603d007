"""New rows written by an INSERT built once per model (issue 21, docs/benchmarks/submit-path.md).

`Model.save()` and `QuerySet.bulk_create()` compile their INSERT from the model's fields on
every call: for a submission (the referral's 45 columns, its children, its screening record,
the acknowledgement's outbox row) that compiling was the largest single cost left on the
submit path. `insert` writes the same rows as `save(force_insert=True)`: the same columns,
each value made ready by its own field exactly as the ORM does it (`pre_save`, which fills
`auto_now_add` times, then `get_db_prep_save`: JSON, UUIDs, dates), the same `pre_save` and
`post_save` signals, the primary key read back with RETURNING and the instance marked saved.
A model's own `save()` is not called: a model whose `save()` does more must be inserted by
its own code path, or do that part itself (`reporting.models.ChildQuerySet.insert`).

Only new rows of a concrete model without parents, with no primary key set and no query
expression as a value; anything else raises ValueError (use `save()`). Database errors are
Django's, as from `save()` (IntegrityError for a taken unique value), and mark the atomic
block they happen in for rollback as `save()` does. On a database that cannot return the
ids of the rows it inserts (SQLite before 3.35) the rows are saved one at a time by the ORM
(`save_base`: the same signals, still not the model's own `save()`)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from django.db import IntegrityError, connections, models, router, transaction
from django.db.models.signals import post_save, pre_save


@cache
def _statement(model: type[models.Model], using: str) -> tuple[list, str, str]:
    """(fields, the INSERT up to VALUES, one row's placeholders) for `model` on `using`."""
    connection = connections[using]
    opts = model._meta
    fields = [f for f in opts.local_concrete_fields if f is not opts.auto_field and not f.generated]
    quote = connection.ops.quote_name
    # Only the model's own table and column names go into the text: values are parameters.
    columns = ", ".join(quote(f.column) for f in fields)
    head = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES "  # noqa: S608
    return fields, head, "(" + ", ".join(["%s"] * len(fields)) + ")"


def insert(
    objs: Sequence[models.Model], *, unless_taken: Sequence[str] = (), using: str | None = None
) -> list[models.Model]:
    """Insert `objs` (new instances of one model) in one statement; returns them, saved.

    unless_taken: columns of a unique constraint; for one object only: when a row with its
    values there already exists, nothing is written and [] is returned (the object stays
    unsaved) instead of raising IntegrityError."""
    if not objs:
        return []
    model = type(objs[0])
    opts = model._meta
    if opts.parents or opts.auto_field is None or any(type(o) is not model for o in objs):
        raise ValueError("insert() takes new instances of one model without parents")
    if any(o.pk is not None for o in objs):
        raise ValueError("insert() takes new rows only: a primary key is already set")
    if unless_taken and len(objs) > 1:
        raise ValueError("unless_taken is for one object at a time")
    using = using or router.db_for_write(model, instance=objs[0])
    connection = connections[using]
    if not connection.features.can_return_rows_from_bulk_insert:
        return _saved_one_by_one(objs, unless_taken, using)
    fields, head, row = _statement(model, using)
    params = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert")
        pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
        for field in fields:
            value = field.pre_save(obj, add=True)
            if hasattr(value, "resolve_expression"):
                raise ValueError(f"insert() takes values, not expressions ({field.name})")
            params.append(field.get_db_prep_save(value, connection=connection))
    quote = connection.ops.quote_name
    sql = head + ", ".join([row] * len(objs))
    if unless_taken:
        sql += f" ON CONFLICT ({', '.join(quote(c) for c in unless_taken)}) DO NOTHING"
    sql += f" RETURNING {quote(opts.pk.column)}"
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [r[0] for r in cursor.fetchall()]
    if not ids:  # unless_taken, and it was
        return []
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using
        post_save.send(
            sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using
        )
    return list(objs)


def _saved_one_by_one(objs, unless_taken, using: str) -> list[models.Model]:
    """`insert` by the ORM, for a database without INSERT ... RETURNING."""
    if not unless_taken:
        for obj in objs:
            obj.save_base(using=using, force_insert=True)
        return list(objs)
    obj = objs[0]
    try:
        with transaction.atomic(using=using):
            obj.save_base(using=using, force_insert=True)
    except IntegrityError:
        columns = {f.column: f.attname for f in obj._meta.concrete_fields}
        taken = {columns[c]: getattr(obj, columns[c]) for c in unless_taken}
        if not type(obj)._base_manager.using(using).filter(**taken).exists():
            raise  # another constraint
        return []
    return [obj]
