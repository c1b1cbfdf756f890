"""`newsbrief migrate --to`: the users' tables of a data dir written by main move over whole."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import orjson
import pytest

from bot.app.context import ChatData
from bot.app.persistence import STATE_FILE, encode
from bot.app.shared_chats import SharedChatState
from bot.archive.records import META_TABLE
from bot.archive.usermigrate import KEY_FIELDS
from bot.archive.usertables import EmbeddedUserTables
from bot.digests.records import Subscription
from bot.pg.database import Database
from bot.pg.usertables import PgUserTables
from tests.clikit import run
from tests.test_users_migration import FIXTURE

TABLES = (*KEY_FIELDS, META_TABLE)


def docs_of(tables: EmbeddedUserTables | PgUserTables) -> dict[str, list[str]]:
    return {table: sorted(map(repr, tables.load(table))) for table in TABLES}


def test_migrate_copies_every_users_document_of_mains_data_dir_and_reruns_harmlessly(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)  # users.json and delivery journals main never folded
    for _ in range(2):
        code, out, err = run(capsys, "migrate", "--to", pg_url, "--data-dir", str(data))
        assert (code, err) == (0, "")
        assert "users' subscriptions: 4 in the data dir" in out
        assert "users' follows: 2 in the data dir" in out and "NOT in the database" not in out
    embedded = EmbeddedUserTables(data, readonly=True)
    embedded.initialize()
    database = Database(pg_url)
    database.open()
    try:
        copied = docs_of(PgUserTables(database))
        assert copied == docs_of(embedded)  # every document, journals folded in, as it is
        subs = {d["sub_id"]: d for d in PgUserTables(database).load("subscriptions")}
        oil = Subscription.from_doc(subs["bb344a6e"])  # the journal's line folded in, newest last
        assert list(oil.sent) == ["s0123456789", "sabcdef0123", "s5555555555"]
        assert copied["chats"] and copied["feeds"] and copied["follow_quiet"]
    finally:
        database.close()


def test_migrate_copies_chat_state_so_a_leader_knows_blocked_chats_and_listing_keys(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    blocked = ChatData(next_listing=9, blocked=True)
    listed = ChatData(next_listing=3)
    listed.remember_items(["a1", "a2"], 1)
    chats = {
        "11": encode(blocked),
        "22": encode(listed),
        "33": encode(ChatData()),  # nothing to keep: no row, as the bot would write
        "44": {"listings": "not pairs"},  # unreadable: left out with a warning, as at a start
    }
    (data / STATE_FILE).write_bytes(orjson.dumps({"_meta": {"version": 1}, "chats": chats}))
    code, out, err = run(capsys, "migrate", "--to", pg_url, "--data-dir", str(data))
    assert code == 0
    assert "chat 44: state in" in err and "not loaded" in err
    assert "chat state: 2 in the data dir, 2 copied" in out
    database = Database(pg_url)
    database.open()
    try:
        loaded = asyncio.run(SharedChatState(PgUserTables(database)).get_chat_data())
    finally:
        database.close()
    assert loaded == {11: blocked, 22: listed}
