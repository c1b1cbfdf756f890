"""One search engine per process: build it over the corpus, time queries, print JSON.

Run as `python -m benchmarks.search_engines ENGINE SIZE` (ENGINE: tantivy, fts5, tinydb) so that
peak RSS (ru_maxrss) belongs to one engine; the parent prints the tables.
"""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Protocol

import orjson

from benchmarks.common import load_corpus, peak_rss_mb, repeat_corpus
from benchmarks.search_corpus import DictStore, misspell, title_words, to_article
from bot.models import Article

SEED = 20261125
QUERIES_PER_CLASS = 200
TINYDB_QUERIES_PER_CLASS = 3  # a full scan per query: a few are enough to show the scale
WARMUP = 20


class Engine(Protocol):
    """A searchable index over articles, for the benchmark."""

    def build(self, articles: list[Article], workdir: Path) -> None: ...
    def search(self, words: list[str]) -> list[str]: ...
    def size_bytes(self) -> int: ...


def dir_bytes(path: Path) -> int:
    """Return the total size of the files under path."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class TantivyEngine:
    """This project's SearchService (typo tolerance and snippets on)."""

    def build(self, articles: list[Article], workdir: Path) -> None:
        """Build the index from a dict-backed store, as initialize() does on first start."""
        from bot.search import SearchService

        self._dir = workdir / "tantivy"
        self.service = SearchService(DictStore(articles), self._dir)
        self.service.initialize()

    def search(self, words: list[str]) -> list[str]:
        """Return the ids of the top 10."""
        return [h.article.id for h in self.service.search(" ".join(words)).hits]

    def size_bytes(self) -> int:
        """Return the index size on disk."""
        return dir_bytes(self._dir)

    def suggest(self, words: list[str]) -> str | None:
        """Return the did-you-mean of a query."""
        return self.service.search(" ".join(words)).did_you_mean


class Fts5Engine:
    """SQLite FTS5, Porter tokenizer, ranked by bm25 with the title weighted 2x, with snippets."""

    def build(self, articles: list[Article], workdir: Path) -> None:
        """Insert every article and commit."""
        self._path = workdir / "fts5.sqlite"
        self.db = sqlite3.connect(self._path)
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, id UNINDEXED, tokenize='porter')"
        )
        rows = ((a.title, a.body, a.id) for a in articles)
        self.db.executemany("INSERT INTO docs(title, body, id) VALUES (?, ?, ?)", rows)
        self.db.commit()

    def search(self, words: list[str]) -> list[str]:
        """Return the ids of the top 10 (all words must match)."""
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        sql = (
            "SELECT id, snippet(docs, 1, '<b>', '</b>', '…', 24) FROM docs WHERE docs MATCH ? "
            "ORDER BY bm25(docs, 2.0, 1.0) LIMIT 10"
        )
        return [row[0] for row in self.db.execute(sql, (match,))]

    def size_bytes(self) -> int:
        """Return the database file size."""
        return self._path.stat().st_size


class TinyDbEngine:
    """A TinyDB JSON file scanned with Query.search (case-insensitive, every word must match)."""

    def build(self, articles: list[Article], workdir: Path) -> None:
        """Write every article to a TinyDB file."""
        from tinydb import TinyDB

        self._path = workdir / "tiny.json"
        self.db = TinyDB(self._path)
        self.db.insert_multiple({"id": a.id, "title": a.title, "body": a.body} for a in articles)

    def search(self, words: list[str]) -> list[str]:
        """Return the first 10 ids that hold every word (no ranking)."""
        from tinydb import Query

        doc = Query()
        cond = None
        for w in words:
            pattern = re.escape(w)
            one = doc.title.search(pattern, flags=re.I) | doc.body.search(pattern, flags=re.I)
            cond = one if cond is None else cond & one
        return [d["id"] for d in self.db.search(cond)][:10] if cond is not None else []

    def size_bytes(self) -> int:
        """Return the JSON file size."""
        return self._path.stat().st_size


ENGINES: dict[str, type[Any]] = {
    "tantivy": TantivyEngine,
    "fts5": Fts5Engine,
    "tinydb": TinyDbEngine,
}


def latency_queries(records: list[dict[str, Any]], per_class: int) -> dict[str, list[list[str]]]:
    """Return 1-, 2-, 3-word and typo'd 2-word queries drawn from random titles (fixed seed)."""
    rng = random.Random(SEED)
    pool = [w for w in (title_words(r.get("title") or "") for r in records) if len(w) >= 3]
    out: dict[str, list[list[str]]] = {"1 word": [], "2 words": [], "3 words": [], "typo": []}
    while min(len(v) for v in out.values()) < per_class:
        words = rng.choice(pool)
        for n, key in ((1, "1 word"), (2, "2 words"), (3, "3 words")):
            if len(out[key]) < per_class:
                out[key].append(rng.sample(words, n))
        long = [w for w in words if len(w) >= 4]
        if long and len(out["typo"]) < per_class:
            pair = rng.sample(words, 2)
            target = rng.choice([i for i, w in enumerate(pair) if len(w) >= 4] or [0])
            pair[target] = misspell(pair[target], rng)
            out["typo"].append(pair)
    return out


JUNK_QUERIES = 300
JUNK_PIECES = [*"+-&|!(){}[]^\"~*?:\\/<>.'`$#@%=,; ", "OR", "AND", "NOT", "source:", "since:"]
JUNK_PIECES += [
    "before:",
    "1987-03-01",
    "oil",
    "ёлка",
    "выборы",
    "prices",
    "goverment",
    "\u200b",
    "é",
]


def junk_queries(count: int) -> list[str]:
    """Return random strings of query metacharacters, words and unicode (fixed seed)."""
    rng = random.Random(SEED + 1)
    out = []
    for _ in range(count):
        pieces = [rng.choice(JUNK_PIECES) + rng.choice(("", " ")) for _ in range(rng.randrange(60))]
        if rng.random() < 0.3:
            pieces.append("".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randrange(50))))
        out.append("".join(pieces))
    return out


def time_junk(service: Any) -> list[float]:
    """Return the latency in ms of SearchService.search on each junk query."""
    out = []
    for query in junk_queries(JUNK_QUERIES):
        start = time.perf_counter()
        service.search(query)
        out.append((time.perf_counter() - start) * 1000)
    return out


def time_queries(engine: Engine, queries: dict[str, list[list[str]]]) -> dict[str, list[float]]:
    """Return the latency in ms of every query, by class (after a short warm-up)."""
    for words in [q for qs in queries.values() for q in qs][:WARMUP]:
        engine.search(words)
    out: dict[str, list[float]] = {}
    for key, qs in queries.items():
        out[key] = []
        for words in qs:
            start = time.perf_counter()
            engine.search(words)
            out[key].append((time.perf_counter() - start) * 1000)
    return out


def run(engine_name: str, size: int, quality: bool) -> dict[str, Any]:
    """Build one engine over `size` articles and measure it."""
    records = load_corpus()
    records = repeat_corpus(records, size) if size > len(records) else records[:size]
    articles = [to_article(r) for r in records]
    loaded_rss = peak_rss_mb()
    engine = ENGINES[engine_name]()
    workdir = Path(tempfile.mkdtemp(prefix=f"search-bench-{engine_name}-"))
    try:
        start = time.perf_counter()
        engine.build(articles, workdir)
        build_s = time.perf_counter() - start
        per_class = TINYDB_QUERIES_PER_CLASS if engine_name == "tinydb" else QUERIES_PER_CLASS
        result: dict[str, Any] = {
            "engine": engine_name,
            "size": len(articles),
            "build_s": build_s,
            "index_mb": engine.size_bytes() / 1e6,
            "loaded_rss_mb": loaded_rss,
            "latency_ms": time_queries(engine, latency_queries(records, per_class)),
        }
        if engine_name == "tantivy":
            result["junk_ms"] = time_junk(engine.service)
        result["peak_rss_mb"] = peak_rss_mb()
        if quality:
            from benchmarks.search_quality import evaluate

            result["quality"] = evaluate(engine, records)
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    out = run(sys.argv[1], int(sys.argv[2]), quality=len(sys.argv) > 3 and sys.argv[3] == "quality")
    sys.stdout.write(orjson.dumps(out).decode() + "\n")
