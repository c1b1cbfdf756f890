"""`newsbrief feeds ...`: manage and poll feeds from the command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol, TextIO

import orjson

from bot.cli.argtypes import interval
from bot.cli.progress import bar
from bot.feeds import FeedError, FeedService, FeedStatus, PollResult
from bot.feeds.opml import OpmlError, OpmlFeed, parse_opml, to_opml

WRITERS = frozenset({"add", "remove", "poll", "import"})


class HasFeeds(Protocol):
    """What the feeds commands need of Services."""

    writable: bool

    @property
    def feeds(self) -> FeedService:
        """Return the feed service."""
        ...


def add_feeds_parser(subparsers: Any) -> None:
    """Add `feeds add|list|remove|poll|import|export` to the CLI's subparsers."""
    feeds = subparsers.add_parser("feeds", help="manage the RSS, Atom and JSON feeds the bot polls")
    sub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="fetch a feed once and add it")
    add.add_argument("url", metavar="URL")
    add.add_argument(
        "--every", type=interval, metavar="MIN", help="poll interval (default 15, 5 to 10080)"
    )
    listing = sub.add_parser("list", help="each feed's status")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    remove = sub.add_parser("remove", help="stop polling a feed (its articles stay)")
    remove.add_argument("ref", metavar="ID|URL")
    sub.add_parser("poll", help="poll every feed once now and print what came in")
    imp = sub.add_parser("import", help="add the feeds of an OPML file")
    imp.add_argument("file", metavar="FILE.opml")
    sub.add_parser("export", help="print the feeds as OPML")


def run_feeds_command(services: HasFeeds, args: argparse.Namespace, out: TextIO) -> int:
    """Run one feeds action; 0 on success, 1 when it failed, 2 on bad input."""
    action: str = args.feeds_command
    if action in WRITERS and not services.writable:
        print(
            f"newsbrief feeds {action}: another newsbrief process is writing to this data "
            "directory; stop it or use the bot's /addfeed, /removefeed",
            file=sys.stderr,
        )
        return 1
    feeds = services.feeds
    if action == "list":
        return _list(feeds, args, out)
    if action == "export":
        out.write(to_opml([*feeds.list_feeds()], now=feeds.clock()) + "\n")
        return 0
    runners: dict[str, Callable[[], Awaitable[int]]] = {
        "add": lambda: _add(feeds, args.url, args.every, out),
        "poll": lambda: _poll(feeds, out),
        "remove": lambda: _remove(feeds, args.ref, out),
    }
    if action == "import":
        try:
            entries = parse_opml(Path(args.file).read_bytes())
        except (OSError, OpmlError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            print(f"newsbrief feeds import: {args.file}: {reason}", file=sys.stderr)
            return 2
        runners["import"] = lambda: _import(feeds, entries, out)
    return asyncio.run(_with_client(feeds, runners[action]))


async def _with_client(feeds: FeedService, action: Callable[[], Awaitable[int]]) -> int:
    await feeds.initialize()
    try:
        return await action()
    finally:
        await feeds.shutdown()


def status_line(status: FeedStatus) -> str:
    """Return one feed's status as two lines of text."""
    fetched = f"{status.last_fetch:%Y-%m-%d %H:%M} UTC" if status.last_fetch else "never"
    upcoming = f"{status.next_poll:%Y-%m-%d %H:%M} UTC" if status.next_poll else "-"
    state = "active" if status.active else "INACTIVE"
    head = f"{status.id}  {status.title}  [{state}, every {status.interval_minutes} min]"
    since = status.unreachable_since
    if since is not None:
        fetched = f"{fetched} (unreachable since {since:%Y-%m-%d %H:%M} UTC)"
    detail = (
        f"    {status.url}\n    last fetch {fetched}: {status.last_status}; "
        f"{status.items} items, {status.articles} articles in all; next poll {upcoming}"
    )
    return f"{head}\n{detail}" + (f"\n    {status.note}" if status.note else "")


def _list(feeds: FeedService, args: argparse.Namespace, out: TextIO) -> int:
    statuses = feeds.list_feeds()
    if args.json:
        out.write(orjson.dumps([s.to_json() for s in statuses]).decode() + "\n")
        return 0
    for status in statuses:
        out.write(status_line(status) + "\n")
    if not statuses:
        out.write("No feeds yet: `newsbrief feeds add URL` adds one.\n")
    return 0


async def _remove(feeds: FeedService, ref: str, out: TextIO) -> int:
    status = feeds.get_feed(ref)
    if status is None or not await feeds.remove_feed(ref):
        print(
            f"newsbrief feeds remove: no feed {ref!r} (see `newsbrief feeds list`)", file=sys.stderr
        )
        return 1
    out.write(f"removed {status.id} {status.title}; its articles stay in the store\n")
    return 0


async def _add(feeds: FeedService, url: str, every: int | None, out: TextIO) -> int:
    try:
        status = await feeds.add_feed(url, interval_minutes=every)
    except FeedError as exc:
        print(f"newsbrief feeds add: {url}: {exc}", file=sys.stderr)
        return 1
    out.write(
        f"added {status.id}: {status.title} — {status.items} items, "
        f"{status.articles} new articles; polled every {status.interval_minutes} min\n"
    )
    return 0


def poll_report(results: list[PollResult]) -> list[str]:
    """Return the lines `feeds poll` prints: one per feed, one per new article, a total."""
    lines: list[str] = []
    for result in results:
        lines.append(result.summary())
        lines.extend(f"  + {article.title}" for article in result.added)
    new = sum(len(r.added) for r in results)
    unchanged = sum(1 for r in results if r.not_modified)
    errors = sum(1 for r in results if r.outcome == "error")
    lines.append(
        f"{new} new articles from {len(results)} feeds "
        f"({unchanged} not modified, {errors} with errors)"
    )
    return lines


async def _poll(feeds: FeedService, out: TextIO) -> int:
    active = sum(1 for status in feeds.list_feeds() if status.active)
    with bar("polling", total=active, unit=" feeds") as shown:
        results = await feeds.poll_all(progress=shown.update)
    out.write("\n".join(poll_report(results)) + "\n")
    return 1 if any(r.outcome == "error" for r in results) else 0  # the lines say which


async def _import(feeds: FeedService, entries: list[OpmlFeed], out: TextIO) -> int:
    """Add each feed; exit 1 when one could not be added (one already there is no failure)."""
    failed = 0

    async def one(url: str) -> str:
        nonlocal failed
        known = feeds.get_feed(url) is not None
        try:
            status = await feeds.add_feed(url)
        except FeedError as exc:
            failed += not known
            return f"skipped {url}: {exc}"
        finally:
            shown.update()
        return f"added {status.id}: {status.title} — {status.items} items"

    with bar("adding", total=len(entries), unit=" feeds") as shown:
        lines = await asyncio.gather(*(one(entry.url) for entry in entries))
    out.write("\n".join([*lines, f"{len(entries)} feeds in the OPML file"]) + "\n")
    return 1 if failed else 0  # like `import`: the rest is added, the exit code tells
