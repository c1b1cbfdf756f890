"""The UserTables contract, one suite for every backend (`user_tables` names them).

The fixture gives an opener: each call opens the same deployment again (a restart, or a
read-only second process), so what a test asserts is what survives a reopen. Both backends
run it: the embedded files and PostgreSQL (bot/pg/usertables.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.archive.usertables import EmbeddedUserTables, UserTables
from bot.pg.database import Database
from bot.pg.usertables import PgUserTables

Opener = Callable[..., UserTables]


@pytest.fixture(params=["embedded", "postgresql"])
def user_tables(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Yield open(readonly=False) -> an initialized UserTables on one deployment of a backend."""
    opened: list[UserTables] = []
    database: Database | None = None
    if request.param == "postgresql":
        database = Database(request.getfixturevalue("pg_url"))
        database.open()

    def open_tables(*, readonly: bool = False) -> UserTables:
        tables: UserTables
        if database is None:
            tables = EmbeddedUserTables(tmp_path / "data", readonly=readonly)
        else:
            tables = PgUserTables(database, readonly=readonly)
        tables.initialize()
        opened.append(tables)
        return tables

    yield open_tables
    for tables in reversed(opened):
        tables.shutdown()
    if database is not None:
        database.close()


def _reopen(user_tables: Opener, tables: UserTables) -> UserTables:
    tables.flush_sync()
    tables.shutdown()
    return user_tables()


def _docs(tables: UserTables, table: str) -> list[dict[str, Any]]:
    return sorted(tables.load(table), key=lambda d: str(d.get("k")))


def test_a_put_survives_a_reopen(user_tables: Opener) -> None:
    tables = user_tables()
    tables.put("subscriptions", "a1", {"k": "a1", "sent": {"s1": 3}, "topic": "oil"})
    again = _reopen(user_tables, tables)
    assert _docs(again, "subscriptions") == [{"k": "a1", "sent": {"s1": 3}, "topic": "oil"}]


def test_the_last_put_of_a_key_wins_and_a_delete_removes_it(user_tables: Opener) -> None:
    tables = user_tables()
    tables.put("chats", "1", {"k": "1", "zone": "UTC"})
    tables.put("chats", "2", {"k": "2", "zone": None})
    tables.put("chats", "1", {"k": "1", "zone": "Europe/Berlin"})
    tables.delete("chats", ["2", "never-there"])
    again = _reopen(user_tables, tables)
    assert _docs(again, "chats") == [{"k": "1", "zone": "Europe/Berlin"}]


def test_a_delete_then_a_put_of_the_same_key_keeps_the_put(user_tables: Opener) -> None:
    tables = user_tables()
    tables.put("follows", "7:s1", {"k": "7:s1", "n": 1})
    tables.delete("follows", ["7:s1"])
    tables.put("follows", "7:s1", {"k": "7:s1", "n": 2})
    assert _docs(_reopen(user_tables, tables), "follows") == [{"k": "7:s1", "n": 2}]


def test_put_many_and_tables_stay_apart(user_tables: Opener) -> None:
    tables = user_tables()
    tables.put_many("feeds", {f"f{n}": {"k": f"f{n}", "n": n} for n in range(50)})
    tables.put("follow_quiet", "f1", {"k": "f1", "quiet": ""})
    again = _reopen(user_tables, tables)
    assert [d["n"] for d in sorted(again.load("feeds"), key=lambda d: d["n"])] == list(range(50))
    assert _docs(again, "follow_quiet") == [{"k": "f1", "quiet": ""}]
    assert list(again.load("subscriptions")) == []


def test_flush_on_the_loop_makes_the_writes_visible_to_a_reader(user_tables: Opener) -> None:
    tables = user_tables()

    async def write() -> None:
        tables.put("chats", "5", {"k": "5", "lang": "ru"})
        await tables.flush()

    asyncio.run(write())
    reader = user_tables(readonly=True)
    assert reader.readonly
    assert _docs(reader, "chats") == [{"k": "5", "lang": "ru"}]
    tables.put("chats", "6", {"k": "6", "lang": "en"})
    tables.flush_sync()
    assert [d["k"] for d in _docs(reader, "chats")] == ["5", "6"]  # each load reads anew


def test_a_read_only_view_refuses_writes(user_tables: Opener) -> None:
    user_tables().flush_sync()
    reader = user_tables(readonly=True)
    with pytest.raises(PermissionError):
        reader.put("chats", "1", {"k": "1"})


def test_many_writes_replacing_each_other_keep_only_the_last(user_tables: Opener) -> None:
    tables = user_tables()
    big = "x" * 2000
    for round_no in range(5):
        tables.put_many(
            "subscriptions", {str(n): {"k": str(n), "r": round_no, "b": big} for n in range(400)}
        )
    tables.delete("subscriptions", [str(n) for n in range(0, 400, 2)])
    again = _reopen(user_tables, tables)
    docs = list(again.load("subscriptions"))
    assert sorted(int(d["k"]) for d in docs) == list(range(1, 400, 2))
    assert {d["r"] for d in docs} == {4}


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_doc = st.dictionaries(st.text(max_size=10), _json, max_size=4)
_key = st.text(min_size=1, max_size=20)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.dictionaries(_key, _doc, max_size=6),
    second=st.lists(st.tuples(_key, _doc), max_size=6),
    gone=st.lists(_key, max_size=4),
)
def test_arbitrary_keys_and_documents_round_trip(
    user_tables: Opener,
    first: dict[str, dict[str, Any]],
    second: list[tuple[str, dict[str, Any]]],
    gone: list[str],
) -> None:
    tables = user_tables()
    table = "prop"  # one deployment for every example: empty the table first
    tables.delete(table, [d["key"] for d in tables.load(table)])
    tables.put_many(table, {k: {"key": k, "value": d} for k, d in first.items()})
    for key, doc in second:
        tables.put(table, key, {"key": key, "value": doc})
    tables.delete(table, gone)
    expected = {**first, **dict(second)}
    for key in gone:
        expected.pop(key, None)
    loaded = {d["key"]: d["value"] for d in _reopen(user_tables, tables).load(table)}
    assert loaded == expected
