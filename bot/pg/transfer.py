"""Copy a data directory's archive into PostgreSQL: `newsbrief migrate --to postgresql://…`.

Articles go over as they are (ids, arrival times, languages), in batches, each batch one
transaction; what the table already holds (by id or dedup key) is skipped, so an
interrupted copy is resumed by running it again. At the end every id of the data dir must
be in the table, or the report says how many are missing.

The story records follow the articles (`bot.stories.records_copy`: they name articles by the
ids kept here, so they stay valid and the first open clusters nothing). The users' tables
(subscriptions, chats, follows, quiet hours, feeds and their state, `_meta`) go over through
the `UserTables` protocol once both sides exist: `copy_user_tables` is the hook the CLI calls
after the stories.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from bot.archive.protocol import ArticleStoreLike
from bot.models import Article
from bot.pg import article_rows as rows
from bot.pg.articles import PgArticleStore
from bot.pg.database import Database

BATCH = 2000


@dataclass
class CopyReport:
    """What one copy did: source size, copied, skipped, and ids still missing afterwards."""

    what: str
    total: int = 0
    copied: int = 0
    skipped: int = 0
    missing: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return one line for the CLI."""
        check = (
            f"all {self.total:,} in the database"
            if not self.missing
            else f"{len(self.missing):,} of {self.total:,} NOT in the database"
        )
        return (
            f"{self.what}: {self.total:,} in the data dir, {self.copied:,} copied, "
            f"{self.skipped:,} already there; check: {check}"
        )


def _batches(articles: Iterator[Article], size: int) -> Iterator[list[Article]]:
    while batch := list(islice(articles, size)):
        yield batch


def copy_articles(
    source: ArticleStoreLike,
    target: PgArticleStore,
    database: Database,
    step: Callable[[int], None] = lambda done: None,
) -> CopyReport:
    """Copy every article of source the target lacks, then check every id arrived."""
    report = CopyReport("articles", total=len(source))
    with database.connection() as conn:
        present = rows.stored_ids(conn)
    ids: list[str] = []
    for batch in _batches(iter(source), BATCH):
        ids.extend(article.id for article in batch)
        fresh = [article for article in batch if article.id not in present]
        report.copied += target.add_stored(fresh) if fresh else 0
        report.skipped += len(batch) - len(fresh)
        step(len(batch))
    with database.connection() as conn:
        stored = rows.stored_ids(conn)
    report.missing = [article_id for article_id in ids if article_id not in stored]
    return report
