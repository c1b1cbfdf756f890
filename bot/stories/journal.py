"""The stories file: story records appended per batch, folded on open, compacted now and then.

Stories are derived from the store, so this file is a cache that keeps story ids stable and
spares a re-clustering at every start; losing it costs one rebuild, never an article. Each
line is a whole story record (later lines replace earlier ones) or a tombstone; a torn last
line after a crash is skipped and its articles are simply assigned again on the next open.

Format 2 adds each story's newest publication time (`t`, microseconds since the epoch), so an
open needs no article to know which stories are recent. A format-1 file is still read; its
records come without that time, which the service then takes from the store once and
rewrites the file in format 2. A record may list its copies (`c`: member → the member whose
text it reprints, `bot.stories.copies`); a record without `c` (every file written before)
has none: each member is its own report.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

import orjson

from bot.stories.values import EngineSettings

FORMAT = 2
READABLE = frozenset({1, 2})  # format 1 lacks the newest time per story: read, then rewritten
STORIES_FILE = "stories.jsonl"
NO_HEADLINES: Mapping[str, str] = MappingProxyType({})
NO_COPIES: Mapping[str, str] = MappingProxyType({})


def other_headlines(headline: str, by_lang: Mapping[str, str]) -> Mapping[str, str]:
    """Return the headlines by language that differ from the overall one.

    A reader asks `headlines.get(lang, headline)`, so the rest are implied; most stories
    are in one language and share one empty map (a dict and a string less per story: about
    150 MB at a million articles).
    """
    found = {lang: text for lang, text in by_lang.items() if text != headline}
    return found or NO_HEADLINES


@dataclass(slots=True)
class StoryRecord:
    """What is kept of a story: its members in arrival order and its headlines."""

    id: str
    members: list[str] = field(default_factory=list)
    headline: str = ""
    # By language, only where it differs from `headline`; replaced whole, never changed
    # in place, so copies share it.
    headlines: Mapping[str, str] = field(default_factory=lambda: NO_HEADLINES)
    last: datetime | None = None  # the newest member's publication; None until known
    # Member → the member whose text it reprints; replaced whole like `headlines`.
    copies: Mapping[str, str] = field(default_factory=lambda: NO_COPIES)

    def drop(self, article_ids: Collection[str]) -> bool:
        """Remove these members in one pass (not one `list.remove` each); return whether any went."""
        kept = [m for m in self.members if m not in article_ids]
        if len(kept) == len(self.members):
            return False
        self.members = kept
        return True

    def copy(self) -> StoryRecord:
        """Return a copy a reader can use while the writer goes on changing this one."""
        return StoryRecord(
            self.id, list(self.members), self.headline, self.headlines, self.last, self.copies
        )

    def report_of(self, member: str) -> str:
        """Return the key of the member's report: the member its text first appeared as."""
        return self.copies.get(member, member)

    def to_line(self) -> bytes:
        """Return the record as one JSON line."""
        doc: dict[str, object] = {
            "id": self.id,
            "m": self.members,
            "h": self.headline,
            "l": dict(self.headlines),
        }
        if self.last is not None:
            doc["t"] = (self.last - EPOCH) // MICROSECOND
        if self.copies:
            doc["c"] = dict(self.copies)
        return orjson.dumps(doc) + b"\n"


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def parse_record(doc: Any) -> StoryRecord | str | None:
    """Return a record, a story id to forget (tombstone), or None for a line to skip."""
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
        return None
    if doc.get("gone"):
        return str(doc["id"])
    members = doc.get("m")
    if not isinstance(members, list) or not set(map(type, members)) <= {str}:
        return None
    headline = str(doc.get("h") or "")
    found = doc.get("l")
    headlines = {k: str(v) for k, v in found.items()} if isinstance(found, dict) and found else {}
    micros = doc.get("t")
    copies = doc.get("c")
    return StoryRecord(
        doc["id"],
        members,
        headline,
        other_headlines(headline, headlines) if headlines else NO_HEADLINES,
        EPOCH + timedelta(microseconds=micros) if type(micros) is int else None,
        _copies(copies) if isinstance(copies, dict) and copies else NO_COPIES,
    )


def _copies(found: dict[Any, Any]) -> Mapping[str, str]:
    """Return a record's copies, keeping only string pairs (a damaged line loses no story)."""
    kept = {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}
    return MappingProxyType(kept) if kept else NO_COPIES


class RecordJournal(Protocol):
    """Where the story records persist: this file, or a PostgreSQL table (`records_table.py`)."""

    lines: int  # records written since the last rewrite (compaction counts them)
    outdated: bool

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

    def load(self) -> dict[str, StoryRecord]:
        """Return the stories on disk; empty when missing or written with other settings."""
        enabled = gc.isenabled()
        gc.disable()  # half a million new records set off full collections finding nothing
        try:
            return self._load()
        finally:
            if enabled:
                gc.enable()

    def _load(self) -> dict[str, StoryRecord]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        lines = raw.splitlines()
        try:
            header = orjson.loads(lines[0]) if lines else None
        except orjson.JSONDecodeError:
            header = None
        if not isinstance(header, dict) or header.get("format") not in READABLE:
            return {}
        if header.get("identity") != self._identity:
            return {}  # other settings cluster differently: rebuild rather than mix
        stories: dict[str, StoryRecord] = {}
        for line in lines[1:]:
            try:
                found = parse_record(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
            if isinstance(found, str):
                stories.pop(found, None)
            elif found is not None:
                stories[found.id] = found
        self.lines = len(lines) - 1
        self.outdated = header["format"] != FORMAT
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
        header = orjson.dumps({"format": FORMAT, "identity": self._identity}) + b"\n"
        with open(tmp, "wb") as out:
            out.write(header)
            out.writelines(r.to_line() for r in stories.values())
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        self.lines = len(stories)

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
