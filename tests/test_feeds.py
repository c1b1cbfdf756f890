"""FeedService against a loopback server: real feeds, conditional GET, dedup, adding and removing."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.feeds import FeedError, FeedService
from tests.conftest import FakeClock
from tests.feeddocs import BIG_ITEMS, generate_feed, gzip_bomb, rss
from tests.feedkit import SETTINGS, UA, feed_service
from tests.feedserver import FIXTURE_FEEDS, FeedServer


@pytest.fixture
async def feeds(
    store: ArticleStore, users: EmbeddedUserTables, clock: FakeClock
) -> AsyncIterator[FeedService]:
    async with feed_service(store, users, clock, SETTINGS) as service:
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
