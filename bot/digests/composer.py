"""Compose and render digests with caches: a fan-out shares rankings, summaries and messages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.digests.compose import ArticleSource, Digest, RankCache, Searcher, StoryRanker, compose
from bot.digests.delivery import DigestPart
from bot.digests.message import render_digest
from bot.digests.records import Subscription
from bot.models import Story
from bot.summarize import topic_summary

SUMMARY_CHARS = 240
SUMMARY_SENTENCES = 2
SUMMARY_ARTICLES = 6  # the newest few carry the story; more add cost, not news
SUMMARY_CACHE = 20_000
RENDER_CACHE = 1000


def story_summary(story: Story, sentences: int = SUMMARY_SENTENCES) -> str:
    """Return 1–2 sentences drawn from a story's articles, no statement twice."""
    picked = topic_summary(story.articles[:SUMMARY_ARTICLES], sentences=sentences)
    text = " ".join(s.text for s in picked)
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rstrip() + "…"


class Composer:
    """Compose and render digests; 10,000 subscribers of one topic cost one search and render."""

    def __init__(
        self, store: ArticleSource, search: Searcher, stories: StoryRanker, cap: int
    ) -> None:
        self._store = store
        self._search = search
        self._stories = stories
        self._cap = cap
        self._lines: dict[tuple[str, int], str] = {}
        self._ranks: RankCache = {}
        self._rendered: dict[object, list[DigestPart]] = {}

    def compose(self, chat_id: int, subs: list[Subscription], now: datetime) -> Digest:
        """Compose a chat's digest, sharing topic matches across chats."""
        return compose(
            chat_id,
            subs,
            self._store,
            self._search,
            self._stories,
            now,
            cap=self._cap,
            cache=self._ranks,
        )

    def render(
        self, digest: Digest, zone: ZoneInfo, now: datetime, send_empty: bool
    ) -> list[DigestPart]:
        """Render, reusing the messages of an identical digest (most subscribers share one)."""
        day = now.astimezone(zone).date()
        key = (
            day,
            zone.key,
            send_empty,
            tuple(
                (
                    s.sub.label,
                    s.more,
                    tuple((i.story.id, len(i.story.articles), i.update) for i in s.items),
                )
                for s in digest.sections
            ),
        )
        parts = self._rendered.get(key)
        if parts is None:
            if len(self._rendered) > RENDER_CACHE:
                self._rendered.clear()
            parts = render_digest(digest, self._summary, zone, now, send_empty=send_empty)
            self._rendered[key] = parts
        return parts

    def _summary(self, story: Story) -> str:
        """Return the cached summary of a story (a new article makes a new key)."""
        key = (story.id, len(story.articles))
        line = self._lines.get(key)
        if line is None:
            if len(self._lines) > SUMMARY_CACHE:
                self._lines.clear()
            line = self._lines[key] = story_summary(story)
        return line
