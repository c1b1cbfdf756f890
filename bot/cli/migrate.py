"""`newsbrief migrate --to postgresql://…`: copy the data directory into PostgreSQL, resumably."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from bot.archive.lock import DataDirLock
from bot.archive.store import ArticleStore
from bot.cli.progress import bar
from bot.config import Config, ConfigError, parse_database_url
from bot.pg.articles import PgArticleStore
from bot.pg.database import Database, safe_url
from bot.pg.transfer import CopyReport, copy_articles


def add_migrate_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `migrate --to URL`."""
    migrate = sub.add_parser(
        "migrate",
        help="copy the data directory's archive into PostgreSQL (stop the bot first; re-run resumes)",
    )
    migrate.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="postgresql://user:password@host/db (then run with NEWSBRIEF_DATABASE_URL set to it)",
    )


def copy_user_tables(config: Config, database: Database, out: TextIO) -> list[CopyReport]:
    """Copy the users' tables by the UserTables protocol; the hook for when both sides exist."""
    # The users file (subscriptions, chats, follows, quiet hours, feeds, _meta) moves here
    # through bot/archive/usertables.py's UserTables, embedded side to PgUserTables.
    return []


def cmd_migrate(config: Config, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Copy articles (then the users' tables); print each count check; exit 1 on a shortfall."""
    try:
        url = parse_database_url("--to", args.to.strip())
    except ConfigError as exc:
        print(f"newsbrief migrate: {exc}", file=err)
        return 2
    if url is None:
        print("newsbrief migrate: --to must name the database", file=err)
        return 2
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
        reports += copy_user_tables(config, database, out)
    finally:
        database.close()
        lock.release()
    for report in reports:
        print(report.summary(), file=out)
    print(f"into {safe_url(url)}", file=out)
    return 1 if any(report.missing for report in reports) else 0
