"""The subscriptions table: a delivery survives a crash, an old journal is folded in once, migration."""

from __future__ import annotations

import asyncio
import gc
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from hypothesis import given
from hypothesis import strategies as st

from bot.archive.usertables import EmbeddedUserTables
from bot.config import Config
from bot.digests.records import ChatSettings, Subscription
from bot.digests.subscriptions import LEGACY_JOURNAL, SubscriptionStore
from bot.digests.workqueue import Request, WorkQueue
from bot.services import open_services

T0 = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


def open_store(data_dir: Path) -> tuple[EmbeddedUserTables, SubscriptionStore]:
    users = EmbeddedUserTables(data_dir)
    users.initialize()
    store = SubscriptionStore(users, data_dir, clock=lambda: T0)
    store.initialize()
    return users, store


async def test_a_delivery_survives_a_crash(tmp_path: Path) -> None:
    _users, store = open_store(tmp_path)
    sub, _ = store.subscribe(1, "china", 7, 30, "Europe/Berlin")
    store.mark_delivered([sub.sub_id], T0 + timedelta(minutes=1), T0, {"s0123456789": 3})
    await store.saved()  # what the delivery worker awaits before it moves on
    # kill -9 now: no shutdown()
    _users2, store2 = open_store(tmp_path)
    got = store2.get(sub.sub_id)
    assert got is not None and got.cursor == T0 + timedelta(minutes=1) and got.last_due == T0
    assert dict(got.sent) == {"s0123456789": 3}
    assert not (tmp_path / LEGACY_JOURNAL).exists()  # nothing but the tables is written


async def test_an_old_journal_is_folded_in_once_and_cursors_never_go_back(tmp_path: Path) -> None:
    _users, store = open_store(tmp_path)
    sub, _ = store.subscribe(1, "", 8, 0, "UTC")
    store.mark_delivered([sub.sub_id], T0 + timedelta(hours=2), T0 + timedelta(hours=1))
    await store.saved()
    # An older version's journal: one older delivery (ignored), one newer, a torn line.
    old, new = (T0 + timedelta(hours=1)).isoformat(), (T0 + timedelta(hours=3)).isoformat()
    lines = [
        orjson.dumps({"s": sub.sub_id, "c": old, "d": None, "t": {}}),
        orjson.dumps({"s": sub.sub_id, "c": new, "d": None, "t": {"s5555555555": 2}}),
        b'{"s": "' + sub.sub_id.encode() + b'", "c": "2026-0',
    ]
    (tmp_path / LEGACY_JOURNAL).write_bytes(b"\n".join(lines))
    _, again = open_store(tmp_path)
    got = again.get(sub.sub_id)
    assert got is not None and dict(got.sent) == {"s5555555555": 2}
    assert got.cursor == T0 + timedelta(hours=3) and got.last_due == T0 + timedelta(hours=1)
    assert not (tmp_path / LEGACY_JOURNAL).exists()
    _, third = open_store(tmp_path)
    assert third.get(sub.sub_id) == got


def test_same_topic_updates_time_and_topics_compare_loosely(tmp_path: Path) -> None:
    _, store = open_store(tmp_path)
    first, new1 = store.subscribe(1, "Climate  Policy", 7, 0, "UTC")
    second, new2 = store.subscribe(1, "climate policy", 9, 15, "UTC")
    assert (new1, new2) == (True, False)
    assert second.sub_id == first.sub_id and second.slot.hhmm == "09:15"
    assert len(store.for_chat(1)) == 1


async def test_migration_moves_subscriptions_and_settings(tmp_path: Path) -> None:
    _, store = open_store(tmp_path)
    store.subscribe(-5, "chips", 10, 0, "UTC")
    store.subscribe(-5, "", 8, 0, "UTC")
    store.subscribe(-1005, "chips", 11, 0, "UTC")  # the supergroup already had this topic
    store.set_zone(-5, "Asia/Kolkata")
    store.set_active(-5, False)
    moved = store.migrate(-5, -1005)
    assert [s.topic for s in moved] == [""]
    assert store.for_chat(-5) == []
    assert sorted(s.topic for s in store.for_chat(-1005)) == ["", "chips"]
    assert store.chat(-1005).zone == "Asia/Kolkata" and store.is_active(-1005)
    await store.saved()
    _, reopened = open_store(tmp_path)
    assert sorted(s.topic for s in reopened.for_chat(-1005)) == ["", "chips"]


async def test_deactivated_chat_keeps_its_subscriptions_on_disk(tmp_path: Path) -> None:
    _, store = open_store(tmp_path)
    store.subscribe(3, "news", 8, 0, "UTC")
    assert store.set_active(3, False)
    await store.saved()
    _, reopened = open_store(tmp_path)
    assert not reopened.is_active(3) and len(reopened.for_chat(3)) == 1


async def test_work_queue_merges_requests_per_chat_and_never_runs_a_chat_twice_at_once() -> None:
    running: set[int] = set()
    handled: list[tuple[int, frozenset[str]]] = []
    picked_up = asyncio.Event()  # a worker is sending chat 1's first request
    submitted = asyncio.Event()  # the test asked for chat 1 again meanwhile

    async def handle(chat_id: int, request: Request) -> str:
        assert chat_id not in running
        running.add(chat_id)
        if chat_id == 1 and not picked_up.is_set():
            picked_up.set()
            await submitted.wait()
        handled.append((chat_id, frozenset(request.sub_ids)))
        running.discard(chat_id)
        return "sent"

    queue = WorkQueue(handle, workers=4)
    queue.start()
    queue.submit(1, Request({"a"}, T0))
    queue.submit(1, Request({"b"}, T0))  # merged with the waiting one
    queue.submit(2, Request({"c"}, T0))
    await asyncio.wait_for(picked_up.wait(), 10)
    queue.submit(1, Request({"d"}, T0))  # chat 1 is busy: runs after it
    submitted.set()
    await queue.join()
    await queue.stop()
    assert sorted(handled, key=lambda h: (h[0], sorted(h[1]))) == [
        (1, frozenset({"a", "b"})),
        (1, frozenset({"d"})),
        (2, frozenset({"c"})),
    ]


_ops = st.lists(
    st.tuples(
        st.sampled_from(["sub", "unsub", "migrate", "mirror"]), st.integers(1, 4), st.integers(0, 3)
    ),
    max_size=25,
)


@given(_ops)
def test_each_chats_subscriptions_match_a_walk_over_all_of_them(
    ops: list[tuple[str, int, int]],
) -> None:
    """The per-chat index answers for_chat as a walk over every subscription would."""
    with tempfile.TemporaryDirectory() as tmp:
        users, store = open_store(Path(tmp))
        for op, chat, topic in ops:
            if op == "sub":
                store.subscribe(chat, f"topic {topic}", 7, topic, "UTC")
            elif op == "unsub":
                store.remove(s.sub_id for s in store.for_chat(chat) if s.topic == f"topic {topic}")
            elif op == "migrate":
                store.migrate(chat, chat + topic)
            else:  # a shared database's copy: another process removed one of the chat's
                kept = [s for s in store.for_chat(chat) if s.topic != f"topic {topic}"]
                store.mirror(chat, kept, None)
        for chat in range(1, 8):
            walked = [s for s in store.all() if s.chat_id == chat]
            assert sorted(store.for_chat(chat), key=lambda s: s.sub_id) == sorted(
                walked, key=lambda s: s.sub_id
            )
        users.shutdown()


def test_open_leaves_the_subscribers_records_out_of_the_collectors_full_passes(
    tmp_path: Path,
) -> None:
    """A full collection walks none of the records opened (at 100,000: 400,000 objects, 0.1-0.6 s).

    Counted as work, not time: `gc.get_objects()` lists what the collector walks, and the
    records open_services loaded are not among it.
    """
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    config = Config(data_dir=tmp_path / "data", seeds_dir=seeds)
    services = open_services(config, write=True)
    subs = [Subscription(f"{n:08x}", n, "", 8, n % 60, "UTC", T0) for n in range(1, 301)]
    services.digests.subs.add_many(subs)
    services.users.put_many("chats", {str(n): ChatSettings(n).to_doc() for n in range(1, 301)})
    services.shutdown()
    services = open_services(config, write=True)
    try:
        walked = {id(o) for o in gc.get_objects()}
        store = services.digests.subs
        records: list[object] = [*store.all(), *(store.chat(n) for n in range(1, 301))]
        records += [s.sent for s in store.all()]
        assert len(records) == 900
        assert [r for r in records if id(r) in walked] == []
        new, _ = store.subscribe(7, "late", 9, 0, "UTC")  # made after the open: walked
        assert gc.is_tracked(new) and id(new) in {id(o) for o in gc.get_objects()}
    finally:
        services.shutdown()
