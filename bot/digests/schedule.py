"""Pure schedule arithmetic for daily digests: wall-clock HH:MM in a zone, as UTC instants.

Rules across daylight-saving changes: a wall time that does not exist on a spring-forward
day (02:30 in New York) falls due the same amount later (03:30), and a wall time that
happens twice on a fall-back day (01:30) falls due once, at its first occurrence. Both
come from `fold=0`, which zoneinfo resolves with the offset in force before the change.
Nothing here reads the real clock: callers pass `now`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]
DEFAULT_GRACE = timedelta(hours=6)


class ScheduleError(ValueError):
    """A time of day that is not HH:MM."""


class TimeWordError(ScheduleError):
    """A word typed as a time of day that is none: its `part` says what is wrong."""

    def __init__(self, word: str, part: str) -> None:
        super().__init__(f"{word!r}: bad {part}")
        self.word, self.part = word, part  # part: "hour", "minute" or "form"


@dataclass(frozen=True, slots=True)
class Slot:
    """A daily wall-clock time in one zone."""

    hour: int
    minute: int
    zone: ZoneInfo

    def __post_init__(self) -> None:
        if not (0 <= self.hour < 24 and 0 <= self.minute < 60):
            raise ScheduleError(f"{self.hour:02d}:{self.minute:02d} is not a time of day")

    @property
    def hhmm(self) -> str:
        """Return the time as HH:MM."""
        return f"{self.hour:02d}:{self.minute:02d}"

    def due_on(self, day: date) -> datetime:
        """Return the UTC instant this slot falls due on a local calendar day."""
        local = datetime.combine(day, time(self.hour, self.minute), tzinfo=self.zone)
        return local.astimezone(UTC)

    def next_due(self, after: datetime) -> datetime:
        """Return the first due instant strictly after `after`."""
        return min(d for d in self._around(after) if d > after)

    def latest_due(self, at: datetime) -> datetime:
        """Return the last due instant at or before `at`."""
        return max(d for d in self._around(at) if d <= at)

    def _around(self, instant: datetime) -> list[datetime]:
        """Return due instants on the local days around `instant` (enough for min/max)."""
        today = instant.astimezone(self.zone).date()
        return [self.due_on(today + timedelta(days=k)) for k in (-2, -1, 0, 1, 2)]


_TIME_WORD = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{1,2}))?")
_TIME_LIKE = re.compile(r"[0-9]{1,2}[:.][0-9]+|[0-9]{1,2}")


def read_time(word: str) -> tuple[int, int] | None:
    """Return the time of day a typed word means ("7", "07:30", "7.30"); None for no time.

    A bare hour is that hour sharp ("/quiet 23-7"; /subscribe reads none, as a topic may start
    with a number). Raise TimeWordError for a word
    that is meant as a time and is none ("25", "7:60", "7:5"), so it is never taken as a
    topic word or quiet hours without a word of why.
    """
    word = word.strip()
    if not _TIME_LIKE.fullmatch(word):
        return None
    match = _TIME_WORD.fullmatch(word)
    if match is None or (match[2] is not None and len(match[2]) != 2):
        raise TimeWordError(word, "form")
    hour, minute = int(match[1]), int(match[2] or 0)
    if hour > 23:
        raise TimeWordError(word, "hour")
    if minute > 59:
        raise TimeWordError(word, "minute")
    return hour, minute


def catch_up_due(
    slot: Slot,
    now: datetime,
    *,
    last_due: datetime | None,
    created: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> datetime | None:
    """Return the due instant missed while the bot was down, if it should still be sent.

    A due counts when it came after the subscription was created, was not already
    delivered (`last_due`), and is less than `grace` old.
    """
    return missed(slot.latest_due(now), now, last_due=last_due, created=created, grace=grace)


def missed(
    due: datetime,
    now: datetime,
    *,
    last_due: datetime | None,
    created: datetime,
    grace: timedelta = DEFAULT_GRACE,
) -> datetime | None:
    """Return `due`, the latest due instant at `now`, if it is missed and still worth sending."""
    if due <= created or (last_due is not None and due <= last_due):
        return None
    return due if now - due < grace else None


def is_delivered(due: datetime, last_due: datetime | None) -> bool:
    """Return whether the digest due at `due` was already delivered."""
    return last_due is not None and due <= last_due
