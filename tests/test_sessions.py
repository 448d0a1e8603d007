"""The session store (config.sessions): Django's database sessions with one SQL statement per
read and write. Same table, same contract as Django's backend, on SQLite and PostgreSQL."""

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from config.sessions import SessionStore

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 23, 21, 0, tzinfo=dt.UTC)


def test_settings_use_this_store(settings):
    assert settings.SESSION_ENGINE == "config.sessions"


def test_saved_session_loads_in_a_new_store():
    store = SessionStore()
    store["answers"] = {"danger": "no", "who": "public"}
    store.save()
    assert Session.objects.filter(session_key=store.session_key).exists()

    again = SessionStore(store.session_key)
    assert again["answers"] == {"danger": "no", "who": "public"}


def test_update_writes_the_new_data_and_expiry():
    with time_machine.travel(START, tick=False):
        store = SessionStore()
        store["step"] = 1
        store.save()
    with time_machine.travel(START + dt.timedelta(minutes=30), tick=False):
        store = SessionStore(store.session_key)
        store["step"] = 2
        store.save()
        row = Session.objects.get(session_key=store.session_key)
        assert row.get_decoded() == {"step": 2}
        assert row.expire_date == START + dt.timedelta(minutes=30, seconds=store.get_expiry_age())


def test_unknown_key_loads_empty_and_gets_a_new_key_on_save():
    store = SessionStore("nosuchsessionkeyxxxxxxxxxxxxxxxx")
    assert store.load() == {}
    assert store.session_key is None
    store["a"] = 1
    store.save()
    assert store.session_key != "nosuchsessionkeyxxxxxxxxxxxxxxxx"
    assert SessionStore(store.session_key)["a"] == 1


def test_malformed_key_loads_empty():
    assert SessionStore("bad").load() == {}


@pytest.mark.parametrize("minutes_after_expiry, loads", [(-1, True), (0, False), (1, False)])
def test_expired_session_loads_empty(settings, minutes_after_expiry, loads):
    with time_machine.travel(START, tick=False):
        store = SessionStore()
        store["a"] = 1
        store.save()
        key = store.session_key
    expires = START + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(expires + dt.timedelta(minutes=minutes_after_expiry), tick=False):
        assert (SessionStore(key).load() == {"a": 1}) is loads


def test_expiry_is_compared_as_a_moment_across_the_clock_change(settings):
    """Saved at 00:30 BST on the night the clocks go back: the expiry is two hours later as a
    moment, whatever the London wall clock says."""
    saved = dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC)  # 00:30 BST on 25 October
    with time_machine.travel(saved, tick=False):
        store = SessionStore()
        store["a"] = 1
        store.save()
    expires = saved + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(expires - dt.timedelta(seconds=1), tick=False):
        assert SessionStore(store.session_key).load() == {"a": 1}
    with time_machine.travel(expires + dt.timedelta(seconds=1), tick=False):
        assert SessionStore(store.session_key).load() == {}


def test_creating_with_a_taken_key_raises_create_error_without_spoiling_the_transaction():
    first = SessionStore()
    first["a"] = 1
    first.save()
    clash = SessionStore(first.session_key)
    with transaction.atomic():
        with pytest.raises(CreateError):
            clash.save(must_create=True)
        # The enclosing transaction is still usable.
        assert Session.objects.filter(session_key=first.session_key).count() == 1
    assert SessionStore(first.session_key)["a"] == 1


def test_create_picks_another_key_when_one_is_taken(monkeypatch):
    taken = SessionStore()
    taken.save()
    keys = iter([taken.session_key, "freshsessionkeyxxxxxxxxxxxxxxxxx"])
    store = SessionStore()
    # exists() is skipped here, as when two requests pick the same key at the same moment.
    monkeypatch.setattr(store, "_get_new_session_key", lambda: next(keys))
    store.create()
    assert store.session_key == "freshsessionkeyxxxxxxxxxxxxxxxxx"
    assert Session.objects.filter(session_key=store.session_key).exists()


def test_exists():
    store = SessionStore()
    store.save()
    assert store.exists(store.session_key)
    assert not store.exists("nosuchsessionkeyxxxxxxxxxxxxxxxx")


def test_saving_a_session_deleted_meanwhile_raises_update_error():
    store = SessionStore()
    store["a"] = 1
    store.save()
    Session.objects.filter(session_key=store.session_key).delete()
    store["a"] = 2
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.exists()


def test_middleware_reports_a_session_deleted_during_the_request():
    """As with Django's own store: the request that wrote to a session deleted meanwhile (signed
    out in another tab) gets SessionInterrupted, a 400, not a new session carrying its data."""
    from django.contrib.sessions.middleware import SessionMiddleware

    store = SessionStore()
    store["a"] = 1
    store.save()
    key = store.session_key

    def view(request):
        request.session["a"] = 2
        Session.objects.filter(session_key=key).delete()
        return HttpResponse("ok")

    request = RequestFactory().get("/", HTTP_COOKIE=f"sessionid={key}")
    with pytest.raises(SessionInterrupted):
        SessionMiddleware(view)(request)


def test_clearsessions_still_deletes_expired_rows(settings):
    with time_machine.travel(START, tick=False):
        old = SessionStore()
        old.save()
    with time_machine.travel(START + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        fresh = SessionStore()
        fresh.save()
        SessionStore.clear_expired()
        assert list(Session.objects.values_list("session_key", flat=True)) == [fresh.session_key]


def test_one_query_to_load_and_one_to_save(django_assert_num_queries):
    store = SessionStore()
    store["a"] = 1
    store.save()
    with django_assert_num_queries(1):
        again = SessionStore(store.session_key)
        again.load()
    again["a"] = 2
    with django_assert_num_queries(1):
        again.save()
