"""The running bot's heartbeat: a file in the data dir whose mtime says the loop still answers."""

from __future__ import annotations

import os
from pathlib import Path

HEARTBEAT_FILE = ".heartbeat"  # hidden: backups skip it


def beat(data_dir: Path) -> None:
    """Write the heartbeat file: this process's pid; its mtime is the time of the beat."""
    path = data_dir / HEARTBEAT_FILE
    tmp = path.with_name(HEARTBEAT_FILE + ".tmp")
    tmp.write_text(f"{os.getpid()}\n")
    os.replace(tmp, path)  # a reader never sees a half-written pid


def last_beat(data_dir: Path) -> tuple[int | None, float] | None:
    """Return (pid, mtime) of the last beat, or None when no bot has beaten here."""
    path = data_dir / HEARTBEAT_FILE
    try:
        mtime = path.stat().st_mtime
        text = path.read_text().strip()
    except FileNotFoundError:
        return None
    return (int(text) if text.isdigit() else None), mtime
