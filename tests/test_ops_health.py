"""The health check Docker runs: `python -m bot.run.health [--running] [--max-age N]`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.archive.heartbeat import HEARTBEAT_FILE
from bot.archive.lock import DataDirLock, DataDirLocked
from bot.run.health import Unhealthy, lock_holder, main
from tests.conftest import REPO
from tests.healthkit import run, sound_data_dir

HANG_GUARD = 60.0  # seconds: only ends a test that would otherwise hang


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir as the bot leaves it: users file, one segment."""
    return sound_data_dir(tmp_path)


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
        ("users.json", b'{"_meta": {"1": {"sch', "ends mid-object"),
        ("users.json", b"[1, 2]", "does not hold a JSON object"),
        ("articles/segment-000001.json", b'{"_meta": {"1": {"schema": 42}}}', "newer newsbrief"),
        ("users/_meta.log", b'"meta"\t{"schema": 42, "kind": "users"}\n', "newer newsbrief"),
        (
            "users/_meta.log",
            b'"meta"\t{"schema": 4, "kind": "articles"}\n',
            "not hold newsbrief users",
        ),
    ],
)
def test_a_damaged_file_is_unhealthy(
    data_dir: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, reason: str
) -> None:
    (data_dir / name).parent.mkdir(exist_ok=True)
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


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Return every file under folder with its inode, mtime and content."""
    return {
        str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


HOLDER = (
    "import sys\n"
    "from pathlib import Path\n"
    "from bot.archive.lock import DataDirLock\n"
    "lock = DataDirLock(Path(sys.argv[1]))\n"
    "lock.acquire()\n"
    "print('locked', flush=True)\n"
    "sys.stdin.read()\n"  # hold until the test closes our stdin
)


def test_health_finds_another_process_holding_the_lock_and_touches_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check reads the kernel's lock table: no lock taken, no pid written, no file changed."""
    args = ["--data-dir", str(data_dir), "--running", "--max-age", "60"]
    earlier = DataDirLock(data_dir)  # a bot that ran and stopped: its pid stays in the file
    earlier.acquire()
    earlier.release()
    before = snapshot(data_dir)
    assert run(args, capsys)[1] == f"unhealthy: no newsbrief is running on {data_dir}"
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as bot:
        assert bot.stdout is not None and bot.stdout.readline() == "locked\n"  # it holds the lock
        holding = snapshot(data_dir)
        code, out = run(args, capsys)
        assert (code, out) == (
            1,
            f"unhealthy: the running bot (pid {bot.pid}) has written no heartbeat",
        )
        assert snapshot(data_dir) == holding  # the holder's pid stays; nothing written
        with pytest.raises(DataDirLocked):  # and the holder still holds it alone
            DataDirLock(data_dir).acquire()
        bot.communicate("")
    code, out = run(args, capsys)
    assert out == f"unhealthy: no newsbrief is running on {data_dir}"
    assert before.keys() == holding.keys() == snapshot(data_dir).keys()


def test_without_a_kernel_lock_table_running_cannot_be_told(data_dir: Path, tmp_path: Path) -> None:
    lock = DataDirLock(data_dir)
    lock.acquire()
    try:
        assert lock_holder(data_dir) == os.getpid()
        with pytest.raises(Unhealthy, match="cannot tell whether a bot runs"):
            lock_holder(data_dir, locks=tmp_path / "no-proc-locks")
    finally:
        lock.release()


def test_the_users_file_is_checked_by_its_ends_not_parsed(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A users file of 56 MB is read at its two ends: a damaged middle is the bot's to find."""
    users = data_dir / "users.json"
    users.write_bytes(b'{"_meta": {"1": {"schema": 3}}, "chats": ' + b"x" * 100_000 + b"}")
    assert run(["--data-dir", str(data_dir)], capsys)[0] == 0


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


@pytest.mark.parametrize(
    "argv",
    [["--max-age", "nan"], ["--max-age", "-5"], ["--max-age", "0"], ["--max-age", "inf"]],
)
def test_a_meaningless_option_is_a_usage_error_not_a_verdict(
    data_dir: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`--max-age nan` said "ok" without looking at the heartbeat; 0 or less never could."""
    with pytest.raises(SystemExit) as stopped:
        main(["--data-dir", str(data_dir), *argv], env={})
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith("python -m bot.run.health: error: argument --")


def test_a_heartbeat_or_lock_path_that_is_a_directory_is_one_unhealthy_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A directory where the heartbeat (or the lock file) belongs raised IsADirectoryError."""
    (data_dir / HEARTBEAT_FILE).mkdir()
    code, out = run(["--data-dir", str(data_dir), "--max-age", "60"], capsys)
    assert code == 1 and out.startswith("unhealthy: ") and "\n" not in out
    assert HEARTBEAT_FILE in out
    (data_dir / HEARTBEAT_FILE).rmdir()
    (data_dir / "newsbrief.lock").unlink(missing_ok=True)
    (data_dir / "newsbrief.lock").mkdir()
    code, out = run(["--data-dir", str(data_dir), "--running"], capsys)
    assert code == 1 and out.startswith("unhealthy: ") and "\n" not in out
    assert "newsbrief.lock" in out
