"""RSS, Atom and JSON Feed documents to article drafts: used by `import` and the poller.

RSS and Atom are read by feedparser, JSON Feed by bot.ingest.jsonfeed into feedparser's
entry shape; from there one path makes the drafts.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from bot.ingest.dates import EARLIEST, localized_date, no_date
from bot.ingest.jsonfeed import NotJsonFeed, is_json, read_json_feed
from bot.models import ArticleDraft
from bot.text.clean import html_to_text, one_line

# feedparser and dateparser (bot.ingest.dates) are imported where a feed is parsed: together
# about half a second, which every start of the bot paid before polling although it parses
# feeds only later.

# What a web page's <link rel="alternate" type=…> names when it points to a feed we read. Not
# plain application/json, which JSON Feed 1.0 used: WordPress links every page to its REST API so.
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
)
NOT_A_FEED = "not an RSS, Atom or JSON feed"

# A gzipped document sent without Content-Encoding (a static host's upload) is inflated up to
# the fetcher's cap on a response (FetchSettings.max_bytes), so no bomb gets past it this way.
MAX_INFLATED = 5 * 1024 * 1024

# A URI's scheme: a guid that starts with one ("tag:", "urn:", "https:") is meant to be unique.
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")

# A numeric character reference that may name a surrogate or pass U+10FFFF (a feed written
# all in references, "&#1055;", meets no callback); the `;` is optional to feedparser too.
_CHAR_REF = re.compile(
    rb"&#(?:[xX]0*([dD][89a-fA-F][0-9a-fA-F]{2}|[0-9a-fA-F]{5,})|0*([0-9]{5,}));?"
)


def _no_character(match: re.Match[bytes]) -> bytes:
    """Return U+FFFD's reference for a reference to a surrogate or past U+10FFFF, else as is."""
    hexa, decimal = match.groups()
    if len(hexa or decimal) > 8:  # past U+10FFFF anyway; int() refuses over 4,300 digits
        return b"&#xFFFD;"
    code = int(hexa, 16) if hexa else int(decimal)
    return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else match.group()


@dataclass
class ParsedFeed:
    """What a feed document held: its title, its items, and problems met on the way."""

    title: str
    drafts: list[ArticleDraft] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    is_feed: bool = True
    problem: str | None = None


def import_parsers() -> None:
    """Import feedparser and dateparser now (the feed parser's child, before its first parse)."""
    import dateparser.date  # noqa: F401
    import feedparser  # noqa: F401


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: FeedParserDict maps a missing updated_parsed to published_parsed with a
        # DeprecationWarning; the canonical keys are plain dict entries.
        parsed = dict.get(entry, key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if isinstance(raw, str) and raw.strip():
            moment = localized_date(raw)
            if moment is not None:
                return moment
    return None


def _entry_body(entry: Any) -> str:
    contents = entry.get("content") or []
    best = max((c.get("value", "") for c in contents), key=len, default="")
    summary = entry.get("summary", "") or ""
    return html_to_text(best if len(best) > len(summary) else summary)


def _first_words(text: str, limit: int) -> str:
    """Return text, or its words that fit `limit` characters and "…": a title for an untitled item."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if not text[limit].isspace() and " " in cut:  # a word would be cut in two: drop it
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def entry_to_draft(entry: Any, *, source: str, fetched_at: datetime) -> ArticleDraft | None:
    """Return the draft for one feed entry, or None when it has neither title nor text."""
    title = one_line(html_to_text(entry.get("title", "") or ""))  # as an imported line's
    body = _entry_body(entry)
    if not title and not body:
        return None
    link = (entry.get("link") or "").strip() or None
    published = _entry_time(entry)
    if published is not None and (
        published > fetched_at or published < EARLIEST or no_date(published)
    ):
        # A date in the future is a publisher's clock or time-zone slip; it would pin the item
        # to the top of every list, so it counts as "now". So does a placeholder like year 1
        # or time 0, which would sink it below every list.
        published = fetched_at
    return ArticleDraft(
        title=title or _first_words(one_line(body), 80),
        body=body,
        url=link,
        published=published or fetched_at,
        source=source,
        guid=(entry.get("id") or "").strip() or None,
    )


def _inflated(data: bytes) -> bytes | None:
    """Return a gzipped document inflated (None when past MAX_INFLATED), others as they are."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, MAX_INFLATED + 1)
    except zlib.error:
        return data  # only looked like gzip: parsed as it came
    return None if len(out) > MAX_INFLATED else out


def linked_feed(data: bytes, location: str | None) -> str | None:
    """Return the feed a web page names in <link rel="alternate">, or None."""
    try:
        page = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError):
        return None
    for link in page.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = str(link.get("href") or "").strip()
        feed = urljoin(location or "", href)
        if "alternate" in rel and kind in FEED_TYPES and feed.startswith(("http://", "https://")):
            return feed
    return None


def _own_guids(drafts: list[ArticleDraft], location: str | None) -> list[ArticleDraft]:
    """Return drafts whose guids each name one item of this feed, or are dropped.

    A guid the document gives to items with different links (a feed that puts its home
    page's address on every item) is dropped: the store would keep only the first item. A
    guid that is no URI ("12345" with isPermaLink="false") gets the feed's address in front:
    the store compares guids across all feeds, and other sites number their items too.
    """
    items: defaultdict[str, set[str]] = defaultdict(set)
    for draft in drafts:
        if draft.guid:
            items[draft.guid].add(draft.url or draft.title)
    shared = {guid for guid, found in items.items() if len(found) > 1}
    own = []
    for draft in drafts:
        guid = None if draft.guid in shared else draft.guid
        if guid and location and not _SCHEME.match(guid):
            guid = f"{location}#{guid}"
        own.append(draft if guid == draft.guid else dataclasses.replace(draft, guid=guid))
    return own


def parse_feed(
    data: bytes,
    *,
    fetched_at: datetime,
    source: str | None = None,
    content_type: str | None = None,
    location: str | None = None,
) -> ParsedFeed:
    """Parse a feed document; a document that is no feed comes back with is_feed False.

    content_type is the HTTP Content-Type header, whose charset feedparser weighs
    against the document's own declaration; location is the URL the document came from,
    against which relative item links are read.
    """
    inflated = _inflated(data)
    if inflated is None:
        too_big = f"response larger than {MAX_INFLATED // (1024 * 1024)} MB cap"
        return ParsedFeed(title="", is_feed=False, problem=too_big)
    if is_json(inflated, content_type):
        try:
            feed = read_json_feed(inflated, location)
        except NotJsonFeed as exc:
            return ParsedFeed(title="", is_feed=False, problem=f"{NOT_A_FEED} ({exc})")
        result = ParsedFeed(title=one_line(html_to_text(feed.title)))
        # A file imported has no address it came from: its feed_url says it.
        home = location or feed.address or feed.home or ""
        return _with_drafts(result, feed.entries, source, home, fetched_at)
    return _parse_xml(inflated, fetched_at, source, content_type, location)


def _parse_xml(
    data: bytes,
    fetched_at: datetime,
    source: str | None,
    content_type: str | None,
    location: str | None,
) -> ParsedFeed:
    import feedparser

    headers = {"content-type": content_type} if content_type else {}
    if location:
        # feedparser's base for relative links, and for permalink guids ("12345" becomes one
        # URL of this feed, so another feed's "12345" is no duplicate of it).
        headers["content-location"] = location
    # feedparser's chr() raises on such a reference, which cost the whole feed.
    data = _CHAR_REF.sub(_no_character, data)
    parsed = feedparser.parse(data, response_headers=headers)
    result = ParsedFeed(title=one_line(html_to_text(parsed.feed.get("title", "") or "")))
    if not parsed.get("version", "") and not parsed.entries:
        result.is_feed = False
        reason = parsed.get("bozo_exception")
        result.problem = f"{NOT_A_FEED} ({reason})" if reason else NOT_A_FEED
        if (feed := linked_feed(data, location)) is not None:  # a site's page, not its feed
            result.problem = f"not an RSS, Atom or JSON feed; the page links to its feed: {feed}"
        return result
    if parsed.get("bozo"):
        # feedparser recovers from most damage (wrong encoding, stray markup); keep the items.
        result.problem = str(parsed.get("bozo_exception", "malformed feed"))
    # A file imported has no address it came from: its channel's link names the site as well.
    home = location or str(parsed.feed.get("link") or "").strip()
    return _with_drafts(result, parsed.entries, source, home, fetched_at)


def _with_drafts(
    result: ParsedFeed, entries: list[Any], source: str | None, home: str, fetched_at: datetime
) -> ParsedFeed:
    """Return result with a draft of each entry (a string in place of one says why it is none)."""
    name = source or result.title or "feed"
    for index, entry in enumerate(entries, start=1):
        if isinstance(entry, str):
            result.skipped.append(f"item {index}: {entry}")
        elif (draft := entry_to_draft(entry, source=name, fetched_at=fetched_at)) is None:
            result.skipped.append(f"item {index}: no title and no text")
        else:
            result.drafts.append(draft)
    web = home.lower().startswith(("http://", "https://"))
    result.drafts = _own_guids(result.drafts, home if web else None)
    return result
