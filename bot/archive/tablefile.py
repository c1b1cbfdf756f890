"""One users table on disk: an append-only file of put and delete lines, compacted now and then.

A put is the line `KEY<TAB>DOC`, a delete the line `KEY`, both orjson (which never writes a
raw tab inside a JSON value) and ending in a newline. The file is only appended to, one
`write()` per batch, and fsynced before the batch counts as written, so a `kill -9` leaves
every fsynced line and at worst a torn last line, which a scan ignores and the writer cuts off
before it appends again. Replaying the lines in order, the last one of a key wins.
Compaction copies the live lines to a temp file, fsyncs it and renames it over the old one,
so a reader (or a crash) sees the old or the new file whole.

Opening learns which line of each key is live, then parses just those documents, one at a
time and in file order, for the caller to turn into its own records. So a 300 MB table never
sits in memory as documents, and a replaced document is never parsed. The writer keeps only
where each key's live line lies (offset, length): the documents are its callers' to hold.
The live lines as of a clean close are kept beside the file (`bot/archive/tablespans.py`),
so an open after one does not read every key again.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from bot.archive.storage import fsync_dir
from bot.archive.tablespans import SPANS_SUFFIX, Span, load_spans, save_spans

SUFFIX = ".log"
COMPACT_MIN = 1 << 20  # dead bytes below which a file is never rewritten
COPY_CHUNK = 1 << 20  # bytes gathered per write() while compacting
READ_CHUNK = 8 << 20  # bytes read at a time while scanning

Doc = dict[str, Any]


def put_line(key: str, doc: Doc) -> bytes:
    """Return the line that stores doc under key."""
    return orjson.dumps(key) + b"\t" + orjson.dumps(doc) + b"\n"


def delete_line(key: str) -> bytes:
    """Return the line that removes key."""
    return orjson.dumps(key) + b"\n"


def scan_keys(fh: BinaryIO) -> Iterator[tuple[str, Span, bool]]:
    """Yield (key, span, is_put) per whole line, in file order; skip lines without a key.

    A last line without its newline is torn (a write cut short): it is not yielded.
    """
    base, rest = 0, b""
    while chunk := fh.read(READ_CHUNK):
        buf = rest + chunk
        end = buf.rfind(b"\n") + 1
        offset = 0
        while offset < end:
            stop = buf.index(b"\n", offset)
            tab = buf.find(b"\t", offset, stop)
            key = _key(buf[offset : tab if tab >= 0 else stop])
            if key is not None:
                yield key, (base + offset, stop + 1 - offset), tab >= 0
            offset = stop + 1
        base, rest = base + end, buf[end:]


def _key(raw: bytes) -> str | None:
    try:
        key = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return key if isinstance(key, str) else None


def live_spans(fh: BinaryIO) -> tuple[dict[str, Span], int]:
    """Return the live line of each key and where the last whole line ends."""
    spans: dict[str, Span] = {}
    end = 0
    for key, span, is_put in scan_keys(fh):
        spans.pop(key, None)
        if is_put:
            spans[key] = span
        end = span[0] + span[1]
    return spans, end


def read_doc(fd: int, span: Span) -> Doc | None:
    """Return the document of a put line (None if it does not parse: never written whole)."""
    return _doc_of(os.pread(fd, span[1], span[0]))


def _doc_of(line: bytes) -> Doc | None:
    try:
        doc = orjson.loads(line[line.index(b"\t") + 1 :])
    except (orjson.JSONDecodeError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def by_offset(spans: dict[str, Span]) -> list[tuple[str, Span]]:
    """Return the spans in file order (reads go forward through the page cache)."""
    return sorted(spans.items(), key=lambda item: item[1][0])


def parse_docs(raw: bytes) -> list[Doc]:
    """Return the live documents of a table file's bytes (a backup's copy)."""
    spans, _ = live_spans(io.BytesIO(raw))
    docs = (_doc_of(raw[o : o + n]) for _, (o, n) in by_offset(spans))
    return [doc for doc in docs if doc is not None]


def read_docs(path: Path) -> Iterator[Doc]:
    """Yield the live documents of a table file (none when there is no file); no writes."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return
    with fh:
        spans, _ = live_spans(fh)
        for _, span in by_offset(spans):
            if (doc := read_doc(fh.fileno(), span)) is not None:
                yield doc


class TableFile:
    """The writer's handle on one table file: appends batches, compacts when half is dead."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._size = 0
        self._spans: dict[str, Span] = {}  # key -> its live line
        self._live = 0  # bytes in live lines
        self.compactions = 0

    def open(self) -> Iterator[Doc]:
        """Learn the live lines, cut a torn last line, open for appending; yield the docs."""
        self._open()
        assert self._fd is not None
        # Its own handle: a compaction may replace the file while the caller reads.
        return _docs(by_offset(self._spans), os.dup(self._fd))

    @property
    def _spans_path(self) -> Path:
        return self.path.with_suffix(SPANS_SUFFIX)

    def _open(self) -> None:
        new = not self.path.exists()
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        if new:
            fsync_dir(self.path.parent)
        saved = load_spans(self._spans_path, os.fstat(self._fd))
        if saved is not None:
            self._spans, self._size = saved
        else:
            with open(self._fd, "rb", closefd=False) as fh:
                self._spans, self._size = live_spans(fh)
                if fh.seek(0, os.SEEK_END) > self._size:
                    os.ftruncate(self._fd, self._size)  # a torn tail would swallow the next line
        self._live = sum(length for _, length in self._spans.values())

    def close(self) -> None:
        """Leave the live lines in the side file for the next open, then close the file."""
        if self._fd is not None:
            save_spans(self._spans_path, os.fstat(self._fd), self._spans)
            os.close(self._fd)
            self._fd = None

    def append(self, ops: list[tuple[str, bytes, bool]]) -> None:
        """Append (key, line, is_put) ops in one write, fsync, then compact if half is dead."""
        if self._fd is None:
            self._open()  # a table written before it was loaded: its documents are not needed
        assert self._fd is not None
        _write_all(self._fd, b"".join(line for _, line, _ in ops))
        os.fsync(self._fd)
        offset = self._size
        for key, line, is_put in ops:
            span = self._spans.pop(key, None)
            self._live -= span[1] if span else 0
            if is_put:
                self._spans[key] = (offset, len(line))
                self._live += len(line)
            offset += len(line)
        self._size = offset
        dead = self._size - self._live
        if dead > COMPACT_MIN and dead > self._live:
            self.compact()

    def scrub(self) -> None:
        """Rewrite the file now if it holds any dead line, however few."""
        if self._fd is None:
            self._open()
        if self._size > self._live:
            self.compact()

    def compact(self) -> None:
        """Rewrite the file with its live lines only (atomic replace)."""
        assert self._fd is not None
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        spans: dict[str, Span] = {}
        try:
            with os.fdopen(fd, "wb", buffering=COPY_CHUNK) as out:
                for key, (offset, length) in by_offset(self._spans):
                    spans[key] = (out.tell(), length)
                    out.write(os.pread(self._fd, length, offset))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        fsync_dir(self.path.parent)
        os.close(self._fd)
        self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
        self._spans, self._size = spans, self._live
        self.compactions += 1


def _docs(spans: list[tuple[str, Span]], fd: int) -> Iterator[Doc]:
    """Yield the documents of spans, a pread each.

    Not one read of many lines: blocks of megabytes raised glibc's mmap threshold and left
    30 MB more RSS after a 100,000-subscriber open, for a few percent of its time.
    """
    try:
        for _, span in spans:
            if (doc := read_doc(fd, span)) is not None:
                yield doc
    finally:
        os.close(fd)


def _write_all(fd: int, blob: bytes) -> None:
    view = memoryview(blob)
    while view:
        view = view[os.write(fd, view) :]
