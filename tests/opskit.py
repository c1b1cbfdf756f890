"""Shared pieces of the operations tests: a bot with chosen handler modules, an update counter."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import TypeHandler

from bot.app.context import NewsApp, NewsContext
from bot.app.wiring import build_application, running
from bot.config import Config
from bot.digests.service import DigestSettings
from bot.services import Services, open_services
from bot.tgserver import Limits, LocalBotApiServer
from tests.botkit import ADMIN, BOT, TOKEN, fixture_drafts, make_config

OPS_MODULES = ("handlers.basic", "handlers.articles", "handlers.callbacks", "handlers.admin")
COUNT_GROUP = -100  # before the access gate: sees every update the Application received


class UpdateCounter:
    """Count the updates the Application received (a fake, not a mock)."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    async def __call__(self, update: Update, context: NewsContext) -> None:
        self.seen.append(update.update_id)

    def install(self, application: NewsApp) -> UpdateCounter:
        """Register in a group of its own, so it never stops other handlers."""
        application.add_handler(TypeHandler(Update, self), group=COUNT_GROUP)
        return self


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def empty_seeds(tmp_path: Path) -> Path:
    """Return an empty seeds folder, so opening a data dir imports nothing slow."""
    seeds = tmp_path / "no-seeds"
    seeds.mkdir(exist_ok=True)
    return seeds


@dataclass
class OpsEnv:
    """A local server, the services and a built (not yet running) Application."""

    server: LocalBotApiServer
    services: Services
    config: Config
    app: NewsApp
    counter: UpdateCounter


@asynccontextmanager
async def ops_env(
    tmp_path: Path,
    *,
    modules: Sequence[str] = OPS_MODULES,
    digest_settings: DigestSettings | None = None,
    **overrides: Any,
) -> AsyncIterator[OpsEnv]:
    """Start a server and build the Application with `modules`; the caller runs it."""
    server = LocalBotApiServer(token=TOKEN, bot_username=BOT, limits=Limits.unlimited())
    await server.start()
    overrides.setdefault("seeds_dir", empty_seeds(tmp_path))
    config = make_config(tmp_path / "data", server, **overrides)
    services = open_services(config, write=True, digest_settings=digest_settings)
    try:
        services.store.add_many(fixture_drafts())
        app = build_application(config, services, own_services=False, modules=modules)
        server.user(ADMIN, "Admin")
        yield OpsEnv(server, services, config, app, UpdateCounter().install(app))
    finally:
        services.shutdown()
        await server.stop()


@asynccontextmanager
async def polling_ops_env(tmp_path: Path, **kwargs: Any) -> AsyncIterator[OpsEnv]:
    """An ops_env whose Application is polling for the block."""
    async with ops_env(tmp_path, **kwargs) as env, running(env.app, poll_timeout=1):
        yield env
