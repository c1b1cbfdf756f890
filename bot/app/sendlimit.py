"""The one rate limiter of every Bot API send: people first, digests in the gaps, one 429 state.

PTB's AIORateLimiter and the digest Pacer used to pace sends side by side: a reply queued in
AIORateLimiter's bucket behind the digests in it, and PTB retried a digest's 429 three times
before the Deliverer heard of it, while the Pacer went on as if nothing had happened. This
limiter is PTB's hook (`ApplicationBuilder.rate_limiter`) around the digests' own Pacer
(bot/digests/pacing.py), so one object owns flood control and 429s for every send:

- a digest send (`rate_limit_args={"digest": True}`, see bot/digests/delivery.py) has already
  waited its turn in the Deliverer; a 429 goes straight back to it (one pause for all, and
  the Deliverer retries);
- every other message send (a reply to a command, a button's edit, a private chat's search)
  takes the next slot ahead of the digests within the overall rate; a 429 pauses everyone
  and the reply is retried up to max_retries times, after the pause;
- answers to inline queries and button presses, getUpdates and set-up calls are not
  messages: Telegram's message limits do not count them, and they go straight through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.digests.delivery import retry_seconds
from bot.digests.pacing import Pacer

log = logging.getLogger(__name__)

MESSAGE_PREFIXES = ("send", "edit", "copy", "forward")
NOT_MESSAGES = frozenset({"sendChatAction"})
DIGEST = "digest"
Result = bool | dict[str, Any] | list[dict[str, Any]]


class SendLimiter(BaseRateLimiter[dict[str, Any]]):
    """Pace every message send through one Pacer, replies to people ahead of digests."""

    def __init__(self, pacer: Pacer, *, max_retries: int = 3) -> None:
        self.pacer = pacer
        self.max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> Result:
        """Run one Bot API call under the limits; see the module docstring for the rules."""
        if not is_message(endpoint, data):
            return await callback(*args, **kwargs)
        if rate_limit_args and rate_limit_args.get(DIGEST):
            return await callback(*args, **kwargs)  # the Deliverer paced it and owns its 429s
        chat_id = chat_key(data["chat_id"])
        for attempt in range(self.max_retries + 1):
            await self.pacer.person_turn(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.pacer.pause(retry_seconds(exc))
                if attempt == self.max_retries:
                    raise
                log.info("429 on %s; retrying after %.0f s", endpoint, retry_seconds(exc))
        raise AssertionError("unreachable")  # the loop returns or raises


def is_message(endpoint: str, data: dict[str, Any]) -> bool:
    """Return whether a call sends or edits a message in a chat (what Telegram's limits count)."""
    return (
        endpoint.startswith(MESSAGE_PREFIXES) and endpoint not in NOT_MESSAGES and "chat_id" in data
    )


def chat_key(chat_id: object) -> int:
    """Return a number for the chat (a channel's @username counts as a group)."""
    try:
        return int(str(chat_id))
    except ValueError:
        return -1
