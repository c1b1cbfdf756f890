"""Refuse URLs that would make the bot fetch from its own machine or private network.

Names are resolved and checked where the connection is made (`bot/feeds/network.py`), so
the address checked is the address connected to; here are the address rules and the checks
that need no lookup.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import httpx

ALLOWED_SCHEMES = ("http", "https")

# IPv6 ranges that carry an IPv4 address a gateway or the host may route to, so a "global"
# IPv6 address can still reach 127.0.0.1 or 10.0.0.0/8 behind a translator.
EMBEDDING_IPV4: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (ipaddress.IPv6Network("64:ff9b::/96"), "a NAT64 address"),
    (ipaddress.IPv6Network("64:ff9b:1::/48"), "a local NAT64 address"),
    (ipaddress.IPv6Network("2002::/16"), "a 6to4 address"),
    (ipaddress.IPv6Network("2001::/32"), "a Teredo address"),
    (ipaddress.IPv6Network("::/96"), "an IPv4-compatible address"),
)


# Special-purpose ranges Python before 3.11.10 calls global (its table was brought up to the
# IANA registries in 3.11.10; CI runs 3.11.7, so requires-python cannot simply be raised).
# None of them serves web pages, and some reach a gateway or relay near the host.
NOT_PUBLIC: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = (
    (ipaddress.IPv4Network("192.0.0.0/24"), "an IETF protocol assignment"),  # .8 .9 .10: anycast
    (ipaddress.IPv4Network("192.31.196.0/24"), "an AS112 DNS sink"),
    (ipaddress.IPv4Network("192.52.193.0/24"), "an AMT relay"),
    (ipaddress.IPv4Network("192.88.99.0/24"), "a 6to4 relay (deprecated)"),
    (ipaddress.IPv4Network("192.175.48.0/24"), "an AS112 DNS sink"),
    (ipaddress.IPv6Network("2620:4f:8000::/48"), "an AS112 DNS sink"),
)


class UnsafeURL(Exception):
    """The URL is not one the bot will fetch; the message says why in one line."""


def address_problem(address: str) -> str | None:
    """Return why an IP address may not be fetched from, or None when it is public."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return f"{ip} is a loopback address"
    if ip.is_link_local:
        return f"{ip} is a link-local address"
    if ip.is_unspecified:
        return f"{ip} is a private or reserved address"
    for special, name in NOT_PUBLIC:
        if ip in special:
            return f"{ip} is {name}, not a public web address"
    if isinstance(ip, ipaddress.IPv6Address):
        for network, what in EMBEDDING_IPV4:
            if ip in network:
                return f"{ip} is {what}, which can reach private IPv4"
    site_local = isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local
    if not ip.is_global or ip.is_private or ip.is_multicast or ip.is_reserved or site_local:
        return f"{ip} is a private or reserved address"
    return None


def check_syntax(url: str) -> str:
    """Return the host of an http(s) URL, or raise UnsafeURL."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        _ = parts.port
        # The client decodes an IDNA name ("xn--") for each request; one it cannot decode raised
        # there, past every error a fetch expects (IDNAError is a ValueError).
        _ = httpx.URL(url.strip()).host
    except (ValueError, httpx.InvalidURL) as exc:
        raise UnsafeURL(f"not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeURL("only http:// and https:// URLs can be feeds")
    if not host:
        raise UnsafeURL("the URL has no host name")
    if parts.username or parts.password:
        raise UnsafeURL("URLs with a user name or password are not accepted")
    return host


async def check_url(url: str, *, allow_private: bool) -> None:
    """Raise UnsafeURL unless url is http(s) and, when its host is an IP address, a public one.

    Host names are checked when connecting (bot/feeds/network.py): one lookup, no rebinding.
    """
    host = check_syntax(url)
    if allow_private:
        return
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return  # a name (or an odd IPv4 spelling): the connection's lookup checks it
    problem = address_problem(host)
    if problem is not None:
        raise UnsafeURL(f"refused: {problem}")
