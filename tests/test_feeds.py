"""FeedService against a loopback server: real feeds, conditional GET, dedup, bad input."""

from __future__ import annotations

import asyncio
import gzip
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.feeds import FeedError, FeedService, FetchSettings
from bot.feeds.fetcher import Fetcher, FetchError, HostSlots, make_client
from tests.conftest import FakeClock
from tests.feeddocs import BIG_ITEMS, generate_feed, gzip_bomb, rss
from tests.feedserver import FIXTURE_FEEDS, FeedServer

UA = "newsbrief-test/1.0 (+https://example.org/bot)"
SETTINGS = FetchSettings(timeout=0.5, connect_timeout=0.5, max_redirects=4, per_host=3)


@asynccontextmanager
async def feed_service(
    store: ArticleStore, users: EmbeddedUserTables, clock: FakeClock, settings: FetchSettings
) -> AsyncIterator[FeedService]:
    service = FeedService(
        store, users, allow_private=True, clock=clock, user_agent=UA, fetch_settings=settings
    )
    await service.initialize()
    try:
        yield service
    finally:
        await service.shutdown()


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


@pytest.mark.parametrize(
    ("path", "title", "items"),
    [
        ("/fixtures/latin1_no_declaration.rss.xml", "Notícias da Manhã - Últimas", 8),
        ("/fixtures/developer.atom.xml", "Entwickler-Meldungen", 6),
        ("/fixtures/russian_cp1251.rss.xml", "Новости дня", 7),
        ("/bigfeed.xml", "Big feed", BIG_ITEMS),
    ],
)
async def test_feeds_of_each_dialect_are_added_with_title_and_item_count(
    feeds: FeedService, server: FeedServer, store: ArticleStore, path: str, title: str, items: int
) -> None:
    status = await feeds.add_feed(server.url(path))
    assert (status.title, status.items, status.articles) == (title, items, items)
    assert status.last_error is None
    assert len(store) == items
    assert {a.source for a in store} == {title}


async def test_latin1_feed_without_declaration_reads_right(
    feeds: FeedService, server: FeedServer, store: ArticleStore, clock: FakeClock
) -> None:
    await feeds.add_feed(server.url("/fixtures/latin1_no_declaration.rss.xml"))
    titles = [a.title for a in store]
    assert "Líder da oposição pede votação sobre orçamento" in titles
    assert any("São Paulo" in a.body for a in store)
    assert not any("\ufffd" in t or "Ã" in t for t in titles)  # no mojibake
    # Portuguese dates ("Seg, 24 Set 2018 10:00:40 -0300") are read, in UTC, not fetch time.
    assert {a.published.date() for a in store} == {datetime(2018, 9, 24, tzinfo=UTC).date()}
    first = next(a for a in store if a.title.startswith("Líder"))
    assert first.published == datetime(2018, 9, 24, 13, 0, 40, tzinfo=UTC)
    assert all(a.published.tzinfo is not None and a.published < clock() for a in store)


async def test_cp1251_russian_feed_reads_right(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    await feeds.add_feed(server.url("/fixtures/russian_cp1251.rss.xml"))
    titles = {a.title for a in store}
    assert "Учёные описали новый вид ящерицы" in titles
    assert "Ёлочный базар откроется в декабре" in titles
    assert not any("\ufffd" in t or "Ð" in t for t in titles)
    assert {a.lang for a in store} == {"ru"}
    assert min(a.published for a in store) == datetime(2023, 11, 20, 7, 15, tzinfo=UTC)


async def test_atom_feed_keeps_links_and_offsets(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    await feeds.add_feed(server.url("/fixtures/developer.atom.xml"))
    article = next(a for a in store if a.title.startswith("Python 3.13"))
    assert article.url == "https://entwickler.example.de/meldung/1000.html"
    assert article.published == datetime(2024, 3, 1, 7, 30, tzinfo=UTC)
    assert "Just-in-time-Compiler" in article.body and "<p>" not in article.body


async def test_html_in_titles_and_summaries_becomes_clean_text(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    await feeds.add_feed(server.url("/gen/1.xml?items=2"))
    article = store.latest(1)[0]
    assert article.title == "Feed 1 story 1: news"
    assert "<" not in article.body and article.body.startswith("Story 1 of feed 1")


async def test_second_poll_is_conditional_and_adds_nothing(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    status = await feeds.add_feed(server.url("/gen/7.xml"))
    result = await feeds.poll_feed(status.id)
    assert result.outcome == "not modified" and result.added == []
    assert server.statuses[304] == 1
    assert feeds.fetcher.stats.conditional == 1
    assert len(store) == 20
    assert feeds.list_feeds()[0].last_status == "not modified"


async def test_republished_items_are_not_added_again(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    server.put("/moving.xml", generate_feed(3, 5, version=0))
    status = await feeds.add_feed(server.url("/moving.xml"))
    server.put("/moving.xml", generate_feed(3, 5, version=2))  # two new, three old
    result = await feeds.poll_feed(status.id)
    assert [a.title for a in result.added] == ["Feed 3 story 6: news", "Feed 3 story 5: news"]
    assert result.duplicates == 3
    server.put("/moving.xml", generate_feed(3, 7, version=0))  # re-publishes old items only
    again = await feeds.poll_feed(status.id)
    assert (again.outcome, again.added, again.duplicates) == ("unchanged", [], 7)
    assert len(store) == 7


async def test_same_item_in_two_feeds_is_stored_once(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    server.put("/a.xml", generate_feed(4, 3))
    server.put("/b.xml", generate_feed(4, 3).replace(b"Generated feed 4", b"Mirror"))
    await feeds.add_feed(server.url("/a.xml"))
    mirror = await feeds.add_feed(server.url("/b.xml"))
    assert (mirror.items, mirror.articles) == (3, 0)
    assert len(store) == 3


async def test_items_without_link_guid_or_date_get_fetch_time_and_dedup_by_content(
    feeds: FeedService, server: FeedServer, store: ArticleStore, clock: FakeClock
) -> None:
    items = [
        {"title": "Bare item", "description": "Only a title and a text."},
        {"description": "No title at all, just &lt;i&gt;words&lt;/i&gt;."},
        {"title": ""},  # nothing: skipped
    ]
    server.put("/bare.xml", rss("Bare", items), validators=False)
    status = await feeds.add_feed(server.url("/bare.xml"))
    assert status.items == 2
    stored = sorted(store, key=lambda a: a.title)
    assert [a.title for a in stored] == ["Bare item", "No title at all, just words."]
    assert all(a.url is None and a.guid is None and a.published == clock() for a in stored)
    clock.advance(minutes=20)
    result = await feeds.poll_feed(status.id)  # no validators: a full 200 again
    assert (result.outcome, result.duplicates) == ("unchanged", 2)


async def test_relative_item_links_are_read_against_the_feeds_address(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    # Stored as "/story/1" they led nowhere from Telegram, and two sites' "/story/1" looked alike.
    items = [
        {"title": "Rooted", "link": "/story/1"},
        {"title": "Beside", "link": "story/2"},
        {"title": "Absolute", "link": "http://news.example/3"},
    ]
    server.put("/section/rel.xml", rss("Relative", items))
    await feeds.add_feed(server.url("/redirect?to=/section/rel.xml"))
    links = {a.title: a.url for a in store}
    assert links == {
        "Rooted": server.url("/story/1"),
        "Beside": server.url("/section/story/2"),
        "Absolute": "http://news.example/3",
    }


async def test_a_guid_another_feed_also_uses_does_not_drop_its_items(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    # Plain guids ("1", "2") were compared across all feeds: the second site's items were
    # taken for the first one's and never stored. Permalink or not, a guid is the feed's own.
    for site in ("a", "b", "c", "d"):
        items = [
            {
                "title": f"Site {site} story {n}",
                "link": f"http://{site}.example/{n}",
                "guid": str(n),
            }
            for n in (1, 2)
        ]
        document = rss(site, items)
        if site in "cd":
            document = document.replace(b"<guid>", b'<guid isPermaLink="false">')
        server.put(f"/{site}/numbered.xml", document)
        status = await feeds.add_feed(server.url(f"/{site}/numbered.xml"))
        assert (status.items, status.articles) == (2, 2)
    assert len(store) == 8


async def test_one_guid_on_every_item_of_a_feed_keeps_the_items_apart(
    feeds: FeedService, server: FeedServer, store: ArticleStore, clock: FakeClock
) -> None:
    # A feed that gives all its items the same guid (its home page) kept only the first.
    items = [
        {"title": f"Story {n}", "link": f"http://c.example/{n}", "guid": "http://c.example/"}
        for n in (1, 2, 3)
    ]
    server.put("/same-guid.xml", rss("Same guid", items), validators=False)
    status = await feeds.add_feed(server.url("/same-guid.xml"))
    assert (status.items, status.articles) == (3, 3)
    clock.advance(minutes=20)
    again = await feeds.poll_feed(status.id)
    assert (again.outcome, len(store)) == ("unchanged", 3)


async def test_redirect_is_followed_and_user_agent_is_honest(
    feeds: FeedService, server: FeedServer
) -> None:
    status = await feeds.add_feed(server.url("/redirect?to=/gen/5.xml"))
    assert status.title == "Generated feed 5"
    assert server.count("/redirect") == 1 and server.count("/gen/5.xml") == 1
    assert server.user_agents == {UA}


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
        ("/html", "not an RSS or Atom feed"),
        ("/garbage.bin", "not an RSS or Atom feed"),
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
        f"not an RSS or Atom feed; the page links to its feed: {server.url('/feeds/all.xml')}"
    )
    assert str(refused.value) == expected
    assert feeds.list_feeds() == [] and len(store) == 0


async def test_a_gzipped_feed_sent_without_saying_so_is_read(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    # A feed stored gzipped and served without Content-Encoding (a static host's upload) was
    # "not an RSS or Atom feed (not well-formed (invalid token))".
    server.put("/stored.xml", gzip.compress(generate_feed(9, 3)))
    status = await feeds.add_feed(server.url("/stored.xml"))
    assert (status.title, status.items, len(store)) == ("Generated feed 9", 3, 3)
    server.put("/bomb.xml", gzip_bomb())  # 8 KB that inflate to 8 MB: past the cap
    with pytest.raises(FeedError, match="larger than 5 MB"):
        await feeds.add_feed(server.url("/bomb.xml"))


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


async def test_a_feed_is_added_once_and_removed_by_id_or_url(
    feeds: FeedService, server: FeedServer
) -> None:
    first = await feeds.add_feed(server.url("/gen/11.xml?items=2"))
    with pytest.raises(FeedError, match=f"already added as {first.id}"):
        await feeds.add_feed(server.url("/gen/11.xml?items=2"))
    second = await feeds.add_feed(server.url("/gen/12.xml?items=2"))
    assert await feeds.remove_feed(first.id)
    assert await feeds.remove_feed(second.url)
    assert not await feeds.remove_feed(second.id)
    assert feeds.list_feeds() == []


async def test_interval_has_a_minimum(feeds: FeedService, server: FeedServer) -> None:
    with pytest.raises(FeedError, match="at least 5 minutes"):
        await feeds.add_feed(server.url("/gen/1.xml"), interval_minutes=2)
    status = await feeds.add_feed(server.url("/gen/1.xml"), interval_minutes=30)
    assert status.interval_minutes == 30


async def test_per_host_limit_holds_under_load(
    store: ArticleStore, users: EmbeddedUserTables, server: FeedServer
) -> None:
    service = FeedService(
        store, users, allow_private=True, fetch_settings=FetchSettings(timeout=5, per_host=2)
    )
    await service.initialize()
    try:
        service.seed_feeds(server.url(f"/slow?delay=0.1&n={n}") for n in range(8))
        results = await service.poll_all()
    finally:
        await service.shutdown()
    assert [r.outcome for r in results].count("error") == 0
    assert server.count("/slow") == 8
    assert server.max_in_flight == 2


def test_feed_fixtures_are_where_the_server_looks() -> None:
    assert len(list(FIXTURE_FEEDS.glob("*.xml"))) == 3


async def test_poll_all_stores_one_batch_and_credits_each_feed(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    server.put("/x.xml", generate_feed(40, 3))
    server.put("/y.xml", generate_feed(41, 2))
    server.put("/z.xml", generate_feed(40, 3).replace(b"Generated feed 40", b"Mirror 40"))
    feeds.seed_feeds([server.url(p) for p in ("/x.xml", "/y.xml", "/z.xml")])
    results = {r.url.rsplit("/", 1)[1]: r for r in await feeds.poll_all()}
    assert [len(results[k].added) for k in ("x.xml", "y.xml", "z.xml")] == [3, 2, 0]
    assert (results["z.xml"].outcome, results["z.xml"].duplicates) == ("unchanged", 3)
    assert [s.articles for s in feeds.list_feeds()] == [3, 2, 0]
    assert len(store) == 5


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


async def test_host_slots_keep_the_limit_and_forget_hosts_nobody_uses() -> None:
    """Waiters share the holder's semaphore (never a fresh one); an idle host is dropped."""
    slots = HostSlots(per_host=1)
    inside: list[str] = []
    most = 0
    release = asyncio.Event()
    entered = {name: asyncio.Event() for name in ("a.example-1", "b.example-1")}

    async def use(host: str, name: str) -> None:
        nonlocal most
        async with slots.slot(host):
            inside.append(name)
            most = max(most, sum(1 for n in inside if n.startswith(host)))
            if name in entered:
                entered[name].set()
            await release.wait()
            inside.remove(name)

    first = asyncio.create_task(use("a.example", "a.example-1"))
    await entered["a.example-1"].wait()
    waiters = [asyncio.create_task(use("a.example", f"a.example-{n}")) for n in (2, 3)]
    other = asyncio.create_task(use("b.example", "b.example-1"))
    await entered["b.example-1"].wait()  # the waiters on a.example were started before it
    assert len(slots) == 2 and inside == ["a.example-1", "b.example-1"]
    release.set()
    await asyncio.gather(first, *waiters, other)
    assert most == 1  # never two holders of one host, though its first holder left
    assert len(slots) == 0  # nothing kept for hosts no fetch is using


async def test_a_fetcher_keeps_no_host_it_is_not_fetching(server: FeedServer) -> None:
    server.put("/h.xml", b"<rss version='2.0'><channel><title>h</title></channel></rss>")
    port = server.base_url.rsplit(":", 1)[1]

    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    client = make_client(SETTINGS, UA, allow_private=True, resolve=resolve)
    fetcher = Fetcher(client, settings=SETTINGS, allow_private=True)
    try:
        for n in range(30):
            assert (await fetcher.fetch(f"http://feed{n}.example:{port}/h.xml")).status == 200
    finally:
        await client.aclose()
    assert len(fetcher.hosts) == 0 and server.count("/h.xml") == 30
