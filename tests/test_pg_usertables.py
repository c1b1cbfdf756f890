"""PgUserTables: the users' documents in PostgreSQL, written in order, durable at flush."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest

from bot.pg.database import Database
from bot.pg.usertables import PgUserTables


@pytest.fixture
def database(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url)
    db.open()
    yield db
    db.close()


def opened(database: Database, *, readonly: bool = False) -> PgUserTables:
    tables = PgUserTables(database, readonly=readonly)
    tables.initialize()
    return tables


async def test_writes_land_in_call_order_and_another_process_reads_them(
    database: Database,
) -> None:
    tables = opened(database)
    tables.put("feeds", "b", {"id": "b", "n": 1})
    tables.put("feeds", "a", {"id": "a", "n": 1})
    tables.put("feeds", "b", {"id": "b", "n": 2})  # an update keeps b's place
    tables.delete("feeds", ["a"])
    tables.put_many("feeds", {"c": {"id": "c"}, "a": {"id": "a", "n": 3}})
    await tables.flush()
    tables.shutdown()
    other = opened(database)  # what a second process sees on open
    assert other.load("feeds") == [{"id": "b", "n": 2}, {"id": "c"}, {"id": "a", "n": 3}]
    assert other.load("chats") == []
    other.shutdown()


async def test_a_document_changed_after_put_is_stored_as_it_was(database: Database) -> None:
    tables = opened(database)
    doc = {"chat_id": 5, "zone": "UTC"}
    tables.put("chats", "5", doc)
    doc["zone"] = "Asia/Tokyo"
    tables.flush_sync()
    assert tables.load("chats") == [{"chat_id": 5, "zone": "UTC"}]
    tables.shutdown()


def sub_doc(cursor: str | None, last_due: str | None, sent: dict[str, int], hour: int) -> dict:
    return {"sub_id": "s1", "chat_id": 7, "hour": hour, "cursor": cursor,
            "last_due": last_due, "sent": sent}  # fmt: skip


async def test_an_older_memory_never_moves_a_stored_delivery_back(database: Database) -> None:
    delivered = sub_doc("2026-03-02T08:00:00+00:00", "2026-03-02T08:00:00+00:00", {"x": 2}, 8)
    stale = sub_doc("2026-03-01T08:00:00+00:00", "2026-03-01T08:00:00+00:00", {}, 9)
    tables = opened(database)
    tables.put("subscriptions", "s1", delivered)
    tables.put("subscriptions", "s1", stale)  # another process retimes it from older memory
    await tables.flush()
    (doc,) = tables.load("subscriptions")
    assert doc["hour"] == 9  # the change is kept
    assert (doc["cursor"], doc["last_due"], doc["sent"]) == (
        delivered["cursor"],
        delivered["last_due"],
        {"x": 2},
    )
    newer = sub_doc("2026-03-03T08:00:00+00:00", "2026-03-03T08:00:00+00:00", {"y": 1}, 9)
    tables.put("subscriptions", "s1", newer)
    await tables.flush()
    assert tables.load("subscriptions") == [newer]
    tables.shutdown()


async def test_flush_raises_a_failed_write_and_read_only_tables_refuse_writes(
    database: Database,
) -> None:
    tables = opened(database)
    tables.put("chats", secrets.token_hex(5000), {})  # a key past what an index row holds
    with pytest.raises(psycopg.Error, match="index row"):
        await tables.flush()
    await tables.flush()  # reported once
    tables.shutdown()
    reader = opened(database, readonly=True)
    with pytest.raises(PermissionError, match="read-only"):
        reader.put("chats", "1", {"chat_id": 1})
    reader.shutdown()


async def test_keys_and_documents_holding_nul_and_unnamed_tables_round_trip(
    database: Database,
) -> None:
    tables = opened(database)
    tables.put("prop", "a\x00", {"t": "\x00"})
    tables.put("prop", "a\\0", {"t": "backslash zero"})  # not the stored form of "a\x00"
    tables.put("other", "a\x00", {"t": "another table"})
    tables.delete("prop", ["missing"])
    await tables.flush()
    assert tables.load("prop") == [{"t": "\x00"}, {"t": "backslash zero"}]
    tables.delete("prop", ["a\x00"])
    await tables.flush()
    assert tables.load("prop") == [{"t": "backslash zero"}]
    assert tables.load("other") == [{"t": "another table"}]
    tables.shutdown()
