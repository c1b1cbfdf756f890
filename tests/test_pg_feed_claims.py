"""Feed polls on a shared database: two processes claim due feeds, each polled once per due time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from psycopg import AsyncConnection

from bot.feeds import FeedService
from bot.feeds.claims import FeedClaims
from bot.pg.articles import PgArticleStore
from bot.pg.database import Database
from bot.pg.usertables import PgUserTables
from tests.conftest import FakeClock
from tests.feeddocs import generate_feed
from tests.feedserver import FeedServer

PATHS = [f"/feeds/{n}.xml" for n in range(1, 5)]


@asynccontextmanager
async def bot_process(
    url: str, clock: FakeClock
) -> AsyncIterator[tuple[FeedService, tuple[FeedClaims, AsyncConnection[Any]]]]:
    """Open what one bot process polls feeds with: its pool, store, users, feeds and claims."""
    database = Database(url, max_size=2)
    database.open()
    store = PgArticleStore(database, clock=clock)
    store.initialize()
    users = PgUserTables(database)
    users.initialize()
    feeds = FeedService(store, users, allow_private=True, clock=clock)
    await feeds.initialize()
    conn = await AsyncConnection.connect(url, autocommit=True)
    try:
        yield feeds, (FeedClaims(url, feeds), conn)
    finally:
        await conn.close()
        await feeds.shutdown()
        users.shutdown()
        store.shutdown()
        database.close()


def served(server: FeedServer) -> list[str]:
    for number, path in enumerate(PATHS, start=1):
        server.put(path, generate_feed(number, items=5))
    return [server.url(path) for path in PATHS]


async def stored_articles(url: str) -> int:
    async with await AsyncConnection.connect(url) as conn:
        cur = await conn.execute("SELECT count(*) FROM articles")
        row = await cur.fetchone()
        return int(row[0]) if row else -1


async def end_backend(conn: AsyncConnection[Any], url: str) -> None:
    """End the connection's server process, waiting until it is gone and its locks freed."""
    cur = await conn.execute("SELECT pg_backend_pid()")
    row = await cur.fetchone()
    assert row is not None
    async with await AsyncConnection.connect(url, autocommit=True) as admin:
        cur = await admin.execute("SELECT pg_terminate_backend(%s, 30000)", (row[0],))
        assert await cur.fetchone() == (True,)
    await conn.close()


async def test_two_processes_poll_each_due_feed_once_per_due_time(
    pg_url: str, server: FeedServer, clock: FakeClock
) -> None:
    async with bot_process(pg_url, clock) as (one, (claims_one, conn_one)):
        one.seed_feeds(served(server))
        async with bot_process(pg_url, clock) as (two, (claims_two, conn_two)):
            first = await asyncio.gather(claims_one.drain(conn_one), claims_two.drain(conn_two))
            assert sorted(r.url for r in first[0] + first[1]) == sorted(map(server.url, PATHS))
            assert [server.count(p) for p in PATHS] == [1, 1, 1, 1]
            assert await stored_articles(pg_url) == 20
            # Not due again until the interval has passed: neither process polls.
            clock.advance(minutes=14)
            assert await claims_two.drain(conn_two) == []
            assert await claims_one.drain(conn_one) == []
            clock.advance(minutes=2)
            second = await asyncio.gather(claims_one.drain(conn_one), claims_two.drain(conn_two))
            assert len(second[0] + second[1]) == 4
            assert [server.count(p) for p in PATHS] == [2, 2, 2, 2]
            # The state both processes see is the polled one.
            [record] = [r for r in two.registry.all() if r.url.endswith(PATHS[0])]
            stored = {doc["id"]: doc for doc in await asyncio.to_thread(two.registry.read_table)}
            assert stored[record.id]["next_poll"] == (clock() + timedelta(minutes=15)).isoformat()
            assert stored[record.id]["last_status"] == "not modified"
    assert await stored_articles(pg_url) == 20  # the second polls brought nothing new


async def test_a_feed_held_by_a_process_is_skipped_and_polled_by_another_after_a_kill(
    pg_url: str, server: FeedServer, clock: FakeClock
) -> None:
    async with bot_process(pg_url, clock) as (one, (claims, conn)):
        one.seed_feeds(served(server))
        held = one.registry.find(server.url(PATHS[0]))
        assert held is not None
        # Another process has claimed the first feed and is mid-poll: it holds the row lock.
        other = await AsyncConnection.connect(pg_url)
        await other.execute("SELECT 1 FROM user_feeds WHERE key = %s FOR UPDATE", (held.id,))
        polled = await claims.drain(conn)
        assert sorted(r.url for r in polled) == sorted(map(server.url, PATHS[1:]))
        assert server.count(PATHS[0]) == 0
        # That process dies: its backend ends (as on kill -9) and its claim goes back.
        await end_backend(other, pg_url)
        [result] = await claims.drain(conn)
        assert result.url == server.url(PATHS[0])
        assert [server.count(p) for p in PATHS] == [1, 1, 1, 1]
        assert await claims.drain(conn) == []
