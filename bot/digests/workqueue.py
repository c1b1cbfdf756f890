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
    thread_id: int | None = None  # the forum topic /digest was sent in: the digest goes there

    def merge(self, other: Request) -> None:
        """Fold another request for the same chat into this one."""
        self.sub_ids |= other.sub_ids
        if other.due is not None:
            self.due = other.due if self.due is None else max(self.due, other.due)
        self.manual = self.manual or other.manual
        self.thread_id = other.thread_id or self.thread_id
        self.waiters += other.waiters


Handler = Callable[[int, Request], Awaitable[str]]


class Waiting:
    """Requests not yet served, one per chat (a new one merges in), and the chats' turn order."""

    def __init__(self) -> None:
        self._requests: dict[int, Request] = {}
        self._order: deque[int] = deque()  # chats whose turn it may be; a busy chat waits out

    def add(self, chat_id: int, request: Request) -> bool:
        """Merge the request into the chat's waiting one; return True when there was none."""
        waiting = self._requests.get(chat_id)
        if waiting is not None:
            waiting.merge(request)
            return False
        self._requests[chat_id] = request
        return True

    def queue(self, chat_id: int, first: bool) -> None:
        """Give the chat a turn: next when `first` (someone waits), else last."""
        if first:
            self._order.appendleft(chat_id)
        else:
            self._order.append(chat_id)

    def pop(self) -> tuple[int, Request]:
        """Take the request of the chat whose turn it is."""
        chat_id = self._order.popleft()
        return chat_id, self._requests.pop(chat_id)

    def get(self, chat_id: int) -> Request | None:
        """Return the chat's waiting request, if any."""
        return self._requests.get(chat_id)

    def has_turns(self) -> bool:
        """Return whether a chat has a turn queued."""
        return bool(self._order)

    def __len__(self) -> int:
        return len(self._requests)


class WorkQueue:
    """Chats waiting for a digest, served by `workers` asyncio tasks in arrival order."""

    def __init__(self, handle: Handler, workers: int) -> None:
        self._handle = handle
        self._workers = max(1, workers)
        self._pending = Waiting()
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
        if self._pending.add(chat_id, request) and chat_id not in self._busy:
            self._enqueue(chat_id, first)

    def _enqueue(self, chat_id: int, first: bool) -> None:
        self._pending.queue(chat_id, first)
        self._wake.set()

    def __len__(self) -> int:
        return len(self._pending) + len(self._busy)

    async def join(self) -> None:
        """Wait until nothing is queued or in flight."""
        await self._idle.wait()

    async def _work(self) -> None:
        while True:
            while not self._pending.has_turns():
                self._wake.clear()
                await self._wake.wait()
            chat_id, request = self._pending.pop()
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
            again = self._pending.get(chat_id)
            if again is not None:  # asked for again while we were sending
                self._enqueue(chat_id, again.manual)
            if not self._pending and not self._busy:
                self._idle.set()
