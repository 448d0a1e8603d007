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
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A test database is thrown away: no commit waits for the disk (a crash could lose the
        # last commits, never corrupt). Every autocommit write of a live-server request or a
        # transactional test waited ~10 ms for the WAL flush before.
        options = settings.DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
        quick_flush()


def quick_flush() -> None:
    """Django empties the database after each transactional test (`transactional_db`,
    `live_server`, `django_db(transaction=True)`) with `flush`, which on PostgreSQL is one
    TRUNCATE of every table: new files for each of ~45 tables and their indexes, about a second
    a test, mostly waiting on the disk. A test leaves a few rows: DELETE FROM each table empties
    them in milliseconds, to the same end (empty tables, sequences not reset, the post_migrate
    signal after it as before). Tables with their own triggers (mash_auditevent refuses DELETE:
    append-only) are still truncated, with the tables that refer to them. A flush that resets
    sequences keeps Django's TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate_all = DatabaseOperations.sql_flush
    if getattr(truncate_all, "quick", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate_all(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        guarded = _truncated_tables(self.connection) & set(tables)
        quote = self.quote_name
        statements = ["SET CONSTRAINTS ALL DEFERRED"]
        if guarded:
            statements.append(f"TRUNCATE {', '.join(quote(t) for t in sorted(guarded))}")
        # Table names from Django's introspection, quoted: no outside input.
        statements += [f"DELETE FROM {quote(t)}" for t in tables if t not in guarded]  # noqa: S608
        return statements

    sql_flush.quick = True
    DatabaseOperations.sql_flush = sql_flush


def _truncated_tables(connection) -> set[str]:
    """Tables with triggers of their own (which may refuse DELETE), and every table that refers
    to one of them by a foreign key (TRUNCATE needs them in the same statement)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
        )
        tables = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f'"
        )
        references = cursor.fetchall()
    while True:
        more = {referring for referring, referred in references if referred in tables} - tables
        if not more:
            return {t.strip('"') for t in tables}
        tables |= more


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
def private_storage(settings, tmp_path) -> Path:
    """Uploads (consent forms) stored under this test's own temporary directory."""
    settings.PRIVATE_STORAGE = {
        "BACKEND": "reporting.uploads.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private")},
    }
    return tmp_path / "private"


@pytest.fixture
def web(client, bromley):
    """The test client (tests/reporting's is a JourneyClient), with the boroughs loaded."""
    return client


@pytest.fixture
def seeded_boroughs(db):
    """Bromley and Bexley as the data migration loads them (again, after a flush)."""
    from django.apps import apps
    from django.db import transaction

    from contacts.models import Borough
    from contacts.seed import load_boroughs

    # In one transaction, as the data migration loads them: in a transactional test each row
    # committed on its own, and each commit rewrote the outage snapshot (~25 rows).
    with transaction.atomic():
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
