"""The local Bot API server driven by python-telegram-bot's real Bot over HTTP."""

from __future__ import annotations

import asyncio

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
)

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
