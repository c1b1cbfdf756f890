"""The local Bot API server's channels, driven by python-telegram-bot's real Bot over HTTP: a
channel's posts, and their automatic copies in its linked discussion group."""

from __future__ import annotations

from telegram import MessageOriginChannel

from tests.tgfixtures import ptb_bot, running_server


async def test_a_post_reaches_the_bot_in_the_channel_and_as_a_copy_in_its_group() -> None:
    async with running_server(privacy_mode=True) as server, ptb_bot(server) as bot:
        poster = server.channel(-1005, server.user(1, "Vera"), "Daily")
        group = server.group(-1006, "Daily chat", members=[server.user(2, "Max")])
        poster.link_discussion(group)
        post = await poster.send("/latest 2")
        (in_channel, in_group) = await bot.get_updates()
        assert in_channel.channel_post is not None and in_channel.channel_post.text == "/latest 2"
        copy = in_group.message
        assert copy is not None and copy.is_automatic_forward
        assert (copy.chat.id, copy.text, copy.from_user and copy.from_user.id) == (
            -1006,
            "/latest 2",
            777000,
        )
        assert copy.sender_chat is not None and copy.sender_chat.id == -1005
        origin = copy.forward_origin
        assert isinstance(origin, MessageOriginChannel)
        assert (origin.chat.id, origin.message_id) == (-1005, post["message_id"])
        assert copy.parse_entities() == in_channel.channel_post.parse_entities()
        assert (await bot.get_chat(-1005)).linked_chat_id == -1006
        assert (await bot.get_chat(-1006)).linked_chat_id == -1005


async def test_an_edited_post_is_an_edited_channel_post_and_edits_its_copy() -> None:
    async with running_server(privacy_mode=False) as server, ptb_bot(server) as bot:
        poster = server.channel(-1005, server.user(1, "Vera"), "Daily")
        poster.link_discussion(server.group(-1006, "Daily chat"))
        post = await poster.send("Harbour opens")
        first = await bot.get_updates()
        await poster.edit(post, "Harbour opens today")
        (edited, copy) = await bot.get_updates(offset=first[-1].update_id + 1)
        assert edited.edited_channel_post is not None
        assert edited.edited_channel_post.text == "Harbour opens today"
        assert copy.edited_message is not None and copy.edited_message.is_automatic_forward
        assert copy.edited_message.message_id == first[1].message.message_id  # type: ignore[union-attr]


async def test_privacy_mode_keeps_plain_posts_out_of_the_discussion_group() -> None:
    async with running_server(privacy_mode=True) as server, ptb_bot(server) as bot:
        poster = server.channel(-1005, server.user(1, "Vera"), "Daily")
        poster.link_discussion(server.group(-1006, "Daily chat"))
        await poster.send("Harbour opens")
        (update,) = await bot.get_updates()
        assert update.channel_post is not None


async def test_a_channel_without_a_discussion_group_posts_once() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        poster = server.channel(-1005, server.user(1, "Vera"), "Daily")
        await poster.send("/latest")
        (update,) = await bot.get_updates()
        assert update.channel_post is not None
        assert (await bot.get_chat(-1005)).linked_chat_id is None
