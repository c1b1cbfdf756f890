"""The search index's lifecycle: new and removed articles, restarts, rebuilds, read-only use."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from bot.archive.store import ArticleStore
from bot.models import ArticleDraft
from bot.search import SearchService
from bot.search.index import MARKER
from tests.searchkit import NOW, FakeStore, art, ids


def test_new_articles_arrive_through_the_listener(
    service: SearchService, corpus: FakeStore
) -> None:
    corpus.add(art("new", "Volcano erupts", "Lava flowed from the volcano."))
    assert ids(service, "volcano") == ["new"]


def test_reindexing_an_article_replaces_it(service: SearchService, corpus: FakeStore) -> None:
    corpus.add(art("gold", "Silver hits high", "Silver rose."))
    assert ids(service, "silver") == ["gold"]
    assert "gold" not in ids(service, "gold ")


def test_index_survives_restart_without_rebuild(tmp_path: Path, corpus: FakeStore) -> None:
    first = SearchService(corpus, tmp_path / "i")
    first.initialize()
    first.shutdown()
    stamp = (tmp_path / "i" / "meta.json").stat().st_mtime_ns
    second = SearchService(corpus, tmp_path / "i")
    second.initialize()
    assert ids(second, "wheat") == ["wheat"]
    assert (tmp_path / "i" / "meta.json").stat().st_mtime_ns == stamp


@pytest.mark.parametrize("damage", ["missing", "corrupt", "old_version", "no_marker", "stale"])
def test_index_is_rebuilt_from_the_store(tmp_path: Path, corpus: FakeStore, damage: str) -> None:
    index_dir = tmp_path / "i"
    first = SearchService(corpus, index_dir)
    first.initialize()
    first.shutdown()
    if damage == "missing":
        for f in index_dir.iterdir():
            f.unlink()
    elif damage == "corrupt":
        for f in index_dir.iterdir():
            if f.name != MARKER:
                f.write_bytes(b"\x00garbage" * 10)
    elif damage == "old_version":
        (index_dir / MARKER).write_text('{"version": 0}')
    elif damage == "no_marker":
        (index_dir / MARKER).unlink()
    else:
        corpus.articles["late"] = art("late", "Tsunami alert", "Coastal tsunami warning.")
    again = SearchService(corpus, index_dir)
    again.initialize()
    assert ids(again, "wheat") == ["wheat"]
    assert ids(again, "tsunami") == (["late"] if damage == "stale" else [])


def test_readonly_reads_the_index_another_service_writes(tmp_path: Path, corpus: FakeStore) -> None:
    writer = SearchService(corpus, tmp_path / "i")
    writer.initialize()
    reader = SearchService(corpus, tmp_path / "i", readonly=True)
    reader.initialize()
    assert ids(reader, "wheat") == ["wheat"]
    corpus.add(art("new", "Volcano erupts"))
    assert ids(writer, "volcano") == ["new"]


def test_readonly_without_an_index_searches_in_memory(tmp_path: Path, corpus: FakeStore) -> None:
    reader = SearchService(corpus, tmp_path / "absent", readonly=True)
    reader.initialize()
    assert ids(reader, "wheat") == ["wheat"]
    assert not (tmp_path / "absent").exists()
    corpus.add(art("new", "Volcano erupts"))
    assert ids(reader, "volcano") == ["new"]


def test_with_the_real_article_store(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / "data", clock=lambda: NOW)
    store.initialize()
    store.add_many([ArticleDraft(title="Harbour strike ends", body="Dockers return to work.")])
    svc = SearchService(store, tmp_path / "index", clock=lambda: NOW)
    svc.initialize()
    assert [h.article.title for h in svc.search("harbour").hits] == ["Harbour strike ends"]
    store.add_many([ArticleDraft(title="Dockers vote", body="A new harbour deal.", url="u:2")])
    assert svc.search("dockers").total == 2


def test_rebuild_reindexes_the_store(service: SearchService, corpus: FakeStore) -> None:
    corpus.articles["quiet"] = art("quiet", "Glacier melts")  # stored without telling anyone
    assert ids(service, "glacier") == []
    service.rebuild()
    assert ids(service, "glacier") == ["quiet"]


def test_removed_articles_leave_the_index(service: SearchService, corpus: FakeStore) -> None:
    service.remove_articles(["wheat"])
    assert ids(service, "wheat") == []


def test_articles_gone_from_the_store_are_skipped(
    service: SearchService, corpus: FakeStore
) -> None:
    del corpus.articles["gold"]  # pruned by the store, still in the index
    assert ids(service, "gold ") == []


def test_searching_while_another_thread_indexes(
    service: SearchService, corpus: FakeStore, caplog: pytest.LogCaptureFixture
) -> None:
    batches = [
        [art(f"n{i}-{j}", f"Sorghum report {i}", "Grain.") for j in range(5)] for i in range(10)
    ]
    writer = threading.Thread(target=lambda: [corpus.add(*b) for b in batches])
    writer.start()
    seen = []
    while writer.is_alive():
        seen.append(service.search("sorghum").total)
    writer.join()
    assert seen == sorted(seen)  # each search sees a committed state, never a torn one
    assert service.search("sorghum", limit=100).total == 50
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
