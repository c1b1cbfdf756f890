"""Argument types the subcommands share, so a bad value is argparse's one-line error (exit 2)."""

from __future__ import annotations

import argparse


def positive(text: str) -> int:
    """Return a count of at least 1; a zero or negative count is an error, not "all" or "one"."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, not {text!r}")
    return value
