"""kill -9 a writing process at every step of its writes: each reopen finds whole files and batches.

The writer kills itself just before its N-th fsync or rename (tests/kill_writer.py), so each
step of the atomic write (temp file written, fsynced, renamed, directory fsynced) is hit on
purpose and the same way on every run, instead of at moments a sleep happens to pick.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.archive.segments import SEGMENT_GLOB
from bot.archive.storage import read_json_file
from bot.archive.store import ArticleStore
from tests.conftest import REPO
from tests.kill_writer import BATCH

# Each point twice per kind, in different places of the growing store: 1..25 calls in.
KILL_POINTS = [f"{kind}:{n}" for n in range(1, 26) for kind in ("fsync", "replace")]


def _start_writer(data_dir: Path, point: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.kill_writer", str(data_dir), point],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_kill_9_never_leaves_a_truncated_file(tmp_path: Path) -> None:
    counts = []
    for point in KILL_POINTS:
        proc = _start_writer(tmp_path, point)
        assert proc.wait() == -9, f"the writer was not killed at {point}"
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
    assert len(set(counts)) > 10, "the kills fell on too few different states"
