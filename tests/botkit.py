"""Shared pieces of the end-to-end bot tests: a fixture corpus and a running server + bot."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app.context import NewsApp
from bot.app.wiring import build_application, running
from bot.config import Config
from bot.models import ArticleDraft
from bot.services import Services, open_services
from bot.tgserver import Limits, LocalBotApiServer, SentMessage, UserClient, parse_html

REPO = Path(__file__).resolve().parent.parent
TOKEN = "777000:bot-test-token"
BOT = "newsbrief_bot"
ADMIN = 9001
ZONE = ZoneInfo("Asia/Tokyo")
NEWEST = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LONG_ID = "wire:Über/" + "x" * 70  # ids from imports can be long and non-ASCII

TOPICS = [
    ("Navy drills near the coast draw crowds", "Naval drills", "Sea News"),
    ("Climate policy talks stall in Bonn", "climate policy", "Planet Daily"),
    ("Local football club wins the cup", "football final", "Sports Desk"),
    ("New chip factory opens in Dresden", "semiconductor chips", "Tech Wire"),
    ("Election turnout hits record high", "election turnout", "Politics Now"),
    ("Central bank holds interest rates", "interest rates", "Money Times"),
]


def _body(topic: str, n: int) -> str:
    """Return a small, distinct article body about a topic (its own words, no shared boilerplate).

    The six topics are six stories of five reports each; sentences shared by every article
    would make the story clustering see one story, which no real archive looks like.
    """
    return f"The {topic} story, report number {n}. More on {topic} as {topic} unfolds."


def fixture_drafts() -> list[ArticleDraft]:
    """Return the test corpus: 30 topical articles plus a few ugly ones."""
    drafts = []
    for n, (title, topic, source) in zip(range(30), itertools.cycle(TOPICS), strict=False):
        drafts.append(
            ArticleDraft(
                title=f"{title} ({n})",
                body=_body(topic, n),
                url=f"https://news.example.com/{n}",
                published=NEWEST - timedelta(hours=n),
                source=source,
            )
        )
    drafts += [
        ArticleDraft(
            title='<script>alert("x")</script> & <b>Co</b> report',
            body='Angle brackets <i>and</i> ampersands & quotes " should stay text. ' * 3,
            url="https://news.example.com/ugly",
            published=NEWEST - timedelta(days=3),
            source="<Ugly & Sons>",
        ),
        ArticleDraft(
            title="Marathon article about glaciers",
            body=" ".join(f"Glacier sentence {k} describes melting ice." for k in range(900)),
            url="https://news.example.com/long",
            published=NEWEST - timedelta(days=4),
            source="Long Reads",
        ),
        ArticleDraft(
            title="Москва готовится к весне",
            body="Городские службы готовятся к весне. Дворники убирают снег. Погода теплеет.",
            url="https://news.example.com/ru",
            published=NEWEST - timedelta(days=5),
            source="Городские новости",
        ),
        ArticleDraft(
            title="Article without a link",
            body="This article has no URL at all, and a strange link is not allowed either.",
            url=None,
            published=NEWEST - timedelta(days=6),
            source=None,
        ),
        ArticleDraft(
            title="Quokka census on Rottnest",
            body="The quokka census counted more quokkas than ever. Rangers were pleased.",
            url="https://news.example.com/quokka",
            published=NEWEST - timedelta(days=7),
            source="Wildlife Wire",
            id=LONG_ID,
        ),
    ]
    return drafts


@dataclass
class BotEnv:
    """A running local server with the real Application polling it."""

    server: LocalBotApiServer
    app: NewsApp
    services: Services
    config: Config
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def user(self, name: str = "Ann") -> UserClient:
        """Return a fresh user in a fresh private chat (tests never share chat state)."""
        return self.server.user(next(self._ids), name)


def make_config(data_dir: Path, server: LocalBotApiServer, **overrides: Any) -> Config:
    """Return the test Config pointing at the local server."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "token": server.token,
        "api_base_url": server.base_url,
        "admins": frozenset({ADMIN}),
        "tz": ZONE,
        "seeds_dir": REPO / "seeds",
        "rate_limit": 0,  # some tests send more than 20 commands a minute as one user
    }
    values.update(overrides)
    return Config(**values)


@asynccontextmanager
async def bot_env(
    data_dir: Path,
    *,
    limits: Limits | None = None,
    expected_errors: frozenset[str] = frozenset(),
    **overrides: Any,
) -> AsyncIterator[BotEnv]:
    """Start the server, open services with the fixture corpus, run the bot; stop all after.

    On the way out, check that the bot made no Bot API call that Telegram would have
    refused, apart from the `expected_errors` (e.g. "Forbidden" for a blocked chat).
    """
    server = LocalBotApiServer(token=TOKEN, bot_username=BOT, limits=limits or Limits.unlimited())
    await server.start()
    config = make_config(data_dir, server, **overrides)
    services = open_services(config, write=True)
    try:
        if len(services.store) < 30:
            services.store.add_many(fixture_drafts())
        app = build_application(config, services, own_services=False)
        async with running(app, poll_timeout=1):
            server.user(ADMIN, "Admin")
            yield BotEnv(server, app, services, config)
            # Checked before shutdown: the final poll of a stopping Updater ends the open
            # long poll with 409 Conflict, as Telegram does, and that is no bot error.
            refused = {k: n for k, n in server.stats.errors_per_description.items() if n}
            unexpected = {k: n for k, n in refused.items() if k not in expected_errors}
            assert not unexpected, f"the bot made calls Telegram would refuse: {unexpected}"
    finally:
        services.shutdown()
        await server.stop()


async def ask(user: UserClient, text: str, count: int = 1) -> list[SentMessage]:
    """Send text and return the next `count` replies."""
    await user.send(text)
    return await user.wait_replies(count, timeout=10)


def valid_telegram_html(message: SentMessage) -> bool:
    """Return whether the message is HTML Telegram accepts and fits one message."""
    parsed = parse_html(message.source)
    return len(parsed.text.encode("utf-16-le")) // 2 <= 4096
