"""Digest fan-out: 10,000 subscribers against the local Bot API server with its limits on.

The local server runs in this process; the bot (the real Application with DigestService)
runs in a child process, so a `kill -9` hits only the bot. Telegram's limits are scaled up
SCALE times (300 msg/s overall, 10/s per chat, 200/min per group) to keep the run short;
the bot's one send pacer (bot/app/sendlimit.py around the digests' Pacer) is scaled the same way.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import corpus_draft, load_corpus, median, percentile, table

SCALE = 5.0
SUBSCRIBERS = 10_000
GROUPS = 500  # of the subscribers, these are groups (-100...): 20/min each, scaled
ARTICLES = 300
TOPICS = ("", "", "", "", "", "", "", "said", "year", "government")  # 70% all news
TOKEN = "424242:bench-token"
SEARCHER = 77_000_001
PROBE_TIMEOUT = 5.0
SEARCHERS = 40
CRASH_SUBSCRIBERS = 4_000  # the crash run is smaller to keep the whole benchmark < 3 min
CRASH_AFTER = 1_500  # messages before the kill -9
HEADER = "Your news digest"


def chat_ids(count: int = SUBSCRIBERS) -> list[int]:
    """Return the subscribers' chat ids: private chats, then 5% groups."""
    groups = count * GROUPS // SUBSCRIBERS
    users = list(range(1, count - groups + 1))
    return users + [-1_000_000_000_000 - i for i in range(groups)]


def prepare(data_dir: Path, chats: list[int], records: list[dict[str, Any]]) -> None:
    """Fill a data dir with fresh articles and 10,000 subscriptions that fell due a minute ago."""
    from bot.archive.store import ArticleStore
    from bot.archive.usertables import EmbeddedUserTables
    from bot.digests.records import Subscription
    from bot.digests.subscriptions import SubscriptionStore
    from bot.models import utcnow

    store = ArticleStore(data_dir)
    store.initialize()
    now = utcnow()
    store.add_many(
        corpus_draft(r, url=None, published=now - timedelta(minutes=i), source="Bench")
        for i, r in enumerate(records)
    )
    store.shutdown()
    users = EmbeddedUserTables(data_dir)
    users.initialize()
    subs = SubscriptionStore(users, data_dir)
    subs.initialize()
    due = now - timedelta(minutes=1)
    created = now - timedelta(days=2)
    subs.add_many(
        Subscription(
            f"{i:08x}", chat, TOPICS[i % len(TOPICS)], due.hour, due.minute, "UTC", created
        )
        for i, chat in enumerate(chats)
    )
    subs.shutdown()
    users.shutdown()


def start_child(data_dir: Path, base_url: str) -> subprocess.Popen[bytes]:
    """Start the bot in a child process."""
    cmd = [sys.executable, "-m", "benchmarks.digests", "--child", str(data_dir), base_url]
    return subprocess.Popen(cmd, cwd=Path(__file__).resolve().parent.parent)


async def search_probe(
    server: Any,
    stop: asyncio.Event,
    latencies: list[float],
    misses: list[float],
    count: int | None = None,
) -> None:
    """Ask /search every 0.25 s until stop (or `count` asks); record reply times and misses.

    A miss is an ask with no reply in 5 s. The asks rotate over SEARCHERS users: the bot
    allows each user 20 commands a minute.
    """
    users = [server.user(SEARCHER + i, f"Searcher{i}") for i in range(SEARCHERS)]
    turn = 0
    while not stop.is_set() and (count is None or turn < count):
        user = users[turn % SEARCHERS]
        turn += 1
        user.replies()
        start = time.perf_counter()
        await user.send("/search oil prices")
        try:
            await user.wait_replies(1, timeout=PROBE_TIMEOUT)
            latencies.append(time.perf_counter() - start)
        except TimeoutError:
            misses.append(start)
        await asyncio.sleep(0.25)


def digest_counts(server: Any, chats: list[int]) -> Counter[int]:
    """Return how many digests each subscriber got (first parts carry the header)."""
    counts: Counter[int] = Counter()
    for chat in chats:
        counts[chat] = sum(1 for m in server.sent(chat) if m.text.startswith(HEADER))
    return counts


def all_served(server: Any, chats: list[int]) -> bool:
    """Return whether every subscriber has been sent something (digests are all it gets)."""
    sent = server.stats.sent_per_chat
    return all(sent[c] > 0 for c in chats)


async def wait_until(predicate: Any, within: float, step: float = 0.5) -> bool:
    """Poll predicate until it is true or `within` seconds have passed."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        if predicate():
            return True
        await asyncio.sleep(step)
    return predicate()


async def started_server(count: int) -> tuple[Any, list[int]]:
    """Start the local Bot API server (Telegram's limits scaled SCALE times) knowing `count` chats."""
    from bot.tgserver import Limits, LocalBotApiServer

    server = LocalBotApiServer(token=TOKEN, bot_username="bench_bot", limits=Limits().scaled(SCALE))
    await server.start()
    chats = chat_ids(count)
    for chat in chats:
        if chat > 0:
            server.user(chat, f"U{chat}")
        else:
            server.group(chat, f"G{chat}")
    return server, chats


async def run(crash: bool, records: list[dict[str, Any]]) -> dict[str, Any]:
    """One fan-out; with crash, kill -9 the bot after CRASH_AFTER messages and restart it."""
    server, chats = await started_server(CRASH_SUBSCRIBERS if crash else SUBSCRIBERS)
    with tempfile.TemporaryDirectory(prefix="nb-digests-") as tmp:
        data_dir = Path(tmp)
        prepare(data_dir, chats, records)
        child = start_child(data_dir, server.base_url)
        stop, latencies, misses = asyncio.Event(), [], []
        # Probe /search once the fan-out is under way (the bot is up and sending).
        await wait_until(lambda: server.stats.messages_sent > 0, 60, 0.05)
        probe = None
        if not crash:
            probe = asyncio.create_task(search_probe(server, stop, latencies, misses))
        crashes = 0
        if crash:
            await wait_until(lambda: server.stats.messages_sent >= CRASH_AFTER, 120, 0.01)
            child.send_signal(signal.SIGKILL)
            child.wait()
            crashes = 1
            child = start_child(data_dir, server.base_url)
        served = await wait_until(lambda: all_served(server, chats), 150, 1.0)
        await asyncio.sleep(1.5)  # let any straggler (a duplicate) arrive
        stop.set()
        if probe is not None:
            await probe
        idle: list[float] = []
        idle_misses: list[float] = []
        if not crash:  # the anchor: the same probe, as many asks, against the same bot idle
            asks = len(latencies) + len(misses)
            await search_probe(server, asyncio.Event(), idle, idle_misses, count=asks)
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
        counts = digest_counts(server, chats)
        stamps = sorted(m.timestamp for c in chats for m in server.sent(c))
        stats = server.stats
        await server.stop()
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
    return {
        "subscribers": len(chats),
        "served": served,
        "messages": len(stamps),
        "rate": (len(stamps) - 1) / span if span else float("nan"),
        "too_many": stats.too_many_requests,
        "lost": sum(1 for c in counts.values() if c == 0),
        "dups": sum(c - 1 for c in counts.values() if c > 1),
        "crashes": crashes,
        "search": latencies,
        "idle": idle,
        "misses": len(misses),
        "idle_misses": len(idle_misses),
        "span": span,
    }


def child_main(data_dir: str, base_url: str) -> None:
    """The bot process: the real Application, DigestService paced SCALE times faster."""
    asyncio.run(_child(Path(data_dir), base_url))


async def _child(data_dir: Path, base_url: str) -> None:
    import logging
    from zoneinfo import ZoneInfo

    from bot.app.wiring import build_application, running
    from bot.config import Config
    from bot.digests.pacing import Pacing
    from bot.digests.service import DigestSettings
    from bot.services import open_services

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    # The server goes away first at the end of a run; PTB then logs its last getUpdates failing.
    logging.getLogger("telegram.ext.Updater").setLevel(logging.CRITICAL)
    config = Config(data_dir=data_dir, token=TOKEN, api_base_url=base_url, tz=ZoneInfo("UTC"))
    services = open_services(
        config, write=True, digest_settings=DigestSettings(pacing=Pacing().scaled(SCALE))
    )
    app = build_application(config, services)  # the SendLimiter paces replies and digests
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with running(app, poll_timeout=1):
        await stop.wait()


def fmt(value: float, digits: int = 0) -> str:
    """Format a number for the table."""
    return f"{value:,.{digits}f}"


def main() -> None:
    """Run the fan-out, then the crash run, and print both tables."""
    records = load_corpus()[:ARTICLES]
    normal = asyncio.run(run(False, records))
    crashed = asyncio.run(run(True, records))
    allowed = 30 * SCALE
    print(
        f"Telegram's limits scaled {SCALE:g}x on the local server and in the bot: "
        f"{allowed:g} msg/s overall, {SCALE:g}/s per chat, {20 * SCALE:g}/min per group. "
        "Bot = the real Application in a child process (kill -9 hits only it); 5% of "
        "subscribers are groups; 30% have a topic. The crash run's seconds and msg/s include "
        "the bot's restart.\n"
    )
    rows = []
    for name, r in (("fan-out", normal), ("kill -9 mid fan-out + restart", crashed)):
        rows.append(
            [
                name,
                fmt(r["subscribers"]),
                fmt(r["messages"]),
                fmt(r["span"], 1),
                fmt(r["rate"], 1),
                f"{r['rate'] / allowed:.2f} (target ≥ 0.90)",
                fmt(r["too_many"]),
                fmt(r["lost"]),
                f"{r['dups']} ({r['crashes']} crash)" if r["crashes"] else fmt(r["dups"]),
            ]
        )
    print(
        table(
            [
                "run",
                "subscribers",
                "messages",
                "seconds",
                "msg/s",
                "of allowed",
                "429s",
                "lost",
                "duplicates",
            ],
            rows,
        )
    )
    busy, idle = normal["search"], normal["idle"]
    print()
    print(
        table(
            [
                "/search through the bot",
                "answered",
                "median ms",
                "p90 ms",
                "p99 ms",
                f"no reply in {PROBE_TIMEOUT:g} s",
            ],
            [
                ["during the 10,000 fan-out", len(busy), *_ms(busy), normal["misses"]],
                ["idle bot, same probe (anchor)", len(idle), *_ms(idle), normal["idle_misses"]],
            ],
        )
    )


def _ms(values: list[float]) -> list[str]:
    """Return median, p90 and p99 of seconds as milliseconds."""
    return [
        fmt(f(values) * 1000, 1)
        for f in (median, lambda v: percentile(v, 90), lambda v: percentile(v, 99))
    ]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child_main(sys.argv[2], sys.argv[3])
    else:
        main()
