"""One store measurement in its own process, so peak memory is that measurement's alone.

Usage: python -m benchmarks.store_worker MODE DIR; prints one JSON object.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB

from benchmarks.common import (
    CORPUS_DIR,
    CORPUS_FILES,
    load_corpus,
    median,
    peak_rss_mb,
    repeat_corpus,
    stored_draft,
)
from bot.archive.store import ArticleStore
from bot.config import Config
from bot.ingest.importer import import_paths
from bot.models import ArticleDraft
from bot.services import open_services

ONE_BY_ONE = 2000


def _draft(n: int) -> ArticleDraft:
    return ArticleDraft(
        title=f"Bench extra {n}",
        body=f"One more article, number {n}.",
        url=f"https://b.example/{n}",
    )


def import_newsbrief(directory: Path) -> dict[str, Any]:
    store = ArticleStore(directory, retention_days=0)
    store.initialize()
    start = time.perf_counter()
    report = import_paths(store, [CORPUS_DIR / name for name in CORPUS_FILES])
    return {"seconds": time.perf_counter() - start, "added": report.added}


def import_services(directory: Path) -> dict[str, Any]:
    """Import the corpus as `newsbrief import` does: store, search index and stories listening."""
    config = Config(data_dir=directory, retention_days=0, seeds_dir=directory / "no-seeds")
    services = open_services(config, write=True)
    start = time.perf_counter()
    report = import_paths(services.store, [CORPUS_DIR / name for name in CORPUS_FILES])
    services.shutdown()
    return {
        "seconds": time.perf_counter() - start,
        "added": report.added,
        "stories": len(services.stories),
    }


def import_tinydb(directory: Path) -> dict[str, Any]:
    records = load_corpus()
    db = TinyDB(directory / "plain.json")
    start = time.perf_counter()
    db.table("articles").insert_multiple(records)
    batched = time.perf_counter() - start
    one = TinyDB(directory / "one.json")
    start = time.perf_counter()
    for rec in records[:ONE_BY_ONE]:
        one.table("articles").insert(rec)
    return {"seconds": batched, "one_by_one_2000": time.perf_counter() - start}


def build_100k(directory: Path) -> dict[str, Any]:
    records = repeat_corpus(load_corpus(), 100_000)
    store = ArticleStore(directory / "nb", retention_days=0)
    store.initialize()
    drafts = [stored_draft(r) for r in records]
    store.add_many(drafts)
    TinyDB(directory / "plain100k.json").table("articles").insert_multiple(records)
    return {"articles": len(store)}


def insert_newsbrief(directory: Path) -> dict[str, Any]:
    start = time.perf_counter()
    store = ArticleStore(directory / "nb", retention_days=0)
    store.initialize()
    opened = time.perf_counter() - start
    times = []
    for n in range(21):
        t0 = time.perf_counter()
        store.add(_draft(n))
        times.append(time.perf_counter() - t0)
    return {"open": opened, "insert_one": median(times), "articles": len(store)}


def insert_tinydb(directory: Path) -> dict[str, Any]:
    start = time.perf_counter()
    db = TinyDB(directory / "plain100k.json")
    table = db.table("articles")
    count = len(table)  # TinyDB reads the file lazily: the first access is the real open
    opened = time.perf_counter() - start
    times = []
    for n in range(3):
        t0 = time.perf_counter()
        table.insert({"title": f"Bench extra {n}", "body": "x"})
        times.append(time.perf_counter() - t0)
    return {"open": opened, "insert_one": median(times), "articles": count}


MODES = {
    "import_newsbrief": import_newsbrief,
    "import_tinydb": import_tinydb,
    "import_services": import_services,
    "build_100k": build_100k,
    "insert_newsbrief": insert_newsbrief,
    "insert_tinydb": insert_tinydb,
}


def main() -> None:
    mode, directory = sys.argv[1], Path(sys.argv[2])
    if mode.startswith("import"):
        directory = Path(tempfile.mkdtemp(dir=directory))
    result = MODES[mode](directory)
    result["peak_rss_mb"] = peak_rss_mb()
    print(orjson.dumps(result).decode())


if __name__ == "__main__":
    main()
