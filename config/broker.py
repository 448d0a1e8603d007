"""Celery's broker transport: kombu's Redis transport, keeping one Redis client a channel.

kombu's Redis channel makes a new `redis.Redis` client object for every command it sends
outside the consumer's own (`Channel.conn_or_acquire`): every message published, so every
acknowledgement a submission queues. The connections come from the channel's pool either
way; what the new object costs is its construction (its table of response callbacks, some
170 entries): a quarter of a publish's CPU, profiled (issue 21,
docs/benchmarks/submit-path.md). Here the channel keeps the client it made while its pool
is the same one (kombu drops the pool on close and after a fork: the next command makes a
new client on the new pool). A `redis.Redis` client is safe to share: each command takes a
connection from the pool for itself.

Used when the broker is Redis (`CELERY_BROKER_TRANSPORT` in config/settings.py).
"""

from __future__ import annotations

from contextlib import contextmanager

from kombu.transport import redis


class Channel(redis.Channel):
    _kept_client = None

    @contextmanager
    def conn_or_acquire(self, client=None):
        if client:
            yield client
            return
        pool = self.pool
        kept = self._kept_client
        if kept is None or kept.connection_pool is not pool:
            kept = self._kept_client = self._create_client()
        yield kept


class Transport(redis.Transport):
    Channel = Channel
