"""What `restore` accepts as a data file of the backup: ours, and of a schema this version reads."""

from __future__ import annotations

import orjson

from bot.archive.records import META_TABLE, SchemaError, check_version
from bot.archive.tablefile import SUFFIX as TABLE_SUFFIX
from bot.archive.tablefile import parse_docs
from bot.archive.usertables import TABLES_DIR

USERS_STAMP = f"{TABLES_DIR}/{META_TABLE}{TABLE_SUFFIX}"
# The chats' lists (bot/app/persistence.py's STATE_FILE, above this layer): not a TinyDB file,
# its "_meta" holds a version, and the bot drops what a version cannot read, so any is fine.
CHAT_STATE = "chats.json"


class BackupError(Exception):
    """A backup cannot be made, or a directory is not a complete, intact backup."""


def check_data(rel: str, raw: bytes) -> None:
    """Refuse a data file this newsbrief cannot open (not JSON, not ours, newer schema)."""
    if rel == USERS_STAMP:  # the users tables' stamp, a table file of its own
        meta: object = next(iter(parse_docs(raw)), None)
    else:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise BackupError(f"{rel} in the backup is not valid JSON") from None
        if rel == CHAT_STATE:
            meta = data.get(META_TABLE) if isinstance(data, dict) else None
            if not isinstance(meta, dict) or not isinstance(data.get("chats"), dict):
                raise BackupError(f"{rel} in the backup is not a newsbrief data file")
            return
        meta = data.get(META_TABLE, {}).get("1") if isinstance(data, dict) else None
    if not isinstance(meta, dict):
        raise BackupError(f"{rel} in the backup is not a newsbrief data file")
    try:
        check_version(int(meta.get("schema", 1)), rel)
    except SchemaError as exc:
        raise BackupError(str(exc)) from None
