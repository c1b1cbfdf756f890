"""Shared helpers for tests that drive python-telegram-bot against the local Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from telegram import Bot
from telegram.ext import Application, ApplicationBuilder, BaseHandler

from bot.tgserver import Limits, LocalBotApiServer

TEST_TOKEN = "123456:TEST-token"


@asynccontextmanager
async def running_server(**kwargs: Any) -> AsyncIterator[LocalBotApiServer]:
    """Start a LocalBotApiServer (unlimited flood limits unless given) and stop it after."""
    kwargs.setdefault("token", TEST_TOKEN)
    kwargs.setdefault("limits", Limits.unlimited())
    server = LocalBotApiServer(**kwargs)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@asynccontextmanager
async def ptb_bot(server: LocalBotApiServer, token: str | None = None) -> AsyncIterator[Bot]:
    """Yield an initialised PTB Bot talking to the server over HTTP."""
    async with Bot(token or server.token, base_url=server.base_url) as bot:
        yield bot


def build_application(server: LocalBotApiServer) -> Application[Any, Any, Any, Any, Any, Any]:
    """Return a PTB Application configured for the server (no handlers yet)."""
    return ApplicationBuilder().token(server.token).base_url(server.base_url).build()


@asynccontextmanager
async def polling_application(
    server: LocalBotApiServer,
    handlers: Iterable[BaseHandler[Any, Any, Any]] = (),
    application: Application[Any, Any, Any, Any, Any, Any] | None = None,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run an Application with long polling against the server for the duration of the block."""
    app = application or build_application(server)
    for handler in handlers:
        app.add_handler(handler)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=5)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
