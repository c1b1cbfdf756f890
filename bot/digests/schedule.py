"""Pure schedule arithmetic for daily digests: wall-clock HH:MM in a zone, as UTC instants.

Rules across daylight-saving changes: a wall time that does not exist on a spring-forward
day (02:30 in New York) falls due the same amount later (03:30), and a wall time that
happens twice on a fall-back day (01:30) falls due once, at its first occurrence. Both
come from `fold=0`, which zoneinfo resolves with the offset in force before the change.
Nothing here reads the real clock: callers pass `now`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]
DEFAULT_GRACE = timedelta(hours=6)


class ScheduleError(ValueError):
    """A time of day that is not HH:MM."""


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


def parse_hhmm(text: str) -> tuple[int, int]:
    """Parse H:MM or HH:MM (24-hour) into (hour, minute); raise ScheduleError otherwise."""
    hour, sep, minute = text.strip().partition(":")
    digits = (hour + minute).isascii() and hour.isdigit() and minute.isdigit()
    if not sep or not digits or len(minute) != 2 or len(hour) > 2:
        raise ScheduleError(f"{text!r} is not a time like 07:30")
    h, m = int(hour), int(minute)
    if h > 23 or m > 59:
        raise ScheduleError(f"{text!r} is not a time of day (00:00 to 23:59)")
    return h, m


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
