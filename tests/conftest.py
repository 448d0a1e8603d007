"""Test set-up shared by every app.

`make test` runs what it can on the machine it is on and says what it skipped: tests that need
PostgreSQL, Redis or Chromium skip without them. CI sets REQUIRE_POSTGRES, REQUIRE_REDIS and
REQUIRE_BROWSER, and then a missing part fails the run instead of skipping.
"""

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

CHROMIUM = "/usr/bin/chromium"


def _required(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}


def _missing(reason: str, required_by: str) -> None:
    if _required(required_by):
        pytest.fail(f"{reason}, and {required_by}=1 says it must not be skipped", pytrace=False)
    pytest.skip(reason)


def is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def pytest_configure(config):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API + ORM
    # Cheap password hashing everywhere (PBKDF2 costs ~0.3 s a password). The real hashers
    # stay listed after it, so a hash made with one of them still checks.
    from django.conf import settings
    from django.contrib.auth import hashers

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    # The outage snapshot each test process writes (migrate, contacts edits): never var/'s.
    settings.CONTACTS_SNAPSHOT_PATH = str(
        Path(tempfile.mkdtemp(prefix="contacts-snapshot-")) / "contacts.json"
    )


def redis_url_for_worker(url: str, index: int) -> str:
    """REDIS_URL with its database number moved up by `index` (redis://host:6379/1 -> /3)."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + index}"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config, specs):
    """pytest-xdist: each worker gets its own Redis database, REDIS_URL's + its index. Tests
    clear the cache (FLUSHDB) and Celery sends to REDIS_URL: a shared database would let one
    worker's tests wipe another's. Set in the worker's environment when it starts, before its
    Django settings (which read REDIS_URL) load; subprocesses inherit it."""
    if not (url := os.environ.get("REDIS_URL")):
        return
    for index, spec in enumerate(specs):
        spec.env["REDIS_URL"] = redis_url_for_worker(url, index)
        spec.env["TEST_REDIS_URL_BASE"] = url


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).parts[-2:-1] == ("e2e",) or "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _requirements(request):
    if request.node.get_closest_marker("postgres") and not is_postgres():
        _missing("needs PostgreSQL (set DATABASE_URL=postgres://...)", "REQUIRE_POSTGRES")
    if request.node.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        _missing("needs Redis (set REDIS_URL=redis://...)", "REQUIRE_REDIS")
    if request.node.get_closest_marker("browser") and not (
        os.path.exists(CHROMIUM) or shutil.which("chromium")
    ):
        _missing(f"needs Debian's Chromium at {CHROMIUM}", "REQUIRE_BROWSER")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """No collectstatic manifest in tests: serve static files by their plain names."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_caches():
    from django.core.cache import cache

    from contacts import memos

    memos.clear_all()
    cache.clear()
    yield
    memos.clear_all()


@pytest.fixture
def seeded_boroughs(db):
    """Bromley and Bexley as the data migration loads them (again, after a flush)."""
    from django.apps import apps

    from contacts.models import Borough
    from contacts.seed import load_boroughs

    load_boroughs(apps)
    return {b.slug: b for b in Borough.objects.all()}


@pytest.fixture
def bromley(seeded_boroughs):
    return seeded_boroughs["bromley"]


@pytest.fixture
def bexley(seeded_boroughs):
    return seeded_boroughs["bexley"]


def pytest_sessionstart(session):
    # TEST_TRAVEL_TO=2026-11-28T21:00 runs the whole suite as if the clock read that London
    # time (and ticked on), to catch tests that only pass at the time of day they were
    # written. CI runs at any hour: no test may depend on the real clock.
    if travel_to := os.environ.get("TEST_TRAVEL_TO"):
        import datetime as dt

        import time_machine

        from contacts.calendar import to_london

        traveller = time_machine.travel(to_london(dt.datetime.fromisoformat(travel_to)), tick=True)
        traveller.start()
        session.config._travel = traveller
    if _required("REQUIRE_POSTGRES") and "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL is not a PostgreSQL URL")
