"""The one wiring function: build the python-telegram-bot Application around the services."""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

from telegram import BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, BaseRateLimiter, Defaults, Updater

from bot.app.commands import CommandSpec, bot_commands, markdown_table, merge_commands
from bot.app.context import BotData, NewsApp, context_types
from bot.app.errors import on_error, on_poll_error
from bot.app.gates import install_gates
from bot.app.housekeeping import schedule_catch_up, schedule_heartbeat, schedule_retention
from bot.app.inflight import InFlight
from bot.app.leadership import lead_when_chosen, start_follower
from bot.app.ratelimit import CommandRateLimiter, install_rate_limit
from bot.app.sendlimit import SendLimiter
from bot.app.shared_chats import chat_persistence
from bot.archive.heap import freeze
from bot.config import Config
from bot.i18n import DEFAULT
from bot.logs import MASK, register_secrets
from bot.models import Laps
from bot.services import Services

log = logging.getLogger(__name__)

SWITCH_INTERVAL = 0.001  # seconds; see running()
StartUpdates = Callable[[Updater], Awaitable[object]]

# Order matters only for overlapping filters; the unknown-command fallback checks names itself.
HANDLER_MODULES: tuple[str, ...] = (
    "handlers.basic",
    "handlers.articles",
    "handlers.stories",
    "handlers.follows",
    "handlers.inline",
    "handlers.callbacks",
    "handlers.feeds",
    "handlers.subscriptions",
    "handlers.subscription_buttons",
    "handlers.language",
    "handlers.admin",
)


def load_handler_modules(names: Sequence[str] = HANDLER_MODULES) -> list[ModuleType]:
    """Import the handler modules by name."""
    return [importlib.import_module(name) for name in names]


def all_commands(modules: Sequence[str] = HANDLER_MODULES) -> list[CommandSpec]:
    """Return the union of the handler modules' command lists (for /help and the README)."""
    return merge_commands(getattr(m, "COMMANDS", []) for m in load_handler_modules(modules))


def command_table() -> str:
    """Return the README's Markdown table of commands."""
    return markdown_table(all_commands())


def build_application(
    config: Config,
    services: Services,
    *,
    base_url: str | None = None,
    token: str | None = None,
    max_retries: int = 3,
    rate_limiter: BaseRateLimiter[Any] | None = None,
    concurrent_updates: int = 16,
    own_services: bool = True,
    modules: Sequence[str] = HANDLER_MODULES,
) -> NewsApp:
    """Return the Application: defaults, rate limiter, hooks, error handler, every handler.

    With own_services the Application closes the services in post_shutdown; tests that
    share one Services between Applications pass own_services=False.
    """
    bot_token = token or config.token
    if not bot_token:
        raise ValueError("a bot token is needed to build the Application")
    register_secrets(bot_token, mask=MASK)  # httpx logs each request URL, the token inside
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger("httpx").level))
    builder = (
        ApplicationBuilder()
        .token(bot_token)
        .base_url(base_url or config.api_base_url)
        .context_types(context_types())
        .defaults(_defaults(config))
        .rate_limiter(rate_limiter or SendLimiter(services.digests.pacer, max_retries=max_retries))
        .concurrent_updates(in_flight := InFlight(concurrent_updates))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown_owning if own_services else _post_shutdown)
    )
    if services.writable:  # a read-only view beside a running bot must not write its state
        builder = builder.persistence(chat_persistence(services))
    application: NewsApp = builder.build()  # type: ignore[assignment]
    application.bot_data.attach(services, in_flight)
    _register(application, modules)
    return application


def _defaults(config: Config) -> Defaults:
    """Return HTML parse mode, the configured zone, and link previews off (lists are links)."""
    return Defaults(
        parse_mode=ParseMode.HTML,
        tzinfo=config.tz,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


def _register(application: NewsApp, modules: Sequence[str]) -> None:
    """Add the gates, the rate limit, every handler module, the command list, the error handler."""
    install_gates(application)
    config = application.bot_data.config
    if config.rate_limit > 0:  # NEWSBRIEF_RATE_LIMIT commands a minute per user; 0 is off
        install_rate_limit(application, CommandRateLimiter(config.rate_limit))
    specs: list[list[CommandSpec]] = []
    for module in load_handler_modules(modules):
        specs.append(list(getattr(module, "COMMANDS", [])))
        module.register(application)
    application.bot_data.commands = merge_commands(specs)
    application.add_error_handler(on_error)


async def _post_init(application: NewsApp) -> None:
    """Register the command lists and run the services' start-up hooks."""
    data: BotData = application.bot_data
    data.bot_username = application.bot.username
    await publish_commands(application)
    schedule_retention(application)
    schedule_heartbeat(application)
    schedule_catch_up(application)
    for hook in data.on_startup:
        await hook(application)
    freeze()  # what opening built leaves the collector's passes before polling (heap.freeze)
    # Reload the story engine's window in a worker thread that gives way to the replies (the
    # first feed batch finds it ready: the service's lock orders the two); then freeze.
    asyncio.get_running_loop().run_in_executor(None, data.services.warm_up, data.in_flight.give_way)


async def publish_commands(application: NewsApp) -> None:
    """Call setMyCommands for everyone and, with the admin commands too, for each admin.

    Once per language: English is the default list, each other catalog's list is set with its
    `language_code`, so Telegram shows users the menu in their own language.
    """
    data = application.bot_data
    bot = application.bot
    for code in data.catalogs.languages:
        tr = data.catalogs.get(code)
        lang = "" if code == DEFAULT else code
        everyone = bot_commands(data.commands, admin=False, tr=tr)
        await bot.set_my_commands(everyone, language_code=lang or None)
        full = bot_commands(data.commands, admin=True, tr=tr)
        if len(full) == len(everyone):
            continue
        for admin in sorted(data.config.admins):
            try:
                await bot.set_my_commands(
                    full, scope=BotCommandScopeChat(admin), language_code=lang or None
                )
            except TelegramError as exc:  # an admin who never opened the bot has no chat yet
                log.info("admin %s commands not set: %s", admin, exc)


async def _post_shutdown(application: NewsApp) -> None:
    """Run the shutdown hooks (stop jobs, flush)."""
    application.bot_data.services.stop_warm_up()  # asyncio.run waits for the thread
    for hook in application.bot_data.on_shutdown:
        try:
            await hook(application)
        except Exception:
            log.exception("shutdown hook failed")


async def _post_shutdown_owning(application: NewsApp) -> None:
    """Run the shutdown hooks, then close the services this Application owns."""
    await _post_shutdown(application)
    application.bot_data.services.shutdown()


def _beginning(
    application: NewsApp,
    updater: Updater,
    poll_timeout: float,
    start: StartUpdates | None,
    laps: Laps,
) -> Callable[[], Awaitable[None]]:
    """Return what starts leading: post_init, then updates (long polling unless `start`)."""

    async def begin() -> None:
        if application.post_init is not None:
            await application.post_init(application)
        laps.lap("post init")
        if start is None:
            await updater.start_polling(
                timeout=int(poll_timeout),
                allowed_updates=Update.ALL_TYPES,
                error_callback=on_poll_error,  # PTB's own logs a traceback at every retry
            )
        else:
            await start(updater)
        laps.lap("updates")

    return begin


@asynccontextmanager
async def running(
    application: NewsApp,
    *,
    poll_timeout: float = 10,
    start_updates: StartUpdates | None = None,
    laps: Laps | None = None,
) -> AsyncIterator[NewsApp]:
    """Run the Application for the block: init, post_init, updates, ..., post_shutdown.

    This is what `run_polling`/`run_webhook` do, minus signal handling and loop ownership, so the
    runner, webhook mode, `newsbrief chat`, tests and benchmarks share one start/stop sequence.
    Updates come by long polling unless start_updates starts them otherwise; laps get each step.
    """
    laps = laps or Laps()
    updater = application.updater
    if updater is None:
        raise RuntimeError("the Application was built without an Updater")
    # Threads running Python flat out (writer, composer, reply builders) hand the loop the GIL
    # only at the switch interval. benchmarks/loop.py, 2 cores at load 5-13: an echo on the loop
    # beside such a thread, p99 1.3-12 ms at 1 ms against 22-48 ms at the default 5 ms; /search
    # p99 while digests compose, 49-131 ms against 52-443 ms; composing no slower.
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        await application.initialize()
    except BaseException:
        # Bot.shutdown() is a no-op before a successful initialize, but the HTTP clients
        # were opened; close them so a rejected token leaves no sockets behind.
        await asyncio.gather(*(request.shutdown() for request in application.bot._request))
        raise
    laps.lap("connect")
    leader = application.bot_data.services.leader
    background: list[asyncio.Task[None]] = []  # leadership, feed claims, the rate's share
    begin = _beginning(application, updater, poll_timeout, start_updates, laps)
    try:
        if leader is None:
            await begin()
        else:  # one of several processes on a database (bot/app/leadership.py)
            background = start_follower(application)
            background.append(asyncio.create_task(lead_when_chosen(application, leader, begin)))
        await application.start()
        try:
            yield application
        finally:
            for task in background:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            try:  # a long poll that ended on a revoked token raises it here: stop all the same
                if updater.running:
                    await updater.stop()
            finally:
                if application.running:
                    await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        if leader is not None:
            await leader.release()
