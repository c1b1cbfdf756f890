"""The leader lock: one holder per database, taken over when the holder's connection dies."""

from __future__ import annotations

import asyncio
import logging

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


async def test_a_lock_attempt_that_fails_after_connecting_is_tried_again(pg_url: str) -> None:
    # The database can go away between the connection and the lock's queries (a restart, a
    # failover). That error ended the leadership task, and the process never led again. A
    # sequence at its limit makes the same kind of error after the lock was taken, on demand.
    database = Database(pg_url)
    database.open()
    database.close()
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT setval('leader_terms', 5)")
        admin.execute("ALTER SEQUENCE leader_terms MAXVALUE 5")
    failed = asyncio.Event()
    loop = asyncio.get_running_loop()

    class Heard(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "leader lock" in record.getMessage():
                loop.call_soon_threadsafe(failed.set)

    heard = Heard()
    logging.getLogger("bot.pg.leader").addHandler(heard)
    leader = Leader(pg_url, retry_seconds=0.05)
    trying = asyncio.create_task(leader.acquire())
    try:
        await asyncio.wait_for(failed.wait(), 30)
        assert not trying.done() and not leader.leading
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("ALTER SEQUENCE leader_terms NO MAXVALUE")
        await asyncio.wait_for(trying, 30)
        assert leader.leading and leader.term == 6
    finally:
        logging.getLogger("bot.pg.leader").removeHandler(heard)
        trying.cancel()
        await leader.release()
