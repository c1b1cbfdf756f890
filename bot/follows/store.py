"""The follows table and each chat's quiet hours, in memory and in the users file.

Like the subscriptions (`bot.digests.subscriptions`), whose patterns this follows: the memory
changes on the event loop at once; each disk write is queued on the users file's thread in
the order asked (`UserDB.submit`), and callers await `saved()` before they reply. A confirmed
update appends one line to `follows.journal` (one `write()`, kept by a `kill -9`) instead of
rewriting the users file per message; `compact()` folds it into the table. Replaying is
idempotent: the times of a follow only move forward.

Journal lines are written in groups: the lines of the updates confirmed within JOURNAL_GROUP
go to the users thread as one `write()` (a hand-off to that thread costs the loop more than
the write). The sender does not wait for its line after each message; it waits (`recorded()`)
before its next send, which writes the group at once if it is still open. So a crash finds at most one confirmed, unrecorded update per sender,
the same bound as when each send waited for its line, without a round trip to the users
thread on each message's path (service.py, "delivery").
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from bot.archive.userdb import UserDB
from bot.follows.records import DEFAULT_QUIET, Follow, Quiet

FOLLOWS_TABLE = "follows"
QUIET_TABLE = "follow_quiet"
JOURNAL_FILE = "follows.journal"
COMPACT_EVERY = 5000  # followers told since the last compaction: fold them in when idle
JOURNAL_GROUP = 0.025  # seconds: confirmed updates whose lines share one write
COMPACT_MAX = 50_000  # fold them in even mid-fan-out (the journal is ~150 bytes a line)


class FollowStore:
    """Every chat's follows and quiet hours."""

    def __init__(self, users: UserDB, journal: Path) -> None:
        self._users = users
        self._journal_path = journal
        self._follows: dict[tuple[int, str], Follow] = {}
        self._by_story: dict[str, set[int]] = {}
        self._quiet: dict[int, Quiet | None] = {}
        self._pending: dict[tuple[int, str], Follow] = {}
        self._journal_fd: int | None = None
        self._lines: list[bytes] = []  # the open group: confirmed updates not yet queued
        self._group: asyncio.TimerHandle | None = None  # when the open group is queued
        self._writing: Future[Any] | None = None  # the last group queued
        self.followed: frozenset[str] = frozenset()  # replaced, never changed: threads read it

    def initialize(self) -> None:
        """Load both tables, replay what a crash left in the journal, start a fresh one."""
        for doc in self._users.table(FOLLOWS_TABLE):
            self._put(Follow.from_doc(doc))
        for doc in self._users.table(QUIET_TABLE):
            self._quiet[int(doc["chat_id"])] = Quiet.parse(str(doc.get("quiet") or ""))
        if self._users.readonly:
            return
        self._replay()
        self.compact()
        self._users.flush_sync()

    def shutdown(self) -> None:
        """Fold the journal into the table and close it (start-up and exit: off the loop)."""
        self._write_lines()
        if self._journal_fd is not None:
            self.compact()
        self._users.flush_sync()
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None

    async def saved(self) -> None:
        """Wait until every change made so far is on disk."""
        self._write_lines()
        await self._users.flush()

    async def recorded(self) -> None:
        """Wait until every confirmed update so far is in the journal (before the next send)."""
        self._write_lines()
        writing = self._writing  # the users thread is FIFO: the earlier writes land before it
        if writing is None:
            return
        if not writing.done():  # shielded: a cancelled sender leaves the write queued
            await asyncio.shield(asyncio.wrap_future(writing))
        if self._writing is writing:  # a later group may have been queued meanwhile
            self._writing = None
        if writing.exception() is not None:
            writing.result()  # re-raises: the lines stay in memory, folded in by compact()

    @property
    def unfolded(self) -> int:
        """Return how many follows moved since the journal was last folded into the table."""
        return len(self._pending)

    def _write(self, fn: Callable[..., object], /, *args: Any) -> None:
        self._users.submit(fn, *args)

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
        self._pending.pop(follow.key, None)
        table, doc = self._users.table(FOLLOWS_TABLE), follow.to_doc()
        self._write(table.upsert, doc, _matches(follow.chat_id, follow.story_id))

    def add_many(self, follows: Iterable[Follow]) -> None:
        """Insert many new follows in one write (benchmarks)."""
        follows = list(follows)
        for follow in follows:
            self._put(follow)
        table = self._users.table(FOLLOWS_TABLE)
        self._write(table.insert_multiple, [f.to_doc() for f in follows])

    def remove(self, chat_id: int, story_ids: Iterable[str]) -> list[Follow]:
        """Delete the chat's follows of these stories; return the ones that existed."""
        gone = [f for s in story_ids if (f := self._follows.pop((chat_id, s), None)) is not None]
        for follow in gone:
            self._pending.pop(follow.key, None)
            chats = self._by_story.get(follow.story_id, set())
            chats.discard(chat_id)
            if not chats:
                self._by_story.pop(follow.story_id, None)
                self.followed = frozenset(self._by_story)
        if gone:
            ids = {f.story_id for f in gone}
            table = self._users.table(FOLLOWS_TABLE)
            self._write(
                table.remove, lambda d: d.get("chat_id") == chat_id and d.get("story_id") in ids
            )
        return gone

    def set_quiet(self, chat_id: int, quiet: Quiet | None) -> None:
        """Save the chat's quiet hours (None: updates come at any hour)."""
        self._quiet[chat_id] = quiet
        table = self._users.table(QUIET_TABLE)
        doc = {"chat_id": chat_id, "quiet": quiet.text.replace("–", "-") if quiet else ""}
        self._write(table.upsert, doc, lambda d: d.get("chat_id") == chat_id)

    def set_quiet_many(self, chat_ids: Iterable[int], quiet: Quiet | None) -> None:
        """Save the quiet hours of many chats new to the table in one write (benchmarks)."""
        chats = list(chat_ids)
        self._quiet.update(dict.fromkeys(chats, quiet))
        text = quiet.text.replace("–", "-") if quiet else ""
        docs = [{"chat_id": c, "quiet": text} for c in chats]
        self._write(self._users.table(QUIET_TABLE).insert_multiple, docs)

    def drop_chat(self, chat_id: int) -> int:
        """Forget the chat's follows and quiet hours (/forget); return how many follows."""
        gone = self.remove(chat_id, [f.story_id for f in self.for_chat(chat_id)])
        self._quiet.pop(chat_id, None)
        table = self._users.table(QUIET_TABLE)
        self._write(table.remove, lambda d: d.get("chat_id") == chat_id)
        return len(gone)

    # --- delivery bookkeeping -------------------------------------------------------------

    def mark_told(
        self,
        chat_id: int,
        story_id: str,
        upto: datetime | None,
        sent: datetime,
        news: datetime | None,
    ) -> None:
        """Record that Telegram confirmed an update: move the follow's times forward.

        Its journal line joins the open group; outside the event loop it is queued at once.
        """
        self._apply(chat_id, story_id, upto, sent, news)
        entry = {"c": chat_id, "s": story_id, "u": _iso(upto), "t": _iso(sent), "n": _iso(news)}
        self._lines.append(orjson.dumps(entry) + b"\n")
        if self._group is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self._write_lines()
            else:
                self._group = loop.call_later(JOURNAL_GROUP, self._write_lines)
        if len(self._pending) >= COMPACT_MAX:
            self.compact()

    def _write_lines(self) -> None:
        """Queue the open group's lines as one journal write."""
        if self._group is not None:
            self._group.cancel()
            self._group = None
        if self._lines:
            lines, self._lines = b"".join(self._lines), []
            self._writing = self._users.submit(os.write, self._journal(), lines)

    def _apply(
        self,
        chat_id: int,
        story_id: str,
        upto: datetime | None,
        sent: datetime | None,
        news: datetime | None,
    ) -> None:
        follow = self._follows.get((chat_id, story_id))
        if follow is not None and sent is not None:
            told = follow.told(upto, sent, news)
            self._follows[follow.key] = self._pending[follow.key] = told

    def _replay(self) -> None:
        """Apply the journal lines a crash left behind; a torn last line is ignored."""
        try:
            raw = self._journal_path.read_bytes()
        except FileNotFoundError:
            return
        for line in raw.splitlines():
            try:
                entry = orjson.loads(line)
                self._apply(
                    int(entry["c"]),
                    str(entry["s"]),
                    _when(entry.get("u")),
                    _when(entry.get("t")),
                    _when(entry.get("n")),
                )
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                continue

    def _journal(self) -> int:
        if self._journal_fd is None:
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
            self._journal_fd = os.open(self._journal_path, flags, 0o600)
        return self._journal_fd

    def compact(self) -> None:
        """Queue the pending moves into the table in one write, then empty the journal."""
        self._write_lines()  # before the truncation, which then makes them redundant
        pending, self._pending = self._pending, {}
        table, journal = self._users.table(FOLLOWS_TABLE), self._journal()

        def fold(doc: Any) -> None:
            follow = pending.get((doc.get("chat_id"), doc.get("story_id")))
            if follow is not None:
                doc.update(follow.to_doc())

        def write() -> None:
            if pending:
                table.update(fold)
            os.ftruncate(journal, 0)  # only once the table holds what the journal said

        self._write(write)


def _matches(chat_id: int, story_id: str) -> Callable[[Any], bool]:
    return lambda d: d.get("chat_id") == chat_id and d.get("story_id") == story_id


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
