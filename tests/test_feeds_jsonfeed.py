"""JSON Feed (jsonfeed.org, versions 1 and 1.1): parsed into the drafts RSS and Atom give,
added by /addfeed's service over a loopback server, found through a page's link, imported."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.feeds import FeedError, FeedService
from bot.ingest.feedparse import parse_feed
from bot.ingest.importer import import_paths
from tests.conftest import FakeClock
from tests.feedkit import SETTINGS, feed_service
from tests.feedserver import FIXTURE_FEEDS, FeedServer

FETCHED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GAZETTE = (FIXTURE_FEEDS / "jsonfeed_1_1.json").read_bytes()
V1 = "https://jsonfeed.org/version/1"


def _doc(items: Any, **feed: Any) -> bytes:
    return orjson.dumps({"version": V1, "title": "T", **feed, "items": items})


@pytest.fixture
async def feeds(
    store: ArticleStore, users: EmbeddedUserTables, clock: FakeClock
) -> AsyncIterator[FeedService]:
    async with feed_service(store, users, clock, SETTINGS) as service:
        yield service


def test_a_json_feed_gives_the_drafts_an_rss_feed_would() -> None:
    location = "http://127.0.0.1:8/feed.json"
    parsed = parse_feed(
        GAZETTE, fetched_at=FETCHED, content_type="application/feed+json", location=location
    )
    assert parsed.is_feed and parsed.problem is None
    assert parsed.title == "Harbour & Hills Gazette"
    ferry, minutes, market = parsed.drafts
    assert ferry.title == "Ferry timetable changes from Monday"
    # content_html is longer than the summary, so it is the body; relative URLs are read
    # against the feed's home page.
    assert ferry.body == (
        "The harbour ferry runs every 20 minutes from Monday.\n\nNight crossings end at midnight."
    )
    assert ferry.url == "https://gazette.example/news/2031-ferry-timetable"
    assert ferry.published == datetime(2026, 2, 27, 7, 30, tzinfo=UTC)
    assert ferry.guid == f"{location}#2031"  # scoped to the feed, as RSS's "12345" guids are
    assert ferry.source == "Harbour & Hills Gazette"
    # content_text is plain text: its "<closes>" and "&" are words, not markup.
    assert minutes.body == (
        "Council minutes: the hill road <closes> for repairs & resurfacing.\n\nWork starts in March."
    )
    assert minutes.title.startswith("Council minutes: the hill road <closes>")
    assert minutes.url == "https://council.example/minutes/2026-02"  # external_url
    assert minutes.published == datetime(2026, 2, 26, 17, 5, tzinfo=UTC)  # date_modified
    assert market.guid == "tag:gazette.example,2026:2029"  # a URI stays as it is
    assert market.published == FETCHED  # "sometime last week" is no date
    assert parsed.skipped == ["item 4: no title and no text"]


def test_version_1_with_numbers_for_ids_and_a_relative_home_page() -> None:
    doc = _doc(
        [
            {"id": 7, "url": "p/7", "title": "Seven", "content_html": "<p>x</p>"},
            {"id": True, "url": "https://x.example/8", "title": "Eight"},
        ],
        home_page_url="/blog/",
    )
    parsed = parse_feed(doc, fetched_at=FETCHED, location="https://x.example/feeds/main.json")
    seven, eight = parsed.drafts
    assert seven.url == "https://x.example/blog/p/7"
    assert seven.guid == "https://x.example/feeds/main.json#7"
    assert eight.guid is None  # true is no id


def test_an_imported_json_feed_scopes_guids_by_its_own_address() -> None:
    parsed = parse_feed(GAZETTE, fetched_at=FETCHED)  # a file: no address it came from
    assert parsed.drafts[0].guid == "https://gazette.example/feed.json#2031"


def test_two_items_sharing_an_id_with_different_links_lose_the_id() -> None:
    doc = _doc([{"id": "a", "url": f"https://x.example/{n}", "title": f"T{n}"} for n in (1, 2)])
    assert [d.guid for d in parse_feed(doc, fetched_at=FETCHED).drafts] == [None, None]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2030-01-01T00:00:00Z", FETCHED),  # the future: a publisher's clock slip
        ("0001-01-01T00:00:00Z", FETCHED),
        ("1970-01-01T00:00:00Z", FETCHED),  # a CMS's placeholder
        ("", FETCHED),
        ("2026-02-01T10:00:00-05:00", datetime(2026, 2, 1, 15, 0, tzinfo=UTC)),
    ],
)
def test_bad_dates_count_as_now(when: str, expected: datetime) -> None:
    [draft] = parse_feed(_doc([{"title": "T", "date_published": when}]), fetched_at=FETCHED).drafts
    assert draft.published == expected


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', None, "invalid JSON"),
        (b'{"title": "Not a feed", "items": []}', "application/json", "no jsonfeed.org version"),
        (b"[1, 2, 3]", "application/json", "no jsonfeed.org version"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": {}}', None, "items"),
        (b"\xff\xfe{}", "application/feed+json", "invalid JSON"),
        (b"[" * 5000 + b"]" * 5000, "application/json", "invalid JSON"),
        (b"null", "application/json", "no jsonfeed.org version"),
    ],
)
def test_json_that_is_no_feed_is_refused_with_a_reason(
    data: bytes, content_type: str | None, reason: str
) -> None:
    parsed = parse_feed(data, fetched_at=FETCHED, content_type=content_type)
    assert not parsed.is_feed and parsed.drafts == []
    assert parsed.problem is not None and parsed.problem.startswith("not an RSS, Atom or JSON feed")
    assert reason in parsed.problem


def test_fields_of_the_wrong_type_are_left_out_not_fatal() -> None:
    doc = _doc(
        [
            {"title": ["list"], "content_html": 5, "url": {"a": 1}, "summary": "Kept"},
            "an item that is a string",
            {"title": "Fine", "date_published": 20260101, "id": None, "content_text": None},
        ],
        title={"not": "text"},
        home_page_url=3,
    )
    parsed = parse_feed(doc, fetched_at=FETCHED)
    assert parsed.is_feed and parsed.title == ""
    kept, fine = parsed.drafts
    assert (kept.title, kept.body, kept.url) == ("Kept", "Kept", None)
    assert (fine.title, fine.published, fine.guid) == ("Fine", FETCHED, None)
    assert parsed.skipped == ["item 2: not a JSON object"]


def test_a_huge_body_is_read_whole() -> None:
    body = "<p>" + "word " * 200_000 + "</p>"
    [draft] = parse_feed(_doc([{"title": "Long", "content_html": body}]), fetched_at=FETCHED).drafts
    assert len(draft.body) == len("word " * 200_000) - 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
ITEM_FIELDS = [
    "id",
    "url",
    "external_url",
    "title",
    "content_html",
    "content_text",
    "summary",
    "date_published",
    "date_modified",
    "authors",
    "language",
]


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["title", "home_page_url", "feed_url", "items", "language"]), json_values
    ),
    st.lists(st.dictionaries(st.sampled_from(ITEM_FIELDS), json_values) | json_values, max_size=5),
)
@example({}, [{"url": "http://[::1"}])  # an invalid IPv6 literal: urljoin raises ValueError
@example({"home_page_url": "http://[x"}, [{"url": "a"}])
def test_any_json_feed_parses_without_raising(feed: dict[str, Any], items: list[Any]) -> None:
    doc = orjson.dumps({**feed, "version": "https://jsonfeed.org/version/1.1", "items": items})
    parsed = parse_feed(doc, fetched_at=FETCHED, location="https://x.example/f.json")
    assert parsed.is_feed
    assert len(parsed.drafts) + len(parsed.skipped) == len(items)
    for draft in parsed.drafts:
        assert draft.title and draft.title == draft.title.strip() and "\n" not in draft.title
        assert draft.published is not None and draft.published <= FETCHED
        assert draft.url is None or isinstance(draft.url, str)
        assert draft.guid is None or isinstance(draft.guid, str)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=500))
def test_any_bytes_sent_as_json_parse_without_raising(data: bytes) -> None:
    parsed = parse_feed(data, fetched_at=FETCHED, content_type="application/feed+json")
    assert parsed.is_feed or parsed.problem


@pytest.mark.parametrize("content_type", ["application/feed+json", "application/json"])
async def test_a_json_feed_is_added(
    feeds: FeedService, server: FeedServer, store: ArticleStore, content_type: str
) -> None:
    server.put("/feed.json", GAZETTE, content_type)
    status = await feeds.add_feed(server.url("/feed.json"))
    assert (status.title, status.items, status.articles) == ("Harbour & Hills Gazette", 3, 3)
    assert store.find_by_url("https://gazette.example/news/2031-ferry-timetable") is not None
    [again] = await feeds.poll_all()
    assert again.not_modified or again.duplicates == 3


async def test_a_page_linking_its_json_feed_is_refused_with_the_feeds_address(
    feeds: FeedService, server: FeedServer
) -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>Site</title>"
        b'<link rel="alternate" type="application/feed+json" href="/feed.json">'
        b"</head><body><p>Front page</p></body></html>"
    )
    server.put("/site/", page, "text/html; charset=utf-8")
    with pytest.raises(FeedError) as refused:
        await feeds.add_feed(server.url("/site/"))
    assert str(refused.value) == (
        f"not an RSS, Atom or JSON feed; the page links to its feed: {server.url('/feed.json')}"
    )
    # WordPress links every page to its REST API as "application/json": that is no feed.
    rest = (
        b'<html><head><link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/2">'
    )
    server.put("/page/", rest, "text/html")
    with pytest.raises(FeedError) as plain:
        await feeds.add_feed(server.url("/page/"))
    assert "links to its feed" not in str(plain.value)


def test_a_saved_json_feed_is_imported_once(store: ArticleStore, tmp_path: Path) -> None:
    saved = tmp_path / "gazette.json"
    saved.write_bytes(GAZETTE)
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{"items": []}')
    report = import_paths(store, [saved, broken])
    assert report.added == 3 and len(report.rejected) == 2
    assert any(r.endswith("item 4: no title and no text") for r in report.rejected)
    assert any("broken.json:1: not an RSS, Atom or JSON feed" in r for r in report.rejected)
    again = import_paths(store, [saved])
    assert (again.added, again.duplicates) == (0, 3)
