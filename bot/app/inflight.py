"""The updates being answered now, so that start-up's background work gives way to them.

A thread running Python flat out takes the GIL back from the event loop at every switch
interval, and a reply hands the GIL over many times (each socket call, each thread it waits
on): the stories' warm-up beside the first replies made each of them wait dozens of times,
and planning 100,000 digests on the loop delayed every turn it ran in (issue 25: /subscribe
p99 0.9 s at 100,000 subscribers). Both now work in short slices and, between slices, wait
until no update is in flight. The wait is bounded, so a steady stream of commands slows the
start-up's work down without stopping it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable
from typing import Any

from telegram.ext import SimpleUpdateProcessor

GIVE_WAY_MOST = 0.1  # seconds a slice of background work waits for the replies at most


class InFlight(SimpleUpdateProcessor):
    """Process updates as PTB's default processor does, knowing how many are being handled."""

    __slots__ = ("_answered", "_calm", "_count", "_idle", "_next_answer")

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._count = 0  # changed on the loop only; threads read `_idle`
        self._idle = threading.Event()
        self._idle.set()
        self._calm = asyncio.Event()  # the same, for waiters on the loop
        self._calm.set()
        self._answered = 0
        self._next_answer = asyncio.Event()  # set, then replaced, as each update is answered

    @property
    def count(self) -> int:
        """Return how many updates are being handled (the rest wait for one of them to end)."""
        return self._count

    @property
    def answered(self) -> int:
        """Return how many updates were handled to their end, whatever handler stopped them."""
        return self._answered

    async def wait_answered(self, count: int) -> None:
        """Wait until `count` updates in all were handled to their end."""
        while self._answered < count:
            await self._next_answer.wait()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle the update, counted from its handler's start to its end (replies sent)."""
        self._count += 1
        self._idle.clear()
        self._calm.clear()
        try:
            await super().do_process_update(update, coroutine)
        finally:
            self._count -= 1
            if not self._count:
                self._idle.set()
                self._calm.set()
            self._answered += 1
            answer, self._next_answer = self._next_answer, asyncio.Event()
            answer.set()

    def give_way(self, most: float = GIVE_WAY_MOST) -> None:
        """Block the calling thread until no update is in flight, or `most` seconds."""
        self._idle.wait(most)

    async def give_way_async(self, most: float = GIVE_WAY_MOST) -> None:
        """Let a turn of the loop pass, then wait until no update is in flight, or `most` seconds."""
        await asyncio.sleep(0)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(most):
                await self._calm.wait()
