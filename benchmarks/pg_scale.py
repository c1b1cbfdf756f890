"""The archive on PostgreSQL beside the embedded store, at one size: import, open, search, digests.

Each backend runs in its own process (`python -m benchmarks.pg_scale one BACKEND N [URL]`):
it imports N articles of the repeated corpus through the store's `add_many` in batches of
1,000 with arrivals spread over 89 days (`benchmarks.scale_worker.drafts`, as
`make bench-scale` builds its data dirs), opens every service of the bot (building the
search index and the stories), then times what `make bench-scale` times in the bot's
process before it serves (`scale_worker.direct`): adding one article, 300 two-word searches
with a typo, and composing a digest for each of 10,000 subscribers. A second open (index and
stories already built) is the start of a restarted bot. The embedded run then copies its data
dir into an empty database as `newsbrief migrate` does. The PostgreSQL server is a throwaway
cluster (tests/pgkit.py) unless NEWSBRIEF_BENCH_DATABASE_URL names one.

`python -m benchmarks pg_scale` runs NEWSBRIEF_PG_SCALE_SIZE (default 100,000) articles; with
NEWSBRIEF_PG_SCALE_FROM=DIR (or `python -m benchmarks.pg_scale --from DIR`) it starts from that
built embedded data dir instead and migrates it (`benchmarks.pg_scale_from`: no rebuild).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from benchmarks.common import REPO, median, peak_rss_mb, percentile, table
from benchmarks.scale_worker import BATCH, SPAN, SUBSCRIBERS, _config, direct, drafts
from bot.archive.protocol import ArticleStoreLike
from bot.archive.store import ArticleStore
from bot.config import Config
from bot.models import ArticleDraft
from bot.pg.articles import PgArticleStore
from bot.pg.database import Database
from bot.services import open_services

SIZE = int(os.environ.get("NEWSBRIEF_PG_SCALE_SIZE", "100000"))
LABEL = {"tinydb": "embedded (files)", "postgresql": "PostgreSQL"}


def import_articles(store: ArticleStoreLike, size: int, clock: Any) -> float:
    """Add the drafts in batches of BATCH; return the seconds it took."""
    start = time.perf_counter()
    batch: list[ArticleDraft] = []
    for draft in drafts(size):
        batch.append(draft)
        if len(batch) == BATCH:
            store.add_many(batch)
            batch = []
    store.add_many(batch)
    clock.tick_stop = True
    return time.perf_counter() - start


class SpreadClock:
    """Arrival times spread over SPAN, one step per batch, ending now."""

    def __init__(self, size: int) -> None:
        self.end = datetime.now(UTC)
        self.step = SPAN / (size // BATCH + 1)
        self.n = 0
        self.tick_stop = False

    def __call__(self) -> datetime:
        if self.tick_stop:
            return datetime.now(UTC)
        self.n += 1
        return self.end - SPAN + self.step * self.n


def one(backend: str, size: int, url: str) -> dict[str, Any]:
    """Import, open twice and measure one backend; return the figures."""
    work = Path(tempfile.mkdtemp(prefix=f"pg-scale-{backend}-"))
    clock = SpreadClock(size)
    config: Config = _config(work)
    database = None
    if backend == "postgresql":
        config = replace(config, database_url=url)
        database = Database(url)
        database.open()
        store: ArticleStoreLike = PgArticleStore(database, retention_days=0, clock=clock)
    else:
        store = ArticleStore(work, retention_days=0, clock=clock)
    store.initialize()
    figures: dict[str, Any] = {"backend": backend, "import_s": import_articles(store, size, clock)}
    figures["articles"] = len(store)
    if database is not None:
        database.close()
    for name in ("first_open_s", "open_s"):  # the first builds the index and the stories
        start = time.perf_counter()
        services = open_services(config, write=True)
        figures[name] = time.perf_counter() - start
        if name == "open_s":
            services.warm_up()
            figures.update(direct(services))
        services.shutdown()
    figures["peak_rss_mb"] = peak_rss_mb()
    if backend == "tinydb":
        figures["migrate_s"] = migrate(work, url)
    shutil.rmtree(work, ignore_errors=True)
    return figures


def migrate(data_dir: Path, url: str) -> float:
    """Copy the data dir into the database as `newsbrief migrate` does; return the seconds."""
    from bot.pg.transfer import copy_articles

    source = ArticleStore(data_dir, retention_days=0, readonly=True)
    source.initialize()
    database = Database(url)
    database.open()
    target = PgArticleStore(database, retention_days=0)
    target.initialize()
    start = time.perf_counter()
    report = copy_articles(source, target, database)
    seconds = time.perf_counter() - start
    database.close()
    assert not report.missing and report.copied == len(source)
    return seconds


FIRST = "first open: index and stories built (s)"
FIRST_FROM = (
    "first open: files index and stories built, PostgreSQL index built, stories migrated (s)"
)


def rows(results: list[dict[str, Any]], first: str = FIRST) -> list[list[Any]]:
    """Return the table's rows, one column per backend."""

    def each(fn: Any) -> list[str]:
        return [fn(r) for r in results]

    def known(key: str, fn: Any) -> list[str]:
        return [fn(r) if key in r else "—" for r in results]

    ms = 1000.0
    return [
        ["articles stored", *each(lambda r: f"{r['articles']:,}")],
        ["import throughput, add_many of 1,000 (articles/s)",
         *known("import_s", lambda r: f"{r.get('import_n', r['articles']) / r['import_s']:,.0f}")],
        [first, *known("first_open_s", lambda r: f"{r['first_open_s']:.1f}")],
        ["open every service, built (s)", *each(lambda r: f"{r['open_s']:.1f}")],
        ["add one article in the bot (+ index, stories), median / p99 (ms)",
         *each(lambda r: f"{median(r['adds']) * ms:.1f} / {percentile(r['adds'], 99) * ms:.1f}")],
        ["search p50 / p99, 2 words one with a typo (ms)",
         *each(lambda r: f"{median(r['search']) * ms:.1f} / {percentile(r['search'], 99) * ms:.1f}")],
        [f"digest composition, {SUBSCRIBERS:,} subscribers (s)",
         *each(lambda r: f"{r['digest_s']:.1f}")],
        ["articles in the last 24 h (a digest's candidates)", *each(lambda r: f"{r['fresh']:,}")],
        ["`newsbrief migrate` of the files into PostgreSQL (articles/s)",
         *known("migrate_s", lambda r: f"{r['articles'] / r['migrate_s']:,.0f}")],
        ["peak RSS of the process (MB)", *each(lambda r: f"{r['peak_rss_mb']:.0f}")],
    ]  # fmt: skip


def built(size: int, urls: dict[str, str]) -> list[dict[str, Any]]:
    """Import and build `size` articles on each backend, each in its own process."""
    results = []
    for backend, url in urls.items():
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.pg_scale", "one", backend, str(size), url],
            cwd=REPO, capture_output=True, text=True, check=True,
        )  # fmt: skip
        results.append(orjson.loads(done.stdout.strip().splitlines()[-1]))
    return results


def main(source: Path | None = None) -> None:
    """Run both backends (built here at SIZE, or from a built dir) and print them side by side."""
    from benchmarks import pg_scale_from
    from tests.pgkit import server_bin, start_cluster, with_dbname

    if source is None and os.environ.get("NEWSBRIEF_PG_SCALE_FROM"):
        source = Path(os.environ["NEWSBRIEF_PG_SCALE_FROM"])
    cluster = None
    admin = os.environ.get("NEWSBRIEF_BENCH_DATABASE_URL")
    if admin is None:
        bin_dir = server_bin()
        if bin_dir is None:
            print("no PostgreSQL server binaries and no NEWSBRIEF_BENCH_DATABASE_URL: skipped")
            return
        cluster = start_cluster(bin_dir, durable=True)
        admin = cluster.admin_url
    try:
        import psycopg

        urls = {}
        for backend in ("tinydb", "postgresql"):  # the first one is `migrate`'s target
            name = f"bench_pg_scale_{backend}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}".encode())
                conn.execute(f"CREATE DATABASE {name} TEMPLATE template0".encode())
            urls[backend] = with_dbname(admin, name)
        results = pg_scale_from.measure(source, urls) if source else built(SIZE, urls)
    finally:
        if cluster is not None:
            cluster.shutdown()
    shape = rows(results, FIRST_FROM if source else FIRST)
    print(table(["measure", *(LABEL[r["backend"]] for r in results)], shape))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{results[0]['articles']:,} articles, one run, load average {load} at the end.")
    if source:
        print(pg_scale_from.footnote(source, results))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "one":
        out = one(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        sys.stdout.write(orjson.dumps(out).decode() + "\n")
    elif len(sys.argv) > 2 and sys.argv[1] == "--from":
        main(Path(sys.argv[2]))
    else:
        main()
