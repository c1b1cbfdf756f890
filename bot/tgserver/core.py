"""Shared state of one local Bot API server: world, updates, flood control, counters."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.tgserver.limits import FloodControl, Limits, Stats
from bot.tgserver.records import CallbackAnswer, InlineAnswer
from bot.tgserver.state import World
from bot.tgserver.updates import UpdateQueue


@dataclass(slots=True)
class BotIdentity:
    """The bot as getMe describes it."""

    token: str
    username: str
    first_name: str
    privacy_mode: bool

    @property
    def bot_id(self) -> int:
        """Return the numeric id that prefixes the token."""
        return int(self.token.split(":", 1)[0])

    def user(self) -> dict[str, Any]:
        """Return the bot as a Bot API User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }


@dataclass(slots=True)
class Core:
    """Everything method implementations and the user-acting API share."""

    bot: BotIdentity
    limits: Limits
    clock: Callable[[], float] = time.monotonic
    world: World = field(default_factory=World)
    queue: UpdateQueue = field(default_factory=UpdateQueue)
    stats: Stats = field(default_factory=Stats)
    flood: FloodControl = field(init=False)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    callbacks: dict[str, asyncio.Future[CallbackAnswer]] = field(default_factory=dict)
    inline_queries: dict[str, asyncio.Future[InlineAnswer]] = field(default_factory=dict)
    chat_actions: list[tuple[int, str]] = field(default_factory=list)
    next_query_id: int = 1

    def __post_init__(self) -> None:
        self.flood = FloodControl(self.limits, self.clock)

    def new_query_id(self) -> str:
        """Return a fresh callback/inline query id."""
        query_id = f"{self.bot.bot_id}{self.next_query_id:08d}"
        self.next_query_id += 1
        return query_id
