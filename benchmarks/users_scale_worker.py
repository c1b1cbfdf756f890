"""One step of `python -m benchmarks users_scale` in its own process (so RSS is that step's).

Usage: articles DIR | users DIR N | serve DIR URL OUT. Like `scale_worker.py` it runs as a
file with PYTHONPATH naming the checkout measured, so the same code writes and serves
subscribers with this branch's users tables or with main's users.json.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from benchmarks.common import load_corpus, peak_rss_mb
from benchmarks.scale_worker import _anchor_limiter, _config, rss_parts_mb
from bot.digests.records import ChatSettings, Subscription
from bot.models import ArticleDraft
from bot.services import open_services

ARTICLES = 3000  # a day of news: a digest's candidates
SENT = 300  # a full sent map (bot.digests.records.MAX_SENT)
STORY_POOL = 5000  # story ids the sent maps draw from
TOPICS = ("", "", "", "", "", "", "", "oil prices", "football", "governmnet")  # 70% all news


def articles(data_dir: Path) -> dict[str, Any]:
    """Fill a data dir with a day of articles (index and stories built as they arrive)."""
    records = load_corpus()[:ARTICLES]
    now = datetime.now(UTC)
    services = open_services(_config(data_dir), write=True)
    try:
        services.store.add_many(
            ArticleDraft(
                title=r.get("title") or "",
                body=r.get("body") or "",
                url=r.get("url"),
                id=r["id"],
                source=r.get("source"),
                published=now - timedelta(hours=20) + timedelta(seconds=20 * n),
            )
            for n, r in enumerate(records)
        )
    finally:
        services.shutdown()
    return {"articles": len(records)}


def _subscriptions(count: int) -> list[Subscription]:
    """Return `count` subscriptions (one chat each) with full sent maps."""
    rng = random.Random(11)
    pool = [f"s{rng.getrandbits(40):010x}" for _ in range(STORY_POOL)]
    now = datetime.now(UTC)
    created, cursor = now - timedelta(days=30), now - timedelta(hours=22)
    try:  # this branch packs sent maps; main kept a dict
        from bot.digests.sentmap import SentMap as pack
    except ImportError:
        pack = dict  # type: ignore[assignment,misc]
    return [
        Subscription(
            f"{n:08x}",
            n + 1,
            TOPICS[n % len(TOPICS)],
            (now.hour + 2 + n % 20) % 24,  # due 2 to 21 hours from now: none during the run
            (n * 7) % 60,
            "UTC",
            created,
            cursor=cursor,  # a digest covers the day of news
            last_due=now,  # none missed: the bot sends nothing while measured
            sent=pack((s, rng.randrange(1, 40)) for s in rng.sample(pool, SENT)),
        )
        for n in range(count)
    ]


def users(data_dir: Path, count: int) -> dict[str, Any]:
    """Write `count` subscribers (subscription with a full sent map, chat settings) in one go."""
    subs = _subscriptions(count)
    chats = [ChatSettings(s.chat_id, zone="UTC", lang="en") for s in subs]
    start = time.perf_counter()
    services = open_services(_config(data_dir), write=True)
    try:
        services.digests.subs.add_many(subs)
        tables = services.users
        if hasattr(tables, "put_many"):
            tables.put_many("chats", {str(c.chat_id): c.to_doc() for c in chats})
        else:  # main's UserDB
            table = tables.table("chats")
            tables.call(table.insert_multiple, [c.to_doc() for c in chats])
    finally:
        services.shutdown()
    size = sum(p.stat().st_size for p in data_dir.glob("users*") if p.is_file())
    size += sum(p.stat().st_size for p in (data_dir / "users").glob("*") if p.is_file())
    return {"write_s": time.perf_counter() - start, "users_mb": size / 2**20}


def _vm_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def compose_all(services: Any) -> float:
    """Compose every chat's digest as of now (not sent); return the seconds it took."""
    from bot.digests.contents import compose
    from bot.memo import Memo

    by_chat: dict[int, list[Subscription]] = {}
    for sub in services.digests.subs.all():
        by_chat.setdefault(sub.chat_id, []).append(sub)
    now, cache = datetime.now(UTC), Memo(512)
    start = time.perf_counter()
    for chat, subs in by_chat.items():
        compose(chat, subs, services.store, services.search, services.stories, now, cache=cache)
    return time.perf_counter() - start


def subscribe_direct(services: Any, count: int = 200) -> list[float]:
    """Time DigestService.subscribe plus its fsynced write, one after another, on a loop."""

    async def run() -> list[float]:
        from telegram.ext import Application

        app = Application.builder().token("1:direct").updater(None).build()
        assert app.job_queue is not None
        services.digests.jobs.attach(app.job_queue)  # jobs are scheduled, never run here
        times = []
        for n in range(count):
            start = time.perf_counter()
            await services.digests.subscribe(7_000_000 + n, f"direct {n}", (9, 30), None)
            times.append(time.perf_counter() - start)
        return times

    return asyncio.run(run())


def serve(data_dir: Path, url: str, out: Path) -> None:
    """Open the bot (timed), compose every digest, serve until SIGTERM, write the figures."""
    from bot.app.wiring import build_application, running

    config = _config(data_dir, url)
    start = time.perf_counter()
    services = open_services(config, write=True)
    figures: dict[str, Any] = {"open_s": time.perf_counter() - start}
    figures["open_rss_mb"] = _vm_rss_mb()
    figures["open_peak_mb"] = peak_rss_mb()
    figures["subscribers"] = len(services.digests.subs.all())
    figures["compose_s"] = compose_all(services)
    figures["direct"] = subscribe_direct(services)
    limiter = _anchor_limiter()

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        app = build_application(config, services, rate_limiter=limiter, own_services=False)
        async with running(app, poll_timeout=1):
            (out.with_suffix(".ready")).write_bytes(orjson.dumps(figures))
            await stop.wait()
        figures["exit_rss"] = rss_parts_mb()

    try:
        asyncio.run(run())
    finally:
        services.shutdown()
    figures["peak_rss_mb"] = peak_rss_mb()
    out.write_bytes(orjson.dumps(figures))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if sys.argv[1] == "articles":
        print(orjson.dumps(articles(Path(sys.argv[2]))).decode())
    elif sys.argv[1] == "users":
        print(orjson.dumps(users(Path(sys.argv[2]), int(sys.argv[3]))).decode())
    else:
        serve(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
