"""config.broker: kombu's Redis channel keeps one client for what it sends, on the real Redis."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from config.broker import Channel
from config.celery import app

pytestmark = pytest.mark.redis


def test_messages_published_through_one_kept_client_all_arrive():
    queue = f"test-broker-{uuid.uuid4().hex}"
    with app.connection_for_write(url=settings.REDIS_URL) as connection:
        channel = connection.default_channel
        assert isinstance(channel, Channel)
        producer = app.amqp.Producer(channel)
        clients = []
        try:
            for i in range(3):
                producer.publish({"n": i}, routing_key=queue, declare=[app.amqp.queues[queue]])
                with channel.conn_or_acquire() as client:
                    clients.append(client)
            with channel.conn_or_acquire() as client:
                assert client.llen(queue) == 3
        finally:
            with channel.conn_or_acquire() as client:
                client.delete(queue)
    assert clients[0] is clients[1] is clients[2]


def test_a_new_pool_gets_a_new_client():
    """kombu drops the channel's pool on close and after a fork: the kept client, bound to
    the old pool, is not used again."""
    with app.connection_for_write(url=settings.REDIS_URL) as connection:
        channel = connection.default_channel
        with channel.conn_or_acquire() as first:
            assert first.ping()
        channel._disconnect_pools()
        with channel.conn_or_acquire() as second:
            assert second.ping()
        assert second is not first
        assert second.connection_pool is channel.pool


def test_a_client_given_is_used_as_it_is():
    with app.connection_for_write(url=settings.REDIS_URL) as connection:
        channel = connection.default_channel
        own = channel._create_client()
        with channel.conn_or_acquire(own) as client:
            assert client is own
