"""Article segment files: the store's articles split into files of bounded size.

Plain TinyDB rewrites its whole file on every write, so one insert into a
20,000-article file costs half a second. The store instead appends to the
newest segment until it holds `capacity` articles, then opens a new one: an
insert rewrites at most one small file, whatever the size of the archive.

Each segment is two files (schema 3):

* `segment-NNNNNN.json`, a TinyDB file of light documents (id, title, dates, source,
  language, 64-bit dedup keys, and where the full document lies). Opening the store
  parses only these, so it never parses a body.
* `segment-NNNNNN.jsonl`, the full documents, one JSON line each, only ever appended.
  A reader fetches one with a single `pread` at the offset its light document names.

Why this stays crash-safe: an append writes and fsyncs the records file first, then
replaces the TinyDB file atomically. A crash in between leaves bytes in the records
file that no light document points to, which costs space and nothing else. Retention
removes light documents (rewriting the TinyDB file) and deletes both files once the
segment is empty; since segments are filled in arrival order and retention counts from
arrival, they empty whole. The `.json` sorts before the `.jsonl`, so a backup (which
copies in name order) reads the light documents before the records they point to.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import orjson

from bot.archive.records import (
    LIGHT_SINCE,
    META_TABLE,
    SCHEMA_VERSION,
    Document,
    SchemaError,
    check_version,
    dedup_keys,
    doc_to_article,
    light_doc,
    migrate,
)
from bot.archive.storage import fsync_dir, read_json_file, write_json_atomic

ARTICLES_TABLE = "articles"
SEGMENT_GLOB = "segment-*.json"
RECORDS_SUFFIX = ".jsonl"
WHOLE_FILE_AT = 64  # spans in one read() call past which the whole records file is read


def segment_path(directory: Path, number: int) -> Path:
    """Return the file of segment `number`."""
    return directory / f"segment-{number:06d}.json"


def segment_number(path: Path) -> int:
    """Return the number in a segment file's name."""
    return int(path.stem.split("-", 1)[1])


def _meta() -> dict[str, dict[str, object]]:
    return {"1": {"schema": SCHEMA_VERSION, "kind": "articles"}}


@dataclass(eq=False)
class Segment:
    """One segment: its TinyDB file of light documents and its records file."""

    number: int
    path: Path
    readonly: bool = False
    count: int = 0
    migrated: bool = False  # its file was of an older schema when loaded
    # A read-only view of a segment still in the old layout keeps its records in memory:
    # only the writer may migrate a file.
    inline: bytes | None = None

    @property
    def records(self) -> Path:
        """Return the file of full documents."""
        return self.path.with_suffix(RECORDS_SUFFIX)

    def load(self) -> list[Document]:
        """Return the light documents in order, migrating an older schema on the way."""
        data = read_json_file(self.path) or {}
        meta = data.get(META_TABLE, {}).get("1", {})
        version = int(meta.get("schema", 1))
        check_version(version, self.path)
        if meta.get("kind", "articles") != "articles":
            raise SchemaError(f"{self.path} is not an article segment")
        raw: dict[str, Document] = data.get(ARTICLES_TABLE, {})
        ordered = [raw[k] for k in sorted(raw, key=int)]
        self.count = len(ordered)
        self.migrated = version < SCHEMA_VERSION
        if version >= SCHEMA_VERSION:
            return ordered
        if version >= LIGHT_SINCE:
            self._rekey(ordered, version)
            if not self.readonly:
                write_json_atomic(self.path, {META_TABLE: _meta(), ARTICLES_TABLE: raw})
            return ordered
        return self._split([migrate(doc, version) for doc in ordered])

    def _rekey(self, light: list[Document], version: int) -> None:
        """Recompute the dedup keys of older light documents from the full ones they point to.

        One read of the records file per segment: at a million articles the whole archive is
        read once, on the first open by a writer after an upgrade (the CLI shows a bar).
        """
        size = self.size()
        whole = [doc for doc in light if sum(doc["at"]) <= size]  # the rest is skipped on load
        spans = [(o, n) for o, n in (doc["at"] for doc in whole)]
        for doc, full in zip(whole, self.read(spans), strict=True):
            if full is not None:
                full = migrate(full, version)
                doc["keys"] = dedup_keys(full.get("url_key"), full.get("guid"), full["hash"])

    def _split(self, full: list[Document]) -> list[Document]:
        """Move the full documents of an old-layout segment to its records file."""
        lines = [orjson.dumps(doc) + b"\n" for doc in full]
        light, offset = [], 0
        for doc, line in zip(full, lines, strict=True):
            keys = dedup_keys(doc.get("url_key"), doc.get("guid"), doc["hash"])
            light.append(light_doc(doc_to_article(doc), keys, offset, len(line) - 1))
            offset += len(line)
        blob = b"".join(lines)
        if self.readonly:
            self.inline = blob
            return light
        # Records first, then the light file: a crash in between leaves the old file to redo.
        write_json_atomic(self.records, blob, raw=True)
        self._write(light)
        return light

    def _write(self, light: list[Document]) -> None:
        articles = {str(i + 1): doc for i, doc in enumerate(light)}
        write_json_atomic(self.path, {META_TABLE: _meta(), ARTICLES_TABLE: articles})

    def append(self, items: list[tuple[Document, list[int]]]) -> list[Document]:
        """Append (full document, dedup keys) pairs in one write of each file; return the light documents."""
        lines = [orjson.dumps(doc) + b"\n" for doc, _ in items]
        new_file = not self.records.exists()
        with self.records.open("ab") as fh:
            offset = fh.seek(0, os.SEEK_END)  # past any bytes a crashed append left behind
            fh.write(b"".join(lines))
            fh.flush()
            os.fsync(fh.fileno())
        if new_file:
            fsync_dir(self.records.parent)
        light = []
        for (doc, keys), line in zip(items, lines, strict=True):
            light.append(light_doc(doc_to_article(doc), keys, offset, len(line) - 1))
            offset += len(line)
        data = read_json_file(self.path) or {}
        articles: dict[str, Document] = data.get(ARTICLES_TABLE, {})
        next_id = max((int(k) for k in articles), default=0) + 1
        articles.update({str(next_id + i): doc for i, doc in enumerate(light)})
        write_json_atomic(self.path, {META_TABLE: _meta(), ARTICLES_TABLE: articles})
        self.count += len(light)
        return light

    def remove(self, article_ids: set[str]) -> None:
        """Remove articles from the light file in one write; `delete()` drops an empty segment."""
        data = read_json_file(self.path) or {}
        articles: dict[str, Document] = data.get(ARTICLES_TABLE, {})
        kept = {k: doc for k, doc in articles.items() if doc["id"] not in article_ids}
        self.count = len(kept)
        if kept:
            write_json_atomic(self.path, {META_TABLE: _meta(), ARTICLES_TABLE: kept})

    def delete(self) -> None:
        """Delete both files of an emptied segment (the light file first: it points into the other)."""
        self.path.unlink(missing_ok=True)
        self.records.unlink(missing_ok=True)

    def read(self, spans: list[tuple[int, int]]) -> list[Document | None]:
        """Return the full documents at these (offset, length) spans; None where gone (pruned)."""
        if self.inline is not None:
            return [orjson.loads(self.inline[o : o + n]) for o, n in spans]
        try:
            if len(spans) > WHOLE_FILE_AT:  # a scan: one read beats a thousand preads
                blob = self.records.read_bytes()
                return [orjson.loads(blob[o : o + n]) for o, n in spans]
            fd = os.open(self.records, os.O_RDONLY)
        except FileNotFoundError:
            return [None] * len(spans)
        try:
            return [orjson.loads(os.pread(fd, n, o)) for o, n in spans]
        finally:
            os.close(fd)

    def size(self) -> int:
        """Return how many bytes of records this segment can serve."""
        if self.inline is not None:
            return len(self.inline)
        try:
            return self.records.stat().st_size
        except FileNotFoundError:
            return 0

    def __len__(self) -> int:
        return self.count


def writable_segment(segments: list[Segment], directory: Path, capacity: int) -> Segment:
    """Return the newest segment when it has room, else a new one appended to segments."""
    if segments and len(segments[-1]) < capacity:
        return segments[-1]
    number = segments[-1].number + 1 if segments else 1
    segment = Segment(number, segment_path(directory, number))
    segments.append(segment)
    return segment
