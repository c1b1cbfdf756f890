"""Poll one feed: conditional fetch, parse, optional full text, store, and remember the outcome."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.feedparse import ParsedFeed, parse_feed
from bot.feeds.fetcher import Fetcher, FetchError, FetchResult
from bot.feeds.fulltext import FullText
from bot.feeds.registry import FeedRecord
from bot.feeds.status import PollResult
from bot.store import ArticleStore

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
DEACTIVATE_AFTER = timedelta(days=3)  # failing this long (and at least MIN_FAILURES times)
MIN_FAILURES = 5


@dataclass(frozen=True)
class Backoff:
    """When to retry a failing feed, and when to give up on it."""

    max_delay: timedelta = MAX_BACKOFF
    deactivate_after: timedelta = DEACTIVATE_AFTER
    min_failures: int = MIN_FAILURES

    def delay(self, interval: int, failures: int) -> timedelta:
        """Return the wait before the next try: the interval doubled per consecutive failure."""
        exponent = min(failures, 20)  # 2**20 intervals exceeds any max_delay; avoids huge ints
        return min(timedelta(seconds=interval * 2**exponent), self.max_delay)

    def gives_up(self, record: FeedRecord, now: datetime) -> bool:
        """Return True when the feed has failed long and often enough to be deactivated."""
        return (
            record.first_failure is not None
            and record.failures >= self.min_failures
            and now - record.first_failure >= self.deactivate_after
        )


def is_due(record: FeedRecord, now: datetime) -> bool:
    """Return True when a scheduled tick should poll the feed (not backing off)."""
    if record.next_poll is None:
        return True
    # Ticks come every interval; a little slack keeps a tick a few ms early from being skipped.
    slack = timedelta(seconds=min(60.0, record.interval * 0.1))
    return now >= record.next_poll - slack


class Poller:
    """Everything one poll needs; holds no per-feed state of its own."""

    def __init__(
        self,
        fetcher: Fetcher,
        store: ArticleStore,
        clock: Callable[[], datetime],
        fulltext: FullText | None,
        backoff: Backoff,
    ) -> None:
        self.fetcher = fetcher
        self.store = store
        self.clock = clock
        self.fulltext = fulltext
        self.backoff = backoff

    async def fetch_and_parse(self, record: FeedRecord) -> tuple[FetchResult, ParsedFeed | None]:
        """Fetch the feed (conditionally) and parse it; a 304 has no parsed document."""
        fetched = await self.fetcher.fetch(
            record.url, etag=record.etag, last_modified=record.last_modified
        )
        if fetched.not_modified:
            return fetched, None
        parsed = await asyncio.to_thread(
            parse_feed, fetched.body, fetched_at=self.clock(), content_type=fetched.content_type
        )
        return fetched, parsed

    async def poll(self, record: FeedRecord) -> PollResult:
        """Poll the feed once and update record in place; never raises for a bad feed."""
        now = self.clock()
        record.last_fetch = now
        try:
            fetched, parsed = await self.fetch_and_parse(record)
        except FetchError as exc:
            return self.fail(record, str(exc), now)
        if parsed is None:
            self._succeed(record, now, "not modified")
            return PollResult(record.id, record.url, record.title, "not modified", items=0)
        if not parsed.is_feed:
            return self.fail(record, parsed.problem or "not an RSS or Atom feed", now)
        return await self.store_parsed(record, fetched, parsed, now)

    async def store_parsed(
        self, record: FeedRecord, fetched: FetchResult, parsed: ParsedFeed, now: datetime
    ) -> PollResult:
        """Add the parsed items to the store and record the successful poll."""
        drafts = parsed.drafts
        if self.fulltext is not None:
            drafts = await self.fulltext.enrich(drafts)
        added = self.store.add_many(drafts)
        record.title = parsed.title or record.title
        record.etag, record.last_modified = fetched.etag, fetched.last_modified
        record.items = len(parsed.drafts)
        record.articles += len(added.added)
        status = f"{len(added.added)} new of {len(parsed.drafts)} items"
        warning = parsed.problem
        if warning:
            status += f" (warning: {warning})"
        self._succeed(record, now, status)
        outcome = "new" if added.added else "unchanged"
        return PollResult(
            record.id,
            record.url,
            record.title,
            outcome,
            added=added.added,
            duplicates=added.duplicates,
            items=len(parsed.drafts),
            warning=warning,
        )

    def _succeed(self, record: FeedRecord, now: datetime, status: str) -> None:
        record.last_success = now
        record.last_status = status
        record.last_error = None
        record.failures = 0
        record.first_failure = None
        record.next_poll = now + timedelta(seconds=record.interval)

    def fail(self, record: FeedRecord, reason: str, now: datetime) -> PollResult:
        """Record a failed poll: back off, and deactivate a feed failing for days."""
        record.failures += 1
        record.first_failure = record.first_failure or now
        record.last_error = reason
        record.last_status = f"error: {reason}"
        record.next_poll = now + self.backoff.delay(record.interval, record.failures)
        if self.backoff.gives_up(record, now):
            record.active = False
            since = record.first_failure
            record.note = f"deactivated: failing since {since:%Y-%m-%d %H:%M} UTC ({reason})"
            record.next_poll = None
        log.info("feed %s (%s) failed: %s", record.id, record.url, reason)
        return PollResult(record.id, record.url, record.title, "error", error=reason)
