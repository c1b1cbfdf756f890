"""The local Bot API server's groups, driven by python-telegram-bot's real Bot over HTTP: rate
limits, forum topics, privacy mode, admins."""

from __future__ import annotations

import pytest
from telegram.constants import ChatMemberStatus
from telegram.error import (
    BadRequest,
    RetryAfter,
)

from bot.tgserver import Limits
from tests.tgfixtures import ptb_bot, running_server


async def test_per_chat_flood_limit_answers_retry_after() -> None:
    limits = Limits(per_chat_per_second=0.01, per_chat_burst=2)
    async with running_server(limits=limits) as server, ptb_bot(server) as bot:
        server.user(1)
        server.user(2)
        await bot.send_message(1, "one")
        await bot.send_message(1, "two")
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(1, "three")
        assert "Retry in 100 seconds" in str(info.value)  # the bucket refills 0.01/s
        await bot.send_message(2, "another chat is fine")
    assert server.stats.too_many_requests == 1
    assert server.stats.too_many_per_chat[1] == 1
    assert server.stats.sent_per_chat == {1: 2, 2: 1}


async def test_group_limit_per_minute() -> None:
    limits = Limits(per_chat_per_second=1000, per_chat_burst=1000, group_per_minute=3)
    async with running_server(limits=limits) as server, ptb_bot(server) as bot:
        server.group(-100, "G")
        for n in range(3):
            await bot.send_message(-100, f"m{n}")
        with pytest.raises(RetryAfter):
            await bot.send_message(-100, "too many")


async def test_forced_flood_storm_then_recovery() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        server.user(1)
        server.force_flood(retry_after=7, count=2)
        for _ in range(2):
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(1, "x")
            assert "Retry in 7 seconds" in str(info.value)
        await bot.send_message(1, "through")
    assert server.stats.too_many_requests == 2


async def test_replies_keep_the_forum_topic() -> None:
    async with running_server(privacy_mode=False) as server, ptb_bot(server) as bot:
        ann = server.user(1, "Ann")
        forum = server.group(-1009, "Forum", members=[ann], forum=True)
        member = forum.member(ann, thread_id=42)
        await member.send("hello topic")
        (update,) = await bot.get_updates()
        message = update.message
        assert message is not None
        assert (message.message_thread_id, message.is_topic_message) == (42, True)
        await message.reply_text("in topic", do_quote=False)
        (reply,) = await member.wait_replies(1)
        assert reply.message_thread_id == 42


async def test_a_deleted_or_closed_forum_topic_refuses_the_bot_as_telegram_does() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        forum = server.group(-1008, "Forum", members=[server.user(1)], forum=True)
        forum.delete_topic(5)
        forum.close_topic(6)
        with pytest.raises(BadRequest, match="Message thread not found"):
            await bot.send_message(-1008, "x", message_thread_id=5)
        with pytest.raises(BadRequest, match="Topic_closed"):
            await bot.send_message(-1008, "x", message_thread_id=6)
        forum.reopen_topic(6)
        sent = await bot.send_message(-1008, "reopened", message_thread_id=6)
        general = await bot.send_message(-1008, "general")
        assert (sent.message_thread_id, general.message_thread_id) == (6, None)
        assert [m.text for m in server.sent(-1008)] == ["reopened", "general"]


async def test_privacy_mode_hides_plain_group_text() -> None:
    async with running_server(privacy_mode=True) as server, ptb_bot(server) as bot:
        ann = server.user(1)
        member = server.group(-100, "G", members=[ann]).member(ann)
        await member.send("just chatting")
        await member.send("/latest@other_bot")
        await member.send("/latest")
        updates = await bot.get_updates()
        assert [u.message.text for u in updates if u.message] == ["/latest"]


async def test_admins_and_members() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        ann, bob, cid = server.user(1, "Ann"), server.user(2, "Bob"), server.user(3, "Cid")
        server.group(-100, "G", members=[bob], admins=[ann], owner=cid)
        admins = await bot.get_chat_administrators(-100)
        assert {a.user.id: a.status for a in admins} == {
            3: ChatMemberStatus.OWNER,
            1: ChatMemberStatus.ADMINISTRATOR,
        }
        assert (await bot.get_chat_member(-100, 2)).status == ChatMemberStatus.MEMBER
        chat = await bot.get_chat(-100)
        assert chat.title == "G"


async def test_privacy_mode_delivers_replies_to_the_bot() -> None:
    async with running_server(privacy_mode=True) as server, ptb_bot(server) as bot:
        ann = server.user(1)
        member = server.group(-100, "G", members=[ann]).member(ann)  # reads from now on
        await bot.send_message(-100, "Anyone?")
        (question,) = await member.wait_replies(1)
        await member.send("me!", reply_to=question)
        (update,) = await bot.get_updates()
        assert update.message is not None and update.message.reply_to_message is not None
        assert update.message.reply_to_message.text == "Anyone?"
