"""Which of several bot processes on one database leads: the holder of an advisory lock.

The leader polls Telegram and runs the schedules (digest planning, follows, feeds,
housekeeping); every process, leader or not, sends the digests it claims from the queue.
The lock is session-scoped, held by a connection of its own: when the leader dies (even by
kill -9), PostgreSQL sees its connection drop and frees the lock, and a follower, which asks
again every `retry_seconds`, takes over. The leader checks its connection as often, so a
leader cut off from the database steps down instead of leading beside a new one.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import psycopg
from psycopg import AsyncConnection

log = logging.getLogger(__name__)

# pg_try_advisory_lock's key: "newsbrief" in ASCII, then 2 (migrations take 1: bot/pg/migrate.py).
LEADER_LOCK = 0x6E65_7773_6272_0002
RETRY_SECONDS = 2.0


class Leader:
    """Wait to hold the leader lock, notice losing it, give it back."""

    def __init__(self, url: str, *, retry_seconds: float = RETRY_SECONDS) -> None:
        self._url = url
        self._retry = retry_seconds
        self._conn: AsyncConnection[Any] | None = None
        self.term = 0  # this leadership's number (0 before the first): each lead takes the next

    @property
    def leading(self) -> bool:
        """Return whether this process holds the lock (as far as it last saw)."""
        return self._conn is not None

    async def acquire(self) -> None:
        """Return once this process holds the lock, asking again every retry_seconds."""
        while self._conn is None:
            try:
                conn = await AsyncConnection.connect(self._url, autocommit=True)
            except psycopg.Error as exc:
                log.warning("leader lock: database unreachable (%s)", type(exc).__name__)
                await asyncio.sleep(self._retry)
                continue
            try:
                term = await _next_term(conn) if await _try_lock(conn) else 0
            except psycopg.Error as exc:  # it went away since connecting: as unreachable
                log.warning("leader lock: database unreachable (%s)", type(exc).__name__)
                term = 0
            if term:
                self._conn, self.term = conn, term
                log.info("this process leads: it polls Telegram and runs the schedules")
                return
            await conn.close()  # frees the lock too, had it been taken
            await asyncio.sleep(self._retry)

    async def lost(self) -> None:
        """Return when the lock's connection fails (the lock is then free for another)."""
        while self._conn is not None:
            await asyncio.sleep(self._retry)
            try:
                await self._conn.execute("SELECT 1")
            except psycopg.Error as exc:
                log.error("leader lock lost with its connection (%s)", type(exc).__name__)
                await self.release()

    async def release(self) -> None:
        """Give the lock back by closing its connection."""
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()


async def _try_lock(conn: AsyncConnection[Any]) -> bool:
    cur = await conn.execute("SELECT pg_try_advisory_lock(%s)", (LEADER_LOCK,))
    row = await cur.fetchone()
    return bool(row and row[0])


async def _next_term(conn: AsyncConnection[Any]) -> int:
    cur = await conn.execute("SELECT nextval('leader_terms')")
    row = await cur.fetchone()
    assert row is not None
    return int(row[0])
