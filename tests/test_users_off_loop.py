"""Users-table writes leave the event loop: one thread of their own, in order, awaited before a reply."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import bot.archive.usertables as usertables_module
from bot.archive.tablefile import SUFFIX, TableFile, read_docs
from bot.archive.usertables import TABLES_DIR, EmbeddedUserTables
from bot.digests.subscriptions import SUBS_TABLE, SubscriptionStore
from bot.models import ArticleDraft, utcnow
from tests.botkit import ADMIN, ask, bot_env
from tests.digestkit import open_kit


@dataclass
class Gate:
    """Watches every users-table write; when armed, holds the next one until released."""

    loop_thread: int = 0
    armed: bool = False
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    writers: list[int] = field(default_factory=list)  # thread ident of each write
    readers: list[int] = field(default_factory=list)  # thread ident of each whole-table read
    fail: bool = False  # the next write fails as a full disk would

    def on_write(self) -> None:
        me = threading.get_ident()
        self.writers.append(me)
        if self.fail:
            self.fail = False
            raise OSError(28, "No space left on device")
        if not self.armed:
            return
        self.armed = False
        self.entered.set()
        # Holding a write that runs on the loop's own thread would hang this test, which
        # shares that loop: it is recorded (`writers`) and the assertions fail instead.
        if me != self.loop_thread:
            self.release.wait()

    @property
    def on_loop(self) -> int:
        """Return how many writes ran on the event loop's thread."""
        return sum(1 for ident in self.writers if ident == self.loop_thread)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    """Give every EmbeddedUserTables opened in the test table files that report to a Gate."""
    watched = Gate()

    class GatedTableFile(TableFile):
        def append(self, ops: list[tuple[str, bytes, bool]]) -> None:
            watched.on_write()
            super().append(ops)

        def open(self) -> Iterator[dict[str, Any]]:
            watched.readers.append(threading.get_ident())
            return super().open()

    monkeypatch.setattr(usertables_module, "TableFile", GatedTableFile)
    yield watched
    watched.release.set()  # never leave the users thread waiting


def stored_topics(data_dir: Path, chat_id: int) -> list[str]:
    """Return the chat's subscription topics as the subscriptions table holds them right now."""
    docs = read_docs(data_dir / TABLES_DIR / f"{SUBS_TABLE}{SUFFIX}")
    return sorted(str(d["topic"]) for d in docs if d["chat_id"] == chat_id)


async def test_a_held_users_write_does_not_hold_up_another_users_reply(
    tmp_path: Path, gate: Gate
) -> None:
    """While Ann's /subscribe waits on its users-table write, Bob still gets his answer."""
    gate.loop_thread = threading.get_ident()
    data_dir = tmp_path / "data"
    async with bot_env(data_dir) as env:
        ann, bob = env.user("Ann"), env.user("Bob")
        gate.writers.clear()
        gate.armed = True
        await ann.send("/subscribe climate")
        await asyncio.to_thread(gate.entered.wait, 30)
        assert gate.entered.is_set(), "/subscribe wrote nothing"

        (help_reply,) = await ask(bob, "/help")
        assert "/subscribe" in help_reply.text
        assert gate.on_loop == 0, "a users-table write ran on the event loop"
        assert ann.replies() == [], "Ann was answered before her write was on disk"
        assert stored_topics(data_dir, ann.chat_id) == []

        gate.release.set()
        (done,) = await ann.wait_replies(1, timeout=10)
        assert done.text.startswith("Subscribed: climate")
        # "Subscribed" means on disk: a kill -9 now leaves exactly these files.
        crashed = tmp_path / "after-crash"
        shutil.copytree(data_dir / TABLES_DIR, crashed / TABLES_DIR)
        assert stored_topics(crashed, ann.chat_id) == ["climate"]
        users = EmbeddedUserTables(crashed)
        users.initialize()
        reopened = SubscriptionStore(users, crashed)
        reopened.initialize()
        try:
            assert [s.topic for s in reopened.for_chat(ann.chat_id)] == ["climate"]
        finally:
            reopened.shutdown()
            users.shutdown()
    assert gate.on_loop == 0


async def test_writes_run_on_the_users_thread_in_the_order_asked(
    tmp_path: Path, gate: Gate
) -> None:
    users = EmbeddedUserTables(tmp_path)
    users.initialize()
    gate.writers.clear()
    try:
        for n in range(30):
            users.put("chats", str(n % 7), {"n": n})
            if n % 4 == 0:
                await users.flush()
        await users.flush()
    finally:
        users.shutdown()
    lines = (tmp_path / TABLES_DIR / f"chats{SUFFIX}").read_bytes().splitlines()
    assert [int(line.rsplit(b":", 1)[1].rstrip(b"}")) for line in lines] == list(range(30))
    assert gate.writers and threading.get_ident() not in gate.writers
    assert len(gate.writers) < 30  # writes queued together share one write() and one fsync


async def test_a_failed_write_reaches_whoever_waits_for_it(tmp_path: Path, gate: Gate) -> None:
    users = EmbeddedUserTables(tmp_path)
    users.initialize()
    try:
        gate.fail = True
        users.put("chats", "1", {"zone": "UTC"})
        with pytest.raises(OSError, match="No space left"):
            await users.flush()
        await users.flush()  # reported once; the next flush has nothing pending
    finally:
        users.shutdown()


async def test_concurrent_changes_of_one_chat_end_on_disk_as_the_last_one(tmp_path: Path) -> None:
    """Many /subscribe and /unsubscribe at once: disk and memory agree with the last one."""
    kit = open_kit(tmp_path)

    async def change(n: int, chat: int) -> None:
        if n % 3 == 2:
            await kit.digests.unsubscribe(chat, [s.sub_id for s in kit.digests.for_chat(chat)])
        else:
            await kit.digests.subscribe(chat, "climate", (n % 24, n % 60), None)

    # Chat 1 ends with a subscribe at 16:40 (n=40), chat 2 with an unsubscribe (n=41).
    await asyncio.gather(*(change(n, 1) for n in range(41)), *(change(n, 2) for n in range(42)))
    assert [(s.topic, s.slot.hhmm) for s in kit.digests.for_chat(1)] == [("climate", "16:40")]
    assert kit.digests.for_chat(2) == []
    # No shutdown: what a crash right now leaves on disk.
    users = EmbeddedUserTables(tmp_path)
    users.initialize()
    reopened = SubscriptionStore(users, tmp_path)
    reopened.initialize()
    try:
        assert [(s.topic, s.slot.hhmm) for s in reopened.for_chat(1)] == [("climate", "16:40")]
        assert reopened.for_chat(2) == []
    finally:
        reopened.shutdown()
        users.shutdown()
        kit.close()


async def test_no_command_writes_users_on_the_loop(tmp_path: Path, gate: Gate) -> None:
    """Every command and button that changes the users tables writes off the loop, and says so."""
    gate.loop_thread = threading.get_ident()
    data_dir = tmp_path / "data"
    async with bot_env(data_dir, feeds=("https://feeds.example.com/rss",)) as env:
        gate.writers.clear()
        ann, admin = env.user("Ann"), env.server.user(ADMIN, "Admin")
        await ask(ann, "/start")
        await ask(ann, "/subscribe 07:00 climate")
        await ask(ann, "/subscribe 09:00 football")
        assert "Europe/Berlin" in (await ask(ann, "/timezone Europe/Berlin"))[0].text
        (listing,) = await ask(ann, "/subscriptions")
        await ann.press(listing, "🕒 Time 1")
        assert "now at 08:00" in (await ann.press(listing, "08:00")).text
        assert "Removed" in (await ann.press(listing, "✖ Remove 2")).text
        ann.replies()  # the edits of the listing
        assert "Unsubscribed" in (await ask(ann, "/unsubscribe climate"))[0].text
        (question,) = await ask(ann, "/language")
        await ann.press(question, "Русский")
        ann.replies()
        (forget,) = await ask(ann, "/forget")
        await ann.press(forget, "Удалить всё")  # Ann reads Russian now
        [feed] = env.services.feeds.list_feeds()
        assert "Removed" in (await ask(admin, f"/removefeed {feed.id}"))[0].text
        assert stored_topics(data_dir, ann.chat_id) == []
        assert env.services.feeds.list_feeds() == []
        assert len(gate.writers) >= 8
        assert gate.on_loop == 0, f"{gate.on_loop} of {len(gate.writers)} writes ran on the loop"


async def test_feed_commands_read_no_users_table(tmp_path: Path, gate: Gate) -> None:
    """The feeds are read from memory, and a removal writes one line: no table is read."""
    gate.loop_thread = threading.get_ident()
    async with bot_env(tmp_path / "data", feeds=("https://feeds.example.com/rss",)) as env:
        gate.readers.clear()
        admin = env.server.user(ADMIN, "Admin")
        assert "feeds.example.com" in (await ask(admin, "/feeds"))[0].text
        [feed] = env.services.feeds.list_feeds()
        assert "Removed" in (await ask(admin, f"/removefeed {feed.id}"))[0].text
        assert "feeds.example.com" not in (await ask(admin, "/feeds"))[0].text
        assert env.services.feeds.list_feeds() == []
        assert gate.readers == []


async def test_delivery_changes_users_off_the_loop(tmp_path: Path, gate: Gate) -> None:
    """A chat that blocked the bot, a group that became a supergroup: written off the loop."""
    gate.loop_thread = threading.get_ident()
    refusals = frozenset({"Forbidden", "Bad Request"})  # blocked; "upgraded to a supergroup"
    async with bot_env(tmp_path / "data", expected_errors=refusals) as env:
        ann, admin = env.user("Ann"), env.user("Admin of Team")
        group = env.server.group(-4242, "Team", members=[], admins=[admin])
        await ask(ann, "/subscribe 07:00")
        await ask(group.member(admin), "/subscribe 10:00 chips")
        env.services.store.add_many([_fresh("Chips factory opens"), _fresh("Harbour strike")])
        env.server.block(ann.chat_id)
        env.server.migrate(-4242, -1009999)
        gate.writers.clear()
        assert env.app.job_queue is not None
        for chat in (ann.chat_id, -4242):
            [sub] = env.services.digests.for_chat(chat)
            job = env.services.digests.jobs.job_of(sub)
            await job.run(env.app)
        await env.services.digests.join()
        assert not env.services.digests.is_active(ann.chat_id)
        assert [s.topic for s in env.services.digests.for_chat(-1009999)] == ["chips"]
        assert stored_topics(tmp_path / "data", -1009999) == ["chips"]
        assert gate.writers, "deactivating and migrating wrote nothing"
        assert gate.on_loop == 0


def _fresh(title: str) -> ArticleDraft:
    return ArticleDraft(
        title=title,
        body=f"{title}. More about {title.lower()}.",
        url=f"https://news.example.com/{abs(hash(title))}",
        published=utcnow() - timedelta(minutes=1),
        source="Wire",
    )


async def test_a_cancelled_caller_does_not_cancel_its_queued_write(
    tmp_path: Path, gate: Gate
) -> None:
    """The memory changed already: the write must land even if the handler gives up."""
    gate.loop_thread = threading.get_ident()
    users = EmbeddedUserTables(tmp_path)
    users.initialize()
    try:
        gate.armed = True
        users.put("chats", "1", {"zone": "UTC"})  # an fsync that takes long
        waiting = asyncio.create_task(users.flush())
        await asyncio.to_thread(gate.entered.wait, 30)
        waiting.cancel()
        gate.release.set()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await users.flush()
        assert list(read_docs(tmp_path / TABLES_DIR / f"chats{SUFFIX}")) == [{"zone": "UTC"}]
    finally:
        gate.release.set()
        users.shutdown()


async def test_subscribe_does_not_wait_for_a_busy_store_writer(tmp_path: Path) -> None:
    """The users file has its own thread: a long feed commit does not hold up /subscribe."""
    async with bot_env(tmp_path / "data") as env:
        ann = env.user("Ann")
        hold = threading.Event()
        busy = asyncio.create_task(env.services.writer.run(hold.wait))  # a 10,000-article commit
        try:
            (reply,) = await ask(ann, "/subscribe climate")
            assert reply.text.startswith("Subscribed: climate")
            assert not busy.done()
        finally:
            hold.set()
            await busy
        assert stored_topics(tmp_path / "data", ann.chat_id) == ["climate"]


async def test_a_new_chats_subscribe_appends_its_two_tables_side_by_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its chat settings and its subscription share one drain: one fsync's wait, not two in a row.

    Each append waits (30 s at most) until the other table's append has begun too; written
    one after the other, the first would wait in vain and the two would not overlap.
    """
    armed = threading.Event()
    begun: list[str] = []
    both = threading.Event()
    overlapped: list[bool] = []

    class SideBySide(TableFile):
        def append(self, ops: list[tuple[str, bytes, bool]]) -> None:
            if armed.is_set():
                begun.append(self.path.stem)
                if len(begun) == 2:
                    both.set()
                overlapped.append(both.wait(30))
            super().append(ops)

    monkeypatch.setattr(usertables_module, "TableFile", SideBySide)
    async with bot_env(tmp_path / "data") as env:
        ann = env.user("Ann")
        armed.set()
        await ann.send("/subscribe climate")
        (done,) = await ann.wait_replies(1, timeout=60)
        armed.clear()
        both.set()  # never leave an append waiting
    assert done.text.startswith("Subscribed: climate")
    assert sorted(begun) == ["chats", "subscriptions"]
    assert overlapped == [True, True]
