"""`newsbrief run` (run_bot): token problems in one line, clean stop on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from subprocess import Popen
from typing import Any, TypeVar

import httpx
import pytest
from telegram.error import Conflict, InvalidToken, NetworkError

from bot.app.errors import on_poll_error
from bot.archive.lock import DataDirLock
from bot.config import Config
from bot.run.polling import NOT_SET_LINE, REJECTED_LINE, rejected_token_told_once, run_bot
from bot.tgserver import Limits, LocalBotApiServer
from tests.botkit import REPO, TOKEN
from tests.opskit import free_port

T = TypeVar("T")


class ServerThread:
    """A local Bot API server on its own event loop thread, for code that runs asyncio.run."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server = LocalBotApiServer(token=TOKEN, limits=Limits.unlimited())

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run a coroutine on the server's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> None:
        self.thread.start()
        self.call(self.server.start())

    def stop(self) -> None:
        self.call(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@contextmanager
def server_thread() -> Iterator[ServerThread]:
    running = ServerThread()
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_missing_token_is_one_clear_line(tmp_path: Path) -> None:
    err = io.StringIO()
    assert run_bot(Config(data_dir=tmp_path), stderr=err) == 2
    assert err.getvalue() == NOT_SET_LINE + "\n"


def test_rejected_token_is_one_clear_line(tmp_path: Path) -> None:
    err = io.StringIO()
    with server_thread() as running:
        config = Config(data_dir=tmp_path, token="999:WRONG", api_base_url=running.server.base_url)
        assert run_bot(config, stderr=err) == 2
    assert err.getvalue() == REJECTED_LINE + "\n"
    assert "999:WRONG" not in err.getvalue()
    lock = DataDirLock(tmp_path)
    lock.acquire()  # the runner released the data directory
    lock.release()


def test_unreachable_api_is_one_clear_line(tmp_path: Path) -> None:
    err = io.StringIO()
    config = Config(data_dir=tmp_path, token=TOKEN, api_base_url="http://127.0.0.1:9/bot")
    assert run_bot(config, stderr=err) == 1
    line = err.getvalue()
    assert line.startswith("newsbrief: cannot reach the Bot API at 127.0.0.1:9")
    assert line.count("\n") == 1 and TOKEN not in line


@contextmanager
def bot_process(running: ServerThread, tmp_path: Path, args: list[str]) -> Iterator[Popen[str]]:
    """Run `python ARGS` as the bot against the running local server; kill it if still up."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": running.server.base_url,
        "NEWSBRIEF_DATA_DIR": str(tmp_path),
    }
    proc = subprocess.Popen(
        [sys.executable, *args], cwd=REPO, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)


def assert_released(tmp_path: Path) -> None:
    """Assert the bot released the data directory's lock."""
    lock = DataDirLock(tmp_path)
    lock.acquire()
    lock.release()


def greet_then_stop(
    args: list[str], tmp_path: Path, signum: signal.Signals
) -> tuple[int, str, str]:
    """Run the bot in a process against a local server, say /start, stop it with signum.

    Return its exit code, its stderr and the server's bot username.
    """
    with server_thread() as running, bot_process(running, tmp_path, args) as proc:
        user = running.server.user(5)
        running.call(user.send("/start"))
        [reply] = running.call(user.wait_replies(1, timeout=30))
        assert "newsbrief" in reply.text
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=30)
    return proc.returncode, stderr, running.server.bot_username


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_the_bot_cleanly(tmp_path: Path, signum: signal.Signals) -> None:
    code = (
        "import os, sys; from bot.config import load_config; from bot.run.polling import run_bot; "
        "sys.exit(run_bot(load_config(os.environ)))"
    )
    returncode, stderr, _ = greet_then_stop(["-c", code], tmp_path, signum)
    assert returncode == 0, stderr
    assert "Traceback" not in stderr
    assert TOKEN not in stderr
    assert_released(tmp_path)


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
def test_a_token_revoked_while_running_stops_the_bot_with_the_rejected_line(
    tmp_path: Path, webhook: bool
) -> None:
    """BotFather's /revoke ended PTB's long poll, and the bot lived on deaf but healthy; on a
    webhook it lived on "healthy", a traceback for each update."""
    port = free_port()
    hook = ["--webhook-url", f"http://127.0.0.1:{port}/tg", "--port", str(port)] if webhook else []
    with (
        server_thread() as running,
        bot_process(running, tmp_path, ["-m", "bot", "run", *hook]) as proc,
    ):
        user = running.server.user(5)
        running.call(user.send("/start"))
        running.call(user.wait_replies(1, timeout=30))
        running.server.revoke_token()
        if webhook:
            running.call(user.send("/help"))  # delivered by webhook; the reply meets the 401
        _, stderr = proc.communicate(timeout=60)  # it stops on its own, no signal sent
    assert proc.returncode == 2, stderr
    assert stderr.splitlines()[-1] == REJECTED_LINE
    assert "still running" not in stderr and TOKEN not in stderr
    # Polling printed PTB's traceback of the poll's InvalidToken first, and the line last.
    assert "Traceback" not in stderr, stderr
    assert_released(tmp_path)


def test_a_failing_long_poll_is_one_warning_line_at_each_retry_not_a_traceback(
    tmp_path: Path,
) -> None:
    """PTB logged each failed long poll with a whole traceback, at every retry of an outage."""
    with server_thread() as running, bot_process(running, tmp_path, ["-m", "bot", "run"]) as proc:
        assert proc.stderr is not None
        user = running.server.user(5)
        running.call(user.send("/start"))
        running.call(user.wait_replies(1, timeout=30))
        # Another deployment sets a webhook: every getUpdates now fails with 409 at once.
        hook = f"{running.server.base_url}{TOKEN}/setWebhook"
        httpx.post(hook, data={"url": "https://elsewhere.example/hook"}, timeout=10)
        failed = next(line for line in proc.stderr if " WARNING " in line or " ERROR " in line)
        retried = proc.stderr.readline()  # the next try, a second later
    assert "WARNING bot.app.errors" in failed and "set a webhook: Conflict" in failed, failed
    assert "WARNING bot.app.errors" in retried and "Conflict" in retried, retried
    assert TOKEN not in failed + retried


def test_a_second_process_polling_the_token_is_named_as_such_not_as_unreachable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Telegram's 409 means another process polls with this token: no network is down."""
    on_poll_error(Conflict("Conflict: terminated by other getUpdates request"))
    on_poll_error(NetworkError("httpx.ConnectError: All connection attempts failed"))
    conflict, unreachable = (record.getMessage() for record in caplog.records)
    assert conflict.startswith("another process polls Telegram with this token") and (
        "unreachable" not in conflict
    )
    assert unreachable.startswith("Bot API unreachable for now: httpx.ConnectError")


def test_only_the_revoked_tokens_traceback_is_left_to_the_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """PTB's poll loop logs any failure it gives up on there: a bug's traceback must stay."""
    ptb = logging.getLogger("telegram.ext")
    with rejected_token_told_once():
        for error in (InvalidToken("Unauthorized"), RuntimeError("a bug")):
            try:
                raise error
            except (InvalidToken, RuntimeError):
                ptb.exception("Network Retry Loop (Polling Updates): gave up")
    [kept] = caplog.records
    assert kept.exc_info is not None and isinstance(kept.exc_info[1], RuntimeError)
    assert "Traceback" in caplog.text
    assert ptb.filters == []  # only while the runner reports it
