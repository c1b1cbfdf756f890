"""The stories file's snapshot: its folded records as columns, loaded in one `marshal` call.

Folding the stories file line by line (parse, check, fold) took 5 s of a million-article
start. Each rewrite of the file also writes this snapshot of what it holds; an open loads
the columns and folds only the lines appended since (`journal.StoryJournal.load`).

The snapshot is a cache of a cache: the stories file stays the truth. It names the file it
folds by the token in that file's header (a rewrite writes a new one) and by the file's
length when it was written; a snapshot of another token, a file shorter than that length, a
torn or damaged snapshot (length and CRC-32 checked), or one written by another Python (the
marshal format is the interpreter's) is ignored, and the file is folded line by line.
"""

from __future__ import annotations

import marshal
import sys
from pathlib import Path
from typing import Any

from bot.archive.marshalled import CRC, LENGTH, read_marshalled, write_marshalled
from bot.archive.records import from_micros, to_micros
from bot.stories.record import NO_COPIES, NO_HEADLINES, StoryRecord

SNAPSHOT_FILE = "stories.snapshot"
MAGIC = b"newsbrief stories snapshot 1\n"
HEAD = len(MAGIC) + LENGTH + CRC  # where the marshalled value starts (bot.archive.marshalled)
KIND = (1, marshal.version, *sys.version_info[:2])  # what wrote it: another reads the file
Columns = tuple[Any, ...]


def write_snapshot(path: Path, token: str, base: int, stories: dict[str, StoryRecord]) -> None:
    """Write the columns of these records, the fold of the first `base` bytes of the file."""
    records = list(stories.values())
    value = (
        KIND,
        token,
        base,
        [r.id for r in records],
        [r.members for r in records],
        [r.headline for r in records],
        {at: dict(r.headlines) for at, r in enumerate(records) if r.headlines},
        [None if r.last is None else to_micros(r.last) for r in records],
        {at: dict(r.copies) for at, r in enumerate(records) if r.copies},
    )
    write_marshalled(path, MAGIC, value)


def read_snapshot(path: Path, token: str, size: int) -> tuple[int, dict[str, StoryRecord]] | None:
    """Return (base, records) of a sound snapshot of the file with this token and size, else None."""
    columns = _columns(path, token, size)
    if columns is None:
        return None
    base, ids, members, headlines, others, lasts, copies = columns
    # Stories of one batch share a publication time: one datetime each, not one per story.
    dates = {t: from_micros(t) for t in set(lasts) if t is not None}
    records = list(
        map(
            StoryRecord,
            ids,
            members,
            headlines,
            [NO_HEADLINES] * len(ids),
            map(dates.get, lasts),
            [NO_COPIES] * len(ids),
        )
    )
    for at, found in others.items():
        records[at].headlines = found
    for at, found in copies.items():
        records[at].copies = found
    return base, dict(zip(ids, records, strict=True))


def _columns(path: Path, token: str, size: int) -> Columns | None:
    """Return the snapshot's columns after its kind, token and base, if it is sound and current."""
    found = read_marshalled(path, MAGIC)
    if not isinstance(found, tuple) or len(found) != 9 or found[0] != KIND:
        return None
    if found[1] != token or not isinstance(found[2], int) or found[2] > size:
        return None  # another generation of the file, or one cut short since
    return found[2:]
