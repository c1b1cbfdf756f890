"""Small helpers shared by the digest tests: a store + search + service on a temp dir, and the
real Application on the local Bot API server (digest_env, ask, digests_in)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app.context import NewsApp
from bot.app.wiring import build_application, running
from bot.archive.store import ArticleStore
from bot.archive.usertables import EmbeddedUserTables
from bot.config import Config
from bot.digests.pacing import Pacing
from bot.digests.service import DigestService, DigestSettings
from bot.models import ArticleDraft, utcnow
from bot.search import SearchService
from bot.services import Services, open_services
from bot.stories.service import StoryService
from bot.tgserver import LocalBotApiServer, UserClient
from tests.botkit import BOT, TOKEN, make_config

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


TIMEOUT = 10


@dataclass
class Env:
    server: LocalBotApiServer
    app: NewsApp
    services: Services
    digests: DigestService
    next_id: int = 5000

    def user(self) -> UserClient:
        self.next_id += 1
        return self.server.user(self.next_id, f"User{self.next_id}")

    def add(self, *titles: str) -> None:
        self.services.store.add_many(
            ArticleDraft(
                title=t,
                body=f"{t}.",
                url=f"https://news.example.com/{abs(hash(t))}",
                published=utcnow() - timedelta(minutes=1),
                source="Wire",
            )
            for t in titles
        )

    def job(self, chat_id: int) -> Any:
        [sub] = self.digests.subs.for_chat(chat_id)
        job = self.digests.jobs.job_of(sub)
        assert job is not None
        return job

    async def fire(self, chat_id: int) -> None:
        """Run the chat's job now (as the scheduler would at its minute) and wait for delivery."""
        await self.job(chat_id).run(self.app)
        await self.digests.join()


@asynccontextmanager
async def digest_env(
    data_dir: Path,
    server: LocalBotApiServer | None = None,
    pacing: Pacing = FAST,
    **overrides: Any,
) -> AsyncIterator[Env]:
    own = server is None
    if server is None:
        server = LocalBotApiServer(token=TOKEN, bot_username=BOT)
        server.set_limits(server.limits.unlimited())
        await server.start()
    config = make_config(data_dir, server, tz=__import__("zoneinfo").ZoneInfo("UTC"), **overrides)
    services = open_services(config, write=True, digest_settings=DigestSettings(pacing=pacing))
    digests = services.digests
    try:
        app = build_application(config, services, own_services=False)
        async with running(app, poll_timeout=1):
            yield Env(server, app, services, digests)
    finally:
        services.shutdown()
        if own:
            await server.stop()


async def ask(user: UserClient, text: str) -> str:
    user.replies()  # skip digests and edits that arrived meanwhile
    await user.send(text)
    [reply] = await user.wait_replies(1, timeout=TIMEOUT)
    return reply.text


def digests_in(server: LocalBotApiServer, chat_id: int) -> list[str]:
    return [m.text for m in server.sent(chat_id) if m.text.startswith("Your news digest")]
