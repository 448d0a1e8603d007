import os
import socket
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from reporting import ratelimit
from reporting.ratelimit import Rate, check_and_count, client_hash, parse_rate, retry_after
from tests.reporting.factories import reset_breakers  # noqa: F401 (a fixture)

NOW = 1_800_000_000.0  # a fixed instant, 20 minutes into an hour window
IP = "203.0.113.42"


def request_from(address=IP, *, session=None, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().post("/bromley/report/", REMOTE_ADDR=address, **extra)
    if session:
        request.session = SimpleNamespace(session_key=session)
    return request


pytestmark = pytest.mark.usefixtures("reset_breakers")


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.RATE_LIMIT_SUBMISSIONS = "10/h"
    settings.RATE_LIMIT_SESSION = "5/h"
    settings.RATE_LIMIT_GLOBAL = "300/10m"
    settings.RATE_LIMIT_SALT = "test-salt"
    settings.TRUSTED_PROXIES = []


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("10/h", Rate(10, 3600)),
        ("30/15m", Rate(30, 900)),
        (" 5 / d ", Rate(5, 86400)),
        ("100/30s", Rate(100, 30)),
        ("0", Rate(0, 0)),
        ("", Rate(0, 0)),
    ],
)
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("bad", ["ten/h", "10/w", "10", "10/h/2"])
def test_parse_rate_rejects_nonsense(bad):
    with pytest.raises(ValueError):
        parse_rate(bad)


def test_ten_an_hour_then_refused_until_the_next_window():
    request = request_from()
    assert [check_and_count(request, now=NOW + i) for i in range(10)] == [True] * 10
    assert check_and_count(request, now=NOW + 11) is False
    assert check_and_count(request, now=NOW + 12) is False
    next_window = (NOW // 3600 + 1) * 3600
    assert retry_after(now=NOW + 12) == int(next_window - NOW - 12)
    assert check_and_count(request, now=next_window) is True


def test_clients_are_counted_separately():
    for _ in range(10):
        check_and_count(request_from(), now=NOW)
    assert check_and_count(request_from(), now=NOW) is False
    assert check_and_count(request_from("198.51.100.7"), now=NOW) is True


def test_no_raw_ip_in_the_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    check_and_count(request_from(), now=NOW)
    keys = list(cache._cache.keys())  # LocMem internals: every stored key
    assert keys and not any(IP in key or IP.replace(".", "") in key for key in keys)
    assert any(client_hash(request_from()) in key for key in keys)


def test_the_hash_is_salted(settings):
    first = client_hash(request_from())
    settings.RATE_LIMIT_SALT = "another-salt"
    assert client_hash(request_from()) != first
    assert IP not in first and len(first) == 32


def test_falls_back_to_secret_key_as_salt(settings):
    settings.RATE_LIMIT_SALT = ""
    settings.SECRET_KEY = "k" * 50
    a = client_hash(request_from())
    settings.SECRET_KEY = "j" * 50
    assert client_hash(request_from()) != a


def test_turned_off(settings):
    settings.RATE_LIMIT_SUBMISSIONS = "0"
    assert all(check_and_count(request_from(), now=NOW) for _ in range(50))
    assert retry_after(now=NOW) == 0


def test_fails_open_when_the_cache_is_down(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(ratelimit.cache, "add", down)
    assert all(check_and_count(request_from(), now=NOW) for _ in range(20))


def test_after_a_cache_failure_the_cache_is_skipped_for_a_while(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(ratelimit.cache_breaker, "clock", lambda: clock[0])
    calls = []

    def down(*args, **kwargs):
        calls.append(args)
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(ratelimit.cache, "add", down)
    assert check_and_count(request_from(), now=NOW) is True
    assert check_and_count(request_from(), now=NOW) is True
    assert len(calls) == 1  # the second request did not wait on a dead cache
    clock[0] += 31
    monkeypatch.undo()  # the cache is back
    monkeypatch.setattr(ratelimit.cache_breaker, "clock", lambda: clock[0])
    assert [check_and_count(request_from(), now=NOW) for _ in range(11)] == [True] * 10 + [False]


def test_a_key_expiring_between_add_and_incr_starts_a_new_count(monkeypatch):
    monkeypatch.setattr(ratelimit.cache, "add", lambda *a, **k: False)
    assert check_and_count(request_from(), now=NOW) is True  # incr of a missing key
    assert cache.get(ratelimit._key(request_from(), parse_rate("10/h"), NOW)) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }


def test_redis_unreachable_fails_open(settings):
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    settings.CACHES = _redis_cache(f"redis://127.0.0.1:{_closed_port()}/0")
    assert all(check_and_count(request_from(), now=NOW) for _ in range(12))


@pytest.mark.redis
def test_counts_in_redis_shared_by_every_process(settings):
    settings.CACHES = _redis_cache(os.environ["REDIS_URL"])
    cache.clear()
    request = request_from("192.0.2.99")
    assert [check_and_count(request, now=NOW) for _ in range(11)] == [True] * 10 + [False]
    keys = [key.decode() for key in cache.client.get_client().keys("*ratelimit*")]
    assert keys and not any("192.0.2.99" in key for key in keys)
    cache.clear()


# -- behind a proxy: per session, per client address, a global circuit ----------------------
NGINX = "172.18.0.5"
SCHOOL = "198.51.100.20"


def test_the_defaults_let_a_school_behind_one_address_send_fifty_an_hour(settings):
    """Reproduces the lockout: behind nginx every request came from nginx's address, and the
    limit (10 an hour per REMOTE_ADDR) cut off the 11th report of a whole school."""
    settings.RATE_LIMIT_SUBMISSIONS = "100/h"
    settings.TRUSTED_PROXIES = [NGINX]
    verdicts = [
        check_and_count(request_from(NGINX, session=f"s{n}", forwarded=SCHOOL), now=NOW + n)
        for n in range(50)
    ]
    assert all(verdicts)
    # Another school behind the same nginx has its own allowance.
    assert check_and_count(request_from(NGINX, session="x", forwarded="192.0.2.1"), now=NOW)


def test_one_session_hammering_is_stopped_and_costs_its_neighbours_nothing():
    requests = [request_from(session="hammer") for _ in range(30)]
    assert [check_and_count(r, now=NOW) for r in requests] == [True] * 5 + [False] * 25
    assert requests[-1].rate_limit.scope == "session"
    # The refused 25 were not counted against the address: others there still send.
    others = [check_and_count(request_from(session=f"p{n}"), now=NOW) for n in range(5)]
    assert all(others)


def test_one_address_rotating_sessions_is_stopped_by_the_client_limit():
    requests = [request_from(session=f"s{n}") for n in range(12)]
    assert [check_and_count(r, now=NOW) for r in requests] == [True] * 10 + [False] * 2
    assert requests[-1].rate_limit.scope == "client"


def test_a_forged_header_from_an_untrusted_client_does_not_escape_the_limit(settings):
    settings.TRUSTED_PROXIES = [NGINX]
    sends = [
        check_and_count(request_from(IP, session=f"s{n}", forwarded=f"192.0.2.{n}"), now=NOW)
        for n in range(11)
    ]
    assert sends == [True] * 10 + [False]


def test_a_flood_from_many_addresses_opens_the_global_circuit(settings):
    settings.RATE_LIMIT_GLOBAL = "20/10m"
    requests = [request_from(f"192.0.2.{n}", session=f"s{n}") for n in range(25)]
    assert [check_and_count(r, now=NOW) for r in requests] == [True] * 20 + [False] * 5
    assert requests[-1].rate_limit.scope == "global"
    assert retry_after(now=NOW) == int(600 - NOW % 600)
    # The next ten-minute window is open again.
    assert check_and_count(request_from("192.0.2.200", session="new"), now=NOW + 600)


def test_no_raw_session_key_in_the_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    check_and_count(request_from(session="the-session-key-itself"), now=NOW)
    assert not any("the-session-key-itself" in key for key in cache._cache)


# -- through the real views -------------------------------------------------------------------
@pytest.mark.django_db
def test_a_school_behind_nginx_sends_past_the_old_limit_of_ten(settings, bromley):
    from django.test import Client

    from reporting.models import Referral
    from tests.reporting.test_views import ANONYMOUS, public, submit, walk

    settings.TRUSTED_PROXIES = [NGINX]
    settings.RATE_LIMIT_SUBMISSIONS = "100/h"  # the default
    for _ in range(11):  # eleven people, each in their own browser, one school address
        person = Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=SCHOOL)
        walk(person, public() + ANONYMOUS)
        submit(person)
    assert Referral.objects.count() == 11
    # One of them hammering Send is stopped by its session's limit, with a page saying so.
    settings.RATE_LIMIT_SESSION = "1/h"
    hammer = Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=SCHOOL)
    walk(hammer, public() + ANONYMOUS)
    submit(hammer)
    hammer.post("/bromley/report/")  # "Start now": a new report
    walk(hammer, public() + ANONYMOUS)
    response = hammer.post("/bromley/report/check-your-answers/", {"website": ""})
    assert response.status_code == 429
    assert "a lot of reports from this browser" in response.content.decode()
    assert int(response["Retry-After"]) > 0
