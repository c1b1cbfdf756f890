"""Two bot processes on one PostgreSQL database: kill -9 one mid fan-out, the other finishes.

Both run as `newsbrief run` does, each with a data dir of its own, against one local Bot
API server. Many subscribers fall due at once (a catch-up at start). When the server has
seen some of the digests but not all, the leading process is killed with SIGKILL; the other
takes over the lead and the rest of the queue. Every subscriber gets its digest (0 lost)
and at most one gets it twice (the one send the killed process had in flight).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from bot.config import Config
from bot.digests.pgclaims import DONE_CHANNEL
from bot.digests.records import Subscription
from bot.models import utcnow
from bot.services import open_services
from bot.tgserver import Limits, LocalBotApiServer, UserClient
from tests.botkit import fixture_drafts
from tests.conftest import REPO
from tests.opskit import empty_seeds

TOKEN = "515151:two-processes-token"
SUBSCRIBERS = 90
KILL_AFTER = SUBSCRIBERS // 4  # digests the server has seen when the leader is killed
HANG_GUARD = 120.0  # seconds; a stuck run fails instead of hanging CI, no timing is asserted
PROGRAM = (
    "import os, sys\n"
    "from bot.config import load_config\n"
    "from bot.logs import setup_logging\n"
    "from bot.run.polling import run_bot\n"
    "setup_logging('INFO', token=os.environ['TELEGRAM_BOT_TOKEN'])\n"
    "sys.exit(run_bot(load_config(os.environ)))\n"
)
LEADS = "this process leads"


class Bot:
    """One spawned bot process and the lines of its log so far."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self.leads = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            line = raw.decode(errors="replace")
            self.lines.append(line)
            if LEADS in line:
                self.leads.set()


def prepare(data_dir: Path, url: str, seeds: Path) -> list[int]:
    """Store the articles and the subscribers, all due half an hour ago; return the chats."""
    config = Config(data_dir=data_dir, database_url=url, seeds_dir=seeds, token=TOKEN)
    services = open_services(config, write=True)
    try:
        services.store.add_many(fixture_drafts())
        now = utcnow()
        due = now - timedelta(minutes=30)
        chats = [700_000 + n for n in range(SUBSCRIBERS)]
        subs = [
            Subscription(f"s{chat}", chat, "", due.hour, due.minute, "UTC", now - timedelta(days=2))
            for chat in chats
        ]
        services.digests.subs.add_many(subs)
        services.users.flush_sync()
        return chats
    finally:
        services.shutdown()


async def stop_all(bots: list[Bot]) -> None:
    """Kill the processes a test left running and wait for every one (no zombie outlives it)."""
    for bot in bots:
        if bot.proc.returncode is None:
            bot.proc.kill()
        await bot.proc.wait()


async def spawn(tmp_path: Path, name: str, server: LocalBotApiServer, url: str) -> Bot:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "NEWSBRIEF_DATA_DIR": str(tmp_path / name),
        "NEWSBRIEF_SEEDS_DIR": str(empty_seeds(tmp_path)),
        "NEWSBRIEF_DATABASE_URL": url,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PROGRAM, cwd=REPO, env=env, stderr=asyncio.subprocess.PIPE
    )
    return Bot(proc)


async def delivered_everywhere(url: str, count: int) -> None:
    """Wait until the database holds every delivery and no request is left.

    Deliveries are recorded in the claim that deletes the chat's requests, and that claim's
    commit notifies DONE_CHANNEL: listening before the first count, no change goes unseen.
    """
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await conn.execute(f"LISTEN {DONE_CHANNEL}")
        while True:
            cur = await conn.execute(
                "SELECT (SELECT count(*) FROM user_subscriptions WHERE doc ->> 'last_due' IS NOT NULL),"
                " (SELECT count(*) FROM digest_requests)"
            )
            row = await cur.fetchone()
            if row == (count, 0):
                return
            async for _ in conn.notifies(stop_after=1):  # those during the count come first
                pass


@pytest.fixture
def server_and_chats(tmp_path: Path, pg_url: str) -> Iterator[tuple[LocalBotApiServer, list[int]]]:
    chats = prepare(tmp_path / "prepare", pg_url, empty_seeds(tmp_path))
    server = LocalBotApiServer(token=TOKEN, limits=Limits.unlimited())
    yield server, chats


@pytest.mark.slow
async def test_kill_9_one_of_two_processes_mid_fan_out_loses_no_digest(
    tmp_path: Path, pg_url: str, server_and_chats: tuple[LocalBotApiServer, list[int]]
) -> None:
    server, chats = server_and_chats
    await server.start()
    users: dict[int, UserClient] = {chat: server.user(chat, f"Reader {chat}") for chat in chats}
    bots = [await spawn(tmp_path, name, server, pg_url) for name in ("one", "two")]
    try:
        waits = [asyncio.create_task(u.wait_replies(1, timeout=HANG_GUARD)) for u in users.values()]
        for seen, arrived in enumerate(asyncio.as_completed(waits), start=1):
            await arrived
            if seen == KILL_AFTER:
                leader = next(b for b in bots if b.leads.is_set())
                leader.proc.send_signal(signal.SIGKILL)  # mid fan-out: some digests, not all
                assert len([c for c in chats if server.sent(c)]) < SUBSCRIBERS
        survivor = next(b for b in bots if b is not leader)
        await asyncio.wait_for(delivered_everywhere(pg_url, SUBSCRIBERS), HANG_GUARD)
        await asyncio.wait_for(survivor.leads.wait(), HANG_GUARD)  # it took the lead over
        survivor.proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(survivor.proc.wait(), HANG_GUARD) == 0
    finally:
        await stop_all(bots)
        await server.stop()
    counts = {chat: len(server.sent(chat)) for chat in chats}
    assert min(counts.values()) >= 1, "a subscriber lost its digest"
    one_digest = min(counts.values())  # the messages of one digest (the same for everyone)
    assert sum(n > one_digest for n in counts.values()) <= 1, counts
    assert all(n <= 2 * one_digest for n in counts.values()), counts
    assert await leader.proc.wait() == -signal.SIGKILL
