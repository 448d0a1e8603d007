"""Email addresses on the public forms: an IP address literal or a bare host name would point
the council's own emails at a machine the sender chooses, so they are refused."""

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from reporting.forms import validate_public_email
from tests.reporting.test_views import CHILD_ONE, CHILDREN_DONE, CONCERN, START, walk

REFUSED = [
    "pat@[127.0.0.1]",
    "pat@[192.0.2.10]",
    "pat@[IPv6:2001:db8::1]",
    "pat@localhost",
    "pat@127.0.0.1",
]


@pytest.mark.parametrize("address", REFUSED)
def test_ip_literals_and_bare_hosts_are_refused(address):
    with pytest.raises(ValidationError):
        validate_public_email(address)


def test_django_alone_accepted_the_literals():
    """The reproduction: Django's own validator takes them."""
    for address in ("pat@[127.0.0.1]", "pat@localhost"):
        validate_email(address)


@pytest.mark.parametrize("address", ["pat@example.com", "o'neil@school.sch.uk", "a.b+c@nhs.net"])
def test_ordinary_addresses_pass(address):
    validate_public_email(address)


@pytest.mark.django_db
def test_the_journey_says_so_in_the_govuk_way(bromley, client):
    walk(
        client,
        [
            *START,
            ("who/", {"who": "public"}),
            *CHILD_ONE,
            *CHILDREN_DONE,
            *CONCERN,
            ("about-you/", {"anonymous": "no"}),
        ],
    )
    response = client.post(
        "/bromley/report/your-details/",
        {"name": "Pat", "phone": "", "email": "pat@[127.0.0.1]", "relationship": "Neighbour"},
    )
    assert response.status_code == 200
    assert "Enter an email address in the correct format, like name@example.com" in (
        response.content.decode()
    )
