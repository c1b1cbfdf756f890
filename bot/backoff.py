"""Waits between retries, from one place: doubled per failure, capped, with jitter.

Things that failed together (every feed when the network came back, every digest worker
after an outage) would retry together, in step, for ever; jitter takes up to a fifth off
each wait at random so they spread out. Waits are only ever shortened, so a cap holds.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime

JITTER = 0.2  # the share of a wait that may be taken off at random


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
    """Return the seconds an HTTP Retry-After (seconds or a date) asks to wait, None if none."""
    text = (value or "").strip()
    if text.isdigit():
        seconds = float(min(int(text[:12]), 10**11))  # a year is 3e7 s: longer means "long"
    else:
        try:
            seconds = (parsedate_to_datetime(text) - now).total_seconds()
        except (TypeError, ValueError, IndexError):  # the three a malformed date raises
            return None
    return seconds if seconds > 0 else None
