"""Bot update handling through the local Bot API server: 200 users, 100,000 articles.

The bot runs in its own process (as in production) and long-polls the local server,
which runs in this process together with the simulated users. Latency is measured
from the moment a user's update is queued to the moment the bot's reply (sendMessage
or answerInlineQuery) reaches the server. The corpus is the shared corpus repeated to
100,000 records (`repeat_corpus`): the same text several times, with new ids and URLs.

Usage: `python -m benchmarks bot`; the bot side is `python -m benchmarks.bot serve DIR URL MODE`.
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

import orjson

from benchmarks.common import REPO, load_corpus, median, percentile, repeat_corpus, table
from bot.archive.store import ArticleStore
from bot.config import Config
from bot.ingest.importer import import_paths
from bot.services import open_services
from bot.tgserver import Limits, LocalBotApiServer, UserClient

ARTICLES = 100_000
USERS = 200
PER_USER = 3  # flat out: each user sends the next query when the reply arrived
WARMUP = 50
PACED_RATE = 25.0  # updates/s, under Telegram's 30 messages/s a bot may send overall
PACED_COUNT = 300
TARGET_P99_MS = 100.0
TOKEN = "4242:bench-token"


def prepare(data_dir: Path) -> tuple[int, float, list[str]]:
    """Import the repeated corpus, build the index; return (articles, seconds, queries)."""
    records = repeat_corpus(load_corpus(), ARTICLES)
    rng = random.Random(7)
    queries = _queries(records, rng)
    start = time.perf_counter()
    source = data_dir.parent / "corpus.jsonl"
    with source.open("wb") as fh:
        for rec in records:
            fh.write(orjson.dumps(rec) + b"\n")
    # Import into the bare store, then let open_services build the index in one pass.
    store = ArticleStore(data_dir, retention_days=0)
    store.initialize()
    import_paths(store, [source])
    store.shutdown()
    config = Config(data_dir=data_dir, retention_days=0, seeds_dir=data_dir / "no-seeds")
    services = open_services(config, write=True)
    count = len(services.store)
    services.shutdown()
    source.unlink()
    return count, time.perf_counter() - start, queries


def _queries(records: list[dict[str, object]], rng: random.Random) -> list[str]:
    """Return user-like queries: one or two words taken from real titles."""
    queries = []
    for rec in rng.sample(records, 4000):
        words = [w.strip(".,:;'\"()") for w in str(rec.get("title") or "").split()]
        words = [w for w in words if len(w) > 3 and w.isalpha()]
        if words:
            queries.append(" ".join(rng.sample(words, min(len(words), rng.choice((1, 2))))))
    return queries


def serve(data_dir: str, base_url: str, mode: str) -> None:
    """The bot process: poll the server until SIGTERM (mode: 'unlimited' or 'telegram')."""

    from bot.app.wiring import build_application, running

    config = Config(
        data_dir=Path(data_dir),
        token=TOKEN,
        api_base_url=base_url,
        retention_days=0,
        seeds_dir=Path(data_dir) / "no-seeds",
    )
    from bot.digests.pacing import Pacing
    from bot.digests.service import DigestSettings

    inf = float("inf")
    unlimited = Pacing(inf, inf, inf, overall_per_second=inf)
    pacing = unlimited if mode == "unlimited" else Pacing()
    services = open_services(config, write=True, digest_settings=DigestSettings(pacing=pacing))

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        app = build_application(config, services, own_services=False)
        async with running(app, poll_timeout=1):
            await stop.wait()

    try:
        asyncio.run(run())
    finally:
        services.shutdown()


async def _timed(coro: object) -> float:
    """Await a user action and return its duration in milliseconds."""
    start = time.perf_counter()
    await coro  # type: ignore[misc]
    return (time.perf_counter() - start) * 1000


async def _search(user: UserClient, query: str) -> float:
    async def act() -> None:
        await user.send(f"/search {query}")
        await user.wait_replies(1, timeout=60)

    return await _timed(act())


async def _inline(user: UserClient, query: str) -> float:
    return await _timed(user.inline(query, timeout=60))


async def closed_loop(
    users: list[UserClient], queries: list[str], inline: bool
) -> tuple[list[float], float]:
    """Every user sends PER_USER queries back to back; return latencies and wall seconds."""
    rng = random.Random(11 if inline else 13)

    async def one_user(user: UserClient) -> list[float]:
        action = _inline if inline else _search
        return [await action(user, rng.choice(queries)) for _ in range(PER_USER)]

    start = time.perf_counter()
    results = await asyncio.gather(*(one_user(u) for u in users))
    return [ms for per_user in results for ms in per_user], time.perf_counter() - start


async def paced(users: list[UserClient], queries: list[str], inline: bool) -> list[float]:
    """Send PACED_COUNT queries as Poisson arrivals at PACED_RATE/s, users in turn."""
    rng = random.Random(17 if inline else 19)
    action = _inline if inline else _search
    tasks = []
    for n in range(PACED_COUNT):
        query = rng.choice(queries)
        tasks.append(asyncio.create_task(action(users[n % len(users)], query)))
        await asyncio.sleep(rng.expovariate(PACED_RATE))
    return list(await asyncio.gather(*tasks))


async def _with_bot(data_dir: Path, mode: str, limits: Limits, body: object) -> object:
    """Start the server, the bot process in `mode`, run body(server), stop both."""
    server = LocalBotApiServer(token=TOKEN, limits=limits)
    await server.start()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "benchmarks.bot", "serve", str(data_dir), server.base_url, mode]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env)  # noqa: ASYNC220 - waited for below
    try:
        probe = server.user(1)
        await probe.send("/start")
        await probe.wait_replies(1, timeout=300)
        return await body(server)  # type: ignore[operator]
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 60)
        await server.stop()


async def measure(data_dir: Path, queries: list[str]) -> dict[str, tuple[list[float], float]]:
    """Run the paced runs under Telegram's limits, then the saturation runs without limits."""
    results: dict[str, tuple[list[float], float]] = {}

    async def telegram(server: LocalBotApiServer) -> None:
        users = [server.user(10_000 + n) for n in range(USERS)]
        for n in range(WARMUP):
            await _search(users[n % USERS], queries[-n])
        for inline in (False, True):
            start = time.perf_counter()
            latencies = await paced(users, queries, inline)
            results["paced inline" if inline else "paced search"] = (
                latencies,
                time.perf_counter() - start,
            )

    async def unlimited(server: LocalBotApiServer) -> None:
        users = [server.user(20_000 + n) for n in range(USERS)]
        for inline in (False, True):
            results["max inline" if inline else "max search"] = await closed_loop(
                users, queries, inline
            )

    await _with_bot(data_dir, "telegram", Limits(), telegram)
    await _with_bot(data_dir, "unlimited", Limits.unlimited(), unlimited)
    return results


def direct_search(data_dir: Path, queries: list[str]) -> list[float]:
    """Time SearchService.search alone on the same queries (the anchor without Telegram)."""
    services = open_services(Config(data_dir=data_dir, retention_days=0), write=False)
    try:
        times = []
        for query in queries[:500]:
            start = time.perf_counter()
            services.search.search(query, limit=5)
            times.append((time.perf_counter() - start) * 1000)
        return times
    finally:
        services.shutdown()


def _row(name: str, latencies: list[float], seconds: float, *, target: bool = True) -> list[str]:
    p99 = percentile(latencies, 99)
    verdict = ("yes" if p99 <= TARGET_P99_MS else "no") if target else "n/a (queueing)"
    return [
        name,
        str(len(latencies)),
        f"{median(latencies):.1f}",
        f"{p99:.1f}",
        f"≤ {TARGET_P99_MS:.0f}: {verdict}",
        f"{len(latencies) / seconds:.0f}" if seconds else "—",
    ]


def main() -> None:
    """Print the update-handling table."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        count, prep_s, queries = prepare(data_dir)
        results = asyncio.run(measure(data_dir, queries))
        direct = direct_search(data_dir, queries)
    rate = f"{PACED_RATE:.0f}/s"
    rows = [
        _row(f"/search, {USERS} users, {rate} (Telegram limits)", *results["paced search"]),
        _row(f"inline query, {USERS} users, {rate} (Telegram limits)", *results["paced inline"]),
        _row(f"/search, {USERS} users flat out", *results["max search"], target=False),
        _row(f"inline query, {USERS} users flat out", *results["max inline"], target=False),
        _row("anchor: SearchService.search alone", direct, 0),
    ]
    headers = ["load", "updates", "p50 ms", "p99 ms", "target p99", "updates/s"]
    print(table(headers, rows))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nMachine: {os.cpu_count()} CPUs, load average {load} at the end of the run.")
    print(
        f"{count:,} articles: the shared corpus repeated to {ARTICLES:,} records by "
        f"repeat_corpus (same text, new ids/urls/titles; content duplicates folded), imported in "
        f"{prep_s:.0f} s. The bot runs in its own process (PTB long polling, {USERS} users' "
        f"private chats); the local server and the users share this process. Latency is from "
        f"queuing the update to the server receiving the reply. Paced runs: Poisson arrivals, "
        f"each user every {USERS / PACED_RATE:.0f} s on average, Telegram's flood limits and "
        f"the bot's SendLimiter on. Flat-out runs: every user sends the next query as soon as "
        f"the reply arrives, flood limits off; their updates/s is the bot's capacity and their "
        f"latency is queueing ({USERS} waiting users / capacity)."
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
