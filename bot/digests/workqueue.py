"""The digest work queue: one pending request per chat, a few workers, never two on one chat.

Requests for a chat that is already waiting are merged, so the digests of several
subscriptions falling due at the same minute go out as one message. Workers run as
asyncio tasks beside the Application's update handling and yield at every send.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Request:
    """What to deliver to one chat: a scheduled due instant and/or an explicit /digest."""

    sub_ids: set[str] = field(default_factory=set)
    due: datetime | None = None  # scheduled digest; None for /digest
    manual: bool = False  # /digest: every subscription of the chat, counts as delivered
    waiters: list[asyncio.Future[str]] = field(default_factory=list)

    def merge(self, other: Request) -> None:
        """Fold another request for the same chat into this one."""
        self.sub_ids |= other.sub_ids
        if other.due is not None:
            self.due = other.due if self.due is None else max(self.due, other.due)
        self.manual = self.manual or other.manual
        self.waiters += other.waiters


Handler = Callable[[int, Request], Awaitable[str]]


class WorkQueue:
    """Chats waiting for a digest, served by `workers` asyncio tasks in arrival order."""

    def __init__(self, handle: Handler, workers: int) -> None:
        self._handle = handle
        self._workers = max(1, workers)
        self._order: deque[int] = deque()
        self._pending: dict[int, Request] = {}
        self._busy: set[int] = set()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start the worker tasks on the running loop."""
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._work(), name=f"digest-worker-{i}")
                for i in range(self._workers)
            ]

    async def stop(self) -> None:
        """Cancel the workers; what was not confirmed stays due and is sent after restart."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def submit(self, chat_id: int, request: Request, *, first: bool = False) -> None:
        """Queue (or merge) a request; `first` jumps the queue (a user is waiting)."""
        self._idle.clear()
        waiting = self._pending.get(chat_id)
        if waiting is not None:
            waiting.merge(request)
            return
        self._pending[chat_id] = request
        if chat_id not in self._busy:
            self._enqueue(chat_id, first)

    def _enqueue(self, chat_id: int, first: bool) -> None:
        if first:
            self._order.appendleft(chat_id)
        else:
            self._order.append(chat_id)
        self._wake.set()

    def __len__(self) -> int:
        return len(self._pending) + len(self._busy)

    async def join(self) -> None:
        """Wait until nothing is queued or in flight."""
        await self._idle.wait()

    async def _work(self) -> None:
        while True:
            while not self._order:
                self._wake.clear()
                await self._wake.wait()
            chat_id = self._order.popleft()
            request = self._pending.pop(chat_id)
            self._busy.add(chat_id)
            try:
                status = await self._handle(chat_id, request)
            except asyncio.CancelledError:
                raise
            except Exception:  # one chat's failure must not stop everyone's digest
                log.exception("digest for chat %s failed", chat_id)
                status = "failed"
            finally:
                self._busy.discard(chat_id)
            for waiter in request.waiters:
                if not waiter.done():
                    waiter.set_result(status)
            if chat_id in self._pending:  # asked for again while we were sending
                self._enqueue(chat_id, self._pending[chat_id].manual)
            if not self._pending and not self._busy:
                self._idle.set()
