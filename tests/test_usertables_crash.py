"""Kill -9 the users writer mid-writes: every flushed put survives, a torn tail is ignored."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.archive.tablefile import SUFFIX
from bot.archive.tablespans import SPANS_SUFFIX
from bot.archive.usertables import TABLES_DIR, EmbeddedUserTables
from tests.conftest import REPO


@pytest.mark.parametrize("after", [3, 40, 400])
def test_kill_9_loses_no_flushed_put(tmp_path: Path, after: int) -> None:
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.kill_users_writer", str(data)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    last = -1
    for _ in range(after):  # the child writes on while the parent reads: the kill lands mid-batch
        last = int(proc.stdout.readline().split()[1])
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    tables = EmbeddedUserTables(data)
    tables.initialize()
    chats = {int(d["n"]) for d in tables.load("chats")}
    subs = {int(k["n"]) % 500: int(k["n"]) for k in tables.load("subscriptions")}
    assert set(range(last + 1)) <= chats  # nothing acknowledged is lost
    for n in range(max(0, last - 499), last + 1):
        assert subs[n % 500] >= n  # the newest flushed version of each key, or a later one
    tables.put("chats", "after", {"n": -1})  # and the file takes new lines after a torn one
    tables.shutdown()
    again = EmbeddedUserTables(data, readonly=True)
    again.initialize()
    assert {"n": -1} in list(again.load("chats"))


def test_a_torn_last_line_is_ignored_and_cut_before_the_next_append(tmp_path: Path) -> None:
    tables = EmbeddedUserTables(tmp_path)
    tables.initialize()
    tables.put("chats", "1", {"zone": "UTC"})
    tables.shutdown()
    path = tmp_path / TABLES_DIR / f"chats{SUFFIX}"
    with path.open("ab") as fh:
        fh.write(b'"2"\t{"zone": "Eur')  # a write cut short by a crash
    reader = EmbeddedUserTables(tmp_path, readonly=True)
    reader.initialize()
    assert list(reader.load("chats")) == [{"zone": "UTC"}]
    tables = EmbeddedUserTables(tmp_path)
    tables.initialize()
    assert list(tables.load("chats")) == [{"zone": "UTC"}]
    tables.put("chats", "3", {"zone": "Asia/Tokyo"})
    tables.shutdown()
    assert path.read_bytes().count(b"\n") == 2
    assert os.path.getsize(path) == len(path.read_bytes())
    reader = EmbeddedUserTables(tmp_path, readonly=True)
    reader.initialize()
    assert list(reader.load("chats")) == [{"zone": "UTC"}, {"zone": "Asia/Tokyo"}]


def _tables_with(tmp_path: Path, docs: dict[str, int]) -> Path:
    """Write docs to the chats table, close cleanly (leaving the side file); return its path."""
    tables = EmbeddedUserTables(tmp_path)
    tables.initialize()
    for key, n in docs.items():
        tables.put("chats", key, {"n": n})
    tables.delete("chats", ["gone"])
    tables.shutdown()
    return tmp_path / TABLES_DIR / f"chats{SPANS_SUFFIX}"


def _chats(tmp_path: Path) -> list[dict[str, int]]:
    tables = EmbeddedUserTables(tmp_path)
    tables.initialize()
    try:
        return list(tables.load("chats"))
    finally:
        tables.shutdown()


def test_a_clean_close_leaves_the_live_lines_and_the_next_open_reads_the_same(
    tmp_path: Path,
) -> None:
    spans = _tables_with(tmp_path, {"a": 1, "b": 2, "gone": 3, "c": 4})
    assert spans.exists()
    assert _chats(tmp_path) == [{"n": 1}, {"n": 2}, {"n": 4}]
    assert spans.exists()  # written again by that open's own clean close


def test_a_side_file_of_an_older_state_is_not_trusted(tmp_path: Path) -> None:
    spans = _tables_with(tmp_path, {"a": 1, "b": 2})
    stale = spans.read_bytes()
    tables = EmbeddedUserTables(tmp_path)
    tables.initialize()
    assert [d["n"] for d in tables.load("chats")] == [1, 2]
    assert not spans.exists()  # gone before anything is appended
    tables.put("chats", "a", {"n": 10})
    tables.flush_sync()
    spans.write_bytes(stale)  # as if a crash came now, with the older side file in place
    assert sorted(d["n"] for d in _chats(tmp_path)) == [2, 10]
    tables.shutdown()


@pytest.mark.parametrize("garbage", [b"", b'{"stamp": [1, 2', b"[]", b'{"stamp": 5}'])
def test_a_torn_or_foreign_side_file_only_costs_a_scan(tmp_path: Path, garbage: bytes) -> None:
    spans = _tables_with(tmp_path, {"a": 1, "b": 2})
    spans.write_bytes(garbage)
    assert _chats(tmp_path) == [{"n": 1}, {"n": 2}]
