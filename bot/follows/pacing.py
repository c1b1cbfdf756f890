"""When an update may go: at most one per story per UPDATE_GAP, never in the chat's quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.follows.records import Follow, Quiet

UPDATE_GAP = timedelta(hours=3)
QUIET_FOR = timedelta(days=7)  # a story with no news this long stops being followed


def in_quiet(at: datetime, quiet: Quiet | None, zone: ZoneInfo) -> bool:
    """Return whether `at` falls in the quiet hours (local time in the chat's zone)."""
    if quiet is None:
        return False
    local = at.astimezone(zone).time()
    if quiet.start < quiet.end:
        return quiet.start <= local < quiet.end
    return local >= quiet.start or local < quiet.end  # the span wraps past midnight


def quiet_end(at: datetime, quiet: Quiet, zone: ZoneInfo) -> datetime:
    """Return the first instant after `at` when the quiet hours are over (UTC)."""
    local = at.astimezone(zone)
    end = datetime.combine(local.date(), quiet.end, tzinfo=zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), quiet.end, tzinfo=zone)
    return end.astimezone(UTC)


def ready_at(follow: Follow, now: datetime, quiet: Quiet | None, zone: ZoneInfo) -> datetime:
    """Return the earliest instant the follow's next update may be sent."""
    at = now if follow.last_sent is None else max(now, follow.last_sent + UPDATE_GAP)
    return quiet_end(at, quiet, zone) if quiet is not None and in_quiet(at, quiet, zone) else at


def gone_quiet(follow: Follow, now: datetime) -> bool:
    """Return whether the story brought this chat no news for QUIET_FOR."""
    return now - follow.news_at >= QUIET_FOR
