"""The health check Docker runs: `python -m bot.run.health [--running] [--max-age N]`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.app.wiring import running
from bot.archive.heartbeat import HEARTBEAT_FILE, beat
from bot.archive.lock import DataDirLock
from bot.config import Config
from bot.run.health import main
from bot.services import open_services
from bot.tgserver import Limits, LocalBotApiServer
from tests.conftest import REPO, draft
from tests.opskit import empty_seeds, ops_env
from tests.test_ops_sigterm import POLLING, START_TIMEOUT, TOKEN


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir as the bot leaves it: users file, one segment."""
    seeds = tmp_path / "no-seeds"
    seeds.mkdir()
    services = open_services(Config(data_dir=tmp_path / "data", seeds_dir=seeds), write=True)

    services.store.add_many([draft(1), draft(2)])
    services.shutdown()
    return tmp_path / "data"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args, env={})
    return code, capsys.readouterr().out.strip()


def test_a_sound_data_dir_is_healthy(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--data-dir", str(data_dir)], capsys) == (0, f"ok: {data_dir} (1 article segments)")


def test_the_data_dir_comes_from_the_environment(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([], env={"NEWSBRIEF_DATA_DIR": str(data_dir)}) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_a_missing_dir_is_unhealthy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["--data-dir", str(tmp_path / "nope")], capsys)
    assert code == 1 and out.endswith("is not a directory")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("users.json", b'{"_meta": {"1": {"sch', "not valid JSON"),
        ("users.json", b"[1, 2]", "does not hold a JSON object"),
        ("articles/segment-000001.json", b'{"_meta": {"1": {"schema": 42}}}', "newer newsbrief"),
    ],
)
def test_a_damaged_file_is_unhealthy(
    data_dir: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, reason: str
) -> None:
    (data_dir / name).write_bytes(content)
    code, out = run(["--data-dir", str(data_dir)], capsys)
    assert code == 1 and out.startswith("unhealthy: ") and reason in out


def test_running_needs_a_bot_holding_the_lock(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(["--data-dir", str(data_dir), "--running"], capsys)
    assert (code, out) == (1, f"unhealthy: no newsbrief is running on {data_dir}")
    lock = DataDirLock(data_dir)
    lock.acquire()
    try:
        code, out = run(["--data-dir", str(data_dir), "--running"], capsys)
        assert code == 0 and out.endswith("bot running)")
    finally:
        lock.release()


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
        async with running(env.app, poll_timeout=1):
            for _ in range(200):
                if heartbeat.exists():
                    break
                await asyncio.sleep(0.05)
            first = heartbeat.stat().st_mtime_ns
            for _ in range(200):
                if heartbeat.stat().st_mtime_ns != first:
                    break
                await asyncio.sleep(0.05)
            assert heartbeat.stat().st_mtime_ns != first
            assert heartbeat.read_text().strip() == str(os.getpid())


async def health_until(data_dir: Path, healthy: bool, within: float) -> str:
    """Run the Docker health check until it gives the wanted verdict; return its line."""
    args = ["--data-dir", str(data_dir), "--running", "--max-age", str(MAX_AGE)]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.run.health", *args, cwd=REPO, stdout=subprocess.PIPE
        )
        out, _ = await proc.communicate()
        if (proc.returncode == 0) == healthy:
            return out.decode().strip()
        assert loop.time() < deadline, f"still {out.decode().strip()!r} after {within} s"
        await asyncio.sleep(0.2)


def until_stopped(pid: int) -> None:
    """Wait until the kernel reports the process stopped, so no beat can land after."""
    stat = Path(f"/proc/{pid}/stat")
    while stat.read_text().rsplit(")", 1)[1].split()[0] != "T":
        time.sleep(0.01)


MAX_AGE = 2.0  # seconds; the bot beats every 0.2 s in the test below


@pytest.mark.slow
async def test_health_sees_a_stopped_polling_bot_and_its_recovery(tmp_path: Path) -> None:
    """`newsbrief run` (long polling) beats by itself; SIGSTOP makes it unhealthy, SIGCONT not."""
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
        sys.executable, "-c", POLLING, cwd=REPO, env=env, stderr=subprocess.DEVNULL
    )
    try:
        ann = server.user(11, "Ann")
        await ann.send("/start")
        await ann.wait_replies(1, timeout=START_TIMEOUT)
        ok = await health_until(data_dir, healthy=True, within=START_TIMEOUT)
        assert ok.endswith("bot running)")
        proc.send_signal(
            signal.SIGSTOP
        )  # the process lives and holds its lock, but answers nothing
        until_stopped(proc.pid)
        stopped_at = (data_dir / HEARTBEAT_FILE).stat().st_mtime_ns
        verdict = await health_until(data_dir, healthy=False, within=MAX_AGE * 10)
        assert verdict.startswith("unhealthy: the bot's last heartbeat was")
        assert (data_dir / HEARTBEAT_FILE).stat().st_mtime_ns == stopped_at
        proc.send_signal(signal.SIGCONT)
        await health_until(data_dir, healthy=True, within=MAX_AGE * 10)
        await ann.send("/start")  # and it answers again
        await ann.wait_replies(1, timeout=START_TIMEOUT)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGCONT)
            proc.send_signal(signal.SIGTERM)
            await proc.wait()
        await server.stop()


def test_python_dash_m_bot_health_exits_with_the_verdict(data_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "NEWSBRIEF_DATA_DIR": str(data_dir)}
    ok = subprocess.run(
        [sys.executable, "-m", "bot.run.health"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    env["NEWSBRIEF_DATA_DIR"] = str(tmp_path / "gone")
    bad = subprocess.run(
        [sys.executable, "-m", "bot.run.health"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1 and bad.stdout.startswith("unhealthy:")
