"""RSS/Atom documents to article drafts, through feedparser: used by `import` and the poller."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from bot.models import ArticleDraft
from bot.textclean import html_to_text


@dataclass
class ParsedFeed:
    """What a feed document held: its title, its items, and problems met on the way."""

    title: str
    drafts: list[ArticleDraft] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    is_feed: bool = True
    problem: str | None = None


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    return None


def _entry_body(entry: Any) -> str:
    contents = entry.get("content") or []
    best = max((c.get("value", "") for c in contents), key=len, default="")
    summary = entry.get("summary", "") or ""
    return html_to_text(best if len(best) > len(summary) else summary)


def entry_to_draft(entry: Any, *, source: str, fetched_at: datetime) -> ArticleDraft | None:
    """Return the draft for one feed entry, or None when it has neither title nor text."""
    title = html_to_text(entry.get("title", "") or "")
    body = _entry_body(entry)
    if not title and not body:
        return None
    link = (entry.get("link") or "").strip() or None
    return ArticleDraft(
        title=title or body[:80],
        body=body,
        url=link,
        published=_entry_time(entry) or fetched_at,
        source=source,
        guid=(entry.get("id") or "").strip() or None,
    )


def parse_feed(data: bytes, *, fetched_at: datetime, source: str | None = None) -> ParsedFeed:
    """Parse a feed document; a document that is no feed comes back with is_feed False."""
    parsed = feedparser.parse(data)
    feed_title = html_to_text(parsed.feed.get("title", "") or "")
    version = parsed.get("version", "")
    result = ParsedFeed(title=feed_title)
    if not version and not parsed.entries:
        result.is_feed = False
        reason = parsed.get("bozo_exception")
        result.problem = (
            f"not an RSS or Atom feed ({reason})" if reason else "not an RSS or Atom feed"
        )
        return result
    if parsed.get("bozo"):
        # feedparser recovers from most damage (wrong encoding, stray markup); keep the items.
        result.problem = str(parsed.get("bozo_exception", "malformed feed"))
    name = source or feed_title or "feed"
    for index, entry in enumerate(parsed.entries, start=1):
        draft = entry_to_draft(entry, source=name, fetched_at=fetched_at)
        if draft is None:
            result.skipped.append(f"item {index}: no title and no text")
        else:
            result.drafts.append(draft)
    return result
