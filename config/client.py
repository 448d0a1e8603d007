"""The client's address, the one place it is read.

Behind a proxy (nginx in compose, a load balancer) every request comes from the proxy's
address. The proxy adds the address it saw to `X-Forwarded-For`, but anyone can send that
header, so it is read only when the request comes from a trusted proxy (`TRUSTED_PROXIES`:
comma-separated addresses or CIDR ranges), and then from the right: each trusted proxy adds the
address it was connected from, so the rightmost address that is not itself a trusted proxy is
the client. Whatever a client writes further left is never used. With no trusted proxies (the
default), the header is ignored and the client is REMOTE_ADDR.

Nothing here stores an address: callers hash it (reporting.ratelimit) or keep it in memory.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(values) -> tuple[Network, ...]:
    """TRUSTED_PROXIES (a list, or one comma-separated string) as networks; a bad entry is a
    configuration error, never silently ignored."""
    if isinstance(values, str):
        values = values.split(",")
    networks = []
    for value in values or ():
        value = value.strip()
        if not value:
            continue
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {value!r} is not an IP address or CIDR range"
            ) from exc
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def trusted_networks() -> tuple[Network, ...]:
    values = getattr(settings, "TRUSTED_PROXIES", ()) or ()
    if isinstance(values, str):
        values = values.split(",")
    return _networks(tuple(values))


def parse_address(value: str) -> Address | None:
    """An address from a header or REMOTE_ADDR: "203.0.113.7", "2001:db8::1", "[2001:db8::1]",
    with or without a port after an IPv4 address or bracketed IPv6 one; None if it is not one."""
    value = (value or "").strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4 with a port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted(address: Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str:
    """The client's address as a string ("" if unknown): REMOTE_ADDR, unless that is a trusted
    proxy, in which case the rightmost X-Forwarded-For hop that is not a trusted proxy."""
    remote = parse_address(request.META.get("REMOTE_ADDR", ""))
    networks = trusted_networks()
    if not is_trusted(remote, networks):
        return str(remote) if remote is not None else ""
    client = remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part for part in header.split(",") if part.strip()]):
        address = parse_address(hop)
        if address is None:
            break  # not an address: nothing further left can be believed either
        client = address
        if not is_trusted(address, networks):
            break
    return str(client)
