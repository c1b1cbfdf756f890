"""JSON Feed documents (jsonfeed.org, versions 1 and 1.1) read into feedparser's entry shape.

feedparser reads no JSON. Each item becomes the dict feedparser gives for an RSS or Atom
entry (title, link, id, content, summary, published, updated), so bot.ingest.feedparse makes
its draft the one way: the same dates, bodies, titles and guids. Only content_html is HTML;
JSON Feed's other text is plain, and is escaped so that "<b>" or "&amp;" in it stays text.
A field of the wrong type counts as absent: one odd field must not cost the item or the feed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import orjson

# The Content-Types a JSON Feed is served with (1.1's own, and 1.0's).
JSON_TYPES = frozenset({"application/feed+json", "application/json"})
_VERSION = re.compile(r"https?://jsonfeed\.org/version/")
_LEAD = b" \t\r\n\xef\xbb\xbf"  # whitespace and the UTF-8 byte order mark before a document


class NotJsonFeed(ValueError):
    """A JSON document that is no JSON Feed, or no JSON at all; the message says which."""


@dataclass
class JsonFeed:
    """A JSON Feed's title (as HTML, like feedparser's), addresses, and items as entries."""

    title: str
    home: str | None  # home_page_url, absolute
    address: str | None  # feed_url, absolute
    # Each item as a feedparser-shaped entry, or the reason it could not be read.
    entries: list[dict[str, Any] | str] = field(default_factory=list)


def is_json(data: bytes, content_type: str | None) -> bool:
    """Return True for a document to read as JSON: it starts like JSON, or is served as JSON.

    An XML feed starts with "<", so a server that calls its RSS "application/json" is not
    believed; an RSS or Atom feed never starts with "{" or "[".
    """
    start = data[:64].lstrip(_LEAD)[:1]
    if start in (b"{", b"["):
        return True
    kind = (content_type or "").split(";")[0].strip().lower()
    return start != b"<" and (kind in JSON_TYPES or kind.endswith("+json"))


def read_json_feed(data: bytes, location: str | None) -> JsonFeed:
    """Return the feed's title, addresses and entries; raise NotJsonFeed with the reason."""
    try:
        # JSON Feed is UTF-8; a stray byte of another encoding costs one character, not the feed.
        doc = orjson.loads(data.lstrip(_LEAD).decode("utf-8", errors="replace"))
    except orjson.JSONDecodeError as exc:
        raise NotJsonFeed(f"invalid JSON: {exc}") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or not _VERSION.match(version):
        raise NotJsonFeed("no jsonfeed.org version")
    items = doc.get("items")
    if not isinstance(items, list):
        raise NotJsonFeed('its "items" is not a list')
    home = _web_url(location, doc.get("home_page_url"))
    address = _web_url(location, doc.get("feed_url"))
    # Item links are read against the site (as Miniflux does), else where the feed came from.
    base = home or location or address
    entries = [
        _entry(item, base) if isinstance(item, dict) else "not a JSON object" for item in items
    ]
    return JsonFeed(_plain(doc.get("title")), home, address, entries)


def _plain(value: Any) -> str:
    """Return plain text as HTML (feedparser's text is HTML); anything but a string is ""."""
    return html.escape(value, quote=False) if isinstance(value, str) else ""


def _url(base: str | None, value: Any) -> str | None:
    """Return value read against base, or None when it is no string or no valid URL."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return urljoin(base or "", value.strip())
    except ValueError:  # "http://[::1" and other addresses urlsplit refuses
        return None


def _web_url(base: str | None, value: Any) -> str | None:
    """Return an absolute http(s) URL, or None."""
    found = _url(base, value)
    return found if found and found.lower().startswith(("http://", "https://")) else None


def _id(value: Any) -> str | None:
    """Return an item's id: a string, or a number as many version 1 feeds write it."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _entry(item: dict[str, Any], base: str | None) -> dict[str, Any]:
    """Return the feedparser-shaped entry of one item."""
    markup = item.get("content_html")
    body = (
        markup if isinstance(markup, str) and markup.strip() else _plain(item.get("content_text"))
    )
    entry: dict[str, Any] = {
        "title": _plain(item.get("title")),
        "summary": _plain(item.get("summary")),
        "content": [{"value": body}],
        "link": _url(base, item.get("url")) or _url(base, item.get("external_url")),
        "id": _id(item.get("id")),
    }
    for key, name in (("date_published", "published"), ("date_modified", "updated")):
        if isinstance(item.get(key), str):
            entry[name] = item[key]
    return entry
