"""Access end to end where posts name no user: an allow-listed channel or group, admin commands
posted in a channel."""

from __future__ import annotations

from pathlib import Path

from tests.digestkit import ask, digest_env
from tests.opskit import OPS_MODULES, polling_ops_env

FRIEND = 3101
CHANNEL_ALLOWED = -1008130
CHANNEL_OTHER = -1008140
GROUP_ALLOWED = -1008150
STALE = "This button is not valid any more."
IN_PRIVATE = "This post does not say who sent it: send this command to the bot in a private chat."


async def test_a_channel_or_group_on_the_allow_list_gets_answers(tmp_path: Path) -> None:
    # A channel post names the channel, no user: with an allow-list every post was dropped.
    allowed = frozenset({FRIEND, CHANNEL_ALLOWED, GROUP_ALLOWED})
    async with polling_ops_env(tmp_path, allowed_users=allowed) as env:
        outsider = env.server.channel(CHANNEL_OTHER, env.server.user(8141, "Olga"), "Other")
        await outsider.send("/help")
        poster = env.server.channel(CHANNEL_ALLOWED, env.server.user(8131, "Vera"), "Daily")
        await poster.send("/help")
        (reply,) = await poster.wait_replies(1, timeout=10)
        assert reply.text.startswith("Commands")
        stranger = env.server.user(8151, "Gus")  # not on the list himself
        group = env.server.group(GROUP_ALLOWED, "Family", members=[stranger])
        member = group.member(stranger)
        await member.send("/help")
        (in_group,) = await member.wait_replies(1, timeout=10)
        assert in_group.text.startswith("Commands")
        assert await outsider.no_replies(0.3), "a channel off the list stays unanswered"


async def test_admin_commands_posted_in_a_channel_say_where_to_send_them(tmp_path: Path) -> None:
    # /stats and the feed commands ignored a channel's posts without a word.
    modules = (*OPS_MODULES, "handlers.feeds")
    async with polling_ops_env(tmp_path, modules=modules) as env:
        poster = env.server.channel(-1008160, env.server.user(8161, "Vera"), "Daily")
        for command in ("/stats", "/feeds", "/addfeed https://example.org/rss", "/removefeed 1"):
            await poster.send(command)
            (reply,) = await poster.wait_replies(1, timeout=10)
            assert reply.text == IN_PRIVATE, command
        hidden = env.server.group(-1008170, "Club").anonymous_admin()  # posts as the group
        await hidden.send("/stats")
        (reply,) = await hidden.wait_replies(1, timeout=10)
        assert reply.text == IN_PRIVATE


async def test_buttons_in_a_chat_on_the_allow_list_answer_its_admins(tmp_path: Path) -> None:
    # The gate let the listed channel's /language, /subscriptions and /forget through, but
    # their buttons checked the presser alone: "This button is not valid any more."
    allowed = frozenset({FRIEND, CHANNEL_ALLOWED})
    async with digest_env(tmp_path, allowed_users=allowed) as env:
        poster = env.server.channel(CHANNEL_ALLOWED, env.server.user(8132, "Vera"), "Daily")
        await ask(poster, "/subscribe 10:00 lighthouse")
        await poster.send("/subscriptions")
        [listing] = await poster.wait_replies(1)
        assert (await poster.press(listing, 0)).text != STALE
        poster.replies()  # what the press sent or edited
        await poster.send("/language")
        [choose] = await poster.wait_replies(1)
        assert (await poster.press(choose, "Русский")).text != STALE
        assert env.digests.subs.chat(CHANNEL_ALLOWED).lang == "ru"
        poster.replies()
        await poster.send("/forget")
        [question] = await poster.wait_replies(1)
        assert (await poster.press(question, 0)).text == "Удалено."
