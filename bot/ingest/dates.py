"""The dates an article may carry: none before 1900, none more than a day ahead of its arrival."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# No news archive reaches back further; year 1 made the story window's arithmetic overflow, and
# every later open of the data directory failed on it.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
# A few hours ahead is a publisher's clock or time-zone slip, counted as "now" (as feeds do);
# further ahead is a wrong field, and would head every list until that day.
SLIP = timedelta(days=1)


def date_problem(published: datetime, now: datetime) -> str | None:
    """Return why a date cannot be an article's, or None when it can."""
    if published < EARLIEST:
        return f"date before {EARLIEST:%Y}: {published.date().isoformat()}"
    if published > now + SLIP:
        return f"date in the future: {published.date().isoformat()}"
    return None
