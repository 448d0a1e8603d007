"""Limits on submissions: generous for a person, tight for a flood. Kept in the cache (Redis
when REDIS_URL is set, else the process's LocMem cache), in fixed windows.

Three limits, checked in this order; a send refused by one is not counted by the next:
- per session (RATE_LIMIT_SESSION, default 5 an hour): one browser hammering "Send" is stopped,
  and its refused sends cost nobody else anything;
- per client address (RATE_LIMIT_SUBMISSIONS, default 100 an hour): a school or GP practice
  behind one address can send dozens of reports an hour from different people's sessions,
  while one address rotating sessions is stopped. The address is `config.client.client_ip`:
  X-Forwarded-For only from a trusted proxy (TRUSTED_PROXIES), never otherwise;
- a global circuit (RATE_LIMIT_GLOBAL, default 300 in 10 minutes, all clients together): a
  flood from many addresses stops online sending for the rest of the window; the page then
  gives the council's numbers, which is what a person needs anyway.

Sessions and clients are told apart by a salted HMAC (RATE_LIMIT_SALT, default SECRET_KEY) of
the session key and of the address: neither is stored, in the cache or anywhere else.

Each limit is "<count>/<period>", period s, m, h or d, optionally with a number ("10/h",
"30/15m"); empty or "0" turns it off.

If the cache is down the limits fail open: a report about a child is never refused because
Redis is. After a cache failure the cache is skipped for a while (per process), so a hung Redis
does not add its socket timeout to every submission.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from config.client import client_ip
from notifications.breaker import Breaker

logger = logging.getLogger(__name__)

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
cache_breaker = Breaker("rate limit cache", cooldown=30.0)


@dataclass(frozen=True)
class Rate:
    count: int
    period: int  # seconds

    @property
    def enabled(self) -> bool:
        return self.count > 0


def parse_rate(value: str) -> Rate:
    """'10/h' -> Rate(10, 3600); '30/15m' -> Rate(30, 900); '' or '0' -> disabled."""
    if not value or value.strip() in {"0", "off"}:
        return Rate(0, 0)
    match = _RATE.match(value)
    if not match:
        raise ValueError(f"Rate limit {value!r} is not like '10/h' or '30/15m'")
    count, multiple, unit = match.groups()
    return Rate(int(count), int(multiple or 1) * UNITS[unit])


@dataclass(frozen=True)
class Limit:
    scope: str  # part of the cache key
    by: str  # counted per "session", per "client" address, or for "all" together
    setting: str
    default: str

    @property
    def rate(self) -> Rate:
        return parse_rate(getattr(settings, self.setting, self.default))


SESSION = Limit("session", "session", "RATE_LIMIT_SESSION", "5/h")
CLIENT = Limit("client", "client", "RATE_LIMIT_SUBMISSIONS", "100/h")
GLOBAL = Limit("global", "all", "RATE_LIMIT_GLOBAL", "300/10m")
LIMITS = (SESSION, CLIENT, GLOBAL)
# Consent form uploads (reporting.uploads counts each file as the request is read).
UPLOAD_SESSION = Limit("upload-session", "session", "UPLOAD_LIMIT_SESSION", "5/h")
UPLOAD_CLIENT = Limit("upload-client", "client", "UPLOAD_LIMIT_CLIENT", "10/h")
UPLOAD_LIMITS = (UPLOAD_SESSION, UPLOAD_CLIENT)


@dataclass(frozen=True)
class Verdict:
    """The answer to one send: truthy when it may go ahead. When refused, `limit` says which
    limit refused it and `retry_after` in how many seconds its window ends."""

    allowed: bool
    limit: Limit | None = None
    retry_after: int = 0

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def scope(self) -> str:
        return self.limit.scope if self.limit else ""


ALLOWED = Verdict(True)
# The last verdict given in this request's context, for `retry_after()` (views call it with no
# arguments right after a refusal).
_last: ContextVar[Verdict | None] = ContextVar("ratelimit_last_verdict", default=None)


def submission_rate() -> Rate:
    """The per-client limit (RATE_LIMIT_SUBMISSIONS)."""
    return CLIENT.rate


def _hash(value: str) -> str:
    salt = settings.RATE_LIMIT_SALT or settings.SECRET_KEY
    return hmac.new(salt.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def client_hash(request) -> str:
    """A salted, irreversible hash of the client's address (`config.client.client_ip`)."""
    return _hash(client_ip(request) or "unknown")


def session_hash(request) -> str | None:
    """A salted hash of the session key; None for a request with no session yet."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    return _hash(f"session:{key}") if key else None


def _window_key(scope: str, who: str, rate: Rate, now: float) -> str:
    return f"ratelimit:submission:{scope}:{who}:{int(now // rate.period)}"


def _key(request, rate: Rate, now: float) -> str:
    """The per-client counter's key for the window holding `now`."""
    return _window_key(CLIENT.scope, client_hash(request), rate, now)


def _count(key: str, rate: Rate, now: float) -> int | None:
    """Add one to the window's counter; its new value, or None when the cache is down."""
    try:
        # add() is a no-op when the key exists; the window's remaining seconds plus a margin.
        cache.add(key, 0, timeout=rate.period - int(now % rate.period) + 5)
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr: a new window
        cache.set(key, 1, timeout=rate.period)
        count = 1
    except Exception:
        cache_breaker.failed()
        logger.warning("rate limit: cache unavailable; allowing the submission", exc_info=True)
        return None
    if count is None:  # django-redis with IGNORE_EXCEPTIONS: Redis is down
        cache_breaker.failed()
        logger.warning("rate limit: cache unavailable; allowing the submission")
    return count


def check_and_count(request, *, now: float | None = None) -> bool:
    """Count one submission against each limit in turn (session, client address, global).
    True if within all of them (go ahead), False if one refused it (show the "too many" page).
    The verdict, with the limit that refused, is kept on `request.rate_limit` for the page."""
    verdict = _check(request, time.time() if now is None else now)
    _last.set(verdict)
    request.rate_limit = verdict
    return verdict.allowed


def check_and_count_upload(request, *, now: float | None = None) -> Verdict:
    """Count one uploaded file against the upload limits (per session, per client address)."""
    return _check(request, time.time() if now is None else now, UPLOAD_LIMITS)


def check_and_count_limits(
    request, limits: tuple[Limit, ...], *, keys: dict[str, str] | None = None, now=None
) -> Verdict:
    """Count one attempt against other limits, in turn, as `check_and_count` does. A limit
    may be counted per any of `keys` besides "session", "client" and "all" (e.g. per
    reference: `keys={"reference": "BRM-4K7Q-X9D2"}`); those values are hashed like the
    others, never stored. A key missing or empty skips its limit."""
    verdict = _check(request, time.time() if now is None else now, limits, keys)
    request.rate_limit = verdict
    return verdict


def _check(
    request, now: float, limits: tuple[Limit, ...] = LIMITS, keys: dict[str, str] | None = None
) -> Verdict:
    whos = {"session": session_hash(request), "client": client_hash(request), "all": "all"}
    for name, value in (keys or {}).items():
        whos[name] = _hash(f"{name}:{value}") if value else None
    for limit in limits:
        rate, who = limit.rate, whos.get(limit.by)
        if not rate.enabled or who is None:
            continue
        if cache_breaker.is_open:
            return ALLOWED
        count = _count(_window_key(limit.scope, who, rate, now), rate, now)
        if count is None:
            return ALLOWED
        if count > rate.count:
            if limit is GLOBAL:
                logger.warning("rate limit: global circuit open (over %s)", rate.count)
            return Verdict(False, limit, _seconds_left(rate, now))
    return ALLOWED


def _seconds_left(rate: Rate, now: float) -> int:
    return int(rate.period - now % rate.period)


def retry_after(*, now: float | None = None, verdict: Verdict | None = None) -> int:
    """Seconds until the window of the limit that refused this request's send ends (for a
    Retry-After header or the friendly page); with no refusal in this context, the per-client
    window's."""
    now = time.time() if now is None else now
    verdict = verdict or _last.get()
    if verdict is not None and verdict.limit is not None:
        return _seconds_left(verdict.limit.rate, now)
    rate = submission_rate()
    return _seconds_left(rate, now) if rate.enabled else 0
