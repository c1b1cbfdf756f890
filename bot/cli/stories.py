"""`newsbrief stories`: the top stories of the archive, or clustering of a JSON Lines batch."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import timedelta
from typing import Any, TextIO

import orjson

from bot.cli.argtypes import positive
from bot.i18n import Translator
from bot.models import Story, utcnow
from bot.render.stories import sources_line
from bot.services import Services
from bot.stories import BatchInputError, cluster_lines, summary_lines, top_lines

_SINCE = re.compile(r"([1-9][0-9]{0,3})([hd])")
DEFAULT_TOP = 10
DEFAULT_SINCE = "24h"


def add_stories_parser(sub: Any) -> None:
    """Add the `stories` subcommand."""
    stories = sub.add_parser(
        "stories", help="the most important stories, or --batch: cluster a JSONL file"
    )
    stories.add_argument("--since", help="period: Nh or Nd (default 24h)")
    stories.add_argument("--json", action="store_true")
    stories.add_argument("--batch", metavar="FILE.jsonl", help="cluster a file; nothing is stored")
    stories.add_argument(
        "--top", type=positive, metavar="N", help="print the N top stories instead"
    )
    stories.add_argument(
        "--summaries",
        action="store_true",
        help="with --batch: every story, largest first, with its headline and summary",
    )
    stories.add_argument(
        "--lang",
        default="en",
        metavar="CODE",
        help="the reader's language: each story's headline (and summary) in it when it has one",
    )


def parse_since(text: str) -> timedelta:
    """Parse `24h` or `7d` into a period; ValueError otherwise."""
    match = _SINCE.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(f"--since takes hours or days like 24h or 7d, not {text!r}")
    amount = int(match[1])
    return timedelta(hours=amount) if match[2] == "h" else timedelta(days=amount)


def cmd_stories_batch(args: argparse.Namespace, out: TextIO) -> int:
    """Cluster a JSONL batch in file order; one {"id","story"} line each, the --top N, or
    --summaries."""
    try:
        with open(args.batch, "rb") as fh:
            if args.summaries:
                for story in summary_lines(fh, _lang(args)):
                    out.write(orjson.dumps(story).decode() + "\n")
            elif args.top is not None:
                for story in top_lines(fh, args.top):
                    out.write(orjson.dumps(story).decode() + "\n")
            else:
                for line in cluster_lines(fh):
                    out.write(orjson.dumps(line).decode() + "\n")
    except BatchInputError as exc:
        print(f"newsbrief stories: {args.batch}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"newsbrief stories: cannot read {args.batch}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0


def cmd_stories(services: Services, args: argparse.Namespace, out: TextIO) -> int:
    """Print the top stories of the period (as of the newest article when none is that recent)."""
    try:
        period = parse_since(args.since or DEFAULT_SINCE)
    except ValueError as exc:
        print(f"newsbrief stories: {exc}", file=sys.stderr)
        return 2
    now = utcnow()
    top = args.top or DEFAULT_TOP
    # One language for every line: a story of English and Russian reports has two headlines.
    lang = _lang(args)
    ranked = services.stories.top(now, period, limit=top, lang=lang)
    newest = services.stories.newest()
    if not ranked and newest is not None and newest < now - period:
        ranked = services.stories.top(newest, period, limit=top, lang=lang)
    if args.json:
        out.write(orjson.dumps([_shape(s) for s in ranked]).decode() + "\n")
        return 0
    english = Translator.english()  # the CLI speaks English (its help and errors do)
    for number, story in enumerate(ranked, start=1):
        out.write(
            f"{number}. {story.headline}\n   {sources_line(story, tr=english)} · {story.id}\n"
        )
    return 0


def _lang(args: argparse.Namespace) -> str:
    """Return the reader's language code of --lang ("ru-RU" is "ru"; empty is English)."""
    return str(args.lang).strip().lower().split("-")[0] or "en"


def _shape(story: Story) -> dict[str, Any]:
    return {
        "story": story.id,
        "headline": story.headline,
        "sources": story.source_count,
        "source_names": list(story.sources),
        "first_seen": story.first_seen.isoformat(),
        "last_updated": story.last_updated.isoformat(),
        "score": round(story.score, 4),
        "size": story.size,
        "articles": [a.id for a in story.articles],  # the newest VIEW_ARTICLES
        "url": story.best.url,
    }
