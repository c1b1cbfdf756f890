"""FeedService: the feeds admins manage, polled politely in the bot's event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

import httpx
from telegram.ext import JobQueue

from bot.archive.protocol import ArticleStoreLike
from bot.archive.usertables import UserTables
from bot.archive.writer import Writer
from bot.feeds.fetcher import Fetcher, FetchSettings, make_client
from bot.feeds.fulltext import FullText, FullTextSettings
from bot.feeds.jobs import FeedJobs
from bot.feeds.parsing import ParserPool
from bot.feeds.poller import Backoff, Poller, Prepared, is_due
from bot.feeds.registry import FeedRecord, FeedRegistry, feed_id, feed_key
from bot.feeds.safety import UnsafeURL, check_syntax
from bot.feeds.status import FeedError, FeedStatus, PollResult
from bot.ingest.feedparse import NOT_A_FEED
from bot.logs import without_credentials
from bot.models import utcnow

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "newsbrief/0.1 (+https://github.com/newsbrief)"
DEFAULT_INTERVAL_MINUTES = 15
MIN_INTERVAL_MINUTES = 5
DeactivationHook = Callable[[FeedStatus], Awaitable[None]]


class FeedService:
    """Add, remove, list and poll feeds; schedule the polls on PTB's JobQueue."""

    def __init__(
        self,
        store: ArticleStoreLike,
        users: UserTables,
        *,
        allow_private: bool = False,
        clock: Callable[[], datetime] = utcnow,
        user_agent: str = DEFAULT_USER_AGENT,
        fulltext: bool = False,
        fetch_settings: FetchSettings | None = None,
        fulltext_settings: FullTextSettings | None = None,
        backoff: Backoff | None = None,
        proxy: str | None = None,
        writer: Writer | None = None,
    ) -> None:
        self.store = store
        self.registry = FeedRegistry(users)
        self.allow_private = allow_private
        self.clock = clock
        self.user_agent = user_agent
        self.use_fulltext = fulltext
        self.fetch_settings = fetch_settings or FetchSettings()
        self.fulltext_settings = fulltext_settings or FullTextSettings()
        self.backoff = backoff or Backoff()
        self.proxy = proxy
        # Store and index commits run here, not on the loop (bot/archive/writer.py).
        self.writer = writer or Writer()
        self._client: httpx.AsyncClient | None = None
        self._poller: Poller | None = None
        self._jobs = FeedJobs(lambda ident: self.poll_feed(ident, force=False))
        self._hooks: list[DeactivationHook] = []

    async def initialize(self) -> None:
        """Open the HTTP client every fetch shares (a second call keeps the first client)."""
        if self._client is not None:
            return
        self._client = make_client(
            self.fetch_settings, self.user_agent, allow_private=self.allow_private, proxy=self.proxy
        )
        fetcher = Fetcher(
            self._client,
            settings=self.fetch_settings,
            allow_private=self.allow_private,
            proxied=self.proxy is not None,
        )
        fulltext = None
        if self.use_fulltext:
            known = lambda url: self.store.find_by_url(url) is not None  # noqa: E731
            fulltext = FullText(fetcher, self.fulltext_settings, known)
        parser = ParserPool()
        self._poller = Poller(fetcher, self.store, self.clock, fulltext, self.backoff, parser)

    async def shutdown(self) -> None:
        """Close the HTTP client; scheduled jobs go with the Application's JobQueue."""
        if self._client is not None:
            await self._client.aclose()
        self._client = None
        if self._poller is not None:
            self._poller.parser.shutdown()
        self._poller = None
        self._jobs.queue = None

    @property
    def fetcher(self) -> Fetcher:
        """Return the fetcher (its `stats` count requests); only after initialize()."""
        return self._require().fetcher

    def _require(self) -> Poller:
        if self._poller is None:
            raise RuntimeError("FeedService used before initialize()")
        return self._poller

    def add_deactivation_listener(self, hook: DeactivationHook) -> None:
        """Call hook (e.g. a note to the admins) when a feed is deactivated for failing."""
        self._hooks.append(hook)

    async def add_feed(self, url: str, *, interval_minutes: int | None = None) -> FeedStatus:
        """Fetch the feed once, store it and its items (`articles`: how many were new).

        A feed turned off for failing is turned on again if it answers now. Raise FeedError
        with a one-line reason.
        """
        url = url.strip()
        minutes = interval_minutes or DEFAULT_INTERVAL_MINUTES
        if minutes < MIN_INTERVAL_MINUTES:
            raise FeedError(f"the interval must be at least {MIN_INTERVAL_MINUTES} minutes")
        try:
            check_syntax(url)
        except UnsafeURL as exc:
            raise FeedError(str(exc)) from None
        existing = self.registry.find(url)
        if existing is not None and existing.active:
            raise FeedError(f"already added as {existing.id} ({existing.title or existing.url})")
        record = existing or FeedRecord(feed_id(url, self.registry.ids()), url, self.clock())
        record.interval = minutes * 60 if interval_minutes or not existing else record.interval
        record.etag = record.last_modified = None  # a 304 would say nothing about the feed now
        prepared = await self._require().prepare(record)
        if isinstance(prepared, PollResult):
            raise FeedError(prepared.error or NOT_A_FEED)
        [added] = await self.writer.commit(self._require().commit, [prepared])  # off the loop
        record.active, record.note = True, None
        await self.registry.save(record)
        self._jobs.add(record, first=float(record.interval))
        return replace(FeedStatus.from_record(record), articles=len(added.added))

    def seed_feeds(
        self, urls: Iterable[str], *, titles: Mapping[str, str] | None = None
    ) -> list[FeedStatus]:
        """Register feeds from configuration that are not known yet; the first poll fetches them.

        titles (by URL, e.g. from an OPML list) name the feeds until their first fetch does.
        It waits for the write: for start-up and the CLI, not the event loop.
        """
        existing = self.registry.all()
        known, ids = {feed_key(r.url) for r in existing}, {r.id for r in existing}
        records: list[FeedRecord] = []
        for url in (u.strip() for u in urls):
            if not url or feed_key(url) in known:
                continue
            try:
                check_syntax(url)
            except UnsafeURL as exc:
                log.warning("configured feed %s ignored: %s", without_credentials(url), exc)
                continue
            known.add(feed_key(url))
            title = (titles or {}).get(url, "")
            record = FeedRecord(id=feed_id(url, ids), url=url, added=self.clock(), title=title)
            ids.add(record.id)
            records.append(record)
        self.registry.insert_many(records)
        return [FeedStatus.from_record(r) for r in records]

    async def remove_feed(self, ref: str) -> bool:
        """Forget a feed by id or URL and cancel its job; its articles stay in the store."""
        record = self.registry.find(ref)
        if record is None:
            return False
        self._jobs.remove(record.id)
        return await self.registry.remove(record.id)

    def list_feeds(self) -> list[FeedStatus]:
        """Return every feed's status, oldest first."""
        return [FeedStatus.from_record(r) for r in self.registry.all()]

    def get_feed(self, ref: str) -> FeedStatus | None:
        """Return one feed's status by id or URL."""
        record = self.registry.find(ref)
        return FeedStatus.from_record(record) if record else None

    async def poll_feed(self, feed_id: str, *, force: bool = True) -> PollResult:
        """Poll one feed now (force=False: only when not backing off); errors become its status."""
        record = self.registry.get(feed_id)
        if record is None:
            return PollResult(feed_id, "", "", "error", error="no such feed")
        result = await self.poll_record(record, force=force)
        await self.registry.update_existing([record])
        if result.outcome == "error" and not record.active:
            await self.deactivated(record)
        return result

    async def poll_all(
        self, *, force: bool = True, progress: Callable[[int], None] | None = None
    ) -> list[PollResult]:
        """Poll every active feed at once; store all new items in one batch.

        progress(1) is called as each feed's fetch ends (the CLI shows a bar with it).
        """
        # Fetches run in parallel under the fetcher's per-host limits; one store batch and one
        # write of the feeds table per cycle keep a 500-feed cycle from fsyncing 1,000 times.
        records = [r for r in self.registry.all() if r.active]

        async def prepare(record: FeedRecord) -> Prepared | PollResult:
            done = await self._prepare(record, force=force)
            if progress is not None:
                progress(1)
            return done

        prepared = await asyncio.gather(*(prepare(r) for r in records))
        batch = [p for p in prepared if isinstance(p, Prepared)]
        committed = iter(await self.writer.commit(self._commit, batch))
        results = [p if isinstance(p, PollResult) else next(committed) for p in prepared]
        await self.registry.update_existing(records)
        for record in records:
            if not record.active:
                await self.deactivated(record)
        return results

    async def poll_record(self, record: FeedRecord, *, force: bool) -> PollResult:
        """Poll the feed unless inactive or backing off; update record, not the table."""
        prepared = await self._prepare(record, force=force)
        if isinstance(prepared, PollResult):
            return prepared
        return (await self.writer.run(self._commit, [prepared]))[0]

    async def _prepare(self, record: FeedRecord, *, force: bool) -> Prepared | PollResult:
        if not record.active:
            return PollResult(record.id, record.url, record.title, "skipped", error="inactive")
        if not force and not is_due(record, self.clock()):
            return PollResult(record.id, record.url, record.title, "skipped", error="backing off")
        poller = self._require()
        try:
            return await poller.prepare(record)
        except Exception as exc:  # one broken feed must never stop the others or the bot
            log.exception("polling feed %s failed", record.id)
            return poller.fail(record, f"internal error: {type(exc).__name__}: {exc}", self.clock())

    def _commit(self, batch: list[Prepared]) -> list[PollResult]:
        poller = self._require()
        try:
            return poller.commit(batch)
        except Exception as exc:  # e.g. a full disk: every feed of the batch says so
            log.exception("storing the items of %d feeds failed", len(batch))
            reason = f"could not store items: {type(exc).__name__}: {exc}"
            return [poller.fail(p.record, reason, self.clock()) for p in batch]

    async def deactivated(self, record: FeedRecord) -> None:
        """Stop polling a feed turned off for failing and tell the hooks."""
        self._jobs.remove(record.id)
        status = FeedStatus.from_record(record)
        for hook in self._hooks:
            try:
                await hook(status)
            except Exception:  # a failed note must not undo the deactivation
                log.exception("deactivation hook failed for feed %s", record.id)

    def schedule(self, job_queue: JobQueue[Any]) -> None:
        """Add one repeating job per active feed, spread evenly over each feed's interval."""
        self._jobs.start(job_queue, [r for r in self.registry.all() if r.active], self.clock())
