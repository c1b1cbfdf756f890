"""Opening a data directory: seeds once, the index derived from the store, retention reaching search."""

from __future__ import annotations

import logging
from pathlib import Path

import orjson
import pytest

from bot.config import Config
from bot.models import ArticleDraft
from bot.services import open_services


def test_seeds_are_imported_once_even_after_deletion(tmp_path: Path) -> None:
    config = Config(data_dir=tmp_path)
    first = open_services(config, write=True)
    assert first.seed_report is not None and first.seed_report.added == 1
    first.shutdown()
    again = open_services(config, write=True)
    assert again.seed_report is None and len(again.store) == 1
    again.shutdown()


def test_retention_removes_articles_from_search_too(tmp_path: Path) -> None:
    config = Config(data_dir=tmp_path, retention_days=1)
    services = open_services(config, write=True)
    services.store.add_many([ArticleDraft(title="Walrus census", body="Walruses were counted.")])
    assert services.search.search("walrus").hits
    services.shutdown()
    # Move every arrival two days back (the seed's and the walrus's): the next open prunes
    # them from the store, and the index hears of it.
    # Rewrite each record's "added" field itself (a text replace of today's date missed the
    # records written just before midnight UTC).
    segment = next((tmp_path / "articles").glob("segment-*.json"))
    data = orjson.loads(segment.read_bytes())
    two_days = 2 * 86_400 * 1_000_000  # light documents date arrivals in microseconds
    moved = 0
    for doc in data["articles"].values():
        doc["added"] -= two_days
        moved += 1
    assert moved >= 2  # the seed article(s) and the walrus
    segment.write_bytes(orjson.dumps(data))
    reopened = open_services(config, write=True)
    try:
        assert len(reopened.store) == 0, "everything arrived two days ago"
        assert not reopened.search.search("walrus").hits
    finally:
        reopened.shutdown()


async def test_configured_feeds_are_registered_on_first_start_only(tmp_path: Path) -> None:
    url = "https://feeds.example.org/world.xml"
    config = Config(data_dir=tmp_path, feeds=(url, "not a url"))
    first = open_services(config, write=True)
    assert [f.url for f in first.feeds.list_feeds()] == [url]
    assert await first.feeds.remove_feed(url)
    first.shutdown()
    again = open_services(config, write=True)
    try:
        assert again.feeds.list_feeds() == [], "an admin's removal sticks"
    finally:
        again.shutdown()


def test_a_seeds_dir_that_does_not_exist_is_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A mistyped NEWSBRIEF_SEEDS_DIR imported nothing and said nothing."""
    missing = tmp_path / "seeds-typo"
    services = open_services(Config(data_dir=tmp_path / "data", seeds_dir=missing), write=True)
    services.shutdown()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"NEWSBRIEF_SEEDS_DIR {missing} is not a directory: no seeds imported"]
