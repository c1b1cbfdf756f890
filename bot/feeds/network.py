"""Connections for feed fetches: resolve a name once, check every address, connect to one of them.

A check that resolves the name and then lets the HTTP client resolve it again can be fooled
(DNS rebinding: public for the check, 127.0.0.1 for the connection). Here the httpcore
network backend of the feed client does the one lookup itself, refuses the connection if any
address is private, and connects to a checked address. TLS and the Host header still use the
name (httpcore passes the URL's host as server_hostname), so certificates verify as usual.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterable

import httpcore
import httpx

from bot.feeds.safety import UnsafeURL, address_problem

Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolve(host: str, port: int) -> list[str]:
    """Return the addresses the system resolver gives for host, in its order, once each."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve_checked(
    host: str, port: int, resolve: Resolver = system_resolve, *, allow_private: bool = False
) -> list[str]:
    """Resolve host once; raise UnsafeURL if any address is private, else return them all."""
    try:
        addresses = await resolve(host.strip("[]"), port)
    except (OSError, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host} ({exc})") from exc
    if not addresses:
        raise httpcore.ConnectError(f"cannot resolve {host} (no addresses)")
    if not allow_private:
        for address in addresses:
            problem = address_problem(address)
            if problem is not None:
                shown = problem if address == host.strip("[]") else f"{host} resolves to {problem}"
                raise UnsafeURL(f"refused: {shown}")
    return addresses


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore backend that connects only to addresses resolve_checked let through."""

    def __init__(
        self,
        *,
        allow_private: bool,
        resolve: Resolver = system_resolve,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.allow_private = allow_private
        self._resolve = resolve
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve, check every address, then try them in order."""
        try:
            async with asyncio.timeout(timeout):
                addresses = await resolve_checked(
                    host, port, self._resolve, allow_private=self.allow_private
                )
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # addresses is never empty
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refuse: feeds are fetched over TCP only."""
        raise httpcore.ConnectError("feeds are not fetched over Unix sockets")

    async def sleep(self, seconds: float) -> None:
        """Sleep as the inner backend does."""
        await self._inner.sleep(seconds)


class CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (request/response mapping, errors) over a CheckedBackend pool."""

    def __init__(self, backend: CheckedBackend, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        # httpx builds its pool without a way to pass a network backend; this is the same
        # pool with ours (httpx is pinned below 0.29 in pyproject.toml).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


def describe_error(exc: httpx.HTTPError) -> str:
    """Return a one-line reason for an httpx error."""
    kinds: list[tuple[type[httpx.HTTPError], str]] = [
        (httpx.ConnectTimeout, "connection timed out"),
        (httpx.ReadTimeout, "server stopped answering (read timed out)"),
        (httpx.TimeoutException, "timed out"),
        (httpx.ConnectError, "cannot connect"),
        (httpx.RemoteProtocolError, "broken HTTP response"),
        (httpx.DecodingError, "response body could not be decoded"),
    ]
    for kind, text in kinds:
        if isinstance(exc, kind):
            detail = str(exc).splitlines()[0] if str(exc) else ""
            return f"{text} ({detail})" if detail else text
    return f"HTTP error: {type(exc).__name__}"
