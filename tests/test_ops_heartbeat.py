"""The heartbeat the health check reads: written by the running bot's job queue, judged stale."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent

from bot.app.context import NewsApp
from bot.app.housekeeping import HEARTBEAT_JOB
from bot.app.wiring import running
from bot.archive.heartbeat import HEARTBEAT_FILE, beat
from bot.archive.lock import DataDirLock
from bot.tgserver import Limits, LocalBotApiServer
from tests.conftest import REPO
from tests.healthkit import run, sound_data_dir
from tests.opskit import empty_seeds, ops_env
from tests.test_ops_sigterm import POLLING, START_TIMEOUT, TOKEN

HANG_GUARD = 60.0  # seconds: only ends a test that would otherwise hang


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir as the bot leaves it: users file, one segment."""
    return sound_data_dir(tmp_path)


def test_a_stale_heartbeat_is_unhealthy_and_a_missing_one_is_not_without_a_bot(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(data_dir), "--max-age", "60"]
    assert run(args, capsys)[0] == 0  # no bot holds the lock: nothing should be beating
    beat(data_dir)
    assert run(args, capsys)[0] == 0
    old = time.time() - 600
    os.utime(data_dir / HEARTBEAT_FILE, (old, old))
    code, out = run(args, capsys)
    assert code == 1 and "last heartbeat was 6" in out


def test_a_bot_holding_the_lock_without_its_own_heartbeat_is_unhealthy(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(data_dir), "--running", "--max-age", "60"]
    lock = DataDirLock(data_dir)
    lock.acquire()
    try:
        code, out = run(args, capsys)
        assert (code, out) == (
            1,
            f"unhealthy: the running bot (pid {os.getpid()}) has written no heartbeat",
        )
        (data_dir / HEARTBEAT_FILE).write_text("1\n")  # fresh, but left by another process
        code, out = run(args, capsys)
        assert code == 1 and "heartbeat is from pid 1, not the running bot" in out
        beat(data_dir)
        assert run(args, capsys) == (0, f"ok: {data_dir} (1 article segments, bot running)")
    finally:
        lock.release()


async def test_the_running_bot_writes_its_heartbeat_from_the_job_queue(tmp_path: Path) -> None:
    async with ops_env(tmp_path, modules=("handlers.basic",), heartbeat_seconds=0.05) as env:
        heartbeat = env.config.data_dir / HEARTBEAT_FILE
        beats = finished_beats(env.app)
        async with running(env.app, poll_timeout=1):
            await asyncio.wait_for(beats.get(), HANG_GUARD)
            assert heartbeat.read_text().strip() == str(os.getpid())
            heartbeat.unlink()
            # A beat already under way may have written just before the unlink: the test
            # waits for the first finished beat after which the file is there again.
            await asyncio.wait_for(written_again(beats, heartbeat.exists), HANG_GUARD)
            assert heartbeat.read_text().strip() == str(os.getpid())


def finished_beats(app: NewsApp) -> asyncio.Queue[None]:
    """Return a queue that gets an item each time the heartbeat job has finished a run."""
    assert app.job_queue is not None
    scheduler = app.job_queue.scheduler
    finished: asyncio.Queue[None] = asyncio.Queue()

    def executed(event: JobExecutionEvent) -> None:
        job = scheduler.get_job(event.job_id)
        if job is not None and job.name == HEARTBEAT_JOB:
            finished.put_nowait(None)  # APScheduler calls listeners on the loop's thread

    scheduler.add_listener(executed, EVENT_JOB_EXECUTED)
    return finished


async def written_again(beats: asyncio.Queue[None], written: Callable[[], bool]) -> None:
    """Wait for finished beats until one has left the heartbeat file in place."""
    while not written():
        await beats.get()


def health(data_dir: Path, max_age: float) -> str:
    """Run the Docker health check once, as Docker would; return its line."""
    args = ["--data-dir", str(data_dir), "--running", "--max-age", str(max_age)]
    done = subprocess.run(
        [sys.executable, "-m", "bot.run.health", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode == 0) == done.stdout.startswith("ok: "), done.stdout + done.stderr
    return done.stdout.strip()


async def next_beats(proc: asyncio.subprocess.Process, done: Callable[[], bool], what: str) -> None:
    """Read the bot's "beat" lines (one after each heartbeat it writes) until done() holds."""
    assert proc.stdout is not None
    while not done():
        line = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)
        assert line, f"{what}: the bot ended first"


# The bot under test says "beat" on stdout after each real heartbeat it writes: the test waits
# on those lines, not on a clock.
TELLING_BEATS = (
    "import bot.app.housekeeping as housekeeping\n"
    "_write_beat = housekeeping.beat\n"
    "def _told_beat(data_dir):\n"
    "    _write_beat(data_dir)\n"
    "    print('beat', flush=True)\n"
    "housekeeping.beat = _told_beat\n"
)


def beaten_by(data_dir: Path, pid: int, after: int = -1) -> Callable[[], bool]:
    """Return a check: pid has written a heartbeat newer than `after` (mtime in ns)."""

    def check() -> bool:
        path = data_dir / HEARTBEAT_FILE
        try:
            return path.read_text().strip() == str(pid) and path.stat().st_mtime_ns > after
        except FileNotFoundError:
            return False

    return check


LIVELY = 600.0  # the healthy verdicts' --max-age: a loaded machine never delays a beat that long


@pytest.mark.slow
async def test_health_sees_a_stopped_polling_bot_and_its_recovery(tmp_path: Path) -> None:
    """`newsbrief run` (long polling) beats by itself; stopped, it goes stale; resumed, it beats.

    No verdict depends on how fast anything runs: staleness is made by dating the heartbeat of
    the stopped bot back an hour (it cannot write while stopped: the kernel confirms the stop),
    and every healthy verdict allows ten minutes.
    """
    server = LocalBotApiServer(token=TOKEN, limits=Limits.unlimited())
    await server.start()
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "NEWSBRIEF_DATA_DIR": str(data_dir),
        "NEWSBRIEF_SEEDS_DIR": str(empty_seeds(tmp_path)),
        "NEWSBRIEF_HEARTBEAT_SECONDS": "0.2",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        TELLING_BEATS + POLLING,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        ann = server.user(11, "Ann")
        await ann.send("/start")
        await ann.wait_replies(1, timeout=START_TIMEOUT)
        await next_beats(proc, beaten_by(data_dir, proc.pid), "the bot's first heartbeat")
        assert health(data_dir, LIVELY).endswith("bot running)")
        proc.send_signal(signal.SIGSTOP)  # it lives and holds its lock, but answers nothing
        _, status = await asyncio.to_thread(os.waitpid, proc.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status)  # every thread is stopped: no beat can land now
        hour_ago = time.time() - 3600
        os.utime(data_dir / HEARTBEAT_FILE, (hour_ago, hour_ago))
        assert health(data_dir, LIVELY).startswith("unhealthy: the bot's last heartbeat was 36")
        stale = (data_dir / HEARTBEAT_FILE).stat().st_mtime_ns
        proc.send_signal(signal.SIGCONT)
        await next_beats(proc, beaten_by(data_dir, proc.pid, after=stale), "a beat after SIGCONT")
        assert health(data_dir, LIVELY).endswith("bot running)")
        await ann.send("/start")  # and it answers again
        await ann.wait_replies(1, timeout=START_TIMEOUT)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGCONT)
            proc.send_signal(signal.SIGTERM)
            await proc.wait()
        await server.stop()
