"""The live lines of a table file as of a clean close, kept beside it (`<table>.spans`).

Learning which line of each key is live means reading every key of the table file (2 s of
the 5 s a 100,000-subscriber open took), so a clean close writes them down, stamped with
the table file's size, mtime and inode. The next open trusts them only if the stamp still
matches, and deletes the side file (durably) before anything is appended, so a crash later
cannot leave one describing an older state. A stale, torn or missing side file only means
the keys are read again.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from bot.archive.storage import fsync_dir

SPANS_SUFFIX = ".spans"

Span = tuple[int, int]  # offset, length of a line


def _stamp(stat: os.stat_result) -> list[int]:
    """Return what changes whenever a table file is appended to or replaced."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def load_spans(path: Path, stat: os.stat_result) -> tuple[dict[str, Span], int] | None:
    """Return the side file's live lines if it describes this very file; delete it either way.

    Deleted (durably) before anything is appended, so a crash later cannot leave a side file
    that describes an older state of the table.
    """
    try:
        saved = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    path.unlink(missing_ok=True)
    fsync_dir(path.parent)
    try:
        if saved["stamp"] != _stamp(stat):
            return None
        spans = dict(
            zip(saved["keys"], zip(saved["offsets"], saved["lengths"], strict=True), strict=True)
        )
    except (KeyError, TypeError, ValueError):
        return None
    return spans, stat.st_size


def save_spans(path: Path, stat: os.stat_result, spans: dict[str, Span]) -> None:
    """Write the live lines beside the table (atomic rename; no fsync: it is only a hint)."""
    ordered = sorted(spans.items(), key=lambda item: item[1][0])
    blob = orjson.dumps(
        {
            "stamp": _stamp(stat),
            "keys": [key for key, _ in ordered],
            "offsets": [offset for _, (offset, _) in ordered],
            "lengths": [length for _, (_, length) in ordered],
        }
    )
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # chat ids: private
        with os.fdopen(fd, "wb") as out:
            out.write(blob)
        os.replace(tmp, path)
    except OSError:  # a full disk costs the next open a scan, nothing more
        tmp.unlink(missing_ok=True)
