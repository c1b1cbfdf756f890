"""Copy a data dir's story records into PostgreSQL's table: part of `newsbrief migrate`.

The archive keeps its article ids in the copy, so the records (members by article id) stay
valid and a migrated archive opens without clustering it again: at a million articles that
is seconds instead of most of an hour. Records go over as the file holds them, under the
identity of the engine settings the bot runs with; a file made with other settings (or none)
copies nothing, and the first start clusters the archive as it would on files.

Resumable like the articles: records the table already holds (by story id) are skipped, the
rest go in batches, each one transaction. The identity is marked written whole
(`story_identities`) only once every record is there, so an interrupted copy never passes
for a complete one; a bot started on it anyway assigns what no record holds, as after a
crash on files. At the end every story id of the file must be in the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

from bot.pg.database import Database
from bot.pg.transfer import CopyReport
from bot.stories.journal import StoryJournal, StoryRecord, settings_identity
from bot.stories.values import EngineSettings

BATCH = 5000


def file_records(directory: Path, settings: EngineSettings | None = None) -> dict[str, StoryRecord]:
    """Return the records of the stories file under `directory` made with these settings."""
    identity = settings_identity(settings or EngineSettings())
    return StoryJournal(directory, identity, readonly=True).load()


def copy_records(
    records: dict[str, StoryRecord],
    database: Database,
    settings: EngineSettings | None = None,
    step: Callable[[int], None] = lambda done: None,
) -> CopyReport:
    """Copy the records the table lacks, then check every story id arrived."""
    identity = settings_identity(settings or EngineSettings())
    report = CopyReport("stories", total=len(records))
    present = _stored_ids(database, identity)
    for batch in _batches(iter(records.values()), BATCH):
        fresh = [record for record in batch if record.id not in present]
        if fresh:
            _write(database, identity, fresh)
        report.copied += len(fresh)
        report.skipped += len(batch) - len(fresh)
        step(len(batch))
    stored = _stored_ids(database, identity)
    report.missing = [story_id for story_id in records if story_id not in stored]
    if records and not report.missing:
        with database.connection() as conn:
            conn.execute(
                "INSERT INTO story_identities VALUES (%s) ON CONFLICT DO NOTHING", (identity,)
            )
    return report


def _batches(records: Iterator[StoryRecord], size: int) -> Iterator[list[StoryRecord]]:
    while batch := list(islice(records, size)):
        yield batch


def _stored_ids(database: Database, identity: str) -> set[str]:
    with database.connection() as conn:
        rows = conn.execute("SELECT id FROM story_records WHERE identity = %s", (identity,))
        return {row[0] for row in rows}


def _write(database: Database, identity: str, records: list[StoryRecord]) -> None:
    """COPY one batch in one transaction (the table lacked every one of them)."""
    with (
        database.connection() as conn,
        conn.transaction(),
        conn.cursor() as cur,
        cur.copy("COPY story_records (identity, id, doc) FROM STDIN") as copy,
    ):
        for record in records:
            copy.write_row((identity, record.id, record.to_line().decode()))
