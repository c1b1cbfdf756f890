"""The send limiter's retries on virtual time: a person's send is retried after a 429 and gives
up after its attempts; a digest hands its 429 back; calls that are not messages pass unpaced."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from telegram.error import NetworkError, RetryAfter

from bot.app.sendlimit import SendLimiter
from bot.digests.delivery import Deliverer, DigestPart, Outcome, Result
from bot.digests.pacing import Pacer
from tests.sendkit import PERSON, TIGHT, Sends, VirtualTime, fan_out


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
