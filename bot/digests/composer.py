"""Compose and render digests with caches: a fan-out shares rankings, summaries and messages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.digests.compose import ArticleSource, Digest, RankCache, Searcher, compose
from bot.digests.message import render_digest
from bot.digests.records import Subscription
from bot.models import Article
from bot.summarize import one_line

SUMMARY_CHARS = 160
SUMMARY_CACHE = 20_000
RENDER_CACHE = 1000


class Composer:
    """Compose and render digests; 10,000 subscribers of one topic cost one search and render."""

    def __init__(self, store: ArticleSource, search: Searcher, cap: int) -> None:
        self._store = store
        self._search = search
        self._cap = cap
        self._lines: dict[str, str] = {}
        self._ranks: RankCache = {}
        self._rendered: dict[object, list[str]] = {}

    def compose(self, chat_id: int, subs: list[Subscription], now: datetime) -> Digest:
        """Compose a chat's digest, sharing rankings across chats."""
        cap = self._cap
        return compose(chat_id, subs, self._store, self._search, now, cap=cap, cache=self._ranks)

    def render(self, digest: Digest, zone: ZoneInfo, now: datetime, send_empty: bool) -> list[str]:
        """Render, reusing the messages of an identical digest (most subscribers share one)."""
        day = now.astimezone(zone).date()
        key = (
            day,
            send_empty,
            tuple((s.sub.label, s.more, tuple(a.id for a in s.articles)) for s in digest.sections),
        )
        parts = self._rendered.get(key)
        if parts is None:
            if len(self._rendered) > RENDER_CACHE:
                self._rendered.clear()
            parts = render_digest(digest, self._line, zone, now, send_empty=send_empty)
            self._rendered[key] = parts
        return parts

    def _line(self, article: Article) -> str:
        """Return the cached one-line summary of an article."""
        line = self._lines.get(article.id)
        if line is None:
            if len(self._lines) > SUMMARY_CACHE:
                self._lines.clear()
            line = one_line(article.body, article.title, SUMMARY_CHARS)
            self._lines[article.id] = line
        return line
