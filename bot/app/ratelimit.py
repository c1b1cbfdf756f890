"""Per-user command rate limit, so one person cannot starve the others (default 20 a minute).

A sliding-window log per user: exact ("at most N in any 60 s"), and at N timestamps per
active user small enough. Refused users hear one short notice per burst, not one per message.
Inline queries have a limiter of their own, INLINE_PER_COMMAND times larger: Telegram sends
one as the user types, so a single search is several queries; refused ones get no results
and a "Slow down" button instead.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from telegram import InlineQueryResultsButton, Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.app.commands import may_use
from bot.app.context import NewsApp, NewsContext
from bot.app.language import reader_translator
from bot.i18n import Translator

DEFAULT_LIMIT = 20
DEFAULT_WINDOW = 60.0
INLINE_PER_COMMAND = 3
# Before the access gate (-1): it skips users outside the allow-list, who get the gate's line.
RATE_LIMIT_GROUP = -3  # -2 holds the button handlers that check access themselves


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a command may run; when not, whether to tell the user and when to retry."""

    allowed: bool
    notify: bool = False
    retry_after: float = 0.0


class CommandRateLimiter:
    """At most `limit` commands per user in any `window` seconds."""

    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        window: float = DEFAULT_WINDOW,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("the rate limit needs limit >= 1 and a positive window")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._told: dict[int, float] = {}  # user -> until when the notice stays said
        self._next_sweep = clock() + window

    def hit(self, user_id: int) -> Verdict:
        """Count one command of the user; refuse it when the window is full."""
        now = self._clock()
        self._sweep(now)
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            return Verdict(True)
        free_at = hits[0] + self.window
        notify = self._told.get(user_id, -math.inf) < now
        if notify:
            self._told[user_id] = free_at
        return Verdict(False, notify, free_at - now)

    def scaled(self, factor: int) -> CommandRateLimiter:
        """Return a new limiter over the same window and clock, `factor` times larger."""
        return CommandRateLimiter(self.limit * factor, self.window, clock=self._clock)

    def __len__(self) -> int:
        """Return how many users the limiter remembers."""
        return len(self._hits)

    def _sweep(self, now: float) -> None:
        """Forget users idle for a whole window, at most once a window (bounded memory)."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.window
        cutoff = now - self.window
        for user_id in [u for u, hits in self._hits.items() if not hits or hits[-1] <= cutoff]:
            del self._hits[user_id]
            self._told.pop(user_id, None)


def counts(update: Update) -> bool:
    """Return whether the update is a command: a /command, a private search, a button press.

    Edited messages do not count because no handler answers them: editing a sent command
    does not run it again, as in most Telegram bots (an answer would land below later
    messages, out of context, and every typo fixed would cost a search); a user who wants
    another answer sends the command again, and that counts.
    """
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None or not message.text:
        return False
    return message.text.startswith("/") or message.chat.type == message.chat.PRIVATE


def notice(verdict: Verdict, limit: int, tr: Translator) -> str:
    """Return the one-line notice for a refused command."""
    wait = max(1, math.ceil(verdict.retry_after))
    text = tr.ngettext(
        "Slow down: up to {limit} command a minute. Try again in {wait} s.",
        "Slow down: up to {limit} commands a minute. Try again in {wait} s.",
        limit,
    )
    return text.format(limit=limit, wait=wait)


class RateLimitGate:
    """The TypeHandler callback that stops a user's updates beyond the limit."""

    def __init__(self, limiter: CommandRateLimiter) -> None:
        self.limiter = limiter
        self.inline = limiter.scaled(INLINE_PER_COMMAND)

    async def __call__(self, update: Update, context: NewsContext) -> None:
        """Let the update through, or answer once with a notice and stop it."""
        user = update.effective_user
        inline = update.inline_query
        if user is None or not (inline is not None or counts(update)):
            return
        if not may_use(context.bot_data.config, update):
            return  # the access gate answers strangers
        if inline is not None:
            refused = self.inline.hit(user.id)
            if refused.allowed:
                return
            tr = reader_translator(update, context.bot_data)  # the chat's choice, else Telegram's
            wait = max(1, math.ceil(refused.retry_after))
            slow = tr.gettext("Slow down: try again in {wait} s").format(wait=wait)
            button = InlineQueryResultsButton(text=slow, start_parameter="slow_down")
            await inline.answer([], cache_time=0, is_personal=True, button=button)
            raise ApplicationHandlerStop
        # An anonymous admin (or a member posting as a channel) is one shared user in every
        # group, @GroupAnonymousBot: the chat they post as is who they are.
        sender = update.message.sender_chat if update.message is not None else None
        verdict = self.limiter.hit(sender.id if sender is not None else user.id)
        if verdict.allowed:
            return
        text = notice(verdict, self.limiter.limit, reader_translator(update, context.bot_data))
        if update.callback_query is not None:
            await update.callback_query.answer(text)  # a press must be answered anyway
        elif verdict.notify and update.message is not None:
            await update.message.reply_text(text)
        raise ApplicationHandlerStop


def install_rate_limit(
    application: NewsApp, limiter: CommandRateLimiter | None = None
) -> CommandRateLimiter:
    """Register the rate-limit gate ahead of every handler; return its limiter.

    Installing again swaps the limiter of the gate already there (tests use a fake clock).
    """
    limiter = CommandRateLimiter() if limiter is None else limiter
    for handler in application.handlers.get(RATE_LIMIT_GROUP, []):
        if isinstance(handler, TypeHandler) and isinstance(handler.callback, RateLimitGate):
            handler.callback.limiter = limiter
            handler.callback.inline = limiter.scaled(INLINE_PER_COMMAND)
            return limiter
    application.add_handler(TypeHandler(Update, RateLimitGate(limiter)), group=RATE_LIMIT_GROUP)
    return limiter
