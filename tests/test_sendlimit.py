"""One send limiter: replies to people go ahead of digests within one overall rate; one 429 state.

The Pacer runs on virtual time: its sleeps wait for the test's clock, which jumps to the
earliest sleeper once every task is asleep, so concurrent senders interleave as they would
in real time, and every send time is an exact number."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from bot.digests.delivery import Deliverer, DigestPart, Outcome
from bot.digests.pacing import Pacer
from tests.sendkit import PERSON, TIGHT, Sends, VirtualTime, fan_out


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
