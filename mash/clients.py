"""Telling staff clients apart without storing their addresses: the one place that reads a
client's address (`client_address`), a keyed pseudonym of it for the audit trail, and the key
django-axes locks a username per client by. Imported by `mash.access` and `mash.audit` alike
(neither imports the other for it)."""

import hashlib
import hmac
import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The client's address. REMOTE_ADDR for now; when the trusted-proxy reading (a forwarding
    header only from a `TRUSTED_PROXIES` address) lands, call it here: everything in mash that
    tells clients apart (axes' lockout, the audit trail's hash) reads the address through this.
    """
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


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
