"""Webhook mode end to end: the local Bot API server POSTs updates with the secret header."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import Config
from bot.run.webhook import (
    MAX_UPDATE_BYTES,
    WebhookSettings,
    check_webhook_url,
    new_secret,
    run_webhook_mode,
    serving_webhook,
)
from tests.opskit import free_port, ops_env

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def start_update(update_id: int, user_id: int) -> dict[str, object]:
    """Return a /start update as Telegram would post it, from a user the bot never met."""
    user = {"id": user_id, "is_bot": False, "first_name": "Mallory"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Mallory"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_updates_arrive_by_webhook_and_forged_ones_are_refused(tmp_path: Path) -> None:
    port = free_port()
    settings = WebhookSettings(
        url=f"http://127.0.0.1:{port}/tg/hook", listen="127.0.0.1", port=port
    )
    async with ops_env(tmp_path, modules=("handlers.basic",)) as env:
        async with serving_webhook(env.app, settings):
            info = await env.app.bot.get_webhook_info()
            assert info.url == settings.url
            ann = env.server.user(501, "Ann")
            await ann.send("/start")
            (reply,) = await ann.wait_replies(1, timeout=10)
            assert "newsbrief" in reply.text
            assert env.server.webhook_deliveries == 1
            handled = len(env.counter.seen)

            forged = start_update(999_001, 666)
            async with httpx.AsyncClient(timeout=5) as client:
                wrong = await client.post(
                    settings.url, json=forged, headers={SECRET_HEADER: "guess"}
                )
                missing = await client.post(settings.url, json=forged)
                near = await client.post(
                    settings.url, json=forged, headers={SECRET_HEADER: settings.secret[:-1]}
                )
            assert (wrong.status_code, missing.status_code, near.status_code) == (403, 403, 403)

            # The real path still works after the forgeries, and they were never handled.
            await ann.send("/help")
            (help_reply,) = await ann.wait_replies(1, timeout=10)
            assert "/start" in help_reply.text
        assert len(env.counter.seen) == handled + 1
        assert 999_001 not in env.counter.seen
        assert env.server.sent(666) == []


async def test_a_body_far_larger_than_any_update_is_refused_before_it_is_read(
    tmp_path: Path,
) -> None:
    """Without a limit one POST of 90 MB, secret or not, was read into memory whole."""
    port = free_port()
    settings = WebhookSettings(
        url=f"http://127.0.0.1:{port}/tg/hook", listen="127.0.0.1", port=port
    )
    head = (
        f"POST /tg/hook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\n{SECRET_HEADER}: {settings.secret}\r\n"
        f"Content-Length: {2 * MAX_UPDATE_BYTES}\r\n\r\n"
    )
    async with (
        ops_env(tmp_path, modules=("handlers.basic",)) as env,
        serving_webhook(env.app, settings),
    ):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head.encode())  # the body never comes: the answer must not wait for it
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 10)
        writer.close()
        ann = env.server.user(502, "Ann")
        await ann.send("/start")  # an update of ordinary size still gets through
        (reply,) = await ann.wait_replies(1, timeout=10)
    assert status.startswith(b"HTTP/1.1 400") and "newsbrief" in reply.text


async def test_webhook_secret_is_not_in_the_url_or_repr() -> None:
    settings = WebhookSettings(url="https://bot.example.com/newsbrief/tg")
    assert settings.secret not in settings.url
    assert settings.secret not in repr(settings)
    assert settings.url_path == "newsbrief/tg"
    assert WebhookSettings(url="https://bot.example.com").url_path == ""


@pytest.mark.parametrize(
    "url",
    [
        "",
        "bot.example.com/tg",
        "ftp://bot.example.com/tg",
        "http://bot.example.com/tg",  # Telegram posts only to HTTPS, except to our own tests
        "https:///tg",
        "javascript:alert(1)",
    ],
)
def test_bad_webhook_urls_are_refused_with_a_reason(url: str) -> None:
    with pytest.raises(ValueError, match="webhook-url"):
        check_webhook_url(url)


@pytest.mark.parametrize("port", [0, -1, 65536, 100_000])
def test_bad_ports_are_refused(port: int) -> None:
    with pytest.raises(ValueError, match="port"):
        WebhookSettings(url="https://bot.example.com/tg", port=port)


@given(st.integers(min_value=0, max_value=50))
def test_secrets_use_only_the_characters_telegram_allows(_: int) -> None:
    secret = new_secret()
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", secret)


def test_webhook_mode_without_a_token_says_how_to_get_one(tmp_path: Path) -> None:
    err = io.StringIO()
    settings = WebhookSettings(url="https://bot.example.com/tg")
    assert run_webhook_mode(Config(data_dir=tmp_path), settings, stderr=err) == 2
    assert "@BotFather" in err.getvalue()
