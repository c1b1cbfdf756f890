"""Options that cannot go together: refused (exit 2), not silently dropped."""

from __future__ import annotations

import argparse


def conflict(args: argparse.Namespace) -> str | None:
    """Return `newsbrief CMD: why` when the options asked for are not all honoured, else None.

    An option dropped without a word answers another question than the one asked: a query
    beside --batch was never searched, --top beside --summaries never cut the list.
    """
    if args.command == "search" and args.batch and " ".join(args.query).strip():
        return "newsbrief search: give a QUERY or --batch FILE, not both"
    if args.command != "stories":
        return None
    if args.summaries and not args.batch:
        return "newsbrief stories: --summaries goes with --batch FILE.jsonl"
    if args.batch and args.summaries and args.top is not None:
        return "newsbrief stories: --batch takes --top N or --summaries, not both"
    if args.batch and args.since is not None:
        return "newsbrief stories: --since is for stored stories; --batch takes the file's"
    return None
