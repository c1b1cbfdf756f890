"""The feed documents the feed tests serve and parse: generated feeds (also a big one), a gzip
bomb, and small hand-written RSS."""

from __future__ import annotations

import functools
import gzip
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

BIG_ITEMS = 1_000
BASE_TIME = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def generate_feed(number: int, items: int = 20, *, version: int = 0) -> bytes:
    """Return RSS 2.0 feed `number` with `items` items; `version` shifts in newer items."""
    entries = []
    for k in range(version, version + items):
        when = format_datetime(BASE_TIME + timedelta(minutes=k), usegmt=True)
        entries.append(
            f"<item><title>Feed {number} story {k}: &lt;b&gt;news&lt;/b&gt;</title>"
            f"<link>http://news{number}.example/story/{k}</link>"
            f"<guid>urn:feed{number}:story{k}</guid><pubDate>{when}</pubDate>"
            f"<description>&lt;p&gt;Story {k} of feed {number} says what happened, "
            f"with enough words to be a summary of its own.&lt;/p&gt;</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Generated feed {number}</title><link>http://news{number}.example/</link>"
        f"<description>test feed</description>{''.join(reversed(entries))}</channel></rss>"
    ).encode()


@functools.cache
def big_feed(items: int = BIG_ITEMS) -> bytes:
    """Return an RSS 2.0 feed of `items` items with long bodies (about 1 KB each)."""
    filler = " ".join(
        f"Paragraph {n} of the long report goes on about the matter." for n in range(16)
    )
    entries = "".join(
        f"<item><title>Long report {k}</title><link>http://big.example/report/{k}</link>"
        f"<guid>urn:big:{k}</guid>"
        f"<pubDate>{format_datetime(BASE_TIME - timedelta(hours=k), usegmt=True)}</pubDate>"
        f"<description>Report {k}. {filler}</description></item>"
        for k in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Big feed</title><link>http://big.example/</link>{entries}</channel></rss>"
    ).encode()


@functools.cache
def gzip_bomb() -> bytes:
    """Return 8 KB of gzip that inflates to 8 MB."""
    return gzip.compress(b"<rss>" + b" " * (8 * 1024 * 1024))


def rss(title: str, items: list[dict[str, str]], *, encoding: str = "utf-8") -> bytes:
    """Return a small RSS 2.0 document; each item dict maps element names to raw XML text."""
    body = "".join(
        "<item>" + "".join(f"<{k}>{v}</{k}>" for k, v in item.items()) + "</item>" for item in items
    )
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.org/</link>{body}</channel></rss>"
    )
    return text.encode(encoding)


@dataclass
class Document:
    """A body the server serves at a path, with its validators."""

    body: bytes
    content_type: str = "application/rss+xml"
    etag: str | None = None
    last_modified: str | None = None


def validators_of(body: bytes) -> tuple[str, str]:
    etag = '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'
    return etag, format_datetime(BASE_TIME, usegmt=True)
