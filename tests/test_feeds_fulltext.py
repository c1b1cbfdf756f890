"""Full text: teaser items get their article's text from its page, politely and once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.feeds import FeedService, FetchSettings, FullTextSettings
from bot.feeds.fulltext import extract_text
from tests.feeddocs import rss
from tests.feedserver import FeedServer

PARAGRAPHS = [
    "The city council voted on Tuesday to rebuild the old harbour bridge, ending a debate "
    "that had lasted for more than a decade and divided the town's two largest parties.",
    "Engineers said the new bridge would carry twice as much traffic and would be the first "
    "in the region designed to withstand the storms that have grown stronger in recent years.",
    "Work is expected to begin next spring and to take three years, during which a ferry "
    "service will carry pedestrians and cyclists across the river free of charge.",
]


def article_page(number: int) -> bytes:
    body = "".join(f"<p>{p} (Article {number}.)</p>" for p in PARAGRAPHS)
    return (
        "<!DOCTYPE html><html><head><title>Bridge</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>Council votes to rebuild bridge {number}</h1>{body}</article>"
        "<footer>Copyright Example News</footer></body></html>"
    ).encode()


@pytest.fixture
async def feeds(store: ArticleStore, tmp_path: Path) -> AsyncIterator[FeedService]:
    users = EmbeddedUserTables(tmp_path)
    users.initialize()
    service = FeedService(
        store,
        users,
        allow_private=True,
        fulltext=True,
        fetch_settings=FetchSettings(timeout=2),
        fulltext_settings=FullTextSettings(per_poll=2),
    )
    await service.initialize()
    yield service
    await service.shutdown()
    users.shutdown()


def teaser_feed(server: FeedServer, numbers: list[int]) -> bytes:
    items = [
        {
            "title": f"Council votes to rebuild bridge {n}",
            "link": server.url(f"/article/{n}.html"),
            "description": "The council voted on Tuesday. Read more.",
        }
        for n in numbers
    ]
    return rss("Example News", items)


def test_extract_text_finds_the_article_not_the_navigation() -> None:
    text = extract_text(article_page(1), "http://example.org/a")
    assert "harbour bridge" in text and "ferry service" in text
    assert "Copyright" not in text and "Sport" not in text


def test_extract_text_of_an_empty_page_is_empty() -> None:
    assert extract_text(b"<html><body></body></html>", None) == ""
    assert extract_text(b"", None) == ""


async def test_teasers_get_the_page_text_and_pages_are_fetched_once(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    for n in (1, 2, 3):
        server.put(f"/article/{n}.html", article_page(n), "text/html; charset=utf-8")
    server.put("/teasers.xml", teaser_feed(server, [1, 2]), validators=False)
    await feeds.add_feed(server.url("/teasers.xml"))
    bodies = {a.title: a.body for a in store}
    assert all("ferry service" in body for body in bodies.values())
    server.put("/teasers.xml", teaser_feed(server, [1, 2, 3]), validators=False)
    result = await feeds.poll_feed(feeds.list_feeds()[0].id)
    assert [a.title for a in result.added] == ["Council votes to rebuild bridge 3"]
    assert [server.count(f"/article/{n}.html") for n in (1, 2, 3)] == [1, 1, 1]


async def test_a_page_that_fails_leaves_the_teaser(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    server.put("/teasers.xml", teaser_feed(server, [7]))  # /article/7.html is a 404
    status = await feeds.add_feed(server.url("/teasers.xml"))
    assert status.articles == 1
    [article] = list(store)
    assert article.body == "The council voted on Tuesday. Read more."


async def test_per_poll_limit_bounds_page_fetches(
    feeds: FeedService, server: FeedServer, store: ArticleStore
) -> None:
    for n in range(5):
        server.put(f"/article/{n}.html", article_page(n), "text/html")
    server.put("/teasers.xml", teaser_feed(server, list(range(5))))
    await feeds.add_feed(server.url("/teasers.xml"))
    fetched = sum(server.count(f"/article/{n}.html") for n in range(5))
    assert fetched == 2
    assert len(store) == 5
