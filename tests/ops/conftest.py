"""Fixtures of the ops tests."""

from tests.ops.live import own_postgres  # noqa: F401
