"""Deliver one chat's digest messages: paced, 429s retried, failures classified.

Telegram confirms a message by answering the send; only then is it counted as sent.
`bot_sender` is the send function a running bot delivers through.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

from bot.backoff import retry_delay
from bot.digests.pacing import Pacer
from bot.models import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DigestPart:
    """One message of a digest: its HTML and its buttons as (label, callback data) rows."""

    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()
    preview_url: str | None = None  # the one link previewed (a digest's first item); else none
    thread_id: int | None = None  # the forum topic it goes to; None: the chat (General topic)


SendFn = Callable[[int, DigestPart], Awaitable[object]]
GONE_PHRASES = ("chat not found", "bot was kicked", "user is deactivated", "have no rights")
# What Telegram answers a send to a forum topic that was deleted or closed (no other topic
# error is the topic's fault: "message thread not found" also names a deleted one).
TOPIC_GONE_PHRASES = ("message thread not found", "topic_closed", "topic_deleted")
# A chat is told once that a topic is gone, not once per subscription or follow that was in it:
# those are tried (a topic reopened since takes them) and moved one by one, often in one run.
NOTE_AGAIN = timedelta(hours=1)
NETWORK_BACKOFF = 1.0  # seconds before the first resend after a network error, then doubled
MAX_NETWORK_BACKOFF = 10.0  # 8 attempts then span about 45 s, as 1+2+...+7 s did before


class Outcome(enum.Enum):
    """How a delivery ended."""

    SENT = "sent"
    GONE = "gone"  # blocked, kicked or chat not found: deactivate, keep the subscriptions
    MIGRATED = "migrated"  # the group became a supergroup: move the subscriptions
    FAILED = "failed"  # retries exhausted or a bad message: try again at the next chance
    TOPIC_GONE = "topic gone"  # a forum topic closed or deleted: `deliver` sends to General


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome, the new chat id after a migration, and counters."""

    outcome: Outcome
    sent: int = 0
    new_chat_id: int | None = None
    retries: int = 0
    moved: bool = False  # the parts' forum topic was gone: they went to the General topic


class TopicNotes:
    """When each chat was last told that a forum topic of its is gone, for `NOTE_AGAIN`."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._told: dict[tuple[int, int | None], datetime] = {}

    def first(self, chat_id: int, thread_id: int | None) -> bool:
        """Return whether the chat is to be told now (not told lately), and count it told."""
        now = self._clock()
        self._told = {key: at for key, at in self._told.items() if now - at < NOTE_AGAIN}
        if (chat_id, thread_id) in self._told:
            return False
        self._told[(chat_id, thread_id)] = now
        return True


class Deliverer:
    """Send HTML messages to a chat through a Pacer, handling Telegram's answers."""

    def __init__(
        self,
        send: SendFn,
        pacer: Pacer,
        *,
        ready: Callable[[], Awaitable[None]] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._send = send
        self.pacer = pacer
        # Awaited after each turn, before the send: the durable record of the sends before
        # (follow updates write theirs in groups; by the turn it has mostly landed).
        self._ready = ready
        self._notes = TopicNotes(clock)
        self.too_many = 0  # 429 answers seen, for benchmarks and logs

    async def deliver(
        self,
        chat_id: int,
        parts: list[DigestPart],
        *,
        person: bool = False,
        moved_note: DigestPart | None = None,
    ) -> Result:
        """Send every part in order; stop at the first part that cannot be sent.

        `person`: someone asked for it (/digest) and waits, so it goes ahead of digests.
        A part whose forum topic is closed or deleted goes to the General topic instead, and
        so does every part after it, `moved_note` first: once, since none is for a topic then,
        and not if the chat was told of that topic in the last `NOTE_AGAIN`. The caller
        forgets the topic when `Result.moved` says so (bot.digests.topics).
        """
        retries = sent = 0
        moved = False
        pending = deque(parts)
        while pending:
            result = await self._one(chat_id, pending[0], person)
            retries += result.retries
            if result.outcome is Outcome.TOPIC_GONE:
                moved, thread_id = True, pending[0].thread_id
                pending = deque(replace(part, thread_id=None) for part in pending)
                if moved_note is not None and self._notes.first(chat_id, thread_id):
                    pending.appendleft(replace(moved_note, thread_id=None))
                continue
            if result.outcome is not Outcome.SENT:
                return Result(result.outcome, sent, result.new_chat_id, retries, moved)
            pending.popleft()
            sent += 1
        return Result(Outcome.SENT, sent, None, retries, moved)

    async def _one(self, chat_id: int, part: DigestPart, person: bool) -> Result:
        """Send one message: 429s waited out as often as they come, network errors retried.

        A 429 is Telegram's flood control, not a fault of the message: it says when to come
        back, and every sender pauses until then. So it does not use up the message's
        `max_attempts`, which bound only errors that may repeat for ever (network, timeouts).
        Counting 429s lost digests in a storm: the pause ends for all senders at once, the
        same message may come first each time and take a share of the 429s beyond its
        attempts, and a FAILED digest waits for the next day.
        """
        attempts = self.pacer.pacing.max_attempts
        turn = self.pacer.person_turn if person else self.pacer.wait_turn
        failures = retries = 0
        while True:
            await turn(chat_id)
            if self._ready is not None:
                await self._ready()
            try:
                # A send stuck past the timeout must not hold this worker forever.
                await asyncio.wait_for(self._send(chat_id, part), self.pacer.pacing.send_timeout)
                return Result(Outcome.SENT, 1, None, retries)
            except RetryAfter as exc:
                self.too_many += 1
                self.pacer.pause(retry_seconds(exc))
            except ChatMigrated as exc:
                return Result(Outcome.MIGRATED, 0, exc.new_chat_id, retries)
            except Forbidden as exc:
                log.info("chat %s cannot be reached: %s", chat_id, exc.message)
                return Result(Outcome.GONE, 0, None, retries)
            except BadRequest as exc:
                said = exc.message.lower()
                if part.thread_id is not None and any(p in said for p in TOPIC_GONE_PHRASES):
                    log.info("topic %s of chat %s is gone: %s", part.thread_id, chat_id, said)
                    return Result(Outcome.TOPIC_GONE, 0, None, retries)
                gone = any(p in said for p in GONE_PHRASES)
                if not gone:
                    log.warning("digest for chat %s refused: %s", chat_id, exc.message)
                return Result(Outcome.GONE if gone else Outcome.FAILED, 0, None, retries)
            except (NetworkError, TimeoutError) as exc:  # it may have arrived; resend anyway
                failures += 1
                if failures >= attempts:
                    log.warning("digest for chat %s not sent: %d network errors", chat_id, failures)
                    return Result(Outcome.FAILED, 0, None, retries)
                log.info("digest send to %s failed (%s); retrying", chat_id, exc)
                await asyncio.sleep(retry_delay(NETWORK_BACKOFF, failures, MAX_NETWORK_BACKOFF))
            retries += 1


def retry_seconds(exc: RetryAfter) -> float:
    """Return retry_after in seconds (PTB 22 gives an int, later a timedelta)."""
    with warnings.catch_warnings():  # PTB warns that the type will become timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: object = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)  # type: ignore[arg-type]


def bot_sender(bot: ExtBot[Any], *, paid: bool = False) -> SendFn:
    """Return a SendFn that sends HTML through a PTB Bot, previewing a part's one chosen link.

    `paid`: the messages are paid broadcasts (Bot API 7.11), over the free ~30/s for a fee.
    """
    no_preview = LinkPreviewOptions(is_disabled=True)

    async def send(chat_id: int, part: DigestPart) -> object:
        markup = (
            InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                    for row in part.buttons
                ]
            )
            if part.buttons
            else None
        )
        return await bot.send_message(
            chat_id,
            part.text,
            parse_mode=ParseMode.HTML,
            link_preview_options=(
                LinkPreviewOptions(url=part.preview_url, prefer_small_media=True)
                if part.preview_url
                else no_preview
            ),
            reply_markup=markup,
            message_thread_id=part.thread_id,
            allow_paid_broadcast=paid or None,  # None: the parameter is left out
            rate_limit_args={"digest": True},  # paced by the Deliverer (bot/app/sendlimit.py)
        )

    return send
