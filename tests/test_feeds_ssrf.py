"""SSRF: feed fetches never reach private addresses, however the name or the address is spelled.

One lookup per connection, every address checked, the connection made to a checked address:
a name that answers "public" and then "127.0.0.1" gets no request through (DNS rebinding).
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import httpcore
import httpx
import pytest

from bot.feeds.fetcher import Fetcher, FetchError, FetchSettings, make_client
from bot.feeds.network import CheckedBackend, CheckedTransport, resolve_checked
from bot.feeds.safety import UnsafeURL, address_problem
from tests.feedserver import FeedServer

UA = "newsbrief-test/1.0"
SETTINGS = FetchSettings(timeout=2, connect_timeout=0.5, max_redirects=5)
PUBLIC = "93.184.216.34"  # global unicast; nothing in the sandbox answers on it


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("64:ff9b::7f00:1", "NAT64"),  # 127.0.0.1 through a NAT64 gateway
        ("64:ff9b::a00:1", "NAT64"),
        ("64:ff9b:1::a00:1", "NAT64"),
        ("2002:7f00:1::1", "6to4"),
        ("2002:c0a8:101::", "6to4"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
        ("::7f00:1", "IPv4-compatible"),
        ("::a00:5", "IPv4-compatible"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:7f00:1", "loopback"),
        ("::ffff:10.1.2.3", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::1", "loopback"),
        ("::", "private or reserved"),
        ("0.0.0.0", "private or reserved"),
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("100.64.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("fc00::1", "private"),
        ("fec0::1", "private or reserved"),  # deprecated site-local
        ("ff02::1", "private or reserved"),  # multicast
        ("224.0.0.251", "private or reserved"),
        ("240.0.0.1", "private or reserved"),  # reserved
        ("255.255.255.255", "private or reserved"),
        ("2001:db8::1", "private or reserved"),  # documentation
        ("198.18.0.1", "private or reserved"),  # benchmarking
        ("not-an-address", "not an IP address"),
        # Python < 3.11.10 calls these global; our own table refuses them (safety.NOT_PUBLIC).
        ("192.0.0.8", "IETF protocol assignment"),
        ("192.0.0.9", "IETF protocol assignment"),
        ("192.0.0.10", "IETF protocol assignment"),
        ("192.31.196.1", "AS112"),
        ("192.52.193.1", "AMT relay"),
        ("192.88.99.1", "6to4 relay"),
        ("192.175.48.1", "AS112"),
        ("2620:4f:8000::1", "AS112"),
        ("::ffff:192.88.99.1", "6to4 relay"),  # IPv4-mapped
    ],
)
def test_blocked_addresses(address: str, why: str) -> None:
    problem = address_problem(address)
    assert problem is not None and why in problem


@pytest.mark.parametrize("address", [PUBLIC, "1.1.1.1", "2606:4700::1111", "2a00:1450::1"])
def test_public_addresses_pass(address: str) -> None:
    assert address_problem(address) is None


@pytest.mark.parametrize(
    "host",
    [
        "2130706433",  # decimal 127.0.0.1
        "0x7f000001",  # hex
        "017700000001",  # octal
        "0177.0.0.1",  # dotted octal
        "0x7f.0.0.1",  # dotted hex
        "127.1",  # short form
        "0",  # 0.0.0.0
        "localhost",
        "::ffff:127.0.0.1",
        "[::1]",
    ],
)
async def test_odd_spellings_of_local_addresses_are_refused_at_lookup(host: str) -> None:
    with pytest.raises(UnsafeURL, match="refused: "):
        await resolve_checked(host, 80)


class Flipping:
    """A resolver that answers public first and loopback after: DNS rebinding."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls += 1
        return [PUBLIC] if self.calls == 1 else ["127.0.0.1"]


class ToLoopback(httpcore.AsyncNetworkBackend):
    """A fake network: every address the checker let through is served by the loopback server."""

    def __init__(self) -> None:
        self.addresses: list[str] = []
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.addresses.append(host)
        return await self._real.connect_tcp("127.0.0.1", port, timeout)

    async def sleep(self, seconds: float) -> None:
        await self._real.sleep(seconds)


async def test_a_rebinding_name_gets_no_request_to_loopback(
    server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The system resolver answers public, then 127.0.0.1: one lookup, zero local requests."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def flipping(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("rebind.test", b"rebind.test"):
            return real(host, port, *args, **kwargs)
        lookups.append("rebind.test")
        address = PUBLIC if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]

    monkeypatch.setattr(socket, "getaddrinfo", flipping)  # every resolver in the process
    port = server.base_url.rsplit(":", 1)[1]
    client = make_client(SETTINGS, UA)
    fetcher = Fetcher(client, settings=SETTINGS, allow_private=False)
    try:
        with pytest.raises(FetchError):
            await fetcher.fetch(f"http://rebind.test:{port}/gen/1.xml")
    finally:
        await client.aclose()
    assert sum(server.requests.values()) == 0
    assert lookups == ["rebind.test"]  # resolved once, and that answer was used


async def test_the_checked_address_is_the_one_connected_to() -> None:
    resolver = Flipping()
    network = ToLoopback()
    backend = CheckedBackend(allow_private=False, resolve=resolver, inner=network)
    with pytest.raises(httpcore.ConnectError):  # nothing listens on port 9 of the fake network
        await backend.connect_tcp("rebind.test", 9, timeout=1)
    assert (resolver.calls, network.addresses) == (1, [PUBLIC])


def _client_over(network: ToLoopback, answers: dict[str, str]) -> httpx.AsyncClient:
    """Return a feed client whose names resolve by `answers` and connect over `network`."""

    async def resolve(host: str, port: int) -> list[str]:
        return [answers[host]]

    backend = CheckedBackend(allow_private=False, resolve=resolve, inner=network)
    transport = CheckedTransport(backend, httpx.Limits(max_connections=4))
    return httpx.AsyncClient(transport=transport, follow_redirects=False, trust_env=False)


async def test_a_redirect_chain_whose_third_hop_is_private_is_refused(server: FeedServer) -> None:
    port = server.base_url.rsplit(":", 1)[1]
    third = f"http://three.test:{port}/gen/1.xml"
    second = f"http://two.test:{port}/redirect?to={quote(third, safe='')}"
    first = f"http://one.test:{port}/redirect?to={quote(second, safe='')}"
    network = ToLoopback()
    answers = {"one.test": PUBLIC, "two.test": "1.1.1.1", "three.test": "10.0.0.7"}
    client = _client_over(network, answers)
    fetcher = Fetcher(client, settings=SETTINGS, allow_private=False)
    try:
        with pytest.raises(FetchError, match=r"refused: three\.test resolves to 10\.0\.0\.7"):
            await fetcher.fetch(first)
    finally:
        await client.aclose()
    assert server.count("/redirect") == 2 and server.count("/gen/1.xml") == 0
    assert network.addresses == [PUBLIC, "1.1.1.1"]  # never 10.0.0.7


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "2130706433", "0x7f000001", "127.1", "localhost", "[::ffff:127.0.0.1]"],
)
async def test_local_spellings_in_feed_urls_never_reach_the_server(
    server: FeedServer, host: str
) -> None:
    port = server.base_url.rsplit(":", 1)[1]
    client = make_client(SETTINGS, UA)
    fetcher = Fetcher(client, settings=SETTINGS, allow_private=False)
    try:
        with pytest.raises(FetchError, match="refused: "):
            await fetcher.fetch(f"http://{host}:{port}/gen/1.xml")
    finally:
        await client.aclose()
    assert sum(server.requests.values()) == 0


async def test_the_environments_proxy_is_ignored(
    server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY pointing at the loopback server would carry fetches there: it is not used."""
    monkeypatch.setenv("HTTP_PROXY", server.base_url)
    monkeypatch.setenv("HTTPS_PROXY", server.base_url)
    monkeypatch.setenv("ALL_PROXY", server.base_url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    client = make_client(SETTINGS, UA, allow_private=True)
    fetcher = Fetcher(client, settings=SETTINGS, allow_private=True)
    try:
        with pytest.raises(FetchError):  # straight to a name nothing serves
            await fetcher.fetch("http://feeds.invalid/rss.xml")
    finally:
        await client.aclose()
    assert sum(server.requests.values()) == 0


async def test_an_explicit_feed_proxy_is_used(server: FeedServer) -> None:
    """NEWSBRIEF_FEED_PROXY routes fetches (the loopback server plays the proxy)."""
    server.put("/gen-proxied.xml", b"<rss version='2.0'><channel><title>p</title></channel></rss>")
    client = make_client(SETTINGS, UA, allow_private=True, proxy=server.base_url)
    fetcher = Fetcher(client, settings=SETTINGS, allow_private=True, proxied=True)
    try:
        with pytest.raises(FetchError):  # the "proxy" answers 404 for the absolute URL
            await fetcher.fetch("http://feeds.invalid/rss.xml")
    finally:
        await client.aclose()
    assert sum(server.requests.values()) == 1


@pytest.mark.parametrize(
    ("url", "port"),
    [
        ("http://feeds.example/rss", 80),
        ("https://feeds.example/rss", 443),
        ("http://a.example:8080/", 8080),
    ],
)
async def test_through_a_proxy_the_name_is_checked_on_the_urls_own_port(
    server: FeedServer, url: str, port: int
) -> None:
    """The name's check before a proxied fetch looks the name up for the URL's port."""
    asked: list[tuple[str, int]] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["10.0.0.7"]

    client = make_client(SETTINGS, UA, proxy=server.base_url)
    fetcher = Fetcher(client, settings=SETTINGS, allow_private=False, proxied=True, resolve=resolve)
    try:
        with pytest.raises(FetchError, match=r"resolves to 10\.0\.0\.7 is a private"):
            await fetcher.fetch(url)
    finally:
        await client.aclose()
    assert asked == [(httpx.URL(url).host, port)]
    assert sum(server.requests.values()) == 0  # refused before the proxy saw anything


async def test_through_a_proxy_a_name_that_does_not_resolve_is_a_fetch_error(
    server: FeedServer,
) -> None:
    """An unknown host behind NEWSBRIEF_FEED_PROXY reads like one without: cannot connect."""

    async def resolve(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    client = make_client(SETTINGS, UA, proxy=server.base_url)
    fetcher = Fetcher(client, settings=SETTINGS, allow_private=False, proxied=True, resolve=resolve)
    try:
        with pytest.raises(FetchError, match=r"^cannot connect \(cannot resolve feeds\.example"):
            await fetcher.fetch("https://feeds.example/rss")
    finally:
        await client.aclose()
    assert sum(server.requests.values()) == 0
