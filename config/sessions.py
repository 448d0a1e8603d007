"""Django's database sessions, with each load and each save one plain SQL statement.

Every page of every journey reads the session and most write it, so the session is the one
query all public requests share. Django's own backend goes through the ORM (about 0.5 ms of
Python per query on our servers, three times the query itself) and wraps each write in a
transaction of its own (BEGIN, UPDATE, COMMIT). This store keeps Django's table, model,
encoding, expiry and `clearsessions`, and the same contract (its SQL runs on PostgreSQL and
SQLite, the two databases this project runs on):

- a missing or expired session loads as empty and is given a new key on save;
- a new session is INSERTed, and a key already taken raises CreateError (Django picks another);
- saving a session that has been deleted meanwhile (signed out elsewhere, cleared) raises
  UpdateError, which SessionMiddleware turns into SessionInterrupted, as with Django's.

A single INSERT or UPDATE is atomic by itself, so no transaction is opened around it; inside a
request's own transaction the statement simply joins it, as Django's savepoint would. The rest
(exists, delete, clearing expired rows) is Django's own: off the path of every request.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _connection(self, write: bool):
        model = self.model
        alias = router.db_for_write(model) if write else router.db_for_read(model)
        return connections[alias]

    def _sql(self, connection, statement: str) -> str:
        return statement.format(
            table=connection.ops.quote_name(self.model._meta.db_table),
            key=connection.ops.quote_name("session_key"),
            data=connection.ops.quote_name("session_data"),
            expires=connection.ops.quote_name("expire_date"),
        )

    def load(self):
        if not self.session_key:
            self._session_key = None
            return {}
        connection = self._connection(write=False)
        with connection.cursor() as cursor:
            cursor.execute(
                self._sql(
                    connection, "SELECT {data} FROM {table} WHERE {key} = %s AND {expires} > %s"
                ),
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)
        connection = self._connection(write=True)
        params = [
            self.encode(data),
            connection.ops.adapt_datetimefield_value(self.get_expiry_date()),
            self._get_or_create_session_key(),
        ]
        with connection.cursor() as cursor:
            if must_create:
                # ON CONFLICT: a taken key inserts nothing (and does not abort an enclosing
                # transaction, as an IntegrityError would).
                cursor.execute(
                    self._sql(
                        connection,
                        "INSERT INTO {table} ({data}, {expires}, {key}) VALUES (%s, %s, %s) "
                        "ON CONFLICT ({key}) DO NOTHING",
                    ),
                    params,
                )
                if cursor.rowcount != 1:
                    raise CreateError
            else:
                cursor.execute(
                    self._sql(
                        connection,
                        "UPDATE {table} SET {data} = %s, {expires} = %s WHERE {key} = %s",
                    ),
                    params,
                )
                if cursor.rowcount != 1:
                    raise UpdateError
