"""The follows table and each chat's quiet hours, mirrored in memory, written by key.

Like the subscriptions (`bot.digests.subscriptions`), whose patterns this follows: the memory
changes on the event loop at once; each changed document is queued on the users tables
(`UserTables.put`, key f"{chat_id}:{story_id}", quiet hours by str(chat_id)) in the order
asked, and callers await `saved()` before they reply. A confirmed update puts the follow's
document again (a few hundred bytes): the `follows.journal` of earlier versions, kept because
the users file was rewritten whole per change, is replayed once on open and removed.
Replaying is idempotent: the times of a follow only move forward.

At fan-out speed a sender does not wait for its update's record after each send: it waits
(`saved()`, the Deliverer's `ready` hook, service.py) before its NEXT send, by when the
writer's group commit has mostly landed it. Why a crash still repeats at most one update per
sender: a sender cannot send again until every update confirmed before is durable, so at any
instant each sender has at most one message Telegram may have delivered that the table does
not hold (in flight, or confirmed with its put queued), as when every send waited after
itself; the message a restart finds again is that one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import orjson

from bot.archive.usertables import UserTables
from bot.follows.records import DEFAULT_QUIET, Follow, Quiet
from bot.models import from_iso

FOLLOWS_TABLE = "follows"
QUIET_TABLE = "follow_quiet"
LEGACY_JOURNAL = "follows.journal"  # written before the users tables; replayed once


def follow_key(chat_id: int, story_id: str) -> str:
    """Return a follow's key in its table (the same as the users.json migration's)."""
    return f"{chat_id}:{story_id}"


class FollowStore:
    """Every chat's follows and quiet hours."""

    def __init__(self, users: UserTables, data_dir: Path) -> None:
        self._users = users
        self._legacy_journal = data_dir / LEGACY_JOURNAL
        self._follows: dict[tuple[int, str], Follow] = {}
        self._by_story: dict[str, set[int]] = {}
        self._quiet: dict[int, Quiet | None] = {}
        self.followed: frozenset[str] = frozenset()  # replaced, never changed: threads read it

    def initialize(self) -> None:
        """Load both tables, then fold in an update journal an older version left."""
        self.reload()
        if self._users.readonly:
            return
        for key in self._replay():
            self._save(self._follows[key])
        self._users.flush_sync()
        with contextlib.suppress(FileNotFoundError):
            self._legacy_journal.unlink()  # only once the tables hold what it said

    def reload(self) -> None:
        """Read both tables afresh: a new leader takes the follows made on the one before."""
        self._follows, self._by_story, self._quiet = {}, {}, {}
        for doc in self._users.load(FOLLOWS_TABLE):
            self._put(Follow.from_doc(doc))
        for doc in self._users.load(QUIET_TABLE):
            self._quiet[int(doc["chat_id"])] = Quiet.parse(str(doc.get("quiet") or ""))
        self.followed = frozenset(self._by_story)

    def shutdown(self) -> None:
        """Let every queued write land (start-up and exit: off the loop)."""
        self._users.flush_sync()

    async def saved(self) -> None:
        """Wait until every change made so far is on disk."""
        await self._users.flush()

    def _save(self, follow: Follow) -> None:
        self._users.put(FOLLOWS_TABLE, follow_key(*follow.key), follow.to_doc())

    def _put(self, follow: Follow) -> None:
        self._follows[follow.key] = follow
        if follow.story_id not in self._by_story:
            self._by_story[follow.story_id] = set()
            self.followed = frozenset(self._by_story)
        self._by_story[follow.story_id].add(follow.chat_id)

    # --- queries --------------------------------------------------------------------------

    def get(self, chat_id: int, story_id: str) -> Follow | None:
        """Return one follow."""
        return self._follows.get((chat_id, story_id))

    def for_chat(self, chat_id: int) -> list[Follow]:
        """Return the chat's follows, oldest first."""
        mine = [f for f in self._follows.values() if f.chat_id == chat_id]
        return sorted(mine, key=lambda f: (f.since, f.story_id))

    def followers(self, story_id: str) -> list[Follow]:
        """Return the follows of one story."""
        chats = self._by_story.get(story_id, ())
        return [self._follows[(c, story_id)] for c in sorted(chats)]

    def stories(self) -> list[str]:
        """Return every followed story."""
        return list(self._by_story)

    def all(self) -> list[Follow]:
        """Return every follow."""
        return list(self._follows.values())

    def quiet(self, chat_id: int) -> Quiet | None:
        """Return the chat's quiet hours (the default unless it chose others or none)."""
        return self._quiet.get(chat_id, DEFAULT_QUIET)

    # --- changes --------------------------------------------------------------------------

    def add(self, follow: Follow) -> None:
        """Save a new follow (replacing the chat's follow of the same story)."""
        self._put(follow)
        self._save(follow)

    def place(self, follow: Follow) -> tuple[Follow, Follow | None]:
        """Save a new follow, or move the chat's follow of its story to its forum topic.

        Return the follow stored and the one it replaced (None when new). The last place a
        story was followed from is where its updates go.
        """
        old = self._follows.get(follow.key)
        if old is None:
            self.add(follow)
            return follow, None
        if old.thread_id == follow.thread_id:
            return old, old
        moved = replace(old, thread_id=follow.thread_id)
        self.add(moved)
        return moved, old

    def add_many(self, follows: Iterable[Follow]) -> None:
        """Insert many new follows in one write (benchmarks)."""
        follows = list(follows)
        for follow in follows:
            self._put(follow)
        docs = {follow_key(*f.key): f.to_doc() for f in follows}
        self._users.put_many(FOLLOWS_TABLE, docs)

    def remove(self, chat_id: int, story_ids: Iterable[str]) -> list[Follow]:
        """Delete the chat's follows of these stories; return the ones that existed."""
        gone = [f for s in story_ids if (f := self._follows.pop((chat_id, s), None)) is not None]
        for follow in gone:
            chats = self._by_story.get(follow.story_id, set())
            chats.discard(chat_id)
            if not chats:
                self._by_story.pop(follow.story_id, None)
                self.followed = frozenset(self._by_story)
        if gone:
            self._users.delete(FOLLOWS_TABLE, [follow_key(*f.key) for f in gone])
        return gone

    def set_quiet(self, chat_id: int, quiet: Quiet | None) -> None:
        """Save the chat's quiet hours (None: updates come at any hour)."""
        self._quiet[chat_id] = quiet
        doc = {"chat_id": chat_id, "quiet": quiet.text.replace("–", "-") if quiet else ""}
        self._users.put(QUIET_TABLE, str(chat_id), doc)

    def set_quiet_many(self, chat_ids: Iterable[int], quiet: Quiet | None) -> None:
        """Save the quiet hours of many chats new to the table in one write (benchmarks)."""
        chats = list(chat_ids)
        self._quiet.update(dict.fromkeys(chats, quiet))
        text = quiet.text.replace("–", "-") if quiet else ""
        self._users.put_many(QUIET_TABLE, {str(c): {"chat_id": c, "quiet": text} for c in chats})

    def drop_chat(self, chat_id: int) -> int:
        """Forget the chat's follows and quiet hours (/forget); return how many follows."""
        gone = self.remove(chat_id, [f.story_id for f in self.for_chat(chat_id)])
        self._quiet.pop(chat_id, None)
        self._users.delete(QUIET_TABLE, [str(chat_id)])
        return len(gone)

    def move_chat(self, old: int, new: int) -> int:
        """Move a chat's follows and quiet hours to its new id; return how many moved."""
        mine = self.for_chat(old)
        taken = {f.story_id for f in self.for_chat(new)}  # the new id's own follow wins
        self.remove(old, [f.story_id for f in mine])
        moved = [replace(f, chat_id=new) for f in mine if f.story_id not in taken]
        for follow in moved:
            self.add(follow)
        if old in self._quiet:
            quiet = self._quiet.pop(old)
            self._users.delete(QUIET_TABLE, [str(old)])
            if new not in self._quiet:
                self.set_quiet(new, quiet)
        return len(moved)

    # --- delivery bookkeeping -------------------------------------------------------------

    def mark_told(
        self,
        chat_id: int,
        story_id: str,
        upto: datetime | None,
        sent: datetime,
        news: datetime | None,
        *,
        general: bool = False,
    ) -> None:
        """Record that Telegram confirmed an update: move the follow's times forward.

        `general`: it went to General, its forum topic gone (`Follow.told`).
        """
        if self._apply(chat_id, story_id, upto, sent, news, general=general):
            self._save(self._follows[(chat_id, story_id)])

    def _apply(
        self,
        chat_id: int,
        story_id: str,
        upto: datetime | None,
        sent: datetime | None,
        news: datetime | None,
        *,
        general: bool = False,
    ) -> bool:
        follow = self._follows.get((chat_id, story_id))
        if follow is None or sent is None:
            return False
        self._follows[follow.key] = follow.told(upto, sent, news, general=general)
        return True

    def _replay(self) -> set[tuple[int, str]]:
        """Apply an older version's journal lines; return the follows they moved."""
        try:
            raw = self._legacy_journal.read_bytes()
        except FileNotFoundError:
            return set()
        moved = set()
        for line in raw.splitlines():
            try:
                entry = orjson.loads(line)
                chat_id, story_id = int(entry["c"]), str(entry["s"])
                told = (from_iso(entry.get(k)) for k in ("u", "t", "n"))
                if self._apply(chat_id, story_id, *told):
                    moved.add((chat_id, story_id))
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                continue  # a torn last line
        return moved
