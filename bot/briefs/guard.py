"""What keeps the model out of the way: a circuit breaker, a back-off, a daily token budget.

Plain state owned by the event loop (the writer calls these between awaits, never from a
thread); the clocks are injected so tests move time instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

FAILURES_TO_OPEN = 5
OPEN_SECONDS = 300.0
BACKOFF_SECONDS = 60.0  # after a 429 that named no delay
# The longest a Retry-After is honoured ("inf", a date in 9999 included). Asking again costs one
# quick 429 and one log line, so even an endpoint out of its daily quota is asked only 24 times
# a day, while a wrong or absurd value costs readers at most an hour of extractive summaries.
# The feeds allow 6 h: a feed is polled every quarter hour or slower, a reader asks now.
MAX_BACKOFF_SECONDS = 3600.0


@dataclass
class Breaker:
    """Leave the model alone for a while after repeated failures or when it asked to back off."""

    clock: Callable[[], float]
    failures: int = 0
    closed_at: float = 0.0  # monotonic time before which no request is sent

    def allows(self) -> bool:
        """Return whether a request may be sent now."""
        return self.clock() >= self.closed_at

    def succeeded(self) -> None:
        """Forget the failures."""
        self.failures = 0

    def failed(self) -> bool:
        """Count a failure; return True when it opened the breaker."""
        self.failures += 1
        if self.failures < FAILURES_TO_OPEN:
            return False
        self.failures = 0
        self.closed_at = self.clock() + OPEN_SECONDS
        return True

    def back_off(self, seconds: float | None) -> None:
        """Send nothing for the delay the endpoint asked for (or BACKOFF_SECONDS), capped."""
        delay = min(seconds, MAX_BACKOFF_SECONDS) if seconds and seconds > 0 else BACKOFF_SECONDS
        self.closed_at = max(self.closed_at, self.clock() + delay)


@dataclass
class Budget:
    """Tokens spent today (UTC) against a daily limit; 0 means no limit."""

    limit: int
    today: Callable[[], date]
    day: date | None = None
    spent: int = 0
    told: set[date] = field(default_factory=set)  # days whose "spent" line was logged

    def _roll(self) -> None:
        if self.day != self.today():
            self.day, self.spent = self.today(), 0

    def allows(self) -> bool:
        """Return whether today's budget has tokens left."""
        self._roll()
        return not self.limit or self.spent < self.limit

    def spend(self, tokens: int) -> None:
        """Count tokens a request used."""
        self._roll()
        self.spent += tokens

    def first_refusal_today(self) -> bool:
        """Return True once a day, the first time the budget turns a request away."""
        self._roll()
        assert self.day is not None
        if self.day in self.told:
            return False
        self.told = {self.day}
        return True
