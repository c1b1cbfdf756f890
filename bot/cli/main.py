"""The `newsbrief` command line (also `python -m bot`): parse, open the data dir, dispatch."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import NoReturn

from dotenv import load_dotenv

from bot.archive.lock import DataDirLocked
from bot.archive.records import SchemaError
from bot.archive.storage import StorageError
from bot.cli.argtypes import directory, positive
from bot.cli.combos import conflict
from bot.cli.commands import cmd_import, cmd_latest, cmd_search, cmd_summarize, cmd_summary
from bot.cli.feeds import WRITERS as FEED_WRITERS
from bot.cli.feeds import add_feeds_parser, run_feeds_command
from bot.cli.migrate import add_migrate_parser, cmd_migrate
from bot.cli.ops import (
    OPS_COMMANDS,
    add_ops_parsers,
    add_webhook_arguments,
    run_ops_command,
    webhook_settings,
)
from bot.cli.progress import progress
from bot.cli.stories import add_stories_parser, cmd_stories, cmd_stories_batch
from bot.config import Config, ConfigError, load_config
from bot.logs import setup_logging
from bot.pg.errors import DatabaseError, DatabaseRefused
from bot.run.polling import run_bot
from bot.run.webhook import run_webhook_mode
from bot.services import open_services

READERS = {
    "latest": cmd_latest,
    "search": cmd_search,
    "summary": cmd_summary,
    "stories": cmd_stories,
}


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """Add the options every command takes; suppress=True leaves unset ones out of the result.

    Each subcommand gets them too, with suppressed defaults, so `newsbrief latest --data-dir X`
    and `newsbrief --data-dir X latest` mean the same and neither position resets the other.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--data-dir",
        type=directory,
        default=default(None),
        help="data directory (env NEWSBRIEF_DATA_DIR, default ./data)",
    )
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        default=default(None),
        help="default INFO for the bot (`run`), WARNING for the rest",
    )
    parser.add_argument("--log-format", choices=("text", "json"), default=default("text"))
    parser.add_argument(
        "--no-default-feeds",
        action="store_true",
        default=default(False),
        help="a new data dir starts without the built-in feed list (NEWSBRIEF_DEFAULT_FEEDS=0)",
    )


def _subparsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """Yield every subcommand's parser, nested ones (`feeds add`) included."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield child
                yield from _subparsers(child)


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (then exit 2), not the usage."""

    def error(self, message: str) -> NoReturn:
        """Print `newsbrief CMD: message (see --help)` and exit 2."""
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every subcommand."""
    parser = Parser(prog="newsbrief", description=__doc__)
    add_global_options(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    imp = sub.add_parser(
        "import",
        help="import seed-format .md/.txt, .jsonl(.gz), RSS/Atom .xml and JSON Feed .json files",
    )
    imp.add_argument("paths", nargs="+", metavar="PATH")

    latest = sub.add_parser("latest", help="the newest articles")
    latest.add_argument("-n", type=positive, default=5, help="how many (default 5)")
    latest.add_argument("--json", action="store_true", help="print a JSON array")

    search = sub.add_parser("search", help="ranked search with the query language of the README")
    search.add_argument("query", nargs="*")
    search.add_argument("--limit", type=positive, default=10)
    search.add_argument("--sort", choices=("relevance", "date"), default="relevance")
    search.add_argument("--json", action="store_true", help="print one JSON object")
    search.add_argument(
        "--batch", metavar="FILE", help="one query a line in, one JSON line out each"
    )

    summary = sub.add_parser("summary", help="summary of a stored article by id or URL")
    summary.add_argument("ref", metavar="ID|URL")
    summary.add_argument("--sentences", type=positive, default=3)
    summary.add_argument("--json", action="store_true")

    batch = sub.add_parser("summarize", help="summarise a JSON Lines file; nothing is stored")
    batch.add_argument("--batch", required=True, metavar="FILE.jsonl")
    batch.add_argument("--sentences", type=positive, default=3)

    add_stories_parser(sub)
    add_feeds_parser(sub)
    add_ops_parsers(sub)
    add_migrate_parser(sub)
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
    for child in _subparsers(parser):
        add_global_options(child, suppress=True)
    return parser


def _terminal_language(lang: str) -> str:
    """Return the language of a POSIX locale name ("ru_RU.UTF-8" → "ru"; "C", "" → "en")."""
    code = lang.split(".", 1)[0].split("_", 1)[0].lower()
    return code if code.isalpha() and code not in ("c", "posix") else "en"


def _config(args: argparse.Namespace) -> Config:
    load_dotenv(".env", override=False)
    config = load_config(os.environ, data_dir=args.data_dir)
    if config.data_dir.exists() and not config.data_dir.is_dir():
        raise ConfigError(f"the data directory {config.data_dir} is a file, not a directory")
    return replace(config, default_feeds=False) if args.no_default_feeds else config


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit 2 on bad input or configuration, 1 when the work failed."""
    args = build_parser().parse_args(argv)
    problem = conflict(args)
    if problem is not None:
        print(f"{problem} (see `newsbrief {args.command} --help`)", file=sys.stderr)
        return 2
    try:
        config = _config(args)
    except ConfigError as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 2
    # The bot logs INFO (whom to message, feed failures); in `chat` the terminal is the user.
    bot = args.command == "run" or (args.command == "run-default" and config.token)
    level = args.log_level or ("INFO" if bot else "WARNING")
    setup_logging(level.upper(), token=config.token, fmt=args.log_format, proxy=config.feed_proxy)
    # APScheduler logs two INFO lines per job run (every feed poll); its warnings stay.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        return _command(config, args)
    except KeyboardInterrupt:
        # Ctrl-C is the operator's choice, not a fault: what was written stays (an import run
        # again counts it as duplicates), and 130 is what a shell reports for it.
        print("newsbrief: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except BrokenPipeError:
        # The reader stopped (`| head`): how a pipeline ends, not an error to report. Later
        # writes (the flush at exit) go nowhere instead of raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except DatabaseRefused as exc:
        # A wrong password or database name, like a rejected token: the set-up, not the moment.
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 2
    except (DataDirLocked, SchemaError, StorageError, DatabaseError) as exc:
        print(f"newsbrief: {exc}", file=sys.stderr)
        return 1
    except (OSError, UnicodeDecodeError) as exc:
        # A file the user named (a batch file, a folder) is missing, unreadable or not text.
        print(f"newsbrief: {_file_problem(exc)}", file=sys.stderr)
        return 1


def _file_problem(exc: OSError | UnicodeDecodeError) -> str:
    """Return one line naming the file and what is wrong with it."""
    if isinstance(exc, UnicodeDecodeError):
        return f"a file is not UTF-8 text ({exc.reason} at byte {exc.start})"
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


def _command(config: Config, args: argparse.Namespace) -> int:
    if args.command == "summarize":
        return cmd_summarize(args, sys.stdout)
    if args.command == "stories" and args.batch:
        return cmd_stories_batch(args, sys.stdout)
    if args.command in OPS_COMMANDS:
        return run_ops_command(config, args, sys.stdout, sys.stderr)
    if args.command == "migrate":
        return cmd_migrate(config, args, sys.stdout, sys.stderr)
    if args.command == "run" or (args.command == "run-default" and config.token):
        return _run(config, args)
    if args.command in ("chat", "run-default"):
        from bot.run.chat import run_chat  # the local Bot API server: not in `run`'s start

        language = args.language or _terminal_language(os.environ.get("LANG", ""))
        return run_chat(config, stdin=sys.stdin, stdout=sys.stdout, language=language)
    return _dispatch(config, args)


def _dispatch(config: Config, args: argparse.Namespace) -> int:
    writer = args.command == "import" or (
        args.command == "feeds" and args.feeds_command in FEED_WRITERS
    )
    services = open_services(config, write=writer, allow_readonly=not writer, progress=progress)
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
