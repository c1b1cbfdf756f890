"""SIGTERM: a real `newsbrief` process against the local Bot API server stops cleanly."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.archive.lock import DataDirLock
from bot.config import Config
from bot.services import open_services
from bot.tgserver import Limits, LocalBotApiServer
from tests.conftest import REPO
from tests.opskit import empty_seeds, free_port

TOKEN = "424242:sigterm-test-token"
PRIVATE_WORDS = "xyzzy plugh private words"
# A hang guard, not a speed test: a wall-clock deadline near the 10 s promise fails on a
# loaded machine for reasons that are not the bot's. What makes the stop quick is asserted
# instead: it exits 0 on its own, with the stop logged, every update confirmed and the data
# dir flushed and unlocked; a stop that hung on the long poll or on a digest would hit this.
STOP_HANG_GUARD = 60.0
START_TIMEOUT = 60.0  # imports and the first index build on a slow CI machine

POLLING = (
    "import os, sys\n"
    "from bot.config import load_config\n"
    "from bot.logs import setup_logging\n"
    "from bot.run.polling import run_bot\n"
    "setup_logging('INFO', token=os.environ['TELEGRAM_BOT_TOKEN'])\n"
    "sys.exit(run_bot(load_config(os.environ)))\n"
)
WEBHOOK = (
    "import os, sys\n"
    "from bot.config import load_config\n"
    "from bot.logs import setup_logging\n"
    "from bot.run.webhook import WebhookSettings, run_webhook_mode\n"
    "setup_logging('INFO', token=os.environ['TELEGRAM_BOT_TOKEN'], fmt='json')\n"
    "port = int(os.environ['HOOK_PORT'])\n"
    "settings = WebhookSettings(f'http://127.0.0.1:{port}/hook', '127.0.0.1', port)\n"
    "sys.exit(run_webhook_mode(load_config(os.environ), settings))\n"
)


async def run_and_stop(tmp_path: Path, program: str, extra_env: dict[str, str]) -> str:
    """Start the bot in a subprocess, talk to it, SIGTERM it; return its stderr."""
    server = LocalBotApiServer(token=TOKEN, limits=Limits.unlimited())
    await server.start()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "NEWSBRIEF_DATA_DIR": str(tmp_path / "data"),
        "NEWSBRIEF_SEEDS_DIR": str(empty_seeds(tmp_path)),
        **extra_env,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", program, cwd=REPO, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        ann = server.user(11, "Ann")
        await ann.send("/start")
        (reply,) = await ann.wait_replies(1, timeout=START_TIMEOUT)
        assert "newsbrief" in reply.text
        await ann.send(PRIVATE_WORDS)  # a search: its words must never reach the log
        await ann.wait_replies(1, timeout=START_TIMEOUT)
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), STOP_HANG_GUARD)
        assert code == 0
        assert server.pending_updates == 0  # /start was confirmed: a restart will not redo it
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()
    assert proc.stderr is not None
    return (await proc.stderr.read()).decode()


def assert_flushed_and_unlocked(data_dir: Path) -> None:
    """The lock is free and the data dir opens whole for the next start."""
    lock = DataDirLock(data_dir)
    lock.acquire()  # raises if the process left it held
    lock.release()
    services = open_services(Config(data_dir=data_dir, seeds_dir=data_dir), write=True)
    services.shutdown()


@pytest.mark.slow
async def test_sigterm_stops_polling_cleanly_and_quickly(tmp_path: Path) -> None:
    log = await run_and_stop(tmp_path, POLLING, {})
    assert "newsbrief stopped" in log
    assert "xyzzy" not in log
    assert TOKEN not in log and "424242:" not in log
    assert_flushed_and_unlocked(tmp_path / "data")


@pytest.mark.slow
async def test_sigterm_stops_webhook_mode_cleanly_and_quickly(tmp_path: Path) -> None:
    log = await run_and_stop(tmp_path, WEBHOOK, {"HOOK_PORT": str(free_port())})
    assert "on a webhook" in log and "newsbrief stopped" in log
    assert TOKEN not in log and "xyzzy" not in log
    lines = log.splitlines()
    assert lines and all(json.loads(line)["level"] for line in lines)  # --log-format json
    assert_flushed_and_unlocked(tmp_path / "data")
