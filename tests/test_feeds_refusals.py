"""FeedService against a loopback server: servers that misbehave, bad documents and addresses
are refused with a reason, and do not hold up the other feeds."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.feeds import FeedError, FeedService
from bot.feeds.fetcher import Fetcher, FetchError, make_client
from bot.logs import setup_logging
from tests.conftest import FakeClock
from tests.feeddocs import generate_feed
from tests.feedkit import SETTINGS, UA, feed_service
from tests.feedserver import FeedServer


@pytest.fixture
async def feeds(
    store: ArticleStore, users: EmbeddedUserTables, clock: FakeClock
) -> AsyncIterator[FeedService]:
    async with feed_service(store, users, clock, SETTINGS) as service:
        yield service


@pytest.fixture
async def patient_feeds(
    store: ArticleStore, users: EmbeddedUserTables, clock: FakeClock
) -> AsyncIterator[FeedService]:
    """Feeds with a long timeout: reading and inflating 5 MB took over 0.5 s on a loaded machine."""
    async with feed_service(store, users, clock, replace(SETTINGS, timeout=10.0)) as service:
        yield service


@pytest.mark.parametrize("path", ["/never", "/trickle"])
async def test_servers_that_never_finish_time_out(
    feeds: FeedService, server: FeedServer, store: ArticleStore, path: str
) -> None:
    with pytest.raises(FeedError, match="timed out"):
        await feeds.add_feed(server.url(path))
    assert feeds.list_feeds() == [] and len(store) == 0


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/html", "not an RSS, Atom or JSON feed"),
        ("/garbage.bin", "not an RSS, Atom or JSON feed"),
        ("/huge", "larger than 5 MB"),
        ("/huge?nolength=1", "larger than 5 MB"),
        ("/gzipbomb", "larger than 5 MB"),
        ("/broken", "broken HTTP response"),
        ("/loop/a", "redirect loop"),
        ("/status/500", "HTTP 500"),
        ("/missing.xml", "HTTP 404"),
    ],
)
async def test_bad_sources_are_refused_with_a_clear_reason(
    patient_feeds: FeedService, server: FeedServer, store: ArticleStore, path: str, reason: str
) -> None:
    server.put("/garbage.bin", bytes(range(256)) * 20, "application/octet-stream")
    with pytest.raises(FeedError, match=reason):
        await patient_feeds.add_feed(server.url(path))
    assert patient_feeds.list_feeds() == [] and len(store) == 0


async def test_malformed_xml_keeps_what_can_be_read_and_says_so(
    feeds: FeedService, server: FeedServer
) -> None:
    broken = generate_feed(8, 3).replace(b"</channel></rss>", b"<item><title>cut")
    server.put("/malformed.xml", broken)
    status = await feeds.add_feed(server.url("/malformed.xml"))
    assert status.items >= 3
    assert "warning" in status.last_status


async def test_one_bad_feed_does_not_affect_the_others(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    bad = ["/never", "/huge", "/loop/a", "/html", "/status/503", "/broken"]
    feeds.seed_feeds([server.url(p) for p in bad])
    good = await feeds.add_feed(server.url("/gen/2.xml?items=4"))
    server.put("/late.xml", generate_feed(9, 2))
    feeds.seed_feeds([server.url("/late.xml")])
    results = {r.url: r for r in await feeds.poll_all()}
    assert results[server.url("/late.xml")].outcome == "new"
    assert results[good.url].outcome == "not modified"
    assert len(store) == 6
    statuses = {s.url: s for s in feeds.list_feeds()}
    for path in bad:
        status = statuses[server.url(path)]
        assert status.last_error and status.last_status.startswith("error: ")
        assert status.failures == 1 and status.active


async def test_private_and_loopback_addresses_are_refused_unless_allowed(
    store: ArticleStore, users: EmbeddedUserTables, server: FeedServer
) -> None:
    strict = FeedService(store, users, fetch_settings=SETTINGS)
    await strict.initialize()
    try:
        for url in (
            server.url("/gen/1.xml"),
            server.url("/gen/1.xml").replace("127.0.0.1", "localhost"),
        ):
            with pytest.raises(FeedError, match="loopback address"):
                await strict.add_feed(url)
        with pytest.raises(FeedError, match="private or reserved"):
            await strict.add_feed("http://10.1.2.3/feed.xml")
    finally:
        await strict.shutdown()
    assert sum(server.requests.values()) == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only http"),
        ("ftp://example.org/feed", "only http"),
        ("http://user:secret@example.org/feed", "user name or password"),
        ("http:///nohost", "no host"),
        ("http://example.org:99999/", "not a valid URL"),
        ("not a url", "only http"),
        ("http://xn--/feed", "not a valid URL"),  # an A-label with nothing to decode
        ("https://xn--zz.example/rss", "not a valid URL"),
    ],
)
async def test_unusable_urls_are_refused_before_any_request(
    feeds: FeedService, url: str, reason: str
) -> None:
    with pytest.raises(FeedError, match=reason):
        await feeds.add_feed(url)


async def test_the_address_actually_connected_to_is_checked_too(
    server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that resolves public for the check and private for the connection is refused."""

    async def fooled(url: str, *, allow_private: bool) -> None:  # DNS said "public"
        return None

    monkeypatch.setattr("bot.feeds.fetcher.check_url", fooled)
    client = make_client(SETTINGS, UA)
    fetcher = Fetcher(client, settings=SETTINGS, allow_private=False)
    try:
        with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.1 is a loopback"):
            await fetcher.fetch(server.url("/gen/1.xml"))
    finally:
        await client.aclose()


async def test_a_web_page_that_links_its_feed_is_refused_with_the_feeds_address(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    # /addfeed of a site's home page said only "not an RSS or Atom feed (text/html … is not
    # an XML media type)", though the page names its feed in a <link rel="alternate">.
    page = (
        b'<!DOCTYPE html><html><head><title>Site</title><link rel="stylesheet" href="/s.css">'
        b'<link rel="alternate" type="application/rss+xml" title="All" href="../feeds/all.xml">'
        b"</head><body><p>Front page</p></body></html>"
    )
    server.put("/site/index.html", page, "text/html; charset=utf-8")
    with pytest.raises(FeedError) as refused:
        await feeds.add_feed(server.url("/site/index.html"))
    expected = (
        f"not an RSS, Atom or JSON feed; the page links to its feed: {server.url('/feeds/all.xml')}"
    )
    assert str(refused.value) == expected
    assert feeds.list_feeds() == [] and len(store) == 0


async def test_a_configured_feed_with_a_password_is_refused_without_logging_it(
    feeds: FeedService, caplog: pytest.LogCaptureFixture
) -> None:
    # NEWSBRIEF_FEEDS=http://reader:hunter2@… was refused, and the warning quoted the URL whole.
    caplog.set_level(logging.INFO)
    assert feeds.seed_feeds(["http://reader:hunter2@news.example/feed"]) == []
    assert "configured feed http://***@news.example/feed ignored" in caplog.text
    assert "hunter2" not in caplog.text and "reader" not in caplog.text


async def test_a_redirect_to_an_undecodable_host_fails_the_feed_with_a_reason(
    feeds: FeedService, server: FeedServer
) -> None:
    # httpx's IDNA error is no httpx.HTTPError: it escaped the fetcher and /addfeed apologised.
    with pytest.raises(FeedError, match="redirected to an invalid URL"):
        await feeds.add_feed(server.url("/redirect?to=http://xn--/feed"))


async def test_a_feed_with_a_key_in_its_query_is_logged_with_the_key_masked(
    feeds: FeedService, server: FeedServer, capfd: pytest.CaptureFixture[str]
) -> None:
    # "feed … (http://…/rss?token=abc123) failed: HTTP 500" wrote the feed's key to the log.
    setup_logging("INFO")
    url = server.url("/status/500?token=abc123&lang=en&api_key=k-9f8e")
    with pytest.raises(FeedError, match="HTTP 500"):
        await feeds.add_feed(url)
    assert feeds.seed_feeds(["ftp://news.example/rss?apikey=zz-77"]) == []
    err = capfd.readouterr().err
    assert "/status/500?token=***&lang=en&api_key=***) failed: HTTP 500" in err
    assert "configured feed ftp://news.example/rss?apikey=*** ignored" in err
    assert "abc123" not in err and "k-9f8e" not in err and "zz-77" not in err
