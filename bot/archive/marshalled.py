"""A file of one `marshal`ed value behind a header: what it is, the value's length and CRC-32.

The snapshots of the store (`lightsnapshot.py`) and of the stories (`bot/stories/snapshot.py`)
are caches: a missing, torn or damaged file, or one of another kind, reads as None, and its
owner reads its source files instead. Written to a temporary name, fsynced, then renamed.
"""

from __future__ import annotations

import marshal
import os
import zlib
from pathlib import Path
from typing import Any

LENGTH, CRC = 8, 4  # bytes after the magic line: the payload's length, then its CRC-32


def write_marshalled(path: Path, magic: bytes, value: tuple[Any, ...]) -> None:
    """Write value under the magic line; a crash leaves the old file or the new one."""
    payload = marshal.dumps(value)
    head = magic + len(payload).to_bytes(LENGTH, "big") + zlib.crc32(payload).to_bytes(CRC, "big")
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as out:
        out.write(head)
        out.write(payload)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def read_marshalled(path: Path, magic: bytes) -> object:
    """Return the value of a sound file written under magic, else None."""
    found: object
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    head = len(magic) + LENGTH + CRC
    if not raw.startswith(magic) or len(raw) < head:
        return None
    length = int.from_bytes(raw[len(magic) : len(magic) + LENGTH], "big")
    payload = memoryview(raw)[head:]
    if len(payload) != length or zlib.crc32(payload) != int.from_bytes(
        raw[head - CRC : head], "big"
    ):
        return None  # torn or damaged
    try:
        found = marshal.loads(payload)  # noqa: S302 - our own file, its CRC checked above
    except (EOFError, ValueError, TypeError):
        return None
    return found
