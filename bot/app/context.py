"""Typed Application state: what every handler finds in `context.bot_data` and `chat_data`.

Handler modules type their callbacks with `NewsContext`; other modules hook into the
Application's life cycle by appending to the `BotData` hook lists inside their `register()`.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.app.commands import CommandSpec
from bot.app.inflight import InFlight
from bot.i18n import Catalogs
from bot.memo import Memo
from bot.models import RankedStory, utcnow

if TYPE_CHECKING:
    from bot.briefs.writer import BriefWriter
    from bot.config import Config
    from bot.services import Services

MAX_LISTINGS = 20  # per chat: older lists' buttons answer "expired"
MAX_SHOWN = 200  # item numbers a listing remembers for its Summary buttons
BRIEF_RANKINGS = 64  # /brief rankings remembered: the periods and topics being paged at once

NewsContext: TypeAlias = "CallbackContext[ExtBot[None], dict[Any, Any], ChatData, BotData]"
NewsJobQueue: TypeAlias = "JobQueue[NewsContext]"
NewsApp: TypeAlias = (
    "Application[ExtBot[None], NewsContext, dict[Any, Any], ChatData, BotData, NewsJobQueue]"
)
AppHook: TypeAlias = "Callable[[NewsApp], Awaitable[None]]"
ChatHook: TypeAlias = "Callable[[NewsContext, int], Awaitable[None]]"
ZoneLookup: TypeAlias = "Callable[[int], ZoneInfo | None]"
LangLookup: TypeAlias = "Callable[[int], str | None]"
LangSaver: TypeAlias = "Callable[[int, str], None]"
BriefRanking: TypeAlias = "tuple[list[RankedStory], datetime | None]"  # and "as of" when not now
BriefRankings: TypeAlias = "Memo[tuple[object, ...], BriefRanking]"


@dataclass(slots=True)
class Listing:
    """One list the bot showed in a chat, enough to page it again from a button."""

    kind: str  # "latest" | "search" | "brief"
    query: str
    page_size: int
    period: str = ""  # a brief's period: "24h" | "today" | "week"
    total: int = 0
    page: int = 0
    suggestion: str | None = None  # did-you-mean of the last page shown
    shown: dict[int, str] = field(default_factory=dict)  # item number -> article id
    created: datetime = field(default_factory=utcnow)  # lists expire a day after (persistence)
    # The message showing it: after /forget keys start again at 1, and an older message's
    # button carrying the same key must not act on this list.
    message_id: int | None = None

    def remember(self, first_number: int, ids: list[str]) -> None:
        """Record the article ids shown from `first_number` on, for the Summary buttons."""
        for number, article_id in enumerate(ids, start=first_number):
            self.shown.pop(number, None)
            self.shown[number] = article_id
        while len(self.shown) > MAX_SHOWN:
            del self.shown[next(iter(self.shown))]


class LineCache(Memo[str, str]):
    """Rendered one-line summaries and cards by key, shared by the threads that build replies."""

    def __init__(self, size: int = 4096) -> None:
        super().__init__(size)


@dataclass(slots=True)
class ChatData:
    """Per-chat state: the last list shown and the lists buttons may page.

    Kept across restarts by `bot.app.persistence`, which stores every field of these
    dataclasses; a field added here is persisted too, with its default for older files.
    """

    last_ids: list[str] = field(default_factory=list)  # article ids of the last list shown
    last_first: int = 1  # the number the first of last_ids was shown with
    last_shown: datetime | None = None  # when last_ids were shown
    listings: OrderedDict[int, Listing] = field(default_factory=OrderedDict)
    # Never reset, even when every list expired: an old button must not page a new list.
    next_listing: int = 1
    blocked: bool = False  # the chat blocked or removed the bot
    following_ids: list[int] = field(default_factory=list)  # the last /following's messages

    def remember_items(self, ids: list[str], first_number: int) -> None:
        """Record the article ids just shown, numbered from `first_number`."""
        self.last_ids = list(ids)
        self.last_first = first_number
        self.last_shown = utcnow()

    def drop_older_than(self, cutoff: datetime) -> None:
        """Forget the lists shown before `cutoff` (their buttons then answer "expired")."""
        for key in [k for k, listing in self.listings.items() if listing.created < cutoff]:
            del self.listings[key]
        if self.last_shown is None or self.last_shown < cutoff:
            self.last_ids = []
            self.last_shown = None

    def last_list(self) -> ChatData:
        """Return a copy holding only the last list shown: a value a worker thread may read."""
        return ChatData(list(self.last_ids), self.last_first, self.last_shown)

    def item(self, number: int) -> str | None:
        """Return the article id shown as `number` in the last list, if any."""
        index = number - self.last_first
        return self.last_ids[index] if 0 <= index < len(self.last_ids) else None

    def add_listing(self, listing: Listing) -> int:
        """Store a listing for later paging and return its key; forget the oldest beyond a cap."""
        key = self.next_listing
        self.next_listing += 1
        self.listings[key] = listing
        while len(self.listings) > MAX_LISTINGS:
            self.listings.popitem(last=False)
        return key


class BotData:
    """Application-wide state; built empty by PTB, then `attach()`ed in build_application."""

    def __init__(self) -> None:
        self._services: Services | None = None
        self.started_at: datetime = utcnow()
        self.bot_username: str = ""
        self.on_startup: list[AppHook] = []  # run by post_init, e.g. rebuild scheduled jobs
        self.on_shutdown: list[AppHook] = []  # run by post_shutdown before services close
        self.on_chat_start: list[ChatHook] = []  # run by /start, e.g. reactivate subscriptions
        self.on_chat_blocked: list[ChatHook] = []  # run when a chat blocks or removes the bot
        self.zone_lookup: ZoneLookup | None = None  # a chat's own zone (set by /timezone)
        self.catalogs = Catalogs()  # the bot's texts in every language it speaks
        self.lang_lookup: LangLookup | None = None  # a chat's stored language (see app.language)
        self.lang_saver: LangSaver | None = None
        self.commands: list[CommandSpec] = []  # union of the handler modules' COMMANDS
        self.lines = LineCache()  # one-line summaries shown in lists
        self.rankings: BriefRankings = Memo(BRIEF_RANKINGS)  # by stories version, 10 minutes
        self.briefs: BriefWriter | None = None  # model briefs, when configured (app.model_briefs)
        self.last_admin_notice = float("-inf")  # time.monotonic() of the last error notice
        self.in_flight = InFlight(1)  # the updates being answered: attach() sets the real one
        # Set on a 401 (BotFather revoked the token): a webhook runner stops on it (bot/run).
        self.token_rejected = asyncio.Event()

    def attach(self, services: Services, in_flight: InFlight) -> None:
        """Bind the services and the update processor (and the catalogs, when not the bot's)."""
        self._services = services
        self.in_flight = in_flight
        if services.config.locale_dir is not None:
            self.catalogs = Catalogs(services.config.locale_dir)

    @property
    def services(self) -> Services:
        """Return the services; fail loudly if the Application was built without them."""
        if self._services is None:
            raise RuntimeError("BotData used before attach(services)")
        return self._services

    @property
    def config(self) -> Config:
        """Return the configuration the services were opened with."""
        return self.services.config

    def zone_for(self, chat_id: int | None) -> ZoneInfo:
        """Return the chat's own time zone when it set one, else the configured zone."""
        if chat_id is not None and self.zone_lookup is not None:
            zone = self.zone_lookup(chat_id)
            if zone is not None:
                return zone
        return self.config.tz


def context_types() -> ContextTypes[NewsContext, dict[Any, Any], ChatData, BotData]:
    """Return the ContextTypes that make `context.bot_data` a BotData and chat_data a ChatData."""
    return ContextTypes(context=CallbackContext, bot_data=BotData, chat_data=ChatData)
