"""The stories file: story records appended per batch, folded on open, compacted now and then.

Stories are derived from the store, so this file is a cache that keeps story ids stable and
spares a re-clustering at every start; losing it costs one rebuild, never an article. Each
line is a whole story record (later lines replace earlier ones, `record.py`) or a tombstone;
a torn last line after a crash is skipped and its articles are simply assigned again on the
next open.

A format-1 file is still read; its records come without their newest time, which the service
then takes from the store once and rewrites the file in format 2. Each rewrite names the file
with a new token in its header and writes a snapshot of the records beside it
(`snapshot.py`): an open loads that and folds only the lines appended after it. A file
without a usable snapshot (one written before them, or a crash between the two renames) is
folded line by line, as before, and rewritten when the service closes.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Protocol

import orjson

from bot.archive.heap import collector_paused
from bot.stories.record import NO_COPIES as NO_COPIES
from bot.stories.record import NO_HEADLINES as NO_HEADLINES
from bot.stories.record import StoryRecord as StoryRecord
from bot.stories.record import other_headlines as other_headlines
from bot.stories.record import parse_record as parse_record
from bot.stories.snapshot import SNAPSHOT_FILE, read_snapshot, write_snapshot
from bot.stories.values import EngineSettings

FORMAT = 2
READABLE = frozenset({1, 2})  # format 1 lacks the newest time per story: read, then rewritten
STORIES_FILE = "stories.jsonl"


class RecordJournal(Protocol):
    """Where the story records persist: this file, or a PostgreSQL table (`records_table.py`)."""

    lines: int  # records written since the last rewrite (compaction counts them)
    outdated: bool  # rewrite on open
    rewrite_at_close: bool  # rewrite on close, even when compact

    def load(self) -> dict[str, StoryRecord]: ...
    def append(self, records: list[StoryRecord], gone: list[str]) -> None: ...
    def rewrite(self, stories: dict[str, StoryRecord]) -> None: ...
    def exists(self) -> bool: ...
    def close(self) -> None: ...


class StoryJournal:
    """Append-only story records under `<data_dir>/stories/`, with an identity header."""

    def __init__(self, directory: Path, identity: str, *, readonly: bool = False) -> None:
        self.path = directory / STORIES_FILE
        self._identity = identity  # the engine settings the records were made with
        self._readonly = readonly
        self._fd: int | None = None
        self.lines = 0
        self.outdated = False  # the last load read an older format: rewrite it
        self.rewrite_at_close = False  # the last load found no snapshot: write one at close

    def load(self) -> dict[str, StoryRecord]:
        """Return the stories on disk; empty when missing or written with other settings."""
        with collector_paused():  # half a million new records
            return self._load()

    def _load(self) -> dict[str, StoryRecord]:
        try:
            with open(self.path, "rb") as fh:
                header = _header(fh.readline())
                if header is None or header.get("identity") != self._identity:
                    return {}  # other settings cluster differently: rebuild rather than mix
                token = header.get("snapshot")
                size = os.fstat(fh.fileno()).st_size
                snap = self.path.with_name(SNAPSHOT_FILE)
                found = read_snapshot(snap, token, size) if isinstance(token, str) else None
                base, stories = found or (fh.tell(), {})
                fh.seek(base)
                lines = fh.read().splitlines()
        except FileNotFoundError:
            return {}
        self.lines = len(stories) + len(lines)  # the snapshot's records count as written lines
        for line in lines:
            try:
                parsed = parse_record(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
            if isinstance(parsed, str):
                stories.pop(parsed, None)
            elif parsed is not None:
                stories[parsed.id] = parsed
        self.outdated = header["format"] != FORMAT
        self.rewrite_at_close = found is None
        return stories

    def append(self, records: list[StoryRecord], gone: list[str]) -> None:
        """Append changed records and tombstones in one write.

        No fsync: the records are derived, so a tail lost in a crash only means those
        articles are assigned again, in the same order, on the next open.
        """
        if self._readonly or not (records or gone):
            return
        data = b"".join(r.to_line() for r in records)
        data += b"".join(orjson.dumps({"id": g, "gone": True}) + b"\n" for g in gone)
        os.write(self._open(), data)
        self.lines += len(records) + len(gone)

    def rewrite(self, stories: dict[str, StoryRecord]) -> None:
        """Replace the file with one line per live story (temp file, fsync, rename)."""
        if self._readonly:
            return
        self.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        token = secrets.token_hex(8)  # names this generation of the file for its snapshot
        header = {"format": FORMAT, "identity": self._identity, "snapshot": token}
        with open(tmp, "wb") as out:
            out.write(orjson.dumps(header) + b"\n")
            out.writelines(r.to_line() for r in stories.values())
            base = out.tell()
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        write_snapshot(self.path.with_name(SNAPSHOT_FILE), token, base, stories)
        self.lines = len(stories)
        self.rewrite_at_close = False

    def exists(self) -> bool:
        """Return whether the file was ever written."""
        return self.path.exists()

    def close(self) -> None:
        """Close the append handle."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self) -> int:
        if self._fd is None:
            if not self.path.exists():
                self.rewrite({})
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        return self._fd


def _header(line: bytes) -> dict[str, object] | None:
    """Return the stories file's header, if it is one of a readable format."""
    try:
        header = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return header if isinstance(header, dict) and header.get("format") in READABLE else None


JournalFactory = Callable[[str], RecordJournal]  # given the identity of the engine settings


def open_journal(
    directory: Path, settings: EngineSettings, *, readonly: bool, factory: JournalFactory | None
) -> RecordJournal:
    """Return where the records of these settings persist: factory's journal, else the file."""
    identity = settings_identity(settings)
    return factory(identity) if factory else StoryJournal(directory, identity, readonly=readonly)


def settings_identity(settings: EngineSettings) -> str:
    """Return a short fingerprint of the engine settings (stories made with others are rebuilt)."""
    text = repr(sorted(asdict(settings).items()))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]
