"""The brief writer: a service that asks the model for a story's brief and never stands in the way.

- At most `concurrency` (2) requests at a time; the rest wait for a slot.
- A reply waits at most `wait_seconds` (8) for its brief, then shows the extractive summary; the
  request goes on and its brief is cached for the next reader. Digests ask ahead (`prefetch`).
- One cache (cachetools) keyed by (story, reports, language): a brief is written once for all
  readers of a language, and again only when the story gained a report. An answer that left
  nothing grounded is cached too (as None), so a story is not asked about over and over.
- A circuit breaker after repeated failures, a back-off after 429, a daily token budget that,
  when spent, means extractive until midnight UTC with one log line that day.
- On the event loop only awaiting: the prompt and the grounding check run on worker threads,
  which take their inputs and return values; the loop owns the cache, breaker and budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from cachetools import TTLCache

from bot.briefs.client import Failure, ModelClient
from bot.briefs.grounding import ground
from bot.briefs.guard import OPEN_SECONDS, Breaker, Budget
from bot.briefs.model import Brief
from bot.briefs.prompt import messages, pick_sources
from bot.config import Config
from bot.logs import register_secrets
from bot.models import Article, Story

log = logging.getLogger("newsbrief.briefs")
MIN_ARTICLES = 3
MIN_REPORTS = 2
_MISSING = object()


@dataclass(frozen=True, slots=True)
class WriterSettings:
    """Where the model is and how patient the bot is with it."""

    url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    daily_tokens: int = 0
    wait_seconds: float = 8.0
    request_seconds: float = 30.0
    concurrency: int = 2
    cache_size: int = 4096
    cache_seconds: float = 12 * 3600.0

    @classmethod
    def from_config(cls, config: Config) -> WriterSettings | None:
        """Return the settings of a configured model, or None when briefs are off."""
        if not config.llm_url:
            return None
        return cls(config.llm_url, config.llm_model, config.llm_api_key, config.llm_daily_tokens)


# What a brief is written from: the articles, and the one to put first (a story's best).
Given = tuple[Sequence[Article], Article | None]


def _prepare(given: Given, lang: str) -> tuple[list[Article], list[dict[str, str]]]:
    """Return the articles the model gets and the messages asking it (worker thread)."""
    sources = pick_sources(*given)
    return sources, messages(sources, lang)


def _reports(story: Story, reports: int | None) -> int:
    """Return the story's count of reports (distinct texts): as given, else as the story knows."""
    if reports is not None:
        return reports
    return story.report_count or story.source_count  # 0: not known, so its sources


def _utc_today() -> date:
    return datetime.now(UTC).date()


class BriefWriter:
    """Write grounded, cited briefs with the configured model; None means: use the extractive."""

    def __init__(
        self,
        settings: WriterSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = _utc_today,
    ) -> None:
        """Prepare the writer; `initialize` opens the client."""
        register_secrets(settings.api_key)  # an error's text may quote what the client sent
        self.settings = settings
        self.requests = 0  # sent, for /stats and tests
        self._breaker = Breaker(clock)
        self._budget = Budget(settings.daily_tokens, today)
        self._cache: TTLCache[Hashable, Brief | None] = TTLCache(
            settings.cache_size, settings.cache_seconds, timer=clock
        )
        self._inflight: dict[Hashable, asyncio.Task[Brief | None]] = {}
        self._client: ModelClient | None = None
        self._slots: asyncio.Semaphore | None = None

    async def initialize(self) -> None:
        """Open the client of the endpoint."""
        s = self.settings
        self._client = ModelClient(s.url, s.model, s.api_key, s.request_seconds)
        self._slots = asyncio.Semaphore(s.concurrency)

    async def shutdown(self) -> None:
        """Cancel the requests under way and close the client."""
        for task in list(self._inflight.values()):
            task.cancel()
        for task in list(self._inflight.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.close()

    @staticmethod
    def eligible(story: Story, reports: int | None = None) -> bool:
        """Return whether a story is big enough for a brief: 3+ articles from 2+ reports."""
        return story.size >= MIN_ARTICLES and _reports(story, reports) >= MIN_REPORTS

    def cached(self, story: Story, lang: str, reports: int | None = None) -> Brief | None:
        """Return the story's brief if one is written already (no request; for renderers)."""
        found = self._cache.get(("story", story.id, _reports(story, reports), lang))
        return found if isinstance(found, Brief) else None

    async def story_brief(
        self, story: Story, lang: str, *, reports: int | None = None, wait: float | None = -1.0
    ) -> Brief | None:
        """Return the story's brief in lang, or None (not eligible, not ready in time, failed)."""
        if not self.eligible(story, reports):
            return None
        key = ("story", story.id, _reports(story, reports), lang)
        return await self._brief(key, (story.articles, story.best), lang, wait)

    async def topic_brief(
        self, articles: Sequence[Article], lang: str, *, wait: float | None = -1.0
    ) -> Brief | None:
        """Return a brief of search results (`/summary words`) in lang, or None."""
        if len(articles) < MIN_ARTICLES or len({a.source or a.id for a in articles}) < MIN_REPORTS:
            return None
        key = ("topic", tuple(sorted(a.id for a in articles)), lang)
        return await self._brief(key, (tuple(articles), None), lang, wait)

    async def prefetch(
        self, stories: Iterable[tuple[Story, int | None]], lang: str, *, wait: float | None = None
    ) -> None:
        """Write the briefs of stories ahead of a digest, waiting at most `wait` (None: all)."""
        await asyncio.gather(*(self.story_brief(s, lang, reports=r, wait=wait) for s, r in stories))

    async def _brief(
        self, key: Hashable, given: Given, lang: str, wait: float | None
    ) -> Brief | None:
        """Return the cached brief, or the one being written, waiting at most `wait` seconds."""
        cached = self._cache.get(key, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(self._write(key, given, lang))
            self._inflight[key] = task
            task.add_done_callback(functools.partial(self._forget, key))
        limit = self.settings.wait_seconds if wait is not None and wait < 0 else wait
        try:
            # shield: a reader who stops waiting leaves the request running for the cache.
            return await asyncio.wait_for(asyncio.shield(task), limit)
        except TimeoutError:
            log.info("model brief not ready in %.0f s; the extractive summary is shown", limit)
            return None

    def _forget(self, key: Hashable, _: object) -> None:
        """Drop a finished request from those under way."""
        self._inflight.pop(key, None)

    async def _write(self, key: Hashable, given: Given, lang: str) -> Brief | None:
        """Ask the model and check its answer; cache what came of it unless the request failed."""
        assert self._client is not None and self._slots is not None
        async with self._slots:
            if not self._may_ask():
                return None
            sources, prompt = await asyncio.to_thread(_prepare, given, lang)
            self.requests += 1
            result = await self._client.complete(prompt)
        self._budget.spend(result.tokens)
        if isinstance(result, Failure):
            self._failed(result)
            return None
        self._breaker.succeeded()
        brief, notes = await asyncio.to_thread(ground, result.text, sources, lang)
        for note in notes:
            log.info("model brief: %s", note)
        self._cache[key] = brief
        return brief

    def _may_ask(self) -> bool:
        """Return whether the breaker and the budget let a request go now."""
        if not self._breaker.allows():
            return False
        if self._budget.allows():
            return True
        if self._budget.first_refusal_today():
            log.warning(
                "model briefs: today's budget of %d tokens is spent; extractive summaries "
                "until midnight UTC",
                self._budget.limit,
            )
        return False

    def _failed(self, failure: Failure) -> None:
        """Count a failed request; back off after a 429."""
        if failure.rate_limited:
            self._breaker.back_off(failure.retry_after)
        opened = self._breaker.failed()
        log.warning("model brief failed (%s); the extractive summary is shown", failure.reason)
        if opened:
            log.warning("model briefs paused for %.0f s after repeated failures", OPEN_SECONDS)
