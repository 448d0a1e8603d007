"""The test suite's own set-up under pytest-xdist: each worker on its own Redis database."""

import os

import pytest
from django.conf import settings

from tests.conftest import redis_url_for_worker


@pytest.mark.parametrize(
    ("url", "index", "expected"),
    [
        ("redis://127.0.0.1:6379/1", 0, "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379/1", 2, "redis://127.0.0.1:6379/3"),
        ("redis://127.0.0.1:6379", 1, "redis://127.0.0.1:6379/1"),
        (
            "redis://:pw@cache:6380/0?ssl_cert_reqs=none",
            3,
            "redis://:pw@cache:6380/3?ssl_cert_reqs=none",
        ),
    ],
)
def test_redis_url_for_worker_moves_the_database_number(url, index, expected):
    assert redis_url_for_worker(url, index) == expected


@pytest.mark.redis
def test_cache_and_celery_use_this_workers_redis_url(redis_db_of_worker):
    url = os.environ["REDIS_URL"]
    used = (settings.REDIS_URL, settings.CACHES["default"]["LOCATION"], settings.CELERY_BROKER_URL)
    assert used == (url, url, url)
    assert int(url.rsplit("/", 1)[1]) == redis_db_of_worker


@pytest.fixture
def redis_db_of_worker():
    """The database this worker must be on: the base REDIS_URL's + the worker's number."""
    base = os.environ.get("TEST_REDIS_URL_BASE", os.environ["REDIS_URL"])
    number = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    return int(redis_url_for_worker(base, number).rsplit("/", 1)[1])
