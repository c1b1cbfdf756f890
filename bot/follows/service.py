"""FollowService: follow and unfollow stories, find what is news for each follower, send it.

A tick (every minute from the JobQueue, and soon after each batch of new articles) looks at
the followed stories that changed and the updates held back; a worker thread finds each
chat's new facts (`bot.follows.updates`), and the loop decides what goes now and what waits
(`bot.follows.pacing`). Updates go out like digests: a work queue, the Deliverer on the
bot's one Pacer (replies first), and a follow's cursor moves only once Telegram confirmed
the message, so a crash loses nothing and repeats at most the one update in flight.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from telegram.ext import JobQueue

from bot.archive.usertables import UserTables
from bot.config import Config
from bot.digests.delivery import Deliverer, Outcome, SendFn, bot_sender
from bot.digests.service import DigestService
from bot.digests.workqueue import Request, WorkQueue
from bot.follows.message import Headlines, UpdateMessages
from bot.follows.pacing import gone_quiet, ready_at
from bot.follows.records import Follow, Quiet
from bot.follows.store import FollowStore
from bot.follows.updates import Ask, Found, find_updates
from bot.models import Article, utcnow
from bot.stories.facts import StoryFacts

log = logging.getLogger(__name__)

TICK_JOB = "follows:tick"
TICK_EVERY = 60  # seconds: quiet hours and the 3-hour gap end on the minute
BYE = "bye:"  # a work request for a follow that went quiet: its last line
MAX_FOLLOWS = 50  # per chat
PLACE_CHUNK = 100  # updates queued per turn of the loop (~2 ms)


class StoryViews(Headlines, Protocol):
    """The part of StoryService following reads besides its facts."""

    def story_of(self, article_id: str) -> str | None: ...


class FollowService:
    """Own the follows, find and pace their updates, deliver them."""

    def __init__(
        self,
        config: Config,
        users: UserTables,
        stories: StoryViews,
        facts: StoryFacts,
        digests: DigestService,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.config = config
        self.follows = FollowStore(users, config.data_dir)
        self._stories = stories
        self._facts = facts
        self._digests = digests
        digests.moved_listeners.append(self.move_chat)  # a group became a supergroup
        self.clock = clock
        self._queue = WorkQueue(self._handle, digests.settings.pacing.workers)
        self._deliverer: Deliverer | None = None
        self._checked: dict[str, tuple[int, str] | None] = {}  # story -> mark last looked at
        self._held: dict[tuple[int, str], datetime] = {}  # (chat, story) -> may go at
        self._outbox: dict[tuple[int, str], Found] = {}  # queued, not yet confirmed
        self._messages = UpdateMessages(stories, clock)
        self._tick_lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kicked = False
        self._kick_task: asyncio.Future[None] | None = None
        self.stats: dict[str, int] = {"updates": 0, "farewells": 0}

    def initialize(self) -> None:
        """Load the follows (and an older version's update journal, once)."""
        self.follows.initialize()

    def shutdown(self) -> None:
        """Let the follows' queued writes land."""
        self.follows.shutdown()

    def start(self, send: SendFn) -> None:
        """Start the delivery workers on the running loop, sending through `send`."""
        # The bot's one pacer; a send waits for the records of the sends before it (store.py).
        self._deliverer = Deliverer(
            send, self._digests.pacer, ready=self.follows.saved, clock=self.clock
        )
        self._loop = asyncio.get_running_loop()
        self._tick_lock = asyncio.Lock()
        self._queue.start()

    def schedule(self, job_queue: JobQueue[Any]) -> None:
        """Start delivering through the queue's bot and tick every minute."""
        if self._deliverer is None:
            pacer = self._digests.pacer
            self.start(bot_sender(job_queue.application.bot, paid=pacer.pacing.paid_broadcast))
        for job in job_queue.get_jobs_by_name(TICK_JOB):
            job.schedule_removal()
        job_queue.run_repeating(self.tick, interval=TICK_EVERY, first=1, name=TICK_JOB)

    async def stop(self) -> None:
        """Stop the workers; unconfirmed updates are found again after a restart."""
        await self._queue.stop()
        await self.follows.saved()

    def on_articles(self, articles: list[Article]) -> None:
        """Hear of a batch (the writer thread): read the followed stories' new reports, tick.

        Read here, beside their clustering and off the loop, the tick has only lookups left.
        `followed` is a frozen snapshot the loop replaces: this thread reads nothing it changes.
        """
        followed = self.follows.followed
        batch = {a.id: a for a in articles}
        touched = {self._stories.story_of(a.id) for a in articles} & followed
        for story_id in sorted(s for s in touched if s is not None):
            self._facts.developments(story_id, batch)  # extends the story's ledger
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._kick)

    def _kick(self) -> None:
        if not self._kicked:
            self._kicked = True
            self._kick_task = asyncio.ensure_future(self.tick())

    async def settle(self) -> None:
        """Tick and wait until every update found is delivered (tests, benchmarks)."""
        await self.tick()
        await self._queue.join()
        await self.follows.saved()

    # --- what commands change: each returns once the change is on disk -----------------

    async def follow(
        self, chat_id: int, story_id: str, headline: str, thread_id: int | None = None
    ) -> tuple[Follow, Follow | None]:
        """Follow a story from now on, in a forum topic; return it and the follow it replaced."""
        now, cursor = self.clock(), self._facts.newest_arrival(story_id)
        asked = Follow(chat_id, story_id, headline, now, cursor, last_news=now, thread_id=thread_id)
        follow, before = self.follows.place(asked)
        if before is None:
            self._checked.pop(story_id, None)
        await self.follows.saved()
        return follow, before

    def may_follow(self, chat_id: int, story_id: str) -> bool:
        """Return whether the chat may follow the story: it does already, or has room."""
        followed = self.follows.get(chat_id, story_id) is not None
        return followed or len(self.follows.for_chat(chat_id)) < MAX_FOLLOWS

    async def unfollow(self, chat_id: int, story_ids: list[str]) -> list[Follow]:
        """Stop following these stories; return the follows that existed."""
        gone = self.follows.remove(chat_id, story_ids)
        for follow in gone:
            self._held.pop(follow.key, None)
        await self.follows.saved()
        return gone

    async def set_quiet(self, chat_id: int, quiet: Quiet | None) -> None:
        """Save the chat's quiet hours (None: any hour)."""
        self.follows.set_quiet(chat_id, quiet)
        await self.follows.saved()

    async def forget_chat(self, chat_id: int) -> int:
        """Remove the chat's follows and quiet hours (/forget); return how many follows."""
        count = self.follows.drop_chat(chat_id)
        self._held = {k: v for k, v in self._held.items() if k[0] != chat_id}
        await self.follows.saved()
        return count

    async def move_chat(self, old: int, new: int) -> None:
        """Follow a group that became a supergroup: its follows and quiet hours move along."""
        self.follows.move_chat(old, new)  # a held update's story is looked at when it is due
        await self.follows.saved()

    def for_chat(self, chat_id: int) -> list[Follow]:
        """Return the chat's follows, oldest first."""
        return self.follows.for_chat(chat_id)

    def quiet(self, chat_id: int) -> Quiet | None:
        """Return the chat's quiet hours (None: any hour)."""
        return self.follows.quiet(chat_id)

    def zone(self, chat_id: int) -> ZoneInfo:
        """Return the chat's zone (its /timezone, else the bot's)."""
        return self._digests.zone_of(chat_id) or self.config.tz

    async def tick(self, _context: object = None) -> None:
        """Say goodbye to quiet follows, find new facts, send what may go and hold the rest."""
        self._kicked = False
        if self._tick_lock is None or self._deliverer is None:
            return
        async with self._tick_lock:
            now = self.clock()
            self._farewells(now)
            asks, marks = self._asks(now)
            if not asks:
                return
            found = await asyncio.to_thread(find_updates, self._facts, asks)
            self._checked.update(marks)
            # A held update whose wait is over was looked for again: found ones are re-placed.
            self._held = {k: at for k, at in self._held.items() if at > now}
            for index, item in enumerate(found, 1):
                self._place(item, now)
                if index % PLACE_CHUNK == 0:
                    await asyncio.sleep(0)  # a story with 10,000 followers: replies go between

    def _asks(self, now: datetime) -> tuple[list[Ask], dict[str, tuple[int, str] | None]]:
        """Return the stories to look at (changed, or with an update whose wait is over)."""
        due = {story for (_, story), at in self._held.items() if at <= now}
        asks, marks = [], {}
        for story_id in self.follows.stories():
            mark = self._facts.mark(story_id)
            if story_id not in due and self._checked.get(story_id, False) == mark:
                continue
            chats = tuple(
                (f.chat_id, f.cursor, self._digests.translator(f.chat_id).lang)  # its language
                for f in self.follows.followers(story_id)
                if f.key not in self._outbox and self._digests.is_active(f.chat_id)
            )
            marks[story_id] = mark
            if chats:
                asks.append(Ask(story_id, chats))
        return asks, marks

    def _place(self, found: Found, now: datetime) -> None:
        """Queue an update that may go now; hold one that must wait (the gap, quiet hours)."""
        follow = self.follows.get(found.chat_id, found.story_id)
        if follow is None or follow.key in self._outbox:
            return
        at = ready_at(follow, now, self.follows.quiet(found.chat_id), self.zone(found.chat_id))
        if at > now:
            self._held[follow.key] = at
            return
        self._held.pop(follow.key, None)
        self._outbox[follow.key] = found
        self._queue.submit(found.chat_id, Request({found.story_id}))

    def _farewells(self, now: datetime) -> None:
        """Queue the last line of every follow whose story brought no news for 7 days."""
        for follow in self.follows.all():
            if gone_quiet(follow, now) and follow.key not in self._outbox:
                self._outbox[follow.key] = Found(follow.chat_id, follow.story_id, ())
                self._queue.submit(follow.chat_id, Request({BYE + follow.story_id}))

    # --- delivery -------------------------------------------------------------------------

    async def _handle(self, chat_id: int, request: Request) -> str:
        """Send the chat's queued updates (each its own message) and record the confirmed."""
        status = "sent"
        keys = sorted(request.sub_ids)
        for n, key in enumerate(keys):
            story_id = key.removeprefix(BYE)
            found = self._outbox.get((chat_id, story_id))
            try:
                status = await self._send_one(chat_id, story_id, found, key.startswith(BYE))
            finally:
                self._outbox.pop((chat_id, story_id), None)
            if status in ("gone", "failed", "migrated"):
                for rest in (k.removeprefix(BYE) for k in keys[n:]):
                    self._outbox.pop((chat_id, rest), None)
                    if status != "gone":  # not sent: the next tick looks again (its mark is old)
                        self._checked.pop(rest, None)
                break
        return status

    async def _send_one(self, chat_id: int, story_id: str, found: Found | None, bye: bool) -> str:
        follow = self.follows.get(chat_id, story_id)
        if follow is None or found is None or self._deliverer is None:
            return "none"
        tr = self._digests.translator(chat_id)
        part, note = self._messages.part(follow, found.developments, bye, tr, self.zone(chat_id))
        result = await self._deliverer.deliver(chat_id, [part], moved_note=note)
        if result.outcome is Outcome.GONE:
            await self._digests.deactivate(chat_id)
            return "gone"
        if result.outcome is Outcome.MIGRATED and result.new_chat_id is not None:
            await self._digests.migrate(chat_id, result.new_chat_id)  # moves the follows too
            return "migrated"  # this chat's updates are found again for its new id
        if result.outcome is not Outcome.SENT:
            return "failed"
        now = self.clock()
        if bye:
            self.follows.remove(chat_id, [story_id])
            self.stats["farewells"] += 1
            await self.follows.saved()
        else:
            # Not awaited here: the worker's next send waits for it (Deliverer's `ready`).
            self.follows.mark_told(chat_id, story_id, found.upto, now, now, general=result.moved)
            self.stats["updates"] += 1
        return "sent"
