"""Paid broadcasts (Bot API 7.11): digests and follow updates pay to pass Telegram's ~30/s.

Off by default. When on, every digest and follow-update send carries allow_paid_broadcast
(the local Bot API server records it) and the one send limiter lets 960 of them a second
through instead of 28, while one chat and one group keep their limits. Replies to people
never carry it. The limiter is checked on virtual time (tests/sendkit.py's clock).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.config import ConfigError, load_config
from bot.digests.pacing import PAID_PER_SECOND, Pacer, Pacing
from bot.tgserver import Limits
from bot.tgserver.limits import FloodControl
from tests.digestkit import ask, digest_env, digests_in
from tests.followkit import SLOWS, follow_env, follow_first_story
from tests.sendkit import Sends, VirtualTime
from tests.storykit import OTHER, VOLCANO
from tests.tgfixtures import running_server


def test_the_option_is_off_unless_the_owner_turns_it_on() -> None:
    assert load_config({}).paid_broadcast is False
    assert load_config({"NEWSBRIEF_PAID_BROADCAST": "1"}).paid_broadcast is True
    with pytest.raises(ConfigError, match="NEWSBRIEF_PAID_BROADCAST"):
        load_config({"NEWSBRIEF_PAID_BROADCAST": "maybe"})


async def _sent_in_the_first_second(pacing: Pacing, chats: list[int]) -> list[float]:
    time = VirtualTime()
    sends = Sends(time)
    await time.run(sends.digests(Pacer(pacing, clock=time.clock, sleep=time.sleep), chats))
    return [at for at, _ in sends.log if at < 1.0]


async def test_the_limiter_allows_the_paid_rate_only_when_on() -> None:
    chats = list(range(1, 2001))
    free = await _sent_in_the_first_second(Pacing(), chats)
    paid = await _sent_in_the_first_second(Pacing().paid(), chats)
    assert len(free) == 28  # Pacing's 28 digests a second, under Telegram's free 30
    assert len(paid) == PAID_PER_SECOND  # under the paid 1,000


async def test_one_chat_and_one_group_keep_their_limits_when_paid() -> None:
    pacing = Pacing().paid()
    chat = await _sent_in_the_first_second(pacing, [1, 1, 1])
    group = await _sent_in_the_first_second(pacing, [-100, -100])
    assert len(chat) == 1 and len(group) == 1


@pytest.mark.parametrize("paid", [False, True])
async def test_digests_are_paid_broadcasts_only_when_on_and_replies_never(
    tmp_path: Path, paid: bool
) -> None:
    async with digest_env(tmp_path, paid_broadcast=paid) as env:
        user = env.user()
        assert "Subscribed" in await ask(user, "/subscribe 07:30 Europe/Berlin harbour")
        env.add("Harbour reopens after storm")
        await env.fire(user.chat_id)
        assert len(digests_in(env.server, user.chat_id)) == 1
        sent = env.server.sent(user.chat_id)
    digest = [m for m in sent if m.text.startswith("Your news digest")]
    replies = [m for m in sent if m not in digest]
    assert [m.paid_broadcast for m in digest] == [paid]
    assert replies and not any(m.paid_broadcast for m in replies)


async def test_follow_updates_are_paid_broadcasts_when_on(tmp_path: Path) -> None:
    async with follow_env(tmp_path, paid_broadcast=True) as env:
        user = env.user()
        env.add(*VOLCANO, *OTHER)
        await follow_first_story(env, user)
        env.add(SLOWS)
        await env.settle()
        [update] = [m for m in env.server.sent(user.chat_id) if "slowed on Tuesday" in m.text]
        follow_reply = [m for m in env.server.sent(user.chat_id) if "Following:" in m.text]
    assert update.paid_broadcast is True
    assert follow_reply and not any(m.paid_broadcast for m in follow_reply)


def test_paid_messages_pass_the_free_limit_and_only_those_over_it_are_billed() -> None:
    flood = FloodControl(Limits(), clock=lambda: 0.0)  # one instant: no bucket refills
    free = [flood.retry_after(chat, False) for chat in range(1, 41)]
    assert free.count(0) == 30 and all(wait >= 1 for wait in free[30:])
    flood = FloodControl(Limits(), clock=lambda: 0.0)
    paid = [flood.retry_after(chat, False, paid=True) for chat in range(1, 1001)]
    assert paid.count(0) == 1000 and flood.billed == 970
    assert flood.retry_after(1001, False, paid=True) >= 1  # 1,000/s is the paid ceiling too
    assert flood.retry_after(1, False, paid=True) >= 1  # and a chat keeps its own limit


async def test_the_server_takes_the_parameter_and_refuses_a_malformed_one() -> None:
    # A free limit that refills 0.001/s: one free message, then only paid ones go.
    limits = Limits(global_per_second=0.001, per_chat_burst=5, paid_per_second=1000.0)
    async with running_server(limits=limits) as server, httpx.AsyncClient() as client:
        for chat in (1, 2, 3):
            server.user(chat, f"U{chat}")
        url = f"{server.base_url}{server.token}/sendMessage"
        first = await client.post(url, json={"chat_id": 1, "text": "free"})
        refused = await client.post(url, json={"chat_id": 2, "text": "over"})
        paid = await client.post(
            url, data={"chat_id": "2", "text": "paid", "allow_paid_broadcast": "true"}
        )
        bad = await client.post(
            url, json={"chat_id": 3, "text": "x", "allow_paid_broadcast": "yes"}
        )
    assert [r.status_code for r in (first, refused, paid, bad)] == [200, 429, 200, 400]
    assert [(m.text, m.paid_broadcast) for m in server.sent(2)] == [("paid", True)]
    assert (server.stats.paid_broadcasts, server.stats.billed_messages) == (1, 1)
