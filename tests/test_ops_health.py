"""The health check Docker runs: `python -m bot.run.health [--running] [--max-age N]`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.app.wiring import running
from bot.archive.lock import DataDirLock
from bot.config import Config
from bot.run.health import HEARTBEAT_FILE, beat, install_heartbeat, main
from bot.services import open_services
from tests.conftest import REPO, draft
from tests.opskit import ops_env


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


def test_a_stale_heartbeat_is_unhealthy_and_a_missing_one_is_not(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(data_dir), "--max-age", "60"]
    assert run(args, capsys)[0] == 0  # no heartbeat yet: the bot may be starting
    beat(data_dir)
    assert run(args, capsys)[0] == 0
    old = time.time() - 600
    os.utime(data_dir / HEARTBEAT_FILE, (old, old))
    code, out = run(args, capsys)
    assert code == 1 and "last heartbeat was 6" in out


async def test_the_running_bot_writes_its_heartbeat(tmp_path: Path) -> None:
    async with ops_env(tmp_path, modules=("handlers.basic",)) as env:
        install_heartbeat(env.app, env.config.data_dir, every=0.05)
        heartbeat = env.config.data_dir / HEARTBEAT_FILE
        async with running(env.app, poll_timeout=1):
            for _ in range(100):
                if heartbeat.exists():
                    break
                await asyncio.sleep(0.05)
            first = heartbeat.stat().st_mtime_ns
            for _ in range(100):
                if heartbeat.stat().st_mtime_ns != first:
                    break
                await asyncio.sleep(0.05)
            assert heartbeat.stat().st_mtime_ns != first


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
