"""`newsbrief run`: long polling until SIGINT or SIGTERM, then a clean stop."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TextIO
from urllib.parse import urlsplit

from telegram.error import InvalidToken, NetworkError

from bot.app.wiring import build_application, running
from bot.config import Config
from bot.logs import redact
from bot.models import Laps
from bot.services import Services, open_services

log = logging.getLogger(__name__)

NOT_SET_LINE = (
    "newsbrief: TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather, "
    "or try the bot locally with `newsbrief chat`."
)
REJECTED_LINE = (
    "newsbrief: Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized); check it with @BotFather."
)


def run_bot(config: Config, *, stderr: TextIO | None = None) -> int:
    """Run the bot against config.api_base_url until a stop signal; return the exit code."""
    err = stderr or sys.stderr
    return serve_services(config, err, lambda services, laps: _serve(config, services, err, laps))


def serve_services(
    config: Config, err: TextIO, serve: Callable[[Services, Laps], Coroutine[Any, Any, int]]
) -> int:
    """Open the data dir as its writer, run serve(services, laps) in a new loop, close; exit code."""
    if not config.token:
        print(NOT_SET_LINE, file=err)
        return 2
    laps = Laps()
    services = open_services(config, write=True, allow_readonly=False, laps=laps)
    try:
        return asyncio.run(serve(services, laps))
    finally:
        services.shutdown()


POLLING_TASK = "Updater:start_polling:polling_task"  # PTB's name for its long-poll loop


async def until_stopped(stop: asyncio.Event) -> None:
    """Wait for a stop signal, or for PTB's long poll to end by itself.

    PTB ends that loop on a token BotFather revoked (InvalidToken) and tells nobody: the bot
    would live on deaf, its heartbeat healthy. Leaving here lets `running` stop the updater,
    which raises the loop's InvalidToken for `_serve` to report.
    """
    polls = [task for task in asyncio.all_tasks() if task.get_name() == POLLING_TASK]
    signalled = asyncio.create_task(stop.wait())
    await asyncio.wait([signalled, *polls], return_when=asyncio.FIRST_COMPLETED)
    signalled.cancel()


class RevokedTokenTraceback(logging.Filter):
    """Drop a record carrying an InvalidToken: the runner says it in one line (REJECTED_LINE).

    PTB's long poll logs the revoked token with a whole traceback before it ends, under
    "telegram.ext"; any other exception, a bug's, keeps its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Return False for a record whose exception is an InvalidToken."""
        return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


@contextmanager
def rejected_token_told_once() -> Iterator[None]:
    """Keep PTB's traceback of a revoked token out of the log while the runner reports it."""
    ptb = logging.getLogger("telegram.ext")  # the name of PTB's network retry loop's logger
    quiet = RevokedTokenTraceback()
    ptb.addFilter(quiet)
    try:
        yield
    finally:
        ptb.removeFilter(quiet)


@asynccontextmanager
async def stop_signals() -> AsyncIterator[asyncio.Event]:
    """Yield an event that SIGINT or SIGTERM sets; the handlers go when the block ends."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        yield stop
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def _serve(config: Config, services: Services, err: TextIO, laps: Laps) -> int:
    """Poll until SIGINT/SIGTERM; report a rejected token or an unreachable server in one line."""
    application = build_application(config, services, own_services=False)
    laps.lap("application")
    try:
        with rejected_token_told_once():
            async with stop_signals() as stop, running(application, laps=laps):
                # Where the start went, from the data dir's open to the first getUpdates.
                log.info("start-up: %s", laps.line())
                # After getMe: tell the newcomer whom to message.
                name = application.bot.username
                log.info(
                    "newsbrief is running as @%s: open https://t.me/%s and send /start",
                    name,
                    name,
                )
                await until_stopped(stop)
    except InvalidToken:
        print(REJECTED_LINE, file=err)
        return 2
    except NetworkError as exc:
        host = urlsplit(config.api_base_url).netloc  # never the token, which is in the path
        reason = redact(exc.message)
        print(f"newsbrief: cannot reach the Bot API at {host}: {reason}", file=err)
        return 1
    log.info("newsbrief stopped")
    return 0
