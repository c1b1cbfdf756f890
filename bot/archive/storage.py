"""TinyDB storage: an atomic, fsynced orjson file.

Plain `JSONStorage` writes in place, so a crash mid-write truncates the file
(tinydb#301). Here every write goes to a temp file in the same directory, is
fsynced, then `os.replace`d over the old one: a `kill -9` at any moment leaves
either the old or the new complete file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage


class StorageError(Exception):
    """A data file cannot be read: corrupt, or not ours."""


def read_json_file(path: Path) -> dict[str, Any] | None:
    """Return the parsed JSON object in path, None when the file is missing or empty."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    if not raw.strip():
        return None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StorageError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise StorageError(f"{path} does not hold a JSON object")
    return data


def write_json_atomic(path: Path, data: Any, *, raw: bool = False) -> None:
    """Write data as JSON (or as is, raw bytes) to path so a crash leaves the old or the new file."""
    payload = data if raw else orjson.dumps(data)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        # The temp file is ours alone; never leave it behind on a failed write.
        Path(tmp_name).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Persist the rename itself: without it a power cut can forget the new directory entry."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class AtomicJSONStorage(Storage):
    """TinyDB storage: orjson serialisation, atomic fsynced replace on every write."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def read(self) -> dict[str, dict[str, Any]] | None:
        """Return the whole database, or None for a new file."""
        return read_json_file(self.path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Replace the whole database atomically."""
        write_json_atomic(self.path, data)

    def close(self) -> None:
        """Nothing to release: no handle is kept open between writes."""
