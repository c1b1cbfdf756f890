"""One send limiter: replies to people go ahead of digests within one overall rate; one 429 state.

The Pacer runs on virtual time: its sleeps wait for the test's clock, which jumps to the
earliest sleeper once every task is asleep, so concurrent senders interleave as they would
in real time, and every send time is an exact number.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Coroutine
from dataclasses import replace
from itertools import pairwise
from typing import Any

import pytest
from telegram.error import NetworkError, RetryAfter

from bot.app.sendlimit import SendLimiter
from bot.digests.delivery import Deliverer, DigestPart, Outcome, Result
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


async def test_a_reply_takes_the_next_slot_ahead_of_the_queued_digests() -> None:
    time = VirtualTime()
    pacer = Pacer(TIGHT, clock=time.clock, sleep=time.sleep)
    sends = Sends(time)
    await time.run(*fan_out(sends, pacer, 20), sends.reply(pacer, after=0.55))
    reply = sends.at(("reply", PERSON))
    assert reply == 0.55  # no wait, though four digests held slots from 0.6 to 0.9
    digests = [t for t, w in sends.log if w != ("reply", PERSON)]
    assert digests == [round(i * 0.1, 6) for i in range(6)] + [
        round(0.7 + i * 0.1, 6) for i in range(14)
    ]  # each digest not yet sent moved back by one slot: 0.6 went at 0.7, ..., 1.9 at 2.0


async def test_without_replies_the_fan_out_keeps_its_rate() -> None:
    time = VirtualTime()
    pacer = Pacer(TIGHT, clock=time.clock, sleep=time.sleep)
    sends = Sends(time)
    await time.run(*fan_out(sends, pacer, 20))
    assert [t for t, _ in sends.log] == [round(i * 0.1, 6) for i in range(20)]


async def test_the_overall_rate_holds_over_replies_and_digests() -> None:
    time = VirtualTime()
    pacer = Pacer(TIGHT, clock=time.clock, sleep=time.sleep)
    sends = Sends(time)
    # People ask 25 times a second for 2 s: more than the whole budget of 10/s.
    people = [sends.reply(pacer, after=i * 0.04, chat=1000 + i) for i in range(50)]
    await time.run(*fan_out(sends, pacer, 40), *people)
    times = sorted(t for t, _ in sends.log)
    assert len(times) == 90
    replies = [t for t, w in sends.log if isinstance(w, tuple)]
    digests = [t for t, w in sends.log if not isinstance(w, tuple)]
    assert max(replies) < min(digests[1:])  # people first while they keep asking
    # Every two sends a slot apart, but for the one reply that came with a digest at t=0.
    gaps = [b - a for a, b in pairwise(times)]
    assert sum(1 for g in gaps if g < 0.1 - 1e-9) == 1
    assert max(sum(1 for t in times if s <= t < s + 1.0) for s in times) == 10 + 1


async def test_replies_may_come_in_a_burst_then_at_the_overall_rate() -> None:
    time = VirtualTime()
    pacer = Pacer(replace(TIGHT, reply_burst=3), clock=time.clock, sleep=time.sleep)
    sends = Sends(time)
    people = [sends.reply(pacer, after=1.0, chat=1000 + i) for i in range(6)]
    await time.run(*fan_out(sends, pacer, 20), *people)
    replies = [t for t, w in sends.log if isinstance(w, tuple)]
    assert replies == [1.0, 1.0, 1.0, 1.1, 1.2, 1.3]
    digests = [t for t, w in sends.log if not isinstance(w, tuple)]
    assert len(digests) == 20
    assert min(t for t in digests if t > 1.0) == 1.7  # 1.0 to 1.6 moved back six slots
    # The burst is the only excess: any second holds at most the rate plus the burst.
    times = sorted(t for t, _ in sends.log)
    assert max(sum(1 for t in times if s <= t < s + 1.0) for s in times) <= 10 + 3


async def test_a_groups_spacing_binds_replies_too() -> None:
    time = VirtualTime()
    pacer = Pacer(TIGHT, clock=time.clock, sleep=time.sleep)
    sends = Sends(time)
    group = -100500
    await time.run(sends.digests(pacer, [group]), sends.reply(pacer, after=0.2, chat=group))
    assert sends.log == [(0.0, group), (1.0, ("reply", group))]  # 60 a minute: 1 s apart


async def test_one_429_pauses_digests_and_replies_and_the_reply_goes_first() -> None:
    time = VirtualTime()
    pacer = Pacer(TIGHT, clock=time.clock, sleep=time.sleep)
    sends = Sends(time)

    async def flood() -> None:
        await time.sleep(0.35)
        pacer.pause(2.0)

    await time.run(*fan_out(sends, pacer, 20), flood(), sends.reply(pacer, after=0.5))
    times = [t for t, _ in sends.log]
    assert not [t for t in times if 0.35 < t < 2.35]  # nobody sent during the pause
    assert sends.at(("reply", PERSON)) == 2.35  # the reply goes the moment it ends
    after = [t for t in times if t >= 2.35]
    # The digests asleep on their slots queued again instead of going all at once at 2.35.
    assert all(b - a >= 0.1 - 1e-9 for a, b in pairwise(after[1:]))


async def test_a_manual_digest_goes_ahead_of_the_fan_out() -> None:
    time = VirtualTime()
    pacer = Pacer(TIGHT, clock=time.clock, sleep=time.sleep)
    sends = Sends(time)

    async def send(chat_id: int, part: DigestPart) -> object:
        sends.record(("digest", chat_id))
        return True

    async def asked() -> None:
        await time.sleep(0.55)
        result = await Deliverer(send, pacer).deliver(PERSON, [DigestPart("x")], person=True)
        assert result.outcome is Outcome.SENT

    await time.run(*fan_out(sends, pacer, 20), asked())
    assert sends.at(("digest", PERSON)) == 0.55


class Calls:
    """A Bot API call that answers 429 the first `fail` times."""

    def __init__(self, fail: int, time: VirtualTime) -> None:
        self.fail = fail
        self.time = time
        self.at: list[float] = []

    async def __call__(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.at.append(self.time.now)
        if len(self.at) <= self.fail:
            raise RetryAfter(3)
        return {"ok": True}


async def test_a_persons_send_is_retried_after_a_429_which_pauses_the_digests() -> None:
    time = VirtualTime()
    pacer = Pacer(TIGHT, clock=time.clock, sleep=time.sleep)
    limiter = SendLimiter(pacer, max_retries=3)
    call = Calls(fail=1, time=time)
    sends = Sends(time)
    results: list[object] = []

    async def reply() -> None:
        await time.sleep(0.25)
        data = {"chat_id": PERSON, "text": "hi"}
        results.append(await limiter.process_request(call, (), {}, "sendMessage", data, None))

    await time.run(*fan_out(sends, pacer, 10), reply())
    assert results == [{"ok": True}]
    assert call.at == [0.25, 3.25]  # retried once the pause every sender shares was over
    assert not [t for t, _ in sends.log if 0.25 < t < 3.25]


async def test_a_persons_send_gives_up_after_max_retries() -> None:
    time = VirtualTime()
    limiter = SendLimiter(Pacer(TIGHT, clock=time.clock, sleep=time.sleep), max_retries=2)
    call = Calls(fail=10, time=time)

    async def reply() -> None:
        with pytest.raises(RetryAfter):
            await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 5}, None)

    await time.run(reply())
    assert call.at == [0.0, 3.0, 6.0]


async def test_a_digest_send_hands_its_429_back_to_the_deliverer() -> None:
    time = VirtualTime()
    limiter = SendLimiter(Pacer(TIGHT, clock=time.clock, sleep=time.sleep), max_retries=3)
    call = Calls(fail=1, time=time)
    with pytest.raises(RetryAfter):
        await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 5}, {"digest": True})
    assert call.at == [0.0]


async def test_429s_do_not_use_up_a_digest_messages_attempts() -> None:
    time = VirtualTime()
    pacer = Pacer(replace(TIGHT, max_attempts=2), clock=time.clock, sleep=time.sleep)
    call = Calls(fail=5, time=time)
    results: list[Result] = []

    async def send(chat_id: int, part: DigestPart) -> object:
        return await call()

    async def deliver() -> None:
        results.append(await Deliverer(send, pacer).deliver(5, [DigestPart("x")]))

    await time.run(deliver())
    assert results == [Result(Outcome.SENT, 1, None, 5)]
    assert call.at == [0.0, 3.0, 6.0, 9.0, 12.0, 15.0]  # each time after retry_after


async def test_network_errors_alone_use_up_the_attempts() -> None:
    time = VirtualTime()
    pacer = Pacer(replace(TIGHT, max_attempts=1), clock=time.clock, sleep=time.sleep)
    call = Calls(fail=2, time=time)

    async def send(chat_id: int, part: DigestPart) -> object:
        await call()  # two 429s first, then the network fails
        raise NetworkError("connection reset")

    results: list[Result] = []

    async def deliver() -> None:
        results.append(await Deliverer(send, pacer).deliver(5, [DigestPart("x")]))

    await time.run(deliver())
    assert results == [Result(Outcome.FAILED, 0, None, 2)]
    assert call.at == [0.0, 3.0, 6.0]


@pytest.mark.parametrize(
    ("endpoint", "data"),
    [
        ("getUpdates", {"timeout": 1}),
        ("answerInlineQuery", {"inline_query_id": "1", "results": []}),
        ("answerCallbackQuery", {"callback_query_id": "1"}),
        ("sendChatAction", {"chat_id": 5, "action": "typing"}),
    ],
)
async def test_calls_that_are_not_messages_pass_through_unpaced(
    endpoint: str, data: dict[str, Any]
) -> None:
    time = VirtualTime()
    pacer = Pacer(TIGHT, clock=time.clock, sleep=time.sleep)
    pacer.pause(60.0)
    call = Calls(fail=0, time=time)
    await SendLimiter(pacer).process_request(call, (), {}, endpoint, data, None)
    assert call.at == [0.0]


async def test_a_reply_a_second_fits_in_the_digests_slack_and_the_fan_out_keeps_its_rate() -> None:
    time = VirtualTime()
    roomy = replace(TIGHT, overall_per_second=12.0)  # digests 10/s of 12/s in all
    pacer = Pacer(roomy, clock=time.clock, sleep=time.sleep)
    sends = Sends(time)
    people = [sends.reply(pacer, after=0.55 + i, chat=1000 + i) for i in range(3)]
    await time.run(*fan_out(sends, pacer, 40), *people)
    replies = [t for t, w in sends.log if isinstance(w, tuple)]
    digests = [t for t, w in sends.log if not isinstance(w, tuple)]
    assert replies == [0.55, 1.55, 2.55]  # each at once
    assert len(digests) == 40 and digests[-1] == 3.9  # the fan-out ends as if nobody asked
    times = sorted(replies + digests)
    assert max(sum(1 for t in times if s <= t < s + 1.0) for s in times) <= 12  # within 12/s
