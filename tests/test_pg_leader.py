"""The leader lock: one holder per database, taken over when the holder's connection dies."""

from __future__ import annotations

import asyncio

import psycopg

from bot.pg.database import Database
from bot.pg.leader import Leader


async def test_one_leader_and_a_follower_takes_over_when_it_dies(pg_url: str) -> None:
    database = Database(pg_url)
    database.open()  # migrated, as a bot finds it
    database.close()
    first, second = Leader(pg_url, retry_seconds=0.05), Leader(pg_url, retry_seconds=0.05)
    await first.acquire()
    waiting = asyncio.create_task(second.acquire())
    try:
        assert first.leading and not second.leading
        # The first process dies: PostgreSQL ends its session, as when its socket drops.
        async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as admin:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()"
            )
        await asyncio.wait_for(first.lost(), 60)  # it notices, and steps down
        await asyncio.wait_for(waiting, 60)
        assert second.leading and not first.leading
    finally:
        waiting.cancel()
        await first.release()
        await second.release()
