"""config.client.client_ip: X-Forwarded-For is believed only from a trusted proxy, and then
only its rightmost hop that is not itself a trusted proxy."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from config.client import client_ip, parse_address, parse_networks

NGINX = "172.18.0.5"
CLIENT = "203.0.113.7"


def request(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_with_no_trusted_proxy_the_header_is_never_read(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request(CLIENT, "198.51.100.1")) == CLIENT
    assert client_ip(request(NGINX, CLIENT)) == NGINX


def test_a_client_that_is_not_a_trusted_proxy_cannot_choose_its_address(settings):
    settings.TRUSTED_PROXIES = [NGINX]
    assert client_ip(request(CLIENT, "198.51.100.1, 10.0.0.1")) == CLIENT


def test_from_the_trusted_proxy_the_address_it_saw(settings):
    settings.TRUSTED_PROXIES = [NGINX]
    assert client_ip(request(NGINX, CLIENT)) == CLIENT


def test_a_forged_header_passed_on_by_the_proxy_changes_nothing(settings):
    """nginx appends the address it saw to whatever the client sent: the rightmost wins."""
    settings.TRUSTED_PROXIES = [NGINX]
    assert client_ip(request(NGINX, f"1.2.3.4, 5.6.7.8, {CLIENT}")) == CLIENT
    assert client_ip(request(NGINX, f"{NGINX}, {CLIENT}")) == CLIENT


def test_a_chain_of_trusted_proxies_and_cidr_ranges(settings):
    settings.TRUSTED_PROXIES = ["172.16.0.0/12", "10.1.2.3"]
    assert client_ip(request(NGINX, f"9.9.9.9, {CLIENT}, 10.1.2.3")) == CLIENT
    assert client_ip(request(NGINX, "10.1.2.3")) == "10.1.2.3"  # only proxies: the leftmost


def test_ipv6_and_ports(settings):
    settings.TRUSTED_PROXIES = ["2001:db8::/32", "127.0.0.1"]
    assert client_ip(request("2001:db8::5", "2001:db9::1")) == "2001:db9::1"
    assert client_ip(request("127.0.0.1", "203.0.113.7:5555")) == CLIENT
    assert client_ip(request("127.0.0.1", "[2001:db9::2]:443")) == "2001:db9::2"
    assert client_ip(request("::ffff:127.0.0.1", CLIENT)) == CLIENT


def test_garbage_in_the_header_stops_the_walk(settings):
    settings.TRUSTED_PROXIES = [NGINX]
    assert client_ip(request(NGINX, "not-an-ip")) == NGINX
    assert client_ip(request(NGINX, f"{CLIENT}, \x00junk")) == NGINX
    assert client_ip(request(NGINX, "")) == NGINX


def test_bad_remote_addr_is_unknown(settings):
    settings.TRUSTED_PROXIES = [NGINX]
    assert client_ip(request("")) == ""
    assert parse_address("nonsense") is None


def test_a_bad_trusted_proxies_entry_is_a_configuration_error():
    assert [str(n) for n in parse_networks("10.0.0.0/8, 127.0.0.1")] == [
        "10.0.0.0/8",
        "127.0.0.1/32",
    ]
    with pytest.raises(ImproperlyConfigured):
        parse_networks("10.0.0.0/8,nginx")
