"""One send limiter: replies to people take the next slot ahead of digests; one 429 state."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.app.sendlimit import SendLimiter
from bot.digests.pacing import Pacer, Pacing


class FakeTime:
    """A clock and a sleep that moves it: the pacer's waits become numbers to check."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def pacer(time: FakeTime) -> Pacer:
    return Pacer(
        Pacing(global_per_second=1.0, per_chat_per_second=100.0), clock=time.clock, sleep=time.sleep
    )


async def test_a_reply_takes_the_next_slot_and_pushes_the_digests_back() -> None:
    time = FakeTime()
    p = pacer(time)
    for chat in (1, 2, 3):  # a fan-out at 1/s: slots at 0, 1, 2
        await p.wait_turn(chat)
    assert time.slept == [1.0, 1.0]
    await p.person_turn(99)  # a person asks at t=2, while the next digest slot is t=3
    assert time.slept == [1.0, 1.0]  # no wait at all
    await p.wait_turn(4)  # the digest that would have gone at 3 goes at 4
    assert time.slept == [1.0, 1.0, 2.0]


async def test_a_429_pauses_people_too() -> None:
    time = FakeTime()
    p = pacer(time)
    p.pause(7.0)
    await p.person_turn(99)
    assert time.slept == [7.0]


def _retry_after(seconds: int) -> RetryAfter:
    return RetryAfter(seconds)


class Calls:
    """A Bot API call that answers 429 the first `fail` times."""

    def __init__(self, fail: int) -> None:
        self.fail = fail
        self.count = 0

    async def __call__(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.count += 1
        if self.count <= self.fail:
            raise _retry_after(3)
        return {"ok": True}


async def test_a_persons_send_is_retried_after_a_429_and_pauses_everyone() -> None:
    time = FakeTime()
    limiter = SendLimiter(pacer(time), max_retries=3)
    call = Calls(fail=1)
    result = await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert result == {"ok": True} and call.count == 2
    assert time.slept == [3.0]  # the retry waited out the pause every sender shares


async def test_a_digest_send_hands_its_429_back_to_the_deliverer() -> None:
    time = FakeTime()
    limiter = SendLimiter(pacer(time), max_retries=3)
    call = Calls(fail=1)
    with pytest.raises(RetryAfter):
        await limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 5}, {"digest": True})
    assert call.count == 1 and time.slept == []


@pytest.mark.parametrize("endpoint", ["getUpdates", "answerInlineQuery", "answerCallbackQuery"])
async def test_non_messages_pass_through_unpaced(endpoint: str) -> None:
    time = FakeTime()
    p = pacer(time)
    p.pause(60.0)
    call = Calls(fail=0)
    limiter = SendLimiter(p)
    await limiter.process_request(call, (), {}, endpoint, {"chat_id": 5}, None)
    assert call.count == 1 and time.slept == []
