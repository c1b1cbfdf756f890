"""The send limiter's tests on virtual time: a clock that jumps to the earliest sleeper once
every task is asleep, and a record of who sent when."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Coroutine
from typing import Any

from bot.digests.pacing import Pacer, Pacing

# 10 messages a second in all, digests alone too: the digests fill the whole budget.
TIGHT = Pacing(10.0, 1000.0, 60.0, workers=4, overall_per_second=10.0, reply_burst=1)
PERSON = 99
STUCK_S = 30.0  # no task fell asleep on the clock for this long: one is stuck elsewhere


class VirtualTime:
    """A clock and a sleep on virtual time; `run` drives tasks until all are done."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = 0
        self._changed = asyncio.Event()  # a task fell asleep on this clock, or ended

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self._seq += 1
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), self._seq, future))
        self._changed.set()
        await future

    async def run(self, *coros: Coroutine[Any, Any, None]) -> None:
        tasks = [asyncio.ensure_future(c) for c in coros]
        for task in tasks:
            task.add_done_callback(lambda _: self._changed.set())
        while await self._settle(tasks):
            when, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, when)
            future.set_result(None)
        for task in tasks:
            task.result()

    async def _settle(self, tasks: list[asyncio.Future[None]]) -> int:
        """Wait until each task left sleeps on this clock; return how many are left.

        Every await of these tasks ends in this clock's sleep (one at a time per task, a
        Deliverer's send task included), so once there are as many sleepers as live tasks,
        nothing can run before the earliest sleeper wakes: the moment to move the clock.
        Each sleep and each task's end sets `_changed`, so this waits on them, not on turns.
        """
        while True:
            live = sum(not t.done() for t in tasks)
            if len(self._sleepers) >= live:
                return live
            self._changed.clear()
            try:  # the bound only turns a hang into a failure: nothing waits on it to pass
                await asyncio.wait_for(self._changed.wait(), STUCK_S)
            except TimeoutError:
                raise AssertionError("a task waits on something other than the clock") from None


class Sends:
    """What went out when: (time, who) in order, who a chat id or 'reply'."""

    def __init__(self, time: VirtualTime) -> None:
        self.time = time
        self.log: list[tuple[float, object]] = []

    def record(self, who: object) -> None:
        self.log.append((round(self.time.now, 6), who))

    def at(self, who: object) -> float:
        return next(t for t, w in self.log if w == who)

    async def digests(self, pacer: Pacer, chats: list[int]) -> None:
        for chat in chats:
            await pacer.wait_turn(chat)
            self.record(chat)

    async def reply(self, pacer: Pacer, after: float, chat: int = PERSON) -> None:
        await self.time.sleep(after)
        await pacer.person_turn(chat)
        self.record(("reply", chat))


def fan_out(sends: Sends, pacer: Pacer, count: int) -> list[Coroutine[Any, Any, None]]:
    """Return TIGHT.workers digest workers sending to `count` private chats between them."""
    workers = TIGHT.workers
    return [sends.digests(pacer, list(range(1 + w, count + 1, workers))) for w in range(workers)]
