"""Feed polling: one cycle over 500 generated feeds on a loopback server, then an unchanged one.

The server runs in its own process so the CPU time is the poller's alone. All feeds
sit on one host (127.0.0.1), so the per-host limit (3 at a time) is the bottleneck
by design: the worst case of one publisher with many feeds.
"""

from __future__ import annotations

import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import REPO, median, peak_rss_mb, percentile, table
from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.feeds import FeedService, PollResult
from bot.ingest.feedparse import parse_feed
from tests.feeddocs import generate_feed

FEEDS = 500
ITEMS = 20


@dataclass
class Cycle:
    """What one poll cycle cost and did."""

    name: str
    wall: float
    cpu: float
    latencies: list[float]
    results: list[PollResult]
    requests: int
    conditional: int
    not_modified: int
    rss_mb: float

    def row(self) -> list[object]:
        """Return the table row."""
        new = sum(len(r.added) for r in self.results)
        errors = sum(r.outcome == "error" for r in self.results)
        return [
            self.name,
            f"{self.wall:.2f}",
            f"{self.cpu:.2f}",
            f"{median(self.latencies) * 1000:.0f}",
            f"{percentile(self.latencies, 99) * 1000:.0f}",
            self.requests,
            self.conditional,
            self.not_modified,
            new,
            errors,
            f"{self.rss_mb:.0f}",
        ]


def start_server() -> tuple[subprocess.Popen[str], str]:
    """Start tests.feedserver in a child process and return it with its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.feedserver", "--items", str(ITEMS)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


async def cycle(service: FeedService, name: str) -> Cycle:
    """Poll every feed once through poll_all, as `newsbrief feeds poll` does."""
    stats = service.fetcher.stats
    before = (stats.requests, stats.conditional, stats.not_modified)
    wall, cpu = time.perf_counter(), time.process_time()
    results = await service.poll_all()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = (stats.requests, stats.conditional, stats.not_modified)
    counts = [b - a for a, b in zip(before, after, strict=True)]
    latencies = [r.seconds for r in results]
    return Cycle(name, wall, cpu, latencies, results, *counts, peak_rss_mb())


async def run(base_url: str, data_dir: Path) -> list[Cycle]:
    """Register the feeds and run the two cycles."""
    store = ArticleStore(data_dir)
    store.initialize()
    users = EmbeddedUserTables(data_dir)
    users.initialize()
    service = FeedService(store, users, allow_private=True)
    await service.initialize()
    try:
        service.seed_feeds(f"{base_url}/gen/{n}.xml" for n in range(FEEDS))
        first = await cycle(service, "1st cycle (all new)")
        second = await cycle(service, "2nd cycle (unchanged)")
        lookups(service, f"{base_url}/gen/{FEEDS - 1}.xml")
    finally:
        await service.shutdown()
        users.shutdown()
        store.shutdown()
    return [first, second]


def lookups(service: FeedService, url: str) -> None:
    """Print a feed found by URL (/addfeed's and /removefeed's check, on the loop) beside by id."""
    status = service.get_feed(url)
    assert status is not None
    by_url, by_id = [], []
    for _ in range(21):
        start = time.perf_counter()
        service.get_feed(url)  # the last feed: the whole table is compared
        by_url.append(time.perf_counter() - start)
        start = time.perf_counter()
        service.get_feed(status.id)
        by_id.append(time.perf_counter() - start)
    url_ms, id_ms = median(by_url) * 1000, median(by_id) * 1000
    print(
        f"a feed found by URL among {FEEDS}: {url_ms:.3f} ms median (by id, the anchor: {id_ms:.3f} ms)"
    )


def parse_only_anchor() -> list[object]:
    """Parse the same 500 documents with no HTTP and no store: the floor for the first cycle."""
    docs = [generate_feed(n, ITEMS) for n in range(FEEDS)]
    now = datetime.now(UTC)
    latencies: list[float] = []
    wall, cpu = time.perf_counter(), time.process_time()
    for doc in docs:
        start = time.perf_counter()
        parse_feed(doc, fetched_at=now)
        latencies.append(time.perf_counter() - start)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    p50, p99 = median(latencies) * 1000, percentile(latencies, 99) * 1000
    rss = f"{peak_rss_mb():.0f}"
    timings = [f"{wall:.2f}", f"{cpu:.2f}", f"{p50:.1f}", f"{p99:.1f}"]
    return ["anchor: parse only, in-process", *timings, "-", "-", "-", "-", "-", rss]


def main() -> None:
    """Print the two cycles and the parse-only anchor side by side."""
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    proc, base_url = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cycles = asyncio.run(run(base_url, Path(tmp)))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    headers = ["run", "wall s", "CPU s", "p50 ms/feed", "p99 ms/feed", "requests"]
    headers += ["conditional", "304s", "new articles", "errors", "peak RSS MB"]
    rows = [c.row() for c in cycles] + [parse_only_anchor()]
    print(f"{FEEDS} feeds x {ITEMS} items, one loopback host, 3 requests per host at a time;")
    print("ms/feed = fetch + parse of one feed, waiting for a free host slot included")
    print(f"(RSS before start: {start_rss:.0f} MB)\n")
    print(table(headers, rows))
    second = cycles[1]
    all_conditional = second.requests == second.conditional == second.not_modified == FEEDS
    verdict = "met" if all_conditional and not any(r.added for r in second.results) else "MISSED"
    print(f"\nTarget (2nd cycle: only conditional requests, all 304, 0 new): {verdict}")


if __name__ == "__main__":
    main()
