"""A small per-process circuit breaker for optional services (the Celery broker, the cache).

When Redis is down or hangs, every call to it costs up to its socket timeout (1-2 s), on every
public request. After one failure the breaker stays open for `cooldown` seconds, during which
callers skip the service at once (the outbox sweeper sends what was not published; the rate
limit fails open). It is only a hint kept in this process's memory: nothing depends on it for
correctness, and each process finds out for itself when the service is back.
"""

from __future__ import annotations

import threading
import time


class Breaker:
    def __init__(self, name: str, cooldown: float = 30.0, clock=time.monotonic):
        self.name = name
        self.cooldown = cooldown
        self.clock = clock
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        """True while the service is presumed down: skip it."""
        return self.clock() < self._open_until

    def failed(self) -> None:
        with self._lock:
            self._open_until = self.clock() + self.cooldown

    def succeeded(self) -> None:
        with self._lock:
            self._open_until = 0.0

    def reset(self) -> None:
        self.succeeded()
