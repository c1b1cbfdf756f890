"""The health check Docker runs: `python -m bot.run.health [--running] [--max-age N]`."""

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
from bot.archive.lock import DataDirLock, DataDirLocked
from bot.config import Config
from bot.run.health import Unhealthy, lock_holder, main
from bot.services import open_services
from bot.tgserver import Limits, LocalBotApiServer
from tests.conftest import REPO, draft
from tests.opskit import empty_seeds, ops_env
from tests.test_ops_sigterm import POLLING, START_TIMEOUT, TOKEN

HANG_GUARD = 60.0  # seconds: only ends a test that would otherwise hang


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
