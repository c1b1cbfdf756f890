"""Compose and render digests with caches: a fan-out shares rankings, summaries and messages."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from cachetools import LRUCache

from bot.briefs.writer import BriefWriter
from bot.digests.contents import ArticleSource, Digest, StoryRanker, compose
from bot.digests.delivery import DigestPart
from bot.digests.matching import RANK_CACHE_SIZE, RankCache, Searcher
from bot.digests.message import BriefFn, render_digest
from bot.digests.records import Subscription
from bot.i18n import Catalogs
from bot.models import Story
from bot.summarize import story_summary

SUMMARY_CACHE = 20_000
RENDER_CACHE = 1000


class Composer:
    """Compose and render digests; 10,000 subscribers of one topic cost one search and render."""

    def __init__(
        self,
        store: ArticleSource,
        search: Searcher,
        stories: StoryRanker,
        cap: int,
        catalogs: Catalogs | None = None,
    ) -> None:
        self._store = store
        self._search = search
        self._stories = stories
        self._cap = cap
        self._lines: LRUCache[tuple[str, int, str, str], str] = LRUCache(SUMMARY_CACHE)
        self._ranks: RankCache = LRUCache(RANK_CACHE_SIZE)
        self._rendered: LRUCache[object, list[DigestPart]] = LRUCache(RENDER_CACHE)
        self._catalogs = catalogs or Catalogs()
        self.writer: BriefWriter | None = None  # the model's briefs, when configured

    def compose(
        self, chat_id: int, subs: list[Subscription], now: datetime, lang: str | None = None
    ) -> Digest:
        """Compose a chat's digest (headlines in its language), sharing work across chats."""
        return compose(
            chat_id,
            subs,
            self._store,  # the store memoises added_since for a fan-out's identical asks
            self._search,
            self._stories,
            now,
            cap=self._cap,
            cache=self._ranks,
            lang=lang,
        )

    def render(
        self,
        digest: Digest,
        zone: ZoneInfo,
        now: datetime,
        send_empty: bool,
        lang: str | None = None,
        brief: BriefFn | None = None,
    ) -> list[DigestPart]:
        """Render in the chat's language, reusing the messages of an identical digest."""
        day = now.astimezone(zone).date()
        tr = self._catalogs.get(lang)
        # The model's briefs are part of what the messages say: an identical digest whose
        # briefs came later renders anew.
        briefs = tuple(brief(i.story) for s in digest.sections for i in s.items) if brief else ()
        key = (
            day,
            zone.key,
            tr.lang,
            send_empty,
            tuple(
                (s.sub.topic, s.more, s.signature or tuple(i.story.id for i in s.items))
                for s in digest.sections
            ),
            briefs,
        )
        parts = self._rendered.get(key)
        if parts is None:
            summary = partial(self._summary, lang=tr.lang)
            parts = render_digest(
                digest, summary, zone, now, send_empty=send_empty, tr=tr, brief=brief
            )
            self._rendered[key] = parts
        return parts

    async def briefs(
        self, digest: Digest, lang: str | None, *, ahead: bool = False
    ) -> BriefFn | None:
        """Fetch the model's briefs of the digest's stories (bot.briefs), if a writer is attached.

        Each story's brief is asked once per language whatever the fan-out. Ahead of the due
        time every brief is waited for; at it, at most the writer's wait (8 s), and what is not
        ready then leaves that story its extractive summary.
        """
        writer = self.writer
        if writer is None:
            return None
        code = lang or "en"
        stories = [item.story for section in digest.sections for item in section.items]
        wait = None if ahead else writer.settings.wait_seconds
        await writer.prefetch([(s, None) for s in stories], code, wait=wait)

        def brief(story: Story) -> str:
            found = writer.cached(story, code)
            return found.html() if found is not None else ""

        return brief

    def _summary(self, story: Story, lang: str) -> str:
        """Return the cached summary of a story (a new article makes a new key)."""
        key = (story.id, story.size, story.best.id, lang)
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = story_summary(story, lang).text
        return line
