"""End to end through the real Application and the local Bot API server: the digest at the
chosen minute, blocked users, a group adding the bot back, a 429 storm, restart catch-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.error import NetworkError

from bot.digests.delivery import DigestPart, bot_sender
from bot.models import utcnow
from bot.tgserver import LocalBotApiServer
from tests.botkit import BOT, TOKEN
from tests.digestkit import FAST, TIMEOUT, Env, ask, digest_env, digests_in


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async with digest_env(tmp_path) as e:
        yield e


async def test_subscribe_then_the_digest_comes_at_the_chosen_minute_once(env: Env) -> None:
    user = env.user()
    reply = await ask(user, "/subscribe 07:30 Europe/Berlin harbour")
    assert "Subscribed: harbour — every day at 07:30 (Europe/Berlin)" in reply
    job = env.job(user.chat_id)
    local = job.next_t.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) == (7, 30)
    assert job.next_t > utcnow() and job.next_t - utcnow() <= timedelta(hours=25)
    env.add("Harbour reopens after storm", "Stock markets calm")
    await env.fire(user.chat_id)
    [digest] = digests_in(env.server, user.chat_id)
    assert "Harbour reopens after storm" in digest and "Stock markets" not in digest
    await env.fire(user.chat_id)  # the same due again (a repeated trigger): never twice
    assert len(digests_in(env.server, user.chat_id)) == 1
    env.add("Harbour gets a new crane")
    await ask(user, "/digest")  # nothing is delivered twice, new articles come
    texts = digests_in(env.server, user.chat_id)
    assert len(texts) == 2 and "new crane" in texts[1] and "reopens" not in texts[1]


async def test_blocked_user_is_deactivated_kept_and_reactivated_on_start(env: Env) -> None:
    user = env.user()
    await ask(user, "/subscribe ")
    env.add("Blocked story one")
    env.server.block(user.chat_id)
    await env.fire(user.chat_id)
    assert not env.digests.subs.is_active(user.chat_id)
    assert len(env.digests.subs.for_chat(user.chat_id)) == 1  # kept
    env.server.unblock(user.chat_id)
    await ask(user, "/start")
    assert env.digests.subs.is_active(user.chat_id)
    await env.fire(user.chat_id)
    [digest] = digests_in(env.server, user.chat_id)
    assert "Blocked story one" in digest  # nothing was lost while blocked


async def test_a_group_that_adds_the_bot_back_gets_its_digests_again(env: Env) -> None:
    # Telegram sends no /start when a group adds a bot back: my_chat_member is the only sign.
    admin = env.user()
    group = env.server.group(-4343, "Team", admins=[admin])
    in_group = group.member(admin)
    assert "Subscribed" in await ask(in_group, "/subscribe 10:00 chips")
    env.add("Chips plant announced")
    await env.server.set_bot_member(-4343, in_group, present=False)
    await env.fire(-4343)
    assert digests_in(env.server, -4343) == []
    back = asyncio.Event()

    async def hook(context: Any, chat_id: int) -> None:  # runs after the digests' own hook
        back.set()

    env.app.bot_data.on_chat_start.append(hook)
    await env.server.set_bot_member(-4343, in_group, present=True)
    await asyncio.wait_for(back.wait(), TIMEOUT)
    assert env.digests.is_active(-4343)
    await env.fire(-4343)
    [digest] = digests_in(env.server, -4343)
    assert "Chips plant announced" in digest


async def test_429_storm_is_retried_nothing_lost_nothing_twice(tmp_path: Path) -> None:
    # 30 429s among 12 chats: some chat takes at least 3 of them, more than its 2 attempts,
    # whichever way the senders line up after each pause; a 429 must not use one up.
    async with digest_env(tmp_path, pacing=replace(FAST, max_attempts=2)) as env:
        users = [env.user() for _ in range(12)]
        for user in users:
            await ask(user, "/subscribe 07:00")
        env.add("Storm-proof story")
        env.server.force_flood(retry_after=1, count=30)
        for user in users:
            await env.job(user.chat_id).run(env.app)
        await env.digests.join()
        assert env.server.stats.too_many_requests == 30
        assert max(env.server.stats.too_many_per_chat.values()) > 2
        for user in users:
            [digest] = digests_in(env.server, user.chat_id)
            assert "Storm-proof story" in digest


async def test_digest_command_without_subscriptions(env: Env) -> None:
    user = env.user()
    assert "No subscriptions here" in await ask(user, "/digest")
    await ask(user, "/subscribe volcano")
    assert "Nothing new" in await ask(user, "/digest")


async def test_restart_sends_a_missed_digest_once_within_grace(tmp_path: Path) -> None:
    from bot.digests.records import Subscription

    now = utcnow()
    missed, old, created = (
        now - timedelta(hours=1),
        now - timedelta(hours=7),
        now - timedelta(days=3),
    )
    server = LocalBotApiServer(token=TOKEN, bot_username=BOT)
    await server.start()
    try:
        async with digest_env(tmp_path, server) as env:
            user_a, user_b = env.user(), env.user()
            env.digests.subs.add_many(
                [
                    Subscription(
                        "aaaa0001", user_a.chat_id, "", missed.hour, missed.minute, "UTC", created
                    ),
                    Subscription(
                        "bbbb0002", user_b.chat_id, "", old.hour, old.minute, "UTC", created
                    ),
                ]
            )
            env.add("Overnight story")
        for _restart in range(2):  # two restarts: the missed digest comes once
            async with digest_env(tmp_path, server) as env:
                await env.digests.join()
        assert len(digests_in(server, user_a.chat_id)) == 1
        assert len(digests_in(server, user_b.chat_id)) == 0  # 7 h late: beyond the 6 h grace
    finally:
        await server.stop()


async def test_a_reply_goes_out_while_another_chats_digest_is_still_retrying(
    tmp_path: Path,
) -> None:
    """A chat whose sends fail (network) must not hold back another user's reply."""
    async with digest_env(tmp_path, pacing=replace(FAST, max_attempts=2)) as env:
        broken, other = env.user(), env.user()
        await ask(broken, "/subscribe 07:30 harbour")
        env.add("Harbour reopens after storm")
        real = bot_sender(env.app.bot)
        failed_once, release = asyncio.Event(), asyncio.Event()
        outcomes: list[str] = []
        env.digests.outcome_listeners.append(outcomes.append)

        async def send(chat_id: int, part: DigestPart) -> object:
            if chat_id != broken.chat_id:
                return await real(chat_id, part)
            if failed_once.is_set():
                await release.wait()  # the retry is in flight until the test lets it end
            failed_once.set()
            raise NetworkError("connection reset")

        env.digests.start(send)
        await env.job(broken.chat_id).run(env.app)
        await asyncio.wait_for(failed_once.wait(), TIMEOUT)
        reply = await ask(other, "/subscribe 08:00 chips")
        assert "Subscribed: chips" in reply
        assert outcomes == []  # the broken chat's digest is still being retried
        release.set()
        await env.digests.join()
        assert outcomes == ["failed"] and digests_in(env.server, broken.chat_id) == []


async def test_digest_asked_for_in_a_forum_topic_comes_in_that_topic(env: Env) -> None:
    admin = env.user()
    group = env.server.group(-1004545, "Forum", admins=[admin], forum=True)
    in_topic = group.member(admin, thread_id=31)
    assert "Subscribed" in await ask(in_topic, "/subscribe 10:00 lighthouse")
    env.add("Lighthouse keeper retires")
    await in_topic.send("/digest")
    await in_topic.wait_replies(1, timeout=TIMEOUT)
    [digest] = [m for m in env.server.sent(group.chat_id) if "Lighthouse keeper" in m.text]
    assert digest.message_thread_id == 31  # not the General topic, where no one asked
