"""End-to-end: the bot as an admin of a channel, whose posts name no user, only the channel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app.wiring import all_commands
from bot.tgserver import GroupChat, LocalBotApiServer
from bot.tgserver.channels import ChannelAdmin
from tests.botkit import BOT
from tests.digestkit import Env, ask, digest_env


async def test_a_channel_gets_lists_and_can_follow_a_story_from_them(tmp_path: Path) -> None:
    # /follow told a channel to send /latest, /brief or /search first, which it ignored there.
    async with digest_env(tmp_path) as env:
        poster = env.server.channel(-1007070, env.server.user(7071, "Vera"), "Daily")
        env.add("Lighthouse keeper retires", "Harbour opens")
        assert (await ask(poster, "/help")).startswith("Commands")
        assert (await ask(poster, "/latest 2")).startswith("Latest news · 1–2 of")
        assert (await ask(poster, "/search harbour")).startswith("Search: harbour · 1 of 1")
        assert (await ask(poster, "/brief")).startswith("Top stories")
        assert (await ask(poster, "/follow 1")).startswith("🔔 Following:")


async def test_buttons_under_a_channel_list_answer_in_the_channel(tmp_path: Path) -> None:
    async with digest_env(tmp_path) as env:
        poster = env.server.channel(-1007080, env.server.user(7081, "Vera"), "Daily")
        env.add("Lighthouse keeper retires", "Harbour opens")
        await poster.send("/latest 2")
        [listing] = await poster.wait_replies(1)
        await poster.press(listing, "Summary 1")
        [card] = await poster.wait_replies(1)
        assert card.chat_id == poster.chat_id and "Harbour opens" in card.text


async def test_only_a_channel_admin_can_confirm_forget_or_change_its_language(
    tmp_path: Path,
) -> None:
    # Everyone who reads a channel sees the buttons under its posts and may press them.
    async with digest_env(tmp_path) as env:
        poster = env.server.channel(-1007090, env.server.user(7091, "Vera"), "Daily")
        reader = poster.reader(env.server.user(7092, "Max"))
        await ask(poster, "/subscribe 10:00 lighthouse")
        await poster.send("/language")
        [choose] = await poster.wait_replies(1)
        answer = await reader.press(choose, "Русский")
        assert answer.text == "Only this channel's admins can change its language."
        assert env.digests.subs.chat(poster.chat_id).lang != "ru"
        await poster.send("/forget")
        [question] = await poster.wait_replies(1)
        answer = await reader.press(question, "Delete everything")
        assert answer.text == "Only this channel's admins can make the bot forget it."
        assert len(env.digests.subs.for_chat(poster.chat_id)) == 1
        assert (await poster.press(question, "Delete everything")).text == "Deleted."


async def test_a_reader_pressing_a_channels_buttons_hears_of_the_channels_admins_in_its_language(
    tmp_path: Path,
) -> None:
    # They were told of "this group's admins", in a channel, which has no members to speak of.
    async with digest_env(tmp_path) as env:
        poster = env.server.channel(-1007100, env.server.user(7101, "Vera"), "Daily")
        reader = poster.reader(env.server.user(7102, "Max"))
        env.add("Lighthouse keeper retires", "Harbour opens")
        await ask(poster, "/subscribe 10:00 lighthouse")
        await poster.send("/subscriptions")
        [listing] = await poster.wait_replies(1)
        answer = await reader.press(listing, 0)
        assert answer.text == "Only this channel's admins can change its subscriptions."
        await poster.send("/brief")
        [brief] = await poster.wait_replies(1)
        answer = await reader.press(brief, "🔔 1")
        assert answer.text == "Only this channel's admins can change what it follows."
        await poster.send("/language")
        [choose] = await poster.wait_replies(1)
        await poster.press(choose, "Русский")
        answer = await reader.press(brief, "🔔 1")
        assert (
            answer.text
            == "Только администраторы канала могут менять, за какими сюжетами он следит."
        )
        assert env.services.follows.for_chat(poster.chat_id) == []


# Each command as a channel's admin would post it; test_every_command_is_posted keeps it whole.
POSTS = {
    "start": "/start",
    "help": "/help",
    "latest": "/latest 2",
    "search": "/search harbour",
    "summary": "/summary 1",
    "brief": "/brief",
    "story": "/story 1",
    "follow": "/follow 1",
    "following": "/following",
    "unfollow": "/unfollow all",
    "quiet": "/quiet off",
    "subscribe": "/subscribe 10:00 harbour",
    "subscriptions": "/subscriptions",
    "timezone": "/timezone Europe/Berlin",
    "digest": "/digest",
    "unsubscribe": "/unsubscribe all",
    "language": "/language",
    "stats": "/stats",
    "feeds": "/feeds",
    "addfeed": "/addfeed https://news.example.com/feed",
    "removefeed": "/removefeed 1",
    "forget": "/forget",
}
OTHER_POSTS = ("/latest@newsbrief_bot 1", "/frobnicate", "/новости", "Harbour opens at noon")


def test_every_command_is_posted() -> None:
    assert set(POSTS) == {spec.name for spec in all_commands()}


@asynccontextmanager
async def linked_env(tmp_path: Path) -> AsyncIterator[tuple[Env, ChannelAdmin, GroupChat]]:
    """Run the bot, admin of a channel and of its linked discussion group (so it reads all)."""
    server = LocalBotApiServer(token="424242:linked-token", bot_username=BOT, privacy_mode=False)
    server.set_limits(server.limits.unlimited())
    async with server, digest_env(tmp_path, server) as env:
        poster = server.channel(-1007110, server.user(7111, "Vera"), "Daily")
        group = server.group(-1007120, "Daily chat", members=[server.user(7112, "Max")])
        poster.link_discussion(group)
        env.add("Lighthouse keeper retires", "Harbour opens")
        yield env, poster, group


async def test_a_post_in_a_channel_with_a_discussion_group_is_answered_in_the_channel_alone(
    tmp_path: Path,
) -> None:
    # Telegram copies each post into the linked group; the bot, there too, answered it twice.
    async with linked_env(tmp_path) as (env, poster, group):
        in_flight = env.app.bot_data.in_flight
        handled = in_flight.answered
        for text in [*POSTS.values(), *OTHER_POSTS]:
            before = len(env.server.sent(poster.chat_id))
            await poster.send(text)
            handled += 2  # the post and its copy
            await asyncio.wait_for(in_flight.wait_answered(handled), 10)
            assert env.server.sent(-1007120) == [], f"{text} was answered in the group"
            if text.startswith("/") and text != "/frobnicate" and not text.startswith("/н"):
                assert len(env.server.sent(poster.chat_id)) > before, f"{text} went unanswered"
        # The group's own members are answered there, a comment under a copied post too.
        max_ = group.member(7112)
        assert (await ask(max_, "/latest 1")).startswith("Latest news · 1 of")
        copy = next(iter(group.state.messages.values()))
        await max_.send("/search harbour", reply_to=copy)
        [found] = await max_.wait_replies(1)
        assert found.text.startswith("Search: harbour")
