"""Article segment files: the store's articles split into TinyDB files of bounded size.

Plain TinyDB rewrites its whole file on every write, so one insert into a
20,000-article file costs half a second. The store instead appends to the
newest segment until it holds `capacity` articles, then opens a new one: an
insert rewrites at most one small file, whatever the size of the archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tinydb import TinyDB

from bot.archive.records import (
    META_TABLE,
    SCHEMA_VERSION,
    Document,
    SchemaError,
    check_version,
    migrate,
)
from bot.archive.storage import (
    AtomicJSONStorage,
    ReadOnlyJSONStorage,
    read_json_file,
    write_json_atomic,
)

ARTICLES_TABLE = "articles"
SEGMENT_GLOB = "segment-*.json"


def segment_path(directory: Path, number: int) -> Path:
    """Return the file of segment `number`."""
    return directory / f"segment-{number:06d}.json"


def segment_number(path: Path) -> int:
    """Return the number in a segment file's name."""
    return int(path.stem.split("-", 1)[1])


def _meta() -> dict[str, dict[str, object]]:
    return {"1": {"schema": SCHEMA_VERSION, "kind": "articles"}}


@dataclass
class Segment:
    """One segment file; `doc_ids` maps article id to TinyDB document id."""

    number: int
    path: Path
    readonly: bool = False
    doc_ids: dict[str, int] = field(default_factory=dict)

    def _db(self) -> TinyDB:
        storage = ReadOnlyJSONStorage if self.readonly else AtomicJSONStorage
        return TinyDB(self.path, storage=storage)

    def load(self) -> list[Document]:
        """Read the segment, migrating an older schema, and return its documents in order."""
        data = read_json_file(self.path) or {}
        meta = data.get(META_TABLE, {}).get("1", {})
        version = int(meta.get("schema", 1))
        check_version(version, self.path)
        if meta.get("kind", "articles") != "articles":
            raise SchemaError(f"{self.path} is not an article segment")
        raw: dict[str, Document] = data.get(ARTICLES_TABLE, {})
        docs = {int(k): migrate(v, version) for k, v in raw.items()}
        if version != SCHEMA_VERSION and not self.readonly:
            self._rewrite(docs)
        self.doc_ids = {doc["id"]: doc_id for doc_id, doc in docs.items()}
        return [docs[k] for k in sorted(docs)]

    def _rewrite(self, docs: dict[int, Document]) -> None:
        payload = {META_TABLE: _meta(), ARTICLES_TABLE: {str(k): v for k, v in docs.items()}}
        write_json_atomic(self.path, payload)

    def append(self, docs: list[Document]) -> None:
        """Add documents in one write (a new segment is created with its schema marker)."""
        if not self.path.exists():
            self._rewrite({i + 1: doc for i, doc in enumerate(docs)})
            self.doc_ids = {doc["id"]: i + 1 for i, doc in enumerate(docs)}
            return
        db = self._db()
        ids = db.table(ARTICLES_TABLE).insert_multiple(docs)
        self.doc_ids.update({doc["id"]: doc_id for doc, doc_id in zip(docs, ids, strict=True)})

    def remove(self, article_ids: list[str]) -> None:
        """Remove articles in one write; an emptied segment file is deleted."""
        doc_ids = [self.doc_ids.pop(a) for a in article_ids if a in self.doc_ids]
        if not self.doc_ids:
            self.path.unlink(missing_ok=True)
            return
        if doc_ids:
            self._db().table(ARTICLES_TABLE).remove(doc_ids=doc_ids)

    def __len__(self) -> int:
        return len(self.doc_ids)
