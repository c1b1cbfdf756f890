"""The `newsbrief` command line (also `python -m bot`): parse, open the data dir, dispatch."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from dotenv import load_dotenv

from bot.archive.lock import DataDirLocked
from bot.archive.records import SchemaError
from bot.archive.storage import StorageError
from bot.cli.commands import cmd_import, cmd_latest, cmd_search, cmd_summarize, cmd_summary
from bot.cli.feeds import WRITERS as FEED_WRITERS
from bot.cli.feeds import add_feeds_parser, run_feeds_command
from bot.cli.ops import (
    OPS_COMMANDS,
    add_ops_parsers,
    add_webhook_arguments,
    run_ops_command,
    webhook_settings,
)
from bot.cli.stories import add_stories_parser, cmd_stories, cmd_stories_batch
from bot.config import Config, ConfigError, load_config
from bot.logs import setup_logging
from bot.run.chat import run_chat
from bot.run.polling import run_bot
from bot.run.webhook import run_webhook_mode
from bot.services import open_services

READERS = {
    "latest": cmd_latest,
    "search": cmd_search,
    "summary": cmd_summary,
    "stories": cmd_stories,
}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="newsbrief", description=__doc__)
    parser.add_argument(
        "--data-dir", type=Path, help="data directory (env NEWSBRIEF_DATA_DIR, default ./data)"
    )
    parser.add_argument("--log-level", default="WARNING", help="logging level (default WARNING)")
    parser.add_argument("--log-format", choices=("text", "json"), default="text")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    imp = sub.add_parser(
        "import", help="import seed-format .md/.txt, .jsonl(.gz) and RSS/Atom .xml files"
    )
    imp.add_argument("paths", nargs="+", metavar="PATH")

    latest = sub.add_parser("latest", help="the newest articles")
    latest.add_argument("-n", type=int, default=5, help="how many (default 5)")
    latest.add_argument("--json", action="store_true", help="print a JSON array")

    search = sub.add_parser("search", help="ranked search with the query language of the README")
    search.add_argument("query", nargs="*")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--sort", choices=("relevance", "date"), default="relevance")
    search.add_argument("--json", action="store_true", help="print one JSON object")
    search.add_argument(
        "--batch", metavar="FILE", help="one query a line in, one JSON line out each"
    )

    summary = sub.add_parser("summary", help="summary of a stored article by id or URL")
    summary.add_argument("ref", metavar="ID|URL")
    summary.add_argument("--sentences", type=int, default=3)
    summary.add_argument("--json", action="store_true")

    batch = sub.add_parser("summarize", help="summarise a JSON Lines file; nothing is stored")
    batch.add_argument("--batch", required=True, metavar="FILE.jsonl")
    batch.add_argument("--sentences", type=int, default=3)

    add_stories_parser(sub)
    add_feeds_parser(sub)
    add_ops_parsers(sub)
    run = sub.add_parser("run", help="run the bot: long polling, or a webhook with --webhook-url")
    add_webhook_arguments(run)
    chat = sub.add_parser(
        "chat", help="the bot and a local Bot API server; the terminal is the user"
    )
    default = sub.add_parser(
        "run-default", help="what `make run` starts: `run` with a token, else `chat`"
    )
    for parser_ in (chat, default):
        parser_.add_argument(
            "--language",
            metavar="CODE",
            help="your Telegram language_code in the chat (default: from $LANG, e.g. ru_RU → ru)",
        )
    return parser


def _terminal_language(lang: str) -> str:
    """Return the language of a POSIX locale name ("ru_RU.UTF-8" → "ru"; "C", "" → "en")."""
    code = lang.split(".", 1)[0].split("_", 1)[0].lower()
    return code if code.isalpha() and code not in ("c", "posix") else "en"


def _config(args: argparse.Namespace) -> Config:
    load_dotenv(".env", override=False)
    return load_config(os.environ, data_dir=args.data_dir)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit 2 on bad configuration, 1 on a data-dir problem."""
    args = build_parser().parse_args(argv)
    try:
        config = _config(args)
    except ConfigError as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 2
    setup_logging(args.log_level.upper(), token=config.token, fmt=args.log_format)
    if args.command == "summarize":
        return cmd_summarize(args, sys.stdout)
    if args.command == "stories" and args.batch:
        return cmd_stories_batch(args, sys.stdout)
    try:
        if args.command in OPS_COMMANDS:
            return run_ops_command(config, args, sys.stdout, sys.stderr)
        if args.command == "run" or (args.command == "run-default" and config.token):
            return _run(config, args)
        if args.command in ("chat", "run-default"):
            language = args.language or _terminal_language(os.environ.get("LANG", ""))
            return run_chat(config, stdin=sys.stdin, stdout=sys.stdout, language=language)
        return _dispatch(config, args)
    except (DataDirLocked, SchemaError, StorageError) as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 1


def _dispatch(config: Config, args: argparse.Namespace) -> int:
    writer = args.command == "import" or (
        args.command == "feeds" and args.feeds_command in FEED_WRITERS
    )
    services = open_services(config, write=writer, allow_readonly=not writer)
    try:
        if args.command == "import":
            return cmd_import(services, args, sys.stdout)
        if args.command == "feeds":
            return run_feeds_command(services, args, sys.stdout)
        return READERS[args.command](services, args, sys.stdout)
    finally:
        services.shutdown()


def _run(config: Config, args: argparse.Namespace) -> int:
    """Run the bot until SIGTERM: long polling, or a webhook when --webhook-url is given."""
    if not config.token:
        print("newsbrief run: set TELEGRAM_BOT_TOKEN (from @BotFather) first", file=sys.stderr)
        return 2
    try:
        settings = webhook_settings(args) if args.command == "run" else None
    except ValueError as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 2
    return run_bot(config) if settings is None else run_webhook_mode(config, settings)


if __name__ == "__main__":
    sys.exit(main())
