"""Waits between retries, from one place: doubled per failure, capped, with jitter.

Things that failed together (every feed when the network came back, every digest worker
after an outage) would retry together, in step, for ever; jitter takes up to a fifth off
each wait at random so they spread out. Waits are only ever shortened, so a cap holds.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime

JITTER = 0.2  # the share of a wait that may be taken off at random
LONG = float(10**11)  # seconds: a year is 3e7, so longer only means "long"; callers cap it
# Seconds as servers send them beyond the RFC's digits: "1.5", "1e300", "inf", "Infinity".
_SECONDS = re.compile(r"(?ai)\+?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf(?:inity)?)")


def retry_delay(
    first: float,
    retry: int,
    cap: float,
    *,
    jitter: float = JITTER,
    rand: Callable[[], float] = random.random,
) -> float:
    """Return the wait before retry number `retry` (1, 2, ...): first, doubled each time, capped."""
    exponent = min(max(retry - 1, 0), 40)  # 2**40 of any wait exceeds any cap; no huge ints
    return min(first * 2.0**exponent, cap) * (1.0 - jitter * rand())


def retry_after(value: str | None, now: datetime) -> float | None:
    """Return the seconds an HTTP Retry-After (seconds or a date) asks to wait, None if none.

    An endless or absurd wait ("inf", 1e300, the year 9999) comes back as LONG, never infinite.
    """
    text = (value or "").strip()
    if _SECONDS.fullmatch(text):
        seconds = float(text)  # 400 digits or 1e999 read as inf, made LONG below
    else:
        try:
            seconds = (parsedate_to_datetime(text) - now).total_seconds()
        except (TypeError, ValueError, IndexError):  # the three a malformed date raises
            return None
    return min(seconds, LONG) if seconds > 0 else None
