"""`newsbrief migrate --to postgresql://…`: copy the data directory into PostgreSQL, resumably."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

from bot.app.persistence import STATE_FILE
from bot.archive.lock import DataDirLock
from bot.archive.records import META_TABLE
from bot.archive.store import ArticleStore
from bot.archive.usermigrate import KEY_FIELDS, legacy_key
from bot.archive.usertables import EmbeddedUserTables
from bot.cli.progress import bar
from bot.config import Config, ConfigError, parse_database_url
from bot.digests.subscriptions import SubscriptionStore
from bot.follows.store import FollowStore
from bot.models import utcnow

if TYPE_CHECKING:  # psycopg is imported by the copy alone, not at every start of the CLI
    from bot.pg.database import Database
    from bot.pg.transfer import CopyReport
    from bot.pg.usertables import PgUserTables


def add_migrate_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `migrate --to URL`."""
    migrate = sub.add_parser(
        "migrate",
        help="copy the data directory (archive, stories and users) into PostgreSQL (stop the bot first; re-run resumes)",
    )
    migrate.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="postgresql://user:password@host/db (then run with NEWSBRIEF_DATABASE_URL set to it)",
    )


def copy_user_tables(config: Config, database: Database, out: TextIO) -> list[CopyReport]:
    """Copy the users' tables (subscriptions, chats, follows, quiet hours, feeds, _meta).

    Each document goes in under the key its store gives it (an upsert: a re-run copies it
    again, harmlessly); afterwards every key is looked for in the database.
    """
    from bot.pg.transfer import CopyReport
    from bot.pg.usertables import PgUserTables

    # As the data dir's writer (migrate holds its lock): an older version's users.json moves
    # into the tables, and the stores fold in the delivery journals it may have left.
    source = EmbeddedUserTables(config.data_dir)
    source.initialize()
    SubscriptionStore(source, config.data_dir).initialize()
    FollowStore(source, config.data_dir).initialize()
    target = PgUserTables(database)
    target.initialize()
    reports = []
    try:
        for table in (*KEY_FIELDS, META_TABLE):
            docs = {legacy_key(table, "", d): d for d in source.load(table)}
            with bar(f"copying {table}", total=len(docs), unit=" documents") as shown:
                target.put_many(table, docs)
                target.flush_sync()
                shown.update(len(docs))
            stored = {legacy_key(table, "", d) for d in target.load(table)}
            missing = sorted(set(docs) - stored)
            reports.append(CopyReport(f"users' {table}", len(docs), len(docs), 0, missing))
        reports.append(copy_chat_state(config, target))
    finally:
        target.shutdown()
        source.shutdown()
    return reports


def copy_chat_state(config: Config, target: PgUserTables) -> CopyReport:
    """Copy `chats.json` (blocked chats, listing counters, the last day's lists) into its table.

    A shared database keeps chat state in the users' table (bot/app/shared_chats.py): without
    this, the first leader would write to chats that blocked the bot and answer "expired" to
    the buttons of the day's lists.
    """
    from bot.app.shared_chats import TABLE, rows_of_file
    from bot.pg.transfer import CopyReport

    rows = rows_of_file(config.data_dir / STATE_FILE, utcnow())
    target.put_many(TABLE, rows)
    target.flush_sync()
    missing = sorted(set(rows) - {str(doc.get("chat_id")) for doc in target.load(TABLE)})
    return CopyReport("chat state", len(rows), len(rows), 0, missing)


def copy_stories(config: Config, database: Database) -> CopyReport:
    """Copy the story records, so the first start on PostgreSQL clusters nothing again."""
    from bot.stories.records_copy import copy_records, file_records

    records = file_records(config.data_dir / "stories")
    with bar("copying stories", total=len(records), unit=" stories") as shown:
        return copy_records(records, database, step=shown.update)


def cmd_migrate(config: Config, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Copy articles, story records, the users' tables; print each count check; exit 1 on a shortfall."""
    try:
        url = parse_database_url("--to", args.to.strip())
    except ConfigError as exc:
        print(f"newsbrief migrate: {exc}", file=err)
        return 2
    if url is None:
        print("newsbrief migrate: --to must name the database", file=err)
        return 2
    from bot.pg.articles import PgArticleStore
    from bot.pg.database import Database, safe_url
    from bot.pg.transfer import copy_articles

    lock = DataDirLock(config.data_dir)
    lock.acquire()  # nothing may change while it is copied: the counts must settle
    database = Database(url)
    try:
        database.open()
        source = ArticleStore(config.data_dir, retention_days=0, readonly=True)
        source.initialize()
        target = PgArticleStore(database, retention_days=0)
        target.initialize()
        with bar("copying articles", total=len(source), unit=" articles") as shown:
            reports = [copy_articles(source, target, database, step=shown.update)]
        reports.append(copy_stories(config, database))
        reports += copy_user_tables(config, database, out)
    finally:
        database.close()
        lock.release()
    for report in reports:
        print(report.summary(), file=out)
    print(f"into {safe_url(url)}", file=out)
    return 1 if any(report.missing for report in reports) else 0
