"""The schema-3 store's migration from the schema-2 layout: on open, read the same, and a
reader beside an old writer that writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson

from bot.archive.dedup import canonical_url, content_hash
from bot.archive.records import SCHEMA_VERSION
from bot.archive.store import ArticleStore
from bot.config import Config
from bot.models import ArticleDraft
from bot.services import open_services
from tests.conftest import FakeClock

# Articles as newsbrief schema 2 wrote them: bodies inline in the segment's TinyDB file.
OLD_ARTICLES = [
    ("a1", "Walrus census on Svalbard", "Researchers counted walruses on the ice.", "https://ex.org/walrus?utm_source=x", None),
    ("a2", "Новости дня", "Сегодня в Москве прошёл дождь.", None, "guid-2"),
    ("a3", "Harbour reopens", "The harbour reopened after the storm.", "https://ex.org/harbour", "guid-3"),
]  # fmt: skip


def _old_doc(n: int, art: tuple[str, str, str, str | None, str | None]) -> dict[str, object]:
    """Return the document schema 2 stored for an article (records.article_to_doc of that time)."""
    article_id, title, body, url, guid = art
    stamp = datetime(2026, 2, 1 + n, 9, 30, tzinfo=UTC).isoformat()
    return {
        "id": article_id, "title": title, "body": body, "url": url,
        "url_key": canonical_url(url) if url else None, "hash": content_hash(title, body),
        "published": stamp, "added": stamp, "source": "Old Wire", "category": "world",
        "guid": guid, "lang": "ru" if n == 1 else "en",
    }  # fmt: skip


def write_schema2_dir(data_dir: Path) -> list[Path]:
    """Write a data dir's articles as today's main does: two schema-2 segments, bodies inline."""
    articles = data_dir / "articles"
    articles.mkdir(parents=True)
    docs = [_old_doc(n, art) for n, art in enumerate(OLD_ARTICLES)]
    paths = []
    for number, chunk in ((1, docs[:2]), (2, docs[2:])):
        path = articles / f"segment-{number:06d}.json"
        table = {str(i + 1): doc for i, doc in enumerate(chunk)}
        meta = {"1": {"schema": 2, "kind": "articles"}}
        path.write_bytes(orjson.dumps({"_meta": meta, "articles": table}))
        paths.append(path)
    return paths


def test_a_schema2_data_dir_is_migrated_on_open_and_reads_the_same(
    tmp_path: Path, clock: FakeClock
) -> None:
    paths = write_schema2_dir(tmp_path)
    store = ArticleStore(tmp_path, clock=clock, retention_days=0)
    store.initialize()
    assert len(store) == 3
    walrus = store.get("a1")
    assert walrus is not None and walrus.body == "Researchers counted walruses on the ice."
    assert (walrus.source, walrus.category, walrus.lang) == ("Old Wire", "world", "en")
    assert walrus.published == datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
    assert [a.id for a in store.latest(3)] == ["a3", "a2", "a1"]
    assert store.find_by_url("https://EX.org/walrus") == walrus
    assert store.get("a2").guid == "guid-2"  # type: ignore[union-attr]
    # Dedup keys survived: the same URL, GUID or text is still a duplicate.
    again = [
        ArticleDraft(title="x", body="y", url="https://ex.org/harbour"),
        ArticleDraft(title="z", body="w", guid="guid-2"),
        ArticleDraft(
            title="Walrus census on Svalbard", body="Researchers counted walruses on the ice."
        ),
    ]
    assert store.add_many(again).duplicates == 3
    for path in paths:
        data = orjson.loads(path.read_bytes())
        assert data["_meta"]["1"]["schema"] == SCHEMA_VERSION
        assert all("body" not in doc for doc in data["articles"].values()), "bodies moved out"
        assert path.with_suffix(".jsonl").exists()
    reopened = ArticleStore(tmp_path, clock=clock, retention_days=0)
    reopened.initialize()
    assert [a.body for a in reopened] == [a.body for a in store]
    assert reopened.get("a3").body == "The harbour reopened after the storm."  # type: ignore[union-attr]


def test_a_reader_beside_an_old_writer_reads_schema2_without_writing(
    tmp_path: Path, clock: FakeClock
) -> None:
    paths = write_schema2_dir(tmp_path)
    before = [p.read_bytes() for p in paths]
    reader = ArticleStore(tmp_path, clock=clock, readonly=True)
    reader.initialize()
    assert reader.get("a2").body == "Сегодня в Москве прошёл дождь."  # type: ignore[union-attr]
    assert [p.read_bytes() for p in paths] == before
    assert not list((tmp_path / "articles").glob("*.jsonl"))


def test_search_is_rebuilt_from_a_migrated_dir(tmp_path: Path) -> None:
    write_schema2_dir(tmp_path)
    services = open_services(
        Config(data_dir=tmp_path, retention_days=0, seeds_dir=tmp_path / "none"), write=True
    )
    try:
        hits = services.search.search("walruses").hits
        assert [h.article.id for h in hits] == ["a1"]
        assert "<b>walruses</b>" in hits[0].snippet
    finally:
        services.shutdown()
