"""kill -9 a writing process at random moments: every reopen finds whole files and whole batches."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.archive.segments import SEGMENT_GLOB
from bot.archive.storage import read_json_file
from bot.archive.store import ArticleStore
from tests.conftest import REPO
from tests.kill_writer import BATCH

KILLS = 50


def _start_writer(data_dir: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.kill_writer", str(data_dir)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_kill_9_never_leaves_a_truncated_file(tmp_path: Path) -> None:
    rng = random.Random(20261125)
    counts = []
    for _ in range(KILLS):
        proc = _start_writer(tmp_path)
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        for segment in (tmp_path / "articles").glob(SEGMENT_GLOB):
            assert read_json_file(segment) is not None, f"{segment.name} is empty or truncated"
        store = ArticleStore(tmp_path, retention_days=0, readonly=True)
        store.initialize()
        numbers = sorted(int(a.title.split()[1]) for a in store)
        assert numbers == list(range(len(numbers))), "a batch was lost or half-written"
        assert len(numbers) % BATCH == 0
        counts.append(len(numbers))
    assert counts == sorted(counts), "a reopen went back in time"
    assert counts[-1] > 0, "the writer never got to write"
