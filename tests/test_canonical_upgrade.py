"""Data written before canonical URLs came from courlan: stored keys and feed ids keep working."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
import pytest

from bot.archive.dedup import canonical_url, content_hash
from bot.archive.records import SCHEMA_VERSION, dedup_keys, key64
from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.feeds import FeedError, FeedService
from bot.feeds.registry import FeedRecord, FeedRegistry
from bot.models import ArticleDraft
from tests.botkit import ADMIN, ask, bot_env
from tests.conftest import FakeClock
from tests.feeddocs import generate_feed
from tests.feedserver import FeedServer


def legacy_canonical_url(url: str) -> str | None:
    """Return the canonical URL of schema 3 (newsbrief before courlan), frozen as test data."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default) else f"{host}:{port}"
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not (k.lower().startswith("utm_") or k.lower() in {"fbclid", "gclid"})
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(kept), ""))


def legacy_feed_id(url: str) -> str:
    """Return the id schema 3 gave a feed (registry.feed_id of that time)."""
    key = "feed:" + (legacy_canonical_url(url) or url.strip())
    return hashlib.blake2b(key.encode(), digest_size=6).hexdigest()


# URLs whose canonical form changed: parameter order, a doubled slash, a punycode host.
OLD_URLS = [
    "https://ex.org/story?page=2&id=7",
    "https://ex.org/a//walrus?utm_source=x",
    "https://xn--e1afmkfd.xn--p1ai/новости",
    "https://ex.org/plain",
]


def write_schema3_dir(data_dir: Path, urls: list[str], per_segment: int = 2) -> None:
    """Write articles as schema 3 did: light TinyDB files with legacy keys, bodies in .jsonl."""
    articles = data_dir / "articles"
    articles.mkdir(parents=True)
    stamp = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
    micros = int(stamp.timestamp() * 1_000_000)
    for start in range(0, len(urls), per_segment):
        number = start // per_segment + 1
        lines, light, offset = [], {}, 0
        for n, url in enumerate(urls[start : start + per_segment], start):
            title, body = f"Story {n}", f"Body of story {n}."
            url_key, content_key = legacy_canonical_url(url), content_hash(title, body)
            full = {
                "id": f"a{n}", "title": title, "body": body, "url": url, "url_key": url_key,
                "hash": content_key, "published": stamp.isoformat(), "added": stamp.isoformat(),
                "source": "Old Wire", "category": None, "guid": None, "lang": "en",
            }  # fmt: skip
            line = orjson.dumps(full)
            light[str(len(light) + 1)] = {
                "id": f"a{n}", "title": title, "published": micros, "added": micros,
                "source": "Old Wire", "lang": "en", "at": [offset, len(line)],
                "keys": dedup_keys(url_key, None, content_key),
            }  # fmt: skip
            lines.append(line + b"\n")
            offset += len(line) + 1
        path = articles / f"segment-{number:06d}.json"
        meta = {"1": {"schema": 3, "kind": "articles"}}
        path.write_bytes(orjson.dumps({"_meta": meta, "articles": light}))
        path.with_suffix(".jsonl").write_bytes(b"".join(lines))


def schemas(data_dir: Path) -> list[int]:
    """Return the schema stamped in each segment file."""
    paths = sorted((data_dir / "articles").glob("segment-*.json"))
    return [orjson.loads(p.read_bytes())["_meta"]["1"]["schema"] for p in paths]


def same_urls_new_text() -> list[ArticleDraft]:
    """Return drafts that only their URL (in another spelling) can tell are duplicates."""
    spelled = [u.replace("https://ex.org", "HTTPS://EX.ORG:443") + "#top" for u in OLD_URLS]
    return [
        ArticleDraft(title=f"New {n}", body=f"New text {n}.", url=u) for n, u in enumerate(spelled)
    ]


def test_the_test_urls_changed_their_canonical_form() -> None:
    """Without this the tests below would pass without any migration."""
    changed = [u for u in OLD_URLS if canonical_url(u) != legacy_canonical_url(u)]
    assert len(changed) == 3


def test_a_schema3_dir_is_rekeyed_once_and_its_urls_stay_duplicates(
    tmp_path: Path, clock: FakeClock
) -> None:
    write_schema3_dir(tmp_path, OLD_URLS)
    store = ArticleStore(tmp_path, clock=clock, retention_days=0)
    store.initialize()
    assert schemas(tmp_path) == [SCHEMA_VERSION, SCHEMA_VERSION]
    assert store.add_many(same_urls_new_text()).duplicates == len(OLD_URLS)
    for n, url in enumerate(OLD_URLS):
        found = store.find_by_url(url)
        assert found is not None and found.id == f"a{n}"
    # Reopened, it needs no migration and still knows every URL.
    again = ArticleStore(tmp_path, clock=clock, retention_days=0)
    again.initialize()
    assert again.add_many(same_urls_new_text()).added == []
    assert len(again) == len(OLD_URLS)


def test_new_keys_replace_the_legacy_ones_in_the_light_files(
    tmp_path: Path, clock: FakeClock
) -> None:
    write_schema3_dir(tmp_path, OLD_URLS[:1], per_segment=1)
    ArticleStore(tmp_path, clock=clock).initialize()
    path = tmp_path / "articles" / "segment-000001.json"
    [light] = orjson.loads(path.read_bytes())["articles"].values()
    new_key, old_key = (
        key64("u", f(OLD_URLS[0]) or "") for f in (canonical_url, legacy_canonical_url)
    )
    assert new_key in light["keys"] and old_key not in light["keys"]


def test_a_reader_beside_an_old_writer_rekeys_in_memory_without_writing(
    tmp_path: Path, clock: FakeClock
) -> None:
    write_schema3_dir(tmp_path, OLD_URLS)
    before = {p: p.read_bytes() for p in (tmp_path / "articles").iterdir()}
    reader = ArticleStore(tmp_path, clock=clock, readonly=True)
    reader.initialize()
    assert all(reader.find_by_url(u) is not None for u in OLD_URLS)
    assert {p: p.read_bytes() for p in (tmp_path / "articles").iterdir()} == before


def test_the_migration_shows_progress_by_segment_and_only_once(
    tmp_path: Path, clock: FakeClock
) -> None:
    write_schema3_dir(tmp_path, OLD_URLS, per_segment=1)
    shown: list[tuple[str, int]] = []
    steps: list[int] = []

    @contextmanager
    def progress(what: str, total: int) -> Iterator[Callable[[int], None]]:
        shown.append((what, total))
        yield steps.append

    ArticleStore(tmp_path, clock=clock).initialize(progress)
    assert shown == [("migrating article segments", 4)] and sum(steps) == 4
    ArticleStore(tmp_path, clock=clock).initialize(progress)
    assert len(shown) == 1


@pytest.fixture
def feeds(store: ArticleStore, users: EmbeddedUserTables, clock: FakeClock) -> FeedService:
    old = [
        FeedRecord(id=legacy_feed_id(url), url=url, added=clock(), title=f"Old {n}")
        for n, url in enumerate(["https://ex.org/rss?lang=ru&cat=world", "https://ex.org//atom"])
    ]
    service = FeedService(store, users, clock=clock)
    service.registry.insert_many(old)
    return service


async def test_feeds_added_before_keep_their_ids_and_are_found_by_url(
    feeds: FeedService,
) -> None:
    rss_id = legacy_feed_id("https://ex.org/rss?lang=ru&cat=world")
    assert rss_id != legacy_feed_id("https://ex.org/rss?cat=world&lang=ru")
    assert feeds.get_feed(rss_id) is not None
    for spelling in (
        "https://ex.org/rss?lang=ru&cat=world",
        "HTTPS://ex.org/rss?cat=world&lang=ru#x",
    ):
        with pytest.raises(FeedError, match=f"already added as {rss_id}"):
            await feeds.add_feed(spelling)
    assert await feeds.remove_feed("https://ex.org//atom?utm_source=tg")
    assert await feeds.remove_feed(rss_id)
    assert feeds.list_feeds() == []


async def test_configured_feeds_added_before_are_not_added_again(feeds: FeedService) -> None:
    assert feeds.seed_feeds(["https://EX.org/rss?cat=world&lang=ru", "https://ex.org/atom"]) == []
    assert len(feeds.list_feeds()) == 2


async def test_an_admin_removes_feeds_added_before_by_id_and_by_url(tmp_path: Path) -> None:
    feed_server = FeedServer()
    feed_server.start()
    feed_server.put("/old.xml", generate_feed(41, 2))
    first, second = feed_server.url("/old.xml?z=1&a=2"), feed_server.url("/old.xml?b=3")
    users = EmbeddedUserTables(tmp_path)
    users.initialize()
    FeedRegistry(users).insert_many(
        [
            FeedRecord(id=legacy_feed_id(first), url=first, added=datetime.now(UTC), title="One"),
            FeedRecord(id=legacy_feed_id(second), url=second, added=datetime.now(UTC), title="Two"),
        ]
    )
    users.shutdown()
    try:
        async with bot_env(tmp_path, allow_private_feeds=True) as env:
            admin = env.server.user(ADMIN, "Admin")
            [again] = await ask(admin, f"/addfeed {feed_server.url('/old.xml?a=2&z=1')}")
            assert f"already added as {legacy_feed_id(first)}" in again.text
            [by_url] = await ask(admin, f"/removefeed {feed_server.url('/old.xml?a=2&z=1#top')}")
            assert by_url.text == "Removed One. Its articles stay."
            [by_id] = await ask(admin, f"/removefeed {legacy_feed_id(second)}")
            assert by_id.text == "Removed Two. Its articles stay."
    finally:
        feed_server.stop()
