"""Users, subscriptions and feeds: one small TinyDB file, written through on every change.

Nothing here is cached: each read goes to the file and each change is an
atomic, fsynced write before the call returns, because a lost subscription is
not acceptable and the file stays small.
"""

from __future__ import annotations

from pathlib import Path

from tinydb import TinyDB
from tinydb.table import Table

from bot.archive.records import META_TABLE, SCHEMA_VERSION, SchemaError
from bot.archive.storage import AtomicJSONStorage, ReadOnlyJSONStorage

USERS_FILE = "users.json"
KIND = "users"


class UserDB:
    """The TinyDB file holding chats, subscriptions and feeds; services own their tables."""

    def __init__(self, data_dir: Path, *, readonly: bool = False) -> None:
        self.path = data_dir / USERS_FILE
        self.readonly = readonly
        self._db: TinyDB | None = None

    def initialize(self) -> None:
        """Open the file, stamping a new one with the schema version."""
        storage = ReadOnlyJSONStorage if self.readonly else AtomicJSONStorage
        if self.readonly and not self.path.exists():
            # A reader beside no writer yet: an empty in-file view is enough.
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = TinyDB(self.path, storage=storage)
        meta = self._db.table(META_TABLE)
        stamp = meta.get(doc_id=1)
        if stamp is None:
            if not self.readonly:
                meta.insert({"schema": SCHEMA_VERSION, "kind": KIND})
        elif stamp.get("kind") != KIND or int(stamp.get("schema", 1)) > SCHEMA_VERSION:
            raise SchemaError(f"{self.path} is not a users file of this newsbrief version")

    def shutdown(self) -> None:
        """Close the file; every change is already on disk."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def table(self, name: str) -> Table:
        """Return a table with TinyDB's query cache off, so every read sees the file."""
        if self._db is None:
            raise RuntimeError("UserDB used before initialize()")
        return self._db.table(name, cache_size=0)
