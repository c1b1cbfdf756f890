"""Poll one feed: conditional fetch, parse, optional full text, store, and remember the outcome."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.archive.protocol import ArticleStoreLike
from bot.backoff import JITTER, retry_delay
from bot.feeds.fetcher import Fetcher, FetchError, FetchResult
from bot.feeds.fulltext import FullText
from bot.feeds.parsing import ParseCrashed, ParserPool
from bot.feeds.registry import FeedRecord
from bot.feeds.status import PollResult
from bot.ingest.feedparse import NOT_A_FEED, ParsedFeed
from bot.models import Article, ArticleDraft

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
    jitter: float = JITTER  # feeds that failed together (a network outage) retry spread out

    def delay(self, interval: int, failures: int) -> timedelta:
        """Return the wait before the next try: the interval doubled per consecutive failure."""
        seconds = retry_delay(
            2 * interval, failures, self.max_delay.total_seconds(), jitter=self.jitter
        )
        return timedelta(seconds=seconds)

    def gives_up(self, record: FeedRecord, now: datetime) -> bool:
        """Return True when the feed has failed long and often enough to be deactivated."""
        return (
            record.first_failure is not None
            and record.failures >= self.min_failures
            and now - record.first_failure >= self.deactivate_after
        )


@dataclass(frozen=True)
class Prepared:
    """A feed fetched and parsed, its items ready for the store."""

    record: FeedRecord
    fetched: FetchResult
    parsed: ParsedFeed
    drafts: list[ArticleDraft]
    now: datetime
    seconds: float


def _key(item: ArticleDraft | Article) -> tuple[str, str, str | None, str | None]:
    """Return what ties a stored article back to the draft it came from."""
    return (item.title, item.body, item.url, item.guid)


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
        store: ArticleStoreLike,
        clock: Callable[[], datetime],
        fulltext: FullText | None,
        backoff: Backoff,
        parser: ParserPool,
    ) -> None:
        self.fetcher = fetcher
        self.parser = parser
        self.store = store
        self.clock = clock
        self.fulltext = fulltext
        self.backoff = backoff
        # One document at a time goes to the parser's process (bot/feeds/parsing.py); fetches
        # still overlap.
        self._parsing = asyncio.Semaphore(1)

    async def fetch_and_parse(self, record: FeedRecord) -> tuple[FetchResult, ParsedFeed | None]:
        """Fetch the feed (conditionally) and parse it; a 304 has no parsed document."""
        fetched = await self.fetcher.fetch(
            record.url, etag=record.etag, last_modified=record.last_modified
        )
        if fetched.not_modified:
            return fetched, None
        async with self._parsing:
            parsed = await self.parser.parse(
                fetched.body,
                fetched_at=self.clock(),
                content_type=fetched.content_type,
                location=fetched.url,  # after redirects: where relative links point from
            )
        return fetched, parsed

    async def prepare(self, record: FeedRecord) -> Prepared | PollResult:
        """Fetch, parse and (optionally) complete the items; a final result when nothing to add."""
        now = self.clock()
        started = time.perf_counter()
        record.last_fetch = now
        try:
            fetched, parsed = await self.fetch_and_parse(record)
        except (FetchError, ParseCrashed) as exc:
            wait = exc.retry_after if isinstance(exc, FetchError) else None
            failed = self.fail(record, str(exc), now, wait=wait)
            return replace(failed, seconds=time.perf_counter() - started)
        if parsed is None:
            self._succeed(record, now, "not modified")
            elapsed = time.perf_counter() - started
            return PollResult(record.id, record.url, record.title, "not modified", seconds=elapsed)
        if not parsed.is_feed:
            failed = self.fail(record, parsed.problem or NOT_A_FEED, now)
            return replace(failed, seconds=time.perf_counter() - started)
        drafts = parsed.drafts
        if self.fulltext is not None:
            drafts = await self.fulltext.enrich(drafts)
        return Prepared(record, fetched, parsed, drafts, now, time.perf_counter() - started)

    def commit(self, batch: list[Prepared]) -> list[PollResult]:
        """Add every feed's items to the store in one batch; record each feed's success."""
        drafts = [draft for prepared in batch for draft in prepared.drafts]
        added = self.store.add_many(drafts).added
        owners: dict[tuple[str, str, str | None, str | None], list[int]] = {}
        for index, prepared in enumerate(batch):
            for draft in prepared.drafts:
                owners.setdefault(_key(draft), []).append(index)
        per_feed: list[list[Article]] = [[] for _ in batch]
        for article in added:
            queue = owners.get(_key(article))
            if queue:  # always, unless the store rewrote the text it was given
                per_feed[queue.pop(0)].append(article)
        return [self._record_success(p, new) for p, new in zip(batch, per_feed, strict=True)]

    def _record_success(self, prepared: Prepared, added: list[Article]) -> PollResult:
        record, parsed = prepared.record, prepared.parsed
        record.title = parsed.title or record.title
        record.etag, record.last_modified = prepared.fetched.etag, prepared.fetched.last_modified
        record.items = len(parsed.drafts)
        record.articles += len(added)
        status = f"{len(added)} new of {record.items} items"
        if parsed.problem:
            status += f" (warning: {parsed.problem})"
        self._succeed(record, prepared.now, status)
        return PollResult(
            record.id,
            record.url,
            record.title,
            "new" if added else "unchanged",
            added=added,
            duplicates=record.items - len(added),
            items=record.items,
            warning=parsed.problem,
            seconds=prepared.seconds,
        )

    def _succeed(self, record: FeedRecord, now: datetime, status: str) -> None:
        record.last_success = now
        record.last_status = status
        record.last_error = None
        record.failures = 0
        record.first_failure = None
        record.next_poll = now + timedelta(seconds=record.interval)

    def fail(
        self, record: FeedRecord, reason: str, now: datetime, *, wait: float | None = None
    ) -> PollResult:
        """Record a failed poll: back off (at least `wait` s, capped), deactivate after days."""
        record.failures += 1
        record.first_failure = record.first_failure or now
        record.last_error = reason
        record.last_status = f"error: {reason}"
        delay = self.backoff.delay(record.interval, record.failures)
        if wait is not None:  # the server's Retry-After: asking sooner only earns another 429
            delay = max(delay, min(timedelta(seconds=wait), self.backoff.max_delay))
        record.next_poll = now + delay
        if self.backoff.gives_up(record, now):
            record.active = False
            since = record.first_failure
            record.note = f"deactivated: failing since {since:%Y-%m-%d %H:%M} UTC ({reason})"
            record.next_poll = None
        log.info("feed %s (%s) failed: %s", record.id, record.url, reason)
        return PollResult(record.id, record.url, record.title, "error", error=reason)
