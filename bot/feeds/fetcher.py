"""Polite HTTP fetching: bounded size, time and redirects, conditional GET, few per host."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from bot.backoff import retry_after
from bot.feeds.network import (
    CheckedBackend,
    CheckedTransport,
    Resolver,
    describe_error,
    resolve_checked,
    system_resolve,
)
from bot.feeds.safety import UnsafeURL, check_url
from bot.logs import proxy_credentials, register_secrets

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchSettings:
    """Limits of one request; the defaults suit news feeds on the public internet."""

    timeout: float = 30.0  # whole request, first byte to last: a trickling server is cut off too
    connect_timeout: float = 10.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    per_host: int = 3
    total: int = 16


@dataclass(frozen=True)
class FetchResult:
    """A response that was read (200) or confirmed unchanged (304)."""

    url: str
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None

    @property
    def not_modified(self) -> bool:
        """Return True when the server said the document has not changed since last time."""
        return self.status == 304


@dataclass
class FetchStats:
    """Counters of what the fetcher sent and got, for status pages and benchmarks."""

    requests: int = 0
    conditional: int = 0
    not_modified: int = 0
    errors: int = 0
    bytes_read: int = 0
    by_status: dict[int, int] = field(default_factory=dict)


class FetchError(Exception):
    """A fetch failed; the message is one line a person can act on."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds the server asked us to wait (429, 503)


def host_key(url: str) -> str:
    """Return the host name that per-host limits count by."""
    return (urlsplit(url).hostname or "").lower()


@dataclass
class _Host:
    semaphore: asyncio.Semaphore
    users: int = 0  # holders and waiters


class HostSlots:
    """At most `per_host` holders per host; a host's semaphore lives only while it is used.

    A map of every host ever fetched would grow with each feed added and each redirect
    followed; dropping a semaphore while a task waits on it would let a newcomer past the
    limit. So each host keeps a count of holders and waiters, and goes when it reaches 0.
    """

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self._hosts: dict[str, _Host] = {}

    def __len__(self) -> int:
        return len(self._hosts)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of host's slots for the block, waiting for one if all are taken."""
        entry = self._hosts.get(host)
        if entry is None:
            entry = self._hosts[host] = _Host(asyncio.Semaphore(self.per_host))
        entry.users += 1
        try:
            async with entry.semaphore:
                yield
        finally:
            entry.users -= 1
            if not entry.users:
                del self._hosts[host]


class Fetcher:
    """Fetch URLs through one httpx.AsyncClient, at most `per_host` at a time per host."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        settings: FetchSettings,
        allow_private: bool,
        proxied: bool = False,
        resolve: Resolver = system_resolve,
    ) -> None:
        self.client = client
        self.settings = settings
        self.allow_private = allow_private
        self.proxied = proxied  # the client sends through NEWSBRIEF_FEED_PROXY
        self._resolve = resolve
        self.stats = FetchStats()
        self.hosts = HostSlots(settings.per_host)
        self._total = asyncio.Semaphore(settings.total)

    @asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        async with self._total, self.hosts.slot(host_key(url)):
            yield

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """Fetch url following bounded redirects; raise FetchError with a one-line reason."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = {url}
        current = url
        for _ in range(self.settings.max_redirects + 1):
            try:
                await check_url(current, allow_private=self.allow_private)
                if self.proxied and not self.allow_private:
                    # The proxy resolves and connects, so only the name can be checked, not
                    # the peer (a trade-off the README's "Feed proxy" section explains).
                    parts = httpx.URL(current)
                    port = parts.port or (443 if parts.scheme == "https" else 80)
                    await resolve_checked(parts.host, port, self._resolve)
            except (UnsafeURL, httpx.InvalidURL) as exc:
                self.stats.errors += 1
                raise FetchError(str(exc)) from None
            except httpcore.ConnectError as exc:  # the name does not resolve: as without a proxy
                self.stats.errors += 1
                raise FetchError(describe_error(httpx.ConnectError(str(exc)))) from None
            result = await self._request(current, headers, max_bytes or self.settings.max_bytes)
            if isinstance(result, FetchResult):
                return result
            current = result
            if current in seen:
                self.stats.errors += 1
                raise FetchError(f"redirect loop ({current} was visited before)")
            seen.add(current)
        self.stats.errors += 1
        raise FetchError(f"too many redirects (more than {self.settings.max_redirects})")

    async def _request(
        self, url: str, headers: dict[str, str], max_bytes: int
    ) -> FetchResult | str:
        """Send one GET; return the result, or the next URL when redirected."""
        async with self._slot(url):
            self.stats.requests += 1
            if "If-None-Match" in headers or "If-Modified-Since" in headers:
                self.stats.conditional += 1
            try:
                async with asyncio.timeout(self.settings.timeout):
                    return await self._exchange(url, headers, max_bytes)
            except TimeoutError:
                self.stats.errors += 1
                raise FetchError(
                    f"no complete answer within {self.settings.timeout:g} s (timed out)"
                ) from None
            except httpx.HTTPError as exc:
                self.stats.errors += 1
                raise FetchError(describe_error(exc)) from None
            except UnsafeURL as exc:  # refused by the connection's own lookup (network.py)
                self.stats.errors += 1
                raise FetchError(str(exc)) from None
            except UnicodeError as exc:  # httpx decodes a redirect's IDNA host and lets this out
                self.stats.errors += 1
                raise FetchError(f"redirected to an invalid URL ({exc})") from None

    async def _exchange(
        self, url: str, headers: dict[str, str], max_bytes: int
    ) -> FetchResult | str:
        async with self.client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1
            if status in REDIRECTS and "location" in response.headers:
                return urljoin(url, response.headers["location"])
            if status == 304:
                self.stats.not_modified += 1
                return FetchResult(url=url, status=304)
            if status != 200:
                self.stats.errors += 1
                wait = retry_after(response.headers.get("retry-after"), datetime.now(UTC))
                line = f"HTTP {status} {response.reason_phrase}".strip()
                raise FetchError(line, retry_after=wait if status in (429, 503) else None)
            body = await self._read_capped(response, max_bytes)
            return FetchResult(
                url=url,
                status=status,
                body=body,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                content_type=response.headers.get("content-type"),
            )

    async def _read_capped(self, response: httpx.Response, max_bytes: int) -> bytes:
        """Read the body, stopping as soon as it passes max_bytes."""
        too_big = FetchError(f"response larger than {max_bytes // (1024 * 1024) or 1} MB cap")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            self.stats.errors += 1
            raise too_big
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                self.stats.errors += 1
                raise too_big
            chunks.append(chunk)
        self.stats.bytes_read += size
        return b"".join(chunks)


def make_client(
    settings: FetchSettings,
    user_agent: str,
    *,
    allow_private: bool = False,
    proxy: str | None = None,
    resolve: Resolver = system_resolve,
) -> httpx.AsyncClient:
    """Return the one client all feed fetches share (redirects handled by Fetcher).

    The environment's HTTP(S)_PROXY is ignored (trust_env=False): a proxy would hide the
    address really connected to. Only an explicit NEWSBRIEF_FEED_PROXY routes fetches.
    """
    limits = httpx.Limits(max_connections=settings.total, max_keepalive_connections=settings.total)
    transport: httpx.AsyncBaseTransport
    if proxy:
        register_secrets(*proxy_credentials(proxy))  # an httpx error may quote the proxy URL
        transport = httpx.AsyncHTTPTransport(proxy=proxy, limits=limits, trust_env=False)
    else:
        backend = CheckedBackend(allow_private=allow_private, resolve=resolve)
        transport = CheckedTransport(backend, limits)
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent},
        timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        follow_redirects=False,
        transport=transport,
        trust_env=False,
    )
