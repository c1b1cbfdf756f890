"""Full text for teaser items: fetch the article page and extract its text with trafilatura.

Off by default: it multiplies the requests a poll sends to a publisher (one per new
item), many publishers forbid it, and the feed's summary is enough to rank and
summarise. Turn it on per deployment with `FeedService(..., fulltext=True)`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.feeds.fetcher import PAGE_ACCEPT, Fetcher, FetchError, HostSlots, host_key
from bot.models import ArticleDraft

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FullTextSettings:
    """Limits of full-text fetching."""

    teaser_chars: int = 400  # a body shorter than this is a teaser
    max_bytes: int = 2 * 1024 * 1024  # article pages are smaller than feeds; 2 MB is generous
    per_host: int = 1  # pages come from the publisher's site: one at a time is polite
    per_poll: int = 20  # at most this many pages per poll of one feed


def extract_text(html: bytes, url: str | None) -> str:
    """Return the main text of an HTML page, or "" when trafilatura finds none."""
    import trafilatura  # 0.2-0.4 s to import, and only NEWSBRIEF_FULLTEXT=1 uses it: not at start

    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    return text.strip() if isinstance(text, str) else ""


class FullText:
    """Replace teaser bodies with the article's text from its page."""

    def __init__(
        self, fetcher: Fetcher, settings: FullTextSettings, known: Callable[[str], bool]
    ) -> None:
        self.fetcher = fetcher
        self.settings = settings
        self._known = known  # pages of stored articles are never fetched again
        self.hosts = HostSlots(settings.per_host)

    def wants(self, draft: ArticleDraft) -> bool:
        """Return True when the draft is a teaser with a page to fetch."""
        return (
            bool(draft.url)
            and len(draft.body) < self.settings.teaser_chars
            and not self._known(draft.url or "")
        )

    async def enrich(self, drafts: list[ArticleDraft]) -> list[ArticleDraft]:
        """Return drafts with teaser bodies replaced by the page's text where it is longer."""
        picked = [i for i, d in enumerate(drafts) if self.wants(d)][: self.settings.per_poll]
        bodies = await asyncio.gather(*(self._page_text(drafts[i]) for i in picked))
        out = list(drafts)
        for index, body in zip(picked, bodies, strict=True):
            # Short extracts are menus or paywall notices, not the article.
            if len(body) >= self.settings.teaser_chars and len(body) > len(out[index].body):
                out[index] = dataclasses.replace(out[index], body=body)
        return out

    async def _page_text(self, draft: ArticleDraft) -> str:
        url = draft.url or ""
        async with self.hosts.slot(host_key(url)):
            try:
                page = await self.fetcher.fetch(
                    url, max_bytes=self.settings.max_bytes, accept=PAGE_ACCEPT
                )
            except FetchError as exc:
                log.info("full text of %s not fetched: %s", url, exc)
                return ""
        return await asyncio.to_thread(extract_text, page.body, page.url)
