"""The subscriptions and chat-settings tables, with a fast append-only delivery journal.

Subscriptions live in `UserDB.table("subscriptions")`, chat settings in `table("chats")`.
Both are mirrored in memory because every TinyDB read parses the whole file. A delivered
digest is recorded by appending one line to `digests.journal` (a single `write()`, so a
`kill -9` keeps it) instead of rewriting the users file per message; `compact()` folds the
journal into the table in one write. Replaying is idempotent: cursors only move forward.

Every change updates the memory on the caller's thread (the event loop) at once and queues
its disk write on the users file's thread (`UserDB.submit`), journal lines included, so the
file sees the changes in the order the memory did and a compaction never truncates a line
written after it. `saved()` waits for them: callers await it before they reply.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from bot.archive.userdb import UserDB
from bot.digests.records import ChatSettings, Subscription, topic_key
from bot.models import utcnow

SUBS_TABLE = "subscriptions"
CHATS_TABLE = "chats"
JOURNAL_FILE = "digests.journal"
COMPACT_EVERY = 5000  # journal lines; a long fan-out folds in now and then


class SubscriptionStore:
    """Every chat's subscriptions and settings, in memory and on disk."""

    def __init__(
        self, users: UserDB, journal: Path, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._users = users
        self._journal_path = journal
        self._clock = clock
        self._subs: dict[str, Subscription] = {}
        self._chats: dict[int, ChatSettings] = {}
        self._pending: dict[str, Subscription] = {}
        self._journal_fd: int | None = None

    # --- life cycle -----------------------------------------------------------------------

    def initialize(self) -> None:
        """Load both tables, replay the journal left by a crash, then start a fresh one."""
        self._subs = {
            str(d["sub_id"]): Subscription.from_doc(d) for d in self._users.table(SUBS_TABLE)
        }
        self._chats = {
            int(d["chat_id"]): ChatSettings.from_doc(d) for d in self._users.table(CHATS_TABLE)
        }
        if self._users.readonly:
            return
        self._replay()
        self.compact()
        self._users.flush_sync()

    def shutdown(self) -> None:
        """Fold the journal into the table and close it (off the loop: start-up and exit)."""
        if self._journal_fd is not None:
            self.compact()
        self._users.flush_sync()
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None

    async def saved(self) -> None:
        """Wait until every change made so far is on disk."""
        await self._users.flush()

    def _write(self, fn: Callable[..., object], /, *args: Any) -> None:
        """Queue a disk write behind every one asked before (the memory is already changed)."""
        self._users.submit(fn, *args)

    def _replay(self) -> None:
        """Apply the journal lines a crash left behind; a torn last line is ignored."""
        try:
            raw = self._journal_path.read_bytes()
        except FileNotFoundError:
            return
        for line in raw.splitlines():
            try:
                entry = orjson.loads(line)
                sent = entry.get("t") if isinstance(entry.get("t"), dict) else None
                self._apply(entry["s"], _when(entry.get("c")), _when(entry.get("d")), sent)
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                continue

    def _apply(
        self,
        sub_id: str,
        cursor: datetime | None,
        due: datetime | None,
        sent: Mapping[str, int] | None = None,
    ) -> None:
        sub = self._subs.get(sub_id)
        if sub is not None:
            self._subs[sub_id] = self._pending[sub_id] = sub.delivered(cursor, due, sent)

    # --- delivery bookkeeping -------------------------------------------------------------

    def mark_delivered(
        self,
        sub_ids: Iterable[str],
        cursor: datetime | None,
        due: datetime | None,
        sent: Mapping[str, int] | None = None,
    ) -> None:
        """Record that Telegram confirmed a digest: move cursors (and last due) forward."""
        lines = []
        for sub_id in sub_ids:
            self._apply(sub_id, cursor, due, sent)
            entry = {"s": sub_id, "c": _iso(cursor), "d": _iso(due), "t": dict(sent or {})}
            lines.append(orjson.dumps(entry) + b"\n")
        if lines:
            self._write(os.write, self._journal(), b"".join(lines))
        if len(self._pending) >= COMPACT_EVERY:
            self.compact()

    def _journal(self) -> int:
        if self._journal_fd is None:
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
            self._journal_fd = os.open(self._journal_path, flags, 0o600)
        return self._journal_fd

    def compact(self) -> None:
        """Queue the pending cursor moves into the table in one write, then empty the journal."""
        pending, self._pending = self._pending, {}
        table, journal = self._users.table(SUBS_TABLE), self._journal()

        def fold(doc: Any) -> None:
            sub = pending.get(str(doc.get("sub_id")))
            if sub is not None:
                doc.update(
                    {"cursor": _iso(sub.cursor), "last_due": _iso(sub.last_due), "sent": sub.sent}
                )

        def write() -> None:
            if pending:
                table.update(fold)
            os.ftruncate(journal, 0)  # only once the table holds what the journal said

        self._write(write)

    # --- queries --------------------------------------------------------------------------

    def get(self, sub_id: str) -> Subscription | None:
        """Return one subscription."""
        return self._subs.get(sub_id)

    def for_chat(self, chat_id: int) -> list[Subscription]:
        """Return a chat's subscriptions, earliest time first."""
        subs = [s for s in self._subs.values() if s.chat_id == chat_id]
        return sorted(subs, key=lambda s: (s.hour, s.minute, s.topic.casefold()))

    def all(self) -> list[Subscription]:
        """Return every subscription."""
        return list(self._subs.values())

    def chat(self, chat_id: int) -> ChatSettings:
        """Return a chat's settings (defaults when it never set any)."""
        return self._chats.get(chat_id) or ChatSettings(chat_id)

    def is_active(self, chat_id: int) -> bool:
        """Return whether the chat can be reached (it did not block or remove the bot)."""
        return self.chat(chat_id).active

    # --- changes --------------------------------------------------------------------------

    def subscribe(
        self, chat_id: int, topic: str, hour: int, minute: int, zone: str
    ) -> tuple[Subscription, bool]:
        """Add a subscription, or change the time of the chat's one with the same topic.

        Return the subscription and whether it is new.
        """
        topic = " ".join(topic.split())
        for sub in self.for_chat(chat_id):
            if topic_key(sub.topic) == topic_key(topic):
                changed = replace(sub, hour=hour, minute=minute, zone=zone)
                self._save(changed)
                return changed, False
        sub = Subscription(
            sub_id=secrets.token_hex(4),
            chat_id=chat_id,
            topic=topic,
            hour=hour,
            minute=minute,
            zone=zone,
            created=self._clock(),
        )
        self._subs[sub.sub_id] = sub
        self._write(self._users.table(SUBS_TABLE).insert, sub.to_doc())
        return sub, True

    def add_many(self, subs: Iterable[Subscription]) -> None:
        """Insert many subscriptions in one write (benchmarks, imports)."""
        subs = list(subs)
        self._subs.update((s.sub_id, s) for s in subs)
        self._write(self._users.table(SUBS_TABLE).insert_multiple, [s.to_doc() for s in subs])

    def set_time(self, sub_id: str, hour: int, minute: int) -> Subscription | None:
        """Change when one subscription falls due."""
        sub = self._subs.get(sub_id)
        if sub is None:
            return None
        changed = replace(sub, hour=hour, minute=minute)
        self._save(changed)
        return changed

    def remove(self, sub_ids: Iterable[str]) -> list[Subscription]:
        """Delete subscriptions by id; return the ones that existed."""
        gone = [self._subs.pop(i) for i in list(sub_ids) if i in self._subs]
        if gone:
            ids = {s.sub_id for s in gone}
            self._write(self._users.table(SUBS_TABLE).remove, lambda d: d.get("sub_id") in ids)
        return gone

    def _save(self, sub: Subscription) -> None:
        self._subs[sub.sub_id] = sub
        self._pending.pop(sub.sub_id, None)  # the full document below carries the cursor
        table, doc = self._users.table(SUBS_TABLE), sub.to_doc()
        self._write(table.update, doc, lambda d: d.get("sub_id") == doc["sub_id"])

    def set_chat(self, settings: ChatSettings) -> None:
        """Save a chat's settings."""
        self._chats[settings.chat_id] = settings
        table, chat_id = self._users.table(CHATS_TABLE), settings.chat_id
        self._write(table.upsert, settings.to_doc(), lambda d: d.get("chat_id") == chat_id)

    def set_lang(self, chat_id: int, lang: str) -> None:
        """Save the language the chat reads."""
        if self.chat(chat_id).lang != lang:
            self.set_chat(replace(self.chat(chat_id), lang=lang))

    def drop_chat(self, chat_id: int) -> bool:
        """Forget the chat's settings (zone, quiet flag); return whether it had any stored."""
        had = self._chats.pop(chat_id, None) is not None  # the memory mirrors the table
        self._write(self._users.table(CHATS_TABLE).remove, lambda d: d.get("chat_id") == chat_id)
        return had

    def set_zone(self, chat_id: int, zone: str) -> list[Subscription]:
        """Save the chat's zone and move its subscriptions to it (same wall-clock time)."""
        self.set_chat(replace(self.chat(chat_id), zone=zone))
        moved = [replace(s, zone=zone) for s in self.for_chat(chat_id) if s.zone != zone]
        for sub in moved:
            self._save(sub)
        return moved

    def set_active(self, chat_id: int, active: bool) -> bool:
        """Mark a chat reachable or not; return whether that changed anything."""
        current = self.chat(chat_id)
        if current.active == active:
            return False
        self.set_chat(replace(current, active=active))
        return True

    def migrate(self, old: int, new: int) -> list[Subscription]:
        """Move a chat's subscriptions and settings to its new id (group became supergroup)."""
        taken = {topic_key(s.topic) for s in self.for_chat(new)}
        subs = self.for_chat(old)
        self.remove(s.sub_id for s in subs if topic_key(s.topic) in taken)
        moved = [replace(s, chat_id=new) for s in subs if topic_key(s.topic) not in taken]
        for sub in moved:
            self._save(sub)
        if old in self._chats:
            self.set_chat(replace(self._chats.pop(old), chat_id=new, active=True))
            self._write(self._users.table(CHATS_TABLE).remove, lambda d: d.get("chat_id") == old)
        return moved

    def mirror(self, chat_id: int, subs: list[Subscription], chat: ChatSettings | None) -> None:
        """Hold what a shared database holds of one chat (bot/digests/sendqueue.py)."""
        for sub in self.for_chat(chat_id):
            del self._subs[sub.sub_id]
        self.hold(subs)
        self._chats.pop(chat_id, None)
        if chat is not None:
            self._chats[chat_id] = chat

    def hold(self, subs: Iterable[Subscription]) -> None:
        """Keep subscriptions in memory as the shared database holds them (nothing written)."""
        self._subs.update((s.sub_id, s) for s in subs)


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
