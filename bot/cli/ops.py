"""The operations subcommands of `newsbrief`: backup, restore, health, and run's webhook flags."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from bot.archive.backup import backup, restore
from bot.archive.backupcheck import BackupError
from bot.archive.lock import DataDirLocked
from bot.cli.progress import bar
from bot.config import Config
from bot.run.webhook import DEFAULT_LISTEN, DEFAULT_PORT, WebhookSettings

OPS_COMMANDS = frozenset({"backup", "restore"})  # they open the data dir themselves
IN_DATABASE = (
    "with NEWSBRIEF_DATABASE_URL the archive and the users' tables are in PostgreSQL, not in "
    "the data directory: back the database up with pg_dump and restore it with pg_restore"
)


def add_ops_parsers(sub: argparse._SubParsersAction[Any]) -> None:
    """Add `backup PATH` and `restore PATH`."""
    back = sub.add_parser(
        "backup", help="copy the data directory to a new folder, also while the bot runs"
    )
    back.add_argument("path", type=Path, metavar="PATH", help="a new or empty folder")
    rest = sub.add_parser(
        "restore", help="put a backup back into the data directory (stop the bot first)"
    )
    rest.add_argument("path", type=Path, metavar="PATH", help="a folder made by `backup`")


def add_webhook_arguments(run: argparse.ArgumentParser) -> None:
    """Add --webhook-url, --listen and --port to the `run` parser (polling without them)."""
    run.add_argument(
        "--webhook-url", metavar="URL", help="receive updates at this HTTPS URL instead of polling"
    )
    run.add_argument(
        "--listen", default=DEFAULT_LISTEN, metavar="ADDR", help=f"default {DEFAULT_LISTEN}"
    )
    run.add_argument(
        "--port", type=int, default=DEFAULT_PORT, metavar="N", help=f"default {DEFAULT_PORT}"
    )


def webhook_settings(args: argparse.Namespace) -> WebhookSettings | None:
    """Return the webhook settings of `run`, or None for polling; ValueError names the flag."""
    if not args.webhook_url:
        return None
    return WebhookSettings(url=args.webhook_url, listen=args.listen, port=args.port)


def run_ops_command(config: Config, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run backup or restore; one line of outcome; exit 1 with the reason on failure."""
    if config.database_url:
        # The data dir then holds only what is rebuilt from the database (and, after a
        # migration, the old files): copying it would report a backup of nothing live.
        print(f"newsbrief: {args.command}: {IN_DATABASE}", file=err)
        return 1
    try:
        if args.command == "backup":
            with bar("backup") as shown:
                report = backup(config.data_dir, args.path, progress=lambda _: shown.update())
            size = report.bytes / 1_000_000
            print(
                f"backed up {report.articles} articles ({report.files} files, {size:.1f} MB) "
                f"to {report.dest}",
                file=out,
            )
            return 0
        with bar("restore") as shown:
            restored = restore(args.path, config.data_dir, progress=lambda _: shown.update())
    except (BackupError, DataDirLocked) as exc:
        print(f"newsbrief: {exc}", file=err)
        return 1
    aside = f"; the replaced files are in {restored.set_aside}" if restored.set_aside else ""
    print(
        f"restored {restored.articles} articles ({restored.files} files, backup of "
        f"{restored.backup_started}) into {restored.data_dir}{aside}",
        file=out,
    )
    return 0
