"""The local Bot API server driven by python-telegram-bot's real Bot over HTTP."""

from __future__ import annotations

import asyncio
import json

import pytest
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)

from bot.tgserver import Limits
from bot.tgserver.http import HttpServer, Request, Response
from tests.tgfixtures import ptb_bot, running_server


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


async def test_get_me_describes_the_bot() -> None:
    async with running_server(bot_username="newsbrief_bot") as server, ptb_bot(server) as bot:
        me = await bot.get_me()
    assert me.username == "newsbrief_bot"
    assert me.is_bot
    assert me.supports_inline_queries
    assert me.id == server.bot_id


async def test_wrong_token_is_unauthorized() -> None:
    async with running_server() as server:
        with pytest.raises(InvalidToken):
            async with ptb_bot(server, token="999:WRONG"):
                pass


async def test_unknown_method_is_not_found() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("noSuchMethod")


async def test_start_round_trip_through_long_polling() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        user = server.user(7, "Ann")
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await server.long_poll_waiting()  # the update below wakes it, not a later poll
        await user.send("/start@newsbrief_bot")
        (update,) = await poll
        assert update.message is not None
        assert update.message.text == "/start@newsbrief_bot"
        entity = update.message.entities[0]
        assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 20)
        await bot.send_message(
            update.message.chat_id, "<b>Hello</b>, Ann", parse_mode=ParseMode.HTML
        )
        (reply,) = await user.wait_replies(1)
        assert reply.text == "Hello, Ann"
        assert reply.entities == [{"type": "bold", "offset": 0, "length": 5}]
        assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()


async def test_offset_confirms_and_limit_caps() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        user = server.user(1)
        for text in ("a", "b", "c"):
            await user.send(text)
        first = await bot.get_updates(limit=2)
        assert [u.message.text for u in first if u.message] == ["a", "b"]
        rest = await bot.get_updates(offset=first[-1].update_id + 1)
        assert [u.message.text for u in rest if u.message] == ["c"]
        assert server.pending_updates == 1
        await bot.get_updates(offset=rest[-1].update_id + 1)
        assert server.pending_updates == 0


async def test_button_press_reaches_the_bot_and_returns_the_answer() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        user = server.user(5)
        await bot.send_message(5, "page 1", reply_markup=keyboard(("More", "more:2")))
        (sent,) = await user.wait_replies(1)
        assert sent.button_texts == ["More"]
        press = asyncio.create_task(user.press(sent, "More"))
        (update,) = await bot.get_updates(timeout=5)
        query = update.callback_query
        assert query is not None and query.data == "more:2"
        assert query.message is not None and query.message.message_id == sent.message_id
        await bot.edit_message_text("page 2", chat_id=5, message_id=sent.message_id)
        await query.answer("Loaded")
        answer = await press
        assert answer.text == "Loaded"
        (edited,) = await user.wait_replies(1)
        assert (edited.kind, edited.text, edited.reply_markup) == ("edited", "page 2", None)


async def test_inline_query_with_offset() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        user = server.user(3)
        pending = asyncio.create_task(user.inline("china", offset="5"))
        (update,) = await bot.get_updates(timeout=5)
        inline = update.inline_query
        assert inline is not None and (inline.query, inline.offset) == ("china", "5")
        result = InlineQueryResultArticle(
            "a1", "China <news>", InputTextMessageContent("<b>China</b> &amp; more", "HTML")
        )
        await inline.answer([result], next_offset="10", cache_time=0)
        answer = await pending
    assert answer.next_offset == "10"
    assert answer.results[0]["title"] == "China <news>"


async def test_inline_result_with_bad_html_is_rejected() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        user = server.user(3)
        pending = asyncio.create_task(user.inline("x", timeout=0.3))
        (update,) = await bot.get_updates(timeout=5)
        assert update.inline_query is not None
        broken = InlineQueryResultArticle("1", "t", InputTextMessageContent("<b>x", "HTML"))
        with pytest.raises(BadRequest, match=r"(?i)parse InputTextMessageContent"):
            await update.inline_query.answer([broken])
        with pytest.raises(TimeoutError):
            await pending


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>unclosed", "end tag corresponding to start tag"),
        ("a < b", 'unsupported start tag ""'),
        ("line<br>break", 'unsupported start tag "br"'),
        ("<b><i>x</b></i>", "unmatched end tag"),
        ('<span class="x">s</span>', 'tag "span" must have class "tg-spoiler"'),
        ("</b>", "unexpected end tag"),
    ],
)
async def test_invalid_html_is_a_bad_request(html: str, reason: str) -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        server.user(1)
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as info:
            await bot.send_message(1, html, parse_mode=ParseMode.HTML)
        assert reason.lower() in str(info.value).lower()
        assert server.sent(1) == []


async def test_length_is_counted_after_entity_parsing_in_utf16() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        server.user(1)
        await bot.send_message(1, "<b>" + "&amp;" * 4096 + "</b>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(1, "x" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(1, "😀" * 2049)  # 4098 UTF-16 code units
        await bot.send_message(1, "😀" * 2048)
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(1, "<b> </b>", parse_mode=ParseMode.HTML)


async def test_callback_data_over_64_bytes_is_rejected() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        server.user(1)
        await bot.send_message(1, "ok", reply_markup=keyboard(("x", "é" * 32)))
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(1, "no", reply_markup=keyboard(("x", "é" * 32 + "a")))


async def test_edit_that_changes_nothing_is_not_modified() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        server.user(1)
        sent = await bot.send_message(1, "<i>same</i>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await sent.edit_text("<i>same</i>", parse_mode=ParseMode.HTML)
        await sent.edit_text("<b>same</b>", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=1, message_id=999)


async def test_blocked_unknown_and_migrated_chats() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        server.user(1)
        server.block(1)
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.send_message(1, "hi")
        server.unblock(1)
        await bot.send_message(1, "hi again")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(424242, "hi")
        server.group(-5, "Old group")
        server.migrate(-5, -1005)
        with pytest.raises(ChatMigrated) as info:
            await bot.send_message(-5, "hi")
        assert info.value.new_chat_id == -1005
        await bot.send_message(-1005, "hi")
        server.forget_chat(1)
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(1, "gone")


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


async def test_commands_webhook_info_actions_and_replies() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        user = server.user(1)
        await bot.set_my_commands([BotCommand("latest", "Newest articles")])
        assert [c.command for c in await bot.get_my_commands()] == ["latest"]
        assert server.commands()[0]["description"] == "Newest articles"
        with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
            await bot.set_my_commands([BotCommand("Bad-Name", "x")])
        await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()
        assert (await bot.get_webhook_info()).url == ""
        await bot.send_chat_action(1, "typing")
        assert server.chat_actions == [(1, "typing")]
        asked = await user.send("question")
        await bot.send_message(
            1,
            "answer https://example.com",
            reply_parameters=ReplyParameters(asked["message_id"]),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        (reply,) = await user.wait_replies(1)
        assert reply.reply_to_message_id == asked["message_id"]
        assert reply.link_preview_disabled


async def test_webhook_delivery_with_secret_header() -> None:
    received: list[tuple[str | None, dict[str, object]]] = []
    arrived = asyncio.Event()

    async def receiver(request: Request) -> Response:
        secret = request.headers.get("x-telegram-bot-api-secret-token")
        received.append((secret, json.loads(request.body)))
        arrived.set()
        return Response(200, b"{}")

    hook = HttpServer(receiver)
    await hook.start()
    try:
        async with running_server() as server, ptb_bot(server) as bot:
            user = server.user(1)
            url = f"http://127.0.0.1:{hook.port}/hook"
            await bot.set_webhook(url, secret_token="s3cret_TOKEN")
            with pytest.raises(Conflict, match=r"(?i)webhook is active"):
                await bot.get_updates()
            await user.send("/start")
            await asyncio.wait_for(arrived.wait(), 5)
            info = await bot.get_webhook_info()
            assert info.url == url
            await bot.delete_webhook()
    finally:
        await hook.stop()
    secret, update = received[0]
    assert secret == "s3cret_TOKEN"
    assert update["message"]["text"] == "/start"  # type: ignore[index]
    assert server.webhook_deliveries == 1


async def test_user_edits_stickers_and_photos_arrive_as_updates() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        user = server.user(1)
        sent = await user.send("first")
        await user.edit(sent, "second")
        await user.send_sticker()
        await user.send_photo(caption="look")
        updates = await bot.get_updates()
    assert updates[1].edited_message is not None
    assert updates[1].edited_message.text == "second"
    assert updates[2].message is not None and updates[2].message.sticker is not None
    assert updates[3].message is not None and updates[3].message.caption == "look"


async def test_allowed_updates_filter_and_persist() -> None:
    async with running_server() as server, ptb_bot(server) as bot:
        user = server.user(1)
        await bot.send_message(1, "pick", reply_markup=keyboard(("A", "a")))
        (sent,) = await user.wait_replies(1)
        press = asyncio.create_task(user.press(sent, "A", timeout=0.5))
        await user.send("text")
        updates = await bot.get_updates(allowed_updates=["message"])
        assert [u.message.text for u in updates if u.message] == ["text"]
        assert all(u.callback_query is None for u in updates)
        with pytest.raises(TimeoutError):
            await press  # the callback query was dropped, so nobody answered it
        await user.send("again")
        assert len(await bot.get_updates(offset=updates[-1].update_id + 1)) == 1
        assert (await bot.get_webhook_info()).allowed_updates == ("message",)


async def test_webhook_retries_until_the_receiver_accepts() -> None:
    statuses = [500, 200]
    bodies: list[dict[str, object]] = []
    delivered = asyncio.Event()

    async def flaky(request: Request) -> Response:
        status = statuses.pop(0) if statuses else 200
        if status == 200:
            bodies.append(json.loads(request.body))
            delivered.set()
        return Response(status, b"{}")

    hook = HttpServer(flaky)
    await hook.start()
    try:
        async with running_server() as server, ptb_bot(server) as bot:
            await bot.set_webhook(f"http://127.0.0.1:{hook.port}/")
            await server.user(1).send("hello")
            await asyncio.wait_for(delivered.wait(), 5)
            info = await bot.get_webhook_info()
    finally:
        await hook.stop()
    assert [b["message"]["text"] for b in bodies] == ["hello"]  # type: ignore[index]
    assert info.last_error_message == "Wrong response from the webhook: 500"
    assert info.pending_update_count == 0


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
