"""Stories in the product at 100,000 articles: rebuild from scratch, then assign one at a time.

The archive is the 31,403-article corpus repeated with new ids, titles and urls up to
100,000, published one a minute (so the 2-day window holds about 2,900 articles, as a busy
bot's would). Timed through StoryService, as the bot runs it: engine, records, journal. The rebuild is
one thread of pure Python (a second process analyses articles ahead of it: see
`bot.stories.analysis_worker`): its CPU time is given beside the wall time, which a shared
machine stretches. The digests of the stories file after the rebuild and after the single
assignments say whether two commits gave the same stories and headlines.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import load_corpus, median, percentile, repeat_corpus, table

SIZE = 100_000
SINGLES = 1_000
T0 = datetime(2026, 1, 1, tzinfo=UTC)


class _Unheard:
    """The store's reads without its listeners: the benchmark calls the service's itself."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __len__(self) -> int:
        return len(self._store)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._store)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)  # get, light, shared_ids: the store's own

    def add_listener(self, listener: Any) -> None:
        """Ignore: the benchmark calls the listener itself."""

    def add_removal_listener(self, listener: Any) -> None:
        """Ignore: nothing is removed here."""


def main() -> None:
    """Print rebuild time and one-article assignment at 100,000 articles."""
    from bot.archive.store import ArticleStore
    from bot.models import ArticleDraft
    from bot.stories.service import StoryService

    records = repeat_corpus(load_corpus(), SIZE + SINGLES)

    def draft(i: int) -> ArticleDraft:
        r = records[i]
        return ArticleDraft(
            title=r.get("title") or "",
            body=r.get("body") or "",
            url=r.get("url"),
            published=T0 + timedelta(minutes=i),
            source=r.get("source"),
            id=str(r["id"]),
        )

    with tempfile.TemporaryDirectory() as tmp:
        store = ArticleStore(Path(tmp), retention_days=0)
        store.initialize()
        for start in range(0, SIZE, 1000):
            store.add_many(draft(i) for i in range(start, min(start + 1000, SIZE)))
        # The service listens to a view of the store, so the benchmark can call its listener
        # itself and time exactly the stories' share of each one-article batch.
        service = StoryService(_Unheard(store), Path(tmp) / "stories")
        began, cpu = time.perf_counter(), time.thread_time()
        service.initialize()  # no stories file: every article is assigned, in arrival order
        rebuild, rebuild_cpu = time.perf_counter() - began, time.thread_time() - cpu
        stories = len(service)
        journal = Path(tmp) / "stories" / "stories.jsonl"
        built = _digest(journal)
        singles = []
        for i in range(SIZE, SIZE + SINGLES):
            [article] = store.add_many([draft(i)]).added or [None]
            if article is None:
                continue
            began = time.perf_counter()
            service.add_articles([article])  # what the store's listener does per batch
            singles.append(time.perf_counter() - began)
        service.shutdown()
        after = _digest(journal)
    print(f"{SIZE:,} articles (the corpus repeated with new ids, titles and urls), one a minute.\n")
    print(
        table(
            ["measure", "newsbrief", "target"],
            [
                [
                    "rebuild all stories, wall / CPU (s)",
                    f"{rebuild:.1f} / {rebuild_cpu:.1f} ({stories:,} stories)",
                    "≤ 60",
                ],
                [
                    f"assign one article at {SIZE:,}, median / p99 (ms, {len(singles)} runs)",
                    f"{1000 * median(singles):.2f} / {1000 * percentile(singles, 99):.2f}",
                    "median ≤ 2",
                ],
            ],
        )
    )
    print(f"\n(stories file digest after the rebuild {built}, after the single assigns {after})")


def _digest(path: Path) -> str:
    """Return a short digest of the stories file's records (its header line left out)."""
    # The header names each rewrite with a random snapshot token: hashed, no two runs agree.
    _, records = path.read_bytes().split(b"\n", 1)
    return hashlib.sha256(records).hexdigest()[:16]


if __name__ == "__main__":
    main()
