"""Send pacing under Telegram's limits: slots reserved on a virtual timeline, never bursts.

Each limit is a spacing between sends (overall 1/30 s, per chat 1 s, per group 3 s).
A sender reserves the next free slot and sleeps until it, so concurrent senders queue up
in order without polling. A 429 pauses every sender until its retry_after has passed.

The one Pacer of a bot paces every send: digests through `wait_turn`, replies to people
through `person_turn` (bot/app/sendlimit.py), which goes first: a reply takes the current
slot and pushes the digests' timeline back by one, so people never queue behind a fan-out
and the total stays within the global rate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Sleep = Callable[[float], Awaitable[None]]
PRUNE_EVERY = 1000


@dataclass(frozen=True, slots=True)
class Pacing:
    """Rates digests are sent at; the defaults stay a little under Telegram's limits."""

    global_per_second: float = 28.0  # Telegram allows about 30; replies to commands use the rest
    per_chat_per_second: float = 1.0
    group_per_minute: float = 19.0  # Telegram allows 20
    workers: int = 8  # sends in flight at once; bounds what a crash can repeat
    max_attempts: int = 8  # per message, for 429s and network errors
    send_timeout: float = 30.0  # a send hung longer is abandoned and retried

    def scaled(self, factor: float) -> Pacing:
        """Return the same pacing with every rate multiplied (benchmarks with scaled limits)."""
        return Pacing(
            self.global_per_second * factor,
            self.per_chat_per_second * factor,
            self.group_per_minute * factor,
            self.workers,
            self.max_attempts,
            self.send_timeout,
        )


class Pacer:
    """Reserve send slots for chats under the global, per-chat and per-group spacings."""

    def __init__(
        self,
        pacing: Pacing,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.pacing = pacing
        self._clock = clock
        self._sleep = sleep
        self._global_next = 0.0
        self._chat_next: dict[int, float] = {}
        self._paused_until = 0.0
        self._count = 0

    def _chat_interval(self, chat_id: int) -> float:
        interval = 1.0 / self.pacing.per_chat_per_second
        if chat_id < 0:  # groups, supergroups and channels
            interval = max(interval, 60.0 / self.pacing.group_per_minute)
        return interval

    async def wait_turn(self, chat_id: int) -> None:
        """Sleep until this chat may be sent one message."""
        while True:
            now = self._clock()
            ready = max(self._chat_next.get(chat_id, 0.0), self._paused_until)
            if ready <= now:
                break
            await self._sleep(ready - now)
        slot = max(now, self._global_next)
        self._global_next = slot + 1.0 / self.pacing.global_per_second
        self._chat_next[chat_id] = max(slot, now) + self._chat_interval(chat_id)
        self._prune(now)
        if slot > now:
            await self._sleep(slot - now)
        while self._paused_until > self._clock():  # a 429 arrived while we waited
            await self._sleep(self._paused_until - self._clock())

    async def person_turn(self, chat_id: int) -> None:
        """Wait only for a 429 pause (and a group's spacing); then take a slot ahead of digests."""
        while True:
            now = self._clock()
            ready = self._paused_until
            if chat_id < 0:  # Telegram's per-group limit binds replies too
                ready = max(ready, self._chat_next.get(chat_id, 0.0))
            if ready <= now:
                break
            await self._sleep(ready - now)
        self._global_next = max(self._global_next, now) + 1.0 / self.pacing.global_per_second
        self._chat_next[chat_id] = now + self._chat_interval(chat_id)
        self._prune(now)

    def pause(self, seconds: float) -> None:
        """Hold every sender for `seconds` (Telegram answered 429 retry_after)."""
        until = self._clock() + seconds
        self._paused_until = max(self._paused_until, until)
        self._global_next = max(self._global_next, until)

    def _prune(self, now: float) -> None:
        """Forget chats whose spacing has passed, so memory stays bounded."""
        self._count += 1
        if self._count % PRUNE_EVERY == 0:
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
