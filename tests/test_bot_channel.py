"""End-to-end: the bot as an admin of a channel, whose posts name no user, only the channel."""

from __future__ import annotations

from pathlib import Path

from tests.digestkit import ask, digest_env


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
