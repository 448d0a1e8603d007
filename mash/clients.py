"""Telling staff clients apart without storing their addresses: the one place that reads a
client's address (`client_address`), a keyed pseudonym of it for the audit trail, and the key
django-axes locks a username per client by. Imported by `mash.access` and `mash.audit` alike
(neither imports the other for it)."""

import hashlib
import hmac
import ipaddress

from django.conf import settings

from config.client import client_ip


def client_address(request) -> str:
    """The client's address as `config.client.client_ip` reads it (a forwarding header only
    from a `TRUSTED_PROXIES` address): axes' lockout and the audit trail's hash both use it."""
    return client_ip(request) if request is not None else ""


def client_pseudonym(request) -> str:
    """A keyed hash of the client address (hex): tells clients apart, never stores them."""
    address = client_address(request)
    if not address:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def axes_client_key(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: axes locks a username per client. It stores the "IP address" in
    a GenericIPAddressField, so it gets the client's pseudonym shaped as an IPv6 address (the
    first 128 bits of the keyed hash), never the real address."""
    pseudonym = client_pseudonym(request)
    if not pseudonym:
        return None
    return str(ipaddress.IPv6Address(int(pseudonym[:32], 16)))
