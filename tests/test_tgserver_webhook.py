"""The local Bot API server's webhooks, commands and update kinds, driven by python-telegram-bot's
real Bot over HTTP."""

from __future__ import annotations

import asyncio
import json

import pytest
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram.error import (
    BadRequest,
    Conflict,
)

from bot.tgserver.http import HttpServer, Request, Response
from tests.tgfixtures import ptb_bot, running_server


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


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
