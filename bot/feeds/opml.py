"""OPML, the subscription-list format feed readers exchange: read feed URLs, write our list."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

from bot.feeds.registry import feed_key
from bot.feeds.status import FeedStatus

MAX_OPML_BYTES = 2 * 1024 * 1024
# Characters XML 1.0 cannot carry at all (ElementTree writes them and the file is then broken):
# C0 controls other than tab/newline/CR, surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class OpmlError(Exception):
    """The file is not an OPML subscription list; the message says why."""


@dataclass(frozen=True)
class OpmlFeed:
    """One feed outline: its URL and the title the list gave it."""

    url: str
    title: str


def parse_opml(data: bytes) -> list[OpmlFeed]:
    """Return the feeds of an OPML document, nested folders included, each feed once."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError("the OPML file is larger than 2 MB")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        # OPML never needs a DTD; refusing one rules out entity-expansion bombs.
        raise OpmlError("OPML with a DOCTYPE or entities is not accepted")
    try:
        root = ET.fromstring(data)  # noqa: S314 - DTDs refused above, expat fetches nothing
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML ({exc})") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"not an OPML document (root element <{root.tag}>)")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        # Compared as the registry compares them: the feeds are added in parallel, so two
        # spellings of one would both pass its "already added" check and overwrite each other.
        if url and feed_key(url) not in seen:
            seen.add(feed_key(url))
            title = outline.get("title") or outline.get("text") or ""
            feeds.append(OpmlFeed(url, title.strip()))
    return feeds


def to_opml(feeds: list[FeedStatus], *, now: datetime) -> str:
    """Return an OPML 2.0 document listing the feeds."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "newsbrief feeds"
    ET.SubElement(head, "dateCreated").text = now.strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = ET.SubElement(root, "body")
    for feed in feeds:
        title, url = _NOT_XML.sub("", feed.title), _NOT_XML.sub("", feed.url)
        ET.SubElement(body, "outline", type="rss", text=title, title=title, xmlUrl=url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
