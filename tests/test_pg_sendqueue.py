"""PgSendQueue: what only the shared queue does (the contract is test_contract_sendqueue.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.digests.pgqueue import PgSendQueue
from bot.digests.workqueue import Request
from bot.pg.database import Database
from bot.pg.usertables import PgUserTables

DUE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SUB = {"sub_id": "s1", "chat_id": 7, "topic": "oil", "cursor": None, "last_due": None, "sent": {}}


@pytest.fixture
def database(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url)
    db.open()
    yield db
    db.close()


def stored_subscription(database: Database) -> dict[str, Any]:
    tables = PgUserTables(database)
    (doc,) = tables.load("subscriptions")
    return doc


async def test_a_claim_cut_short_leaves_the_digest_to_another_process(
    database: Database, pg_url: str
) -> None:
    tables = PgUserTables(database)
    tables.initialize()
    tables.put("subscriptions", "s1", SUB)
    tables.put("chats", "7", {"chat_id": 7, "lang": "ru"})
    await tables.flush()
    tables.shutdown()
    sending = asyncio.Event()

    async def never_confirmed(chat_id: int, request: Request) -> str:
        await first.record(chat_id, {"s1": {"cursor": "2026-03-02T07:00:00+00:00"}})
        sending.set()
        await asyncio.Event().wait()  # Telegram never answers before the process dies
        return "sent"

    first = PgSendQueue(pg_url, never_confirmed, 2, lambda *_: None, poll_seconds=0.2)
    first.start()
    first.submit(7, Request({"s1"}, DUE))
    await asyncio.wait_for(sending.wait(), 60)
    await first.stop()  # its transaction ends without a commit, as a killed process's does
    assert stored_subscription(database)["cursor"] is None

    seen: list[tuple[int, list[dict[str, Any]], dict[str, Any] | None]] = []
    handled: list[tuple[int, set[str], datetime | None]] = []

    async def confirmed(chat_id: int, request: Request) -> str:
        handled.append((chat_id, request.sub_ids, request.due))
        await second.record(chat_id, {"s1": {"cursor": "2026-03-02T07:30:00+00:00"}})
        return "sent"

    def refresh(chat_id: int, subs: list[dict[str, Any]], chat: dict[str, Any] | None) -> None:
        seen.append((chat_id, subs, chat))

    second = PgSendQueue(pg_url, confirmed, 2, refresh, poll_seconds=0.2)
    second.start()
    try:
        await asyncio.wait_for(second.join(), 60)
    finally:
        await second.stop()
    assert handled == [(7, {"s1"}, DUE)]
    assert seen == [(7, [SUB], {"chat_id": 7, "lang": "ru"})]  # read as the database has it
    doc = stored_subscription(database)
    assert doc["cursor"] == "2026-03-02T07:30:00+00:00" and doc["topic"] == "oil"
