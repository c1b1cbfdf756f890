"""Search with PostgreSQL: each process's tantivy index fed from the table, or PostgreSQL's FTS?

Issue #25 asks to choose by measurement. Both candidates run over the same `articles` table,
filled through `PgArticleStore.add_many` (the import path; its rate is printed), beside this
project's engine over files (`benchmarks.search_engines`' tantivy) as the anchor of the run:

- "tantivy fed from the table": what a process does on PostgreSQL. `PgArticleStore` loads
  its light entries, then `SearchService.initialize` builds the index from the table
  (`catch_up` keeps it in step afterwards). Queries go through `SearchService.search` with
  typo tolerance, prefixes and snippets, exactly as on files.
- "PostgreSQL FTS": a stored generated `tsvector` (title weight A, body B, the 'english'
  configuration: the corpus is English; a deployment would need one per article language),
  a GIN index, `websearch_to_tsquery`, `ts_rank_cd` and `ts_headline` for the 10 shown.

Each engine runs in its own process (peak RSS is its own). The server is a throwaway cluster
(tests/pgkit.py) unless NEWSBRIEF_BENCH_DATABASE_URL names one (its user creates databases).
Run alone: `python -m benchmarks search_pg`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from benchmarks.common import (
    REPO,
    load_corpus,
    median,
    peak_rss_mb,
    percentile,
    repeat_corpus,
    table,
)
from benchmarks.search import CLASSES, QUALITY_HEADERS, measure
from benchmarks.search_engines import QUERIES_PER_CLASS, latency_queries, time_queries
from bot.models import ArticleDraft
from bot.pg.articles import PgArticleStore
from bot.pg.database import Database

SIZES = (31_403, 100_000)
BATCH = 2000
LABEL = {
    "tantivy": "tantivy over files (anchor)",
    "tantivy-pg": "tantivy fed from the table",
    "postgres": "PostgreSQL FTS",
}
FTS_BUILD = (
    "ALTER TABLE articles ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    " setweight(to_tsvector('english', title), 'A') ||"
    " setweight(to_tsvector('english', body), 'B')) STORED;"
    " CREATE INDEX articles_tsv ON articles USING gin (tsv); ANALYZE articles;"
)
FTS_QUERY = (
    "SELECT id, ts_headline('english', body, q, 'MaxFragments=1, MaxWords=24, MinWords=12')"
    " FROM (SELECT id, body, q FROM articles, websearch_to_tsquery('english', %s) q"
    " WHERE tsv @@ q ORDER BY ts_rank_cd(tsv, q) DESC LIMIT 10) top"
)


def drafts(records: list[dict[str, Any]]) -> list[ArticleDraft]:
    """Return the corpus records as drafts keeping their ids (the known-item set asks by id)."""
    from benchmarks.search_corpus import to_article

    out = []
    for rec in records:
        a = to_article(rec)
        out.append(
            ArticleDraft(a.title, a.body, a.url, a.published, a.source, a.category, None, a.id)
        )
    return out


def fill(url: str, records: list[dict[str, Any]]) -> dict[str, float]:
    """Import the records through PgArticleStore.add_many; return the count and the rate."""
    database = Database(url, max_size=2)
    database.open()
    store = PgArticleStore(database, retention_days=0)
    store.initialize()
    batch = drafts(records)
    start = time.perf_counter()
    for at in range(0, len(batch), BATCH):
        store.add_many(batch[at : at + BATCH])
    seconds = time.perf_counter() - start
    stored = len(store)
    database.close()
    return {"stored": stored, "import_s": seconds, "per_s": stored / seconds}


class TantivyFromTable:
    """SearchService over PgArticleStore: a process opening on PostgreSQL."""

    def build(self, url: str, workdir: Path) -> None:
        """Load the store's entries and build the index from the table."""
        from bot.search import SearchService

        self.database = Database(url, max_size=2)
        self.database.open()
        store = PgArticleStore(self.database, retention_days=0)
        store.initialize()
        self.service = SearchService(store, workdir / "index")
        self.service.initialize()

    def search(self, words: list[str]) -> list[str]:
        """Return the ids of the top 10."""
        return [h.article.id for h in self.service.search(" ".join(words)).hits]

    def suggest(self, words: list[str]) -> str | None:
        """Return the did-you-mean of a query."""
        return self.service.search(" ".join(words)).did_you_mean


class PostgresFts:
    """PostgreSQL's full-text search over the same table."""

    def build(self, url: str, workdir: Path) -> None:
        """Add the tsvector column and its GIN index."""
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute(FTS_BUILD.encode())

    def search(self, words: list[str]) -> list[str]:
        """Return the ids of the top 10 (every word must match), with their snippets."""
        return [row[0] for row in self.conn.execute(FTS_QUERY, (" ".join(words),))]


def run_engine(name: str, size: int, url: str) -> dict[str, Any]:
    """Build one engine over the filled database and measure it (in this process)."""
    records = load_corpus()
    records = repeat_corpus(records, size) if size > len(records) else records[:size]
    engine: TantivyFromTable | PostgresFts = (
        TantivyFromTable() if name == "tantivy-pg" else PostgresFts()
    )
    with tempfile.TemporaryDirectory(prefix="search-pg-") as workdir:
        start = time.perf_counter()
        engine.build(url, Path(workdir))
        result: dict[str, Any] = {
            "engine": name,
            "size": size,
            "build_s": time.perf_counter() - start,
        }
        result["latency_ms"] = time_queries(engine, latency_queries(records, QUERIES_PER_CLASS))
        result["peak_rss_mb"] = peak_rss_mb()
        if size == SIZES[0]:
            from benchmarks.search_quality import evaluate

            result["quality"] = evaluate(engine, records)
    return result


def measure_pg(name: str, size: int, url: str) -> dict[str, Any]:
    """Run one engine in a fresh interpreter and return its measurements."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.search_pg", name, str(size), url],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = orjson.loads(done.stdout.strip().splitlines()[-1])
    return result


def rows_of(results: list[dict[str, Any]], fills: dict[int, dict[str, float]]) -> list[list[Any]]:
    """Return one latency row per engine run."""
    out = []
    for r in results:
        lat = r["latency_ms"]
        every = [v for c in CLASSES for v in lat[c]]
        out.append(
            [LABEL[r["engine"]], f"{r['size']:,}", f"{r['build_s']:.1f}",
             f"{r['peak_rss_mb']:.0f}",
             *(f"{median(lat[c]):.2f} / {percentile(lat[c], 99):.2f}" for c in CLASSES),
             f"{percentile(every, 99):.2f}"]
        )  # fmt: skip
    return out


def quality_rows(results: list[dict[str, Any]]) -> list[list[Any]]:
    """Return the known-item figures of the runs that measured them."""
    rows = []
    for r in results:
        q = r.get("quality")
        if q:
            offered = f"{q['offered']:.1%} / {q['restored']:.1%}" if q.get("offered") else "-"
            rows.append(
                [LABEL[r["engine"]], q["n"], f"{q['clean']:.1%}", f"{q['misspelt']:.1%}",
                 f"{q['clean_title']:.1%} / {q['misspelt_title']:.1%}", offered]
            )  # fmt: skip
    return rows


def main() -> None:
    """Fill a database per size, measure the three engines, print the tables."""
    from tests.pgkit import server_bin, start_cluster, with_dbname

    cluster = None
    admin = os.environ.get("NEWSBRIEF_BENCH_DATABASE_URL")
    if admin is None:
        bin_dir = server_bin()
        if bin_dir is None:
            print("no PostgreSQL server binaries and no NEWSBRIEF_BENCH_DATABASE_URL: skipped")
            return
        cluster = start_cluster(bin_dir)
        admin = cluster.admin_url
    results: list[dict[str, Any]] = []
    fills: dict[int, dict[str, float]] = {}
    try:
        import psycopg

        for size in SIZES:
            name = f"bench_search_{size}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}".encode())
                conn.execute(f"CREATE DATABASE {name} TEMPLATE template0".encode())
            url = with_dbname(admin, name)
            records = load_corpus()
            records = repeat_corpus(records, size) if size > len(records) else records[:size]
            fills[size] = fill(url, records)
            results.append(measure("tantivy", size, quality=size == SIZES[0]))
            results.extend(measure_pg(engine, size, url) for engine in ("tantivy-pg", "postgres"))
    finally:
        if cluster is not None:
            cluster.shutdown()
    print(table(["articles", "stored", "import s", "articles/s (add_many, batches of 2000)"],
                [[f"{s:,}", f"{f['stored']:,.0f}", f"{f['import_s']:.1f}", f"{f['per_s']:,.0f}"]
                 for s, f in fills.items()]))  # fmt: skip
    print()
    headers = ["engine", "articles", "build s", "peak RSS MB",
               *(f"{c} p50 / p99 ms" for c in CLASSES), "p99 all ms"]  # fmt: skip
    print(table(headers, rows_of(results, fills)))
    print(f"\n{QUERIES_PER_CLASS} queries per class from random titles (fixed seed).")
    print(f"\nKnown-item search, {SIZES[0]:,} articles (2-3 rare title words, top 5):\n")
    print(table(QUALITY_HEADERS, quality_rows(results)))


if __name__ == "__main__":
    if len(sys.argv) > 3:
        out = run_engine(sys.argv[1], int(sys.argv[2]), sys.argv[3])
        sys.stdout.write(orjson.dumps(out).decode() + "\n")
    else:
        main()
