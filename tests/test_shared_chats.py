"""Chat state in the users' tables, as processes sharing a database keep it (bot/app/shared_chats).

Run on the embedded tables, which hold the same documents as PostgreSQL's; the handover of
the lead between two real processes is tests/test_pg_chat_state.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.context import ChatData, Listing
from bot.app.persistence import encode
from bot.app.shared_chats import TABLE, TERM_SPAN, SharedChatState
from bot.archive.usertables import EmbeddedUserTables

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@contextmanager
def tables(data_dir: Path) -> Iterator[EmbeddedUserTables]:
    """Open one process's view of the users' tables."""
    users = EmbeddedUserTables(data_dir)
    users.initialize()
    try:
        yield users
    finally:
        users.shutdown()


def state(users: EmbeddedUserTables) -> SharedChatState:
    return SharedChatState(users, clock=lambda: NOW)


def chat_with_lists(*queries: str, first_key: int = 1) -> ChatData:
    data = ChatData(next_listing=first_key)
    for query in queries:
        data.add_listing(Listing("search", query, 5, created=NOW - timedelta(minutes=5)))
    data.remember_items(["a1", "a2"], 1)
    data.last_shown = NOW - timedelta(minutes=5)
    return data


async def test_a_chat_saved_by_one_process_loads_in_another(tmp_path: Path) -> None:
    with tables(tmp_path) as users:
        await state(users).update_chat_data(7, chat_with_lists("harbour", "dam"))
        await state(users).flush()
        loaded = await state(users).get_chat_data()
    assert encode(loaded[7]) == encode(chat_with_lists("harbour", "dam"))
    with tables(tmp_path) as users:  # and after a restart of the tables
        assert [lst.query for lst in (await state(users).get_chat_data())[7].listings.values()] == [
            "harbour",
            "dam",
        ]


async def test_a_takeover_gives_each_chat_the_stored_lists_and_the_terms_keys(
    tmp_path: Path,
) -> None:
    with tables(tmp_path) as users:
        old_leader, new_leader = state(users), state(users)
        await old_leader.update_chat_data(7, chat_with_lists("harbour", "dam", first_key=40))
        await old_leader.flush()
        await new_leader.take_over(term=3)
        # In the new leader's memory: what it showed chat 7 long ago, and a chat since dropped.
        stale, dropped = chat_with_lists("old list", first_key=90), chat_with_lists("gone")
        await new_leader.refresh_chat_data(7, stale)
        await new_leader.refresh_chat_data(8, dropped)
    assert [lst.query for lst in stale.listings.values()] == ["harbour", "dam"]
    assert list(stale.listings) == [40, 41]
    assert stale.next_listing == 3 * TERM_SPAN  # past any key an earlier leader gave out
    assert stale.last_ids == ["a1", "a2"]
    assert dropped.listings == {} and dropped.last_ids == []
    assert dropped.next_listing == 3 * TERM_SPAN


async def test_keys_never_go_back_after_a_takeover(tmp_path: Path) -> None:
    with tables(tmp_path) as users:
        shared = state(users)
        await shared.update_chat_data(7, chat_with_lists("a", "b", first_key=TERM_SPAN + 5))
        await shared.take_over(term=1)  # the same term's keys were handed out further already
        data = ChatData(next_listing=TERM_SPAN + 9)
        await shared.refresh_chat_data(7, data)
    assert data.next_listing == TERM_SPAN + 9


async def test_a_chat_is_refreshed_once_per_takeover(tmp_path: Path) -> None:
    with tables(tmp_path) as users:
        shared = state(users)
        await shared.update_chat_data(7, chat_with_lists("harbour"))
        data = ChatData()
        await shared.refresh_chat_data(7, data)  # no takeover yet: memory is the truth
        assert data.listings == {}
        await shared.take_over(term=1)
        await shared.refresh_chat_data(7, data)
        data.add_listing(Listing("latest", "", 5, created=NOW))  # shown by this leader
        await shared.refresh_chat_data(7, data)  # its next update keeps it
    assert [lst.query for lst in data.listings.values()] == ["harbour", ""]


async def test_an_empty_state_removes_the_row(tmp_path: Path) -> None:
    with tables(tmp_path) as users:
        shared = state(users)
        await shared.update_chat_data(7, chat_with_lists("harbour"))
        await shared.update_chat_data(8, chat_with_lists("dam"))
        await shared.update_chat_data(7, ChatData())  # e.g. /forget
        await shared.flush()
        assert sorted(await shared.get_chat_data()) == [8]
        await shared.drop_chat_data(8)
        await shared.flush()
        assert await shared.get_chat_data() == {}


async def test_unreadable_rows_and_day_old_lists_are_left_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with tables(tmp_path) as users:
        old = chat_with_lists("yesterday")
        old.listings[1].created = NOW - timedelta(days=2)
        await state(users).update_chat_data(7, chat_with_lists("harbour"))
        users.put(TABLE, "8", {"chat_id": 8, "state": {"listings": "not pairs"}})
        users.put(TABLE, "9", {"chat_id": 9, "state": encode(old)})
        users.put(TABLE, "junk", {"no": "chat id"})
        await users.flush()
        loaded = await state(users).get_chat_data()
    assert sorted(loaded) == [7, 9]
    assert loaded[9].listings == {} and loaded[9].next_listing == 2
    assert "chat 8: state in the chat_state table not loaded" in caplog.text
