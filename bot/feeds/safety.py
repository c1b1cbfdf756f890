"""Refuse URLs that would make the bot fetch from its own machine or private network."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("http", "https")


class UnsafeURL(Exception):
    """The URL is not one the bot will fetch; the message says why in one line."""


def address_problem(address: str) -> str | None:
    """Return why an IP address may not be fetched from, or None when it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return f"{ip} is a loopback address"
    if ip.is_link_local:
        return f"{ip} is a link-local address"
    if not ip.is_global or ip.is_multicast:
        return f"{ip} is a private or reserved address"
    return None


def check_syntax(url: str) -> str:
    """Return the host of an http(s) URL, or raise UnsafeURL."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        _ = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeURL("only http:// and https:// URLs can be feeds")
    if not host:
        raise UnsafeURL("the URL has no host name")
    if parts.username or parts.password:
        raise UnsafeURL("URLs with a user name or password are not accepted")
    return host


async def check_url(url: str, *, allow_private: bool) -> None:
    """Raise UnsafeURL unless url is http(s) and every address its host resolves to is public."""
    host = check_syntax(url)
    if allow_private:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"cannot resolve {host} ({exc})") from None
    for info in infos:
        problem = address_problem(str(info[4][0]))
        if problem is not None:
            raise UnsafeURL(f"refused: {host} resolves to {problem}")
