"""A per-client limit on submissions, kept in the cache (Redis when REDIS_URL is set, else the
process's LocMem cache).

Clients are told apart by a salted HMAC of REMOTE_ADDR: the raw address is never stored, in
the cache or anywhere else, and the hash cannot be reversed without the salt. Counting uses
fixed windows (at most RATE_LIMIT_SUBMISSIONS in each window of the period).

Settings:
- RATE_LIMIT_SUBMISSIONS: "<count>/<period>", period s, m, h or d, optionally with a number
  ("10/h", "30/15m"). Empty or "0" turns the limit off.
- RATE_LIMIT_SALT: the HMAC key (defaults to SECRET_KEY).

If the cache is down the limit fails open: a report about a child is never refused because
Redis is. After a cache failure the cache is skipped for a while (per process), so a hung Redis
does not add its socket timeout to every submission.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from reporting.breaker import Breaker

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


def submission_rate() -> Rate:
    return parse_rate(settings.RATE_LIMIT_SUBMISSIONS)


def client_hash(request) -> str:
    """A salted, irreversible hash of the client's address (REMOTE_ADDR)."""
    salt = settings.RATE_LIMIT_SALT or settings.SECRET_KEY
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return hmac.new(salt.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def _key(request, rate: Rate, now: float) -> str:
    window = int(now // rate.period)
    return f"ratelimit:submission:{client_hash(request)}:{window}"


def check_and_count(request, *, now: float | None = None) -> bool:
    """Count one submission from this client. True if it is within the limit (go ahead), False
    if the client has used up this window's allowance (show the "too many" page)."""
    rate = submission_rate()
    if not rate.enabled:
        return True
    if cache_breaker.is_open:
        return True
    now = time.time() if now is None else now
    key = _key(request, rate, now)
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
        return True
    if count is None:  # django-redis with IGNORE_EXCEPTIONS: Redis is down
        cache_breaker.failed()
        logger.warning("rate limit: cache unavailable; allowing the submission")
        return True
    return count <= rate.count


def retry_after(*, now: float | None = None) -> int:
    """Seconds until the current window ends (for a Retry-After header or the friendly page)."""
    rate = submission_rate()
    if not rate.enabled:
        return 0
    now = time.time() if now is None else now
    return int(rate.period - now % rate.period)
