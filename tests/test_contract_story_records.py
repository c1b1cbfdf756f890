"""The story records' contract, one suite over the file (`journal.py`) and PostgreSQL's table.

Then the story service on PostgreSQL end to end: a restart keeps story ids without
clustering anything again, and the records live in the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import pytest

from bot.pg.articles import PgArticleStore
from bot.pg.database import Database
from bot.stories.journal import RecordJournal, StoryJournal, StoryRecord
from bot.stories.records_table import PgStoryJournal
from bot.stories.service import StoryService
from tests.conftest import FakeClock
from tests.test_stories_service import RATES, VOLCANO, drafts

Opener = Callable[..., RecordJournal]


@pytest.fixture(params=["tinydb", "postgresql"])
def open_journal(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., RecordJournal]]:
    """Open the records of an identity on the test's one storage: each call a restart."""
    pools: list[Database] = []

    def opener(identity: str = "settings-a", readonly: bool = False) -> RecordJournal:
        if request.param == "tinydb":
            return StoryJournal(tmp_path, identity, readonly=readonly)
        pools.append(Database(request.getfixturevalue("pg_url"), max_size=1))
        pools[-1].open()
        return PgStoryJournal(pools[-1], identity, readonly=readonly)

    yield opener
    for pool in pools:
        pool.close()


def record(story_id: str, *members: str) -> StoryRecord:
    last = datetime(2026, 3, 1, tzinfo=UTC)
    copies = MappingProxyType({members[-1]: members[0]}) if len(members) > 1 else None
    found = StoryRecord(story_id, list(members), f"Headline {story_id}", last=last)
    if copies:
        found.copies = copies
    return found


def test_records_survive_a_restart_and_later_ones_replace_earlier(open_journal: Opener) -> None:
    journal = open_journal()
    assert journal.load() == {} and not journal.exists()
    journal.rewrite({})
    assert journal.exists()
    journal.append([record("s1", "a1"), record("s2", "a2")], [])
    journal.append([record("s1", "a1", "a3")], ["s2"])  # s1 grew, s2 went
    journal.close()
    again = open_journal()
    assert again.load() == {"s1": record("s1", "a1", "a3")}


def test_a_rewrite_replaces_everything_and_other_settings_start_empty(
    open_journal: Opener,
) -> None:
    journal = open_journal()
    journal.append([record("s1", "a1"), record("s2", "a2")], [])
    journal.rewrite({"s3": record("s3", "a3")})
    assert open_journal().load() == {"s3": record("s3", "a3")}
    assert open_journal("settings-b").load() == {}  # other settings cluster differently


def test_a_reader_writes_nothing(open_journal: Opener) -> None:
    open_journal().append([record("s1", "a1")], [])
    reader = open_journal(readonly=True)
    reader.append([record("s2", "a2")], ["s1"])
    reader.rewrite({})
    assert set(open_journal().load()) == {"s1"}


def test_stories_on_postgresql_keep_their_ids_across_a_restart(
    pg_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    database = Database(pg_url, max_size=2)
    database.open()
    store = PgArticleStore(database, clock=clock)
    store.initialize()

    def open_stories() -> StoryService:
        journal = lambda identity: PgStoryJournal(database, identity)  # noqa: E731
        service = StoryService(store, tmp_path / "stories", journal=journal)
        service.initialize()
        return service

    stories = open_stories()
    added = store.add_many(drafts([*VOLCANO, RATES], clock)).added
    before = {a.id: stories.story_of(a.id) for a in added}
    assert len(set(before.values())) == 2  # the volcano and the rates
    stories.shutdown()
    store.shutdown()
    store = PgArticleStore(database, clock=clock)
    store.initialize()
    again = open_stories()
    assert {a.id: again.story_of(a.id) for a in added} == before
    with database.connection() as conn:
        assert conn.execute("SELECT count(*) FROM story_records").fetchone() == (2,)
    assert not (tmp_path / "stories").exists()
    database.close()
