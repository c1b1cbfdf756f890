"""Small helpers shared by the digest tests: a store + search + service on a temp dir."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.config import Config
from bot.digests.pacing import Pacing
from bot.digests.service import DigestService, DigestSettings
from bot.models import ArticleDraft
from bot.search import SearchService
from bot.stories.service import StoryService

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
FAST = Pacing(
    global_per_second=1000.0,
    per_chat_per_second=1000.0,
    group_per_minute=60000.0,
    overall_per_second=1000.0,
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Kit:
    """Everything a digest needs, opened on one data directory."""

    clock: Clock
    store: ArticleStore
    users: EmbeddedUserTables
    search: SearchService
    digests: DigestService
    stories: StoryService

    def add(self, *titles: str, source: str = "Wire", body: str = "") -> None:
        """Add articles by title (the body repeats the title unless given)."""
        drafts = [
            ArticleDraft(
                title=t,
                # Distinct titles make distinct stories: no boilerplate shared between bodies.
                body=body or f"{t}. {t.lower()}.",
                url=f"https://news.example.com/{abs(hash(t))}",
                published=self.clock.now - timedelta(minutes=5),
                source=source,
            )
            for t in titles
        ]
        self.store.add_many(drafts)

    def close(self) -> None:
        self.digests.shutdown()
        self.stories.shutdown()
        self.search.shutdown()
        self.users.shutdown()
        self.store.shutdown()


def open_kit(
    data_dir: Path,
    clock: Clock | None = None,
    *,
    tz: str = "UTC",
    settings: DigestSettings | None = None,
) -> Kit:
    """Open store, users, search and a DigestService on data_dir."""
    from zoneinfo import ZoneInfo

    clock = clock or Clock()
    store = ArticleStore(data_dir, clock=clock)
    store.initialize()
    users = EmbeddedUserTables(data_dir)
    users.initialize()
    search = SearchService(store, data_dir / "index", clock=clock)
    search.initialize()
    config = Config(data_dir=data_dir, token="123456:TEST-token", tz=ZoneInfo(tz))
    stories = StoryService(store, data_dir / "stories", clock=clock)
    stories.initialize()
    digests = DigestService(
        config,
        store,
        users,
        search,
        stories,
        clock=clock,
        settings=settings or DigestSettings(pacing=FAST),
    )
    digests.initialize()
    return Kit(clock, store, users, search, digests, stories)
