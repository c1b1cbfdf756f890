"""Feed polls shared by several bot processes on one database: each due feed claimed once.

With `NEWSBRIEF_DATABASE_URL` every process polls feeds, not only the leader: a worker takes
the due feed row first in line with `FOR UPDATE SKIP LOCKED` (rows another worker holds are
passed over, never waited for), polls it, and writes its state and next poll time in the
same transaction, so a feed is polled once per due time and never by two at once. The new
articles go to the shared store while the row is held; other processes catch up by seq.
A process killed mid-poll never commits: PostgreSQL drops its lock with the connection and
another process polls the feed again (the store drops the items the first one stored).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
import psycopg
from psycopg import AsyncConnection

from bot.feeds.registry import FeedRecord
from bot.feeds.service import FeedService
from bot.feeds.status import PollResult
from bot.pg.usertables import db_key

log = logging.getLogger(__name__)

WORKERS = 4  # feeds fetched at once per process, as the per-feed jobs of a lone bot overlap
IDLE_SECONDS = 5.0  # between looks for a due feed when none is; next_poll is minutes apart
FIRST_DELAY = 5.0  # after start, so the bot answers before the first poll

_CLAIM = (
    "SELECT doc FROM user_feeds WHERE active AND coalesce(next_poll_at, '-infinity') <= %s"
    " ORDER BY next_poll_at NULLS FIRST LIMIT 1 FOR UPDATE SKIP LOCKED"
)
_STORE = "UPDATE user_feeds SET doc = %s::json WHERE key = %s"


class FeedClaims:
    """Workers that claim due feeds in PostgreSQL and poll them with a FeedService."""

    def __init__(self, url: str, feeds: FeedService, *, workers: int = WORKERS) -> None:
        self._url = url
        self._feeds = feeds
        self._workers = workers

    async def claim_one(self, conn: AsyncConnection[Any]) -> PollResult | None:
        """Poll the due feed first in line that no one holds; None when there is none."""
        async with conn.transaction():
            cur = await conn.execute(_CLAIM, (self._feeds.clock(),))
            row = await cur.fetchone()
            if row is None:
                return None
            record = FeedRecord.from_doc(dict(row[0]))
            result = await self._feeds.poll_record(record, force=True)
            doc = orjson.dumps(record.to_doc()).decode()
            await conn.execute(_STORE, (doc, db_key(record.id)))
        self._feeds.registry.remember(record)
        if not record.active:  # failing for days: turned off, the admins are told
            await self._feeds.deactivated(record)
        return result

    async def drain(self, conn: AsyncConnection[Any]) -> list[PollResult]:
        """Poll due feeds until none is left unclaimed; return what was polled."""
        results: list[PollResult] = []
        while (result := await self.claim_one(conn)) is not None:
            results.append(result)
        return results

    async def run(self) -> None:
        """Forever: the workers drain the due feeds, then look again after a pause."""
        await self._feeds.initialize()
        try:
            await asyncio.sleep(FIRST_DELAY)
            await asyncio.gather(*(self._worker(n) for n in range(self._workers)))
        finally:  # a follower has no feed handlers to close the client and the parser
            await self._feeds.shutdown()

    async def _worker(self, number: int) -> None:
        while True:
            try:
                async with await AsyncConnection.connect(self._url, autocommit=True) as conn:
                    while True:
                        await self.drain(conn)
                        if number == 0:  # one worker keeps /feeds current with the others' polls
                            await self._refresh()
                        await asyncio.sleep(IDLE_SECONDS)
            except psycopg.Error as exc:  # the database went away: try again later
                log.warning("feed claims: database error (%s)", type(exc).__name__)
                await asyncio.sleep(IDLE_SECONDS)
            except Exception:  # a bug in one poll must not stop this worker for good
                log.exception("feed claims: a poll failed")
                await asyncio.sleep(IDLE_SECONDS)

    async def _refresh(self) -> None:
        registry = self._feeds.registry
        with contextlib.suppress(psycopg.Error):
            registry.mirror(await asyncio.to_thread(registry.read_table))


def start_claims(url: str, feeds: FeedService) -> asyncio.Task[None]:
    """Start polling the shared database's due feeds in the background."""
    return asyncio.create_task(FeedClaims(url, feeds).run(), name="feed-claims")
