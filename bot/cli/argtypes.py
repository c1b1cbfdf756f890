"""Argument types the subcommands share, so a bad value is argparse's one-line error (exit 2)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.feeds.service import MIN_INTERVAL_MINUTES


def positive(text: str) -> int:
    """Return a count of at least 1; a zero or negative count is an error, not "all" or "one"."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text!r}")
    return value


def directory(text: str) -> Path:
    """Return a directory path; an empty one is an error, not the current directory.

    `--data-dir "$DATA"` with DATA unset passes "", and Path("") is "." : the data would be
    written into whatever directory the command ran in.
    """
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty (an unset variable?); name a directory")
    return Path(text)


MAX_INTERVAL_MINUTES = 7 * 24 * 60  # a feed polled less than weekly is no news feed


def interval(text: str) -> int:
    """Return a poll interval in minutes, from 5 to a week; 0 is not "the default"."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not MIN_INTERVAL_MINUTES <= value <= MAX_INTERVAL_MINUTES:
        raise argparse.ArgumentTypeError(
            f"minutes from {MIN_INTERVAL_MINUTES} to {MAX_INTERVAL_MINUTES} (a week), not {text!r}"
        )
    return value
