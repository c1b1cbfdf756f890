"""Move a users.json written by newsbrief before the users tables into them, once.

The old file is one TinyDB database (`{table: {doc_id: doc}}`); each table becomes a table
file of `bot/archive/tablefile.py`, each document keyed as its store keys it now. The new
files are written into a hidden directory and renamed into place whole, and only then is
users.json renamed to users.json.bak (kept: the way back to an older version), so a crash at
any point leaves either the old file to migrate again or the finished tables. The delivery
journals beside it (`digests.journal`, `follows.journal`) are replayed by their stores.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Any

from bot.archive.records import META_TABLE
from bot.archive.storage import fsync_dir, read_json_file
from bot.archive.tablefile import SUFFIX, put_line

LEGACY_FILE = "users.json"
BACKUP_SUFFIX = ".bak"
META_KEY = "meta"
# The fields that make a document's key, per table (joined by ":"); the stores use the same.
KEY_FIELDS = {
    "subscriptions": ("sub_id",),
    "chats": ("chat_id",),
    "follows": ("chat_id", "story_id"),
    "follow_quiet": ("chat_id",),
    "feeds": ("id",),
}

log = logging.getLogger(__name__)


def legacy_key(table: str, doc_id: str, doc: dict[str, Any]) -> str:
    """Return the key a users.json document gets in its table."""
    if table == META_TABLE:
        return META_KEY
    fields = KEY_FIELDS.get(table)
    if fields is None or any(doc.get(f) is None for f in fields):
        return doc_id  # a table this version does not know: keep it, keyed as it was
    return ":".join(str(doc[f]) for f in fields)


def legacy_docs(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Return every table of a users.json, documents in insertion order."""
    data = read_json_file(path) or {}
    return {
        table: [rows[k] for k in sorted(rows, key=int)]
        for table, rows in data.items()
        if isinstance(rows, dict)
    }


def migrate_legacy(data_dir: Path, directory: Path) -> bool:
    """Turn data_dir/users.json into table files in directory, once; return whether it did."""
    legacy = data_dir / LEGACY_FILE
    backup = legacy.with_name(LEGACY_FILE + BACKUP_SUFFIX)
    if directory.is_dir():
        if legacy.exists():  # a crash came between the two renames
            os.replace(legacy, backup)
            fsync_dir(data_dir)
        return False
    if not legacy.exists():
        return False
    staging = data_dir / ".users-migrating"
    shutil.rmtree(staging, ignore_errors=True)  # a migration a crash cut short
    staging.mkdir()
    counts = {}
    for table, docs in legacy_docs(legacy).items():
        lines = [put_line(legacy_key(table, str(i), d), d) for i, d in enumerate(docs, 1)]
        with (staging / f"{table}{SUFFIX}").open("wb") as fh:
            fh.write(b"".join(lines))
            fh.flush()
            os.fsync(fh.fileno())
        counts[table] = len(docs)
    fsync_dir(staging)
    os.rename(staging, directory)
    fsync_dir(data_dir)
    os.replace(legacy, backup)
    fsync_dir(data_dir)
    log.info("users.json moved into %s (kept as %s): %s", directory, backup.name, counts)
    return True
