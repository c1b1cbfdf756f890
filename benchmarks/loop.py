"""Event loop under load: /search through the bot while 10,000 digests compose, and while
a feed cycle commits 10,000 new articles.

The bot runs in its own process on a 20,000-article store (the shared corpus), long-polling
the local Bot API server in this process, as in `benchmarks/bot.py`. A loopback feed server
(tests/feedserver.py, its own process) serves 20 generated feeds of 500 items. Probes: one
`/search` every 1/PROBE_RATE s from changing users, timed from queuing the update to the
reply reaching the server; first with the bot idle, then while the DigestService composes
and renders the digests of 10,000 subscribers (what a fan-out does besides sending: 300
corpus articles are new since their last digest, 70 % all news; `benchmarks/digest_compose`),
then while an admin-triggered `poll_all()` fetches, parses and commits the 10,000 new
articles (store and index). Targets (issues 13, 24): p99 under load ≤ 2 × idle p99, ≤ 100 ms.

Usage: `python -m benchmarks loop [--switch-interval S]` (the bot's GIL switch interval,
default the bot's own); the bot side is `python -m benchmarks.loop serve DIR URL FEEDS [S]`.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.common import REPO, load_corpus, median, percentile, table
from bot.app.wiring import SWITCH_INTERVAL
from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.config import Config
from bot.digests.records import Subscription
from bot.digests.subscriptions import SubscriptionStore
from bot.ingest.importer import import_paths
from bot.models import ArticleDraft, utcnow
from bot.services import open_services
from bot.tgserver import Limits, LocalBotApiServer, UserClient

BASE_ARTICLES = 20_000
NEW_ARTICLES = 300  # since the subscribers' last digest
SUBSCRIBERS = 10_000
TOPICS = ("", "", "", "", "", "", "", "oil", "election", "football")  # as digest_compose
COMPOSERS = 8  # chats composed at once, as the digest workers (Pacing.workers)
HANDOFF_ROUNDS = 1500  # loopback echoes per switch interval
COMPOSE_ROUNDS = 3  # 10,000 digests take ~3 s: three rounds give p99 ~150 probes
FEEDS = 20
ITEMS = 500  # per feed: 10,000 new articles in one cycle
PROBE_RATE = 20.0  # /search probes a second
IDLE_PROBES = 200
ADMIN = 1
SUB_CHATS = 1_000_000  # the subscribers' chat ids start here
TOKEN = "4343:bench-token"


def prepare(data_dir: Path) -> list[str]:
    """Import the first BASE_ARTICLES corpus records and build the index; return queries."""
    import orjson

    corpus = load_corpus()
    records = corpus[:BASE_ARTICLES]
    source = data_dir.parent / "base.jsonl"
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    store = ArticleStore(data_dir, retention_days=0)
    store.initialize()
    import_paths(store, [source])
    mark = utcnow()  # every subscriber's last digest: only what comes next is new
    store.add_many(
        ArticleDraft(
            title=r.get("title") or "",
            body=r.get("body") or "",
            published=mark - timedelta(minutes=i),
            source=r.get("source") or "Bench",
        )
        for i, r in enumerate(corpus[BASE_ARTICLES : BASE_ARTICLES + NEW_ARTICLES])
    )
    store.shutdown()
    _subscribe(data_dir, mark)
    services = open_services(_config(data_dir, ""), write=True)  # builds the index
    services.shutdown()
    rng = random.Random(5)
    words = [
        w.strip(".,:;'\"()")
        for r in rng.sample(records, 2000)
        for w in str(r.get("title") or "").split()
    ]
    return [w for w in words if len(w) > 3 and w.isalpha()]


def _subscribe(data_dir: Path, mark: datetime) -> None:
    """Store SUBSCRIBERS subscriptions delivered up to `mark`, next due in 12 hours."""
    users = EmbeddedUserTables(data_dir)
    users.initialize()
    subs = SubscriptionStore(users, data_dir)
    subs.initialize()
    due = mark + timedelta(hours=12)  # never during the run, and nothing missed to catch up
    subs.add_many(
        Subscription(
            f"{i:08x}", SUB_CHATS + i, TOPICS[i % len(TOPICS)], due.hour, due.minute, "UTC", mark
        ).delivered(mark, None)
        for i in range(SUBSCRIBERS)
    )
    subs.shutdown()
    users.shutdown()


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


def serve(data_dir: str, base_url: str, feeds_url: str, switch_interval: str = "") -> None:
    """The bot process: like `newsbrief run`, plus /cycle (poll every feed once) and /compose."""
    from telegram import Update
    from telegram.ext import ApplicationHandlerStop, CommandHandler

    from bot.app import wiring
    from bot.app.context import NewsContext
    from bot.app.wiring import build_application, running
    from bot.digests.fanout import Composer
    from bot.i18n import Translator

    if switch_interval:
        wiring.SWITCH_INTERVAL = float(switch_interval)  # what running() sets
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

    async def compose(update: Update, context: NewsContext) -> None:
        on_loop = bool(context.args)  # "/compose loop": the anchor, as fcff747 composed

        async def run_and_report() -> None:
            digests = services.digests
            chats = iter(sorted({sub.chat_id for sub in digests.subs.all()}) * COMPOSE_ROUNDS)
            done = [0, 0]  # digests, messages
            fresh = Composer(services.store, services.search, services.stories, 10)
            english = Translator.english()

            async def worker() -> None:  # as a digest worker, minus the sending
                for chat in chats:
                    subs = digests.for_chat(chat)
                    if on_loop:
                        now = utcnow()
                        digest = fresh.compose(chat, subs, now, english)
                        parts = fresh.render(digest, ZoneInfo("UTC"), now, False, english)
                        await asyncio.sleep(0)  # the send it awaited next
                    else:
                        _, parts = await digests.composed(chat, subs)
                    done[0] += 1
                    done[1] += len(parts)

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(COMPOSERS)))
            seconds = time.perf_counter() - start
            report = f"composed {done[0]:,} digests, {done[1]:,} messages in {seconds:.1f} s"
            await context.bot.send_message(ADMIN, report)

        context.application.create_task(run_and_report())
        raise ApplicationHandlerStop

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        app = build_application(config, services, own_services=False)
        app.add_handler(CommandHandler("cycle", cycle), group=-10)
        app.add_handler(CommandHandler("compose", compose), group=-10)
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


async def _during(
    admin: UserClient, users: list[UserClient], queries: list[str], command: str
) -> tuple[list[float], str, float]:
    """Send an admin command; probe until its report arrives. Return latencies, report, seconds."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    started = time.perf_counter()
    await admin.send(command)

    async def watch() -> str:
        (reply,) = await admin.wait_replies(1, timeout=600)
        done.set_result(None)
        return reply.text

    watcher = asyncio.create_task(watch())
    latencies = await probes(users, queries, done)
    return latencies, await watcher, time.perf_counter() - started


async def measure(
    data_dir: Path, queries: list[str], feeds_url: str, switch_interval: str
) -> dict[str, tuple[list[float], str, float]]:
    """Return the latencies idle, while digests compose and during the cycle (with reports)."""
    server = LocalBotApiServer(token=TOKEN, limits=Limits())
    await server.start()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "benchmarks.loop", "serve", str(data_dir), server.base_url]
    cmd += [feeds_url, switch_interval]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env)  # noqa: ASYNC220 - waited for below
    try:
        admin = server.user(ADMIN)
        await admin.send("/start")
        await admin.wait_replies(1, timeout=300)
        users = [server.user(50_000 + n) for n in range(100)]
        for user in users[:20]:  # warm up
            await _probe(user, queries[0])
        idle = await probes(users, queries, IDLE_PROBES)
        return {
            "idle": (idle, "", 0.0),
            "on_loop": await _during(admin, users, queries, "/compose loop"),
            "compose": await _during(admin, users, queries, "/compose"),
            "cycle": await _during(admin, users, queries, "/cycle"),
        }
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 60)
        await server.stop()


def _burn(stop: threading.Event) -> None:
    """Run Python flat out until stop, as a composer or writer thread does."""
    total = 0
    while not stop.is_set():
        total += sum(i * i for i in range(1000))


async def _echo_latencies(interval: float) -> list[float]:
    """Return loopback echo round trips (ms) on this loop while a thread computes."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(interval)

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            writer.write(line)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
    stop = threading.Event()
    burner = threading.Thread(target=_burn, args=(stop,))
    burner.start()
    latencies = []
    try:
        for _ in range(HANDOFF_ROUNDS):
            start = time.perf_counter()
            writer.write(b"ping\n")
            await writer.drain()
            await reader.readline()
            latencies.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0.001)
    finally:
        stop.set()
        burner.join()
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        sys.setswitchinterval(previous)
    return latencies


def handoff_table() -> str:
    """Return the GIL hand-off table: what the bot's switch interval is for (wiring.running)."""
    rows = []
    for interval in (SWITCH_INTERVAL, 0.005):
        latencies = asyncio.run(_echo_latencies(interval))
        name = f"{interval * 1000:g} ms" + (" (the bot's)" if interval == SWITCH_INTERVAL else "")
        p50, p99 = median(latencies), percentile(latencies, 99)
        rows.append([name, len(latencies), f"{p50:.2f}", f"{p99:.2f}"])
    head = [
        "GIL switch interval: echo on the loop while a thread computes",
        "n",
        "p50 ms",
        "p99 ms",
    ]
    return table(head, rows)


def main(switch_interval: str = "") -> None:
    """Print the table: /search latency idle, while digests compose, during the feed cycle."""
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
            runs = asyncio.run(measure(data_dir, queries, feeds_url, switch_interval))
    finally:
        feed_proc.terminate()
        feed_proc.wait()
    idle = runs["idle"][0]
    idle_p99 = percentile(idle, 99)
    target = min(2 * idle_p99, 100)
    rows = [["anchor: /search, bot idle", len(idle), f"{median(idle):.1f}", f"{idle_p99:.1f}", "—"]]
    for name, what in (
        ("on_loop", "while digests compose on the loop (anchor: fcff747's way)"),
        ("compose", "while digests compose on the composer's thread"),
        ("cycle", "during the feed cycle"),
    ):
        during, report, _ = runs[name]
        p99 = percentile(during, 99)
        verdict = f"≤ {target:.1f}: {'yes' if p99 <= target else 'no'} ({p99 / idle_p99:.2f} ×)"
        label = f"/search {what} ({report})"
        rows.append([label, len(during), f"{median(during):.1f}", f"{p99:.1f}", verdict])
    print(table(["probes", "n", "p50 ms", "p99 ms", "target p99"], rows))
    print()
    print(handoff_table())
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    interval = switch_interval or f"{SWITCH_INTERVAL * 1000:g} ms (the bot's)"
    print(
        f"\n{BASE_ARTICLES:,} articles in the store, {NEW_ARTICLES} new for {SUBSCRIBERS:,} "
        f"subscribers, whose digests are composed {COMPOSE_ROUNDS} times over; the cycle polls "
        f"{FEEDS} feeds of {ITEMS} items on a loopback server and took {runs['cycle'][2]:.1f} s end to end; probes at {PROBE_RATE:.0f}/s; GIL switch "
        f"interval {interval}. Machine: {os.cpu_count()} CPUs, load average {load}."
    )


if __name__ == "__main__":
    if len(sys.argv) in (5, 6) and sys.argv[1] == "serve":
        serve(*sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "--switch-interval":
        main(sys.argv[2])
    else:
        main()
