"""A forum supergroup for the topic tests: its server, store settings, digests fired and counted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest

from bot.models import utcnow
from bot.tgserver import GroupChat, LocalBotApiServer, SentMessage
from tests.botkit import BOT, TOKEN
from tests.digestkit import Env
from tests.followkit import FollowEnv

FORUM = -1004646
TOPIC = 31
MOVED_DIGEST = "The topic this digest went to is closed or deleted"
MOVED_UPDATES = "The topic these story updates went to is closed or deleted"


def store_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Return the settings of a store: the data directory alone, or PostgreSQL beside it."""
    if request.param == "embedded":
        return {}
    return {"database_url": request.getfixturevalue("pg_url")}


@asynccontextmanager
async def started_server() -> AsyncIterator[LocalBotApiServer]:
    """A local Bot API server without Telegram's limits, for the block."""
    server = LocalBotApiServer(token=TOKEN, bot_username=BOT)
    server.set_limits(server.limits.unlimited())
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def forum(server: LocalBotApiServer) -> tuple[GroupChat, Any]:
    """Return a forum supergroup and its admin."""
    admin = server.user(4601, "Ada")
    return server.group(FORUM, "Forum", admins=[admin], forum=True), admin


async def fire(env: Env, days_later: int = 0) -> None:
    """Make the chat's digest due at its next time (days later), as its job does; wait for it."""
    sub = env.digests.subs.for_chat(FORUM)[0]  # the others due then come along
    due = sub.slot.next_due(utcnow()) + timedelta(days=days_later)
    env.digests.due(FORUM, sub.sub_id, due)
    await env.digests.join()


def digests(server: LocalBotApiServer) -> list[SentMessage]:
    return [m for m in server.sent(FORUM) if m.text.startswith("Your news digest")]


def refused(server: LocalBotApiServer) -> int:
    """Return how many sends the server refused with a 400."""
    return server.stats.errors_per_description["Bad Request"]


def updates(env: FollowEnv) -> list[SentMessage]:
    return [m for m in env.server.sent(FORUM) if m.text.startswith("🔔") and "\n\n• " in m.text]
