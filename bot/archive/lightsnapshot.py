"""The store's light entries and dedup keys as columns, so an open parses no segment it knew.

Parsing a million light documents from their segment files and making their entries took
3.4 s of a million-article start. The store writes this snapshot when it closes; an open
takes from it every segment whose files are as they were, and reads the others (new, grown
or pruned since) from their files.

The segment files stay the truth; this is a cache. A segment is taken from the snapshot only
when its light file has the same size and modification time, and its records file the same
size, as when the snapshot was written. Why that is enough: a light file changes only by an
append (it grows, and so does the records file, which only ever grows) or a removal (it
shrinks), so no change keeps all three sizes. The inode is left out on purpose: a copy that
keeps modification times (`shutil.copytree`, `cp -a`) stays fast to open. A torn or damaged
snapshot (length and CRC-32 checked) or one written by another Python (the marshal format is
the interpreter's) is ignored: the segments are read as before.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.archive.marshalled import CRC, LENGTH, read_marshalled, write_marshalled
from bot.archive.records import SCHEMA_VERSION
from bot.archive.segments import Segment

SNAPSHOT_FILE = "light.snapshot"  # in the articles directory; no segment glob matches it
MAGIC = b"newsbrief light snapshot 1\n"
HEAD = len(MAGIC) + LENGTH + CRC  # where the marshalled value starts (bot.archive.marshalled)
KIND = (2, SCHEMA_VERSION, marshal.version, *sys.version_info[:2])  # what a reader must match
Stamp = tuple[int, int, int]  # light file: size, mtime (ns); records file: size
FIELDS = ("id", "title", "published", "added", "source", "lang", "span")


def stamp(segment: Segment) -> Stamp | None:
    """Return what a segment's files look like now (None when its light file is gone)."""
    try:
        light = os.stat(segment.path)
    except FileNotFoundError:
        return None
    return light.st_size, light.st_mtime_ns, segment.size()


@dataclass
class LightSnapshot:
    """A loaded snapshot: per segment number its stamp, light document count and entry span."""

    segments: dict[int, tuple[Stamp, int, int, int]]  # number -> (stamp, count, start, end)
    columns: list[list[Any]]  # FIELDS, over every entry of the snapshot
    keys: npt.NDArray[np.uint64]
    owners: npt.NDArray[np.int64]  # position of each key's entry in the columns

    def fields(self, start: int, end: int) -> list[list[Any]]:
        """Return the columns of the entries from start to end."""
        return [column[start:end] for column in self.columns]

    def keys_of(
        self, taken: list[tuple[int, int, int]]
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """Return the keys of the taken spans (start, end, new start) and their new positions."""
        moved = np.full(len(self.columns[0]), -1, dtype=np.int64)
        for start, end, new in taken:
            moved[start:end] = np.arange(new, new + end - start, dtype=np.int64)
        placed = moved[self.owners]
        kept = placed >= 0
        return self.keys[kept], placed[kept]


def read_light_snapshot(directory: Path) -> LightSnapshot | None:
    """Return the snapshot in the articles directory, if it is sound and of this Python."""
    found = read_marshalled(directory / SNAPSHOT_FILE, MAGIC)
    if not isinstance(found, tuple) or len(found) != 5 or found[0] != KIND:
        return None
    _, segments, columns, keys, owners = found
    return LightSnapshot(
        {number: (tuple(st), count, start, end) for number, st, count, start, end in segments},
        columns,
        np.frombuffer(keys, dtype=np.uint64),
        np.frombuffer(owners, dtype=np.int64),
    )


def write_light_snapshot(
    directory: Path,
    stamped: list[tuple[Segment, Stamp]],
    entries: Iterable[Any],
    keys: tuple[npt.NDArray[np.uint64], npt.NDArray[np.object_]],
) -> None:
    """Write the entries (each holding its `segment`) and dedup keys of the stamped segments.

    Stamp the segments before gathering the entries: a segment written in between then fails
    its stamp on the next open and is read from its file.
    """
    by_segment: dict[Segment, list[Any]] = {segment: [] for segment, _ in stamped}
    for entry in entries:
        group = by_segment.get(entry.segment)
        if group is not None:
            group.append(entry)
    flat: list[Any] = []
    segments = []
    for segment, st in stamped:
        group = by_segment[segment]
        segments.append((segment.number, st, segment.count, len(flat), len(flat) + len(group)))
        flat.extend(group)
    columns = [[getattr(e, name) for e in flat] for name in FIELDS]
    at = {entry: n for n, entry in enumerate(flat)}
    key_values, owners = keys
    positions = np.fromiter(map(at.get, owners, repeat(-1)), dtype=np.int64, count=len(owners))
    kept = positions >= 0
    value = (KIND, segments, columns, key_values[kept].tobytes(), positions[kept].tobytes())
    write_marshalled(directory / SNAPSHOT_FILE, MAGIC, value)  # the store deletes its .tmp
