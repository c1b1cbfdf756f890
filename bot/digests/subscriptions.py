"""The subscriptions and chat-settings tables, mirrored in memory, written by key.

Subscriptions live in the users table "subscriptions" (key: sub_id), chat settings in
"chats" (key: str(chat_id)), through `UserTables` (bot/archive/usertables.py). Every change
updates the memory on the caller's thread (the event loop) at once and queues the changed
document, in order; `saved()` waits until it is on disk: callers await it before they reply.

A delivered digest puts the subscription's whole document again (cursor, last due, sent
stories). The append-only `digests.journal` of earlier versions existed because the users file
was rewritten whole per change; a put now writes just that document, so the journal is gone.
One left by an older version is replayed once on open (cursors only move forward, so a
replay is idempotent), written into the table and removed.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from bot.archive.usertables import UserTables
from bot.digests.records import ChatSettings, Subscription, topic_key
from bot.models import from_iso, utcnow

SUBS_TABLE = "subscriptions"
CHATS_TABLE = "chats"
LEGACY_JOURNAL = "digests.journal"  # written before the users tables; replayed once


class SubscriptionStore:
    """Every chat's subscriptions and settings, in memory and on disk."""

    def __init__(
        self, users: UserTables, data_dir: Path, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._users = users
        self._legacy_journal = data_dir / LEGACY_JOURNAL
        self._clock = clock
        self._subs: dict[str, Subscription] = {}
        # sub ids per chat: a /subscribe must not walk 100,000 subscriptions to find its chat's.
        # Tuples, not sets: a tuple of strings leaves the collector's lists (100,000 sets stayed).
        self._by_chat: dict[int, tuple[str, ...]] = {}
        self._chats: dict[int, ChatSettings] = {}

    # --- life cycle -----------------------------------------------------------------------

    def initialize(self) -> None:
        """Load both tables, then fold in a delivery journal an older version left."""
        shared: dict[Any, Any] = {}  # equal stored values become one object (records._one)
        self._subs = {
            str(d["sub_id"]): Subscription.from_doc(d, shared) for d in self._users.load(SUBS_TABLE)
        }
        self._chats = {
            int(d["chat_id"]): ChatSettings.from_doc(d, shared)
            for d in self._users.load(CHATS_TABLE)
        }
        for sub in self._subs.values():
            self._index(sub.chat_id, sub.sub_id)
        if self._users.readonly:
            return
        replayed = self._replay()
        for sub_id in replayed:
            self._put(self._subs[sub_id])
        self._users.flush_sync()
        with contextlib.suppress(FileNotFoundError):
            self._legacy_journal.unlink()  # only once the tables hold what it said

    def shutdown(self) -> None:
        """Let every queued write land (off the loop: start-up and exit)."""
        self._users.flush_sync()

    async def saved(self) -> None:
        """Wait until every change made so far is on disk."""
        await self._users.flush()

    def _put(self, sub: Subscription) -> None:
        """Queue the subscription's document behind every write asked before."""
        self._users.put(SUBS_TABLE, sub.sub_id, sub.to_doc())

    def _replay(self) -> set[str]:
        """Apply an older version's journal lines; return the subscriptions they moved."""
        try:
            raw = self._legacy_journal.read_bytes()
        except FileNotFoundError:
            return set()
        moved = set()
        for line in raw.splitlines():
            try:
                entry = orjson.loads(line)
                sent = entry.get("t") if isinstance(entry.get("t"), dict) else None
                if self._apply(
                    entry["s"], from_iso(entry.get("c")), from_iso(entry.get("d")), sent
                ):
                    moved.add(entry["s"])
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                continue  # a torn last line
        return moved

    def _apply(
        self,
        sub_id: str,
        cursor: datetime | None,
        due: datetime | None,
        sent: Mapping[str, int] | None = None,
        general: bool = False,
    ) -> bool:
        sub = self._subs.get(sub_id)
        if sub is not None:
            self._subs[sub_id] = sub.delivered(cursor, due, sent, general=general)
        return sub is not None

    # --- delivery bookkeeping -------------------------------------------------------------

    def mark_delivered(
        self,
        sub_ids: Iterable[str],
        cursor: datetime | None,
        due: datetime | None,
        sent: Mapping[str, int] | None = None,
        *,
        general: bool = False,
    ) -> None:
        """Record that Telegram confirmed a digest: move cursors (and last due) forward."""
        for sub_id in sub_ids:
            if self._apply(sub_id, cursor, due, sent, general):
                self._put(self._subs[sub_id])

    # --- queries --------------------------------------------------------------------------

    def get(self, sub_id: str) -> Subscription | None:
        """Return one subscription."""
        return self._subs.get(sub_id)

    def for_chat(self, chat_id: int) -> list[Subscription]:
        """Return a chat's subscriptions, earliest time first."""
        subs = [self._subs[i] for i in self._by_chat.get(chat_id, ())]
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

    def find(self, chat_id: int, topic: str) -> Subscription | None:
        """Return the chat's subscription to this topic (compared by `topic_key`), if any."""
        return next(
            (s for s in self.for_chat(chat_id) if topic_key(s.topic) == topic_key(topic)), None
        )

    def subscribe(
        self, chat_id: int, topic: str, hour: int, minute: int, zone: str, thread: int | None = None
    ) -> tuple[Subscription, bool]:
        """Add a subscription, or change the time and forum topic of the chat's one of `topic`.

        Return the subscription and whether it is new.
        """
        topic = " ".join(topic.split())
        if (old := self.find(chat_id, topic)) is not None:
            changed = replace(old, hour=hour, minute=minute, zone=zone, thread_id=thread)
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
            thread_id=thread,
        )
        self._keep(sub)
        self._put(sub)
        return sub, True

    def add_many(self, subs: Iterable[Subscription]) -> None:
        """Insert many subscriptions in one write (benchmarks, imports)."""
        subs = list(subs)
        for sub in subs:
            self._keep(sub)
        self._users.put_many(SUBS_TABLE, {s.sub_id: s.to_doc() for s in subs})

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
        for sub in gone:
            self._unindex(sub.chat_id, sub.sub_id)
        if gone:
            self._users.delete(SUBS_TABLE, [s.sub_id for s in gone])
        return gone

    def _save(self, sub: Subscription) -> None:
        self._keep(sub)
        self._put(sub)

    def _keep(self, sub: Subscription) -> None:
        """Hold a new or changed subscription in memory, indexed by its chat."""
        old = self._subs.get(sub.sub_id)
        if old is not None and old.chat_id != sub.chat_id:  # a migrated group
            self._unindex(old.chat_id, sub.sub_id)
        self._subs[sub.sub_id] = sub
        self._index(sub.chat_id, sub.sub_id)

    def _index(self, chat_id: int, sub_id: str) -> None:
        ids = self._by_chat.get(chat_id, ())
        if sub_id not in ids:
            self._by_chat[chat_id] = (*ids, sub_id)

    def _unindex(self, chat_id: int, sub_id: str) -> None:
        ids = tuple(i for i in self._by_chat.get(chat_id, ()) if i != sub_id)
        if ids:
            self._by_chat[chat_id] = ids
        else:
            self._by_chat.pop(chat_id, None)

    def set_chat(self, settings: ChatSettings) -> None:
        """Save a chat's settings."""
        self._chats[settings.chat_id] = settings
        self._users.put(CHATS_TABLE, str(settings.chat_id), settings.to_doc())

    def set_lang(self, chat_id: int, lang: str) -> None:
        """Save the language the chat reads."""
        if self.chat(chat_id).lang != lang:
            self.set_chat(replace(self.chat(chat_id), lang=lang))

    def drop_chat(self, chat_id: int) -> bool:
        """Forget the chat's settings (zone, quiet flag); return whether it had any stored."""
        had = self._chats.pop(chat_id, None) is not None  # the memory mirrors the table
        self._users.delete(CHATS_TABLE, [str(chat_id)])
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
            self._users.delete(CHATS_TABLE, [str(old)])
        return moved

    def mirror(self, chat_id: int, subs: list[Subscription], chat: ChatSettings | None) -> None:
        """Hold what a shared database holds of one chat (bot/digests/sendqueue.py)."""
        for sub in self.for_chat(chat_id):
            del self._subs[sub.sub_id]
        self._by_chat.pop(chat_id, None)  # the database's list replaces it whole
        self.hold(subs)
        self._chats.pop(chat_id, None)
        if chat is not None:
            self._chats[chat_id] = chat

    def hold(self, subs: Iterable[Subscription]) -> None:
        """Keep subscriptions in memory as the shared database holds them (nothing written)."""
        for sub in subs:
            self._keep(sub)
