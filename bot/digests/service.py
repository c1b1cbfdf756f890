"""DigestService: subscriptions, their JobQueue jobs, and paced, confirmed delivery."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import CallbackContext, JobQueue

from bot.archive.usertables import UserTables
from bot.config import Config
from bot.digests.contents import ArticleSource, Digest, StoryRanker
from bot.digests.delivery import Deliverer, DigestPart, Outcome, SendFn, bot_sender
from bot.digests.fanout import Composer, NewsSource
from bot.digests.jobs import DueJob, Planner
from bot.digests.matching import Searcher
from bot.digests.pacing import Pacer, Pacing
from bot.digests.records import Subscription, settle
from bot.digests.schedule import DEFAULT_GRACE
from bot.digests.sendqueue import queue_for
from bot.digests.startplan import GiveWay, next_turn, plan_all, report_failure
from bot.digests.subscriptions import SubscriptionStore
from bot.digests.topics import MOVED_NOTE, due_subscriptions, each_topic
from bot.digests.workqueue import Request
from bot.i18n import Catalogs, Translator
from bot.models import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """Tunables: items per topic, catch-up grace, send pacing."""

    cap: int = 10
    grace: timedelta = DEFAULT_GRACE
    pacing: Pacing = field(default_factory=Pacing)


class DigestService:
    """Own the subscriptions, schedule one job per subscription, deliver digests."""

    def __init__(
        self,
        config: Config,
        store: ArticleSource,
        users: UserTables,
        search: Searcher,
        stories: StoryRanker,
        *,
        clock: Callable[[], datetime] = utcnow,
        settings: DigestSettings | None = None,
        facts: NewsSource | None = None,
    ) -> None:
        self.config = config
        self.settings = settings or DigestSettings()
        self._clock = clock
        self.subs = SubscriptionStore(users, config.data_dir, clock=clock)
        self._queue, self._record = queue_for(users, self._handle, self.settings.pacing, self.subs)
        self._deliverer: Deliverer | None = None
        self.pacer = Pacer(self.settings.pacing, paid=config.paid_broadcast)  # the bot's one
        self.jobs = Planner(self._on_job, clock, self.settings.grace)
        self.composer = Composer(store, search, stories, self.settings.cap, facts)
        self._catalogs = Catalogs(config.locale_dir)  # chats' languages (tests load others)
        self.stats: dict[str, int] = {"sent": 0, "digests": 0, "empty": 0, "gone": 0}
        self.moved_listeners: list[Callable[[int, int], Awaitable[None]]] = []  # follows move too
        self.outcome_listeners: list[Callable[[str], None]] = []  # /stats counts the day's
        self._planning: asyncio.Task[int] | None = None

    def initialize(self) -> None:
        """Load the subscriptions (and an older version's delivery journal, once)."""
        self.subs.initialize()

    def shutdown(self) -> None:
        """Persist the cursors; jobs and workers stop with the Application."""
        self.composer.shutdown()
        self.subs.shutdown()

    def start(self, send: SendFn) -> None:
        """Start the delivery workers on the running loop, sending through `send`."""
        self._deliverer = Deliverer(send, self.pacer, clock=self._clock)
        self._queue.start()

    async def stop(self) -> None:
        """Stop planning and the workers; unconfirmed digests stay due."""
        if self._planning is not None:
            self._planning.cancel()
            await asyncio.gather(self._planning, return_exceptions=True)
        await self._queue.stop()
        await self.subs.saved()

    async def join(self) -> None:
        """Wait until start-up's planning is done and every queued digest delivered."""
        if self._planning is not None:
            await asyncio.wait([self._planning])
        await self._queue.join()

    def start_planning(
        self, job_queue: JobQueue[Any], give_way: GiveWay | None = None
    ) -> asyncio.Task[int]:
        """Start delivery, then plan every subscription in a task beside the replies (startplan)."""
        if self._deliverer is None:
            self.start(bot_sender(job_queue.application.bot, paid=self.pacer.pacing.paid_broadcast))
        self.jobs.attach(job_queue)  # from here on a command plans its own change at once
        grace, clock = self.settings.grace, self._clock
        plan = plan_all(self.subs, self.jobs, self.due, grace, clock, give_way or next_turn)
        self._planning = asyncio.create_task(plan)
        self._planning.add_done_callback(report_failure)
        return self._planning

    async def _on_job(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """An instant fell due: queue its subscriptions' digests and schedule their next."""
        if context.job is None or not isinstance(data := context.job.data, DueJob):
            return
        for sub_id in self.jobs.take(data.due):
            sub = self.subs.get(sub_id)
            if sub is not None:
                self.jobs.schedule(sub)
                self.due(sub.chat_id, sub.sub_id, data.due)

    def due(self, chat_id: int, sub_id: str, due: datetime) -> None:
        """Queue the digest due at `due` for a subscription (merged with its chat's others)."""
        self._queue.submit(chat_id, Request({sub_id}, due))

    # --- what commands change: each returns once the change is on disk -----------------

    async def subscribe(
        self,
        chat_id: int,
        topic: str,
        hhmm: tuple[int, int] | None,
        zone: str | None,
        thread_id: int | None = None,
    ) -> tuple[Subscription, bool]:
        """Add or retime a subscription (defaults: its own, else 08:00 in the chat's zone)."""
        default = self.subs.chat(chat_id).zone or self.config.tz.key  # else the bot's
        hour, minute, zone_name = settle(self.subs.find(chat_id, topic), hhmm, zone, default)
        sub, new = self.subs.subscribe(chat_id, topic, hour, minute, zone_name, thread_id)
        self.subs.set_active(chat_id, True)
        self.jobs.schedule(sub)
        await self.subs.saved()
        return sub, new

    async def unsubscribe(self, chat_id: int, sub_ids: list[str]) -> list[Subscription]:
        """Remove subscriptions of this chat by id, and their jobs."""
        mine = {s.sub_id for s in self.subs.for_chat(chat_id)}
        gone = self.subs.remove(i for i in sub_ids if i in mine)
        for sub in gone:
            self.jobs.unschedule(sub)
        await self.subs.saved()
        return gone

    async def set_time(
        self, chat_id: int, sub_id: str, hhmm: tuple[int, int]
    ) -> Subscription | None:
        """Change when one of this chat's subscriptions falls due."""
        sub = self.subs.get(sub_id)
        if sub is None or sub.chat_id != chat_id:
            return None
        changed = self.subs.set_time(sub_id, *hhmm)
        if changed is not None:
            self.jobs.schedule(changed)
        await self.subs.saved()
        return changed

    async def set_zone(self, chat_id: int, zone: str) -> list[Subscription]:
        """Save the chat's zone; its subscriptions keep their wall-clock time in it."""
        moved = self.subs.set_zone(chat_id, zone)
        for sub in moved:
            self.jobs.schedule(sub)
        await self.subs.saved()
        return moved

    def for_chat(self, chat_id: int) -> list[Subscription]:
        """Return the chat's subscriptions."""
        return self.subs.for_chat(chat_id)

    def subscription(self, chat_id: int, sub_id: str) -> Subscription | None:
        """Return one of the chat's subscriptions, or None when it is gone or not the chat's."""
        sub = self.subs.get(sub_id)
        return sub if sub is not None and sub.chat_id == chat_id else None

    def is_active(self, chat_id: int) -> bool:
        """Return whether digests reach this chat (False after it blocked the bot)."""
        return self.subs.is_active(chat_id)

    async def forget_chat(self, chat_id: int) -> tuple[int, bool]:
        """Remove the chat's subscriptions, their jobs and its settings (/forget)."""
        gone = await self.unsubscribe(chat_id, [s.sub_id for s in self.subs.for_chat(chat_id)])
        had_settings = self.subs.drop_chat(chat_id)
        await self.subs.saved()
        return len(gone), had_settings

    def zone_of(self, chat_id: int) -> ZoneInfo | None:
        """Return the zone the chat chose with /timezone, if any."""
        zone = self.subs.chat(chat_id).zone
        return ZoneInfo(zone) if zone else None

    async def reactivate(self, chat_id: int) -> bool:
        """The chat is reachable again (/start): resume its digests; return whether it was off."""
        changed = self.subs.set_active(chat_id, True)
        await self.subs.saved()
        return changed

    async def deactivate(self, chat_id: int) -> None:
        """The chat blocked or removed the bot: stop sending, keep its subscriptions."""
        if self.subs.set_active(chat_id, False):
            self.stats["gone"] += 1
            log.info("chat %s deactivated; its subscriptions are kept", chat_id)
        await self.subs.saved()

    async def migrate(self, old: int, new: int) -> list[Subscription]:
        """Move a group's subscriptions (and, through the listeners, follows) to its new id."""
        for sub in self.subs.for_chat(old):
            self.jobs.unschedule(sub)
        moved = self.subs.migrate(old, new)
        for sub in moved:
            self.jobs.schedule(sub)
        await self.subs.saved()
        for listen in self.moved_listeners:
            await listen(old, new)
        return moved

    async def send_now(self, chat_id: int, thread_id: int | None = None) -> str:
        """Deliver the digest now (/digest, in its topic): "sent", "empty", "none", "gone", "failed"."""
        if not self.subs.for_chat(chat_id):
            return "none"
        waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        request = Request(manual=True, waiters=[waiter], thread_id=thread_id)
        self._queue.submit(chat_id, request, first=True)
        return await waiter

    async def _handle(self, chat_id: int, request: Request) -> str:
        """Deliver one chat's digest; tell the outcome listeners how it ended, and return it."""
        outcome = await self._deliver(chat_id, request)
        for listen in self.outcome_listeners:
            listen(outcome)
        return outcome

    async def _deliver(self, chat_id: int, request: Request) -> str:
        """Compose, send and confirm one chat's digests, one per topic; return how it ended."""
        if self._deliverer is None or not self.subs.is_active(chat_id):
            return "gone"
        subs = due_subscriptions(self.subs.for_chat(chat_id), request)
        return await each_topic(subs, request, partial(self._deliver_to, chat_id, request))

    async def _deliver_to(
        self, chat_id: int, request: Request, thread_id: int | None, subs: list[Subscription]
    ) -> str:
        """Deliver the digest of some of the chat's subscriptions to one forum topic."""
        assert self._deliverer is not None
        manual = request.manual
        digest, parts = await self.composed(chat_id, subs, manual=manual)
        parts = [replace(part, thread_id=thread_id) for part in parts]
        keep = manual or thread_id is None  # /digest's topic is no subscription's to forget
        note = None if keep else DigestPart(self.translator(chat_id).gettext(MOVED_NOTE))
        result = await self._deliverer.deliver(chat_id, parts, person=manual, moved_note=note)
        if result.outcome is Outcome.SENT:
            # Telegram confirmed every part: only now may the cursor move.
            await self._record(chat_id, digest, request.due, result.moved and not keep)
            self.stats["sent"] += result.sent
            self.stats["digests" if parts else "empty"] += 1
            return "sent" if parts else "empty"
        return await self._after_failure(chat_id, request, result.outcome, result.new_chat_id)

    async def _after_failure(
        self, chat_id: int, request: Request, outcome: Outcome, new_chat_id: int | None
    ) -> str:
        """Deactivate a gone chat, follow a migration, or leave the digest due."""
        if outcome is Outcome.GONE:
            await self.deactivate(chat_id)
            return "gone"
        if outcome is Outcome.MIGRATED and new_chat_id is not None:
            moved = await self.migrate(chat_id, new_chat_id)
            self._queue.submit(
                new_chat_id,
                Request({s.sub_id for s in moved}, request.due, request.manual, request.waiters),
            )
            request.waiters = []
            return "migrated"
        return "failed"

    async def composed(
        self, chat_id: int, subs: list[Subscription], *, manual: bool = False
    ) -> tuple[Digest, list[DigestPart]]:
        """Return a chat's digest and its messages, composed off the event loop."""
        zone = self.zone_of(chat_id) or ZoneInfo(subs[0].zone)
        send_empty = manual or self.subs.chat(chat_id).send_empty
        tr = self.translator(chat_id)
        return await self.composer.composed(chat_id, subs, self._clock(), zone, send_empty, tr)

    def translator(self, chat_id: int) -> Translator:
        """Return the translator of the chat's language (bot.app.language): all it is sent."""
        return self._catalogs.get(self.subs.chat(chat_id).lang)
