"""Telegram's per-bot message rate divided between the bot processes sharing a database.

Telegram limits a bot to about 30 messages a second whichever process sends them, and each
process paces its own sends (bot/digests/pacing.py), so N processes each pace at 1/N of the
bot's overall and digest rates. Of the ways to share the budget this one costs no database
round trip per message (a shared token bucket in PostgreSQL would, 30 times a second, on the
path of every reply); a fan-out is claimed by every process (bot/digests/pgqueue.py), so all
of them are sending then and the budget is used whole. When a process dies its share comes
back to the others within `STALE` seconds (bot/pg/processes.py), never too early. A chat's
own limits (1/s, a group's 20/min) are not divided: one process at a time sends to a chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace

import psycopg
from psycopg import AsyncConnection

from bot.digests.pacing import Pacer, Pacing
from bot.pg.processes import HEARTBEAT, Roster

log = logging.getLogger(__name__)


def share(pacing: Pacing, processes: int) -> Pacing:
    """Return one process's pacing when `processes` share the bot's message rate."""
    n = max(1, processes)
    return replace(
        pacing,
        global_per_second=pacing.global_per_second / n,
        overall_per_second=pacing.overall_per_second / n,
        reply_burst=max(1, pacing.reply_burst // n),
    )


async def keep_share(url: str, pacer: Pacer, roster: Roster | None = None) -> None:
    """Forever: beat in the roster and pace at this process's share of the bot's rate."""
    roster = roster or Roster()
    whole = pacer.pacing
    while True:
        try:
            async with await AsyncConnection.connect(url, autocommit=True) as conn:
                try:
                    while True:
                        processes = await roster.beat(conn)
                        if pacer.pacing != (mine := share(whole, processes)):
                            log.info("%d bot processes share the message rate", processes)
                            pacer.pacing = mine
                        await asyncio.sleep(HEARTBEAT)
                finally:
                    with contextlib.suppress(psycopg.Error):
                        await asyncio.shield(roster.leave(conn))
        except psycopg.Error as exc:  # keep the last share; the database comes back
            log.warning("process roster: database error (%s)", type(exc).__name__)
            await asyncio.sleep(HEARTBEAT)
