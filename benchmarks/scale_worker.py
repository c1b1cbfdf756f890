"""One step of `make bench-scale` in its own process, so each peak RSS is that step's alone.

Usage (see `benchmarks.scale.step`): build DIR N | open DIR | serve DIR URL OUT. It runs as a file
(runpy) from a neutral directory with PYTHONPATH naming the checkout to measure, so the
same code measures this branch or the main it branched from (`bot` comes from there).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import random
import signal
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from benchmarks.common import load_corpus, peak_rss_mb
from bot.archive.store import ArticleStore
from bot.config import Config
from bot.models import ArticleDraft
from bot.services import open_services

TOKEN = "4242:scale-token"
SPAN = timedelta(days=89)  # arrivals spread over a retention period, ending now
BATCH = 1000
ADDS = 60
QUERIES = 300
SUBSCRIBERS = 10_000
TOPICS = ("", "", "", "", "", "", "", "oil prices", "football", "governmnet")  # 70% all news


def rss_parts_mb() -> dict[str, float]:
    """Return resident memory now, anonymous and file-mapped, in MB (here: `benchmarks.common` is
    the measured checkout's, which may predate this helper).

    File-mapped pages (the search index tantivy maps) count in RSS but are page cache the
    kernel can drop under pressure; anonymous ones are the heap.
    """
    parts = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("RssAnon", "RssFile"):
            parts[name] = int(value.split()[0]) / 1024
    return parts


def drafts(size: int) -> Iterator[ArticleDraft]:
    """Yield `size` drafts: the shared corpus, then copies with new ids, titles and URLs."""
    records = load_corpus()
    made = 0
    for round_no in range(size // len(records) + 1):
        for rec in records:
            if made >= size:
                return
            suffix = f" ({round_no})" if round_no else ""
            url = rec.get("url")
            yield ArticleDraft(
                title=f"{rec.get('title') or ''}{suffix}".strip(),
                body=rec.get("body") or "",
                url=f"{url}?copy={round_no}" if url and round_no else url,
                id=f"{rec['id']}~r{round_no}" if round_no else rec["id"],
                source=rec.get("source"),
            )
            made += 1


def build(data_dir: Path, size: int) -> dict[str, Any]:
    """Import `size` articles in batches (arrivals spread over SPAN), then build the index."""
    end = datetime.now(UTC)
    batches = size // BATCH + 1
    tick = iter(range(batches + 10))
    step = SPAN / batches

    def clock() -> datetime:
        return end - SPAN + step * next(tick)

    store = ArticleStore(data_dir, retention_days=0, clock=clock)
    store.initialize()
    start = time.perf_counter()
    batch: list[ArticleDraft] = []
    for draft in drafts(size):
        batch.append(draft)
        if len(batch) == BATCH:
            store.add_many(batch)
            batch = []
    store.add_many(batch)
    import_s = time.perf_counter() - start
    count = len(store)
    store.shutdown()
    del store
    start = time.perf_counter()
    services = open_services(_config(data_dir), write=True)
    services.shutdown()
    return {
        "articles": count,
        "import_s": import_s,
        "index_s": time.perf_counter() - start,
        "build_rss_mb": peak_rss_mb(),
    }


def open_stories(store: ArticleStore, data_dir: Path) -> dict[str, Any]:
    """Open the story service read-only on the open store, then restore its engine (the
    warm-up); nothing on a checkout without stories."""
    try:
        from bot.stories.service import StoryService
    except ImportError:
        return {}
    start = time.perf_counter()
    stories = StoryService(store, data_dir / "stories", readonly=True)
    stories.initialize()
    figures: dict[str, Any] = {"stories_open_s": time.perf_counter() - start}
    figures["stories_rss_mb"] = peak_rss_mb()
    start = time.perf_counter()
    stories.warm_up()
    figures["warm_up_s"] = time.perf_counter() - start
    figures["stories"] = len(stories)
    stories.shutdown()
    return figures


def open_store(data_dir: Path) -> dict[str, Any]:
    """Open the store alone: open time, peak RSS right after, then add-one without listeners
    (the stories, opened after the store's figures, listen only while they are measured)."""
    start = time.perf_counter()
    store = ArticleStore(data_dir, retention_days=0)
    store.initialize()
    figures: dict[str, Any] = {"store_open_s": time.perf_counter() - start}
    figures["store_rss_mb"] = peak_rss_mb()
    figures.update(open_stories(store, data_dir))
    store.shutdown()  # drops the stories' listeners: the probes below are the store's alone
    # The probes go only to the newest segment: put its files back after, so the index built
    # at import stays in step with the store (else the bot would rebuild it on open).
    articles = data_dir / "articles"
    names = sorted(p for p in articles.iterdir() if p.name.startswith("segment-"))
    known = set(names)
    saved = {p: p.read_bytes() for p in names[-2:]}  # .json and .jsonl (on main: two .json)
    adds = []
    for n in range(ADDS):
        draft = ArticleDraft(title=f"Store probe {n} {time.time()}", body=f"Store probe body {n}.")
        start = time.perf_counter()
        store.add_many([draft])
        adds.append(time.perf_counter() - start)
    figures["store_adds"] = adds
    store.shutdown()
    for path in articles.iterdir():
        if path.name.startswith("segment-") and path not in known:
            path.unlink()
    for path, raw in saved.items():
        path.write_bytes(raw)
    return figures


def _config(data_dir: Path, url: str = "") -> Config:
    return Config(
        data_dir=data_dir,
        token=TOKEN if url else None,
        api_base_url=url or "https://api.telegram.org/bot",
        retention_days=0,
        seeds_dir=data_dir / "no-seeds",
        rate_limit=0,
    )


def queries(services: Any, rng: random.Random) -> list[str]:
    """Return 2-word queries from stored titles, one word of each with a typo (two letters swapped)."""
    out = []
    for article in services.store.latest(4000):
        words = [w for w in article.title.split() if len(w) > 4 and w.isalpha()]
        if len(words) >= 2:
            a, b = rng.sample(words, 2)
            i = rng.randrange(1, len(b) - 2)
            out.append(f"{a} {b[:i]}{b[i + 1]}{b[i]}{b[i + 2 :]}")
    return out[:QUERIES]


def direct(services: Any) -> dict[str, Any]:
    """Time add-one, search and digest composition in the bot's process, before it serves."""
    try:
        from bot.digests.contents import compose
    except ImportError:  # a base checkout from before the module's rename (compose -> contents)
        from bot.digests.compose import compose  # type: ignore[no-redef]
    from bot.digests.records import Subscription

    rng = random.Random(5)
    adds = []
    for n in range(ADDS):
        draft = ArticleDraft(title=f"Scale probe {n} {rng.random()}", body=f"Probe body {n}.")
        start = time.perf_counter()
        services.store.add_many([draft])
        adds.append(time.perf_counter() - start)
    search = []
    for query in queries(services, rng):
        start = time.perf_counter()
        services.search.search(query, limit=10)
        search.append(time.perf_counter() - start)
    now = datetime.now(UTC)
    cache: Any = {}
    with contextlib.suppress(ImportError):  # a tree with bot/memo.py caches through it
        from bot.memo import Memo

        cache = Memo(512)
    # Main's compose() takes the story service since stories landed; the branch point's did not.
    stories = [services.stories] if "stories" in inspect.signature(compose).parameters else []
    start = time.perf_counter()
    for chat in range(SUBSCRIBERS):
        sub = Subscription(f"{chat:08x}", chat + 1, TOPICS[chat % len(TOPICS)], 7, 0, "UTC", now)
        compose(chat + 1, [sub], services.store, services.search, *stories, now, cache=cache)
    digest_s = time.perf_counter() - start
    fresh = len(services.store.added_since(now - timedelta(hours=24)))
    return {"adds": adds, "search": search, "digest_s": digest_s, "fresh": fresh}


def _anchor_limiter() -> Any:
    """Return None (the bot's own SendLimiter) where the checkout has one, else what main used.

    Main before issue 13 had no limiter of its own: the benchmark gave it PTB's, retrying 429s.
    """
    try:
        import bot.app.sendlimit  # noqa: F401
    except ImportError:
        from telegram.ext import AIORateLimiter

        return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
    return None


def serve(data_dir: Path, url: str, out: Path) -> None:
    """The bot process: open, measure directly, serve until SIGTERM, write the figures to out."""
    from bot.app.wiring import build_application, running

    config = _config(data_dir, url)
    start = time.perf_counter()
    services = open_services(config, write=True)
    figures: dict[str, Any] = {
        "open_s": time.perf_counter() - start,
        "articles": len(services.store),
    }
    figures.update(direct(services))
    ids = [a.id for a in services.store.latest(20_000)]
    figures["sample_ids"] = random.Random(3).sample(ids, min(len(ids), 400))
    limiter = _anchor_limiter()

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        app = build_application(config, services, rate_limiter=limiter, own_services=False)
        async with running(app, poll_timeout=1):
            (out.with_suffix(".ready")).write_bytes(orjson.dumps(figures))
            await stop.wait()
        figures["exit_rss"] = rss_parts_mb()  # serving done, the services still open

    try:
        asyncio.run(run())
    finally:
        services.shutdown()
    figures["peak_rss_mb"] = peak_rss_mb()
    figures["bot_file"] = sys.modules["bot"].__file__
    out.write_bytes(orjson.dumps(figures))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if sys.argv[1] == "build":
        print(orjson.dumps(build(Path(sys.argv[2]), int(sys.argv[3]))).decode())
    elif sys.argv[1] == "open":
        print(orjson.dumps(open_store(Path(sys.argv[2]))).decode())
    else:
        serve(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
