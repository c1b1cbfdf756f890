"""`backup` then `restore` of a data dir whose bot has talked to someone: chats.json included."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app.context import ChatData
from bot.app.persistence import STATE_FILE, ChatStatePersistence
from tests.test_cli import run


def test_a_backup_with_chat_state_restores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every bot that answered once has chats.json ({"_meta": {"version": 1}, "chats": ...});
    # restore took it for a table file without its "_meta" row and refused the whole backup.
    data, backup, again = (str(tmp_path / n) for n in ("data", "backup", "again"))
    assert run(capsys, "--data-dir", data, "latest")[0] == 0
    state = ChatData()
    state.remember_items(["1bd600cf0a7f"], 1)
    asyncio.run(ChatStatePersistence(Path(data) / STATE_FILE).update_chat_data(42, state))
    assert run(capsys, "--data-dir", data, "backup", backup)[0] == 0
    code, out, err = run(capsys, "--data-dir", again, "restore", backup)
    assert (code, err) == (0, "") and out.startswith("restored ")
    restored = (Path(again) / STATE_FILE).read_bytes()
    assert restored == (Path(data) / STATE_FILE).read_bytes()


def test_a_chat_state_file_that_is_not_ours_is_still_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, backup = str(tmp_path / "data"), tmp_path / "backup"
    assert run(capsys, "--data-dir", data, "latest")[0] == 0
    (Path(data) / STATE_FILE).write_text('["not", "chat state"]')
    assert run(capsys, "--data-dir", data, "backup", str(backup))[0] == 0
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "again"), "restore", str(backup))
    assert (
        code == 1 and err == f"newsbrief: {STATE_FILE} in the backup is not a newsbrief data file\n"
    )
