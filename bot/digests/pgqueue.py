"""The digest send queue in PostgreSQL: every process's workers claim chats from one table.

The same seam as `WorkQueue` (submit, start, stop, join), shared by several bot processes.
A due digest becomes a row of `digest_requests` (inserted in batches by one task). A worker
claims the oldest row nobody holds (`FOR UPDATE SKIP LOCKED`), takes its chat's advisory
lock for the transaction (never two workers on one chat, whichever process they run in),
deletes every row of that chat (one request per chat, merged), reads the chat's
subscriptions and settings as the database has them now (another process may have delivered
or changed them), and hands the merged request to the service. The service composes and
sends, and on Telegram's confirmation records the new cursors through `record`, in that
same transaction; the commit ends the claim (and, through a NOTIFY, wakes every process
waiting in `join`, which then counts the rows left). A process killed mid-send never
commits: its rows come back when its connection drops and another process sends them (at
most the one digest it was sending goes twice).

A /digest someone waits for is served by the process that got it (the waiter lives there):
one of its workers waits for that chat's lock and takes the chat's rows with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import orjson
import psycopg
from psycopg import AsyncConnection

from bot.backoff import retry_delay
from bot.digests.pgclaims import (
    CHANNEL,
    CHAT_LOCKS,
    DONE_CHANNEL,
    chat_docs,
    chat_key,
    claim_chat,
    insert_rows,
    take_requests,
    wake_others_if_asked_again,
)
from bot.digests.workqueue import Handler, Request, Waiting

log = logging.getLogger(__name__)

# An idle worker looks again (rows a killed process left have no NOTIFY), and so does `join`
# (a notification sent while the listener was reconnecting is lost).
POLL_SECONDS = 2.0
RECONNECT_SECONDS = 1.0

Refresh = Callable[[int, list[dict[str, Any]], dict[str, Any] | None], None]


class PgSendQueue:
    """Chats waiting for a digest, in PostgreSQL, served by `workers` tasks of each process."""

    def __init__(
        self,
        url: str,
        handle: Handler,
        workers: int,
        refresh: Refresh,
        *,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._url = url
        self._handle = handle
        self._refresh = refresh
        self._workers = max(1, workers)
        self._poll = poll_seconds
        self._local = Waiting()  # someone waits here for these
        self._outbox: list[tuple[int, Request]] = []  # due digests not yet inserted
        self._claims: dict[int, AsyncConnection[Any]] = {}  # chat -> its worker's transaction
        self._busy = 0  # batches being inserted and claims being served
        self._wake = asyncio.Event()
        self._flush = asyncio.Event()
        self._changed = asyncio.Event()  # work here ended, or some process took requests
        self._listening = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start the workers, the inserting task and the listener on the running loop."""
        if self._tasks:
            return
        tasks = [self._work() for _ in range(self._workers)] + [self._insert(), self._listen()]
        self._tasks = [asyncio.create_task(t, name="digest-pg-queue") for t in tasks]

    async def stop(self) -> None:
        """Cancel the tasks; an unconfirmed digest rolls back and stays in the table."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def submit(self, chat_id: int, request: Request, *, first: bool = False) -> None:
        """Queue a request: one someone waits for here, else a row any process may send."""
        if request.waiters or request.manual:
            if self._local.add(chat_id, request):
                self._local.queue(chat_id, first)
                self._wake.set()
            return
        self._outbox.append((chat_id, request))
        self._flush.set()

    def __len__(self) -> int:
        return len(self._local) + len(self._outbox) + self._busy

    async def join(self) -> None:
        """Wait until nothing is queued here, claimed here, or left in the table."""
        await _wait(self._listening, self._poll)  # a claim's NOTIFY from now on reaches us
        async with await AsyncConnection.connect(self._url, autocommit=True) as conn:
            while True:
                self._changed.clear()
                if not len(self):
                    cur = await conn.execute("SELECT count(*) FROM digest_requests")
                    row = await cur.fetchone()
                    if row is not None and row[0] == 0 and not len(self):
                        return
                await _wait(self._changed, self._poll)

    async def record(self, chat_id: int, fields: dict[str, dict[str, Any]]) -> None:
        """Store subscriptions' delivery fields (sub id -> fields) in the chat's claim."""
        conn = self._claims[chat_id]
        rows = [(orjson.dumps(f).decode(), sub_id) for sub_id, f in fields.items()]
        async with conn.cursor() as cur:
            await cur.executemany(
                "UPDATE user_subscriptions SET doc = (doc::jsonb || %s::jsonb)::json WHERE key = %s",
                rows,
            )

    # --- the tasks ------------------------------------------------------------------------

    async def _insert(self) -> None:
        """Insert the due digests in batches, waking every process's workers."""
        failures = 0
        conn: AsyncConnection[Any] | None = None
        while True:
            if not self._outbox:
                self._flush.clear()
                await self._flush.wait()
            batch, self._outbox = self._outbox, []
            self._busy += 1
            try:
                conn = conn if conn is not None and not conn.closed else await self._connect()
                await insert_rows(conn, batch)
                failures = 0
            except psycopg.Error:
                failures += 1
                log.exception("queueing %d digests failed; retrying", len(batch))
                self._outbox[:0] = batch
                await asyncio.sleep(retry_delay(RECONNECT_SECONDS, failures, 30.0))
            finally:
                self._busy -= 1

    async def _listen(self) -> None:
        """Wake the workers when any process queues digests, and `join` when one takes some."""
        failures = 0
        while True:
            try:
                async with await AsyncConnection.connect(self._url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    await conn.execute(f"LISTEN {DONE_CHANNEL}")
                    self._listening.set()
                    failures = 0
                    async for note in conn.notifies():
                        (self._changed if note.channel == DONE_CHANNEL else self._wake).set()
            except psycopg.Error as exc:
                failures += 1
                log.warning("digest queue listener lost its connection: %s", type(exc).__name__)
                await asyncio.sleep(retry_delay(RECONNECT_SECONDS, failures, 30.0))

    async def _work(self) -> None:
        """Claim chats and hand them to the service until cancelled; reconnect on errors."""
        failures = 0
        while True:
            try:
                async with await self._connect() as conn:
                    failures = 0
                    while True:
                        if not await self._serve_one(conn):
                            await self._idle()
            except psycopg.Error as exc:
                failures += 1
                log.warning("digest worker lost its connection: %s", type(exc).__name__)
                await asyncio.sleep(retry_delay(RECONNECT_SECONDS, failures, 30.0))

    async def _idle(self) -> None:
        self._wake.clear()
        await _wait(self._wake, self._poll)

    async def _connect(self) -> AsyncConnection[Any]:
        return await AsyncConnection.connect(self._url)

    async def _serve_one(self, conn: AsyncConnection[Any]) -> bool:
        """Claim one chat, deliver it, commit; return False when there was nothing to claim."""
        self._busy += 1
        try:
            return await self._serve_in_transaction(conn)
        finally:
            self._busy -= 1
            self._changed.set()

    async def _serve_in_transaction(self, conn: AsyncConnection[Any]) -> bool:
        async with conn.transaction():
            claimed = await self._claim(conn)
            if claimed is None:
                return False
            chat_id, request = claimed
            self._claims[chat_id] = conn
            try:
                status = await self._deliver(conn, chat_id, request)
            finally:
                del self._claims[chat_id]
            await wake_others_if_asked_again(conn, chat_id)
        for waiter in request.waiters:
            if not waiter.done():
                waiter.set_result(status)
        return True

    async def _deliver(self, conn: AsyncConnection[Any], chat_id: int, request: Request) -> str:
        subs, chat = await chat_docs(conn, chat_id)
        self._refresh(chat_id, subs, chat)
        try:
            return await self._handle(chat_id, request)
        except psycopg.Error:
            raise  # the claim is broken: roll back, the rows stay for another worker
        except Exception:  # one chat's failure must not stop everyone's digest
            log.exception("digest for chat %s failed", chat_id)
            return "failed"

    async def _claim(self, conn: AsyncConnection[Any]) -> tuple[int, Request] | None:
        """Lock a chat for this transaction and take its rows, merged into one request."""
        if self._local:
            chat_id, request = self._local.pop()
            await conn.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", (CHAT_LOCKS, chat_key(chat_id))
            )
        else:
            found = await claim_chat(conn)
            if found is None:
                return None
            chat_id, request = found, Request()
        for taken in await take_requests(conn, chat_id):
            request.merge(taken)
        return chat_id, request


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Wait for the event, at most `seconds`."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
