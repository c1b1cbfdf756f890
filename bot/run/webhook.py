"""`newsbrief run --webhook-url URL`: Telegram POSTs updates to us instead of being polled.

PTB's webhook server (tornado) answers 403 to a POST without the `secret_token` given to
setWebhook in its `X-Telegram-Bot-Api-Secret-Token` header, so only Telegram can feed
the bot updates even though the port is reachable from the internet.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TextIO
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Updater
from tornado.httpserver import HTTPServer

from bot.app.context import NewsApp
from bot.app.wiring import build_application, running
from bot.config import Config
from bot.logs import redact, register_secrets
from bot.run.polling import (  # the same words as polling mode
    REJECTED_LINE,
    serve_services,
    stop_signals,
)
from bot.services import Services

log = logging.getLogger(__name__)

DEFAULT_LISTEN = "127.0.0.1"  # behind a reverse proxy; Docker passes 0.0.0.0
DEFAULT_PORT = 8080
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
TELEGRAM_SECRET_MAX = 256
# An update is a few kilobytes (4,096 characters of text, a replied-to message, entities);
# nginx's default body limit is the same 1 MiB. tornado's own default is 100 MB, read whole
# into memory before the secret is even looked at.
MAX_UPDATE_BYTES = 1 << 20


def new_secret() -> str:
    """Return a fresh secret token: 43 characters of Telegram's allowed set [A-Za-z0-9_-]."""
    return secrets.token_urlsafe(32)


def check_webhook_url(url: str) -> str:
    """Return the URL if Telegram could post to it; raise ValueError with a one-line reason."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise ValueError(f"--webhook-url {url!r} is not a URL such as https://bot.example.com/tg")
    if parts.scheme != "https" and not (
        parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    ):
        raise ValueError("--webhook-url must be https:// (Telegram posts only to HTTPS)")
    return url


@dataclass(frozen=True)
class WebhookSettings:
    """Where Telegram posts (url) and where our server listens (listen:port)."""

    url: str
    listen: str = DEFAULT_LISTEN
    port: int = DEFAULT_PORT
    secret: str = field(default_factory=new_secret, repr=False)

    def __post_init__(self) -> None:
        check_webhook_url(self.url)
        if not 0 < self.port < 65536:
            raise ValueError(f"--port {self.port} is not a TCP port")
        if not self.secret or len(self.secret) > TELEGRAM_SECRET_MAX:
            raise ValueError("the webhook secret must be 1-256 characters")

    @property
    def url_path(self) -> str:
        """Return the path our server answers on: the public URL's path (a proxy keeps it)."""
        return urlsplit(self.url).path.strip("/")


@asynccontextmanager
async def serving_webhook(
    application: NewsApp, settings: WebhookSettings
) -> AsyncIterator[NewsApp]:
    """Run the Application on a webhook for the block: `bot.app.wiring.running` with setWebhook.

    setWebhook is called with the secret on start; on stop the webhook stays set, so
    Telegram keeps updates until we are back.
    """

    register_secrets(settings.secret)  # PTB logs setWebhook's parameters at DEBUG
    # PTB builds its tornado HTTPServer with no way to pass a limit; tornado's Configurable
    # adds these arguments to every HTTPServer made from now on (PTB's is the only one).
    HTTPServer.configure(None, max_body_size=MAX_UPDATE_BYTES)

    async def start_webhook(updater: Updater) -> object:
        return await updater.start_webhook(
            listen=settings.listen,
            port=settings.port,
            url_path=settings.url_path,
            webhook_url=settings.url,
            secret_token=settings.secret,
            allowed_updates=Update.ALL_TYPES,
        )

    async with running(application, start_updates=start_webhook):
        yield application


def run_webhook_mode(
    config: Config, settings: WebhookSettings, *, stderr: TextIO | None = None
) -> int:
    """Run the bot on a webhook until SIGINT/SIGTERM; return the exit code."""
    err = stderr or sys.stderr
    return serve_services(
        config, err, lambda services, _laps: _serve(config, services, settings, err)
    )


async def _serve(config: Config, services: Services, settings: WebhookSettings, err: TextIO) -> int:
    """Serve until a stop signal; report a rejected token or a failed setWebhook in one line."""
    application = build_application(config, services, own_services=False)
    try:
        async with stop_signals() as stop, serving_webhook(application, settings):
            host = urlsplit(settings.url).netloc
            log.info(
                "newsbrief is running as @%s on a webhook (%s, listening on %s:%s)",
                application.bot.username,
                host,
                settings.listen,
                settings.port,
            )
            await _until_stopped(stop, application.bot_data.token_rejected)
    except InvalidToken:
        print(REJECTED_LINE, file=err)
        return 2
    except NetworkError as exc:
        reason = redact(exc.message)
        print(f"newsbrief: could not start the webhook: {reason}", file=err)
        return 1
    except OSError as exc:  # the port is taken or not ours to bind
        print(f"newsbrief: cannot listen on {settings.listen}:{settings.port}: {exc}", file=err)
        return 1
    log.info("newsbrief stopped")
    return 0


async def _until_stopped(stop: asyncio.Event, rejected: asyncio.Event) -> None:
    """Wait for a stop signal; raise InvalidToken once an update met a 401 (a revoked token).

    A webhook has no long poll to end on a revoked token: the server would stay up, its
    heartbeat healthy, every update failing.
    """
    waits = [asyncio.create_task(stop.wait()), asyncio.create_task(rejected.wait())]
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in waits:
        task.cancel()
    if rejected.is_set():
        raise InvalidToken("Telegram rejected the token")
