"""Compose and render digests with caches: a fan-out shares rankings, summaries and messages.

Composing is CPU work (searches, rankings, summaries: about 0.3 ms a digest, seconds for a
fan-out), so it runs on the composer's own thread: `composed()` hands it the chat's inputs and
returns the rendered messages, which the event loop then sends and records. One thread, so the
caches below have one owner and digests never compete with each other for the GIL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from cachetools import LRUCache

from bot.briefs.writer import BriefWriter
from bot.digests.contents import ArticleSource, BriefItem, Digest, StoryRanker, compose
from bot.digests.delivery import DigestPart
from bot.digests.matching import RANK_CACHE_SIZE, RankCache, Searcher
from bot.digests.message import render_digest
from bot.digests.records import Subscription
from bot.i18n import Translator
from bot.models import Development, Story, told_to
from bot.summarize import story_summary

T = TypeVar("T")

SUMMARY_CACHE = 20_000
RENDER_CACHE = 1000
# The thread rests as long as it worked, every 2 ms of work, so replies get the GIL (and the
# core) at least half the time: a fan-out sends 28 digests a second and composes thousands.
WORK_SECONDS = 0.002


class NewsSource(Protocol):
    """The part of StoryFacts a digest reads: what a story brought since it was sent."""

    def news_since(self, story_id: str, sources_before: int) -> list[Development]: ...


class Composer:
    """Compose and render digests; 10,000 subscribers of one topic cost one search and render."""

    def __init__(
        self,
        store: ArticleSource,
        search: Searcher,
        stories: StoryRanker,
        cap: int,
        facts: NewsSource | None = None,
    ) -> None:
        self._store = store
        self._search = search
        self._stories = stories
        self._cap = cap
        self._facts = facts
        self._news: LRUCache[tuple[str, int, int, str], str] = LRUCache(SUMMARY_CACHE)
        self._lines: LRUCache[tuple[str, int, str, str], str] = LRUCache(SUMMARY_CACHE)
        self._ranks: RankCache = RankCache(RANK_CACHE_SIZE)
        self._rendered: LRUCache[object, list[DigestPart]] = LRUCache(RENDER_CACHE)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="digest-composer")
        self._busy = 0.0  # the thread's seconds of work since it last rested
        self.writer: BriefWriter | None = None  # the model's briefs, when configured

    async def composed(
        self,
        chat_id: int,
        subs: list[Subscription],
        now: datetime,
        zone: ZoneInfo,
        send_empty: bool,
        tr: Translator,
    ) -> tuple[Digest, list[DigestPart]]:
        """Compose and render a chat's digest on the composer's thread; return both."""
        if self.writer is not None:
            return await self._with_briefs(chat_id, subs, now, zone, send_empty, tr)

        def work() -> tuple[Digest, list[DigestPart]]:
            digest = self.compose(chat_id, subs, now, tr)
            return digest, self.render(digest, zone, now, send_empty, tr)

        return await self._on_thread(work)

    async def _on_thread(self, work: Callable[[], T]) -> T:
        """Run work on the composer's thread, which rests as long as it worked (WORK_SECONDS)."""

        def paced() -> T:
            started = time.perf_counter()
            result = work()
            self._busy += time.perf_counter() - started
            if self._busy >= WORK_SECONDS:
                time.sleep(self._busy)
                self._busy = 0.0
            return result

        return await asyncio.get_running_loop().run_in_executor(self._thread, paced)

    async def _with_briefs(
        self,
        chat_id: int,
        subs: list[Subscription],
        now: datetime,
        zone: ZoneInfo,
        send_empty: bool,
        tr: Translator,
    ) -> tuple[Digest, list[DigestPart]]:
        """Compose on the thread, fetch the model's briefs on the loop, render on the thread."""
        digest = await self._on_thread(partial(self.compose, chat_id, subs, now, tr))
        found = await self.briefs(digest, tr.lang)
        render = partial(self.render, digest, zone, now, send_empty, tr, found)
        return digest, await self._on_thread(render)

    async def briefs(self, digest: Digest, lang: str, *, ahead: bool = False) -> dict[str, str]:
        """Return story id → the model's brief (HTML) of the digest's stories that have one.

        Each story's brief is asked once per language whatever the fan-out. Ahead of the due
        time every brief is waited for; at it, at most the writer's wait (8 s), and what is not
        ready then leaves that story its extractive summary. Read on the loop; the composer's
        thread gets the finished dict.
        """
        writer = self.writer
        if writer is None:
            return {}
        stories = [item.story for section in digest.sections for item in section.items]
        wait = None if ahead else writer.settings.wait_seconds
        await writer.prefetch([(s, None) for s in stories], lang, wait=wait)
        found = ((s.id, writer.cached(s, lang)) for s in stories)
        return {story_id: brief.html() for story_id, brief in found if brief is not None}

    def shutdown(self) -> None:
        """Let the composer's thread end once its digest is done."""
        self._thread.shutdown(wait=False, cancel_futures=True)

    def compose(
        self, chat_id: int, subs: list[Subscription], now: datetime, tr: Translator
    ) -> Digest:
        """Compose a chat's digest (headlines in its language), sharing work across chats.

        A story sent before comes back only with what is new since (its new facts); one that
        grew by reprints and rewordings alone does not come back.
        """
        digest = compose(
            chat_id,
            subs,
            self._store,  # the store memoises added_since for a fan-out's identical asks
            self._search,
            self._stories,
            now,
            cap=self._cap,
            cache=self._ranks,
            lang=tr.lang,
        )
        if self._facts is None or not any(i.update for s in digest.sections for i in s.items):
            return digest
        sections = [
            replace(s, items=[i for i in s.items if not i.update or self.news(i, tr.lang)])
            for s in digest.sections
        ]
        return replace(digest, sections=sections)

    def news(self, item: BriefItem, lang: str) -> str:
        """Return the new facts of a story sent before, for a reader of lang (cached per growth)."""
        if self._facts is None:
            return ""
        key = (item.story.id, item.story.size, item.before, lang)
        text = self._news.get(key)
        if text is None:
            found = told_to(self._facts.news_since(item.story.id, item.before), lang)
            text = self._news[key] = " ".join(f for d in found for f in d.facts)
        return text

    def render(
        self,
        digest: Digest,
        zone: ZoneInfo,
        now: datetime,
        send_empty: bool,
        tr: Translator,
        briefs: Mapping[str, str] | None = None,
    ) -> list[DigestPart]:
        """Render in the chat's language, reusing the messages of an identical digest.

        `briefs` (story id → the model's brief) is part of what the messages say: an identical
        digest whose briefs came later renders anew.
        """
        day = now.astimezone(zone).date()
        shown = tuple(sorted((briefs or {}).items()))
        key = (
            day,
            zone.key,
            tr.lang,
            send_empty,
            tuple(
                (
                    s.sub.topic,
                    s.more,
                    s.signature or tuple(i.story.id for i in s.items),
                    s.sub.cursor is None,  # an empty first digest says so (message.NOTHING_YET)
                )
                for s in digest.sections
            ),
            shown,
        )
        parts = self._rendered.get(key)
        if parts is None:
            summary = partial(self._summary, lang=tr.lang)
            brief = partial(_brief_of, dict(shown)) if shown else None
            parts = render_digest(
                digest,
                summary,
                zone,
                now,
                send_empty=send_empty,
                tr=tr,
                news=partial(self.news, lang=tr.lang),
                brief=brief,
            )
            self._rendered[key] = parts
        return parts

    def _summary(self, story: Story, lang: str) -> str:
        """Return the cached summary of a story (a new article makes a new key)."""
        key = (story.id, story.size, story.best.id, lang)
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = story_summary(story, lang).text
        return line


def _brief_of(briefs: Mapping[str, str], story: Story) -> str:
    """Return the story's brief from a finished dict ('' for none)."""
    return briefs.get(story.id, "")
