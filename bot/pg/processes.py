"""The bot processes sharing one database: a row each, written as a heartbeat, counted live.

Each process writes its row every `HEARTBEAT` seconds, by the database's clock (so the
processes' own clocks need not agree), and counts the rows seen within `STALE` seconds. A
process that stops deletes its row; one killed stops writing and drops out of the count
`STALE` seconds later, and the next beat of any process deletes its stale row.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import Any

from psycopg import AsyncConnection

HEARTBEAT = 5.0
STALE = 3 * HEARTBEAT  # seconds without a beat before a process counts as gone

_BEAT = (
    "INSERT INTO bot_processes (id, seen) VALUES (%s, now())"
    " ON CONFLICT (id) DO UPDATE SET seen = now()"
)
_FORGET = "DELETE FROM bot_processes WHERE seen < now() - make_interval(secs => %s)"
_COUNT = "SELECT count(*) FROM bot_processes WHERE seen >= now() - make_interval(secs => %s)"


def process_id() -> str:
    """Return a name for this process that no other process shares (host, pid, random)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Roster:
    """This process's row among the bot processes, and how many are alive."""

    def __init__(self, *, ident: str | None = None, stale: float = STALE) -> None:
        self.ident = ident or process_id()
        self._stale = stale

    async def beat(self, conn: AsyncConnection[Any]) -> int:
        """Write this process's row, forget stale ones; return the live processes (>= 1)."""
        async with conn.transaction():
            await conn.execute(_BEAT, (self.ident,))
            await conn.execute(_FORGET, (self._stale,))
            cur = await conn.execute(_COUNT, (self._stale,))
            row = await cur.fetchone()
        return max(1, int(row[0]) if row is not None else 1)

    async def leave(self, conn: AsyncConnection[Any]) -> None:
        """Delete this process's row: the others take its share at their next beat."""
        await conn.execute("DELETE FROM bot_processes WHERE id = %s", (self.ident,))
