"""Event loop under a feed cycle: /search through the bot while 10,000 new articles commit.

The bot runs in its own process on a 20,000-article store (the shared corpus), long-polling
the local Bot API server in this process, as in `benchmarks/bot.py`. A loopback feed server
(tests/feedserver.py, its own process) serves 20 generated feeds of 500 items. Probes: one
`/search` every 1/PROBE_RATE s from changing users, timed from queuing the update to the
reply reaching the server; first with the bot idle, then while an admin-triggered
`poll_all()` fetches, parses and commits the 10,000 new articles (store and index). Target
(issue 13): p99 during the commit ≤ 2 × idle p99 and ≤ 100 ms.

Usage: `python -m benchmarks loop`; the bot side is `python -m benchmarks.loop serve DIR URL FEEDS`.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import REPO, load_corpus, median, percentile, table
from bot.archive.store import ArticleStore
from bot.config import Config
from bot.ingest.importer import import_paths
from bot.services import open_services
from bot.tgserver import Limits, LocalBotApiServer, UserClient

BASE_ARTICLES = 20_000
FEEDS = 20
ITEMS = 500  # per feed: 10,000 new articles in one cycle
PROBE_RATE = 20.0  # /search probes a second
IDLE_PROBES = 200
ADMIN = 1
TOKEN = "4343:bench-token"


def prepare(data_dir: Path) -> list[str]:
    """Import the first BASE_ARTICLES corpus records and build the index; return queries."""
    import orjson

    records = load_corpus()[:BASE_ARTICLES]
    source = data_dir.parent / "base.jsonl"
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    store = ArticleStore(data_dir, retention_days=0)
    store.initialize()
    import_paths(store, [source])
    store.shutdown()
    services = open_services(_config(data_dir, ""), write=True)  # builds the index
    services.shutdown()
    rng = random.Random(5)
    words = [
        w.strip(".,:;'\"()")
        for r in rng.sample(records, 2000)
        for w in str(r.get("title") or "").split()
    ]
    return [w for w in words if len(w) > 3 and w.isalpha()]


def _config(data_dir: Path, base_url: str) -> Config:
    return Config(
        data_dir=data_dir,
        token=TOKEN,
        api_base_url=base_url or "http://127.0.0.1:9/bot",
        admins=frozenset({ADMIN}),
        retention_days=0,
        seeds_dir=data_dir / "no-seeds",
        allow_private_feeds=True,
        rate_limit=0,
    )


def serve(data_dir: str, base_url: str, feeds_url: str) -> None:
    """The bot process: like `newsbrief run`, plus /cycle, which polls every feed once."""
    from telegram import Update
    from telegram.ext import ApplicationHandlerStop, CommandHandler

    from bot.app.context import NewsContext
    from bot.app.wiring import build_application, running

    config = _config(Path(data_dir), base_url)
    services = open_services(config, write=True)
    services.feeds.seed_feeds([f"{feeds_url}/gen/{n}.xml" for n in range(FEEDS)])

    async def cycle(update: Update, context: NewsContext) -> None:
        async def run_and_report() -> None:
            results = await services.feeds.poll_all()
            added = sum(len(r.added) for r in results)
            errors = sorted({str(r.error) for r in results if r.outcome == "error"})
            note = f", errors: {'; '.join(errors)}" if errors else ""
            await context.bot.send_message(ADMIN, f"cycle done: {added} new{note}")

        context.application.create_task(run_and_report())
        raise ApplicationHandlerStop  # not for the unknown-command fallback

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        app = build_application(config, services, own_services=False)
        app.add_handler(CommandHandler("cycle", cycle), group=-10)
        await services.feeds.initialize()
        async with running(app, poll_timeout=1):
            assert app.job_queue is not None
            for job in app.job_queue.jobs():  # only /cycle polls: all 10,000 items in one go
                if str(job.name).startswith("feed:"):
                    job.schedule_removal()
            await stop.wait()
        await services.feeds.shutdown()

    try:
        asyncio.run(run())
    finally:
        services.shutdown()


async def _probe(user: UserClient, query: str) -> float:
    start = time.perf_counter()
    await user.send(f"/search {query}")
    await user.wait_replies(1, timeout=60)
    return (time.perf_counter() - start) * 1000


async def probes(
    users: list[UserClient], queries: list[str], until: asyncio.Future[None] | int
) -> list[float]:
    """Send probes at PROBE_RATE until `until` resolves (or `until` probes); return latencies."""
    rng = random.Random(23)
    tasks: list[asyncio.Task[float]] = []
    n = 0
    while (n < until) if isinstance(until, int) else not until.done():
        user = users[n % len(users)]
        tasks.append(asyncio.create_task(_probe(user, rng.choice(queries))))
        n += 1
        await asyncio.sleep(1 / PROBE_RATE)
    return list(await asyncio.gather(*tasks))


async def measure(
    data_dir: Path, queries: list[str], feeds_url: str
) -> tuple[list[float], list[float], str, float]:
    """Return idle latencies, latencies during the cycle, the cycle's report and its seconds."""
    server = LocalBotApiServer(token=TOKEN, limits=Limits())
    await server.start()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.loop",
        "serve",
        str(data_dir),
        server.base_url,
        feeds_url,
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env)  # noqa: ASYNC220 - waited for below
    try:
        admin = server.user(ADMIN)
        await admin.send("/start")
        await admin.wait_replies(1, timeout=300)
        users = [server.user(50_000 + n) for n in range(100)]
        for user in users[:20]:  # warm up
            await _probe(user, queries[0])
        idle = await probes(users, queries, IDLE_PROBES)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        await admin.send("/cycle")

        async def watch() -> str:
            (reply,) = await admin.wait_replies(1, timeout=600)
            done.set_result(None)
            return reply.text

        watcher = asyncio.create_task(watch())
        during = await probes(users, queries, done)
        report = await watcher
        return idle, during, report, time.perf_counter() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 60)
        await server.stop()


def main() -> None:
    """Print the table: idle and during-commit /search latency, same run."""
    feed_proc = subprocess.Popen(
        [sys.executable, "-m", "tests.feedserver", "--items", str(ITEMS)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert feed_proc.stdout is not None
    feeds_url = feed_proc.stdout.readline().strip()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = Path(tmp) / "data"
            queries = prepare(data_dir)
            idle, during, report, seconds = asyncio.run(measure(data_dir, queries, feeds_url))
    finally:
        feed_proc.terminate()
        feed_proc.wait()
    idle_p99, during_p99 = percentile(idle, 99), percentile(during, 99)
    ok = during_p99 <= 2 * idle_p99 and during_p99 <= 100
    rows = [
        ["anchor: /search, bot idle", len(idle), f"{median(idle):.1f}", f"{idle_p99:.1f}", "—"],
        [
            f"/search during the feed cycle ({report})",
            len(during),
            f"{median(during):.1f}",
            f"{during_p99:.1f}",
            f"≤ {min(2 * idle_p99, 100):.1f}: {'yes' if ok else 'no'}",
        ],
    ]
    print(table(["probes", "n", "p50 ms", "p99 ms", "target p99"], rows))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n{BASE_ARTICLES:,} articles in the store; the cycle polls {FEEDS} feeds of {ITEMS} "
        f"items on a loopback server and took {seconds:.1f} s end to end; probes at "
        f"{PROBE_RATE:.0f}/s. Machine: {os.cpu_count()} CPUs, load average {load}."
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
