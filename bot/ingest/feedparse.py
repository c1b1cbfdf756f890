"""RSS/Atom documents to article drafts, through feedparser: used by `import` and the poller."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from bot.models import ArticleDraft
from bot.text.clean import html_to_text, parse_date

# Month names of the feeds we meet that are not English (pt, es, de, fr, it), first three
# letters without accents; feedparser only knows English RFC 822 names.
_MONTHS = {
    "jan": "Jan", "fev": "Feb", "feb": "Feb", "mar": "Mar", "abr": "Apr", "avr": "Apr",
    "apr": "Apr", "mai": "May", "may": "May", "mag": "May", "jun": "Jun", "juin": "Jun",
    "giu": "Jun", "jul": "Jul", "juil": "Jul", "lug": "Jul", "ago": "Aug", "aug": "Aug",
    "aou": "Aug", "set": "Sep", "sep": "Sep", "out": "Oct", "oct": "Oct", "okt": "Oct",
    "ott": "Oct", "nov": "Nov", "dez": "Dec", "dic": "Dec", "dec": "Dec",
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+\.?", re.UNICODE)
_DAY_PREFIX = re.compile(r"^\s*[^\W\d_]+\.?,\s*", re.UNICODE)


@dataclass
class ParsedFeed:
    """What a feed document held: its title, its items, and problems met on the way."""

    title: str
    drafts: list[ArticleDraft] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    is_feed: bool = True
    problem: str | None = None


def _fold(word: str) -> str:
    plain = unicodedata.normalize("NFKD", word.lower().rstrip("."))
    return "".join(c for c in plain if not unicodedata.combining(c))


def localized_date(text: str) -> datetime | None:
    """Parse an RFC 822 date written with non-English day and month names ("Seg, 24 Set 2018")."""
    without_day = _DAY_PREFIX.sub("", text)
    words = {m.group(0) for m in _WORD.finditer(without_day)}
    for word in words:
        folded = _fold(word)
        month = _MONTHS.get(folded[:4]) or _MONTHS.get(folded[:3])
        if month:
            without_day = without_day.replace(word, month, 1)
    return parse_date(without_day)


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


def entry_to_draft(entry: Any, *, source: str, fetched_at: datetime) -> ArticleDraft | None:
    """Return the draft for one feed entry, or None when it has neither title nor text."""
    title = html_to_text(entry.get("title", "") or "")
    body = _entry_body(entry)
    if not title and not body:
        return None
    link = (entry.get("link") or "").strip() or None
    published = _entry_time(entry)
    if published is not None and published > fetched_at:
        # A date in the future is a publisher's clock or time-zone slip; it would pin the item
        # to the top of every list, so it counts as "now".
        published = fetched_at
    return ArticleDraft(
        title=title or body[:80],
        body=body,
        url=link,
        published=published or fetched_at,
        source=source,
        guid=(entry.get("id") or "").strip() or None,
    )


def parse_feed(
    data: bytes,
    *,
    fetched_at: datetime,
    source: str | None = None,
    content_type: str | None = None,
) -> ParsedFeed:
    """Parse a feed document; a document that is no feed comes back with is_feed False.

    content_type is the HTTP Content-Type header, whose charset feedparser weighs
    against the document's own declaration.
    """
    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(data, response_headers=headers)
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
