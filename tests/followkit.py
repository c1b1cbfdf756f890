"""The follow tests' bot: digest_env with a fake follows clock the test moves, and the reports
a followed story gets (a slowdown, a reprint, a new fact)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app.wiring import build_application, running
from bot.digests.service import DigestSettings
from bot.models import ArticleDraft, utcnow
from bot.services import Services, open_services
from bot.tgserver import LocalBotApiServer, UserClient
from tests.botkit import BOT, TOKEN, make_config
from tests.digestkit import FAST, TIMEOUT, Clock

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SLOWS = (
    "France24",
    "Grindavik lava flow from Iceland volcano slows",
    "The lava flow from the Reykjanes volcano near Grindavik in Iceland slowed on Tuesday.",
)
INJURED = (
    "Guardian",
    "Grindavik homes destroyed by Iceland volcano lava",
    "Two people were injured and 12 homes destroyed by the Reykjanes lava in Grindavik, "
    "Iceland's police said.",
)


@dataclass
class FollowEnv:
    server: LocalBotApiServer
    services: Services
    clock: Clock
    next_id: int = 7000

    def user(self, user_id: int | None = None) -> UserClient:
        self.next_id += 1
        uid = user_id or self.next_id
        return self.server.user(uid, f"User{uid}")

    def add(self, *reports: tuple[str, str, str], published: datetime | None = None) -> None:
        """Store reports (source, title, body), published a little while ago."""
        self.services.store.add_many(
            ArticleDraft(
                title=title,
                body=body,
                url=f"https://{source.lower().replace(' ', '')}.example.com/{abs(hash(title))}",
                published=published or utcnow() - timedelta(minutes=30),
                source=source,
            )
            for source, title, body in reports
        )

    async def settle(self) -> None:
        await self.services.follows.settle()

    def updates(self, chat_id: int) -> list[str]:
        """Return the story updates the chat got (not the replies to /follow)."""
        return [
            m.text
            for m in self.server.sent(chat_id)
            if m.text.startswith("🔔") and "\n\n• " in m.text
        ]


@asynccontextmanager
async def follow_env(
    data_dir: Path,
    server: LocalBotApiServer | None = None,
    clock: Clock | None = None,
    **overrides: Any,
) -> AsyncIterator[FollowEnv]:
    own = server is None
    if server is None:
        server = LocalBotApiServer(token=TOKEN, bot_username=BOT)
        server.set_limits(server.limits.unlimited())
        await server.start()
    clock = clock or Clock(NOON)
    config = make_config(data_dir, server, tz=ZoneInfo("UTC"), **overrides)
    services = open_services(
        config, write=True, digest_settings=DigestSettings(pacing=FAST), follow_clock=clock
    )
    try:
        app = build_application(config, services, own_services=False)
        async with running(app, poll_timeout=1):
            yield FollowEnv(server, services, clock)
    finally:
        services.shutdown()
        if own:
            await server.stop()


async def follow_first_story(env: FollowEnv, user: UserClient) -> None:
    """Open /brief and tap 🔔 under its first story."""
    user.replies()
    await user.send("/brief")
    [page] = await user.wait_replies(1, timeout=TIMEOUT)
    await user.press(page, "🔔 1")
    [reply] = await user.wait_replies(1, timeout=TIMEOUT)
    assert reply.text.startswith("🔔 Following: ") and "Grindavik" in reply.text
