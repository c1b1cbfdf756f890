"""Telegram-like flood limits (token buckets) and counters for benchmarks."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class Limits:
    """Flood limits; the defaults follow Telegram's published bot limits."""

    global_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    group_per_minute: float = 20.0
    enabled: bool = True
    # Paid broadcasts (allow_paid_broadcast): up to 1,000 messages a second in all; those the
    # free global limit would have refused are billed (0.1 Stars each on Telegram).
    paid_per_second: float = 1000.0

    def scaled(self, factor: float) -> Limits:
        """Return limits with every rate and burst multiplied by factor (for benchmarks)."""
        return replace(
            self,
            global_per_second=self.global_per_second * factor,
            per_chat_per_second=self.per_chat_per_second * factor,
            per_chat_burst=max(1, int(self.per_chat_burst * factor)),
            group_per_minute=self.group_per_minute * factor,
            paid_per_second=self.paid_per_second * factor,
        )

    @classmethod
    def unlimited(cls) -> Limits:
        """Return limits that never answer 429."""
        return cls(enabled=False)


@dataclass(slots=True)
class Stats:
    """Counters a benchmark or test reads after a run."""

    messages_sent: int = 0
    messages_edited: int = 0
    paid_broadcasts: int = 0  # messages sent with allow_paid_broadcast
    billed_messages: int = 0  # of those, the ones over the free global limit (Telegram bills)
    too_many_requests: int = 0
    errors: int = 0
    sent_per_chat: Counter[int] = field(default_factory=Counter)
    too_many_per_chat: Counter[int] = field(default_factory=Counter)
    calls_per_method: Counter[str] = field(default_factory=Counter)
    errors_per_description: Counter[str] = field(default_factory=Counter)
    # The server clock when the first getUpdates came: a bot's start ends there (benchmarks).
    first_get_updates_at: float | None = None


@dataclass(slots=True)
class _Bucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float
    stamp: float

    def wait_time(self, now: float) -> float:
        """Refill, then return seconds until one token is available (0 when it is)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


class FloodControl:
    """Decide whether a message may be sent now, or how long the bot must wait."""

    def __init__(self, limits: Limits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self._clock = clock
        self._global = self._bucket(limits.global_per_second, limits.global_per_second)
        self._paid = self._bucket(limits.paid_per_second, limits.paid_per_second)
        self._chats: dict[int, _Bucket] = {}
        self._groups: dict[int, _Bucket] = {}
        self.forced_retry_after: int | None = None
        self.forced_remaining: int | None = None
        self.billed = 0  # paid broadcasts over the free limit

    def _bucket(self, capacity: float, rate: float) -> _Bucket:
        capacity = max(capacity, 1.0)
        return _Bucket(capacity, max(rate, 1e-9), capacity, self._clock())

    def retry_after(self, chat_id: int, is_group: bool, paid: bool = False) -> int:
        """Return 0 and take a token when a message may go out now, else seconds to wait.

        A paid broadcast takes a token of the paid 1,000/s, and a free one when there is one;
        `billed` counts those that found none (Telegram bills them).
        """
        forced = self._forced()
        if forced:
            return forced
        if not self.limits.enabled:
            return 0
        now = self._clock()
        lim = self.limits
        free = self._global.wait_time(now) == 0.0
        billed = paid and not free
        buckets = [self._paid, *([self._global] if free else [])] if paid else [self._global]
        buckets.append(
            self._chats.setdefault(
                chat_id, self._bucket(lim.per_chat_burst, lim.per_chat_per_second)
            )
        )
        if is_group:
            rate = lim.group_per_minute / 60.0
            buckets.append(
                self._groups.setdefault(chat_id, self._bucket(lim.group_per_minute, rate))
            )
        wait = max(bucket.wait_time(now) for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1.0
        self.billed += billed
        return 0

    def _forced(self) -> int:
        """Return the retry_after of a forced 429 storm, counting down its remaining replies."""
        if self.forced_retry_after is None:
            return 0
        if self.forced_remaining is not None:
            if self.forced_remaining <= 0:
                self.forced_retry_after = None
                return 0
            self.forced_remaining -= 1
        return self.forced_retry_after
