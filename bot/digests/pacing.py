"""Send pacing under Telegram's limits: slots reserved on a virtual timeline, never bursts.

Each limit is a spacing between sends: every message of the bot at most
`overall_per_second` (29/s), digests alone at most `global_per_second` (28/s), one chat
1/s, one group 19/min. A sender reserves the next free slot and sleeps until it, so
concurrent senders queue up in order without polling. A 429 pauses every sender until its
retry_after has passed; senders asleep on a slot then queue again rather than all going
at once when the pause ends.

The one Pacer of a bot paces every message (bot/app/sendlimit.py): digests through
`wait_turn`, replies to people through `person_turn`. A reply never waits for digests: it
takes the next slot of the replies' own timeline, and the digests still asleep on their
slots move back as far as the overall rate needs (a reply a second fits in the slack
between the digests' 28/s and the overall 29/s). The replies' timeline lets `reply_burst`
replies go at once (people ask in clumps; Telegram allows about a second's worth of burst),
then spaces them at the overall rate, so a crowd of people cannot exceed it either. Together replies and digests
stay within the overall rate, give or take that burst.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

Sleep = Callable[[float], Awaitable[None]]
PRUNE_EVERY = 1000
# Paid broadcasts (Bot API 7.11, `allow_paid_broadcast`): Telegram lets up to 1,000 messages a
# second through and bills each one over the free ~30/s at 0.1 Stars. Stay a little under, as
# the free rates do; one chat and one group keep their limits.
PAID_PER_SECOND = 960.0  # digests and follow updates
PAID_OVERALL_PER_SECOND = 990.0  # every message, replies included


@dataclass(slots=True, eq=False)
class Slot:
    """A reserved send time; a reply may move a digest's slot back while it sleeps."""

    at: float


@dataclass(frozen=True, slots=True)
class Pacing:
    """Rates the bot sends at; the defaults stay a little under Telegram's limits."""

    global_per_second: float = 28.0  # digests; Telegram allows about 30 messages a second
    per_chat_per_second: float = 1.0
    group_per_minute: float = 19.0  # Telegram allows 20
    workers: int = 8  # sends in flight at once; bounds what a crash can repeat
    max_attempts: int = 8  # per message, for network errors; 429s are waited out
    send_timeout: float = 30.0  # a send hung longer is abandoned and retried
    overall_per_second: float = 29.0  # every message, replies to people included
    reply_burst: int = 15  # replies that may go at once, as Telegram allows a short burst
    paid_broadcast: bool = False  # digests and follow updates pay to pass the ~30/s limit

    def scaled(self, factor: float) -> Pacing:
        """Return the same pacing with every rate multiplied (benchmarks with scaled limits)."""
        return replace(
            self,
            global_per_second=self.global_per_second * factor,
            per_chat_per_second=self.per_chat_per_second * factor,
            group_per_minute=self.group_per_minute * factor,
            overall_per_second=self.overall_per_second * factor,
        )

    def paid(self) -> Pacing:
        """Return the pacing of paid broadcasts: the bot-wide rates at Telegram's paid 1,000/s."""
        return replace(
            self,
            global_per_second=max(self.global_per_second, PAID_PER_SECOND),
            overall_per_second=max(self.overall_per_second, PAID_OVERALL_PER_SECOND),
            paid_broadcast=True,
        )


class Pacer:
    """Reserve send slots for chats under the overall, digest, per-chat and per-group spacings."""

    def __init__(
        self,
        pacing: Pacing,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        paid: bool = False,
    ) -> None:
        """Pace by `pacing`; `paid`: at the paid broadcasts' rates (NEWSBRIEF_PAID_BROADCAST)."""
        self.pacing = pacing.paid() if paid else pacing
        self._clock = clock
        self._sleep = sleep
        self._all_next = 0.0  # the next slot of any send, pushed back by replies
        self._digest_next = 0.0
        self._person_next = 0.0
        self._asleep: deque[Slot] = deque()  # digests' reserved slots not yet reached, in order
        self._edge = 0.0  # the overall timeline's last slot taken by a send or a reply
        self._chat_next: dict[int, float] = {}
        self._paused_until = 0.0
        self._count = 0

    def _chat_interval(self, chat_id: int) -> float:
        interval = 1.0 / self.pacing.per_chat_per_second
        if chat_id < 0:  # groups, supergroups and channels
            interval = max(interval, 60.0 / self.pacing.group_per_minute)
        return interval

    @property
    def _overall(self) -> float:
        return 1.0 / self.pacing.overall_per_second

    async def wait_turn(self, chat_id: int) -> None:
        """Sleep until this chat may be sent one digest message."""
        while True:
            now = await self._ready(chat_id)
            slot = Slot(max(now, self._all_next, self._digest_next))
            self._all_next = slot.at + self._overall
            # The digests' own grid: after replies moved a digest back, the next ones catch
            # up at the overall rate, so the fan-out keeps its rate while replies fit.
            self._digest_next = max(self._digest_next, now) + 1.0 / self.pacing.global_per_second
            self._asleep.append(slot)
            if await self._hold(chat_id, slot, now):
                return

    async def person_turn(self, chat_id: int) -> None:
        """Sleep until a reply to this chat may go: ahead of every digest not yet sent.

        Only a 429 pause, the spacing of a group (Telegram's per-group limit binds replies
        too) and other replies hold it; a private chat's 1/s is not applied to replies, as
        Telegram allows private chats short bursts.
        """
        while True:
            now = await self._ready(chat_id if chat_id < 0 else None)
            # A token bucket on the timeline: `reply_burst` replies at once, then the rate.
            at = max(now, self._person_next - (self.pacing.reply_burst - 1) * self._overall)
            self._person_next = max(self._person_next, at) + self._overall
            # On the overall timeline the reply takes the slot after the last send, even
            # when it goes sooner in a burst; the digests asleep after it make room.
            self._edge = max(at, self._edge + self._overall)
            self._make_room(self._edge)
            if await self._hold(chat_id, Slot(at), now):
                return

    def _make_room(self, at: float) -> None:
        """Move the digests asleep on slots after `at` back as far as the overall rate needs.

        Digests are spaced a little wider than the overall rate (28/s in 29/s), so a reply
        a second fits in that slack and the fan-out keeps its own rate.
        """
        last = at
        for slot in self._asleep:
            slot.at = max(slot.at, last + self._overall)
            last = slot.at
        self._all_next = max(self._all_next, last + self._overall)

    async def _ready(self, chat_id: int | None) -> float:
        """Sleep while paused or while the chat's spacing has not passed; return the time."""
        while True:
            now = self._clock()
            ready = self._paused_until
            if chat_id is not None:
                ready = max(ready, self._chat_next.get(chat_id, 0.0))
            if ready <= now:
                return now
            await self._sleep(ready - now)

    async def _hold(self, chat_id: int, slot: Slot, now: float) -> bool:
        """Hold the chat from `slot` and sleep until it; False when a 429 came meanwhile.

        The slot may move back while we sleep (a reply made room). When a 429 came
        meanwhile, the chat's spacing goes back to what it was (nothing was sent) and the
        caller queues again after the pause.
        """
        before = self._chat_next.get(chat_id, 0.0)
        interval = self._chat_interval(chat_id)
        self._chat_next[chat_id] = held = max(before, slot.at) + interval
        self._prune(now)
        while slot.at > now:
            await self._sleep(slot.at - now)
            now = self._clock()
        if slot in self._asleep:
            self._asleep.remove(slot)
        if self._chat_next.get(chat_id) == held:
            self._chat_next[chat_id] = held = max(before, slot.at) + interval
        if self._paused_until <= now:
            self._edge = max(self._edge, slot.at)
            return True
        if self._chat_next.get(chat_id) == held:
            self._chat_next[chat_id] = before
        return False

    def pause(self, seconds: float) -> None:
        """Hold every sender for `seconds` (Telegram answered 429 retry_after)."""
        until = self._clock() + seconds
        self._paused_until = max(self._paused_until, until)
        self._all_next = max(self._all_next, until)
        self._digest_next = max(self._digest_next, until)

    def _prune(self, now: float) -> None:
        """Forget chats whose spacing has passed, so memory stays bounded."""
        self._count += 1
        if self._count % PRUNE_EVERY == 0:
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
