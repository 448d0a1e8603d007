"""Fixtures shared by the MASH tests."""

import pytest

from tests.mash.factories import StaffMemberFactory, log_in_verified


@pytest.fixture
def screener(bromley):
    """A staff member (screener) of Bromley."""
    return StaffMemberFactory(boroughs=[bromley]).user


@pytest.fixture
def client_in(client, screener):
    """The test client, signed in (password and TOTP) as `screener`."""
    log_in_verified(client, screener)
    return client
