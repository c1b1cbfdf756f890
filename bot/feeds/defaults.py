"""The feed list a new data directory starts with: default_feeds.opml, shipped in the package.

A newcomer's bot should bring news from its first start; the list is OPML so it can be read,
edited and swapped (NEWSBRIEF_DEFAULT_FEEDS=FILE.opml) with the same parser as `feeds import`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from bot.feeds.opml import OpmlFeed, parse_opml

DEFAULT_OPML = "default_feeds.opml"


def default_feeds(opml: Path | None = None) -> list[OpmlFeed]:
    """Return the feeds of `opml`, or of the built-in list when None; OpmlError when malformed."""
    if opml is None:
        data = resources.files("bot.feeds").joinpath(DEFAULT_OPML).read_bytes()
    else:
        data = opml.read_bytes()
    return parse_opml(data)
