"""One writer per data directory: an advisory lock file that names its holder."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_FILE = "newsbrief.lock"


class DataDirLocked(Exception):
    """Another process holds the data directory for writing."""


class DataDirLock:
    """An exclusive, non-blocking `flock` on `<data_dir>/newsbrief.lock`.

    The kernel drops the lock when the holder dies, even by `kill -9`, so a
    stale pid in the file never blocks a restart.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise DataDirLocked naming the holder's pid."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            raise DataDirLocked(
                f"{self.path.parent} is being written by another newsbrief (pid {holder}); "
                "stop it first, or use another --data-dir"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        """Drop the lock; safe to call twice."""
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    @property
    def held(self) -> bool:
        """Whether this process holds the lock."""
        return self._fh is not None
