"""Follow-update fan-out: 10,000 chats told of new facts, against the local Bot API server.

The digests benchmark's machinery (`benchmarks.digests`): the server in this process with
Telegram's limits scaled SCALE times, the real Application in a child process. The data dir
holds stories of corpus articles; each chat follows one of the FOLLOWED biggest, quiet hours
off; then one report per followed story arrives with a new first sentence, before the bot
starts. Its first tick finds the updates (a chat whose story's new report clustered
elsewhere has none: "no update") and sends them through the one send limiter
while /search is probed. Printed: the send rate beside what is allowed and beside the digest
fan-out's anchor target, and /search p99 during the fan-out beside the same probe idle.
"""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import corpus_draft, load_corpus, percentile, table
from benchmarks.digests import (
    SCALE,
    TOKEN,
    _ms,
    fmt,
    search_probe,
    start_child,
    started_server,
    wait_until,
)

CHATS = 10_000
ARTICLES = 600
FOLLOWED = 100
QUIET = 5.0  # seconds without a send: the fan-out is over
NEWS = "Officials said {n} more people were evacuated on Thursday as repair crews arrived."


def prepare(data_dir: Path, chats: list[int], records: list[dict[str, Any]]) -> None:
    """Store the articles, make the chats follow, then store one new report per story."""
    from zoneinfo import ZoneInfo

    from bot.config import Config
    from bot.follows.records import Follow
    from bot.models import ArticleDraft, utcnow
    from bot.services import open_services

    config = Config(data_dir=data_dir, token=TOKEN, tz=ZoneInfo("UTC"), seeds_dir=data_dir / "x")
    services = open_services(config, write=True)
    now = utcnow()
    services.store.add_many(
        corpus_draft(r, published=now - timedelta(minutes=i), source=f"Source{i % 40}")
        for i, r in enumerate(records)
    )
    ranked = services.stories.rank(now, timedelta(days=2))[:FOLLOWED]
    stories = [services.stories.story(r.id) for r in ranked]
    followed = [s for s in stories if s is not None]
    facts = services.facts
    store = services.follows.follows
    cursors = {s.id: facts.newest_arrival(s.id) for s in followed}
    picks = [followed[i % len(followed)] for i in range(len(chats))]
    store.add_many(
        Follow(chat, s.id, s.headline, now, cursor=cursors[s.id])
        for chat, s in zip(chats, picks, strict=True)
    )
    store.set_quiet_many(chats, None)  # whatever the hour of the run
    services.store.add_many(
        ArticleDraft(
            title=s.best.title,
            body=f"{NEWS.format(n=100 + n)} {s.best.body}",
            published=now,
            source="Late Desk",
        )
        for n, s in enumerate(followed)
    )
    services.shutdown()


class Quiet:
    """Tell whether a counter stood still for QUIET seconds (polled once a second)."""

    def __init__(self, count: Any) -> None:
        self._count = count
        self._last = (count(), time.monotonic())

    def __call__(self) -> bool:
        now, (before, since) = self._count(), self._last
        if now != before:
            self._last = (now, time.monotonic())
            return False
        return time.monotonic() - since >= QUIET


def told(server: Any, chats: list[int]) -> dict[int, int]:
    """Return how many updates each chat got."""
    return {c: sum(1 for m in server.sent(c) if m.text.startswith("🔔")) for c in chats}


async def run(records: list[dict[str, Any]]) -> dict[str, Any]:
    """One fan-out of follow updates with /search probed during it and idle after."""
    server, chats = await started_server(CHATS)
    with tempfile.TemporaryDirectory(prefix="nb-follows-") as tmp:
        data_dir = Path(tmp)
        prepare(data_dir, chats, records)
        child = start_child(data_dir, server.base_url)  # the digests' bot, paced SCALE times
        stop, latencies, misses = asyncio.Event(), [], []
        await wait_until(lambda: server.stats.messages_sent > 0, 120, 0.05)
        # A chat whose story's new report joined another story gets no update: the fan-out
        # is over when nothing was sent for QUIET seconds.
        quiet = Quiet(lambda: sum(server.stats.sent_per_chat[c] for c in chats))  # not probes
        probe = asyncio.create_task(search_probe(server, stop, latencies, misses))
        sent = server.stats.sent_per_chat
        served = await wait_until(lambda: all(sent[c] > 0 for c in chats) or quiet(), 240, 1.0)
        await asyncio.sleep(1.5)
        stop.set()
        await probe
        idle: list[float] = []
        idle_misses: list[float] = []
        await search_probe(server, asyncio.Event(), idle, idle_misses, count=len(latencies))
        child.terminate()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
        counts = told(server, chats)
        stamps = sorted(m.timestamp for c in chats for m in server.sent(c))
        too_many = server.stats.too_many_requests
        await server.stop()
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
    return {
        "served": served,
        "messages": len(stamps),
        "rate": (len(stamps) - 1) / span if span else float("nan"),
        "span": span,
        "too_many": too_many,
        "lost": sum(1 for c in counts.values() if c == 0),
        "dups": sum(c - 1 for c in counts.values() if c > 1),
        "search": latencies,
        "idle": idle,
        "misses": len(misses),
        "idle_misses": len(idle_misses),
    }


def main() -> None:
    """Run the fan-out and print its tables."""
    r = asyncio.run(run(load_corpus()[:ARTICLES]))
    allowed = 30 * SCALE
    print(
        f"Limits scaled {SCALE:g}x ({allowed:g} msg/s overall) as in `digests`; {CHATS:,} chats "
        f"following {FOLLOWED} stories, one new fact each.\n"
    )
    row = [fmt(r["messages"]), fmt(r["span"], 1), fmt(r["rate"], 1)]
    row += [f"{r['rate'] / allowed:.2f} (digests' target ≥ 0.90)", fmt(r["too_many"])]
    row += [fmt(r["lost"]), fmt(r["dups"])]
    heads = ["updates", "seconds", "msg/s", "of allowed", "429s", "no update", "duplicates"]
    print(table(heads, [row]))
    busy, idle = r["search"], r["idle"]
    print()
    print(
        table(
            ["/search through the bot", "answered", "median ms", "p90 ms", "p99 ms", "misses"],
            [
                ["during the update fan-out", len(busy), *_ms(busy), r["misses"]],
                ["idle bot, same probe (anchor)", len(idle), *_ms(idle), r["idle_misses"]],
            ],
        )
    )
    ratio = percentile(busy, 99) / percentile(idle, 99)  # the table's p99s (nearest rank)
    print(f"\np99 during / idle: {ratio:.2f} (target ≤ 2)")
