"""What the feed service reports: a feed's status, one poll's result, and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.feeds.registry import FeedRecord
from bot.models import Article, to_iso


class FeedError(Exception):
    """A feed could not be added or polled; the message is one line for the admin."""


@dataclass(frozen=True)
class FeedStatus:
    """A feed as admins see it in `/feeds` and `newsbrief feeds list`."""

    id: str
    url: str
    title: str
    active: bool
    interval_minutes: int
    last_fetch: datetime | None
    last_success: datetime | None
    last_status: str
    last_error: str | None
    items: int
    articles: int
    next_poll: datetime | None
    failures: int
    note: str | None
    first_failure: datetime | None = None  # when the current run of failures began

    @property
    def unreachable_since(self) -> datetime | None:
        """Return when the feed started failing, while it still fails."""
        return self.first_failure if self.failures else None

    @classmethod
    def from_record(cls, record: FeedRecord) -> FeedStatus:
        """Return the status view of a stored feed."""
        return cls(
            id=record.id,
            url=record.url,
            title=record.title or record.url,
            active=record.active,
            interval_minutes=record.interval // 60,
            last_fetch=record.last_fetch,
            last_success=record.last_success,
            last_status=record.last_status,
            last_error=record.last_error,
            items=record.items,
            articles=record.articles,
            next_poll=record.next_poll if record.active else None,
            failures=record.failures,
            note=record.note,
            first_failure=record.first_failure,
        )

    def to_json(self) -> dict[str, object]:
        """Return a JSON-ready dict (times as ISO 8601 UTC)."""
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "active": self.active,
            "interval_minutes": self.interval_minutes,
            "last_fetch": to_iso(self.last_fetch),
            "last_success": to_iso(self.last_success),
            "last_status": self.last_status,
            "last_error": self.last_error,
            "items": self.items,
            "articles": self.articles,
            "next_poll": to_iso(self.next_poll),
            "failures": self.failures,
            "first_failure": to_iso(self.first_failure),
            "note": self.note,
        }


@dataclass(frozen=True)
class PollResult:
    """What one poll of one feed did."""

    feed_id: str
    url: str
    title: str
    outcome: str  # "new" | "unchanged" | "not modified" | "error" | "skipped"
    added: list[Article] = field(default_factory=list)
    duplicates: int = 0
    items: int = 0
    error: str | None = None
    warning: str | None = None
    seconds: float = 0.0  # fetch and parse, waiting for a free slot for the host included

    @property
    def not_modified(self) -> bool:
        """Return True when the server answered 304 Not Modified."""
        return self.outcome == "not modified"

    def summary(self) -> str:
        """Return one line saying what the poll did."""
        name = self.title or self.url
        if self.outcome == "error":
            return f"{self.feed_id} {name}: error: {self.error}"
        if self.outcome == "skipped":
            return f"{self.feed_id} {name}: skipped ({self.error or 'not due'})"
        if self.outcome == "not modified":
            return f"{self.feed_id} {name}: not modified (304)"
        line = f"{self.feed_id} {name}: {len(self.added)} new, {self.duplicates} already known"
        return f"{line} (warning: {self.warning})" if self.warning else line
