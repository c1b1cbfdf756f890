"""The FeedService the feed tests open: an honest user agent and short timeouts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.feeds import FeedService, FetchSettings
from tests.conftest import FakeClock

UA = "newsbrief-test/1.0 (+https://example.org/bot)"
SETTINGS = FetchSettings(timeout=0.5, connect_timeout=0.5, max_redirects=4, per_host=3)


@asynccontextmanager
async def feed_service(
    store: ArticleStore, users: EmbeddedUserTables, clock: FakeClock, settings: FetchSettings
) -> AsyncIterator[FeedService]:
    service = FeedService(
        store, users, allow_private=True, clock=clock, user_agent=UA, fetch_settings=settings
    )
    await service.initialize()
    try:
        yield service
    finally:
        await service.shutdown()
