"""The SQL of the PostgreSQL send queue (bot/digests/pgqueue.py): rows in, chats claimed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from psycopg import AsyncConnection

from bot.digests.workqueue import Request

CHANNEL = "newsbrief_digests"  # digests were queued: idle workers look again
DONE_CHANNEL = "newsbrief_digests_done"  # a claim took requests: `join` looks again
# pg_advisory_xact_lock(int, int) keys: a key space apart from the one-bigint locks of the
# migrations and the leader. Two chats sharing a hash only take turns.
CHAT_LOCKS = 0x6E62_0003
MAX_SKIPS = 20  # chats found busy before a worker waits for the next wake


def chat_key(chat_id: int) -> int:
    """Return the chat's 32-bit advisory lock key."""
    folded = (chat_id ^ (chat_id >> 32)) & 0xFFFF_FFFF
    return folded - (1 << 32) if folded >= 1 << 31 else folded


async def claim_chat(conn: AsyncConnection[Any]) -> int | None:
    """Return the chat of the oldest unclaimed row whose advisory lock this transaction got."""
    busy: list[int] = []
    for _ in range(MAX_SKIPS):
        cur = await conn.execute(
            "SELECT chat_id FROM digest_requests WHERE chat_id <> ALL(%s)"
            " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
            (busy,),
        )
        row = await cur.fetchone()
        if row is None:
            return None
        chat_id = int(row[0])
        cur = await conn.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)", (CHAT_LOCKS, chat_key(chat_id))
        )
        locked = await cur.fetchone()
        if locked is not None and locked[0]:
            return chat_id
        busy.append(chat_id)  # another worker is sending this chat: its new row waits
    return None


async def chat_docs(
    conn: AsyncConnection[Any], chat_id: int
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Return the chat's subscription documents and settings as the database has them."""
    cur = await conn.execute(
        "SELECT doc FROM user_subscriptions WHERE chat_id = %s ORDER BY ord", (chat_id,)
    )
    subs = [dict(row[0]) for row in await cur.fetchall()]
    cur = await conn.execute("SELECT doc FROM user_chats WHERE key = %s", (str(chat_id),))
    row = await cur.fetchone()
    return subs, (dict(row[0]) if row is not None else None)


async def insert_rows(conn: AsyncConnection[Any], batch: Iterable[tuple[int, Request]]) -> None:
    """Insert due digests in one transaction and tell every process."""
    rows = [(chat_id, sorted(r.sub_ids), r.due) for chat_id, r in batch]
    async with conn.transaction():
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO digest_requests (chat_id, sub_ids, due) VALUES (%s, %s, %s)", rows
            )
        await conn.execute(f"NOTIFY {CHANNEL}")


async def take_requests(conn: AsyncConnection[Any], chat_id: int) -> list[Request]:
    """Delete the chat's unclaimed rows in this transaction; tell the waiting joins at commit."""
    cur = await conn.execute(
        "DELETE FROM digest_requests WHERE id IN (SELECT id FROM digest_requests"
        " WHERE chat_id = %s FOR UPDATE SKIP LOCKED) RETURNING sub_ids, due",
        (chat_id,),
    )
    taken = [Request(set(sub_ids), due) for sub_ids, due in await cur.fetchall()]
    if taken:  # delivered on commit only: a claim that rolls back gives its rows back
        await conn.execute(f"NOTIFY {DONE_CHANNEL}")
    return taken


async def wake_others_if_asked_again(conn: AsyncConnection[Any], chat_id: int) -> None:
    """Notify the workers when the chat fell due again while it was being sent."""
    cur = await conn.execute(
        "SELECT EXISTS (SELECT 1 FROM digest_requests WHERE chat_id = %s)", (chat_id,)
    )
    row = await cur.fetchone()
    if row is not None and row[0]:
        await conn.execute(f"NOTIFY {CHANNEL}")
