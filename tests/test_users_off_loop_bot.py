"""Through the real bot: no command or delivery writes a users table on the event loop, and a
subscribe waits neither for the store's writer nor for one table after the other."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from pathlib import Path

import pytest

import bot.archive.usertables as usertables_module
from bot.archive.tablefile import TableFile
from bot.models import ArticleDraft, utcnow
from tests.botkit import ADMIN, ask, bot_env
from tests.userskit import Gate, stored_topics


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
