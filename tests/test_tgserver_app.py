"""A tiny real python-telegram-bot Application running against the local Bot API server."""

from __future__ import annotations

import asyncio
import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.app.sendlimit import SendLimiter
from bot.digests.pacing import Pacer, Pacing
from bot.tgserver import Limits
from tests.tgfixtures import polling_application, running_server


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        f"<i>{html.escape(update.effective_message.text or '')}</i>",
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again")]]),
        do_quote=False,
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("Welcome", do_quote=False)


async def again(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Done")
    await query.edit_message_text("pressed")


HANDLERS = [
    CommandHandler("start", start),
    MessageHandler(filters.TEXT & ~filters.COMMAND, echo),
    CallbackQueryHandler(again),
]


async def test_application_echoes_and_handles_buttons() -> None:
    async with running_server() as server, polling_application(server, HANDLERS):
        ann = server.user(1, "Ann")
        await ann.send("/start@newsbrief_bot")
        (welcome,) = await ann.wait_replies(1)
        assert welcome.text == "Welcome"
        await ann.send("hello <world> & co")
        (echoed,) = await ann.wait_replies(1)
        assert echoed.text == "hello <world> & co"
        assert echoed.entities == [{"type": "italic", "offset": 0, "length": 18}]
        answer = await ann.press(echoed, "Again")
        assert answer.text == "Done"
        (edited,) = await ann.wait_replies(1)
        assert (edited.kind, edited.text) == ("edited", "pressed")


async def test_application_in_a_forum_topic() -> None:
    async with (
        running_server(privacy_mode=False) as server,
        polling_application(server, HANDLERS),
    ):
        ann = server.user(1, "Ann")
        topic = server.group(-1001, "Forum", members=[ann], forum=True).member(ann, thread_id=9)
        await topic.send("/start")
        (reply,) = await topic.wait_replies(1)
        assert reply.message_thread_id == 9


async def test_rate_limiter_retries_after_a_429() -> None:
    """The bot's own limiter honours the server's retry_after and the reply still arrives."""
    async with running_server(limits=Limits()) as server:
        app = (
            ApplicationBuilder()
            .token(server.token)
            .base_url(server.base_url)
            .rate_limiter(SendLimiter(Pacer(Pacing()), max_retries=2))
            .build()
        )
        async with polling_application(server, [CommandHandler("start", start)], app):
            ann = server.user(1)
            server.force_flood(retry_after=1, count=1)
            await ann.send("/start")
            (reply,) = await ann.wait_replies(1, timeout=10)
            assert reply.text == "Welcome"
    assert server.stats.too_many_requests == 1


async def test_collect_gathers_every_reply_to_one_input() -> None:
    async def chatty(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        for n in range(3):
            await update.effective_message.reply_text(f"part {n}", do_quote=False)

    async with (
        running_server() as server,
        polling_application(server, [MessageHandler(filters.TEXT, chatty)]),
    ):
        ann = server.user(1)
        await ann.send("go")
        replies = await ann.collect(quiet=0.2)
        assert [r.text for r in replies] == ["part 0", "part 1", "part 2"]
        assert await ann.no_replies(within=0.05)


async def test_many_users_at_once_each_get_their_own_reply() -> None:
    async with running_server() as server, polling_application(server, HANDLERS):
        users = [server.user(n, f"U{n}") for n in range(1, 51)]
        await asyncio.gather(*(u.send(f"hi {u.user_id}") for u in users))
        replies = await asyncio.gather(*(u.wait_replies(1, timeout=20) for u in users))
    for user, (reply,) in zip(users, replies, strict=True):
        assert reply.text == f"hi {user.user_id}"
    assert server.stats.messages_sent == 50
