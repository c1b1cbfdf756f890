"""`newsbrief migrate --to`: the story records move over, so PostgreSQL opens without clustering."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from bot.pg.database import Database
from bot.services import Services, open_services
from bot.stories.journal import settings_identity
from bot.stories.records_copy import file_records
from bot.stories.records_table import PgStoryJournal
from bot.stories.values import EngineSettings
from tests.clikit import run
from tests.conftest import FakeClock
from tests.test_stories_service import RATES, VOLCANO, drafts

FLOOD = [
    ("Reuters", "River Danube floods Budapest embankment after heavy rain"),
    ("DW", "Danube flood reaches Budapest, embankment under water"),
]


def _open(data: Path, url: str | None = None) -> Services:
    config = Config(data_dir=data, seeds_dir=data / "no-seeds", database_url=url)
    return open_services(config, write=True)


def _stories(services: Services) -> dict[str, list[str]]:
    """Return each story's member ids, oldest first, as a user would page through them."""
    ids = {services.stories.story_of(a.id) for a in services.store}
    found = {}
    for story_id in filter(None, ids):
        story = services.stories.story(story_id)
        assert story is not None
        found[story_id] = sorted(a.id for a in story.articles)
    return found


def _data_dir(data: Path, clock: FakeClock) -> dict[str, list[str]]:
    """Store three stories' reports in a data dir on files; return its stories."""
    services = _open(data)
    try:
        for reports in (VOLCANO, [RATES], FLOOD):
            services.store.add_many(drafts(reports, clock))
            clock.advance(minutes=10)
        stories = _stories(services)
    finally:
        services.shutdown()
    assert sorted(map(len, stories.values())) == [1, 2, 3]  # rates, flood, volcano
    return stories


def test_a_migrated_data_dir_opens_on_postgresql_with_its_stories_and_clusters_nothing(
    tmp_path: Path, pg_url: str, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    on_files = _data_dir(data, clock)
    code, out, err = run(capsys, "migrate", "--to", pg_url, "--data-dir", str(data))
    assert (code, err) == (0, "")
    assert "stories: 3 in the data dir, 3 copied, 0 already there; check: all 3" in out
    services = _open(data, pg_url)
    try:
        assert services.stories.opened == (3, 0)  # loaded from the records, none assigned
        assert _stories(services) == on_files  # the same story ids, the same members
        later = ("Guardian", "Iceland volcano erupts near Grindavik again, lava flows toward town")
        added = services.store.add_many(drafts([later], clock)).added
        volcano = next(i for i, members in on_files.items() if len(members) == 3)
        assert services.stories.story_of(added[0].id) == volcano  # the engine's window restored
    finally:
        services.shutdown()


def test_an_interrupted_story_copy_resumes_and_a_partial_one_is_never_taken_as_whole(
    tmp_path: Path, pg_url: str, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    on_files = _data_dir(data, clock)
    records = file_records(data / "stories")
    first = sorted(records)[0]
    database = Database(pg_url, max_size=1)
    database.open()
    try:
        killed = PgStoryJournal(database, settings_identity(EngineSettings()))
        killed.append([records[first]], [])  # what a killed first run had committed
        assert not killed.exists()  # not marked whole: a bot would check and assign
    finally:
        database.close()
    code, out, _ = run(capsys, "migrate", "--to", pg_url, "--data-dir", str(data))
    assert (
        code == 0 and "stories: 3 in the data dir, 2 copied, 1 already there; check: all 3" in out
    )
    services = _open(data, pg_url)
    try:
        assert services.stories.opened == (3, 0)
        assert _stories(services) == on_files
    finally:
        services.shutdown()


def test_a_data_dir_without_story_records_migrates_and_clusters_on_the_first_start(
    tmp_path: Path, pg_url: str, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    on_files = _data_dir(data, clock)
    (data / "stories" / "stories.jsonl").unlink()  # lost, or from an older version
    code, out, _ = run(capsys, "migrate", "--to", pg_url, "--data-dir", str(data))
    assert code == 0 and "stories: 0 in the data dir, 0 copied" in out
    services = _open(data, pg_url)
    try:
        assert services.stories.opened == (0, 6)  # every article clustered, as on files
        assert _stories(services) == on_files  # same arrival order: the same story ids
    finally:
        services.shutdown()
